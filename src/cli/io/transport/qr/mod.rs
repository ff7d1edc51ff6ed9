//! Messages as animated QR codes: streamed on the terminal and/or written as PNG
//! frames; read from image files and folders (`--scan`) or from a camera. A scan
//! says every few seconds what it has of each unfinished message, and asks for more
//! frames (`mpcegosign qr-more`) when its folder stops growing. Beside it: the scan
//! folders (`folder`), the progress lines as pure text (`progress`) and the frame
//! folders written under `--qr-out` (`frame_folder`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use airgap::frames::{default_file_frames, MessageId};
use airgap::{render, scan, Decoder, Encoder, Progress};
use mpcegosign::transport::{Transport, TransportError};
use sha2::{Digest, Sha256};

use crate::cli::error::CliError;
use crate::cli::io::terminal::input;
use crate::cli::io::transport::args::TransportArgs;
use progress::{self as say, Seen};

mod folder;
pub mod frame_folder;
pub mod progress;

pub const NO_CAMERA_HINT: &str =
    "scan photos or PNG frames with --scan DIR|FILE…, or use --transport text";

pub struct QrTransport {
    out: Option<PathBuf>,
    scan: Vec<PathBuf>,
    #[cfg_attr(not(feature = "camera"), allow(dead_code))]
    camera: u32,
    fps: u32,
    fragment: usize,
    file_frames: Option<usize>,
    timeout: Duration,
    sequence: usize,
    /// Digests of messages we sent or already returned: never returned again.
    known: HashSet<[u8; 32]>,
    /// Image files already read, with their size and time.
    read: HashSet<(PathBuf, u64, Option<SystemTime>)>,
    /// Files already named as unreadable (named once each).
    named: HashSet<PathBuf>,
    /// The newest file without a readable frame, for the progress line.
    unreadable: Option<PathBuf>,
    decoder: Decoder,
    pending: VecDeque<Vec<u8>>,
    progress: Shown,
    /// The folder (relative to the scan root) of each message's first frame read.
    origin: HashMap<MessageId, String>,
    /// Image files read in this scan, when one last appeared, and when the status
    /// line was last printed.
    files_read: usize,
    grew: Instant,
    beat: Instant,
    /// When more frames were last asked for: asked again once the folder grew and
    /// stalled again, or after [`say::ASK_AGAIN_SECS`] more seconds of stall.
    asked: Option<Instant>,
    /// Whether a bound of the folder walk was already named.
    cut_named: bool,
}

/// What the progress line last showed.
#[derive(Default, PartialEq, Eq, Clone)]
struct Shown {
    frames: usize,
    percent: u8,
}

/// Whether bytes can be an mpcegosign message: every format version of its messages
/// starts with the version number, a small integer.
fn looks_like_ours(message: &[u8]) -> bool {
    matches!(message.first(), Some(1..=15))
}

/// Columns and rows of the terminal that shows the code (stderr).
fn terminal_size() -> (usize, usize) {
    terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, h)| (usize::from(w.0), usize::from(h.0)))
        .unwrap_or((80, 24))
}

impl QrTransport {
    pub fn new(args: &TransportArgs) -> Result<Self, CliError> {
        if let Some(dir) = &args.qr_out {
            std::fs::create_dir_all(dir)
                .map_err(|e| crate::cli::error::io_error("create the --qr-out folder", dir, &e))?;
        }
        scan::check_paths(&args.scan).map_err(|e| CliError::new(e.to_string()))?;
        Ok(QrTransport {
            out: args.qr_out.clone(),
            scan: args.scan.clone(),
            camera: args.camera,
            fps: args.fps,
            fragment: args.frame_size as usize,
            file_frames: args.qr_frames.map(|n| n as usize),
            timeout: Duration::from_secs(args.scan_timeout),
            sequence: 0,
            known: HashSet::new(),
            read: HashSet::new(),
            named: HashSet::new(),
            unreadable: None,
            decoder: Decoder::new(),
            pending: VecDeque::new(),
            progress: Shown::default(),
            origin: HashMap::new(),
            files_read: 0,
            grew: Instant::now(),
            beat: Instant::now(),
            asked: None,
            cut_named: false,
        })
    }

    fn write_pngs(&self, dir: &Path, frames: &[String]) -> Result<(), TransportError> {
        frame_folder::append_frames(dir, frames)
            .map(|_| ())
            .map_err(|e| TransportError::Failed(e.to_string()))
    }

