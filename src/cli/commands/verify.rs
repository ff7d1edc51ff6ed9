//! `mpcegosign verify`: checks a signed enclave's SIGSTRUCT and prints its identity.
//! With `--ego DIR` it also re-measures the file through ego-oesign (a copy signed
//! with a throwaway key and the file's own embedded config) and compares MRENCLAVE.

use std::path::{Path, PathBuf};

use clap::Args;
use mpcegosign::ego::flow::{self, EgoError};
use mpcegosign::ego::locate::EgoInstall;
use mpcegosign::sgx::SigstructError;

use crate::cli::commands::signerid::{load_public, read_enclave_sigstruct};
use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::enclave_target::measure;

pub fn run(args: VerifyArgs) -> Result<(), CliError> {
    let expected = args.key.as_deref().map(load_public).transpose()?;
    let s = read_enclave_sigstruct(&args.enclave)?;
    let name = args.enclave.display();
    let key = s.verify(expected.as_ref()).map_err(|e| match e {
        SigstructError::Unsigned => {
            CliError::mismatch(format!("{name}: {e}")).hint("sign it first")
        }
        other => CliError::mismatch(format!("{name}: {other}")),
    })?;
    let r = s.regions();
    let date = r.date().map_err(|e| CliError::mismatch(e.to_string()))?;
    let remeasured = match &args.ego {
        Some(dir) => {
            remeasure(&args.enclave, dir, r.mrenclave())?;
            true
        }
        None => false,
    };
    println!("mrenclave: {}", hex::encode(r.mrenclave()));
    println!("mrsigner:  {}", hex::encode(key.mrsigner()));
    println!("isvprodid: {}", r.isv_prod_id());
    println!("isvsvn:    {}", r.isv_svn());
    println!("debug:     {}", r.is_debug());
    println!("date:      {date}");
    eprintln!(
        "{name}: the signature, Q1 and Q2 verify{}",
        if expected.is_some() {
            ", and it is signed by the given key"
        } else {
            ""
        }
    );
    if remeasured {
        eprintln!("{name}: re-measured through ego-oesign: the file's MRENCLAVE is the signed one");
    } else {
        eprintln!("{name}: MRENCLAVE was not re-measured, so changes to the code or the embedded config are not detected; pass --ego DIR to re-measure it through ego-oesign");
    }
    Ok(())
}

/// Recomputes MRENCLAVE of the signed file through ego-oesign, as `ego sign` would
/// measure it, and compares it with the SIGSTRUCT's.
fn remeasure(path: &Path, ego: &Path, signed: [u8; 32]) -> Result<(), CliError> {
    let name = path.display();
    let install = EgoInstall::locate(Some(ego)).map_err(|e| CliError::new(e.to_string()))?;
    let bytes = mpcegosign::fsutil::read_regular(path)
        .map_err(|e| io_error("read the enclave", path, &e))?;
    let prepared = flow::prepare_embedded(bytes, path, &install).map_err(|e| match e {
        // The file is not what `ego sign` writes: a verification failure.
        EgoError::NoPayload(_) | EgoError::Embed { .. } | EgoError::Check { .. } => {
            CliError::mismatch(e.to_string())
        }
        EgoError::Config(c) => CliError::mismatch(format!("{name}: its embedded config: {c}")),
        other => CliError::new(other.to_string()),
    })?;
    let (measured, _oesign, _work) = measure(&prepared, &install, path)?;
    if measured.mrenclave() != signed {
        return Err(CliError::mismatch(format!(
            "{name}: MRENCLAVE mismatch: the SIGSTRUCT holds {}, but the file measures to {}; the code or the embedded config changed after signing",
            hex::encode(signed),
            hex::encode(measured.mrenclave())
        )));
    }
    Ok(())
}

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The signed enclave executable.
    #[arg(long, value_name = "FILE")]
    pub enclave: PathBuf,
    /// Also require that it is signed by this public key.
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,
    /// Re-measure MRENCLAVE through this EGo installation's ego-oesign.
    #[arg(long, value_name = "DIR")]
    pub ego: Option<PathBuf>,
}
