//! Open Enclave's digest signing: `oesign digest -e ENCLAVE -c CONF -d FILE` writes
//! the 32-byte SHA-256 of the signed regions, and `oesign sign -e ENCLAVE -c CONF
//! -x CERT.pem -d SIG` takes back the signature and an X.509 certificate holding the
//! public key (host/sgx/sgxsign.c, `_digest_sign_sigstruct`: the signature file is
//! the RSASSA-PKCS1-v1_5 signature as 384 big-endian bytes, which oesign reverses
//! into the SIGSTRUCT and verifies against its own digest).
//!
//! A digest alone shows a signer nothing to review, so the input here is the enclave
//! signed once with a throwaway key (`oesign sign -k throwaway.pem`): its `.oeinfo`
//! section holds the SIGSTRUCT whose regions oesign rebuilds on the same day.

use crate::sgx::oeinfo::{Oeinfo, OeinfoError, SIGSTRUCT_OFFSET};
use crate::sgx::sigstruct::{Sigstruct, HEADER, SIGSTRUCT_LEN};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OeError {
    #[error(transparent)]
    Oeinfo(#[from] OeinfoError),
    #[error("its .oeinfo holds no SIGSTRUCT yet: sign it once with a throwaway key first (oesign sign -e ENCLAVE -c CONF -k throwaway.pem -o ENCLAVE.throwaway)")]
    NotSigned,
}

/// The length of an `oesign digest` file.
pub const DIGEST_LEN: usize = 32;

/// The smallest `.oeinfo` of an Open Enclave enclave that holds a SIGSTRUCT.
pub const MIN_OEINFO: u64 = SIGSTRUCT_OFFSET + SIGSTRUCT_LEN as u64;

/// Whether `bytes` open as an ELF file.
pub fn looks_like_elf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
}

/// The SIGSTRUCT in an Open Enclave enclave's `.oeinfo` section.
pub fn enclave_sigstruct(elf: &[u8]) -> Result<Sigstruct, OeError> {
    let info = Oeinfo::locate_min(elf, MIN_OEINFO)?;
    let s = info.read_sigstruct(elf);
    if !s.as_bytes().starts_with(&HEADER) {
        return Err(OeError::NotSigned);
    }
    Ok(s)
}
