//! The files this process has on disk outside their final place, for whoever ends
//! the process early (the CLI's signal handler):
//! - temporaries (a file being written, before it is linked into place, and private
//!   work directories, [`WorkDir`]): removed;
//! - kept files (a share saved before its key code was confirmed): left on disk and
//!   named, with what to run next.
//!
//! One lock guards the list and every step that links or removes such a file, so the
//! handler sees the files either before or after such a step, never half-way. The
//! handler keeps the lock until the process exits (see [`interrupt`]): nothing is
//! linked or removed after it has reported what it kept and removed.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A file left on disk on purpose, and the note that tells the person what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub path: PathBuf,
    pub note: String,
}

pub(super) struct Files {
    temps: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
    kept: Vec<Kept>,
}

static FILES: Mutex<Files> = Mutex::new(Files {
    temps: Vec::new(),
    dirs: Vec::new(),
    kept: Vec::new(),
});

/// The list, locked (a panic elsewhere does not stop the cleanup).
pub(super) fn lock() -> MutexGuard<'static, Files> {
    FILES
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Files {
    /// Notes a temporary file before it is created.
    pub(super) fn add_temp(&mut self, path: &Path) {
        self.temps.push(path.to_path_buf());
    }
    /// Forgets a temporary file once it is removed (or renamed into place).
    pub(super) fn forget_temp(&mut self, path: &Path) {
        self.temps.retain(|p| p != path);
    }
    pub(super) fn forget_kept(&mut self, path: &Path) {
        self.kept.retain(|k| k.path != path);
    }
}

/// A private temporary directory (mode 0700) removed with everything in it when
/// dropped, and also if the process is interrupted.
pub struct WorkDir {
    dir: tempfile::TempDir,
}

impl WorkDir {
    /// Creates one in the system's temporary directory, its name starting `prefix`.
    pub fn new(prefix: &str) -> std::io::Result<WorkDir> {
        let mut files = lock();
        let dir = tempfile::Builder::new().prefix(prefix).tempdir()?;
        files.dirs.push(dir.path().to_path_buf());
        Ok(WorkDir { dir })
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        let mut files = lock();
        let path = self.dir.path().to_path_buf();
        files.dirs.retain(|d| *d != path);
        let _ = std::fs::remove_dir_all(&path);
    }
}

/// Records a file that stays on disk if the process is interrupted, with the note
/// (what it is, what to run) that the interruption's line gives.
pub fn keep(path: &Path, note: impl Into<String>) {
    let mut files = lock();
    files.forget_kept(path);
    files.kept.push(Kept {
        path: path.to_path_buf(),
        note: note.into(),
    });
}

/// Forgets a kept file (it was put in place, or deleted).
pub fn forget_kept(path: &Path) {
    lock().forget_kept(path);
}

/// Deletes a kept file (the person said no, or it cannot be used) and forgets it, in
/// one step that an interruption sees whole.
pub fn discard(path: &Path) -> std::io::Result<()> {
    let mut files = lock();
    files.forget_kept(path);
    std::fs::remove_file(path)
}

/// What an interruption did. Holds the lock: no other thread links, writes into
/// place or removes a tracked file while this value lives, so keep it until the
/// process exits.
pub struct Interruption {
    _files: MutexGuard<'static, Files>,
    /// Temporary files removed.
    pub removed: usize,
    /// Work directories removed.
    pub removed_dirs: usize,
    /// Files kept, with their notes.
    pub kept: Vec<Kept>,
}

/// Removes every temporary file and lists the kept ones, for a process about to
/// exit on a signal.
pub fn interrupt() -> Interruption {
    let mut files = lock();
    let mut removed = 0;
    for p in std::mem::take(&mut files.temps) {
        if std::fs::remove_file(&p).is_ok() {
            removed += 1;
        }
    }
    let mut removed_dirs = 0;
    for d in std::mem::take(&mut files.dirs) {
        if std::fs::remove_dir_all(&d).is_ok() {
            removed_dirs += 1;
        }
    }
    let kept = files
        .kept
        .iter()
        .filter(|k| k.path.exists())
        .cloned()
        .collect();
    Interruption {
        _files: files,
        removed,
        removed_dirs,
        kept,
    }
}
