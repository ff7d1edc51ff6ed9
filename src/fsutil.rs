//! Files that are never half-written and never silently replaced.
//!
//! A new file is written to a temporary file in the same directory (created with its
//! final mode, so a secret is never readable by others), flushed to disk, and then
//! linked into place: without `overwrite` the link fails if the name exists, so an
//! existing file is never replaced, even by a race. The directory is synced last.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rand::Rng;

/// Mode for secrets (shares).
pub const SECRET_MODE: u32 = 0o600;
/// Mode for public files (public.pem, signed enclaves).
pub const PUBLIC_MODE: u32 = 0o644;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{0} already exists; pass --force to replace it, or choose another name")]
    Exists(PathBuf),
    #[error("cannot write in {dir}: {reason}")]
    Directory { dir: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

fn reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::ReadOnlyFilesystem => "read-only file system".into(),
        std::io::ErrorKind::StorageFull => "no space left on the device".into(),
        std::io::ErrorKind::NotADirectory => "not a directory".into(),
        _ => e.to_string(),
    }
}

/// Writes `bytes` to `path` atomically with `mode`; refuses an existing file unless
/// `overwrite`.
pub fn write_new(path: &Path, bytes: &[u8], mode: u32, overwrite: bool) -> Result<(), FileError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !overwrite && fs::symlink_metadata(path).is_ok() {
        return Err(FileError::Exists(path.to_path_buf()));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.{:016x}.tmp",
        rand::thread_rng().gen::<u64>()
    ));
    let dir_error = |e: &std::io::Error| FileError::Directory {
        dir: dir.clone(),
        reason: reason(e),
    };
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .map_err(|e| dir_error(&e))?;
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        if overwrite {
            fs::rename(&tmp, path)
        } else {
            // hard_link fails with AlreadyExists instead of replacing.
            fs::hard_link(&tmp, path).and_then(|_| fs::remove_file(&tmp))
        }
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(FileError::Exists(path.to_path_buf()));
        }
        return Err(FileError::Write {
            path: path.to_path_buf(),
            reason: reason(&e),
        });
    }
    // Make the new name durable; a failure here does not undo the write.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Checks, before a long ceremony, that files can be created in `dir`.
pub fn check_writable(dir: &Path) -> Result<(), FileError> {
    let probe = dir.join(format!(
        ".mpcegosign-probe-{:016x}",
        rand::thread_rng().gen::<u64>()
    ));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(SECRET_MODE)
        .open(&probe)
        .map_err(|e| FileError::Directory {
            dir: dir.to_path_buf(),
            reason: reason(&e),
        })?;
    let _ = fs::remove_file(&probe);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_new_files_with_mode_and_never_replaces() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("share_1.json.age");
        write_new(&p, b"first", SECRET_MODE, false).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"first");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(matches!(
            write_new(&p, b"second", SECRET_MODE, false),
            Err(FileError::Exists(_))
        ));
        assert_eq!(fs::read(&p).unwrap(), b"first");
        write_new(&p, b"third", SECRET_MODE, true).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"third");
        // No temporary file is left behind.
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn unwritable_places_are_reported() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("plain");
        fs::write(&file, b"x").unwrap();
        // A "directory" that is a file: fails even for root.
        let r = write_new(&file.join("share.json"), b"s", SECRET_MODE, false);
        assert!(matches!(r, Err(FileError::Directory { .. })), "{r:?}");
        let r = write_new(
            &tmp.path().join("missing/share.json"),
            b"s",
            SECRET_MODE,
            false,
        );
        assert!(matches!(r, Err(FileError::Directory { .. })), "{r:?}");
    }
}
