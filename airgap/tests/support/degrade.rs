//! The degradation suite: what a webcam or a phone makes of a QR frame, generated
//! from a seed (no image files). Shared by `tests/degradation.rs` and the bench.
#![allow(dead_code)]

use airgap::image::{self, GrayImage, Luma};
use airgap::{render, Encoder};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Frames per level (the issue asks for at least 25 of version ≥ 16).
pub const FRAMES: usize = 29;

/// Frame texts whose QR codes are of version 16 or more: parts of a 20 KB message
/// at a 300-byte fragment (as a KEYGEN-FINALIZE).
pub fn big_frames(n: usize, seed: u64) -> Vec<String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let message: Vec<u8> = (0..20_000).map(|_| rng.gen()).collect();
    let mut enc = Encoder::new(&message, 300).unwrap_or_else(|e| panic!("{e}"));
    enc.frames(n)
}

/// The code at `pitch` pixels per module (fractional pitches by bilinear resampling
/// of a 1 px/module rendering), quiet zone included.
pub fn at_pitch(frame: &str, pitch: f32) -> GrayImage {
    let small = render::to_image(frame, 1).unwrap_or_else(|e| panic!("{e}"));
    let side = (small.width() as f32 * pitch).round() as u32;
    GrayImage::from_fn(side, side, |x, y| {
        // Area-true sampling: which module the pixel centre falls in, with a soft
        // edge of one pixel as a lens would give.
        let (fx, fy) = ((x as f32 + 0.5) / pitch, (y as f32 + 0.5) / pitch);
        Luma([bilinear(&small, fx - 0.5, fy - 0.5)])
    })
}

fn bilinear(img: &GrayImage, x: f32, y: f32) -> u8 {
    let (w, h) = (img.width() as i64, img.height() as i64);
    let (x0, y0) = (x.floor(), y.floor());
    let (dx, dy) = (x - x0, y - y0);
    let px = |xi: i64, yi: i64| -> f32 {
        if xi < 0 || yi < 0 || xi >= w || yi >= h {
            255.0
        } else {
            f32::from(img.get_pixel(xi as u32, yi as u32)[0])
        }
    };
    let (xi, yi) = (x0 as i64, y0 as i64);
    let top = px(xi, yi) * (1.0 - dx) + px(xi + 1, yi) * dx;
    let bottom = px(xi, yi + 1) * (1.0 - dx) + px(xi + 1, yi + 1) * dx;
    (top * (1.0 - dy) + bottom * dy).round().clamp(0.0, 255.0) as u8
}

/// Perspective: the screen turned by `degrees` about its vertical axis, seen by a
/// pinhole camera, in a white frame of the same size.
pub fn tilt(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = degrees.to_radians().sin_cos();
    let d = 2.5 * w; // camera distance
    let f = d; // focal length: no scaling at the centre
    let (ow, oh) = ((w * 1.15) as u32, (h * 1.15) as u32);
    GrayImage::from_fn(ow, oh, |x, y| {
        let (xp, yp) = (x as f32 - ow as f32 / 2.0, y as f32 - oh as f32 / 2.0);
        let denom = f * c - xp * s;
        if denom <= 0.0 {
            return Luma([255]);
        }
        let bx = xp * d / denom;
        let by = yp * (d + bx * s) / f;
        Luma([bilinear(img, bx + w / 2.0 - 0.5, by + h / 2.0 - 0.5)])
    })
}

/// Horizontal motion blur over `len` pixels.
pub fn motion_blur(img: &GrayImage, len: u32) -> GrayImage {
    let half = len as i64 / 2;
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let mut sum = 0u32;
        for k in 0..len as i64 {
            let xi = (x as i64 + k - half).clamp(0, img.width() as i64 - 1) as u32;
            sum += u32::from(img.get_pixel(xi, y)[0]);
        }
        Luma([(sum / len) as u8])
    })
}

pub fn noise(img: &GrayImage, amount: i16, rng: &mut StdRng) -> GrayImage {
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let v = i16::from(img.get_pixel(x, y)[0]) + rng.gen_range(-amount..=amount);
        Luma([v.clamp(0, 255) as u8])
    })
}

pub fn jpeg(img: &GrayImage, quality: u8) -> GrayImage {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(img)
        .unwrap_or_else(|e| panic!("{e}"));
    image::load_from_memory(&buf)
        .unwrap_or_else(|e| panic!("{e}"))
        .to_luma8()
}

