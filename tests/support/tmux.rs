//! A real terminal for tests: tmux, run as a command, and a detached 80x24 session.

use std::process::Command;

/// Runs `tmux ARGS…` and returns its stdout.
pub fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux (installed by .ci/deps)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts the detached tmux session `session`, 80 columns by 24 rows, running the
/// shell command `cmd`.
pub fn start_80x24(session: &str, cmd: &str) {
    tmux(&[
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "80",
        "-y",
        "24",
        cmd,
    ]);
}
