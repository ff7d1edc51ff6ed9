//! `cargo bench -p airgap`: for every candidate QR decoder, frames read and decode
//! time per level of the degradation suite (readable and unreadable frames apart);
//! frames needed by the fountain decoder at 0/20/40 % loss; encode and render time.
//! Photographed frame files (`photos`): frames read by ours, zxing-cpp alone and zbar
//! (`zbarimg`, one process per picture), median and p95 times; `photos-all` adds
//! every candidate decoder. Set BENCH_QR_FRAMES to use fewer frames per level
//! (default 29), BENCH_QR_ONLY to run some parts only (`encode`, `files`,
//! `fountain`, `camera`, `photos`, `photos-all`, `decoders`, comma-separated).

#[path = "../tests/support/degrade.rs"]
mod degrade;
#[path = "../tests/support/photo.rs"]
mod photo;

use std::time::{Duration, Instant};

use airgap::{decode, render, Decoder, Encoder, Progress};
use rand::{Rng, SeedableRng};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<Duration>) -> Option<Duration> {
    v.sort();
    v.get(v.len() / 2).copied()
}

fn show(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.1}", ms(d)))
}

/// One decoder over pictures of known frames: the times of the pictures it read to
/// exactly their frame, and of the others (a decoder answering None skips one).
fn timed(
    frames: &[String],
    pictures: &[airgap::image::GrayImage],
    detect: &dyn Fn(&airgap::image::GrayImage) -> Option<Vec<String>>,
) -> (Vec<Duration>, Vec<Duration>) {
    let (mut hit, mut miss) = (Vec::new(), Vec::new());
    for (f, p) in frames.iter().zip(pictures) {
        let t = Instant::now();
        let Some(got) = std::hint::black_box(detect(p)) else {
            continue;
        };
        let el = t.elapsed();
        if got == vec![f.clone()] {
            hit.push(el);
        } else {
            miss.push(el);
        }
    }
    (hit, miss)
}

fn decoders(frames_per_level: usize) {
    let frames = degrade::big_frames(frames_per_level, 11);
    let version = (render::modules(&frames[0]).unwrap_or(17) - 17) / 4;
    println!("Decoders on the degradation suite: {frames_per_level} frames of QR version ~{version} per level, one core");
    println!(
        "| level | decoder | read | ms when read (median / p95) | ms when not (median / p95) |"
    );
    println!("|---|---|---|---|---|");
    for level in degrade::levels() {
        let pictures: Vec<_> = frames
            .iter()
            .enumerate()
            .map(|(i, f)| degrade::picture(&level, f, i))
            .collect();
        let tmp =
            std::env::temp_dir().join(format!("airgap-bench-zbar-{}.png", std::process::id()));
        type Named = (
            &'static str,
            Box<dyn Fn(&airgap::image::GrayImage) -> Option<Vec<String>>>,
        );
        let mut deciders: Vec<Named> = decode::candidates()
            .into_iter()
            .map(|(name, f)| -> Named { (name, Box::new(move |p| Some(f(p)))) })
            .collect();
        deciders.push(("zbar (zbarimg)", Box::new(move |p| zbar(p, &tmp))));
        for (name, detect) in &deciders {
            let (hit, miss) = timed(&frames, &pictures, detect.as_ref());
            println!(
                "| {} | {name} | {}/{} | {} / {} | {} / {} |",
                level.0,
                hit.len(),
                frames.len(),
                show(median(hit.clone())),
                show(p95(hit)),
                show(median(miss.clone())),
                show(p95(miss))
            );
        }
    }
    let _ = std::fs::remove_file(
        std::env::temp_dir().join(format!("airgap-bench-zbar-{}.png", std::process::id())),
    );
}