    /// Streams fresh frames on the terminal until Enter is pressed: frame numbers
    /// keep rising, so a frame missed once is replaced by new ones.
    fn animate(&self, label: &str, enc: &mut Encoder) -> Result<(), TransportError> {
        let (columns, rows) = terminal_size();
        let single = enc.pure_parts() == 1;
        let done = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&done);
        std::thread::spawn(move || {
            let _ = input::read_line(4096);
            flag.store(true, Ordering::SeqCst);
        });
        let mut err = std::io::stderr().lock();
        let delay = Duration::from_millis(1000 / u64::from(self.fps.max(1)));
        let needed = enc.pure_parts();
        let mut shown = 0usize;
        while !done.load(Ordering::SeqCst) {
            let frame = if single {
                enc.single_part().to_string()
            } else {
                enc.next_streamed()
            };
            shown += 1;
            let text = render::to_terminal(&frame, columns, rows)
                .map_err(|e| TransportError::Failed(e.to_string()))?;
            let status = if single {
                format!("{label}: one frame (shown {shown} times)")
            } else {
                format!("{label}: frame {shown} ({needed} needed)")
            };
            let status: String = status.chars().take(columns.saturating_sub(1)).collect();
            let _ = write!(
                err,
                "\x1b[H\x1b[2J{text}\n{status}\n{}",
                "Enter: the other machine has it"
                    .chars()
                    .take(columns.saturating_sub(1))
                    .collect::<String>()
            );
            let _ = err.flush();
            std::thread::sleep(delay);
        }
        let _ = write!(err, "\x1b[H\x1b[2J");
        Ok(())
    }

    /// Feeds one frame text to the decoder; completed new messages go to `pending`.
    /// A text that is not one of our frames is named once, with its file.
    fn feed(&mut self, frame: &str, from: Option<&Path>) {
        match self.decoder.receive(frame) {
            Ok(Progress::Complete(m)) => {
                if !looks_like_ours(&m) {
                    self.name_once(from, "this QR code is not an mpcegosign message");
                } else if self.known.insert(Sha256::digest(&m).into()) {
                    self.pending.push_back(m);
                }
            }
            Ok(_) => {}
            Err(e) => self.name_once(from, &e.to_string()),
        }
    }

    fn name_once(&mut self, from: Option<&Path>, why: &str) {
        match from {
            Some(path) => {
                if self.named.insert(path.to_path_buf()) {
                    self.clear_progress();
                    eprintln!("mpcegosign: {}: {why}", self.relative(path));
                }
                self.unreadable = Some(path.to_path_buf());
            }
            None => {
                let key = PathBuf::from(format!("\0{why}"));
                if self.named.insert(key) {
                    self.clear_progress();
                    eprintln!("mpcegosign: {why}");
                }
            }
        }
    }

    fn clear_progress(&mut self) {
        if std::io::stderr().is_terminal() {
            eprint!("\r\x1b[K");
        }
    }

    fn statuses(&self) -> Vec<airgap::frames::MessageStatus> {
        self.decoder.statuses()
    }

    fn seen<'a>(&'a self, statuses: &'a [airgap::frames::MessageStatus]) -> Vec<Seen<'a>> {
        statuses
            .iter()
            .map(|status| Seen {
                status,
                folder: self.origin.get(&status.id).map_or(".", String::as_str),
            })
            .collect()
    }

    /// One live progress line on a terminal, refreshed as frames come; elsewhere a
    /// line at each quarter. Both also every [`say::HEARTBEAT_SECS`] seconds, so a
    /// scan is never silent.
    fn show_progress(&mut self, expecting: &str) {
        let statuses = self.statuses();
        let beat = self.beat.elapsed() >= Duration::from_secs(say::HEARTBEAT_SECS);
        let now = match self.decoder.status() {
            Some((frames, percent)) => Shown { frames, percent },
            None => Shown::default(),
        };
        if now == self.progress && !beat {
            return;
        }
        let unreadable = self
            .unreadable
            .as_ref()
            .map(|p| format!("; unreadable: {}", self.relative(p)))
            .unwrap_or_default();
        let roots: Vec<String> = self.scan.iter().map(|p| p.display().to_string()).collect();
        let seen = self.seen(&statuses);
        let line = if self.scan.is_empty() {
            match seen.is_empty() {
                true => format!("{expecting}: no frame of this ceremony yet from the camera"),
                false => say::summary(expecting, &seen, 0, ""),
            }
        } else {
            say::summary(expecting, &seen, self.files_read, &roots.join(", "))
        } + &unreadable;
        if std::io::stderr().is_terminal() {
            let (columns, _) = terminal_size();
            // Too wide: the label first goes (the scan's first line named it).
            let short = match line.split_once(": ") {
                Some((_, rest)) if line.chars().count() >= columns => rest,
                _ => line.as_str(),
            };
            let line: String = short.chars().take(columns.saturating_sub(1)).collect();
            eprint!("\r\x1b[K{line}");
        } else if beat
            || (now.frames > 0
                && (now.percent / 25 != self.progress.percent / 25 || self.progress.frames == 0))
        {
            eprintln!("{line}");
        }
        if beat {
            self.beat = Instant::now();
        }
        self.progress = now;
    }

    /// The timeout's message: what was missing, per message.
    fn timed_out(&self, expecting: &str) -> TransportError {
        let secs = self.timeout.as_secs();
        let statuses = self.statuses();
        let seen = self.seen(&statuses);
        TransportError::Failed(match seen.first() {
            None => format!(
                "no frames at all in {secs} s while waiting for {expecting}: check that the other machine shows its QR code{}",
                if self.scan.is_empty() { " to the camera" } else { " and the --scan paths" }
            ),
            Some(s) => format!(
                "nothing more in {secs} s while waiting for {expecting}; {} unfinished, the most advanced {}: show more frames, or on the sending machine run mpcegosign qr-more with --frames {}",
                say::plural(seen.len(), "message"),
                say::message_line(s),
                say::frames_to_ask(s.status.missing())
            ),
        })
    }
}

