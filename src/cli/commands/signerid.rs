//! `mpcegosign signerid`: MRSIGNER of a public key or of a signed enclave, as
//! `ego signerid` prints it (lowercase hex and a newline).

use std::path::{Path, PathBuf};

use clap::Args;
use mpcegosign::key::PublicKey;
use mpcegosign::sgx::oeinfo::Oeinfo;
use mpcegosign::sgx::Sigstruct;

use crate::cli::error::{io_error, CliError};

pub fn run(args: SigneridArgs) -> Result<(), CliError> {
    let mrsigner = match (&args.key, &args.enclave) {
        (Some(key), _) => load_public(key)?.mrsigner(),
        (None, Some(exe)) => read_enclave_sigstruct(exe)?.mrsigner(),
        (None, None) => return Err(CliError::new("give --key public.pem or --enclave FILE")),
    };
    println!("{}", hex::encode(mrsigner));
    Ok(())
}

/// Reads a PKIX "PUBLIC KEY" PEM.
pub fn load_public(path: &Path) -> Result<PublicKey, CliError> {
    let text = mpcegosign::fsutil::read_regular_string(path)
        .map_err(|e| io_error("read the public key", path, &e))?;
    PublicKey::from_pem(&text).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
}

/// The SIGSTRUCT stored in an enclave executable's `.oeinfo`.
pub fn read_enclave_sigstruct(path: &Path) -> Result<Sigstruct, CliError> {
    let bytes = mpcegosign::fsutil::read_regular(path)
        .map_err(|e| io_error("read the enclave", path, &e))?;
    let oeinfo =
        Oeinfo::locate(&bytes).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    Ok(oeinfo.read_sigstruct(&bytes))
}

#[derive(Args, Debug)]
#[group(required = true, multiple = false)]
pub struct SigneridArgs {
    /// PKIX "PUBLIC KEY" PEM (public.pem).
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,
    /// A signed enclave executable.
    #[arg(long, value_name = "FILE")]
    pub enclave: Option<PathBuf>,
}