/// A photographed LCD: each pixel magnified ×3 into a subpixel grid with dark gaps,
/// contrast squeezed, gamma, light falling off towards the corners, then downscaled
/// by a non-integer factor, with sensor noise.
pub fn photographed_screen(img: &GrayImage, rng: &mut StdRng) -> GrayImage {
    let stripes = [0.72f32, 1.0, 0.84];
    let (w, h) = (img.width() * 3, img.height() * 3);
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let r2 = cx * cx + cy * cy;
    let big = GrayImage::from_fn(w, h, |x, y| {
        let v = f32::from(img.get_pixel(x / 3, y / 3)[0]) / 255.0;
        let mut v = v * stripes[(x % 3) as usize];
        if y % 3 == 2 {
            v *= 0.8; // the dark line between pixel rows
        }
        let v = 0.16 + v * 0.62; // contrast squeeze: black glows, white is grey
        let v = v.powf(1.0 / 1.8); // camera gamma
        let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)) / r2;
        let v = v * (1.0 - 0.35 * d); // light falloff
        Luma([(v * 255.0).clamp(0.0, 255.0) as u8])
    });
    let factor = rng.gen_range(2.3f32..2.9);
    let small = image::imageops::resize(
        &big,
        (w as f32 / factor) as u32,
        (h as f32 / factor) as u32,
        image::imageops::FilterType::Triangle,
    );
    noise(&small, 8, rng)
}

/// A 1280x720 camera picture: the code somewhere on a cluttered desk (random grey
/// boxes and lines), with lower contrast and noise.
pub fn scene(code: &GrayImage, rng: &mut StdRng) -> GrayImage {
    let (w, h) = (1280u32, 720u32);
    let mut s = GrayImage::from_pixel(w, h, Luma([rng.gen_range(70..130)]));
    for _ in 0..40 {
        let (bw, bh) = (rng.gen_range(10..300), rng.gen_range(2..200));
        let (bx, by) = (rng.gen_range(0..w - bw), rng.gen_range(0..h - bh));
        let v = rng.gen_range(0..255u8);
        for y in by..by + bh {
            for x in bx..bx + bw {
                s.put_pixel(x, y, Luma([v]));
            }
        }
    }
    let (cw, ch) = (code.width().min(w), code.height().min(h));
    let (ox, oy) = (rng.gen_range(0..=w - cw), rng.gen_range(0..=h - ch));
    for y in 0..ch {
        for x in 0..cw {
            let v = u32::from(code.get_pixel(x, y)[0]);
            s.put_pixel(ox + x, oy + y, Luma([(35 + v * 170 / 255) as u8]));
        }
    }
    noise(&s, 12, rng)
}

pub type Level = (&'static str, fn(&str, &mut StdRng) -> GrayImage);

/// The levels of the suite, each a way of turning a frame text into a picture.
pub fn levels() -> Vec<Level> {
    vec![
        ("photographed screen", |f, r| {
            photographed_screen(&at_pitch(f, 4.0), r)
        }),
        ("2.5 px per module", |f, _| at_pitch(f, 2.5)),
        ("3.5 px per module", |f, _| at_pitch(f, 3.5)),
        ("1280x720 scene, 3 px/module", |f, r| {
            scene(&at_pitch(f, 3.0), r)
        }),
        ("motion blur 5-9 px at 4 px/module", |f, r| {
            let len = r.gen_range(5..=9);
            motion_blur(&at_pitch(f, 4.0), len)
        }),
        ("tilt 10-25 degrees", |f, r| {
            let deg = r.gen_range(10.0..25.0) * if r.gen_bool(0.5) { 1.0 } else { -1.0 };
            tilt(&at_pitch(f, 4.0), deg)
        }),
        ("noise and JPEG", |f, r| {
            let q = r.gen_range(30..60);
            jpeg(&noise(&at_pitch(f, 3.0), 30, r), q)
        }),
        ("combined camera-like", |f, r| {
            let deg = r.gen_range(8.0..15.0);
            let img = tilt(&photographed_screen(&at_pitch(f, 4.0), r), deg);
            let img = motion_blur(&img, 3);
            jpeg(&scene(&img, r), 70)
        }),
    ]
}

/// The picture of frame `i` at a level, always the same for the same seed.
pub fn picture(level: &Level, frame: &str, i: usize) -> GrayImage {
    let mut rng = StdRng::seed_from_u64(0x5eed_0000 + i as u64 * 7919 + level.0.len() as u64);
    (level.1)(frame, &mut rng)
}
