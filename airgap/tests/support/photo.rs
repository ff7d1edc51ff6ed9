//! Photographed frame files: what a phone makes of a `--qr-out` PNG shown on a screen
//! and sent on as a JPEG (small, soft, noisy, slightly turned, compressed), for the
//! codes a ceremony really shows: version 11–20 multipart frames and the small
//! single-part INIT/JOIN codes. Generated from a seed (no image files); shared by
//! `tests/degradation.rs` and the bench.
#![allow(dead_code)]

use airgap::image::{imageops, GrayImage};
use airgap::{render, Encoder};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::degrade::{jpeg, noise, tilt};

/// Multipart frames whose codes are of version 11 to 20: parts of a message at
/// fragment sizes from 150 to 454 bytes (the default frame size), as FINALIZE files.
pub fn mid_frames(n: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let message: Vec<u8> = (0..6_000).map(|_| rng.gen()).collect();
    (0..n)
        .map(|i| {
            let fragment = 150 + (i * 97) % 305;
            let mut enc = Encoder::new(&message, fragment).unwrap_or_else(|e| panic!("{e}"));
            enc.frames(1 + i % 3).pop().unwrap_or_default()
        })
        .collect()
}

/// Single-part codes of 60 to 220 bytes, as INIT and JOIN messages (versions 6–12).
pub fn small_frames(n: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let len = 60 + (i * 53) % 161;
            let message: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let enc = Encoder::new(&message, 454).unwrap_or_else(|e| panic!("{e}"));
            enc.single_part().to_string()
        })
        .collect()
}

/// QR version of a frame's code.
pub fn version(frame: &str) -> usize {
    (render::modules(frame).unwrap_or(21) - 17) / 4
}

/// How hard the photograph is.
#[derive(Clone, Copy)]
pub struct Harshness {
    /// Pixels per module, range.
    pub pitch: (f32, f32),
    /// Gaussian blur (lens and focus), sigma in pixels, range.
    pub blur: (f32, f32),
    /// Sensor noise, ± grey levels.
    pub noise: i16,
    /// JPEG quality.
    pub quality: u8,
}

pub const MILD: Harshness = Harshness {
    pitch: (2.6, 3.0),
    blur: (0.5, 0.6),
    noise: 6,
    quality: 60,
};
pub const HARDER: Harshness = Harshness {
    pitch: (2.2, 2.5),
    blur: (0.5, 0.7),
    noise: 8,
    quality: 60,
};
pub const HARDEST: Harshness = Harshness {
    pitch: (2.0, 2.2),
    blur: (0.6, 0.7),
    noise: 10,
    quality: 60,
};
/// Beyond what the issue asks (under 2 px per module), to show where reading ends.
pub const BEYOND: Harshness = Harshness {
    pitch: (1.7, 1.9),
    blur: (0.5, 0.6),
    noise: 10,
    quality: 60,
};

/// One photographed frame: the code seen by a camera at a fractional pitch (drawn
/// sharp at 8 px per module, turned 1–4 degrees about its vertical axis, then
/// averaged down, as a sensor does), blurred, contrast squeezed (a screen's black
/// is grey), noisy, JPEG'd.
pub fn photograph(frame: &str, h: Harshness, rng: &mut StdRng) -> GrayImage {
    let pitch = rng.gen_range(h.pitch.0..=h.pitch.1);
    let sigma = rng.gen_range(h.blur.0..=h.blur.1);
    let degrees = rng.gen_range(1.0f32..4.0) * if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
    let sharp = tilt(
        &render::to_image(frame, 8).unwrap_or_else(|e| panic!("{e}")),
        degrees,
    );
    let side = |v: u32| ((v as f32 * pitch / 8.0).round() as u32).max(1);
    let mut img = imageops::resize(
        &sharp,
        side(sharp.width()),
        side(sharp.height()),
        imageops::FilterType::Triangle,
    );
    img = imageops::blur(&img, sigma);
    for p in img.pixels_mut() {
        p[0] = (40 + u32::from(p[0]) * 180 / 255) as u8;
    }
    jpeg(&noise(&img, h.noise, rng), h.quality)
}

/// A level of the photo set: its name, its frames, its harshness.
pub struct PhotoLevel {
    pub name: &'static str,
    pub frames: Vec<String>,
    pub harshness: Harshness,
}

impl PhotoLevel {
    /// The picture of frame `i`, always the same for the same level.
    pub fn picture(&self, i: usize) -> GrayImage {
        let mut rng = StdRng::seed_from_u64(0xf070_0000 + i as u64 * 7919 + self.name.len() as u64);
        photograph(&self.frames[i], self.harshness, &mut rng)
    }
}

/// The photo levels, `n` frames each.
pub fn levels(n: usize) -> Vec<PhotoLevel> {
    let mid = mid_frames(n, 20);
    let small = small_frames(n, 21);
    let level = |name, frames: &Vec<String>, harshness| PhotoLevel {
        name,
        frames: frames.clone(),
        harshness,
    };
    vec![
        level("photo v11-20, mild", &mid, MILD),
        level("photo v11-20, harder", &mid, HARDER),
        level("photo v11-20, hardest", &mid, HARDEST),
        level("photo v11-20, under 2 px/module", &mid, BEYOND),
        level("photo INIT/JOIN, harder", &small, HARDER),
        level("photo INIT/JOIN, hardest", &small, HARDEST),
        level("photo INIT/JOIN, under 2 px/module", &small, BEYOND),
    ]
}
