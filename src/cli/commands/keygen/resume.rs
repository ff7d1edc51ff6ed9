//! `mpcegosign keygen --resume FILE|DIR`: finishes a keygen interrupted at its
//! key-code question. It opens the unconfirmed share (`share_N.unconfirmed-<session
//! code>.json[.age]`), shows the key code stored in it, asks the key-code question
//! again, and then puts the share in place as `share_N.json[.age]` with `public.pem`
//! (never over an existing file), or, if the codes are not confirmed, deletes it.

use std::path::{Path, PathBuf};

use mpcegosign::fsutil;
use mpcegosign::share::encrypted;

use super::KeygenArgs;
use crate::cli::commands::audit::Recorder;
use crate::cli::error::CliError;
use crate::cli::io::files::shares as share_io;
use crate::cli::io::files::unconfirmed::{self, Name};
use crate::cli::io::terminal::passphrase::{self, Purpose};

pub fn run(args: &KeygenArgs, target: &Path) -> Result<(), CliError> {
    let path = locate(target)?;
    // Still unconfirmed while the question waits: an interruption names it again.
    fsutil::tracked::keep(&path, unconfirmed::kept_note(&path));
    let name = path
        .file_name()
        .and_then(|n| Name::parse(&n.to_string_lossy()))
        .ok_or_else(|| {
            CliError::new(format!(
                "{} is not an unconfirmed share; --resume takes a file named share_N.unconfirmed-<session code>.json[.age] (or the directory holding it)",
                path.display()
            ))
        })?;
    let dir = unconfirmed::dir_of(&path);
    let (share_path, public_path) = (dir.join(name.final_name()), dir.join("public.pem"));
    let bytes = fsutil::read_secret(&path)
        .map_err(|e| crate::cli::error::io_error("read the share", &path, &e))?;
    let what = path.display().to_string();
    if encrypted::is_age(&bytes) != name.encrypted {
        return Err(CliError::new(format!(
            "{what}: its name and its content disagree on whether it is encrypted; it was renamed: give it back its name"
        )));
    }
    // Interrupted after it was put in place (SIGKILL between the two names): only
    // the unconfirmed name is left to remove.
    if fsutil::read_secret(&share_path).is_ok_and(|saved| *saved == *bytes) {
        fsutil::tracked::discard(&path)
            .map_err(|e| crate::cli::error::io_error("remove", &path, &e))?;
        eprintln!(
            "{} was already saved as {}; removed the unconfirmed name",
            what,
            share_path.display()
        );
        return Ok(());
    }
    let taken = |p: &Path| {
        CliError::new(format!(
            "{} already exists; move it away (it may belong to another keygen) and run --resume again; the unconfirmed share {what} stays",
            p.display()
        ))
    };
    if std::fs::symlink_metadata(&share_path).is_ok() {
        return Err(taken(&share_path));
    }
    // Asked once: opening the file now, reading it back once it is in place.
    let mut pass = None;
    let share = share_io::open_bytes(&bytes, &what, &mut || {
        let p = passphrase::obtain(&args.passphrase, Purpose::Existing, &what)?;
        pass = Some(p.clone());
        Ok(p)
    })?;
    if share.party() != name.party {
        return Err(CliError::new(format!(
            "{what} holds the share of party {}, but its name says party {}; it was renamed: give it back its name",
            share.party(),
            name.party
        )));
    }
    let key_code = share.key_code().ok_or_else(|| {
        CliError::new(format!(
            "{what} carries no key code (a reference-format share): it did not come from an interrupted keygen"
        ))
    })?;
    // A public.pem already there is kept if it is this key's (e.g. copied from
    // another party); any other is not replaced.
    let write_public = match std::fs::symlink_metadata(&public_path) {
        Err(_) => true,
        Ok(_) if share_io::check_public(&share, &public_path).is_ok() => false,
        Ok(_) => return Err(taken(&public_path)),
    };
    let audit = Recorder::open_keygen(&args.audit, &dir)?;
    eprintln!(
        "Resuming keygen session {}: the unconfirmed share of party {} ({}-of-{}, {} scheme), MRSIGNER {}",
        name.session,
        share.party(),
        share.scheme().threshold(),
        share.scheme().parties(),
        share.scheme_name(),
        hex::encode(share.public().mrsigner())
    );
    if let Err(e) = super::confirm_key_code(args, &key_code) {
        fsutil::tracked::discard(&path)
            .map_err(|r| crate::cli::error::io_error("delete the unconfirmed share", &path, &r))?;
        return Err(e.hint(&format!("the unconfirmed share {what} was deleted")));
    }
    let written = share_io::commit_kept(
        &path,
        &share,
        &share_path,
        (&public_path, write_public),
        false,
        &mut || pass.clone().ok_or_else(|| CliError::new("no passphrase")),
    )?;
    eprintln!("{written}");
    audit.keygen(&share, share.party() == 1, None)
}

/// The unconfirmed share named by `--resume`: the file itself, or the only one in a
/// directory.
fn locate(target: &Path) -> Result<PathBuf, CliError> {
    let meta =
        std::fs::metadata(target).map_err(|e| crate::cli::error::io_error("resume", target, &e))?;
    if !meta.is_dir() {
        return Ok(target.to_path_buf());
    }
    let found = unconfirmed::find(target);
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(CliError::new(format!(
            "{} holds no unconfirmed share (share_N.unconfirmed-<session code>.json[.age]); nothing to resume",
            target.display()
        ))),
        many => Err(CliError::new(format!(
            "{} holds {} unconfirmed shares; name one: {}",
            target.display(),
            many.len(),
            many.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}
