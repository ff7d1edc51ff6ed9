//! `cargo bench -p airgap`: time to decode one 1280x720 camera-like frame, time to
//! encode and render one frame, and frame counts for this project's message sizes.

use std::time::{Duration, Instant};

use airgap::frames::DEFAULT_FRAGMENT;
use airgap::{render, scan, Encoder};
use image::{GrayImage, Luma};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

/// A frame at 5 px per module on a grey, noisy 1280x720 background, lower contrast.
fn camera_frame(frame: &str) -> GrayImage {
    let code = render::to_image(frame, 5).unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut scene = GrayImage::from_fn(1280, 720, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        Luma([80 + (seed % 40) as u8])
    });
    let (ox, oy) = ((1280 - code.width()) / 2, (720 - code.height()) / 2);
    for (x, y, p) in code.enumerate_pixels() {
        let noisy = scene.get_pixel(ox + x, oy + y)[0] as i32 - 100;
        let v = 40 + (p[0] as i32 * 170 / 255) + noisy / 2;
        scene.put_pixel(ox + x, oy + y, Luma([v.clamp(0, 255) as u8]));
    }
    scene
}

fn finalize_size(n: usize, t: usize) -> usize {
    let binom = |n: usize, k: usize| (0..k).fold(1usize, |a, i| a * (n - i) / (i + 1));
    18 + 2 + 384 + 32 * n + 1 + (n - 1) * (1 + 12 + 4 + 3 + 386 * binom(n - 1, t - 1) + 16)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runs = std::env::var("BENCH_QR_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let message: Vec<u8> = (0..407u32).map(|i| (i * 7 + 3) as u8).collect();
    let mut enc = Encoder::new(&message, DEFAULT_FRAGMENT).unwrap();
    let frame = enc.next_frame();
    let img = camera_frame(&frame);
    assert_eq!(
        scan::scan_image(&img),
        vec![frame.clone()],
        "the camera-like frame must decode"
    );
    let decode = time(runs, || scan::scan_image(&img));
    let encode = time(runs, || {
        let f = enc.next_frame();
        render::to_png(&f, 4).unwrap()
    });
    let modules = render::modules(&frame).unwrap();
    println!("QR frames at the default fragment size ({DEFAULT_FRAGMENT} bytes), median of {runs}, one core:");
    println!(
        "  decode one 1280x720 camera-like frame (QR version {}): {:>7.2} ms",
        (modules - 17) / 4,
        decode.as_secs_f64() * 1e3
    );
    println!(
        "  encode + render one frame to PNG (4 px/module):        {:>7.2} ms",
        encode.as_secs_f64() * 1e3
    );
    println!("Frames needed without loss (pure parts):");
    let sizes = [
        ("SIGN-INIT", 290),
        ("SIGN-PARTIAL, 1 partial", 407),
        ("SIGN-PARTIAL, 3 partials", 1179),
        ("KEYGEN-FINALIZE 2-of-3", finalize_size(3, 2)),
        ("KEYGEN-FINALIZE 3-of-5", finalize_size(5, 3)),
        ("KEYGEN-FINALIZE 5-of-9", finalize_size(9, 5)),
    ];
    for (name, size) in sizes {
        let m = vec![0x5au8; size];
        let e = Encoder::new(&m, DEFAULT_FRAGMENT).unwrap();
        println!("  {name:<28} {size:>7} bytes  {:>4} frames", e.pure_parts());
    }
}
