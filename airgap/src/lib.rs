#![forbid(unsafe_code)]
//! Optical transport of byte messages as QR frames.
