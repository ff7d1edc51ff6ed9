//! Messages as animated QR codes: shown on the terminal and/or written as PNG frames;
//! read from image files and folders (`--scan`) or from a camera.

use std::collections::{HashSet, VecDeque};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use airgap::{render, scan, Decoder, Encoder, Progress};
use mpcegosign::transport::{Transport, TransportError};
use sha2::{Digest, Sha256};

use super::transport_args::TransportArgs;
use super::CliError;

pub const NO_CAMERA_HINT: &str =
    "scan photos or PNG frames with --scan DIR|FILE…, or use --transport text";

pub struct QrTransport {
    out: Option<PathBuf>,
    scan: Vec<PathBuf>,
    #[cfg_attr(not(feature = "camera"), allow(dead_code))]
    camera: u32,
    fps: u32,
    fragment: usize,
    timeout: Duration,
    sequence: usize,
    /// Digests of messages we sent or already returned: never returned again.
    known: HashSet<[u8; 32]>,
    /// Image files already read, with their size and time.
    read: HashSet<(PathBuf, u64, Option<SystemTime>)>,
    decoders: Vec<Decoder>,
    pending: VecDeque<Vec<u8>>,
}

impl QrTransport {
    pub fn new(args: &TransportArgs) -> Result<Self, CliError> {
        if let Some(dir) = &args.qr_out {
            std::fs::create_dir_all(dir)
                .map_err(|e| super::error::io_error("create the --qr-out folder", dir, &e))?;
        }
        Ok(QrTransport {
            out: args.qr_out.clone(),
            scan: args.scan.clone(),
            camera: args.camera,
            fps: args.fps,
            fragment: args.frame_size as usize,
            timeout: Duration::from_secs(args.scan_timeout),
            sequence: 0,
            known: HashSet::new(),
            read: HashSet::new(),
            decoders: Vec::new(),
            pending: VecDeque::new(),
        })
    }

    fn write_pngs(&self, dir: &Path, frames: &[String]) -> Result<(), TransportError> {
        let fail = |e: &dyn std::fmt::Display| {
            TransportError::Failed(format!("cannot write QR frames in {}: {e}", dir.display()))
        };
        std::fs::create_dir_all(dir).map_err(|e| fail(&e))?;
        for (i, f) in frames.iter().enumerate() {
            let png = render::to_png(f, 4).map_err(|e| fail(&e))?;
            let path = dir.join(format!("frame-{:04}.png", i + 1));
            // Written under another name, then renamed: a scanner never sees half a file.
            let tmp = dir.join(format!(".frame-{:04}.part", i + 1));
            std::fs::write(&tmp, png).map_err(|e| fail(&e))?;
            std::fs::rename(&tmp, &path).map_err(|e| fail(&e))?;
        }
        Ok(())
    }

    /// Shows the frames on the terminal, in a loop, until Enter is pressed.
    fn animate(&self, label: &str, frames: &[String]) -> Result<(), TransportError> {
        let (columns, rows) = terminal_size::terminal_size()
            .map(|(w, h)| (usize::from(w.0), usize::from(h.0)))
            .unwrap_or((80, 24));
        let texts: Vec<String> = frames
            .iter()
            .map(|f| render::to_terminal(f, columns, rows.saturating_sub(2)))
            .collect::<Result<_, _>>()
            .map_err(|e| TransportError::Failed(e.to_string()))?;
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            flag.store(true, Ordering::SeqCst);
        });
        let mut err = std::io::stderr().lock();
        let delay = Duration::from_millis(1000 / u64::from(self.fps.max(1)));
        let mut i = 0;
        while !done.load(Ordering::SeqCst) {
            let _ = write!(
                err,
                "\x1b[2J\x1b[H{}\n{label}: frame {}/{} — press Enter when the other machine has it\n",
                texts[i % texts.len()],
                i % texts.len() + 1,
                texts.len()
            );
            let _ = err.flush();
            std::thread::sleep(delay);
            i += 1;
        }
        let _ = write!(err, "\x1b[2J\x1b[H");
        Ok(())
    }

    /// Feeds one frame text to the decoders; completed new messages go to `pending`.
    fn feed(&mut self, frame: &str) {
        for i in 0..self.decoders.len() {
            match self.decoders[i].receive(frame) {
                Ok(Progress::OtherMessage) => continue,
                Ok(Progress::Complete(m)) => {
                    self.decoders.remove(i);
                    self.complete(m);
                    return;
                }
                Ok(_) => return,
                Err(_) => return, // a damaged frame or not a frame: ignored
            }
        }
        let mut d = Decoder::new();
        match d.receive(frame) {
            Ok(Progress::Complete(m)) => self.complete(m),
            Ok(_) => self.decoders.push(d),
            Err(_) => {}
        }
    }

    fn complete(&mut self, message: Vec<u8>) {
        if self.known.insert(Sha256::digest(&message).into()) {
            self.pending.push_back(message);
        }
    }

    fn scan_files(&mut self) {
        for path in scan::image_files(&self.scan) {
            let meta = std::fs::metadata(&path).ok();
            let key = (
                path.clone(),
                meta.as_ref().map_or(0, |m| m.len()),
                meta.and_then(|m| m.modified().ok()),
            );
            if self.read.contains(&key) {
                continue;
            }
            self.read.insert(key);
            if let Ok(frames) = scan::scan_file(&path) {
                for f in frames {
                    self.feed(&f);
                }
            }
        }
    }

    fn frames_seen(&self) -> usize {
        self.decoders.iter().map(Decoder::frames_seen).sum()
    }
}

