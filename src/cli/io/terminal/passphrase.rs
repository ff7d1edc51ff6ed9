//! Where a share's passphrase comes from: `--passphrase-file`, then the
//! `MPCEGOSIGN_PASSPHRASE` variable, then the terminal (never echoed); and the
//! `--passphrase-file` option itself ([`PassphraseArgs`]).

use std::path::{Path, PathBuf};

use clap::Args;

use mpcegosign::secret::SecretString;
use zeroize::Zeroizing;

use crate::cli::error::{io_error, CliError};

#[derive(Args, Debug)]
pub struct PassphraseArgs {
    /// Read the share passphrase from the first line of FILE instead of the terminal.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

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

/// The longest passphrase read from the terminal, in bytes.
const MAX_TERMINAL_PASSPHRASE: usize = 1024;

fn from_terminal(purpose: Purpose, what: &str) -> Result<SecretString, CliError> {
    let no_tty = || {
        CliError::new(format!("no terminal to ask the passphrase for {what}"))
            .hint(&format!("pass --passphrase-file FILE or set {ENV}"))
    };
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_tty())?;
    let first = ask(&mut tty, &format!("Passphrase for {what}: "))?;
    if purpose == Purpose::New {
        let again = ask(&mut tty, "Repeat the passphrase: ")?;
        if first.expose() != again.expose() {
            return Err(CliError::new(
                "the two passphrases differ; nothing was written",
            ));
        }
    }
    Ok(first)
}

/// Asks one secret (e.g. a token PIN) on the terminal without echo; `None` when there
/// is no terminal.
pub fn ask_terminal(prompt: &str) -> Option<Result<SecretString, CliError>> {
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    Some(ask(&mut tty, prompt))
}

/// Puts the terminal's echo back when dropped (also on an error), and if a signal
/// ends the process meanwhile.
struct EchoOff<'a> {
    tty: &'a std::fs::File,
    saved: rustix::termios::Termios,
    _on_interrupt: Option<super::signals::OnInterrupt>,
}

impl Drop for EchoOff<'_> {
    fn drop(&mut self) {
        let _ = rustix::termios::tcsetattr(
            self.tty,
            rustix::termios::OptionalActions::Now,
            &self.saved,
        );
    }
}

/// Asks for one line on the terminal without echo, in the terminal's usual mode (a
/// transport waiting for pasted messages may have turned canonical mode off: see
/// `tty`), which is set again afterwards.
fn ask(tty: &mut std::fs::File, prompt: &str) -> Result<SecretString, CliError> {
    let was_noncanonical = super::tty::restore_terminal();
    let answer = ask_canonical(tty, prompt);
    if was_noncanonical {
        let _ = super::tty::enter_noncanonical();
    }
    answer
}

/// Asks for one line on the terminal without echo. The line goes straight into one
/// buffer of fixed size, wiped on drop, that never grows (a growing string would
/// leave freed copies of the passphrase behind). The terminal's own line editing
/// (backspace, Ctrl-U) works as usual.
fn ask_canonical(tty: &mut std::fs::File, prompt: &str) -> Result<SecretString, CliError> {
    use rustix::termios::{tcgetattr, tcsetattr, LocalModes, OptionalActions};
    use std::io::{Read, Write};

    let fail = |e: &dyn std::fmt::Display| CliError::new(format!("cannot use the terminal: {e}"));
    let saved = tcgetattr(&*tty).map_err(|e| fail(&e))?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(LocalModes::ECHO);
    quiet.local_modes.insert(LocalModes::ECHONL);
    tty.write_all(prompt.as_bytes())
        .and_then(|_| tty.flush())
        .map_err(|e| fail(&e))?;
    let on_interrupt = tty.try_clone().ok().map(|t| {
        let saved = saved.clone();
        super::signals::on_interrupt(move || {
            let _ = tcsetattr(&t, OptionalActions::Now, &saved);
        })
    });
    tcsetattr(&*tty, OptionalActions::Now, &quiet).map_err(|e| fail(&e))?;
    let guard = EchoOff {
        tty,
        saved,
        _on_interrupt: on_interrupt,
    };
    let mut buf = Zeroizing::new(vec![0u8; MAX_TERMINAL_PASSPHRASE]);
    let mut filled = 0;
    let mut reader: &std::fs::File = guard.tty;
    while !buf[..filled].ends_with(b"\n") {
        let room = buf.get_mut(filled..).unwrap_or_default();
        if room.is_empty() {
            return Err(CliError::new(format!(
                "the passphrase is longer than {} bytes",
                MAX_TERMINAL_PASSPHRASE - 1
            )));
        }
        match reader.read(room) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(fail(&e)),
        }
    }
    drop(guard);
    let mut line = buf.get(..filled).unwrap_or_default();
    while let Some(rest) = line
        .strip_suffix(b"\n")
        .or_else(|| line.strip_suffix(b"\r"))
    {
        line = rest;
    }
    let text = std::str::from_utf8(line)
        .map_err(|_| CliError::new("the passphrase is not valid UTF-8 text"))?;
    // `to_string` allocates exactly the passphrase's length once.
    Ok(SecretString::new(text.to_string()))
}
