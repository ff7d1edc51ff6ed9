//! Files that are never half-written and never silently replaced.
//!
//! A new file is written to a temporary file in the same directory (created with its
//! final mode, so a secret is never readable by others), flushed to disk, and then
//! linked into place: without `overwrite` the link fails if the name exists, so an
//! existing file is never replaced, even by a race. The directory is synced last.
//!
//! Files that belong together (a share and its `public.pem`) are written as one unit
//! by [`write_all_new`]: both or neither, whatever fails (a full disk included).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rand::Rng;
use zeroize::Zeroizing;

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

/// One file of a unit written by [`write_all_new`].
pub struct NewFile<'a> {
    pub path: &'a Path,
    pub bytes: &'a [u8],
    pub mode: u32,
}

/// Removes files we made, ignoring errors (the caller reports the first failure).
fn remove_all(paths: &[PathBuf]) {
    for p in paths {
        let _ = fs::remove_file(p);
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn temp_name(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parent_dir(path).join(format!(
        ".{name}.{:016x}.{what}",
        rand::thread_rng().gen::<u64>()
    ))
}

/// Writes several files as one unit: either all of them appear, or none does and
/// nothing else changed. Each is first written to a temporary file beside it and
/// synced (this is where a full disk shows); only then are they linked into place. A
/// failure while linking removes the names already linked (without `overwrite`), or
/// puts the replaced files back (with `overwrite`).
pub fn write_all_new(files: &[NewFile<'_>], overwrite: bool) -> Result<(), FileError> {
    stage_all(files, overwrite)?.commit()
}

/// Files written and synced under temporary names, not yet in place: the first half
/// of [`write_all_new`], for a caller that must know the data is on disk before it
/// decides (e.g. a dealer, before it sends the shares out). Dropped without
/// [`Staged::commit`], the temporary files are removed.
#[derive(Debug)]
pub struct Staged {
    targets: Vec<PathBuf>,
    temps: Vec<PathBuf>,
    overwrite: bool,
    committed: bool,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            remove_all(&self.temps);
        }
    }
}

/// Writes every file's data to disk under a temporary name beside it, synced.
pub fn stage_all(files: &[NewFile<'_>], overwrite: bool) -> Result<Staged, FileError> {
    if !overwrite {
        if let Some(f) = files.iter().find(|f| fs::symlink_metadata(f.path).is_ok()) {
            return Err(FileError::Exists(f.path.to_path_buf()));
        }
    }
    let mut staged = Staged {
        targets: Vec::with_capacity(files.len()),
        temps: Vec::with_capacity(files.len()),
        overwrite,
        committed: false,
    };
    for f in files {
        let tmp = temp_name(f.path, "tmp");
        let dir = parent_dir(f.path);
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(f.mode)
            .open(&tmp)
            .map_err(|e| FileError::Directory {
                dir,
                reason: reason(&e),
            })?;
        staged.temps.push(tmp);
        staged.targets.push(f.path.to_path_buf());
        file.write_all(f.bytes)
            .and_then(|_| file.sync_all())
            .map_err(|e| FileError::Write {
                path: f.path.to_path_buf(),
                reason: reason(&e),
            })?;
    }
    Ok(staged)
}

impl Staged {
    /// Links every staged file into place, or undoes all of it.
    pub fn commit(mut self) -> Result<(), FileError> {
        let mut linked: Vec<PathBuf> = Vec::with_capacity(self.targets.len());
        let mut backups: Vec<(PathBuf, PathBuf)> = Vec::new();
        for (target, tmp) in self.targets.iter().zip(&self.temps) {
            let result = if self.overwrite {
                // Keep the old file under another name until every file is in place.
                let backup = temp_name(target, "old");
                match fs::hard_link(target, &backup) {
                    Ok(()) => backups.push((backup, target.clone())),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        undo(&linked, &backups, &self.temps);
                        return Err(FileError::Write {
                            path: target.clone(),
                            reason: reason(&e),
                        });
                    }
                }
                fs::rename(tmp, target)
            } else {
                // hard_link fails with AlreadyExists instead of replacing.
                fs::hard_link(tmp, target)
            };
            if let Err(e) = result {
                undo(&linked, &backups, &self.temps);
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    return Err(FileError::Exists(target.clone()));
                }
                return Err(FileError::Write {
                    path: target.clone(),
                    reason: reason(&e),
                });
            }
            linked.push(target.clone());
        }
        remove_all(&self.temps);
        self.committed = true;
        for (backup, _) in &backups {
            let _ = fs::remove_file(backup);
        }
        // Make the new names durable; a failure here does not undo the write.
        let mut dirs: Vec<PathBuf> = self.targets.iter().map(|p| parent_dir(p)).collect();
        dirs.dedup();
        for d in dirs {
            if let Ok(d) = File::open(&d) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

/// Takes back the names linked so far: removes new files, restores replaced ones.
fn undo(linked: &[PathBuf], backups: &[(PathBuf, PathBuf)], temps: &[PathBuf]) {
    for path in linked {
        if let Some((backup, _)) = backups.iter().find(|(_, p)| p == path) {
            let _ = fs::rename(backup, path);
        } else {
            let _ = fs::remove_file(path);
        }
    }
    for (backup, path) in backups {
        if !linked.contains(path) {
            let _ = fs::remove_file(backup);
        }
    }
    remove_all(temps);
}

/// The largest secret file read by [`read_secret`]: far more than any share (a
/// 16-party share file is a few MB) or passphrase file.
pub const MAX_SECRET_FILE: u64 = 256 * 1024 * 1024;

/// Reads a file that may hold a secret (a share, a passphrase, a private key) into a
/// buffer sized from the file's length before reading, so it never grows (growing
/// would leave freed copies behind), and wiped on drop.
pub fn read_secret(path: &Path) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len > MAX_SECRET_FILE {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("the file is larger than {MAX_SECRET_FILE} bytes"),
        ));
    }
    let len = usize::try_from(len).map_err(|_| std::io::ErrorKind::InvalidData)?;
    // One spare byte shows whether the file grew while we read it.
    let mut buf = Zeroizing::new(vec![0u8; len + 1]);
    let mut filled = 0;
    loop {
        let room = buf.get_mut(filled..).unwrap_or_default();
        if room.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "the file changed while it was read",
            ));
        }
        match file.read(room) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    buf.truncate(filled);
    Ok(buf)
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

    #[test]
    fn a_unit_of_files_is_written_whole_or_not_at_all() {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (
            tmp.path().join("share_1.json"),
            tmp.path().join("public.pem"),
        );
        let unit = |x: &'static [u8], y: &'static [u8]| [(a.clone(), x), (b.clone(), y)];
        let write = |files: &[(PathBuf, &[u8]); 2], overwrite: bool| {
            let files: Vec<NewFile<'_>> = files
                .iter()
                .map(|(path, bytes)| NewFile {
                    path,
                    bytes,
                    mode: SECRET_MODE,
                })
                .collect();
            write_all_new(&files, overwrite)
        };
        write(&unit(b"a1", b"b1"), false).unwrap();
        assert_eq!(fs::read(&a).unwrap(), b"a1");
        assert_eq!(fs::read(&b).unwrap(), b"b1");
        // One name taken: nothing is written.
        fs::remove_file(&a).unwrap();
        assert!(matches!(
            write(&unit(b"a2", b"b2"), false),
            Err(FileError::Exists(_))
        ));
        assert!(!a.exists());
        assert_eq!(fs::read(&b).unwrap(), b"b1");
        // Overwriting, the second link fails (a directory stands there): the first
        // file is put back as it was.
        fs::write(&a, b"a1").unwrap();
        fs::remove_file(&b).unwrap();
        fs::create_dir(&b).unwrap();
        fs::write(b.join("x"), b"x").unwrap();
        assert!(matches!(
            write(&unit(b"a3", b"b3"), true),
            Err(FileError::Write { .. })
        ));
        assert_eq!(fs::read(&a).unwrap(), b"a1");
        assert!(b.is_dir());
        // Nothing temporary is left behind.
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn secret_files_are_read_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("pass");
        fs::write(&p, b"correct horse\n").unwrap();
        assert_eq!(&*read_secret(&p).unwrap(), b"correct horse\n");
        fs::write(&p, b"").unwrap();
        assert!(read_secret(&p).unwrap().is_empty());
        assert!(read_secret(&tmp.path().join("missing")).is_err());
    }
}
