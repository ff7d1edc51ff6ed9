//! Whole keygens (2-of-3 `subsets`, 3-of-5 `shoup3`) over PNG frames only, where a
//! relay "photographs" every frame file on its way to the other parties (2.5 to 3
//! pixels per module, blur, noise, a slight perspective, JPEG q60) and drops a
//! random 40 % of them (seeded: the same files are dropped on every run). Every
//! party finishes: when a scan stalls it asks for more frames, and the test, as the
//! person at the sending machine, runs the `mpcegosign qr-more` command it names.

#[path = "../airgap/tests/support/degrade.rs"]
mod degrade;
mod support;

use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use airgap::image::{self, imageops, GrayImage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::ceremony::joiner_args;
use support::party::Party;

/// Share of the frame files the relay loses.
const DROP_PERCENT: u64 = 40;

/// A stable number for a frame file: its folder without the sender's process id
/// (`4242-004-keygen-join` → `004-keygen-join`), its name, and the test's seed.
fn file_seed(seed: u64, path: &Path) -> u64 {
    let folder = path
        .parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let folder = folder.split_once('-').map_or(folder.as_str(), |(_, r)| r);
    let name = path.file_name().unwrap().to_string_lossy();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (seed, folder, name.as_ref()).hash(&mut h);
    h.finish()
}

/// What a phone makes of a 4 px/module PNG frame shown on a screen.
fn photograph(img: &GrayImage, rng: &mut StdRng) -> GrayImage {
    let pitch = rng.gen_range(2.5f32..3.0);
    let (w, h) = (
        (img.width() as f32 * pitch / 4.0) as u32,
        (img.height() as f32 * pitch / 4.0) as u32,
    );
    let small = imageops::resize(img, w, h, imageops::FilterType::Triangle);
    let soft = imageops::blur(&small, 0.5);
    let side = if rng.gen_bool(0.5) { 1.0 } else { -1.0 };
    let tilted = degrade::tilt(&soft, side * rng.gen_range(2.0..5.0));
    degrade::jpeg(&degrade::noise(&tilted, 10, rng), 60)
}

/// Copies each new frame file under `from` to `to` (same folder names) as a JPEG
/// photo, or drops it, until stopped. Returns (files seen, files dropped).
fn relay(
    from: PathBuf,
    to: PathBuf,
    seed: u64,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<(usize, usize)> {
    std::thread::spawn(move || {
        let mut done = HashSet::new();
        let (mut seen, mut dropped) = (0, 0);
        while !stop.load(Ordering::SeqCst) {
            for path in airgap::scan::image_files(std::slice::from_ref(&from)) {
                if done.contains(&path) {
                    continue;
                }
                let Ok(img) = image::open(&path) else {
                    continue; // not whole yet: next round
                };
                done.insert(path.clone());
                seen += 1;
                let s = file_seed(seed, &path);
                if s % 100 < DROP_PERCENT {
                    dropped += 1;
                    continue;
                }
                let mut rng = StdRng::seed_from_u64(s);
                let photo = photograph(&img.to_luma8(), &mut rng);
                let rel = path.strip_prefix(&from).unwrap();
                let dest = to.join(rel).with_extension("jpg");
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                let tmp = dest.with_file_name(format!(".{seen}.part"));
                photo
                    .save_with_format(&tmp, image::ImageFormat::Jpeg)
                    .unwrap();
                std::fs::rename(&tmp, &dest).unwrap();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        (seen, dropped)
    })
}

/// Runs each `mpcegosign qr-more` command that a party's scan asks for (as the
/// sender would, on its --qr-out folder), until every party has ended.
fn serve_requests(parties: &mut [Party], shown: &Path, runs: &AtomicUsize) {
    let ask = "On the sending machine run: mpcegosign qr-more <its --qr-out folder>/";
    let mut served: HashMap<usize, usize> = HashMap::new();
    let start = Instant::now();
    loop {
        for (i, p) in parties.iter().enumerate() {
            let err = p.stderr_so_far();
            let asks: Vec<&str> = err.lines().filter(|l| l.contains(ask)).collect();
            let from = served.get(&i).copied().unwrap_or(0);
            for line in &asks[from..] {
                let rest = &line[line.find(ask).unwrap() + ask.len()..];
                let (folder, rest) = rest.split_once(" --frames ").unwrap();
                let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let out = std::process::Command::new(support::party::BIN)
                    .args(["qr-more", "--frames", &n])
                    .arg(shown.join(folder))
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "qr-more {folder} --frames {n}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                runs.fetch_add(1, Ordering::SeqCst);
            }
            served.insert(i, asks.len());
        }
        if parties.iter_mut().all(|p| p.exited()) {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(600),
            "the keygen did not end in 10 minutes"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn keygen(n: u8, t: u8, scheme_args: &[&str], seed: u64) {
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let shown = tmp.path().join("shown");
    let seen = tmp.path().join("seen");
    std::fs::create_dir_all(&shown).unwrap();
    std::fs::create_dir_all(&seen).unwrap();
    let dirs: Vec<PathBuf> = (1..=n).map(|i| tmp.path().join(format!("p{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let qr: Vec<String> = [
        "--transport",
        "qr",
        "--qr-out",
        shown.to_str().unwrap(),
        "--scan",
        seen.to_str().unwrap(),
        "--scan-timeout",
        "300",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let relay = relay(shown.clone(), seen.clone(), seed, Arc::clone(&stop));
    let (ns, ts) = (n.to_string(), t.to_string());
    let mut dealer = vec![
        "keygen",
        "--parties",
        &ns,
        "--threshold",
        &ts,
        "--out-dir",
        dirs[0].to_str().unwrap(),
        "--yes",
        "--plaintext-share",
    ];
    dealer.extend_from_slice(scheme_args);
    let mut parties = vec![Party::spawn_with("dealer", &dealer, &qr)];
    for (i, d) in dirs[1..].iter().enumerate() {
        parties.push(Party::spawn_with(
            &format!("joiner {}", i + 2),
            &joiner_args(d.to_str().unwrap(), &["--plaintext-share", "--yes"]),
            &qr,
        ));
    }
    let runs = AtomicUsize::new(0);
    serve_requests(&mut parties, &shown, &runs);
    stop.store(true, Ordering::SeqCst);
    let (files, dropped) = relay.join().unwrap();
    let mut unread = 0;
    for p in parties {
        unread += p.succeed().stderr.matches("no QR code found").count();
    }
    let mut numbers: Vec<String> = dirs
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap().flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with("share_"))
        .collect();
    numbers.sort();
    let want: Vec<String> = (1..=n).map(|i| format!("share_{i}.json")).collect();
    assert_eq!(numbers, want);
    // The losses went past what the spares cover: the recovery step did the rest.
    assert!(
        dropped * 100 >= files * 30,
        "{dropped} of {files} files dropped"
    );
    eprintln!(
        "{t}-of-{n}: {files} frame files, {dropped} dropped, {unread} photos unreadable, {} qr-more runs, {:.0} s",
        runs.load(Ordering::SeqCst),
        started.elapsed().as_secs_f64()
    );
    assert!(runs.load(Ordering::SeqCst) >= 1, "no qr-more was needed");
}

#[test]
fn two_of_three_keygen_with_photographed_frames_and_40_percent_lost() {
    keygen(3, 2, &["--scheme", "subsets"], 2);
}

#[test]
fn three_of_five_keygen_with_photographed_frames_and_40_percent_lost() {
    let key = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/safe1.pem");
    keygen(5, 3, &["--import", key.to_str().unwrap()], 35);
}
