//! A whole keygen and signing ceremony in which every message crosses as PNG QR
//! frames only: each process writes its frames into a shared folder (`--qr-out`) and
//! scans that folder for the others' (`--scan`), as photos or a second screen would.

#[path = "../airgap/tests/support/degrade.rs"]
mod degrade;
mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use airgap::image;
use rand::SeedableRng;
use support::ceremony::{joiner_args, qr_args, signer_args};
use support::party::Party;

/// Where frames are written and where they are scanned: the same folder, or two
/// folders with a relay that degrades every frame on the way.
struct Channel {
    out: PathBuf,
    scan: PathBuf,
}

#[test]
fn keygen_and_signing_through_png_frames_only() {
    let tmp = tempfile::tempdir().unwrap();
    let kg = tmp.path().join("keygen-frames");
    let sg = tmp.path().join("sign-frames");
    let same = |d: &Path| Channel {
        out: d.to_path_buf(),
        scan: d.to_path_buf(),
    };
    ceremony(tmp.path(), &same(&kg), &same(&sg));
}

/// Copies every new PNG frame under `from` into `to`, alternately as a
/// photographed screen and as a 1280x720 scene at 3 px/module, until stopped.
fn relay(from: PathBuf, to: PathBuf, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut done = std::collections::HashSet::new();
        let mut n = 0usize;
        while !stop.load(Ordering::SeqCst) {
            for path in airgap::scan::image_files(std::slice::from_ref(&from)) {
                if !done.insert(path.clone()) {
                    continue;
                }
                let Ok(img) = image::open(&path) else {
                    done.remove(&path);
                    continue;
                };
                let img = img.to_luma8();
                let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
                let out = if n % 2 == 0 {
                    degrade::photographed_screen(&img, &mut rng)
                } else {
                    // The PNG frames are at 4 px/module.
                    let (w, h) = (img.width() * 3 / 4, img.height() * 3 / 4);
                    let small =
                        image::imageops::resize(&img, w, h, image::imageops::FilterType::Triangle);
                    degrade::scene(&small, &mut rng)
                };
                let tmp = to.join(format!(".relay-{n}.part"));
                out.save_with_format(&tmp, image::ImageFormat::Png).unwrap();
                std::fs::rename(&tmp, to.join(format!("seen-{n:05}.png"))).unwrap();
                n += 1;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        n
    })
}

