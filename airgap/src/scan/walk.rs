//! The bounded folder walk behind `--scan`: every file once, whatever the symlinks
//! (a loop of links to `.` or `..` is entered once), at most [`MAX_DEPTH`] folders
//! deep and [`MAX_FILES`] image files, and never past a deadline.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Folders below a scan root that are entered at most.
pub const MAX_DEPTH: usize = 8;
/// Image files listed at most in one walk.
pub const MAX_FILES: usize = 20_000;
/// Folder entries looked at in one walk at most (files of any kind and folders).
pub const MAX_ENTRIES: usize = 200_000;

/// Image file endings read in folders.
const IMAGE_ENDINGS: [&str; 4] = ["png", "jpg", "jpeg", "pgm"];

/// What a walk found, and which bound, if any, cut it short.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Walk {
    /// Image files, sorted; each file once (by device and inode, or canonical path).
    pub files: Vec<PathBuf>,
    /// Set when a bound stopped the walk: what was cut (for one warning line).
    pub cut: Option<Cut>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// Folders deeper than [`MAX_DEPTH`] were skipped.
    Depth,
    /// More than [`MAX_FILES`] image files or [`MAX_ENTRIES`] entries.
    Size,
    /// The deadline passed during the walk.
    Deadline,
}

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cut::Depth => write!(f, "folders more than {MAX_DEPTH} levels deep were skipped"),
            Cut::Size => write!(
                f,
                "only the first {MAX_FILES} image files ({MAX_ENTRIES} entries) are read"
            ),
            Cut::Deadline => write!(f, "the scan timeout passed while listing the folder"),
        }
    }
}

/// Identity of a file or folder: (device, inode) on Unix, else its canonical path.
#[derive(PartialEq, Eq, Hash)]
enum Key {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

fn key(path: &Path, meta: &std::fs::Metadata) -> Option<Key> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        Some(Key::Inode(meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        std::fs::canonicalize(path).ok().map(Key::Path)
    }
}

pub fn is_image(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_ENDINGS.contains(&e.to_ascii_lowercase().as_str()))
}

/// A writer's half-written `.part` files are hidden, as are dot folders.
fn hidden(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with('.'))
}

/// Image files among `roots`: a file given as a root whatever its name; in folders
/// (searched recursively, symlinks followed once) files with an image ending that
/// are not hidden. Stops at the bounds above or at `deadline`.
pub fn walk(roots: &[PathBuf], deadline: Option<Instant>) -> Walk {
    let mut out = Walk::default();
    let mut seen: HashSet<Key> = HashSet::new();
    let mut entries = 0usize;
    // Depth-first, roots in the order given.
    let mut stack: Vec<(PathBuf, usize, bool)> =
        roots.iter().rev().map(|p| (p.clone(), 0, true)).collect();
    while let Some((path, depth, root)) = stack.pop() {
        if deadline.is_some_and(|d| Instant::now() >= d) {
            out.cut = Some(Cut::Deadline);
            break;
        }
        entries += 1;
        if entries > MAX_ENTRIES || out.files.len() >= MAX_FILES {
            out.cut = Some(Cut::Size);
            break;
        }
        // metadata() follows symlinks: a link is judged by what it points to.
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let Some(k) = key(&path, &meta) else {
            continue;
        };
        if meta.is_dir() {
            if !root && hidden(&path) {
                continue;
            }
            if depth > MAX_DEPTH {
                out.cut.get_or_insert(Cut::Depth);
                continue;
            }
            if !seen.insert(k) {
                continue; // a folder reached twice: a symlink loop or a second link
            }
            let Ok(list) = std::fs::read_dir(&path) else {
                continue;
            };
            let mut children: Vec<PathBuf> = Vec::new();
            for e in list.flatten() {
                children.push(e.path());
                if children.len() > MAX_ENTRIES {
                    break;
                }
            }
            children.sort();
            stack.extend(children.into_iter().rev().map(|c| (c, depth + 1, false)));
        } else if meta.is_file() && (root || (is_image(&path) && !hidden(&path))) && seen.insert(k)
        {
            out.files.push(path);
        }
    }
    out.files.sort();
    out
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;
    use std::time::Duration;

    #[test]
    fn a_symlink_loop_is_entered_once_and_each_file_listed_once() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path().join("scan");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("a.png"), b"x").unwrap();
        std::fs::write(d.join("sub/b.JPG"), b"x").unwrap();
        std::fs::write(d.join("notes.txt"), b"x").unwrap();
        std::fs::write(d.join(".c.png"), b"x").unwrap();
        symlink(".", d.join("loop1")).unwrap();
        symlink(".", d.join("loop2")).unwrap();
        symlink("..", d.join("sub/up")).unwrap();
        symlink(d.join("a.png"), d.join("sub/link.png")).unwrap();
        let t = Instant::now();
        let w = walk(std::slice::from_ref(&d), None);
        assert!(t.elapsed() < Duration::from_secs(1));
        let names: Vec<String> = w
            .files
            .iter()
            .map(|p| p.strip_prefix(&d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.png", "sub/b.JPG"], "{w:?}");
        assert_eq!(w.cut, None);
    }

    #[test]
    fn depth_and_deadline_bound_the_walk() {
        let tmp = tempfile::tempdir().unwrap();
        let mut p = tmp.path().to_path_buf();
        for i in 0..MAX_DEPTH + 3 {
            p = p.join(format!("d{i}"));
        }
        std::fs::create_dir_all(&p).unwrap();
        std::fs::write(p.join("deep.png"), b"x").unwrap();
        std::fs::write(tmp.path().join("top.png"), b"x").unwrap();
        let root = tmp.path().to_path_buf();
        let w = walk(std::slice::from_ref(&root), None);
        assert_eq!(w.files, [tmp.path().join("top.png")]);
        assert_eq!(w.cut, Some(Cut::Depth));
        let past = Instant::now() - Duration::from_millis(1);
        let w = walk(std::slice::from_ref(&root), Some(past));
        assert!(w.files.is_empty());
        assert_eq!(w.cut, Some(Cut::Deadline));
    }

    #[test]
    fn a_file_given_by_name_is_read_whatever_its_ending() {
        let tmp = tempfile::tempdir().unwrap();
        let f = tmp.path().join("photo.heic.bin");
        std::fs::write(&f, b"x").unwrap();
        assert_eq!(walk(std::slice::from_ref(&f), None).files, [f]);
    }
}
