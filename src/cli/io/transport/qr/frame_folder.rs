//! A message's frame folder under `--qr-out`: numbered PNG frames and `frames.txt`
//! (the frame texts, one a line, the same public bytes the PNGs show), and adding
//! frames to such a folder when a receiver lost too many (for `mpcegosign qr-more`).
//! A frame file, once written, is never replaced.

use std::path::{Path, PathBuf};

use airgap::render;

/// The frame texts saved beside the PNG frames of one message.
pub const FRAMES_TXT: &str = "frames.txt";
/// Longest `frames.txt` read back (a 100-frame message is about 100 KB).
const MAX_FRAMES_TXT: u64 = 16 * 1024 * 1024;

/// Why writing or extending a frame folder failed (one line for the user).
#[derive(Debug, thiserror::Error)]
pub enum FramesError {
    #[error("cannot write QR frames in {dir}: {reason}")]
    Write { dir: String, reason: String },
    #[error("{dir} holds no {FRAMES_TXT}: give the folder of one message, as the receiver named it (or its --qr-out folder with --message ID)")]
    NotAFrameFolder { dir: String },
    #[error("{dir}: {reason}")]
    Saved { dir: String, reason: String },
    #[error("no folder under {dir} holds message {id}: check the ID the receiver printed")]
    NoSuchMessage { dir: String, id: String },
}

fn write_err(dir: &Path, e: impl std::fmt::Display) -> FramesError {
    FramesError::Write {
        dir: dir.display().to_string(),
        reason: e.to_string(),
    }
}

/// Frame numbers already used in `dir` (`frame-NNNN.png`).
fn last_number(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|list| {
            list.flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_prefix("frame-")?
                        .strip_suffix(".png")?
                        .parse::<usize>()
                        .ok()
                })
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Writes `frames` as new PNG files after the ones in `dir`, and records them in
/// `frames.txt` first (a crash in between leaves frames recorded but not shown,
/// never a frame number reused). Each file appears whole (written under a hidden
/// name, then linked), and an existing file is never replaced.
pub fn append_frames(dir: &Path, frames: &[String]) -> Result<Vec<PathBuf>, FramesError> {
    std::fs::create_dir_all(dir).map_err(|e| write_err(dir, e))?;
    // frames.txt only grows: one that exists but cannot be read is never replaced.
    let mut saved = match read_saved(dir) {
        Some(saved) => saved,
        None if dir.join(FRAMES_TXT).exists() => {
            return Err(write_err(
                dir,
                format!("{FRAMES_TXT} exists but cannot be read; it was left as it is"),
            ))
        }
        None => Vec::new(),
    };
    saved.extend(frames.iter().cloned());
    let txt = dir.join(FRAMES_TXT);
    let tmp = dir.join(format!(".{FRAMES_TXT}.part"));
    std::fs::write(&tmp, saved.join("\n") + "\n").map_err(|e| write_err(dir, e))?;
    std::fs::rename(&tmp, &txt).map_err(|e| write_err(dir, e))?;
    let first = last_number(dir) + 1;
    let mut written = Vec::with_capacity(frames.len());
    for (i, f) in frames.iter().enumerate() {
        let png = render::to_png(f, 4).map_err(|e| write_err(dir, e))?;
        let path = dir.join(format!("frame-{:04}.png", first + i));
        let tmp = dir.join(format!(".frame-{:04}.part", first + i));
        std::fs::write(&tmp, png).map_err(|e| write_err(dir, e))?;
        // A hard link fails on an existing name: nothing already written is replaced.
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        linked.map_err(|e| write_err(dir, format!("{}: {e}", path.display())))?;
        written.push(path);
    }
    Ok(written)
}

