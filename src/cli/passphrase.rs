//! Where a share's passphrase comes from: `--passphrase-file`, then the
//! `MPCEGOSIGN_PASSPHRASE` variable, then the terminal (never echoed).

use std::io::IsTerminal;
use std::path::Path;

use mpcegosign::secret::SecretString;
use zeroize::Zeroizing;

use super::error::io_error;
use super::{CliError, PassphraseArgs};

/// The environment variable read when no `--passphrase-file` is given.
pub const ENV: &str = "MPCEGOSIGN_PASSPHRASE";
/// Passphrases shorter than this get a warning.
const SHORT: usize = 12;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A new passphrase: asked twice on the terminal.
    New,
    /// The passphrase of an existing file.
    Existing,
}

/// Gets a passphrase for `what` (e.g. "share_2.json.age").
pub fn obtain(
    args: &PassphraseArgs,
    purpose: Purpose,
    what: &str,
) -> Result<SecretString, CliError> {
    obtain_from(args.passphrase_file.as_deref(), purpose, what)
}

pub fn obtain_from(
    file: Option<&Path>,
    purpose: Purpose,
    what: &str,
) -> Result<SecretString, CliError> {
    let pass = if let Some(path) = file {
        from_file(path)?
    } else if let Some(v) = std::env::var_os(ENV).filter(|v| !v.is_empty()) {
        let v = Zeroizing::new(
            v.into_string()
                .map_err(|_| CliError::new(format!("{ENV} is not valid UTF-8")))?,
        );
        SecretString::new(v.to_string())
    } else {
        from_terminal(purpose, what)?
    };
    if pass.expose().is_empty() {
        return Err(CliError::new(
            "the passphrase is empty; a share needs a passphrase",
        ));
    }
    if purpose == Purpose::New && pass.expose().chars().count() < SHORT {
        eprintln!("Warning: the passphrase has fewer than {SHORT} characters; a long passphrase protects the share better.");
    }
    Ok(pass)
}

fn from_file(path: &Path) -> Result<SecretString, CliError> {
    let bytes = mpcegosign::fsutil::read_secret(path)
        .map_err(|e| io_error("read the passphrase file", path, &e))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        CliError::new(format!(
            "the passphrase file {} is not UTF-8 text",
            path.display()
        ))
    })?;
    let line = text.lines().next().unwrap_or("");
    // `to_string` allocates exactly the line's length: no growing copy.
    Ok(SecretString::new(line.to_string()))
}

fn from_terminal(purpose: Purpose, what: &str) -> Result<SecretString, CliError> {
    let no_tty = || {
        CliError::new(format!("no terminal to ask the passphrase for {what}"))
            .hint(&format!("pass --passphrase-file FILE or set {ENV}"))
    };
    if !std::io::stderr().is_terminal()
        && !std::io::stdin().is_terminal()
        && std::fs::File::open("/dev/tty").is_err()
    {
        return Err(no_tty());
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map(Zeroizing::new)
            .map_err(|_| no_tty())
    };
    let first = ask(&format!("Passphrase for {what}: "))?;
    if purpose == Purpose::New {
        let again = ask("Repeat the passphrase: ")?;
        if *first != *again {
            return Err(CliError::new(
                "the two passphrases differ; nothing was written",
            ));
        }
    }
    Ok(SecretString::new(first.to_string()))
}
