//! Ctrl-C typed on a real terminal (a pseudo-terminal from util-linux `script`) at a
//! passphrase prompt, and while a joiner waits for a paste: the process ends with its
//! one line, and the terminal's echo and line mode are back for the shell that comes
//! next.

mod support;

use std::time::Duration;

use support::encrypted::encrypted_fixture_share;
use support::party::BIN;
use support::script::Terminal;

#[test]
fn ctrl_c_at_a_passphrase_prompt_puts_the_echo_back() {
    let tmp = tempfile::tempdir().unwrap();
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    let file = encrypted_fixture_share(tmp.path(), &pass);

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
    let mut terminal = Terminal::spawn(&command, &[("SHELL", "/bin/bash")]);
    terminal.wait_for(prompt);
    // The prompt is shown before the terminal mode is set; give the tool a moment to
    // be reading.
    std::thread::sleep(Duration::from_millis(300));
    // Ctrl-C, typed: the terminal sends SIGINT to the foreground process group.
    terminal.type_text("\x03");
    terminal.wait_for("exit=");
    terminal.wait_for("speed");
    let (_, out) = terminal.close();
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
