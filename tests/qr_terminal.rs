//! The QR animation on a real 80x24 terminal (tmux): frames fit, and frame numbers
//! keep rising (fresh fountain parts, not a loop of the same frames).

#[path = "support/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use tmux::{start_80x24, tmux};

const BIN: &str = env!("CARGO_BIN_EXE_mpcegosign");

/// The frame number on the status line of a pane capture.
fn frame_number(pane: &str) -> Option<usize> {
    let at = pane.find(": frame ")? + ": frame ".len();
    pane[at..].split(' ').next()?.parse().ok()
}

#[test]
fn the_animation_fits_80x24_and_streams_rising_frame_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let session = format!("mpcegosign-qr-{}", std::process::id());
    let cmd = format!(
        "{BIN} keygen --parties 3 --threshold 2 --out-dir {} --yes --plaintext-share --transport qr --fps 10 --scan-timeout 5; sleep 30",
        dir.path().display()
    );
    start_80x24(&session, &cmd);
    let size = tmux(&[
        "display",
        "-p",
        "-t",
        &session,
        "#{pane_width}x#{pane_height}",
    ]);
    let mut numbers = Vec::new();
    let mut last = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while numbers.len() < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(700));
        last = tmux(&["capture-pane", "-p", "-t", &session]);
        if let Some(n) = frame_number(&last) {
            if numbers.last() != Some(&n) {
                numbers.push(n);
            }
        }
    }
    tmux(&["send-keys", "-t", &session, "Enter"]);
    tmux(&["kill-session", "-t", &session]);
    assert_eq!(size.trim(), "80x24");
    assert!(numbers.len() >= 4, "no animation seen: {numbers:?}\n{last}");
    assert!(numbers.windows(2).all(|w| w[1] > w[0]), "{numbers:?}");
    // The whole code is on screen: the quiet zone's first row (full blocks) on top,
    // and the status line still visible below the code.
    let lines: Vec<&str> = last.lines().collect();
    assert!(lines.len() <= 24 && lines.iter().all(|l| l.chars().count() <= 80));
    assert!(lines[0].contains('█'), "{last}");
    assert!(last.contains("needed)"), "{last}");
}
