//! `mpcegosign verify`: checks a signed enclave's SIGSTRUCT and prints its identity.

use mpcegosign::sgx::SigstructError;

use super::signerid::{load_public, read_enclave_sigstruct};
use super::{CliError, VerifyArgs};

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
    Ok(())
}
