//! Interop with the Blockchain Commons reference UR library (@ngraveio/bc-ur under
//! node, installed by `.ci/deps` into tests/interop): our frames decode there with
//! `decodeCBOR()` to the same bytes, and theirs decode here, as text and as images.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use airgap::{render, scan, Decoder, Encoder, Progress};
use rand::{Rng, SeedableRng};

fn script() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/interop");
    assert!(
        dir.join("node_modules/@ngraveio/bc-ur").is_dir(),
        "@ngraveio/bc-ur is missing: run .ci/deps (npm ci in tests/interop)"
    );
    dir.join("ur.js")
}

fn message(n: usize, seed: u64) -> Vec<u8> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n).map(|_| rng.gen()).collect()
}

/// Frames of `message` made by the reference encoder.
fn their_frames(message: &[u8], max_fragment: usize, count: usize) -> Vec<String> {
    let out = Command::new("node")
        .arg(script())
        .args([
            "encode",
            &hex(message),
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

/// What the reference decoder makes of our frames: (UR type, decodeCBOR() bytes).
fn their_decode(frames: &[String]) -> (String, Vec<u8>) {
    let mut child = Command::new("node")
        .arg(script())
        .arg("decode")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(frames.join("\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (ty, hexed) = text.trim().split_once(' ').unwrap();
    (ty.to_string(), unhex(hexed))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn ours_decode(frames: &[String]) -> Option<Vec<u8>> {
    let mut d = Decoder::new();
    frames.iter().find_map(|f| match d.receive(f) {
        Ok(Progress::Complete(m)) => Some(m),
        _ => None,
    })
}

#[test]
fn our_multipart_frames_decode_with_the_reference_decoder() {
    let msg = message(2_500, 1);
    let mut enc = Encoder::new(&msg, 200).unwrap();
    // The streamed animation, entered mid-way, and the frames written to files.
    for _ in 0..37 {
        enc.next_streamed();
    }
    let streamed: Vec<String> = (0..3 * enc.pure_parts())
        .map(|_| enc.next_streamed())
        .collect();
    assert_eq!(their_decode(&streamed), ("bytes".into(), msg.clone()));
    let mut enc = Encoder::new(&msg, 200).unwrap();
    let files = enc.file_frames(airgap::frames::default_file_frames(enc.pure_parts()));
    assert_eq!(their_decode(&files), ("bytes".into(), msg));
}

#[test]
fn our_single_part_decodes_with_the_reference_decoder() {
    let msg = message(53, 2);
    let enc = Encoder::new(&msg, 450).unwrap();
    assert_eq!(
        their_decode(&[enc.single_part().to_string()]),
        ("bytes".into(), msg)
    );
}

#[test]
fn reference_frames_decode_here_single_and_multipart() {
    let short = message(40, 3);
    let single = their_frames(&short, 200, 1);
    assert!(!single[0].contains("/1-"), "short messages are single-part");
    assert_eq!(ours_decode(&single), Some(short));
    let long = message(3_000, 4);
    let mut frames = their_frames(&long, 150, 60);
    // Lose the first pure parts: the fountain parts fill in.
    frames.drain(..4);
    assert_eq!(ours_decode(&frames), Some(long.clone()));
    // Our encoder's frames are byte-identical to theirs, upper-cased.
    let mut enc = Encoder::new(&long, 150).unwrap();
    let ours: Vec<String> = enc
        .frames(60)
        .iter()
        .map(|f| f.to_ascii_lowercase())
        .collect();
    assert_eq!(ours, their_frames(&long, 150, 60));
}

#[test]
fn reference_frames_as_images_decode_in_our_scanner() {
    let msg = message(900, 5);
    let frames = their_frames(&msg, 300, 8);
    let mut d = Decoder::new();
    let mut got = None;
    for f in &frames {
        // As a reference app shows them: lower case, byte mode.
        let img = render::to_image(f, 3).unwrap();
        for text in scan::scan_image(&img) {
            assert_eq!(&text, f);
            if let Ok(Progress::Complete(m)) = d.receive(&text) {
                got = Some(m);
            }
        }
    }
    assert_eq!(got, Some(msg));
}
