//! `mpcegosign share export FILE --reference OUT`: a `subsets` share as the reference
//! tool's version-2 JSON, so that the reference tool can sign with it.
//!
//! The reference tool keeps shares in clear (its own files are plain JSON, mode
//! 0600), so the output is a plain secret: written atomically with mode 0600, never
//! over an existing file, read back and compared before the command says it is done.

use std::path::Path;

use mpcegosign::fsutil::{self, FileError, SECRET_MODE};
use mpcegosign::share::{file, reference};

use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::passphrase::{self, PassphraseArgs, Purpose};

/// Refusal when `out` exists: there is no `--force`, a secret is never replaced.
fn exists(out: &Path) -> CliError {
    CliError::new(format!(
        "{} already exists; `share export` never replaces a file: choose another name",
        out.display()
    ))
}

pub fn export(path: &Path, out: &Path, args: &PassphraseArgs) -> Result<(), CliError> {
    // Before any passphrase is asked for: `-` (which would be a file named "-", not
    // standard output) and a name that is taken (a dangling symlink included) are
    // refused at once.
    if out.as_os_str() == "-" {
        return Err(CliError::new(
            "`share export --reference` writes a file, not standard output: give it a file name",
        ));
    }
    if out.symlink_metadata().is_ok() {
        return Err(exists(out));
    }
    let bytes = fsutil::read_secret(path).map_err(|e| io_error("read", path, &e))?;
    let what = path.display().to_string();
    let share = share_io::open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    // The reference's format has no place for the mark: a retired share would come
    // out as an active one.
    share_io::refuse_retired(&share, path, "export")?;
    let plain = reference::export(&share).map_err(|e| CliError::new(format!("{what}: {e}")))?;
    fsutil::write_new(out, plain.expose(), SECRET_MODE, false).map_err(|e| match e {
        FileError::Exists(_) => exists(out),
        e => CliError::new(e.to_string()),
    })?;
    // The file must read back as the same party, key and sub-shares (as a reference
    // share: no roster, no identity key); otherwise it is removed.
    let back = fsutil::read_secret(out)
        .map_err(|e| io_error("read back", out, &e))
        .and_then(|b| {
            file::parse(&b).map_err(|e| CliError::new(format!("{}: {e}", out.display())))
        });
    let party = share.party();
    let same = back.map(|b| b.same_share(&share.without_auth()));
    if !matches!(same, Ok(true)) {
        let _ = std::fs::remove_file(out);
        return Err(CliError::new(format!(
            "{} did not read back as the share it was written from, and was removed; check the disk and try again",
            out.display()
        )));
    }
    eprintln!(
        "Wrote {}: the share of party {} in the reference tool's format (version 2).",
        out.display(),
        party
    );
    eprintln!(
        "Warning: it is NOT encrypted (the reference tool reads only plain shares; mode 0600): anyone who reads it holds your part of the key. Keep it on the offline machine and destroy it when done (e.g. `shred -u`)."
    );
    eprintln!("It holds no roster or identity key: a party using it cannot sign its messages, and the others cannot authenticate them.");
    Ok(())
}