impl Transport for QrTransport {
    fn send(&mut self, label: &str, message: &[u8]) -> Result<(), TransportError> {
        self.known.insert(Sha256::digest(message).into());
        let terminal = std::io::stderr().is_terminal() && std::io::stdin().is_terminal();
        if self.out.is_none() && !terminal {
            return Err(TransportError::Failed(
                "no terminal to show the QR code on; pass --qr-out DIR to write the frames as PNG files".into(),
            ));
        }
        let fail = |e: airgap::Error| TransportError::Failed(e.to_string());
        // Frames fit the terminal: the fragment shrinks until they do.
        let (columns, rows) = terminal_size();
        let fits = if terminal {
            render::fragment_for_terminal(message.len(), self.fragment, columns, rows)
        } else {
            Ok(self.fragment)
        };
        let fragment = match (&fits, &self.out) {
            (Ok(f), _) => *f,
            (Err(e), None) => return Err(TransportError::Failed(e.to_string())),
            (Err(_), Some(_)) => self.fragment,
        };
        self.sequence += 1;
        if let Some(out) = &self.out {
            let mut enc = Encoder::new(message, self.fragment).map_err(fail)?;
            let pure = enc.pure_parts();
            let count = self
                .file_frames
                .unwrap_or_else(|| default_file_frames(pure));
            if count < pure {
                return Err(TransportError::Failed(format!(
                    "--qr-frames {count} is fewer than the {pure} frames the {label} message needs; pass at least {pure}, or a larger --frame-size"
                )));
            }
            let frames = enc.file_frames(count);
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
            if let Err(e) = &fits {
                eprintln!("mpcegosign: {e}");
                return Ok(());
            }
            let mut enc = Encoder::new(message, fragment).map_err(fail)?;
            self.animate(label, &mut enc)?;
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
        self.progress = Shown::default();
        let deadline = Instant::now() + self.timeout;
        self.beat = Instant::now();
        self.grew = Instant::now();
        self.asked = None;
        loop {
            self.scan_files(expecting, deadline);
            self.show_progress(expecting);
            self.ask_when_stalled();
            if let Some(m) = self.pending.pop_front() {
                self.clear_progress();
                if std::io::stderr().is_terminal() {
                    eprintln!();
                }
                return Ok(m);
            }
            if Instant::now() >= deadline {
                return Err(self.timed_out(expecting));
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

/// The camera loop grabs frames as fast as the camera gives them; a worker thread
/// decodes the newest one, so slow frames never stall the camera.
#[cfg(feature = "camera")]
fn camera_receive(t: &mut QrTransport, expecting: &str) -> Result<Vec<u8>, TransportError> {
    let mut cam = airgap::camera::Camera::open(t.camera)
        .map_err(|e| TransportError::Failed(format!("{e}; {NO_CAMERA_HINT}")))?;
    eprintln!("Show {expecting} to camera {} …", t.camera);
    t.progress = Shown::default();
    let worker = scan::Worker::start(scan::scan_image);
    let deadline = Instant::now() + t.timeout;
    while Instant::now() < deadline {
        let frame = cam
            .grab()
            .map_err(|e| TransportError::Failed(e.to_string()))?;
        worker.submit(frame);
        for texts in worker.results() {
            for text in texts {
                t.feed(&text, None);
            }
        }
        t.show_progress(expecting);
        if let Some(m) = t.pending.pop_front() {
            t.clear_progress();
            eprintln!();
            return Ok(m);
        }
    }
    Err(t.timed_out(expecting))
}

#[cfg(feature = "camera")]
pub fn cameras() -> Result<Vec<(u32, String)>, CliError> {
    airgap::camera::list().map_err(|e| CliError::new(e.to_string()).hint(NO_CAMERA_HINT))
}
