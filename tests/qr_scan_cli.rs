//! `--scan` that talks: a missing path fails at once, unreadable files are named
//! once, the timeout says what was missing per message; an empty folder says so
//! within 5 s, a symlink loop ends within `--scan-timeout`, and messages are
//! counted apart.

#[path = "support/tmux.rs"]
mod tmux;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tmux::{start_80x24, tmux};

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
        err.contains("nothing more in 2 s")
            && err.contains("1 message unfinished, the most advanced .: 1 distinct frame of about 11 needed (message ")
            && err.contains("show more frames"),
        "{err}"
    );
    assert!(!err.contains("1 frames"), "{err}");
}

/// A joiner scanning `scan` with `--scan-timeout secs`; each stderr line with the
/// time it came, until `stop` says enough (then the joiner is ended) or it exits.
fn watch(
    scan: &std::path::Path,
    secs: u64,
    stop: impl Fn(&str) -> bool,
) -> (Vec<(Duration, String)>, bool) {
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(BIN)
        .args(["keygen", "--plaintext-share", "--transport", "qr"])
        .args(["--scan-timeout", &secs.to_string()])
        .arg("--out-dir")
        .arg(out.path())
        .arg("--scan")
        .arg(scan)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    let mut lines = Vec::new();
    let mut stopped = false;
    for line in std::io::BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        let done = stop(&line);
        lines.push((t.elapsed(), line));
        if done {
            stopped = true;
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    (lines, stopped)
}

#[test]
fn an_empty_folder_says_so_within_5_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let (lines, stopped) = watch(tmp.path(), 60, |l| {
        l.contains("no frame of this ceremony yet")
    });
    assert!(stopped, "{lines:?}");
    let (at, line) = lines.last().unwrap();
    assert!(*at < Duration::from_secs(5), "{at:?}: {line}");
    assert!(line.contains("(0 image files read in "), "{line}");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_ends_within_the_scan_timeout() {
    let tmp = tempfile::tempdir().unwrap();
    let scan = tmp.path().join("scan");
    std::fs::create_dir_all(scan.join("a/b")).unwrap();
    std::os::unix::fs::symlink(".", scan.join("loop1")).unwrap();
    std::os::unix::fs::symlink(".", scan.join("loop2")).unwrap();
    std::os::unix::fs::symlink("../..", scan.join("a/b/up")).unwrap();
    airgap::image::GrayImage::from_pixel(64, 64, airgap::image::Luma([200]))
        .save(scan.join("a/blank.png"))
        .unwrap();
    let t = Instant::now();
    let (lines, _) = watch(&scan, 3, |_| false);
    let all: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    assert!(
        t.elapsed() < Duration::from_secs(8),
        "{:?}: {all:?}",
        t.elapsed()
    );
    // The one file is read once, named relative to the scan root.
    let named: Vec<&&str> = all
        .iter()
        .filter(|l| l.contains("no QR code found"))
        .collect();
    assert_eq!(named.len(), 1, "{all:?}");
    assert!(
        named[0].contains("mpcegosign: a/blank.png: no QR code found"),
        "{all:?}"
    );
    assert!(
        all.iter().any(|l| l.contains("no frames at all in 3 s")),
        "{all:?}"
    );
}

/// Frames of two unfinished messages, in two folders: each is counted on its own,
/// and when the folder stops growing each asks for its own frames.
#[test]
fn two_unfinished_messages_are_counted_apart_and_ask_for_more() {
    let tmp = tempfile::tempdir().unwrap();
    let scan = tmp.path().join("scan");
    let put = |folder: &str, message: &[u8], n: usize| {
        let dir = scan.join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        let mut enc = airgap::Encoder::new(message, 100).unwrap();
        for (i, f) in enc.frames(n).iter().enumerate() {
            std::fs::write(
                dir.join(format!("frame-{i:04}.png")),
                airgap::render::to_png(f, 4).unwrap(),
            )
            .unwrap();
        }
    };
    let mut a = vec![1u8; 1_000];
    a[1] = 7;
    let mut b = vec![1u8; 500];
    b[1] = 9;
    put("111-004-keygen-finalize-for-party-2", &a, 3);
    put("111-005-keygen-finalize-for-party-3", &b, 1);
    let (lines, stopped) = watch(&scan, 60, |l| l.contains("for-party-2: the folder stopped"));
    let all: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    assert!(stopped, "{all:?}");
    let status = all
        .iter()
        .find(|l| l.starts_with("the KEYGEN-INIT message: ") && l.contains("; "))
        .unwrap_or_else(|| panic!("{all:?}"));
    assert!(
        status.contains(
            ": 111-004-keygen-finalize-for-party-2: 3 distinct frames of about 11 needed"
        ) && status
            .contains("; 111-005-keygen-finalize-for-party-3: 1 distinct frame of about 6 needed"),
        "{status}"
    );
    assert!(
        !all.iter().any(|l| l.contains("4 distinct frames")),
        "{all:?}"
    );
    let ask = all
        .iter()
        .find(|l| l.contains("for-party-2: the folder stopped"))
        .unwrap();
    assert!(
        ask.contains("at least 8 more frames needed")
            && ask.contains("mpcegosign qr-more <its --qr-out folder>/111-004-keygen-finalize-for-party-2 --frames 12"),
        "{ask}"
    );
}

/// Captures the pane until `want` holds (up to `secs`), returning the last capture.
fn pane_until(session: &str, secs: u64, want: impl Fn(&str) -> bool) -> (String, Duration) {
    let t = Instant::now();
    let mut last = String::new();
    while t.elapsed() < Duration::from_secs(secs) {
        last = tmux(&["capture-pane", "-p", "-J", "-t", session]);
        if want(&last) {
            break;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    (last, t.elapsed())
}

/// On a real terminal (tmux, 80x24): the empty folder's line within 5 s, one live
/// line that counts the frames as they come, and the request for more frames.
#[test]
fn on_a_terminal_the_scan_shows_one_live_line_and_asks_for_more() {
    let tmp = tempfile::tempdir().unwrap();
    let scan = tmp.path().join("scan");
    let folder = scan.join("777-002-keygen-init");
    std::fs::create_dir_all(&folder).unwrap();
    let session = format!("mpcegosign-scan-{}", std::process::id());
    let cmd = format!(
        "{BIN} keygen --plaintext-share --out-dir {} --transport qr --scan {} --scan-timeout 60; sleep 30",
        tmp.path().display(),
        scan.display()
    );
    start_80x24(&session, &cmd);
    let (empty, at) = pane_until(&session, 10, |p| {
        p.contains("no frame of this ceremony yet")
    });
    let mut message = vec![1u8; 1_000];
    message[1] = 7;
    let mut enc = airgap::Encoder::new(&message, 100).unwrap();
    for (i, f) in enc.frames(3).iter().enumerate() {
        let tmp_png = folder.join(format!(".{i}.part"));
        std::fs::write(&tmp_png, airgap::render::to_png(f, 4).unwrap()).unwrap();
        std::fs::rename(&tmp_png, folder.join(format!("frame-{i:04}.png"))).unwrap();
    }
    let (asked, _) = pane_until(&session, 20, |p| {
        p.contains("the folder stopped growing") && p.contains("3 distinct frames of about")
    });
    tmux(&["kill-session", "-t", &session]);
    assert!(at < Duration::from_secs(5), "{at:?}\n{empty}");
    assert!(empty.contains("(0 image files read in "), "{empty}");
    assert!(
        asked.contains("777-002-keygen-init: 3 distinct frames of about 11 needed"),
        "{asked}"
    );
    assert!(
        asked.contains("mpcegosign qr-more <its --qr-out folder>/777-002-keygen-init --frames 12"),
        "{asked}"
    );
    // One live line: the counts were rewritten in place, not stacked.
    assert!(!asked.contains("1 distinct frame of"), "{asked}");
    assert!(asked
        .lines()
        .all(|l| l.chars().count() <= 80 || l.contains("qr-more")));
}
