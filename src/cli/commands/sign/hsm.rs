//! `mpcegosign sign --config enclave.json --pkcs11-module LIB.so --key-label L`: one-key
//! signing in one step with a key in a PKCS#11 token. Prepares and measures as
//! the threshold initiator does, has the token sign the SIGSTRUCT's signed regions,
//! then stores the signature and writes the verified result (the midnight rule
//! included).

use std::path::Path;

use mpcegosign::hsm::{HsmError, MechanismChoice, Pkcs11Key, TokenChoice};
use mpcegosign::secret::SecretString;
use zeroize::Zeroizing;

use super::{Pkcs11Mechanism, SignArgs};
use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::enclave_target::Target;

/// The environment variable read when no `--pin-file` is given.
pub const PIN_ENV: &str = "MPCEGOSIGN_PKCS11_PIN";

pub fn run(args: &SignArgs, module: &Path) -> Result<(), CliError> {
    let p = &args.pkcs11;
    if args.config.len() > 1 || args.batch.is_some() {
        return Err(CliError::new(
            "--pkcs11-module signs one enclave: give one --config (no batch)",
        ));
    }
    let (Some(config), Some(label)) = (args.config.first(), &p.key_label) else {
        return Err(CliError::new(
            "--pkcs11-module needs --config enclave.json and --key-label LABEL",
        ));
    };
    let token = match (&p.token_label, p.slot) {
        (Some(l), _) => TokenChoice::Label(l.clone()),
        (None, Some(s)) => TokenChoice::Slot(s),
        (None, None) => TokenChoice::Only,
    };
    let mechanism = match p.pkcs11_mechanism {
        Pkcs11Mechanism::Auto => MechanismChoice::Auto,
        Pkcs11Mechanism::Sha256RsaPkcs => MechanismChoice::Sha256RsaPkcs,
        Pkcs11Mechanism::RsaPkcs => MechanismChoice::RsaPkcs,
    };
    let hsm = |e: HsmError| CliError::new(e.to_string());
    // The token and its key are checked before the (slower) measurement.
    let key = Pkcs11Key::open(module, &token, label, |token| {
        obtain_pin(p.pin_file.as_deref(), token).map(Some)
    })
    .map_err(|e| match e {
        HsmError::WrongPin(_) => hsm(e).hint(&format!(
            "check --pin-file or {PIN_ENV}; tokens lock after a few wrong PINs"
        )),
        other => hsm(other),
    })?;
    let public = key.public().clone();
    eprintln!(
        "Key `{label}` in token `{}`: RSA-3072, e = 3, MRSIGNER {}",
        key.token(),
        hex::encode(public.mrsigner())
    );
    let target = Target::ego(config, args.ego.as_deref(), args.out.as_deref(), args.force)?;
    let regions = target.unsigned().regions();
    eprintln!("  MRENCLAVE {}", hex::encode(regions.mrenclave()));
    eprintln!(
        "  ISVPRODID {}  ISVSVN {}  DEBUG {}",
        regions.isv_prod_id(),
        regions.isv_svn(),
        if regions.is_debug() { "yes" } else { "no" }
    );
    let (signature, used) = key
        .sign_sha256(regions.as_bytes(), mechanism)
        .map_err(hsm)?;
    eprintln!("The token signed with {used}.");
    drop(key);
    let out = target.finish(&public, &signature)?;
    eprintln!("Verified and wrote {}", out.display());
    Ok(())
}

/// The user PIN: `--pin-file` (first line), then `MPCEGOSIGN_PKCS11_PIN`, then the
/// terminal (not echoed).
fn obtain_pin(file: Option<&Path>, token: &str) -> Result<SecretString, HsmError> {
    let to_hsm = |e: CliError| HsmError::Pkcs11 {
        step: "PIN entry",
        reason: e.to_string(),
    };
    let pin = if let Some(path) = file {
        let bytes = mpcegosign::fsutil::read_secret(path)
            .map_err(|e| to_hsm(io_error("read the PIN file", path, &e)))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            to_hsm(CliError::new(format!(
                "{} is not UTF-8 text",
                path.display()
            )))
        })?;
        SecretString::new(text.lines().next().unwrap_or("").to_owned())
    } else if let Some(v) = std::env::var_os(PIN_ENV).filter(|v| !v.is_empty()) {
        let v = Zeroizing::new(
            v.into_string()
                .map_err(|_| to_hsm(CliError::new(format!("{PIN_ENV} is not valid UTF-8"))))?,
        );
        SecretString::new(v.to_string())
    } else {
        let no_tty = || {
            to_hsm(
                CliError::new(format!("no terminal to ask the PIN of token `{token}`"))
                    .hint(&format!("pass --pin-file FILE or set {PIN_ENV}")),
            )
        };
        crate::cli::io::terminal::passphrase::ask_terminal(&format!("PIN for token `{token}`: "))
            .ok_or_else(no_tty)?
            .map_err(to_hsm)?
    };
    Ok(pin)
}
