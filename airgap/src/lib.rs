#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
//! Optical transport of byte messages as animated QR codes.
//!
//! A message is split into fountain-coded frames in the Blockchain Commons UR
//! multipart format (`ur:bytes/SEQ-COUNT/…`, [BCR-2020-005]), so that any sufficient
//! set of frames, in any order, with losses and duplicates, rebuilds it. Every frame
//! carries a CRC-32, and the whole message carries a checksum. This crate knows
//! nothing of what the bytes mean.
//!
//! - [`frames`]: encoder and decoder of frame texts.
//! - [`render`]: a frame as a QR image (PNG) or as terminal text.
//! - [`scan`]: frame texts found in images and folders of images.
//! - `camera` (feature `camera`): frames from a webcam.
//!
//! [BCR-2020-005]: https://github.com/BlockchainCommons/Research/blob/master/papers/bcr-2020-005-ur.md

#[cfg(feature = "camera")]
pub mod camera;
pub mod frames;
pub mod render;
pub mod scan;

pub use frames::{Decoder, Encoder, Progress};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the frame size must be at least {min} bytes")]
    FrameSize { min: usize },
    #[error("not a frame of a multipart message ({0})")]
    NotAFrame(String),
    #[error("the frames do not rebuild the message (checksum mismatch)")]
    Checksum,
    #[error("cannot make a QR code of this frame: {0}")]
    Qr(String),
    #[error("the QR code has {modules} modules; it does not fit a terminal of {columns}x{rows} characters: enlarge the terminal, lower --frame-size, or use --qr-out")]
    TooLarge {
        modules: usize,
        columns: usize,
        rows: usize,
    },
    #[error("cannot read image {path}: {reason}")]
    Image { path: String, reason: String },
    #[error("cannot encode the image: {0}")]
    Png(String),
    #[error("camera: {0}")]
    Camera(String),
}
