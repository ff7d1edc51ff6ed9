//! Ctrl-C typed on a real terminal (a pseudo-terminal from util-linux `script`) at a
//! passphrase prompt, and while a joiner waits for a paste: the process ends with its
//! one line, and the terminal's echo and line mode are back for the shell that comes
//! next.

mod support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::party::BIN;

const WORK_FACTOR: (&str, &str) = ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10");

#[test]
fn ctrl_c_at_a_passphrase_prompt_puts_the_echo_back() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = tmp.path().join("share_1.json");
    std::fs::copy("tests/fixtures/shares/valid-v2.json", &plain).unwrap();
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    let enc = Command::new(BIN)
        .args(["share", "encrypt", "--passphrase-file"])
        .arg(&pass)
        .arg(&plain)
        .env(WORK_FACTOR.0, WORK_FACTOR.1)
        .output()
        .unwrap();
    assert!(
        enc.status.success(),
        "{}",
        String::from_utf8_lossy(&enc.stderr)
    );
    let file = tmp.path().join("share_1.json.age");

    let command = format!("{BIN} share info {}", file.display());
    let out = ctrl_c_at(&command, "Passphrase for");
    assert!(
        out.contains("mpcegosign: interrupted by Ctrl-C (SIGINT); nothing was kept; no temporary file is left"),
        "{out}"
    );
    assert!(out.contains("exit=130"), "{out}");
    let flags: Vec<&str> = out.split_whitespace().collect();
    assert!(
        flags.contains(&"echo"),
        "echo is still off after Ctrl-C:\n{out}"
    );
    assert!(!flags.contains(&"-echo"), "{out}");
}

/// Runs `command` on a pseudo-terminal (util-linux `script`), types Ctrl-C once
/// `prompt` shows, and returns everything the terminal showed: the tool's line, then
/// `exit=N` and `stty -a` run by the shell on the same terminal afterwards.
fn ctrl_c_at(command: &str, prompt: &str) -> String {
    let command = format!("{command}; echo exit=$?; stty -a");
    let mut script = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("SHELL", "/bin/bash")
        .env_remove("MPCEGOSIGN_PASSPHRASE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script (util-linux) runs the command on a pseudo-terminal");
    let mut stdin = script.stdin.take().unwrap();
    let mut stdout = script.stdout.take().unwrap();
    let output = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&output);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let wait_for = |needle: &str| {
        for _ in 0..600 {
            if output.lock().unwrap().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("never saw {needle:?}: {}", output.lock().unwrap());
    };
    wait_for(prompt);
    // The prompt is shown before the terminal mode is set; give the tool a moment to
    // be reading.
    std::thread::sleep(Duration::from_millis(300));
    // Ctrl-C, typed: the terminal sends SIGINT to the foreground process group.
    stdin.write_all(b"\x03").unwrap();
    stdin.flush().unwrap();
    wait_for("exit=");
    wait_for("speed");
    drop(stdin);
    let _ = script.wait().unwrap();
    reader.join().unwrap();
    let out = output.lock().unwrap().clone();
    out
}

#[test]
fn ctrl_c_while_waiting_for_a_paste_puts_the_line_mode_back() {
    // A joiner reads pasted messages with the terminal out of canonical mode (no
    // 4,095-byte line limit); Ctrl-C there must leave the shell a normal terminal.
    let tmp = tempfile::tempdir().unwrap();
    let command = format!(
        "{BIN} keygen --plaintext-share --out-dir {}",
        tmp.path().display()
    );
    let out = ctrl_c_at(&command, "Paste the KEYGEN-INIT");
    assert!(
        out.contains("mpcegosign: interrupted by Ctrl-C (SIGINT)"),
        "{out}"
    );
    assert!(out.contains("exit=130"), "{out}");
    let flags: Vec<&str> = out.split_whitespace().collect();
    assert!(
        flags.contains(&"icanon") && !flags.contains(&"-icanon"),
        "the terminal is still out of canonical mode after Ctrl-C:\n{out}"
    );
    assert!(flags.contains(&"echo"), "{out}");
}
