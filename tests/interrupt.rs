//! Interrupted ceremonies lose nothing, through real processes: a dealer killed
//! (SIGKILL) or interrupted (Ctrl-C) at its key-code question keeps its share under
//! an unconfirmed name, `keygen --resume` commits it (and it signs with the joiners'
//! shares) or deletes it; a signal anywhere ends with one line and no temporary file;
//! FIFOs and devices are refused before they are opened; a loose plain share warns.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::ceremony::{assert_signed_by, dealer_args, joiner_args, sign};
use support::fixture_key;
use support::party::{Party, BIN};

const LOG: &str = mpcegosign::audit::LOG_FILE_NAME;
const FAST_SCRYPT: (&str, &str) = ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10");

fn signal(p: &Party, sig: &str) {
    let ok = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(p.pid.to_string())
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{sig} {}", p.pid);
}

/// The names in `dir` (the audit log aside), sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != LOG)
        .collect();
    v.sort();
    v
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Waits until `p` shows a question after `after`: stderr then ends in a prompt,
/// a line not ended by a newline.
fn wait_question(p: &Party, after: &str) {
    for _ in 0..1200 {
        let e = p.stderr_so_far();
        if let Some(i) = e.rfind(after) {
            let tail = &e[i..];
            if tail.contains('?') && !tail.ends_with('\n') {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{}: no question after {after:?}:\n{}",
        p.name,
        p.stderr_so_far()
    );
}

/// The code printed on `p`'s "`label` XXXX-…" line.
fn code_after(p: &Party, label: &str) -> String {
    let e = p.stderr_so_far();
    let at = e
        .rfind(label)
        .unwrap_or_else(|| panic!("no {label:?} in:\n{e}"));
    e[at + label.len()..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '-')
        .collect()
}

/// Answers the key-code question shown by `p` (a y/N question, or one that asks for
/// the code's last group).
fn confirm_key_code(p: &mut Party, code: &str) {
    wait_question(p, "Key code: ");
    let prompt = p.stderr_so_far();
    if prompt.trim_end().ends_with("[y/N]") {
        p.send_line("y");
    } else {
        p.send_line(code.rsplit('-').next().unwrap());
    }
}

/// Spawns a 2-of-2 keygen of the fixture key and brings it to the dealer's key-code
/// question. Returns (dealer, joiner, FINALIZE, dealer's session code).
fn to_key_code_question(
    d1: &Path,
    d2: &Path,
    extra: &[&str],
    joiner_extra: &[&str],
) -> (Party, Party, String, String) {
    std::fs::create_dir_all(d1).unwrap();
    std::fs::create_dir_all(d2).unwrap();
    let key = fixture_key("key1.pem");
    let mut a = dealer_args("2", &["--out-dir", d1.to_str().unwrap(), "--import", &key]);
    a.extend_from_slice(extra);
    let mut dealer = Party::spawn("dealer", &a, &[FAST_SCRYPT]);
    let init = dealer.next_message();
    let mut j = joiner_args(d2.to_str().unwrap(), &[]);
    j.extend_from_slice(joiner_extra);
    let mut joiner = Party::spawn("joiner", &j, &[FAST_SCRYPT]);
    joiner.send_line(&init);
    let join = joiner.next_message();
    dealer.send_line(&join);
    wait_question(&dealer, "Did every party confirm its fingerprint");
    dealer.send_line("y");
    let fin = dealer.next_message();
    wait_question(&dealer, "Key code: ");
    let session = code_after(&dealer, "Session code: ");
    (dealer, joiner, fin, session)
}

#[test]
fn killed_dealer_and_interrupted_joiner_resume_and_sign() {
    let tmp = tempfile::tempdir().unwrap();
    let (d1, d2) = (tmp.path().join("party1"), tmp.path().join("party2"));
    let plain = ["--plaintext-share"];
    let (dealer, mut joiner, fin, session) = to_key_code_question(&d1, &d2, &plain, &plain);
    let code = code_after(&dealer, "Key code: ");

    // SIGKILL at the question: only the unconfirmed share is left, mode 0600.
    signal(&dealer, "KILL");
    let end = dealer.wait_exit();
    assert!(!end.status.success());
    let kept_name = format!("share_1.unconfirmed-{session}.json");
    assert_eq!(names(&d1), vec![kept_name.clone()]);
    let kept = d1.join(&kept_name);
    assert_eq!(mode(&kept), 0o600);

    // The joiner, interrupted (SIGTERM) at its own question, keeps its share too.
    joiner.send_line(&fin);
    wait_question(&joiner, "Key code: ");
    assert_eq!(code_after(&joiner, "Key code: "), code);
    signal(&joiner, "TERM");
    let j = joiner.wait_exit();
    assert_eq!(j.status.code(), Some(128 + 15), "{}", j.stderr);
    let joiner_kept = d2.join(format!("share_2.unconfirmed-{session}.json"));
    let last = j.stderr.trim_end().lines().last().unwrap().to_string();
    assert!(
        last.starts_with("mpcegosign: interrupted by SIGTERM; kept the unconfirmed share"),
        "{last}"
    );
    assert!(
        last.contains(&format!("keygen --resume {}", joiner_kept.display())),
        "{last}"
    );
    assert_eq!(
        names(&d2),
        vec![format!("share_2.unconfirmed-{session}.json")]
    );

    // Every later run in that directory says so: a new keygen refuses to start.
    let again = Command::new(BIN)
        .args(["keygen", "--parties", "2", "--yes", "--plaintext-share"])
        .args(["--scheme", "subsets", "--import", &fixture_key("key1.pem")])
        .arg("--out-dir")
        .arg(&d1)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!("keygen --resume {}", kept.display())),
        "{err}"
    );
    assert_eq!(names(&d1), vec![kept_name.clone()]);

    // The joiner resumes the scripted way.
    let jr = Command::new(BIN)
        .args(["keygen", "--yes", "--resume"])
        .arg(&joiner_kept)
        .output()
        .unwrap();
    assert!(
        jr.status.success(),
        "{}",
        String::from_utf8_lossy(&jr.stderr)
    );
    assert_eq!(
        names(&d2),
        vec!["public.pem".to_string(), "share_2.json".to_string()]
    );
    // A public.pem of another key beside the dealer's unconfirmed share is not
    // replaced: resume refuses, and the unconfirmed share stays.
    std::fs::copy(
        support::fixture_key_path("key2.pub.pem"),
        d1.join("public.pem"),
    )
    .unwrap();
    let refused = Command::new(BIN)
        .args(["keygen", "--yes", "--resume"])
        .arg(&d1)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{err}");
    assert!(err.contains("public.pem already exists"), "{err}");
    assert!(kept.exists());
    // The same key's public.pem (copied from the joiner) is kept as it is.
    std::fs::copy(d2.join("public.pem"), d1.join("public.pem")).unwrap();

    // The dealer resumes: the same key code, asked again, then the share is in place.
    let mut resume = Party::spawn("resume", &["keygen", "--resume", d1.to_str().unwrap()], &[]);
    wait_question(&resume, "Key code: ");
    assert_eq!(code_after(&resume, "Key code: "), code);
    confirm_key_code(&mut resume, &code);
    let r = resume.succeed();
    assert!(r.stderr.contains("Saved"), "{}", r.stderr);
    assert_eq!(
        names(&d1),
        vec!["public.pem".to_string(), "share_1.json".to_string()]
    );
    assert_eq!(mode(&d1.join("share_1.json")), 0o600);

    // The resumed shares sign together.
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u.bin"), false, [0x3c; 32]);
    let out = tmp.path().join("signed");
    let s1 = d1.join("share_1.json");
    let end = sign(
        &[
            "sign",
            "--sigstruct",
            unsigned.to_str().unwrap(),
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            "1,2",
        ],
        &[(d2.join("share_2.json"), vec![])],
        &[],
    );
    assert!(end.status.success(), "{}", end.stderr);
    assert_signed_by(&out, &d1.join("public.pem"));

    // A plain share others can read: one warning with the chmod that fixes it.
    std::fs::set_permissions(&s1, std::fs::Permissions::from_mode(0o644)).unwrap();
    let info = Command::new(BIN)
        .args(["share", "info"])
        .arg(&s1)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&info.stderr);
    assert!(info.status.success(), "{err}");
    assert!(
        err.contains(&format!("run `chmod 600 {}`", s1.display())),
        "{err}"
    );
    assert!(err.contains("mode 0644"), "{err}");
    assert_eq!(
        mode(&s1),
        0o644,
        "the mode is not changed behind the person's back"
    );
    std::fs::set_permissions(&s1, std::fs::Permissions::from_mode(0o600)).unwrap();
    let info = Command::new(BIN)
        .args(["share", "info"])
        .arg(&s1)
        .output()
        .unwrap();
    assert!(
        info.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
}

