//! Share files and public keys as the commands read and write them: sealing and
//! opening a share's bytes, loading a share to sign with, checking it against
//! `public.pem`, and putting a confirmed share in place (keygen's output directory
//! is `commands::keygen::output`).

use std::path::Path;

use mpcegosign::fsutil::{self, NewFile, PUBLIC_MODE};
use mpcegosign::key::PublicKey;
use mpcegosign::secret::{SecretBytes, SecretString};
use mpcegosign::share::{encrypted, file, KeyShare};

use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::unconfirmed;
use crate::cli::io::terminal::passphrase::{self, PassphraseArgs, Purpose};

/// Overrides age's scrypt work factor (log2 N) for new files: for slow air-gapped
/// machines, and for the test suite. Unset: age's calibration (about one second).
pub const WORK_FACTOR_ENV: &str = "MPCEGOSIGN_SCRYPT_WORK_FACTOR";

pub fn work_factor() -> Result<Option<u8>, CliError> {
    match std::env::var(WORK_FACTOR_ENV) {
        Err(_) => Ok(None),
        Ok(v) => v
            .parse::<u8>()
            .ok()
            .filter(|n| (10..=encrypted::MAX_WORK_FACTOR).contains(n))
            .map(Some)
            .ok_or_else(|| {
                CliError::new(format!(
                    "{WORK_FACTOR_ENV} must be a whole number from 10 to {}",
                    encrypted::MAX_WORK_FACTOR
                ))
            }),
    }
}

/// Encrypts a share file's bytes for writing.
pub fn seal_bytes(plain: &SecretBytes, pass: &SecretString) -> Result<Vec<u8>, CliError> {
    encrypted::encrypt(plain, pass, work_factor()?).map_err(|e| CliError::new(e.to_string()))
}

/// Opens a share file's bytes: decrypts an age file (asking for its passphrase),
/// then parses the JSON.
pub fn open_bytes(
    bytes: &[u8],
    what: &str,
    pass: &mut dyn FnMut() -> Result<SecretString, CliError>,
) -> Result<KeyShare, CliError> {
    let err = |e: &dyn std::fmt::Display| CliError::new(format!("{what}: {e}"));
    if encrypted::is_age(bytes) {
        let plain = encrypted::decrypt(bytes, &pass()?).map_err(|e| err(&e))?;
        file::parse(plain.expose()).map_err(|e| err(&e))
    } else {
        file::parse(bytes).map_err(|e| err(&e))
    }
}

/// Puts the unconfirmed share `kept` in place as `share_path` with `public_path` (both
/// or neither; never over an existing file unless `force`; `public_path` is left as
/// it is if `write_public` is false), then reads both back before anything is
/// reported as saved. On failure the unconfirmed share stays.
pub fn commit_kept(
    kept: &Path,
    share: &KeyShare,
    share_path: &Path,
    (public_path, write_public): (&Path, bool),
    force: bool,
    pass: &mut dyn FnMut() -> Result<SecretString, CliError>,
) -> Result<String, CliError> {
    let pem = share.public().to_pem();
    let kept_msg = || format!("the unconfirmed share {} is kept", kept.display());
    let public = [NewFile {
        path: public_path,
        bytes: pem.as_bytes(),
        mode: PUBLIC_MODE,
    }];
    let others: &[NewFile<'_>] = if write_public { &public } else { &[] };
    fsutil::promote(kept, share_path, others, force).map_err(|e| {
        CliError::new(format!(
            "{e}; neither the share nor public.pem was saved, {}",
            kept_msg()
        ))
    })?;
    // Read both back before anything is reported as saved.
    let back =
        fsutil::read_secret(share_path).map_err(|e| io_error("read back", share_path, &e))?;
    let what = share_path.display().to_string();
    let reread = open_bytes(&back, &what, pass)?;
    let same = reread.same_share(share);
    let text = fsutil::read_regular_string(public_path)
        .map_err(|e| io_error("read back", public_path, &e))?;
    if !same || PublicKey::from_pem(&text).ok().as_ref() != Some(share.public()) {
        return Err(CliError::new(format!(
            "{what} or public.pem did not read back intact; check the disk"
        )));
    }
    let transcript = share
        .auth()
        .map(|a| {
            format!(
                "\nKeygen transcript {} (after a reshare, the old holders give it to `mpcegosign share retire --by`).",
                hex::encode(a.transcript)
            )
        })
        .unwrap_or_default();
    Ok(format!(
        "Saved {} and {}. MRSIGNER {}{transcript}",
        share_path.display(),
        public_path.display(),
        hex::encode(share.public().mrsigner())
    ))
}

/// Reads the share at `path` and, if it is encrypted, its passphrase, which is kept
/// to write the share (or its successor) back encrypted the same way.
pub fn open_keeping_passphrase(
    path: &Path,
    args: &PassphraseArgs,
) -> Result<(KeyShare, Option<SecretString>), CliError> {
    let what = path.display().to_string();
    let bytes = read_share_file(path)?;
    let pass = encrypted::is_age(&bytes)
        .then(|| passphrase::obtain(args, Purpose::Existing, &what))
        .transpose()?;
    let share = open_bytes(&bytes, &what, &mut || {
        pass.clone()
            .ok_or_else(|| CliError::new("no passphrase for an encrypted share"))
    })?;
    Ok((share, pass))
}

/// Reads a share file (plain or encrypted) to sign with and, if a `public.pem` lies
/// beside it, checks that both belong to the same key. An unconfirmed share is
/// refused: no one compared its key code yet.
pub fn load_share(path: &Path, args: &PassphraseArgs) -> Result<KeyShare, CliError> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if name.as_deref().and_then(unconfirmed::Name::parse).is_some() {
        return Err(CliError::new(format!(
            "{} is an unconfirmed share: its key code was never compared with the group; {} first",
            path.display(),
            unconfirmed::what_to_run(path)
        )));
    }
    let bytes = read_share_file(path)?;
    let what = path.display().to_string();
    let share = open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    let public = path
        .parent()
        .map(|d| d.join("public.pem"))
        .filter(|p| p.exists());
    if let Some(p) = public {
        check_public(&share, &p)?;
    }
    Ok(share)
}

