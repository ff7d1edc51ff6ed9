//! Files that are never half-written and never silently replaced.
//!
//! A new file is written to a temporary file in the same directory (created with its
//! final mode, so a secret is never readable by others), flushed to disk, and then
//! linked into place: without `overwrite` the link fails if the name exists, so an
//! existing file is never replaced, even by a race. The directory is synced last.
//!
//! Files that belong together (a share and its `public.pem`) are written as one unit
//! by [`write_all_new`]: both or neither, whatever fails (a full disk included).
//! A file kept on disk under another name (an unconfirmed share) is put in place with
//! [`promote`].
//!
//! Every temporary file is listed in [`tracked`] before it is created, so that an
//! interrupted process can remove it; files are read only if they are regular files
//! ([`regular`]).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use rand::Rng;
use zeroize::Zeroizing;

mod regular;
pub mod tracked;

pub use regular::{open_regular, read_regular, read_regular_string};

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
    tracked::lock().add_temp(&tmp);
    let mut file = match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
    {
        Ok(f) => f,
        Err(e) => {
            tracked::lock().forget_temp(&tmp);
            return Err(dir_error(&e));
        }
    };
    let result = (|| {
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        let _files = tracked::lock();
        if overwrite {
            fs::rename(&tmp, path)
        } else {
            // hard_link fails with AlreadyExists instead of replacing.
            fs::hard_link(&tmp, path).and_then(|_| fs::remove_file(&tmp))
        }
    })();
    let mut files = tracked::lock();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        files.forget_temp(&tmp);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(FileError::Exists(path.to_path_buf()));
        }
        return Err(FileError::Write {
            path: path.to_path_buf(),
            reason: reason(&e),
        });
    }
    files.forget_temp(&tmp);
    drop(files);
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

/// Removes temporary files we made, ignoring errors (the caller reports the first
/// failure), and forgets them.
fn remove_all(paths: &[PathBuf], files: &mut tracked::Files) {
    for p in paths {
        let _ = fs::remove_file(p);
        files.forget_temp(p);
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
            remove_all(&self.temps, &mut tracked::lock());
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
        // Listed before it exists, so an interruption never misses it; a name that
        // was never created is simply not there to remove.
        tracked::lock().add_temp(&tmp);
        staged.temps.push(tmp.clone());
        staged.targets.push(f.path.to_path_buf());
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(f.mode)
            .open(&tmp)
            .map_err(|e| FileError::Directory {
                dir,
                reason: reason(&e),
            })?;
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
    pub fn commit(self) -> Result<(), FileError> {
        self.commit_then(|_| ())
    }

    /// [`Staged::commit`], then `after` (run only on success), with no interruption
    /// seeing the files between the two.
    fn commit_then(mut self, after: impl FnOnce(&mut tracked::Files)) -> Result<(), FileError> {
        let mut files = tracked::lock();
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
                        undo(&linked, &backups, &self.temps, &mut files);
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
                undo(&linked, &backups, &self.temps, &mut files);
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
        remove_all(&self.temps, &mut files);
        self.committed = true;
        for (backup, _) in &backups {
            let _ = fs::remove_file(backup);
        }
        after(&mut files);
        drop(files);
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

/// Puts `kept` (a file kept on disk under another name, e.g. an unconfirmed share) in
/// place under `target`, in the same directory, together with `others`, as one unit
/// as [`write_all_new`] does; the kept name is removed last, in the same step. Without
/// `overwrite`, an existing `target` or other file is refused and nothing changes.
pub fn promote(
    kept: &Path,
    target: &Path,
    others: &[NewFile<'_>],
    overwrite: bool,
) -> Result<(), FileError> {
    if !overwrite && fs::symlink_metadata(target).is_ok() {
        return Err(FileError::Exists(target.to_path_buf()));
    }
    let mut staged = stage_all(others, overwrite)?;
    // A second name for the kept file's data, beside the target: no copy, no space.
    let tmp = temp_name(target, "tmp");
    tracked::lock().add_temp(&tmp);
    staged.targets.insert(0, target.to_path_buf());
    staged.temps.insert(0, tmp.clone());
    fs::hard_link(kept, &tmp).map_err(|e| FileError::Write {
        path: target.to_path_buf(),
        reason: reason(&e),
    })?;
    staged.commit_then(|files| {
        let _ = fs::remove_file(kept);
        files.forget_kept(kept);
    })
}

/// Takes back the names linked so far: removes new files, restores replaced ones.
fn undo(
    linked: &[PathBuf],
    backups: &[(PathBuf, PathBuf)],
    temps: &[PathBuf],
    files: &mut tracked::Files,
) {
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
    remove_all(temps, files);
}

/// The largest secret file read by [`read_secret`]: far more than any share (a
/// 16-party share file is a few MB) or passphrase file.
pub const MAX_SECRET_FILE: u64 = 256 * 1024 * 1024;

/// Reads a file that may hold a secret (a share, a passphrase, a private key) into a
/// buffer sized from the file's length before reading, so it never grows (growing
/// would leave freed copies behind), and wiped on drop. Only a regular file is read
/// (see [`open_regular`]).
pub fn read_secret(path: &Path) -> std::io::Result<Zeroizing<Vec<u8>>> {
    let mut file = open_regular(path)?;
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
mod tests;
