//! The `--scan` side of the QR transport: reading the files of the scan folders
//! not read before (within the walk's bounds and the deadline), naming them
//! relative to the scan root, and asking for more frames when the folder stops
//! growing.

use std::path::Path;
use std::time::{Duration, Instant};

use airgap::frames::message_of;
use airgap::scan;

use super::progress as say;
use super::{QrTransport, Shown};

/// Message folders remembered at most; beyond, only unfinished messages' are kept.
const MAX_ORIGINS: usize = 256;

impl QrTransport {
    /// `path` as the user knows it: relative to the `--scan` root that holds it (a
    /// root given as a file: as given).
    pub(super) fn relative(&self, path: &Path) -> String {
        for root in &self.scan {
            if root == path {
                return path.display().to_string();
            }
            if let Ok(rest) = path.strip_prefix(root) {
                return rest.display().to_string();
            }
        }
        path.display().to_string()
    }

    /// The folder of `path` relative to its scan root ("." for the root itself).
    fn folder_of(&self, path: &Path) -> String {
        let parent = path.parent().unwrap_or(Path::new(""));
        for root in &self.scan {
            if let Ok(rest) = parent.strip_prefix(root) {
                let rest = rest.display().to_string();
                return if rest.is_empty() { ".".into() } else { rest };
            }
        }
        parent.display().to_string()
    }

    /// When no new file came for [`say::STALL_SECS`] seconds: each unfinished
    /// message says, once per stall, how many more frames it needs and what the
    /// sender runs.
    pub(super) fn ask_when_stalled(&mut self) {
        if self.grew.elapsed() < Duration::from_secs(say::STALL_SECS) {
            return;
        }
        let again = Duration::from_secs(say::ASK_AGAIN_SECS);
        if self
            .asked
            .is_some_and(|at| at > self.grew && at.elapsed() < again)
        {
            return;
        }
        let statuses = self.statuses();
        let lines: Vec<String> = self.seen(&statuses).iter().map(say::stalled_line).collect();
        if lines.is_empty() {
            return;
        }
        self.clear_progress();
        for l in lines {
            eprintln!("{l}");
        }
        self.asked = Some(Instant::now());
        self.progress = Shown::default();
    }

    /// Reads the files not read before, until `deadline` (checked between files and
    /// during the walk), saying how it goes every few seconds.
    pub(super) fn scan_files(&mut self, expecting: &str, deadline: Instant) {
        let walk = scan::walk::walk(&self.scan, Some(deadline));
        if let Some(cut) = walk.cut.filter(|c| *c != scan::walk::Cut::Deadline) {
            if !self.cut_named {
                self.cut_named = true;
                self.clear_progress();
                eprintln!("mpcegosign: --scan: {cut}");
            }
        }
        for path in walk.files {
            if Instant::now() >= deadline {
                return;
            }
            let meta = std::fs::metadata(&path).ok();
            let key = (
                path.clone(),
                meta.as_ref().map_or(0, |m| m.len()),
                meta.and_then(|m| m.modified().ok()),
            );
            if !self.read.insert(key) {
                continue;
            }
            self.files_read += 1;
            self.grew = Instant::now();
            match scan::scan_file(&path) {
                Ok(texts) if texts.is_empty() => self.name_once(Some(&path), "no QR code found"),
                Ok(texts) => {
                    for t in texts {
                        if let Some(id) = message_of(&t) {
                            if self.origin.len() >= MAX_ORIGINS {
                                // Forged frames of many messages: keep the unfinished.
                                let live: Vec<_> =
                                    self.decoder.statuses().into_iter().map(|s| s.id).collect();
                                self.origin.retain(|id, _| live.contains(id));
                            }
                            if !self.origin.contains_key(&id) {
                                let folder = self.folder_of(&path);
                                self.origin.insert(id, folder);
                            }
                        }
                        self.feed(&t, Some(&path));
                    }
                }
                Err(e) => {
                    let why = format!("not an image ({e})");
                    self.name_once(Some(&path), &why);
                }
            }
            self.show_progress(expecting);
        }
    }
}
