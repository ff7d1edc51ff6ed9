//! `--scan` that talks: a missing path fails at once, unreadable files are named
//! once, and the timeout says what was missing.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mpcegosign");

fn joiner(scan: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    Command::new(BIN)
        .args([
            "keygen",
            "--plaintext-share",
            "--transport",
            "qr",
            "--scan-timeout",
            "2",
        ])
        .arg("--out-dir")
        .arg(out)
        .arg("--scan")
        .arg(scan)
        .output()
        .unwrap()
}

#[test]
fn a_missing_scan_path_is_an_error_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let t = std::time::Instant::now();
    let out = joiner(&tmp.path().join("nowhere"), tmp.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("nowhere does not exist"), "{err}");
    assert!(t.elapsed().as_secs() < 2);
}

#[test]
fn unreadable_files_are_named_once_and_the_timeout_says_no_frames() {
    let tmp = tempfile::tempdir().unwrap();
    let scan = tmp.path().join("scan");
    std::fs::create_dir_all(&scan).unwrap();
    std::fs::write(scan.join("notes.png"), "not a picture").unwrap();
    airgap::image::GrayImage::from_pixel(64, 64, airgap::image::Luma([200]))
        .save(scan.join("blank.png"))
        .unwrap();
    let out = joiner(&scan, tmp.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(err.matches("notes.png: not an image").count(), 1, "{err}");
    assert_eq!(
        err.matches("blank.png: no QR code found").count(),
        1,
        "{err}"
    );
    assert!(err.contains("no frames at all in 2 s"), "{err}");
}

#[test]
fn an_unfinished_message_times_out_asking_for_more_frames() {
    let tmp = tempfile::tempdir().unwrap();
    let scan = tmp.path().join("scan");
    std::fs::create_dir_all(&scan).unwrap();
    let mut message = vec![1u8; 1_000];
    message[1] = 7;
    let mut enc = airgap::Encoder::new(&message, 100).unwrap();
    let frame = enc.next_frame();
    std::fs::write(
        scan.join("one.png"),
        airgap::render::to_png(&frame, 4).unwrap(),
    )
    .unwrap();
    // A UR of another type is named as not ours.
    let other = frame.replacen("UR:BYTES", "UR:CRYPTO-PSBT", 1);
    std::fs::write(
        scan.join("psbt.png"),
        airgap::render::to_png(&other, 4).unwrap(),
    )
    .unwrap();
    let out = joiner(&scan, tmp.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("a UR of type crypto-psbt, not bytes: it is not an mpcegosign message"),
        "{err}"
    );
    assert!(
        err.contains("1 frames of an unfinished message in 2 s")
            && err.contains("show more frames"),
        "{err}"
    );
}