#[test]
fn ctrl_c_at_the_key_code_question_keeps_the_share_and_no_at_resume_deletes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (d1, d2) = (tmp.path().join("party1"), tmp.path().join("party2"));
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    let p = ["--passphrase-file", pass.to_str().unwrap()];
    let joiner_args = ["--passphrase-file", pass.to_str().unwrap(), "--yes"];
    let (dealer, mut joiner, fin, session) = to_key_code_question(&d1, &d2, &p, &joiner_args);
    signal(&dealer, "INT");
    let end = dealer.wait_exit();
    assert_eq!(end.status.code(), Some(130), "{}", end.stderr);
    let kept = d1.join(format!("share_1.unconfirmed-{session}.json.age"));
    let last = end.stderr.trim_end().lines().last().unwrap().to_string();
    assert_eq!(
        last,
        format!(
            "mpcegosign: interrupted by Ctrl-C (SIGINT); kept the unconfirmed share {k} (its key code was not confirmed): run `mpcegosign keygen --resume {k}` to compare its key code with the group and keep it or delete it; no temporary file is left",
            k = kept.display()
        )
    );
    assert_eq!(
        names(&d1),
        vec![format!("share_1.unconfirmed-{session}.json.age")]
    );
    assert_eq!(mode(&kept), 0o600);
    joiner.send_line(&fin);
    joiner.succeed();

    // `share info` in that directory names it and what to run.
    let info = Command::new(BIN)
        .args(["share", "info", "--passphrase-file", pass.to_str().unwrap()])
        .arg(d2.join("share_2.json.age"))
        .output()
        .unwrap();
    assert!(info.status.success());
    // (the joiner's directory holds no unconfirmed share: nothing said)
    assert!(
        info.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&info.stderr)
    );
    let info = Command::new(BIN)
        .args(["share", "info", "--passphrase-file", pass.to_str().unwrap()])
        .arg(&kept)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&info.stderr);
    assert!(
        err.contains(&format!("keygen --resume {}", kept.display())),
        "{err}"
    );

    // `sign` refuses the unconfirmed share itself, and with any other share in that
    // directory it names it first.
    let p = pass.to_str().unwrap();
    let refused = run_bounded(&[
        "sign",
        "--passphrase-file",
        p,
        "--share",
        kept.to_str().unwrap(),
    ]);
    assert_eq!(refused.0, Some(1), "{}", refused.1);
    assert!(
        refused.1.contains("is an unconfirmed share"),
        "{}",
        refused.1
    );
    let other = d1.join("share_2.json.age");
    std::fs::copy(d2.join("share_2.json.age"), &other).unwrap();
    let signer = run_bounded(&[
        "sign",
        "--passphrase-file",
        p,
        "--share",
        other.to_str().unwrap(),
    ]);
    assert_eq!(signer.0, Some(1), "the input ended: {}", signer.1);
    let first = signer.1.lines().next().unwrap();
    assert!(first.starts_with("mpcegosign: note: "), "{}", signer.1);
    assert!(
        first.contains(&format!("keygen --resume {}", kept.display())),
        "{first}"
    );
    std::fs::remove_file(&other).unwrap();

    // "No" at resume deletes it.
    let mut resume = Party::spawn(
        "resume",
        &[
            "keygen",
            "--resume",
            kept.to_str().unwrap(),
            "--passphrase-file",
            pass.to_str().unwrap(),
        ],
        &[],
    );
    wait_question(&resume, "Key code: ");
    if resume.stderr_so_far().trim_end().ends_with("[y/N]") {
        resume.send_line("n");
    }
    let r = resume.finish();
    assert_eq!(r.status.code(), Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "the unconfirmed share {} was deleted",
            kept.display()
        )),
        "{}",
        r.stderr
    );
    assert!(names(&d1).is_empty(), "{:?}", names(&d1));
}

