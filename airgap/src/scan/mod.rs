//! Frame texts found in image files and folders (screenshots, PNG frames, phone
//! photos), and a worker thread that decodes a camera's newest frame.
//!
//! - [`walk`]: the bounded folder walk (symlink loops, depth, file count, deadline).
//! - [`photo`]: image files read upright (EXIF orientation) and within bounds.

pub mod photo;
pub mod walk;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;

use image::GrayImage;

use crate::Error;

/// Every QR text in an image, by the chosen decoder.
pub fn scan_image(img: &GrayImage) -> Vec<String> {
    crate::decode::detect(img)
}

/// Scans a picture that holds several QR codes (a printed backup sheet, or a photo
/// of it), handing each batch of texts found to `enough` until it returns true: the
/// whole picture with the multiple reader first, then overlapping tiles of a 2×2 to
/// 6×6 grid with the single reader, for codes the first pass missed (damaged,
/// blurred, or beside a blacked-out one). A decoder panic counts as nothing found.
pub fn scan_sheet(img: &GrayImage, enough: &mut dyn FnMut(Vec<String>) -> bool) {
    let guarded = |f: &dyn Fn() -> Vec<String>| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_default()
    };
    if enough(guarded(&|| crate::decode::rxing::detect_many(img))) {
        return;
    }
    let (w, h) = img.dimensions();
    for k in 2..=6u32 {
        // Tiles of 2/k of the side, stepping by 1/k: every code smaller than a tile
        // lies wholly inside one of them.
        let (tw, th) = ((2 * w / k).min(w), (2 * h / k).min(h));
        for ty in 0..k.saturating_sub(1).max(1) {
            for tx in 0..k.saturating_sub(1).max(1) {
                let tile =
                    image::imageops::crop_imm(img, tx * w / k, ty * h / k, tw, th).to_image();
                if enough(guarded(&|| crate::decode::detect(&tile))) {
                    return;
                }
            }
        }
    }
}

/// Reads one image file (upright, by its EXIF orientation) and scans it.
pub fn scan_file(path: &Path) -> Result<Vec<String>, Error> {
    Ok(scan_image(&photo::load_upright(path)?))
}

/// Fails at once on a path that does not exist.
pub fn check_paths(paths: &[PathBuf]) -> Result<(), Error> {
    match paths.iter().find(|p| !p.exists()) {
        Some(p) => Err(Error::Missing {
            path: p.display().to_string(),
        }),
        None => Ok(()),
    }
}

/// Image files among `paths`, sorted: files as given, whatever their name; in
/// folders (searched recursively, within [`walk`]'s bounds) files with an image
/// ending, not hidden ones (a writer's half-written `.part` files are hidden).
pub fn image_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    walk::walk(paths, None).files
}

/// The newest frame waiting for the worker; older ones are dropped unread.
struct Slot {
    frame: Mutex<(Option<GrayImage>, bool)>,
    ready: Condvar,
}

/// Decodes camera frames on its own thread, so that the camera loop never waits for
/// the decoder: [`submit`](Self::submit) replaces any frame not yet started, so the
/// worker always decodes the newest one.
pub struct Worker {
    slot: Arc<Slot>,
    results: mpsc::Receiver<Vec<String>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn start(decode: fn(&GrayImage) -> Vec<String>) -> Self {
        let slot = Arc::new(Slot {
            frame: Mutex::new((None, false)),
            ready: Condvar::new(),
        });
        let (tx, results) = mpsc::channel();
        let shared = Arc::clone(&slot);
        let thread = std::thread::spawn(move || loop {
            let frame = {
                let Ok(mut guard) = shared.frame.lock() else {
                    return;
                };
                loop {
                    if guard.1 {
                        return;
                    }
                    if let Some(f) = guard.0.take() {
                        break f;
                    }
                    guard = match shared.ready.wait(guard) {
                        Ok(g) => g,
                        Err(_) => return,
                    };
                }
            };
            if tx.send(decode(&frame)).is_err() {
                return;
            }
        });
        Worker {
            slot,
            results,
            thread: Some(thread),
        }
    }

    /// Hands over a frame; returns whether an older, undecoded frame was dropped.
    pub fn submit(&self, frame: GrayImage) -> bool {
        let Ok(mut guard) = self.slot.frame.lock() else {
            return false;
        };
        let dropped = guard.0.replace(frame).is_some();
        self.slot.ready.notify_one();
        dropped
    }

    /// Texts decoded since the last call, one list per decoded frame.
    pub fn results(&self) -> Vec<Vec<String>> {
        self.results.try_iter().collect()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Ok(mut guard) = self.slot.frame.lock() {
            guard.1 = true;
        }
        self.slot.ready.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slow(img: &GrayImage) -> Vec<String> {
        std::thread::sleep(std::time::Duration::from_millis(30));
        vec![img.width().to_string()]
    }

    #[test]
    fn the_worker_decodes_the_newest_frame_and_drops_stale_ones() {
        let w = Worker::start(slow);
        let mut dropped = 0;
        for i in 1..=20u32 {
            if w.submit(GrayImage::new(i, 1)) {
                dropped += 1;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        let got: Vec<String> = w.results().into_iter().flatten().collect();
        assert!(dropped > 0, "a slow decoder must not queue frames");
        assert_eq!(got.last().map(String::as_str), Some("20"), "{got:?}");
        assert!(got.len() < 20);
    }

    #[test]
    fn missing_paths_fail_at_once() {
        let e = check_paths(&[PathBuf::from("/no/such/folder-xyz")]).unwrap_err();
        assert!(e.to_string().contains("/no/such/folder-xyz"));
        assert!(check_paths(&[std::env::temp_dir()]).is_ok());
    }
}