impl Transport for QrTransport {
    fn send(&mut self, label: &str, message: &[u8]) -> Result<(), TransportError> {
        self.known.insert(Sha256::digest(message).into());
        let mut enc = Encoder::new(message, self.fragment)
            .map_err(|e| TransportError::Failed(e.to_string()))?;
        let pure = enc.pure_parts();
        // Extra fountain frames let a scanner finish despite lost or unreadable ones.
        let count = if pure == 1 {
            2
        } else {
            (pure * 3).div_ceil(2).max(pure + 2)
        };
        let frames = enc.frames(count);
        self.sequence += 1;
        let terminal = std::io::stderr().is_terminal() && std::io::stdin().is_terminal();
        if self.out.is_none() && !terminal {
            return Err(TransportError::Failed(
                "no terminal to show the QR code on; pass --qr-out DIR to write the frames as PNG files".into(),
            ));
        }
        if let Some(out) = &self.out {
            let slug: String = label
                .to_ascii_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            let dir = out.join(format!(
                "{}-{:03}-{slug}",
                std::process::id(),
                self.sequence
            ));
            self.write_pngs(&dir, &frames)?;
            eprintln!(
                "Wrote the {label} message as {} QR frames ({pure} needed) in {}",
                frames.len(),
                dir.display()
            );
        }
        if terminal {
            self.animate(label, &frames)?;
        }
        Ok(())
    }

    fn receive(&mut self, expecting: &str) -> Result<Vec<u8>, TransportError> {
        if let Some(m) = self.pending.pop_front() {
            return Ok(m);
        }
        if self.scan.is_empty() {
            return camera_receive(self, expecting);
        }
        let list: Vec<String> = self.scan.iter().map(|p| p.display().to_string()).collect();
        eprintln!("Scanning {} for {expecting}…", list.join(", "));
        let deadline = Instant::now() + self.timeout;
        loop {
            self.scan_files();
            if let Some(m) = self.pending.pop_front() {
                return Ok(m);
            }
            if Instant::now() >= deadline {
                return Err(TransportError::Failed(format!(
                    "no new message arrived in {} s while waiting for {expecting} ({} frames of unfinished messages seen); check the --scan paths",
                    self.timeout.as_secs(),
                    self.frames_seen()
                )));
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

#[cfg(not(feature = "camera"))]
fn camera_receive(_: &mut QrTransport, _expecting: &str) -> Result<Vec<u8>, TransportError> {
    Err(TransportError::Failed(format!(
        "this build of mpcegosign has no camera support; {NO_CAMERA_HINT}"
    )))
}

#[cfg(not(feature = "camera"))]
pub fn cameras() -> Result<Vec<(u32, String)>, CliError> {
    Err(CliError::new("this build of mpcegosign has no camera support").hint(NO_CAMERA_HINT))
}

#[cfg(feature = "camera")]
fn camera_receive(t: &mut QrTransport, expecting: &str) -> Result<Vec<u8>, TransportError> {
    let mut cam = airgap::camera::Camera::open(t.camera)
        .map_err(|e| TransportError::Failed(format!("{e}; {NO_CAMERA_HINT}")))?;
    eprintln!("Show {expecting} to camera {} …", t.camera);
    let deadline = Instant::now() + t.timeout;
    while Instant::now() < deadline {
        let frame = cam
            .grab()
            .map_err(|e| TransportError::Failed(e.to_string()))?;
        for text in scan::scan_image(&frame) {
            t.feed(&text);
        }
        let percent = t.decoders.iter().map(Decoder::percent).max().unwrap_or(0);
        eprint!(
            "\r{} frames seen, {percent}% of the message   ",
            t.frames_seen()
        );
        if let Some(m) = t.pending.pop_front() {
            eprintln!();
            return Ok(m);
        }
    }
    Err(TransportError::Failed(format!(
        "no complete message within {} s",
        t.timeout.as_secs()
    )))
}

#[cfg(feature = "camera")]
pub fn cameras() -> Result<Vec<(u32, String)>, CliError> {
    airgap::camera::list().map_err(|e| CliError::new(e.to_string()).hint(NO_CAMERA_HINT))
}
