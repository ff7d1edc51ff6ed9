//! Other SGX frameworks' signing inputs and outputs, as pure bytes (no I/O).
//!
//! `sign --sigstruct FILE` reads one of:
//! - a SIGSTRUCT (1808 bytes): an unsigned one, EGo's, or Gramine's `.sig` from
//!   `gramine-sgx-sign` (a `.sig` is a plain SIGSTRUCT, signed with any key); the
//!   output is the SIGSTRUCT signed with the threshold key;
//! - the Intel SDK's `sgx_sign gendata` output (256 bytes: the signed regions);
//!   the outputs are what `sgx_sign catsig` takes ([`sgx_sdk`]);
//! - an Open Enclave enclave signed with a throwaway key (an ELF with `.oeinfo`);
//!   the outputs are what `oesign sign -x CERT -d SIG` takes ([`oe`]).
//!
//! [`regions`] decides which regions a signer may be asked to sign: oesign's fixed
//! values, or any other SGX tooling's within what the SDM allows.

pub mod oe;
pub mod regions;
pub mod sgx_sdk;

use crate::key::PublicKey;
use crate::sgx::sigstruct::{SignedRegions, Sigstruct, SigstructError, HEADER, SIGSTRUCT_LEN};

pub use regions::{check, Details, Profile};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameworkError {
    #[error("this is {0} bytes, like an `oesign digest` file: a digest alone shows the signers nothing to review; give the enclave signed once with a throwaway key instead (oesign sign -e ENCLAVE -c CONF -k throwaway.pem -o ENCLAVE.throwaway)")]
    BareDigest(usize),
    #[error("{0} bytes is none of: a SIGSTRUCT (1808 bytes: unsigned, EGo's or Gramine's .sig), `sgx_sign gendata` output (256 bytes) or an Open Enclave enclave (ELF)")]
    Unknown(usize),
    #[error("a {len}-byte file that does not open with the SIGSTRUCT header (06000000e100000000000100): not a {what}")]
    NoHeader { len: usize, what: &'static str },
    #[error("an ELF file (an Open Enclave enclave?), but {0}")]
    Oe(#[from] oe::OeError),
    #[error(transparent)]
    Sigstruct(#[from] SigstructError),
}

/// What an initiator's `--sigstruct` file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A whole SIGSTRUCT (EGo, Gramine `.sig`, or unsigned): signed in place.
    Sigstruct(Sigstruct),
    /// `sgx_sign gendata` output: the signed regions.
    SdkGendata(Box<SignedRegions>),
    /// An Open Enclave enclave signed with a throwaway key: the SIGSTRUCT in it.
    OeEnclave(Sigstruct),
}

impl Input {
    /// Tells the formats apart by length and content.
    pub fn detect(bytes: &[u8]) -> Result<Self, FrameworkError> {
        if oe::looks_like_elf(bytes) {
            return Ok(Input::OeEnclave(oe::enclave_sigstruct(bytes)?));
        }
        match bytes.len() {
            SIGSTRUCT_LEN if bytes.starts_with(&HEADER) => {
                Ok(Input::Sigstruct(Sigstruct::from_bytes(bytes)?))
            }
            SIGSTRUCT_LEN => Err(FrameworkError::NoHeader {
                len: SIGSTRUCT_LEN,
                what: "SIGSTRUCT",
            }),
            sgx_sdk::GENDATA_LEN if sgx_sdk::looks_like_gendata(bytes) => {
                Ok(Input::SdkGendata(Box::new(sgx_sdk::read_gendata(bytes)?)))
            }
            sgx_sdk::GENDATA_LEN => Err(FrameworkError::NoHeader {
                len: sgx_sdk::GENDATA_LEN,
                what: "`sgx_sign gendata` output",
            }),
            oe::DIGEST_LEN => Err(FrameworkError::BareDigest(oe::DIGEST_LEN)),
            n => Err(FrameworkError::Unknown(n)),
        }
    }

    /// The unsigned SIGSTRUCT to sign: the input's own, or one built around the
    /// regions (modulus, signature, Q1 and Q2 are filled when it is signed).
    pub fn unsigned(&self) -> Sigstruct {
        match self {
            Input::Sigstruct(s) | Input::OeEnclave(s) => s.clone(),
            Input::SdkGendata(r) => Sigstruct::from_regions(r),
        }
    }

    /// The framework's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Input::Sigstruct(_) => "SIGSTRUCT",
            Input::SdkGendata(_) => "Intel SGX SDK `sgx_sign gendata` output",
            Input::OeEnclave(_) => "Open Enclave enclave",
        }
    }
}

/// Checks a signed SIGSTRUCT of any framework: regions that [`check`] accepts, then
/// the key, the signature over the regions, Q1 and Q2.
pub fn verify_signed(s: &Sigstruct, key: &PublicKey) -> Result<(), SigstructError> {
    check(&s.regions())?;
    s.verify_signature(Some(key)).map(|_| ())
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