/// [`load_share`] for signing: a retired share is refused in one line, before
/// anything else is read or asked.
pub fn load_signing_share(path: &Path, args: &PassphraseArgs) -> Result<KeyShare, CliError> {
    let share = load_share(path, args)?;
    refuse_retired(&share, path, "sign with")?;
    Ok(share)
}

/// Refuses a retired share for `use_` ("sign with", "reshare"), in one line naming
/// what replaced it and which share to use instead.
pub fn refuse_retired(share: &KeyShare, path: &Path, use_: &str) -> Result<(), CliError> {
    let Some(by) = share.retired() else {
        return Ok(());
    };
    Err(CliError::new(format!(
        "share {} is retired (replaced by {}): {use_} your share of generation {} if a refresh replaced it, or the new roster's shares after a reshare",
        path.display(),
        hex::encode(&by[..4]),
        u64::from(share.generation().number) + 1
    )))
}

/// Reads a share file's bytes (a regular file only; wiped on drop). Says in one line
/// if it is a plain share that others can read (and the `chmod` that fixes it), and
/// if an unconfirmed share lies beside it.
pub fn read_share_file(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, CliError> {
    let bytes = fsutil::read_secret(path).map_err(|e| io_error("read the share", path, &e))?;
    if !encrypted::is_age(&bytes) {
        warn_if_loose(path);
    }
    unconfirmed::announce(&unconfirmed::dir_of(path));
    Ok(bytes)
}

/// A plain share readable by group or others: one line, and the command that fixes it
/// (the mode is not changed behind the person's back).
fn warn_if_loose(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        eprintln!(
            "mpcegosign: warning: {p} is a plain (unencrypted) share that other users can read (mode {mode:04o}); run `chmod 600 {p}`, or encrypt it with `mpcegosign share encrypt {p}`",
            p = path.display()
        );
    }
}

/// Refuses a share whose modulus differs from a public key file.
pub fn check_public(share: &KeyShare, public_pem: &Path) -> Result<(), CliError> {
    let text =
        fsutil::read_regular_string(public_pem).map_err(|e| io_error("read", public_pem, &e))?;
    let key = PublicKey::from_pem(&text)
        .map_err(|e| CliError::new(format!("{}: {e}", public_pem.display())))?;
    if &key != share.public() {
        return Err(CliError::new(format!(
            "the share belongs to MRSIGNER {}, but {} is MRSIGNER {}: they are from different keys",
            hex::encode(share.public().mrsigner()),
            public_pem.display(),
            hex::encode(key.mrsigner())
        )));
    }
    Ok(())
}
