//! Round trips through rendered images, degraded as a camera or a phone would, and
//! cross-decoding with independent tools (zbarimg, qrencode).

use std::process::Command;

use airgap::{render, scan, Decoder, Encoder, Progress};
use image::{GrayImage, Luma};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

fn message(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen()).collect()
}

fn rotate(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = degrees.to_radians().sin_cos();
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let (dx, dy) = (x as f32 - w / 2.0, y as f32 - h / 2.0);
        let (sx, sy) = (c * dx + s * dy + w / 2.0, -s * dx + c * dy + h / 2.0);
        if sx >= 0.0 && sy >= 0.0 && sx < w && sy < h {
            *img.get_pixel(sx as u32, sy as u32)
        } else {
            Luma([255])
        }
    })
}

fn noise(img: &GrayImage, amount: i16, seed: u64) -> GrayImage {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        let v = img.get_pixel(x, y)[0] as i16 + rng.gen_range(-amount..=amount);
        Luma([v.clamp(0, 255) as u8])
    })
}

fn jpeg(img: &GrayImage, quality: u8) -> GrayImage {
    let mut buf = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut buf, quality)
        .encode_image(img)
        .unwrap();
    image::load_from_memory(&buf).unwrap().to_luma8()
}

/// Camera-like: darker, lower contrast, in a larger noisy frame.
fn in_scene(img: &GrayImage, seed: u64) -> GrayImage {
    let mut scene = GrayImage::from_pixel(img.width() + 200, img.height() + 120, Luma([90]));
    for (x, y, p) in img.enumerate_pixels() {
        scene.put_pixel(
            x + 120,
            y + 50,
            Luma([40 + (p[0] as u16 * 160 / 255) as u8]),
        );
    }
    noise(&scene, 20, seed)
}

type Degrade = fn(&GrayImage, u64) -> GrayImage;

fn degradations() -> Vec<(&'static str, Degrade)> {
    vec![
        ("clean", |i, _| i.clone()),
        ("downscaled", |i, _| {
            image::imageops::resize(
                i,
                i.width() * 2 / 3,
                i.height() * 2 / 3,
                image::imageops::FilterType::Triangle,
            )
        }),
        ("blurred", |i, _| image::imageops::blur(i, 1.2)),
        ("noisy", |i, s| noise(i, 40, s)),
        ("rotated", |i, _| rotate(i, 4.0)),
        ("jpeg", |i, _| jpeg(i, 35)),
        ("camera-like", |i, s| {
            jpeg(&in_scene(&rotate(i, -3.0), s), 60)
        }),
    ]
}

#[test]
fn degraded_frames_in_any_order_with_loss_and_duplicates_rebuild_the_message() {
    for (k, (name, degrade)) in degradations().into_iter().enumerate() {
        let msg = message(1_500 + k * 100, k as u64);
        let mut enc = Encoder::new(&msg, 250).unwrap();
        let mut frames = enc.frames(enc.pure_parts() * 3 + 6);
        let mut rng = rand::rngs::StdRng::seed_from_u64(100 + k as u64);
        frames.shuffle(&mut rng);
        let mut dec = Decoder::new();
        let mut result = None;
        let mut unreadable = 0;
        for f in &frames {
            if rng.gen_bool(0.3) {
                continue; // 30 % of the frames are lost
            }
            let img = degrade(&render::to_image(f, 4).unwrap(), k as u64);
            let texts = scan::scan_image(&img);
            if texts.is_empty() {
                unreadable += 1;
                continue; // the scanner simply keeps asking for more
            }
            for t in texts.iter().chain(texts.iter()) {
                if let Progress::Complete(m) = dec.receive(t).unwrap() {
                    result = Some(m);
                }
            }
            if result.is_some() {
                break;
            }
        }
        assert!(
            result.as_deref() == Some(&msg[..]),
            "{name}: not rebuilt ({unreadable} frames unreadable)"
        );
    }
}

#[test]
fn our_png_frames_decode_with_zbarimg() {
    let tmp = tempfile_dir();
    let msg = message(900, 42);
    let mut enc = Encoder::new(&msg, 450).unwrap();
    let frames = enc.frames(enc.pure_parts());
    let mut dec = Decoder::new();
    let mut result = None;
    for (i, f) in frames.iter().enumerate() {
        let path = tmp.join(format!("frame-{i}.png"));
        std::fs::write(&path, render::to_png(f, 4).unwrap()).unwrap();
        let out = Command::new("zbarimg")
            .args(["--raw", "-q"])
            .arg(&path)
            .output()
            .expect("zbarimg (zbar-tools)");
        assert!(out.status.success(), "zbarimg could not read frame {i}");
        let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
        assert_eq!(text, *f, "zbarimg read something else");
        if let Progress::Complete(m) = dec.receive(&text).unwrap() {
            result = Some(m);
        }
    }
    assert_eq!(result.as_deref(), Some(&msg[..]));
}

#[test]
fn we_read_qr_images_made_by_qrencode() {
    let tmp = tempfile_dir();
    let msg = message(700, 43);
    let mut enc = Encoder::new(&msg, 300).unwrap();
    let frames = enc.frames(enc.pure_parts() + 1);
    let mut dec = Decoder::new();
    let mut result = None;
    for (i, f) in frames.iter().enumerate() {
        let path = tmp.join(format!("q-{i}.png"));
        let st = Command::new("qrencode")
            .args(["-l", "M", "-s", "4", "-o"])
            .arg(&path)
            .arg(f)
            .status()
            .expect("qrencode");
        assert!(st.success());
        let texts = scan::scan_file(&path).unwrap();
        assert_eq!(texts, vec![f.clone()]);
        if let Progress::Complete(m) = dec.receive(&texts[0]).unwrap() {
            result = Some(m);
        }
    }
    assert_eq!(result.as_deref(), Some(&msg[..]));
    // A folder of images is read in sorted order, non-images skipped.
    std::fs::write(tmp.join("notes.txt"), "x").unwrap();
    let files = scan::image_files(std::slice::from_ref(&tmp));
    assert_eq!(files.len(), frames.len());
}

#[test]
fn terminal_rendering_fits_or_says_why() {
    let mut enc = Encoder::new(&message(400, 1), 450).unwrap();
    let f = enc.next_frame();
    let text = render::to_terminal(&f, 200, 100).unwrap();
    let modules = render::modules(&f).unwrap();
    assert_eq!(text.lines().count(), (modules + 8).div_ceil(2));
    assert!(render::to_terminal(&f, 40, 20).is_err());
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "airgap-test-{}-{}",
        std::process::id(),
        rand::random::<u32>()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}
