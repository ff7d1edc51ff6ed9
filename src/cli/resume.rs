//! `mpcegosign keygen --resume FILE|DIR`: finishes a keygen interrupted at its
//! key-code question. It opens the unconfirmed share (`share_N.unconfirmed-<session
//! code>.json[.age]`), shows the key code stored in it, asks the key-code question
//! again, and then puts the share in place as `share_N.json[.age]` with `public.pem`
//! (never over an existing file), or, if the codes are not confirmed, deletes it.

use std::path::{Path, PathBuf};

use super::audit::Recorder;
use super::passphrase::{self, Purpose};
use super::share_io;
use super::unconfirmed::{self, Name};
use super::{CliError, KeygenArgs};

pub fn run(args: &KeygenArgs, target: &Path) -> Result<(), CliError> {
    let path = locate(target)?;
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
    let bytes = mpcegosign::fsutil::read_secret(&path)
        .map_err(|e| super::error::io_error("read the share", &path, &e))?;
    let what = path.display().to_string();
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
    if let Err(e) = super::keygen::confirm_key_code(args, &key_code) {
        mpcegosign::fsutil::tracked::discard(&path)
            .map_err(|r| super::error::io_error("delete the unconfirmed share", &path, &r))?;
        return Err(e.hint(&format!("the unconfirmed share {what} was deleted")));
    }
    let written = share_io::commit_kept(
        &path,
        &share,
        &dir.join(name.final_name()),
        &dir.join("public.pem"),
        false,
        &mut || pass.clone().ok_or_else(|| CliError::new("no passphrase")),
    )?;
    eprintln!("{written}");
    audit.keygen(&share, share.party() == 1)
}

/// The unconfirmed share named by `--resume`: the file itself, or the only one in a
/// directory.
fn locate(target: &Path) -> Result<PathBuf, CliError> {
    let meta =
        std::fs::metadata(target).map_err(|e| super::error::io_error("resume", target, &e))?;
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
