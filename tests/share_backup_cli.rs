//! Paper backups: `share backup` draws an encrypted share as one page of QR codes;
//! `share restore` rebuilds it byte for byte from the PNG, from a JPEG copy at
//! quality 50, and from a copy with one code blacked out.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use airgap::image::{self, GrayImage, Luma};
use support::cli::outcome;
use support::party::BIN;

const PASS: &str = "correct horse battery staple";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn run(args: &[&str], cwd: &Path) -> (i32, String) {
    let (code, _, stderr) = outcome(
        Command::new(BIN)
            .args(args)
            .current_dir(cwd)
            .env("MPCEGOSIGN_PASSPHRASE", PASS)
            .env("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10")
            .stdin(Stdio::null()),
    );
    (code, stderr)
}

/// The first code below the text: its top-left corner and side, read from the
/// QR code's fixed patterns, not from runs of dark pixels: data modules can leave
/// a white run of any length in a code's edge column (a run of 12 white modules,
/// 84 px, once cut the old column walk short at "side 91"). Row y0 is the first
/// dark row after the text; x0 its first dark pixel, the top-left finder's corner.
/// The finder's left column is 7 modules dark, which gives the module size; the
/// timing pattern (row 6 and column 6: alternating modules between the finders)
/// leads to the top-right and bottom-left finders, whose far edges end the code.
fn first_code(img: &GrayImage) -> (u32, u32, u32) {
    let dark = |x: u32, y: u32| img.get_pixel(x, y).0[0] < 128;
    // The text ends where a run of 60 white rows begins; the codes start after it.
    let mut y = 0;
    let mut white = 0;
    let mut seen_text = false;
    let y0 = loop {
        let row_dark = (0..img.width()).any(|x| dark(x, y));
        if row_dark {
            if seen_text && white >= 60 {
                break y;
            }
            seen_text = true;
            white = 0;
        } else {
            white += 1;
        }
        y += 1;
    };
    let x0 = (0..img.width()).find(|&x| dark(x, y0)).unwrap();
    let finder = (y0..img.height()).take_while(|&y| dark(x0, y)).count() as u32;
    assert_eq!(
        finder % 7,
        0,
        "finder column of {finder} px at ({x0}, {y0})"
    );
    let module = finder / 7;
    let mid = 6 * module + module / 2;
    let across = timing_span((x0..img.width()).map(|x| dark(x, y0 + mid)), module);
    let down = timing_span((y0..img.height()).map(|y| dark(x0 + mid, y)), module);
    assert_eq!(across, down, "the code at ({x0}, {y0}) is not square");
    (x0, y0, across)
}

/// Along a timing line starting on a finder's outer edge (row or column 6 of a
/// code): the finder's 7 dark modules, then one module each of light and dark in
/// turn, then the far finder's 7 dark modules; returns the pixels up to its end.
fn timing_span(line: impl Iterator<Item = bool>, module: u32) -> u32 {
    let mut runs: Vec<(bool, u32)> = Vec::new();
    for px in line {
        match runs.last_mut() {
            Some((colour, len)) if *colour == px => *len += 1,
            _ => runs.push((px, 1)),
        }
    }
    assert_eq!(
        runs.first(),
        Some(&(true, 7 * module)),
        "no finder: {runs:?}"
    );
    let mut span = 7 * module;
    for (i, &(colour, len)) in runs.iter().enumerate().skip(1) {
        span += len;
        if colour && len == 7 * module {
            return span;
        }
        assert_eq!(
            (colour, len),
            (i % 2 == 0, module),
            "not a timing pattern: {runs:?}"
        );
    }
    panic!("no far finder: {runs:?}");
}

#[test]
fn backup_restores_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = format!("{FIXTURES}/shares/valid-v2.json");
    let (code, err) = run(
        &["share", "encrypt", &plain, "--out", "share_1.json.age"],
        dir,
    );
    assert_eq!(code, 0, "{err}");
    let original = std::fs::read(dir.join("share_1.json.age")).unwrap();

    let (code, err) = run(
        &["share", "backup", "share_1.json.age", "--out", "sheet.png"],
        dir,
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("one A4 page at 300 dpi"), "{err}");
    let sheet = image::open(dir.join("sheet.png")).unwrap().to_luma8();
    assert_eq!(sheet.dimensions(), (2480, 3508));
    // Never overwritten.
    let before = std::fs::read(dir.join("sheet.png")).unwrap();
    let (code, err) = run(
        &["share", "backup", "share_1.json.age", "--out", "sheet.png"],
        dir,
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "mpcegosign: sheet.png already exists; backup never replaces a file: choose another name\n"
    );
    assert_eq!(std::fs::read(dir.join("sheet.png")).unwrap(), before);

    // A JPEG copy at quality 50.
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 50)
        .encode_image(&sheet)
        .unwrap();
    std::fs::write(dir.join("sheet-q50.jpg"), &jpeg).unwrap();
    // A copy with the first code blacked out.
    let (x0, y0, side) = first_code(&sheet);
    assert!((300..=1000).contains(&side), "code side {side}");
    let mut damaged = sheet.clone();
    for y in y0..y0 + side {
        for x in x0..x0 + side {
            damaged.put_pixel(x, y, Luma([0]));
        }
    }
    damaged.save(dir.join("sheet-damaged.png")).unwrap();

    let key = format!("{FIXTURES}/keys/key1.pub.pem");
    for (i, input) in ["sheet.png", "sheet-q50.jpg", "sheet-damaged.png"]
        .iter()
        .enumerate()
    {
        let out = format!("restored-{i}");
        std::fs::create_dir(dir.join(&out)).unwrap();
        let (code, err) = run(
            &[
                "share", "restore", "--scan", input, "--out", &out, "--public", &key,
            ],
            dir,
        );
        assert_eq!(code, 0, "{input}: {err}");
        assert!(err.contains("matches the public key"), "{err}");
        let restored = std::fs::read(dir.join(&out).join("share_1.json.age")).unwrap();
        assert_eq!(restored, original, "{input} did not restore the same bytes");
    }

    // Restore never overwrites; a wrong key is refused before writing.
    let (code, err) = run(
        &[
            "share",
            "restore",
            "--scan",
            "sheet.png",
            "--out",
            "restored-0",
        ],
        dir,
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("share_1.json.age already exists; restore never replaces a file"),
        "{err}"
    );
    std::fs::create_dir(dir.join("other")).unwrap();
    let other = format!("{FIXTURES}/keys/key2.pub.pem");
    let (code, err) = run(
        &[
            "share",
            "restore",
            "--scan",
            "sheet.png",
            "--out",
            "other",
            "--public",
            &other,
        ],
        dir,
    );
    assert_eq!(code, 1);
    assert!(err.contains("they are from different keys"), "{err}");
    assert_eq!(std::fs::read_dir(dir.join("other")).unwrap().count(), 0);
}

#[test]
fn backup_refuses_plain_shares_and_pictures_without_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = format!("{FIXTURES}/shares/valid-v2.json");
    let (code, err) = run(&["share", "backup", &plain, "--out", "sheet.png"], dir);
    assert_eq!(code, 1);
    assert!(
        err.contains("is not encrypted; a paper backup holds only encrypted shares"),
        "{err}"
    );
    assert!(!dir.join("sheet.png").exists());

    GrayImage::from_pixel(300, 300, Luma([255]))
        .save(dir.join("blank.png"))
        .unwrap();
    let (code, err) = run(
        &["share", "restore", "--scan", "blank.png", "--out", "."],
        dir,
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "mpcegosign: the photos do not restore the share (no backup code found); add photos of more codes (closer, sharper, evenly lit)\n"
    );
}