/// Distinct frames needed, scanning the streamed animation from a random point.
fn fountain() {
    println!("\nFountain: distinct frames needed (median / p95 of 101 scans from a random point of the stream, 200-byte fragments)");
    println!("| message | K | loss | ours median | ours p95 | ur 0.5 (peeling) median | p95 |");
    println!("|---|---|---|---|---|---|---|");
    for size in [2_500usize, 20_000] {
        let msg: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
        for loss in [0.0, 0.2, 0.4] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            let mut k = 0;
            for trial in 0..101u64 {
                let Ok(mut enc) = Encoder::new(&msg, 200) else {
                    return;
                };
                k = enc.pure_parts();
                let mut rng = rand::rngs::StdRng::seed_from_u64(trial);
                for _ in 0..rng.gen_range(0..10 * k) {
                    enc.next_streamed();
                }
                let (mut a, mut b) = (Decoder::new(), ur::Decoder::default());
                let (mut n, mut at_a, mut at_b) = (0, None, None);
                while (at_a.is_none() || at_b.is_none()) && n < 20 * k {
                    let f = enc.next_streamed();
                    if rng.gen_bool(loss) {
                        continue;
                    }
                    n += 1;
                    if at_a.is_none() && matches!(a.receive(&f), Ok(Progress::Complete(_))) {
                        at_a = Some(n);
                    }
                    if at_b.is_none() {
                        let _ = b.receive(&f.to_ascii_lowercase());
                        if b.complete() {
                            at_b = Some(n);
                        }
                    }
                }
                ours.push(at_a.unwrap_or(n));
                theirs.push(at_b.unwrap_or(n));
            }
            ours.sort();
            theirs.sort();
            println!(
                "| {size} B | {k} | {:.0} % | {} | {} | {} | {} |",
                loss * 100.0,
                ours[50],
                ours[95],
                theirs[50],
                theirs[95]
            );
        }
    }
}

/// Share of trials in which losing a random fifth of the default file frames
/// still rebuilds the message, for messages of K fragments.
fn file_frames(trials: usize) {
    println!("\nFiles: the default K + max(4, K/2) (+1 for K = 11-24) frames written, a random 20 % of them lost ({trials} trials per K, 200-byte fragments)");
    println!("| K | frames | lost | rebuilt | ms to choose the frames |");
    println!("|---|---|---|---|---|");
    for k in [
        2usize, 4, 7, 8, 9, 10, 11, 12, 13, 14, 16, 18, 20, 22, 24, 26, 32, 40, 50, 64, 101,
    ] {
        // The CBOR header and the UR length field make the payload a few bytes longer.
        let size = k * 200 - 8;
        let msg: Vec<u8> = (0..size).map(|i| (i * 13 + 1) as u8).collect();
        let Ok(mut enc) = Encoder::new(&msg, 200) else {
            return;
        };
        let k = enc.pure_parts();
        let n = airgap::frames::default_file_frames(k);
        let t = Instant::now();
        let written = enc.file_frames(n);
        let took = t.elapsed();
        let sets: Vec<Vec<usize>> = written
            .iter()
            .map(|f| match airgap::format::parse(f) {
                Ok(airgap::format::Frame::Part(p)) => p.indexes,
                _ => vec![0],
            })
            .collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(k as u64);
        let mut ok = 0;
        for _ in 0..trials {
            let mut order: Vec<usize> = (0..n).collect();
            rand::seq::SliceRandom::shuffle(&mut order[..], &mut rng);
            let mut s = airgap::fountain::Solver::new(k, 1);
            for &i in &order[..n - n / 5] {
                s.add(&sets[i], &[0]);
            }
            ok += usize::from(s.is_complete());
        }
        println!(
            "| {k} | {n} | {} | {:.2} % | {:.0} |",
            n / 5,
            ok as f64 * 100.0 / trials as f64,
            ms(took)
        );
    }
}

