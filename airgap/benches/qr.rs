//! `cargo bench -p airgap`: for every candidate QR decoder, frames read and decode
//! time per level of the degradation suite (readable and unreadable frames apart);
//! frames needed by the fountain decoder at 0/20/40 % loss; encode and render time.
//! Set BENCH_QR_FRAMES to use fewer frames per level (default 29).

#[path = "../tests/support/degrade.rs"]
mod degrade;

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

fn decoders(frames_per_level: usize) {
    let frames = degrade::big_frames(frames_per_level, 11);
    let version = (render::modules(&frames[0]).unwrap_or(17) - 17) / 4;
    println!("Decoders on the degradation suite: {frames_per_level} frames of QR version ~{version} per level, one core");
    println!("| level | decoder | read | ms when read (median) | ms when not (median) |");
    println!("|---|---|---|---|---|");
    for level in degrade::levels() {
        let pictures: Vec<_> = frames
            .iter()
            .enumerate()
            .map(|(i, f)| degrade::picture(&level, f, i))
            .collect();
        for (name, detect) in decode::candidates() {
            let (mut hit, mut miss) = (Vec::new(), Vec::new());
            for (f, p) in frames.iter().zip(&pictures) {
                let t = Instant::now();
                let got = std::hint::black_box(detect(p));
                let el = t.elapsed();
                if got == vec![f.clone()] {
                    hit.push(el);
                } else {
                    miss.push(el);
                }
            }
            println!(
                "| {} | {name} | {}/{} | {} | {} |",
                level.0,
                hit.len(),
                frames.len(),
                show(median(hit)),
                show(median(miss))
            );
        }
    }
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
/// still rebuilds the message.
fn file_frames() {
    println!("\nFiles: K + max(4, K/2) frames written, a random 20 % of them lost (1000 trials)");
    println!("| message | K | frames | rebuilt |");
    println!("|---|---|---|---|");
    for size in [300usize, 1_200, 2_500, 5_000, 20_000] {
        let msg: Vec<u8> = (0..size).map(|i| (i * 13 + 1) as u8).collect();
        let Ok(mut enc) = Encoder::new(&msg, 200) else {
            return;
        };
        let k = enc.pure_parts();
        let n = airgap::frames::default_file_frames(k);
        let frames = enc.file_frames(n);
        let mut rng = rand::rngs::StdRng::seed_from_u64(size as u64);
        let mut ok = 0;
        for _ in 0..1000 {
            let mut order: Vec<usize> = (0..n).collect();
            rand::seq::SliceRandom::shuffle(&mut order[..], &mut rng);
            let mut d = Decoder::new();
            if order[..n - n / 5]
                .iter()
                .any(|&i| matches!(d.receive(&frames[i]), Ok(Progress::Complete(_))))
            {
                ok += 1;
            }
        }
        println!("| {size} B | {k} | {n} | {:.1} % |", ok as f64 / 10.0);
    }
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let per_level = std::env::var("BENCH_QR_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(degrade::FRAMES);
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
    file_frames();
    fountain();
    println!();
    decoders(per_level);
}
