//! `mpcegosign demo` through a process: the whole 2-of-3 keygen and signing, each
//! party's screen, the key code, the review table and the checked signature, in
//! under a minute; no file left behind; `--keep DIR`, `--full` and `--step`.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mpcegosign::key::PublicKey;
use mpcegosign::protocol::{parts, text};
use mpcegosign::sgx::Sigstruct;
use support::cli::outcome;

fn demo(tmp: &Path, cwd: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mpcegosign"));
    cmd.arg("demo")
        .env("TMPDIR", tmp)
        .current_dir(cwd)
        .stdin(Stdio::null());
    cmd
}

/// The key codes shown, in order.
fn key_codes(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Key code: "))
        .map(str::to_string)
        .collect()
}

fn is_code(c: &str) -> bool {
    let groups: Vec<&str> = c.split('-').collect();
    groups.len() == 4
        && groups
            .iter()
            .all(|g| g.len() == 4 && g.chars().all(|ch| ch.is_ascii_hexdigit()))
}

#[test]
fn demo_shows_every_screen_and_checks_the_signature_in_under_a_minute() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (code, stdout, stderr) = outcome(&mut demo(dir.path(), dir.path()));
    let took = started.elapsed();
    eprintln!("mpcegosign demo took {took:?}");
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
    assert!(took < Duration::from_secs(60), "demo took {took:?}");
    for header in [
        "── Party 1 (Alice",
        "── Party 2 (Bob, air-gapped laptop) ──",
        "── Party 3 (Carol, air-gapped laptop) ──",
    ] {
        assert!(stdout.contains(header), "no header {header}:\n{stdout}");
    }
    // The dealer's screen and each joiner's: one key code, the same everywhere.
    let codes = key_codes(&stdout);
    assert_eq!(codes.len(), 3, "{stdout}");
    assert!(is_code(&codes[0]), "{}", codes[0]);
    assert!(codes.iter().all(|c| *c == codes[0]), "{codes:?}");
    // Bob's review table of the SIGSTRUCT, before his approval.
    let review = stdout.find("Signing request from party 1").expect(&stdout);
    let approval = stdout.find("Sign this enclave? [y/N] y").expect(&stdout);
    assert!(review < approval);
    for row in [
        "MRENCLAVE  ",
        "MRSIGNER   ",
        "ISVPRODID  1",
        "ISVSVN     1",
        "DEBUG      no",
        "Origin     signed by party 1",
    ] {
        assert!(
            stdout[review..approval].contains(row),
            "no row {row}:\n{stdout}"
        );
    }
    // The long KEYGEN-FINALIZE went as numbered parts, and was read back whole.
    assert!(stdout.contains("mpcegosign2-part:"), "{stdout}");
    assert!(
        stdout.contains("is whole and its checksum verifies"),
        "{stdout}"
    );
    let checked = stdout.find("signature checked: valid").expect(&stdout);
    assert!(stdout[checked..].contains("compared with a one-key signature"));
    let real = stdout.find("How to run the real thing").expect(&stdout);
    assert!(real > checked);
    assert!(stdout[real..].contains("docs/ceremony.md"));
    assert!(stdout[real..].contains("mpcegosign keygen --parties 3 --threshold 2"));
}

#[test]
fn demo_leaves_no_file_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let (code, _, stderr) = outcome(&mut demo(tmp.path(), cwd.path()));
    assert_eq!(code, 0, "{stderr}");
    for dir in [tmp.path(), cwd.path()] {
        let left: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
        assert!(left.is_empty(), "{} holds {left:?}", dir.display());
    }
}

#[test]
fn keep_writes_public_files_that_verify_and_full_shows_them_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let kept = tmp.path().join("kept");
    let (code, stdout, stderr) = outcome(
        demo(tmp.path(), tmp.path())
            .arg("--full")
            .arg("--keep")
            .arg(&kept),
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains(&format!("The demo's files are in {}", kept.display())));
    let mut names: Vec<String> = std::fs::read_dir(&kept)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "messages.txt",
            "public.pem",
            "sample.sigstruct",
            "sample.sigstruct.signed"
        ]
    );
    // Only the temporary parent and the kept folder: nothing else was written.
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    let public =
        PublicKey::from_pem(&std::fs::read_to_string(kept.join("public.pem")).unwrap()).unwrap();
    let signed =
        Sigstruct::from_bytes(&std::fs::read(kept.join("sample.sigstruct.signed")).unwrap())
            .unwrap();
    signed.verify(Some(&public)).unwrap();
    let unsigned =
        Sigstruct::from_bytes(&std::fs::read(kept.join("sample.sigstruct")).unwrap()).unwrap();
    assert_eq!(unsigned.regions(), signed.regions());
    assert!(stdout.contains(&hex::encode(public.mrsigner())));
    // The chat: six messages, each of whole lines that read back.
    let chat = std::fs::read_to_string(kept.join("messages.txt")).unwrap();
    let mut messages = 0;
    let mut assembler = parts::Assembler::new();
    for line in chat.lines() {
        if line.starts_with('#') {
            continue;
        }
        // --full: the screens show every line exactly as it is posted.
        assert!(
            stdout.contains(&format!("    {line}\n")),
            "not shown whole: {line}"
        );
        if parts::is_part(line) {
            if let parts::Fed::Whole { .. } = assembler.feed(parts::parse(line).unwrap()).unwrap() {
                messages += 1;
            }
        } else {
            text::decode(line).unwrap();
            messages += 1;
        }
    }
    assert_eq!(messages, 6, "{chat}");
}

#[test]
fn keep_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("public.pem"), b"mine").unwrap();
    let (code, stdout, stderr) =
        outcome(demo(tmp.path(), tmp.path()).arg("--keep").arg(tmp.path()));
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("is not empty"), "{stderr}");
    assert_eq!(
        std::fs::read(tmp.path().join("public.pem")).unwrap(),
        b"mine"
    );
}

#[test]
fn step_waits_for_enter_and_goes_on_when_input_ends() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = demo(tmp.path(), tmp.path())
        .arg("--step")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Three Enters, then the end of the input: the rest runs without waiting.
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"\n\n\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.matches("[Enter: next screen]").count() >= 4,
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("signature checked"));
}
