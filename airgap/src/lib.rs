#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
//! Optical transport of byte messages as animated QR codes.
//!
//! A message travels as a standard Blockchain Commons UR of type `bytes`
//! ([BCR-2020-005], payload a CBOR byte string as [BCR-2020-006] asks): one
//! single-part UR when it is short, else an endless stream of fountain-coded
//! multipart frames (`ur:bytes/SEQ-COUNT/…`), so that any sufficient set of frames,
//! in any order, with losses and duplicates, rebuilds it. Every frame carries a
//! CRC-32, and the whole message carries a checksum. This crate knows nothing of
//! what the bytes mean.
//!
//! - [`format`]: UR texts and CBOR byte strings.
//! - [`fountain`]: the complete (GF(2)) fountain solver.
//! - [`frames`]: encoder and decoder of frame texts.
//! - [`more`]: more frames of a message already written (recovering lost frames).
//! - [`render`]: a frame as a QR image (PNG) or as terminal text.
//! - [`decode`]: QR codes found in images, by several decoders and a chooser.
//! - [`scan`]: image files (upright, bounded) and folders (a bounded walk), a
//!   worker thread for camera frames.
//! - `camera` (feature `camera`): frames from a webcam.
//!
//! [BCR-2020-005]: https://github.com/BlockchainCommons/Research/blob/master/papers/bcr-2020-005-ur.md
//! [BCR-2020-006]: https://github.com/BlockchainCommons/Research/blob/master/papers/bcr-2020-006-urtypes.md

#[cfg(feature = "camera")]
pub mod camera;
pub mod decode;
pub mod format;
pub mod fountain;
pub mod frames;
pub mod more;
pub mod render;
pub mod scan;
mod spares;

pub use frames::{Decoder, Encoder, Progress};
/// The image crate this one uses, for callers that build or degrade pictures.
pub use image;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the message is empty")]
    EmptyMessage,
    #[error("the message is longer than {max} bytes")]
    TooLong { max: usize },
    #[error("the frame size must be at least {min} bytes")]
    FrameSize { min: usize },
    #[error("this QR code is not a UR frame (it does not start with ur:bytes/): it is not an mpcegosign message")]
    NotUr,
    #[error("this QR code is a UR of type {0}, not bytes: it is not an mpcegosign message")]
    OtherType(String),
    #[error("this QR code holds UR bytes that are not a CBOR byte string: it is not an mpcegosign message")]
    NotCborBytes,
    #[error("this QR code is a damaged UR frame ({0})")]
    Damaged(String),
    #[error("the frames do not rebuild the message (checksum mismatch)")]
    Checksum,
    #[error("cannot make a QR code of this frame: {0}")]
    Qr(String),
    #[error("a QR frame needs a terminal of {columns}x{rows} characters (this one is {have_columns}x{have_rows}): enlarge the terminal or use --qr-out DIR and show the PNG frames")]
    TooLarge {
        columns: usize,
        rows: usize,
        have_columns: usize,
        have_rows: usize,
    },
    #[error("{path} does not exist: check the --scan path")]
    Missing { path: String },
    #[error("cannot read image {path}: {reason}")]
    Image { path: String, reason: String },
    #[error("cannot encode the image: {0}")]
    Png(String),
    #[error("cannot make more frames from the saved frames: {0}")]
    Saved(String),
    #[error("camera: {0}")]
    Camera(String),
}
