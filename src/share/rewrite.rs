//! Writing a share back over its own file: to mark it retired, the secret unchanged;
//! and writing a share that replaces another to a new file ([`write_new`]).
//! The file is replaced atomically (a temporary file beside it, synced, then renamed
//! over it: [`fsutil::write_new`]), encrypted again with the same passphrase when it
//! was encrypted, so that a failure at any point leaves the old file whole. Nothing
//! is replaced unless the file still holds the same share (party, key, keygen,
//! generation, secret) and the new bytes read back as the new share.

use std::path::Path;

use super::{encrypted, file, KeyShare, ShareError};
use crate::fsutil::{self, FileError, SECRET_MODE};
use crate::secret::SecretString;

#[derive(Debug, thiserror::Error)]
pub enum RewriteError {
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    AtRest(#[from] encrypted::AtRestError),
    #[error("{0}")]
    Share(#[from] ShareError),
    #[error("{path} is encrypted: its passphrase is needed to write it back")]
    NeedsPassphrase { path: String },
    #[error("{path} is a reference-format share (version 1 or 2): its file cannot record that it is retired")]
    Reference { path: String },
    #[error("{path} no longer holds the share that was read (it changed meanwhile); nothing was written")]
    Changed { path: String },
    #[error("the new bytes of {path} did not read back as the share; nothing was written")]
    ReadBack { path: String },
    #[error("{0}; the file is unchanged")]
    Write(#[from] FileError),
}

/// Replaces the share file at `path` with `share` (the same share with another
/// retired state or generation record), atomically. An encrypted file is encrypted
/// again with `passphrase` (the one it opens with) at `work_factor` (None: age's
/// calibration); a plain file stays plain. Refuses when the file at `path` does not
/// hold the same secret, party, key and keygen as `share`.
pub fn rewrite_in_place(
    path: &Path,
    share: &KeyShare,
    passphrase: Option<&SecretString>,
    work_factor: Option<u8>,
) -> Result<(), RewriteError> {
    let (current, pass) = read(path, passphrase)?;
    let same = current.secret.same_secret(&share.secret)
        && current.party() == share.party()
        && current.public == share.public
        && current.key_code() == share.key_code()
        && current.generation() == share.generation();
    if !same {
        return Err(RewriteError::Changed {
            path: path.display().to_string(),
        });
    }
    replace(path, share, pass, work_factor)
}

/// The share in the file at `path`, and the passphrase to write it back with (`None`
/// for a plain file).
fn read<'a>(
    path: &Path,
    passphrase: Option<&'a SecretString>,
) -> Result<(KeyShare, Option<&'a SecretString>), RewriteError> {
    let name = path.display().to_string();
    let old = fsutil::read_secret(path).map_err(|e| RewriteError::Read {
        path: name.clone(),
        reason: e.to_string(),
    })?;
    if !encrypted::is_age(&old) {
        return Ok((file::parse(&old)?, None));
    }
    let p = passphrase.ok_or(RewriteError::NeedsPassphrase { path: name })?;
    Ok((file::parse(encrypted::decrypt(&old, p)?.expose())?, Some(p)))
}

/// Writes `share` as a new file at `path`, never over an existing one: encrypted with
/// `pass` when given (at `work_factor`), the new bytes read back as the share before
/// anything is written. For a share that replaces another in a new file (a refresh's
/// next generation).
pub fn write_new(
    path: &Path,
    share: &KeyShare,
    pass: Option<&SecretString>,
    work_factor: Option<u8>,
) -> Result<(), RewriteError> {
    write(path, share, pass, work_factor, false)
}

/// Writes `share` over `path` (which holds the same share): encrypted with `pass`
/// when given, read back from the new bytes before anything is replaced.
fn replace(
    path: &Path,
    share: &KeyShare,
    pass: Option<&SecretString>,
    work_factor: Option<u8>,
) -> Result<(), RewriteError> {
    write(path, share, pass, work_factor, true)
}

/// [`write_new`] and [`replace`]: `overwrite` says which.
fn write(
    path: &Path,
    share: &KeyShare,
    pass: Option<&SecretString>,
    work_factor: Option<u8>,
    overwrite: bool,
) -> Result<(), RewriteError> {
    let name = path.display().to_string();
    let plain = file::serialize(share);
    let bytes = match pass {
        Some(p) => encrypted::encrypt(&plain, p, work_factor)?,
        None => plain.expose().to_vec(),
    };
    let back = match pass {
        Some(p) => file::parse(encrypted::decrypt(&bytes, p)?.expose())?,
        None => file::parse(&bytes)?,
    };
    if !back.same_share(share) {
        return Err(RewriteError::ReadBack { path: name });
    }
    fsutil::write_new(path, &bytes, SECRET_MODE, overwrite)?;
    Ok(())
}

/// Reads the share at `path` (with `passphrase` if encrypted), marks it retired by
/// `by` and writes it back in place ([`rewrite_in_place`]); returns the retired
/// share. Refuses a share that is already retired (nothing is written) and an
/// all-zero `by`.
pub fn retire_in_place(
    path: &Path,
    passphrase: Option<&SecretString>,
    by: [u8; 32],
    work_factor: Option<u8>,
) -> Result<KeyShare, RewriteError> {
    if by == [0; 32] {
        return Err(ShareError::Generation(
            "retired.by is all zero: it must name the transcript of what replaced the share",
        )
        .into());
    }
    let (mut share, pass) = read(path, passphrase)?;
    if share.auth().is_none() {
        return Err(RewriteError::Reference {
            path: path.display().to_string(),
        });
    }
    if let Some(old) = share.retired() {
        return Err(ShareError::AlreadyRetired {
            by: hex::encode(old),
        }
        .into());
    }
    share.mark_retired(by);
    replace(path, &share, pass, work_factor)?;
    Ok(share)
}