#[test]
fn ctrl_c_or_a_hangup_while_waiting_for_joins_says_so_and_leaves_nothing() {
    for (sig, code, name) in [
        ("INT", 130, "Ctrl-C (SIGINT)"),
        ("HUP", 129, "SIGHUP (the terminal closed)"),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let key = fixture_key("key1.pem");
        let out = tmp.path().to_str().unwrap();
        let dealer = Party::spawn(
            "dealer",
            &dealer_args(
                "3",
                &["--out-dir", out, "--import", &key, "--plaintext-share"],
            ),
            &[],
        );
        dealer.wait_stderr("Waiting for 2 KEYGEN-JOIN messages.");
        signal(&dealer, sig);
        let end = dealer.wait_exit();
        assert_eq!(end.status.code(), Some(code), "{}", end.stderr);
        assert_eq!(
            end.stderr.trim_end().lines().last().unwrap(),
            format!(
                "mpcegosign: interrupted by {name}; nothing was kept; no temporary file is left"
            )
        );
        assert!(names(tmp.path()).is_empty(), "{:?}", names(tmp.path()));
    }
}

/// Runs `mpcegosign args` with stdin closed; fails the test if it has not ended after
/// a generous bound (a hang), killing it.
fn run_bounded(args: &[&str]) -> (Option<i32>, String, Duration) {
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.code(), err, start.elapsed());
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("mpcegosign {args:?} hung on a FIFO");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn fifos_and_devices_are_refused_before_they_are_opened() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo: PathBuf = tmp.path().join("fifo");
    rustix::fs::mkfifoat(
        rustix::fs::CWD,
        &fifo,
        rustix::fs::Mode::from_raw_mode(0o600),
    )
    .unwrap();
    let f = fifo.to_str().unwrap();
    let log = tmp.path().join("log.jsonl");
    let l = log.to_str().unwrap();
    let cases: [(&[&str], &str); 6] = [
        (&["sign", "--share", f], "FIFO"),
        (&["audit", "verify", l, "--roster", f], "FIFO"),
        (&["share", "info", f], "FIFO"),
        (&["share", "info", "/dev/zero"], "character device"),
        (&["signerid", "--key", f], "FIFO"),
        (
            &dealer_args(
                "2",
                &[
                    "--import",
                    f,
                    "--plaintext-share",
                    "--out-dir",
                    tmp.path().to_str().unwrap(),
                ],
            ),
            "FIFO",
        ),
    ];
    for (args, kind) in cases {
        let (code, err, took) = run_bounded(args);
        eprintln!("{args:?}: {took:?}: {err}");
        assert_eq!(code, Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.contains(&format!("it is a {kind}")) || err.contains(&format!("it is {kind}")),
            "{args:?}: {err}"
        );
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
        // One line within a second is the goal; the bound is generous for a loaded CI.
        assert!(took < Duration::from_secs(10), "{args:?} took {took:?}");
    }
}