#[test]
fn keygen_and_signing_with_every_frame_photographed_or_in_a_scene() {
    let tmp = tempfile::tempdir().unwrap();
    let mk = |name: &str| {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let kg = Channel {
        out: mk("keygen-shown"),
        scan: mk("keygen-seen"),
    };
    let sg = Channel {
        out: mk("sign-shown"),
        scan: mk("sign-seen"),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let relays = [
        relay(kg.out.clone(), kg.scan.clone(), Arc::clone(&stop)),
        relay(sg.out.clone(), sg.scan.clone(), Arc::clone(&stop)),
    ];
    ceremony(tmp.path(), &kg, &sg);
    stop.store(true, Ordering::SeqCst);
    let relayed: usize = relays.into_iter().map(|r| r.join().unwrap()).sum();
    assert!(relayed >= 8, "{relayed} frames relayed");
}

/// The reference encoder's frames (@ngraveio/bc-ur under node, tests/interop) of
/// `message`: its first `count` parts at `max_fragment` bytes per fragment.
fn reference_frames(message: &[u8], max_fragment: usize, count: usize) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    assert!(
        dir.join("node_modules/@ngraveio/bc-ur").is_dir(),
        "@ngraveio/bc-ur is missing: run .ci/deps (npm ci in tests/interop)"
    );
    let hex: String = message.iter().map(|b| format!("{b:02x}")).collect();
    let out = std::process::Command::new("node")
        .arg(dir.join("ur.js"))
        .args([
            "encode",
            &hex,
            &max_fragment.to_string(),
            &count.to_string(),
        ])
        .output()
        .expect("node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// Reads every message the parties show under `from` (one folder of PNG frames per
/// message), and writes it into `to` as PNG frames made by the reference encoder
/// only: its own fragment size (200 bytes, not ours), its parts, as QR codes of its
/// upper-case UR strings. Returns how many messages it re-encoded.
fn reference_relay(
    from: PathBuf,
    to: PathBuf,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut done = std::collections::HashSet::new();
        let mut decoders: std::collections::HashMap<PathBuf, airgap::Decoder> = Default::default();
        let mut seen = std::collections::HashSet::new();
        let mut n = 0usize;
        while !stop.load(Ordering::SeqCst) {
            for path in airgap::scan::image_files(std::slice::from_ref(&from)) {
                let folder = path.parent().unwrap().to_path_buf();
                if done.contains(&folder) || !seen.insert(path.clone()) {
                    continue;
                }
                let Ok(texts) = airgap::scan::scan_file(&path) else {
                    seen.remove(&path);
                    continue;
                };
                let dec = decoders.entry(folder.clone()).or_default();
                let Some(message) = texts.iter().find_map(|t| match dec.receive(t) {
                    Ok(airgap::Progress::Complete(m)) => Some(m),
                    _ => None,
                }) else {
                    continue;
                };
                done.insert(folder);
                let k = message.len().div_ceil(200);
                let frames = reference_frames(&message, 200, k + k.div_ceil(2) + 2);
                let out = to.join(format!("bc-ur-{n}"));
                std::fs::create_dir_all(&out).unwrap();
                for (i, f) in frames.iter().enumerate() {
                    let tmp = out.join(format!(".{i}.part"));
                    let png = airgap::render::to_png(&f.to_ascii_uppercase(), 4).unwrap();
                    std::fs::write(&tmp, png).unwrap();
                    std::fs::rename(&tmp, out.join(format!("frame-{i:03}.png"))).unwrap();
                }
                n += 1;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        n
    })
}

/// Every message of a keygen and a signing reaches the other parties only as frames
/// made by the reference encoder (@ngraveio/bc-ur), scanned with `--scan`.
#[test]
fn keygen_and_signing_on_frames_of_the_reference_encoder() {
    let tmp = tempfile::tempdir().unwrap();
    let mk = |name: &str| {
        let d = tmp.path().join(name);
        std::fs::create_dir_all(&d).unwrap();
        d
    };
    let kg = Channel {
        out: mk("keygen-ours"),
        scan: mk("keygen-bc-ur"),
    };
    let sg = Channel {
        out: mk("sign-ours"),
        scan: mk("sign-bc-ur"),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let relays = [
        reference_relay(kg.out.clone(), kg.scan.clone(), Arc::clone(&stop)),
        reference_relay(sg.out.clone(), sg.scan.clone(), Arc::clone(&stop)),
    ];
    ceremony(tmp.path(), &kg, &sg);
    stop.store(true, Ordering::SeqCst);
    let relayed: Vec<usize> = relays.into_iter().map(|r| r.join().unwrap()).collect();
    // INIT, two JOINs, FINALIZE; SIGN-INIT and one SIGN-PARTIAL.
    assert_eq!(relayed, [4, 2], "messages re-encoded by bc-ur");
}

fn ceremony(root: &Path, kg: &Channel, sg: &Channel) {
    let tmp = root;
    std::fs::create_dir_all(&kg.out).unwrap();
    let dirs: Vec<_> = (1..=3).map(|i| tmp.join(format!("p{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let t = qr_args(&kg.out, &kg.scan);
    let d = |i: usize| dirs[i].to_str().unwrap().to_string();
    let (d0, d1, d2) = (d(0), d(1), d(2));
    let dealer = Party::spawn_with(
        "dealer",
        &[
            "keygen",
            "--scheme",
            "subsets",
            "--parties",
            "3",
            "--threshold",
            "2",
            "--out-dir",
            &d0,
            "--yes",
            "--plaintext-share",
        ],
        &t,
    );
    let j2 = Party::spawn_with("j2", &joiner_args(&d1, &["--plaintext-share", "--yes"]), &t);
    let j3 = Party::spawn_with("j3", &joiner_args(&d2, &["--plaintext-share", "--yes"]), &t);
    for p in [dealer, j2, j3] {
        let f = p.succeed();
        assert!(
            f.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")),
            "no text messages in QR mode"
        );
    }
    // Parties are numbered in the order their joins were scanned.
    let share_of = |dir: &Path| -> std::path::PathBuf {
        let shares: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("share_")
            })
            .collect();
        assert_eq!(shares.len(), 1, "{}", dir.display());
        shares[0].clone()
    };
    let mut names: Vec<String> = dirs
        .iter()
        .map(|d| {
            share_of(d)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["share_1.json", "share_2.json", "share_3.json"]);
    let frames = std::fs::read_dir(&kg.out).unwrap().count();
    assert_eq!(
        frames, 4,
        "one frame folder each for INIT, 2 JOINs and FINALIZE"
    );

    let u = support::write_unsigned_sigstruct(&tmp.join("unsigned"), false, [3; 32]);
    std::fs::create_dir_all(&sg.out).unwrap();
    let t = qr_args(&sg.out, &sg.scan);
    let out = tmp.join("signed");
    let s1 = dirs[0].join("share_1.json");
    let s3 = share_of(&dirs[2]);
    let p3 = s3.file_name().unwrap().to_string_lossy()[6..7].to_string();
    let signers = format!("1,{p3}");
    let ini = Party::spawn_with(
        "initiator",
        &[
            "sign",
            "--sigstruct",
            u.to_str().unwrap(),
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            &signers,
        ],
        &t,
    );
    let signer = Party::spawn_with("signer", &signer_args(&s3, &"03".repeat(32)), &t);
    signer.succeed();
    let end = ini.succeed();
    assert!(
        end.stderr
            .contains(&format!("Parties {signers} produced a valid signature.")),
        "{}",
        end.stderr
    );
    support::ceremony::assert_signed_by(&out, &dirs[0].join("public.pem"));
}
