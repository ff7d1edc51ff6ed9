//! One `mpcegosign` (or other) command run to its end, as the tests assert on it.

use std::process::Command;

/// Runs `cmd` to its end: its exit code (-1 when a signal ended it), stdout and
/// stderr, as lossy UTF-8.
pub fn outcome(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