/// The frame texts saved in `dir/frames.txt`, if it is a frame folder.
fn read_saved(dir: &Path) -> Option<Vec<String>> {
    let path = dir.join(FRAMES_TXT);
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() || meta.len() > MAX_FRAMES_TXT {
        return None;
    }
    let text = std::fs::read_to_string(&path).ok()?;
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

/// The short name of a message that a receiver prints: its CRC-32 in hex.
pub fn message_name(checksum: u32) -> String {
    format!("{checksum:08x}")
}

fn message_of_folder(dir: &Path) -> Option<String> {
    let saved = read_saved(dir)?;
    let id = airgap::frames::message_of(saved.first()?)?;
    Some(message_name(id.checksum()))
}

/// The frame folder of message `id` among the folders in `root`.
fn find_message(root: &Path, id: &str) -> Result<PathBuf, FramesError> {
    let want = id.trim().to_ascii_lowercase();
    let mut found: Vec<PathBuf> = std::fs::read_dir(root)
        .map_err(|e| write_err(root, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && message_of_folder(p).as_deref() == Some(want.as_str()))
        .collect();
    found.sort();
    found.pop().ok_or_else(|| FramesError::NoSuchMessage {
        dir: root.display().to_string(),
        id: want,
    })
}

/// Adds `count` new frames to the frame folder `dir` (or, with `message`, to the
/// folder of that message under `dir`). Returns the folder and the files written.
pub fn more(
    dir: &Path,
    message: Option<&str>,
    count: usize,
) -> Result<(PathBuf, Vec<PathBuf>), FramesError> {
    let folder = match message {
        Some(id) if !dir.join(FRAMES_TXT).is_file() => find_message(dir, id)?,
        _ => dir.to_path_buf(),
    };
    let saved = read_saved(&folder).ok_or_else(|| FramesError::NotAFrameFolder {
        dir: folder.display().to_string(),
    })?;
    if let (Some(id), Some(have)) = (message, message_of_folder(&folder)) {
        if id.trim().to_ascii_lowercase() != have {
            return Err(FramesError::Saved {
                dir: folder.display().to_string(),
                reason: format!("this folder holds message {have}, not {}", id.trim()),
            });
        }
    }
    let frames = airgap::more::more_frames(&saved, count).map_err(|e| FramesError::Saved {
        dir: folder.display().to_string(),
        reason: e.to_string(),
    })?;
    let written = append_frames(&folder, &frames)?;
    Ok((folder, written))
}

#[cfg(test)]
mod tests {
    use super::*;
    use airgap::{Decoder, Encoder, Progress};

    #[test]
    fn more_frames_are_new_files_and_complete_a_lossy_scan() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("123-004-keygen-finalize");
        let msg: Vec<u8> = (0..3_000u32).map(|i| (i * 31) as u8).collect();
        let mut enc = Encoder::new(&msg, 454).unwrap();
        let first = enc.file_frames(10);
        append_frames(&dir, &first).unwrap();
        let before: Vec<(PathBuf, Vec<u8>)> = (1..=10)
            .map(|i| {
                let p = dir.join(format!("frame-{i:04}.png"));
                let b = std::fs::read(&p).unwrap();
                (p, b)
            })
            .collect();
        // The receiver read only 3 of the 10 files.
        let mut dec = Decoder::new();
        for f in first.iter().take(3) {
            dec.receive(f).unwrap();
        }
        let id = message_name(airgap::frames::message_of(&first[0]).unwrap().checksum());
        let (found, written) = more(tmp.path(), Some(&id), 8).unwrap();
        assert_eq!(found, dir);
        assert_eq!(written.len(), 8);
        assert_eq!(written[0], dir.join("frame-0011.png"));
        for (p, b) in &before {
            assert_eq!(&std::fs::read(p).unwrap(), b, "never replaced");
        }
        let mut got = None;
        for p in &written {
            for t in airgap::scan::scan_file(p).unwrap() {
                if let Ok(Progress::Complete(m)) = dec.receive(&t) {
                    got = Some(m);
                }
            }
        }
        assert_eq!(got.as_deref(), Some(&msg[..]));
        // Asking again numbers on; a wrong ID or folder is one clear error.
        let (_, again) = more(&dir, None, 1).unwrap();
        assert_eq!(again, [dir.join("frame-0019.png")]);
        assert!(more(tmp.path(), Some("00000000"), 1)
            .unwrap_err()
            .to_string()
            .contains("no folder under"));
        assert!(more(tmp.path(), None, 1)
            .unwrap_err()
            .to_string()
            .contains("holds no frames.txt"));
        // A frames.txt that cannot be read is left alone, nothing is written.
        let odd = tmp.path().join("odd");
        std::fs::create_dir_all(odd.join(FRAMES_TXT)).unwrap();
        let e = append_frames(&odd, &first).unwrap_err().to_string();
        assert!(e.contains("left as it is"), "{e}");
        assert!(!odd.join("frame-0001.png").exists());
    }
}
