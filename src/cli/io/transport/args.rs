//! Transport options shared by every ceremony command (`--transport`, `--qr-out`,
//! `--scan`, …).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TransportKind {
    /// One line of text per message, pasted through a group chat.
    #[default]
    Text,
    /// Animated QR codes shown on screen and scanned by a camera or from images.
    Qr,
}

#[derive(Args, Debug, Clone)]
pub struct TransportArgs {
    /// How messages travel: pasted text, or animated QR codes.
    #[arg(long, value_enum, default_value_t = TransportKind::Text)]
    pub transport: TransportKind,
    /// With --transport qr: also write each outgoing message's frames as PNG files in a
    /// new folder under DIR (for another screen, a printer, or a file exchange).
    #[arg(long, value_name = "DIR")]
    pub qr_out: Option<PathBuf>,
    /// With --qr-out: how many PNG frames to write per message (default: the K frames
    /// needed plus max(4, K/2) spares, one more for 11-24 fragments, so that any fifth
    /// of them may be lost).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub qr_frames: Option<u64>,
    /// With --transport qr: read incoming frames from these image files or folders
    /// (watched for new files; phone photos upright by their EXIF orientation;
    /// symlinks followed once, at most 8 folders deep) instead of the camera.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub scan: Vec<PathBuf>,
    /// With --transport qr: the camera to scan with (see `mpcegosign cameras`).
    #[arg(long, value_name = "INDEX", default_value_t = 0)]
    pub camera: u32,
    /// Frames per second of the animated QR code on the terminal.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=30))]
    pub fps: u32,
    /// Largest piece of a message per QR frame, in bytes (smaller: easier to scan, more
    /// frames). On a terminal it shrinks further until every frame fits.
    #[arg(long, value_name = "BYTES", default_value_t = airgap::frames::DEFAULT_FRAGMENT as u64,
          value_parser = clap::value_parser!(u64).range(50..=1500))]
    pub frame_size: u64,
    /// How long to wait for a new message while scanning, in seconds (it bounds the
    /// folder walk and the decoding too).
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub scan_timeout: u64,
}
