//! `sign --sigstruct FILE`: what each framework's tooling handed over, and the files
//! it takes back (see docs/frameworks.md): a signed SIGSTRUCT (EGo, Gramine `.sig`),
//! `sgx_sign catsig`'s signature and public key, or `oesign sign -x/-d`'s
//! certificate and signature. Nothing is written until the signature verifies.

use std::path::{Path, PathBuf};

use mpcegosign::ego::cert;
use mpcegosign::fsutil;
use mpcegosign::key::PublicKey;
use mpcegosign::sgx::frameworks::{self, sgx_sdk, Input};
use mpcegosign::sgx::Sigstruct;
use num_bigint::BigUint;

use crate::cli::error::{io_error, CliError};

/// Where the results go.
enum Outputs {
    /// The signed SIGSTRUCT.
    Sigstruct(PathBuf),
    /// `sgx_sign catsig -sig SIGNATURE -key PUBLIC`.
    SdkCatsig { signature: PathBuf, public: PathBuf },
    /// `oesign sign -d SIGNATURE -x CERT`.
    OeDigest { signature: PathBuf, cert: PathBuf },
}

pub(crate) struct FrameworkTarget {
    input_path: PathBuf,
    unsigned: Sigstruct,
    outputs: Outputs,
    force: bool,
}

/// `path` with `suffix` appended to its file name.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

impl FrameworkTarget {
    /// Reads and recognises `path` and names its outputs (the caller refuses
    /// existing ones unless `force`: [`FrameworkTarget::output_paths`]).
    pub(crate) fn open(path: &Path, out: Option<&Path>, force: bool) -> Result<Self, CliError> {
        let bytes = fsutil::read_regular(path).map_err(|e| io_error("read", path, &e))?;
        let input =
            Input::detect(&bytes).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
        let unsigned = input.unsigned();
        frameworks::check(&unsigned.regions()).map_err(|e| {
            CliError::new(format!(
                "{}: the {} cannot be signed: {e}",
                path.display(),
                input.name()
            ))
        })?;
        let main = |default: &str| {
            out.map(Path::to_path_buf)
                .unwrap_or_else(|| beside(path, default))
        };
        let outputs = match input {
            Input::Sigstruct(_) => Outputs::Sigstruct(main(".signed")),
            Input::SdkGendata(_) => {
                let signature = main(".signature");
                let public = beside(&signature, ".public.pem");
                Outputs::SdkCatsig { signature, public }
            }
            Input::OeEnclave(_) => {
                eprintln!(
                    "Open Enclave: this request signs the digest {} (what `oesign digest` writes for this enclave on {}; compare: xxd -p -c 32 ENCLAVE.dig)",
                    hex::encode(unsigned.digest()),
                    unsigned.regions().date().map_err(|e| CliError::new(e.to_string()))?
                );
                let signature = main(".dig.signed");
                let cert = beside(&signature, ".cert.pem");
                Outputs::OeDigest { signature, cert }
            }
        };
        Ok(FrameworkTarget {
            input_path: path.to_path_buf(),
            unsigned,
            outputs,
            force,
        })
    }

    /// Every file [`FrameworkTarget::finish`] writes.
    pub(crate) fn output_paths(&self) -> Vec<&PathBuf> {
        self.outputs.paths()
    }

    pub(crate) fn unsigned(&self) -> &Sigstruct {
        &self.unsigned
    }

    /// Stores the signature, verifies it, writes the outputs and says what to run
    /// next. Returns the main output (the SIGSTRUCT or the signature file).
    pub(crate) fn finish(
        self,
        public: &PublicKey,
        signature: &BigUint,
    ) -> Result<PathBuf, CliError> {
        let mut signed = self.unsigned.clone();
        signed.set_signature(public, signature);
        frameworks::verify_signed(&signed, public).map_err(|e| {
            CliError::new(format!(
                "the combined signature failed its final check: {e}"
            ))
        })?;
        let force = self.force;
        let input = self.input_path.display();
        match &self.outputs {
            Outputs::Sigstruct(out) => {
                write(out, signed.as_bytes(), force)?;
                eprintln!("For Gramine: put it where gramine-sgx looks for the .sig (beside the manifest): mv {} APP.sig", out.display());
                Ok(out.clone())
            }
            Outputs::SdkCatsig {
                signature: sig,
                public: key,
            } => {
                write_pair(
                    (key, public.to_pem().as_bytes()),
                    (sig, &sgx_sdk::catsig_signature(signature)),
                    force,
                )?;
                eprintln!("Wrote the public key {}", key.display());
                eprintln!(
                    "Next: sgx_sign catsig -enclave ENCLAVE.so -config CONFIG.xml -unsigned {input} -sig {} -key {} -out ENCLAVE.signed.so",
                    sig.display(),
                    key.display()
                );
                Ok(sig.clone())
            }
            Outputs::OeDigest {
                signature: sig,
                cert: cert_path,
            } => {
                let pem =
                    cert::certificate_pem(public).map_err(|e| CliError::new(e.to_string()))?;
                write_pair(
                    (cert_path, pem.as_bytes()),
                    (sig, &cert::signature_file(signature)),
                    force,
                )?;
                let day = self
                    .unsigned
                    .regions()
                    .date()
                    .map_err(|e| CliError::new(e.to_string()))?;
                eprintln!("Wrote the certificate {}", cert_path.display());
                eprintln!(
                    "Next, on {day} (oesign dates the SIGSTRUCT itself; use TZ=UTC if the enclave was signed in UTC): oesign sign -e ENCLAVE -c ENCLAVE.conf -x {} -d {}",
                    cert_path.display(),
                    sig.display()
                );
                Ok(sig.clone())
            }
        }
    }
}

/// Writes `path` (public data), replacing it only when `force`.
fn write(path: &Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
    fsutil::write_new(path, bytes, fsutil::PUBLIC_MODE, force)
        .map_err(|e| CliError::new(e.to_string()))
}

/// Writes `first` then `second`; if `second` cannot be written, removes `first` when
/// it did not exist before, so that no half result is left.
fn write_pair(first: (&Path, &[u8]), second: (&Path, &[u8]), force: bool) -> Result<(), CliError> {
    let existed = first.0.exists();
    write(first.0, first.1, force)?;
    write(second.0, second.1, force).inspect_err(|_| {
        if !existed {
            let _ = std::fs::remove_file(first.0);
        }
    })
}

impl Outputs {
    fn paths(&self) -> Vec<&PathBuf> {
        match self {
            Outputs::Sigstruct(p) => vec![p],
            Outputs::SdkCatsig { signature, public } => vec![signature, public],
            Outputs::OeDigest { signature, cert } => vec![signature, cert],
        }
    }
}
