//! `mpcegosign selftest`: passes on a good share, fails with one ✗ line per failed
//! step on a wrong passphrase, a corrupted share, another key, a missing camera.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::cli::outcome;
use support::party::BIN;

const PASS: &str = "correct horse battery staple";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn run(args: &[&str], cwd: &Path, pass: &str) -> (i32, String, String) {
    outcome(
        Command::new(BIN)
            .args(args)
            .current_dir(cwd)
            .env("MPCEGOSIGN_PASSPHRASE", pass)
            .env("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10")
            .stdin(Stdio::null()),
    )
}

/// An encrypted share of key1 (party 1 of a 2-of-3) and the test QR, in `dir`.
fn setup(dir: &Path) {
    let plain = format!("{FIXTURES}/shares/valid-v2.json");
    let (code, _, err) = run(
        &["share", "encrypt", &plain, "--out", "share_1.json.age"],
        dir,
        PASS,
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["selftest", "--make-test-qr", "qr.png"], dir, PASS);
    assert_eq!(code, 0, "{err}");
}

fn failed_lines(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with('✗')).collect()
}

#[test]
fn passes_on_a_good_share() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let key = format!("{FIXTURES}/keys/key1.pub.pem");
    let args = [
        "selftest",
        "--share",
        "share_1.json.age",
        "--public",
        &key,
        "--scan",
        "qr.png",
    ];
    let (code, out, err) = run(&args, tmp.path(), PASS);
    assert_eq!(code, 0, "{out}{err}");
    assert!(failed_lines(&out).is_empty(), "{out}");
    for want in [
        "✓ decrypt: the passphrase opens the share",
        "✓ parse the share: party 1 of 3, 2-of-3, MRSIGNER ",
        "✓ share matches the public key",
        "✓ test partial: 2 partial(s) over a dummy digest made; not checked: the subsets scheme has no verification data",
        "✓ scan the test QR: read from qr.png",
        "selftest passed",
    ] {
        assert!(out.contains(want), "no `{want}` in:\n{out}");
    }
    // The test QR is refused twice over (never overwritten).
    let (code, _, err) = run(&["selftest", "--make-test-qr", "qr.png"], tmp.path(), PASS);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "mpcegosign: qr.png already exists; choose another name\n"
        )
    );
}

#[test]
fn fails_clearly_step_by_step() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    setup(dir);
    let scan = ["--scan", "qr.png"];

    // Wrong passphrase.
    let mut args = vec!["selftest", "--share", "share_1.json.age"];
    args.extend(scan);
    let (code, out, err) = run(&args, dir, "not the passphrase");
    assert_eq!(code, 1);
    assert_eq!(
        failed_lines(&out),
        ["✗ decrypt: wrong passphrase for this share file"]
    );
    assert!(out.contains("– test partial: skipped"), "{out}");
    assert_eq!(err, "mpcegosign: selftest failed: decrypt\n");

    // Corrupted share: one byte of the ciphertext flipped.
    let mut bytes = std::fs::read(dir.join("share_1.json.age")).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x01;
    std::fs::write(dir.join("bad.json.age"), &bytes).unwrap();
    let mut args = vec!["selftest", "--share", "bad.json.age"];
    args.extend(scan);
    let (code, out, err) = run(&args, dir, PASS);
    assert_eq!(code, 1);
    assert_eq!(
        failed_lines(&out),
        ["✗ decrypt: the encrypted share file is truncated or corrupted; restore it from a backup"]
    );
    assert_eq!(err, "mpcegosign: selftest failed: decrypt\n");

    // The share of another key.
    let other = format!("{FIXTURES}/keys/key2.pub.pem");
    let mut args = vec![
        "selftest",
        "--share",
        "share_1.json.age",
        "--public",
        &other,
    ];
    args.extend(scan);
    let (code, out, err) = run(&args, dir, PASS);
    assert_eq!(code, 1);
    let failed = failed_lines(&out);
    assert_eq!(failed.len(), 1, "{out}");
    assert!(failed[0].starts_with("✗ share matches the public key: the share belongs to MRSIGNER"));
    assert_eq!(
        err,
        "mpcegosign: selftest failed: share matches the public key\n"
    );

    // No camera: the step fails with a --scan hint (camera 97 exists nowhere).
    let args = [
        "selftest",
        "--share",
        "share_1.json.age",
        "--camera",
        "97",
        "--scan-timeout",
        "1",
    ];
    let (code, out, err) = run(&args, dir, PASS);
    assert_eq!(code, 1);
    let failed = failed_lines(&out);
    assert_eq!(failed.len(), 1, "{out}");
    assert!(failed[0].starts_with("✗ scan the test QR: "), "{out}");
    assert!(
        failed[0].contains("pass --scan FILE with a photo or PNG of the test QR"),
        "{out}"
    );
    assert_eq!(err, "mpcegosign: selftest failed: scan the test QR\n");

    // An image without the test QR.
    airgap::image::GrayImage::from_pixel(200, 200, airgap::image::Luma([255u8]))
        .save(dir.join("blank.png"))
        .unwrap();
    let args = [
        "selftest",
        "--share",
        "share_1.json.age",
        "--scan",
        "blank.png",
    ];
    let (code, out, _) = run(&args, dir, PASS);
    assert_eq!(code, 1);
    assert_eq!(
        failed_lines(&out),
        ["✗ scan the test QR: no test QR code in 1 image file(s); make one with `mpcegosign selftest --make-test-qr FILE.png`"]
    );
}
