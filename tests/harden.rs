//! The CLI hardens itself at start: no core dumps (`RLIMIT_CORE` 0), not dumpable
//! (another process of the same user cannot read its memory or environment), and,
//! with `CAP_IPC_LOCK` (root), memory locked against swapping.

mod support;

use std::process::Command;

use support::party::{Party, BIN};

fn status_field(pid: u32, field: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
        .trim()
        .to_string()
}

#[test]
fn no_core_dumps_and_memory_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let joiner = Party::spawn(
        "joiner",
        &[
            "keygen",
            "--plaintext-share",
            "--out-dir",
            tmp.path().to_str().unwrap(),
        ],
        &[],
    );
    joiner.wait_stderr("Paste the KEYGEN-INIT message");
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", joiner.pid)).unwrap();
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap();
    let values: Vec<&str> = core.split_whitespace().skip(4).take(2).collect();
    assert_eq!(values, ["0", "0"], "{core}");
    if rustix::process::geteuid().is_root() {
        let locked = status_field(joiner.pid, "VmLck:");
        let kib: u64 = locked.trim_end_matches("kB").trim().parse().unwrap();
        assert!(kib > 0, "no memory locked: VmLck {locked}");
    }
    let end = joiner.finish();
    assert!(!end.stderr.contains("Warning"), "{}", end.stderr);
}

/// Runs `argv` as user `nobody`.
fn as_nobody(argv: &[&str]) -> Command {
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(argv);
    c
}

#[test]
fn another_process_of_the_same_user_cannot_read_its_memory() {
    if !rustix::process::geteuid().is_root() {
        eprintln!("skipped: needs root to run both processes as another user");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    std::fs::create_dir_all(&dir).unwrap();
    Command::new("chown")
        .args(["65534:65534"])
        .arg(&dir)
        .status()
        .unwrap();
    std::fs::set_permissions(
        tmp.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    // A copy that `nobody` can reach, wherever the build directory is.
    let bin = tmp.path().join("mpcegosign");
    std::fs::copy(BIN, &bin).unwrap();
    let mut party = as_nobody(&[
        bin.to_str().unwrap(),
        "keygen",
        "--plaintext-share",
        "--out-dir",
        dir.to_str().unwrap(),
    ])
    .stdin(std::process::Stdio::piped())
    .stdout(std::process::Stdio::piped())
    .stderr(std::process::Stdio::piped())
    .spawn()
    .unwrap();
    let mut plain = as_nobody(&["sleep", "30"]).spawn().unwrap();
    // setpriv execs its command, so the pids are those of mpcegosign and sleep.
    let read = |pid: u32| {
        // Wait until the exec happened (the comm changes from setpriv).
        for _ in 0..100 {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() != "setpriv" {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        as_nobody(&["cat", &format!("/proc/{pid}/environ")])
            .output()
            .unwrap()
    };
    let control = read(plain.id());
    let hardened = read(party.id());
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", party.id())).unwrap_or_default();
    assert_eq!(comm.trim(), "mpcegosign", "mpcegosign runs as nobody");
    let _ = plain.kill();
    let _ = plain.wait();
    drop(party.stdin.take());
    let _ = party.wait();
    assert!(
        control.status.success(),
        "control: the same user reads an ordinary process: {}",
        String::from_utf8_lossy(&control.stderr)
    );
    assert!(
        !hardened.status.success(),
        "the same user read mpcegosign's environment"
    );
    assert!(
        String::from_utf8_lossy(&hardened.stderr).contains("Permission denied"),
        "{}",
        String::from_utf8_lossy(&hardened.stderr)
    );
}
