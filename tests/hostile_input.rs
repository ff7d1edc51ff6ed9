//! Hostile input does not stop a party: a 1 GiB line (memory stays bounded), invalid
//! UTF-8 (one warning, the ceremony goes on), an age header asking for scrypt work
//! factor 22 or 30 (refused from the header, naming the limit), and an ELF whose
//! payload offset overlaps `.oeinfo` (refused before any truncation). Each gets its
//! own clear line and no panic (exit code 1, never 101).

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use support::elf::{self, ExeSpec};
use support::party::{Party, BIN};

/// Peak resident memory of a live process, in bytes (`VmHWM`).
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .map(|v| v.trim().parse().unwrap())
        .expect("VmHWM in /proc/PID/status");
    kib * 1024
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn a_1_gib_line_and_invalid_utf8_are_skipped_with_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let (d1, d2) = (tmp.path().join("dealer"), tmp.path().join("joiner"));
    std::fs::create_dir_all(&d1).unwrap();
    std::fs::create_dir_all(&d2).unwrap();
    let mut dealer = Party::spawn(
        "dealer",
        &[
            "keygen",
            "--scheme",
            "subsets",
            "--parties",
            "2",
            "--out-dir",
            d1.to_str().unwrap(),
            "--plaintext-share",
            "--yes",
        ],
        &[],
    );
    let init = dealer.next_message();

    let mut joiner = Command::new(BIN)
        .args(["keygen", "--plaintext-share", "--out-dir"])
        .arg(&d2)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = joiner.id();
    let mut stdin = joiner.stdin.take().unwrap();
    let stdout = joiner.stdout.take().unwrap();
    let stderr = joiner.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap());
    let (err_tx, err_rx) = std::sync::mpsc::channel::<String>();
    let err_reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.unwrap();
            all.push_str(&line);
            all.push('\n');
            let _ = err_tx.send(line);
        }
        all
    });
    let wait_for = |needle: &str| loop {
        let line = err_rx
            .recv_timeout(std::time::Duration::from_secs(300))
            .unwrap_or_else(|_| panic!("the joiner never said {needle:?}"));
        if line.contains(needle) {
            return;
        }
    };

    // 1 GiB without a newline, then the newline.
    let chunk = vec![b'A'; 1 << 20];
    for _ in 0..1024 {
        stdin.write_all(&chunk).unwrap();
    }
    stdin.write_all(b"\n").unwrap();
    stdin.flush().unwrap();
    wait_for("longer than");
    let peak = peak_rss(pid);
    eprintln!(
        "peak RSS of the joiner after a 1 GiB line: {} MiB",
        peak >> 20
    );
    assert!(
        peak < 256 << 20,
        "the joiner's peak RSS is {} MiB after a 1 GiB line",
        peak >> 20
    );

    // One invalid UTF-8 byte, then the real KEYGEN-INIT: the ceremony goes on.
    stdin.write_all(b"mpcegosign2:\xff\n").unwrap();
    writeln!(stdin, "{init}").unwrap();
    stdin.flush().unwrap();
    wait_for("KEYGEN-JOIN");
    drop(stdin);
    let status = joiner.wait().unwrap();
    let out = out_reader.join().unwrap();
    let err = err_reader.join().unwrap();
    assert!(
        out.contains("mpcegosign2:"),
        "the joiner sent its JOIN: {err}"
    );
    assert_eq!(
        count(&err, "unreadable line: it is longer than"),
        1,
        "{err}"
    );
    assert_eq!(
        count(&err, "unreadable line: it is not UTF-8 text"),
        1,
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    // Stdin ended while waiting for the FINALIZE: a clean failure, not a panic.
    assert_eq!(status.code(), Some(1), "{err}");
    dealer.finish();
}

/// An encrypted share whose scrypt stanza asks for `work_factor`.
fn share_with_work_factor(dir: &Path, work_factor: u8) -> std::path::PathBuf {
    let pass = dir.join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    let enc = support::encrypted::encrypted_fixture_share(dir, &pass);
    let text = String::from_utf8_lossy(&std::fs::read(&enc).unwrap()).into_owned();
    assert!(text.contains(" 10\n"));
    let edited = dir.join(format!("share_wf{work_factor}.json.age"));
    // The work factor is the scrypt stanza's last argument, read before the MAC.
    std::fs::write(
        &edited,
        text.replacen(" 10\n", &format!(" {work_factor}\n"), 1),
    )
    .unwrap();
    edited
}

#[test]
fn age_work_factors_22_and_30_are_refused_from_the_header() {
    let tmp = tempfile::tempdir().unwrap();
    for wf in [22u8, 30] {
        let dir = tmp.path().join(format!("wf{wf}"));
        std::fs::create_dir_all(&dir).unwrap();
        let file = share_with_work_factor(&dir, wf);
        let started = std::time::Instant::now();
        let out = Command::new(BIN)
            .args(["share", "info", "--passphrase-file"])
            .arg(dir.join("pass"))
            .arg(&file)
            .env_remove("MPCEGOSIGN_PASSPHRASE")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        eprintln!("work factor {wf}: refused after {:?}", started.elapsed());
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!(
                "scrypt work factor {wf}, above this tool's limit of 20"
            )),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}

/// An EGo-like executable with a payload whose recorded offset lies inside `.oeinfo`.
fn overlapping_elf() -> Vec<u8> {
    let mut exe = elf::go_exe(&ExeSpec::default());
    let oeinfo = mpcegosign::sgx::oeinfo::Oeinfo::locate(&exe).unwrap();
    let offset = oeinfo.offset + 16;
    let size = exe.len() as u64 - offset;
    oeinfo.set_payload(&mut exe, offset, size);
    exe
}

#[test]
fn an_elf_whose_payload_overlaps_oeinfo_is_refused_before_truncation() {
    let original = overlapping_elf();
    let mut exe = original.clone();
    let err = mpcegosign::ego::embed_payload(&mut exe, b"{}").unwrap_err();
    assert!(
        matches!(err, mpcegosign::ego::EmbedError::PayloadInsideElf { .. }),
        "{err:?}"
    );
    assert_eq!(exe, original, "nothing was cut or written");
    assert!(mpcegosign::ego::embed::read_payload(&original).is_err());

    // Through the command line: one line, exit code 1 (it used to panic with 101).
    let tmp = tempfile::tempdir().unwrap();
    let ego = tmp.path().join("ego");
    support::ego::fake_install(&ego, "/bin/true");
    let app = tmp.path().join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("app"), &original).unwrap();
    std::fs::write(
        app.join("enclave.json"),
        r#"{"exe":"app","key":"private.pem","debug":false,"heapSize":512,"productID":1,"securityVersion":1}"#,
    )
    .unwrap();
    // A plain share as keygen leaves it, readable by its owner only (a looser one is
    // warned about, on a line of its own).
    let share = tmp.path().join("share_1.json");
    std::fs::copy("tests/fixtures/shares/valid-v2.json", &share).unwrap();
    std::fs::set_permissions(&share, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let out = Command::new(BIN)
        .current_dir(&app)
        .args(["sign", "--config", "enclave.json", "--share"])
        .arg(&share)
        .arg("--ego")
        .arg(&ego)
        .env_remove("EGO_PATH")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("payload offset"), "{err}");
    assert!(!app.join("app.signed").exists());
}