/// The camera loop of `--transport qr` with a synthetic camera (no webcam needed):
/// 1280x720 pictures, alternately readable (a scene at 3 px/module) and not (the
/// combined level), handed to the decoding worker as a camera at `fps` would (or as
/// fast as possible with `fps` 0). Reports the loop's rate, the worker's decodes, the
/// frames dropped unread, and how old a decoded frame was when its result came back.
fn camera(fps: u32) {
    let texts = degrade::big_frames(16, 12);
    let levels = degrade::levels();
    let (Some(scene), Some(combined)) = (
        levels.iter().find(|l| l.0.starts_with("1280x720")),
        levels.iter().find(|l| l.0.starts_with("combined")),
    ) else {
        return;
    };
    let pictures: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| degrade::picture(if i % 2 == 0 { scene } else { combined }, t, i))
        .collect();
    let worker = airgap::scan::Worker::start(decode::detect);
    let period = if fps == 0 {
        Duration::ZERO
    } else {
        Duration::from_secs_f64(1.0 / f64::from(fps))
    };
    let run = Duration::from_secs(4);
    let start = Instant::now();
    let (mut loops, mut dropped, mut decoded, mut lags) = (0usize, 0usize, 0usize, Vec::new());
    while start.elapsed() < run {
        // The camera blocks until its next frame is due.
        let due = period * loops as u32;
        if let Some(wait) = due.checked_sub(start.elapsed()) {
            std::thread::sleep(wait);
        }
        let i = loops % pictures.len();
        if worker.submit(pictures[i].clone()) {
            dropped += 1;
        }
        loops += 1;
        for found in worker.results() {
            decoded += 1;
            for t in found {
                if let Some(j) = texts.iter().position(|x| *x == t) {
                    // Frames submitted since picture j was last submitted.
                    lags.push((loops - 1 + pictures.len() - j) % pictures.len());
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    lags.sort_unstable();
    println!(
        "| {} | {:.1} | {:.1} | {} of {loops} | {} | {} |",
        if fps == 0 {
            "unpaced".to_string()
        } else {
            format!("{fps} fps")
        },
        loops as f64 / secs,
        decoded as f64 / secs,
        dropped,
        lags.get(lags.len() / 2)
            .map_or("-".into(), |l| l.to_string()),
        lags.last().map_or("-".into(), |l| l.to_string()),
    );
}

/// zbar, through its `zbarimg` CLI (installed by .ci/deps): the picture written as a
/// PNG, then read by one `zbarimg` process; the time includes the process start and
/// the PNG decoding (the `zbarimg start` line gives that cost on a blank picture).
fn zbar(img: &airgap::image::GrayImage, path: &std::path::Path) -> Option<Vec<String>> {
    img.save(path).ok()?;
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(path)
        .output()
        .ok()?;
    Some(
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

fn p95(mut v: Vec<Duration>) -> Option<Duration> {
    v.sort();
    (!v.is_empty()).then(|| v[(v.len() * 95).div_ceil(100).saturating_sub(1)])
}

/// Photographed frame files (`tests/support/photo.rs`): per level, frames read by
/// ours, zxing-cpp alone and zbar, with median and p95 times.
fn photos(per_level: usize, extra: bool) {
    let levels = photo::levels(per_level);
    let tmp = std::env::temp_dir().join(format!("airgap-bench-zbar-{}.png", std::process::id()));
    let have_zbar = zbar(&airgap::image::GrayImage::new(8, 8), &tmp).is_some();
    println!("Photographed frame files: {per_level} frames per level, one core");
    println!("| level | versions | decoder | read | ms read (median / p95) | ms not read (median / p95) |");
    println!("|---|---|---|---|---|---|");
    type Named = (
        &'static str,
        Box<dyn Fn(&airgap::image::GrayImage) -> Option<Vec<String>>>,
    );
    let mut deciders: Vec<Named> = Vec::new();
    if extra {
        for (name, f) in decode::candidates() {
            deciders.push((name, Box::new(move |p| Some(f(p)))));
        }
    } else {
        #[cfg(feature = "zxing")]
        deciders.push((
            "zxing-cpp try-harder",
            Box::new(|p| Some(decode::zxing_cpp::detect_harder(p))),
        ));
        deciders.push(("ours", Box::new(|p| Some(decode::detect(p)))));
    }
    if have_zbar {
        let t = tmp.clone();
        deciders.push(("zbar (zbarimg)", Box::new(move |p| zbar(p, &t))));
    }
    for level in &levels {
        let pictures: Vec<_> = (0..level.frames.len()).map(|i| level.picture(i)).collect();
        let versions: Vec<usize> = level.frames.iter().map(|f| photo::version(f)).collect();
        let (lo, hi) = (
            versions.iter().min().copied().unwrap_or(0),
            versions.iter().max().copied().unwrap_or(0),
        );
        for (name, detect) in &deciders {
            let (hit, miss) = timed(&level.frames, &pictures, detect.as_ref());
            println!(
                "| {} | {lo}-{hi} | {name} | {}/{} | {} / {} | {} / {} |",
                level.name,
                hit.len(),
                level.frames.len(),
                show(median(hit.clone())),
                show(p95(hit)),
                show(median(miss.clone())),
                show(p95(miss)),
            );
        }
    }
    // Pictures without a code: where the finder check skips the retries.
    let empty = airgap::image::GrayImage::from_pixel(300, 300, airgap::image::Luma([255]));
    let scenes: Vec<_> = (0..per_level)
        .map(|i| degrade::scene(&empty, &mut rand::rngs::StdRng::seed_from_u64(i as u64)))
        .collect();
    for (name, detect) in &deciders {
        let times: Vec<Duration> = scenes
            .iter()
            .map(|p| {
                let t = Instant::now();
                std::hint::black_box(detect(p));
                t.elapsed()
            })
            .collect();
        println!(
            "| 1280x720 scene, no code | - | {name} | - | - / - | {} / {} |",
            show(median(times.clone())),
            show(p95(times))
        );
    }
    if have_zbar {
        let blank = airgap::image::GrayImage::from_pixel(300, 300, airgap::image::Luma([255]));
        let times: Vec<Duration> = (0..20)
            .map(|_| {
                let t = Instant::now();
                let _ = zbar(&blank, &tmp);
                t.elapsed()
            })
            .collect();
        println!(
            "zbarimg start (a blank 300x300 picture, median of 20): {} ms",
            show(median(times))
        );
    } else {
        println!("zbarimg not found: zbar left out (install it with .ci/deps)");
    }
    let _ = std::fs::remove_file(&tmp);
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let per_level = std::env::var("BENCH_QR_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(degrade::FRAMES);
    // BENCH_QR_ONLY=files,fountain,camera,decoders runs some parts only.
    let only = std::env::var("BENCH_QR_ONLY").unwrap_or_default();
    let part = |name: &str| only.is_empty() || only.split(',').any(|p| p == name);
    if part("encode") {
        let message: Vec<u8> = (0..407u32).map(|i| (i * 7 + 3) as u8).collect();
        if let Ok(mut enc) = Encoder::new(&message, airgap::frames::DEFAULT_FRAGMENT) {
            let t = Instant::now();
            for _ in 0..20 {
                let f = enc.next_frame();
                std::hint::black_box(render::to_png(&f, 4).ok());
            }
            println!(
                "encode + render one frame to PNG (4 px/module): {:.2} ms\n",
                ms(t.elapsed()) / 20.0
            );
        }
    }
    if part("files") {
        file_frames(10_000);
    }
    if part("fountain") {
        fountain();
    }
    if part("camera") {
        println!("\nCamera loop, synthetic 1280x720 camera (half readable scenes, half unreadable combined pictures), decoder on a worker thread, 4 s");
        println!("| camera | loop fps | decodes/s | frames dropped unread | frames newer than the decoded one, median | max |");
        println!("|---|---|---|---|---|---|");
        camera(30);
        camera(0);
    }
    if part("photos") {
        println!();
        photos(per_level, false);
    }
    if part("photos-all") {
        println!();
        photos(per_level, true);
    }
    if part("decoders") {
        println!();
        decoders(per_level);
    }
}
