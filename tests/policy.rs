//! The signer policy and SVN anti-rollback across real processes: each rule of a
//! policy.toml refuses a request by its own test, the signer prints one line per
//! broken rule and its signed decline carries the rule to the initiator; a
//! signer's audit log with ISVSVN 5 signed refuses ISVSVN 4, the override signs it
//! after a typed confirmation and is recorded, and a tampered log stops the signer.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use mpcegosign::sgx::sigstruct::SigstructFields;
use mpcegosign::sgx::{Date, Sigstruct};
use support::ceremony::{keygen, spawn_initiator};
use support::party::{Party, BIN};

const PASSPHRASE: &str = "policy-test passphrase 2b91";
const ENVS: &[(&str, &str)] = &[
    ("MPCEGOSIGN_PASSPHRASE", PASSPHRASE),
    ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10"),
];
const MRENCLAVE: [u8; 32] = [0x3c; 32];

/// One 2-of-2 keygen shared by every test of this file (each test keeps its own
/// audit logs and policies, so they do not meet).
fn shares() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static KEYS: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let dirs = keygen(tmp.path(), 2, 2, &[], &[], ENVS);
        let shares = (1..=2)
            .map(|p| dirs[p - 1].join(format!("share_{p}.json.age")))
            .collect();
        (tmp, shares)
    })
}

fn share(party: usize) -> String {
    shares().1[party - 1].display().to_string()
}

/// An unsigned SIGSTRUCT of MRENCLAVE, ISVPRODID 4, `svn`, dated `date`.
fn unsigned(dir: &Path, svn: u16, debug: bool, date: Date) -> PathBuf {
    let path = dir.join(format!("unsigned-{svn}"));
    let s = Sigstruct::build(&SigstructFields {
        date,
        debug,
        mrenclave: MRENCLAVE,
        isv_prod_id: 4,
        isv_svn: svn,
    });
    std::fs::write(&path, s.as_bytes()).unwrap();
    path
}

/// The initiator (party 1, no audit log) and its SIGN-INIT.
fn start(dir: &Path, unsigned: &Path) -> (Party, String) {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = dir.join(format!("signed-{run}"));
    let mut ini = spawn_initiator(
        unsigned,
        Path::new(&share(1)),
        &out,
        "1,2",
        &["--no-audit-log"],
        ENVS,
    );
    let init = ini.next_message();
    (ini, init)
}

/// Party 2 as a signer with `--yes` for MRENCLAVE and the audit log `log`.
fn signer(log: &Path, extra: &[&str]) -> Party {
    let (m, s) = (hex::encode(MRENCLAVE), share(2));
    let mut a = vec![
        "sign",
        "--share",
        &s,
        "--yes",
        "--expect-mrenclave",
        &m,
        "--audit-log",
        log.to_str().unwrap(),
    ];
    a.extend_from_slice(extra);
    Party::spawn("signer", &a, ENVS)
}

/// Signs `svn` through the whole ceremony, party 2 keeping `log`.
fn sign_ok(dir: &Path, log: &Path, svn: u16) {
    let (mut ini, init) = start(dir, &unsigned(dir, svn, false, Date::today_utc()));
    let mut s = signer(log, &[]);
    s.send_line(&init);
    ini.send_line(&s.next_message());
    s.succeed();
    ini.succeed();
}

/// A request of `svn` (debug or not, dated `date`) that party 2 declines: its
/// stderr has every `lines` needle, and the initiator hears the decline with
/// every `codes` item in it. Returns the signer's stderr.
fn declined(
    dir: &Path,
    svn: u16,
    debug: bool,
    date: Date,
    extra: &[&str],
    lines: &[&str],
    codes: &[&str],
) -> String {
    let (mut ini, init) = start(dir, &unsigned(dir, svn, debug, date));
    let mut s = signer(&dir.join("signer.jsonl"), extra);
    s.send_line(&init);
    let abort = s.next_message();
    let f = s.finish();
    assert_eq!(f.status.code(), Some(1), "{}", f.stderr);
    for l in lines {
        assert!(f.stderr.contains(l), "no `{l}` in: {}", f.stderr);
    }
    ini.send_line(&abort);
    ini.wait_stderr("Party 2 declined");
    let heard = ini.stderr_so_far();
    let said = heard
        .lines()
        .find(|l| l.starts_with("Party 2 declined"))
        .unwrap()
        .to_string();
    for c in codes {
        assert!(said.contains(c), "no `{c}` in: {said}");
    }
    let fin = ini.finish();
    assert!(!fin.status.success());
    // The decline is in the signer's log, with its reason.
    let log = std::fs::read_to_string(dir.join("signer.jsonl")).unwrap();
    assert!(log.contains("\"answer\":\"declined\""), "{log}");
    f.stderr
}

/// One rule's own test: `policy` refuses the request with `rule` only.
fn refused_by(policy: &str, svn: u16, debug: bool, extra: &[&str], rule: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("policy.toml");
    std::fs::write(&p, format!("version = 1\n{policy}\n")).unwrap();
    let mut a = vec!["--policy", p.to_str().unwrap()];
    a.extend_from_slice(extra);
    let err = declined(
        tmp.path(),
        svn,
        debug,
        Date::today_utc(),
        &a,
        &[&format!("mpcegosign: refused by the policy: {rule}: ")],
        &[&format!("policy refuses [{rule}]")],
    );
    assert_eq!(
        err.matches("mpcegosign: refused by the policy").count(),
        1,
        "one rule only: {err}"
    );
}

#[test]
fn rule_isvprodid() {
    refused_by("[[product]]\nisvprodid = 9", 7, false, &[], "isvprodid");
}

#[test]
fn rule_isvsvn_min() {
    refused_by(
        "[[product]]\nisvprodid = 4\nmin_isvsvn = 8",
        7,
        false,
        &[],
        "isvsvn-min",
    );
}

#[test]
fn rule_isvsvn_max() {
    refused_by(
        "[[product]]\nisvprodid = 4\nmax_isvsvn = 6",
        7,
        false,
        &[],
        "isvsvn-max",
    );
}

#[test]
fn rule_mrenclave() {
    let policy = format!("mrenclaves = [\"{}\"]", "3d".repeat(32));
    refused_by(&policy, 7, false, &[], "mrenclave");
}

#[test]
fn rule_never_debug() {
    // --allow-debug lets the request past the flags; the policy still refuses it.
    refused_by("never_debug = true", 7, true, &["--allow-debug"], "debug");
}

#[test]
fn rule_attributes() {
    // MODE64BIT (0x4) is set in every EGo enclave.
    refused_by(
        "[attributes]\nforbidden = \"0x4\"",
        7,
        false,
        &[],
        "attributes",
    );
}

#[test]
fn rule_xfrm() {
    refused_by("[xfrm]\nforbidden = \"0x1\"", 7, false, &[], "xfrm");
}

#[test]
fn rule_miscselect() {
    refused_by(
        "[miscselect]\nrequired = \"0x1\"",
        7,
        false,
        &[],
        "miscselect",
    );
}

#[test]
fn rule_date() {
    refused_by("[date]\nnot_before = 2099-01-01", 7, false, &[], "date");
}

#[test]
fn rule_initiator() {
    refused_by("initiators = [2]", 7, false, &[], "initiator");
}

#[test]
fn rule_initiator_key() {
    let policy = format!("initiator_keys = [\"{}\"]", "77".repeat(32));
    refused_by(&policy, 7, false, &[], "initiator-key");
}

#[test]
fn a_policy_that_allows_the_request_signs_it_and_every_broken_rule_is_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("policy.toml");
    std::fs::write(
        &p,
        format!(
            "version = 1\nnever_debug = true\nmrenclaves = [\"{}\"]\ninitiators = [1]\n[[product]]\nisvprodid = 4\nmin_isvsvn = 7\n",
            hex::encode(MRENCLAVE)
        ),
    )
    .unwrap();
    let log = tmp.path().join("signer.jsonl");
    let (mut ini, init) = start(
        tmp.path(),
        &unsigned(tmp.path(), 7, false, Date::today_utc()),
    );
    let mut s = signer(&log, &["--policy", p.to_str().unwrap()]);
    s.send_line(&init);
    ini.send_line(&s.next_message());
    let f = s.succeed();
    assert!(
        f.stderr.contains("ISVPRODID 4: ISVSVN 7..=65535"),
        "{}",
        f.stderr
    );
    ini.succeed();
    // Three rules broken at once: three lines, all three codes in the decline.
    std::fs::write(
        &p,
        "version = 1\ninitiators = [2]\n[[product]]\nisvprodid = 4\nmax_isvsvn = 1\n[date]\nnot_after = 2000-01-01\n",
    )
    .unwrap();
    let err = declined(
        tmp.path(),
        7,
        false,
        Date::today_utc(),
        &["--policy", p.to_str().unwrap()],
        &[
            "refused by the policy: isvsvn-max: ",
            "refused by the policy: date: ",
            "refused by the policy: initiator: ",
        ],
        &["[isvsvn-max, date, initiator]"],
    );
    assert_eq!(
        err.matches("mpcegosign: refused by the policy").count(),
        3,
        "{err}"
    );
}

#[test]
fn a_bad_policy_stops_the_signer_in_one_line_before_anything_is_read() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("policy.toml");
    std::fs::write(&p, "version = 1\nnever_debgu = true\n").unwrap();
    let s = signer(
        &tmp.path().join("signer.jsonl"),
        &["--policy", p.to_str().unwrap()],
    );
    let f = s.finish();
    assert_eq!(f.status.code(), Some(1));
    let errors: Vec<&str> = f
        .stderr
        .lines()
        .filter(|l| l.starts_with("mpcegosign:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", f.stderr);
    assert!(
        errors[0].contains("never_debgu") && errors[0].contains("line 2"),
        "{}",
        f.stderr
    );
}

#[test]
fn svn_rollback_is_refused_overridden_with_a_typed_confirmation_and_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let log = dir.join("signer.jsonl");
    sign_ok(dir, &log, 5);

    // ISVSVN 4 after 5: refused, the reason reaches the initiator.
    let err = declined(
        dir,
        4,
        false,
        Date::today_utc(),
        &[],
        &["refused by SVN anti-rollback: ISVSVN 4 is below ISVSVN 5, already signed for ISVPRODID 4"],
        &["[svn-rollback]"],
    );
    assert!(err.contains("--allow-svn-rollback"), "{err}");
    // The same ISVSVN again, and a higher one, are no rollback.
    sign_ok(dir, &log, 5);

    // The override: a wrong confirmation declines, the right one signs.
    for (typed, signs) in [("yes", false), ("rollback 4", true)] {
        let (mut ini, init) = start(dir, &unsigned(dir, 4, false, Date::today_utc()));
        let mut s = signer(&log, &["--allow-svn-rollback"]);
        s.send_line(&init);
        s.wait_stderr("type `rollback 4`");
        s.send_line(typed);
        ini.send_line(&s.next_message());
        if signs {
            s.succeed();
            ini.succeed();
        } else {
            let f = s.finish();
            assert!(
                f.stderr.contains("SVN rollback was not confirmed"),
                "{}",
                f.stderr
            );
            ini.wait_stderr("Party 2 declined");
            let _ = ini.finish();
        }
    }
    let text = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        text.matches("\"kind\":\"svn-rollback\"").count(),
        1,
        "{text}"
    );
    assert!(text.contains("\"isv_svn\":4,\"highest\":5"), "{text}");
    // The log still verifies, and says who overrode what.
    let o = Command::new(BIN)
        .args([
            "audit",
            "verify",
            log.to_str().unwrap(),
            "--share",
            &share(2),
        ])
        .envs(ENVS.iter().copied())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("overrode the SVN anti-rollback check: ISVSVN 4 below 5"),
        "{out}"
    );
    // After the override, ISVSVN 5 is still the highest: 4 is refused again.
    declined(
        dir,
        4,
        false,
        Date::today_utc(),
        &[],
        &["below ISVSVN 5"],
        &["svn-rollback"],
    );

    // `policy check` tells the same without signing.
    let (ini, init) = start(dir, &unsigned(dir, 3, false, Date::today_utc()));
    drop(ini.finish());
    let req = dir.join("init.txt");
    std::fs::write(&req, format!("{init}\n")).unwrap();
    let o = Command::new(BIN)
        .args([
            "policy",
            "check",
            "--share",
            &share(2),
            "--audit-log",
            log.to_str().unwrap(),
            req.to_str().unwrap(),
        ])
        .envs(ENVS.iter().copied())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("mpcegosign: refused by SVN anti-rollback: ISVSVN 3 is below ISVSVN 5"),
        "{err}"
    );

    // A tampered log: the signer stops in one line before it reads a request.
    let tampered = text.replacen("\"isv_svn\":5", "\"isv_svn\":1", 1);
    std::fs::write(&log, tampered).unwrap();
    let f = signer(&log, &[]).finish();
    assert_eq!(f.status.code(), Some(1));
    let errors: Vec<&str> = f
        .stderr
        .lines()
        .filter(|l| l.starts_with("mpcegosign:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", f.stderr);
    assert!(
        errors[0].contains("cannot trust the audit log"),
        "{}",
        f.stderr
    );
}

#[test]
fn policy_check_share_info_and_a_missing_log() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let p = dir.join("policy.toml");
    std::fs::write(
        &p,
        "version = 1\nnever_debug = true\n[[product]]\nisvprodid = 4\nmin_isvsvn = 2\n",
    )
    .unwrap();
    let (ini, init) = start(dir, &unsigned(dir, 1, true, Date::today_utc()));
    drop(ini.finish());
    let missing = dir.join("none.jsonl");
    let check = |input: &str| {
        let mut c = Command::new(BIN);
        c.args([
            "policy",
            "check",
            "--policy",
            p.to_str().unwrap(),
            "--share",
            &share(2),
            "--audit-log",
            missing.to_str().unwrap(),
        ])
        .envs(ENVS.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        let mut child = c.spawn().unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let o = check(&format!("{init}\n"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("mpcegosign: refused by the policy: isvsvn-min: "),
        "{err}"
    );
    assert!(
        err.contains("mpcegosign: refused by the policy: debug: "),
        "{err}"
    );
    assert!(
        err.contains(&format!("no audit log at {}", missing.display())),
        "{err}"
    );
    let o = check("hello\n");
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no SIGN-INIT in the input"));

    // The policy is the signer's: the initiator is told so.
    let u = unsigned(dir, 1, false, Date::today_utc());
    let o = Command::new(BIN)
        .args([
            "sign",
            "--sigstruct",
            u.to_str().unwrap(),
            "--share",
            &share(1),
        ])
        .args(["--policy", p.to_str().unwrap()])
        .envs(ENVS.iter().copied())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("are for a signer"));

    // An override is always recorded: no override without a log.
    let s2 = share(2);
    let a = [
        "sign",
        "--share",
        &s2,
        "--allow-svn-rollback",
        "--no-audit-log",
    ];
    let f = Party::spawn("signer", &a, ENVS).finish();
    assert_eq!(f.status.code(), Some(1));
    assert!(f.stderr.contains("drop --no-audit-log"), "{}", f.stderr);

    // `share info` shows the policy in force beside the share (none here) and the
    // SVN history.
    let o = Command::new(BIN)
        .args(["share", "info", &share(2)])
        .envs(ENVS.iter().copied())
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{out}");
    assert!(out.contains("policy: none"), "{out}");
    assert!(out.contains("SVN anti-rollback: "), "{out}");
}

/// `policy check` on a SIGN-INIT-BATCH judges every enclave and names the one it
/// refuses (an unsigned batch, judged without a share: no roster to prove its origin).
#[test]
fn policy_check_names_the_refused_enclave_of_a_batch() {
    use mpcegosign::protocol::{
        text, BatchEnclave, Message, SessionId, SignInitBatch, SCHEME_SUBSETS,
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let p = dir.join("policy.toml");
    std::fs::write(
        &p,
        "version = 1\n[[product]]\nisvprodid = 4\nmin_isvsvn = 2\n",
    )
    .unwrap();
    let enclave = |name: &str, svn: u16| {
        let s = Sigstruct::build(&SigstructFields {
            date: Date::today_utc(),
            debug: false,
            mrenclave: MRENCLAVE,
            isv_prod_id: 4,
            isv_svn: svn,
        });
        BatchEnclave {
            name: name.to_string(),
            mrenclave: MRENCLAVE,
            regions: *s.regions().as_bytes(),
        }
    };
    let batch = Message::SignInitBatch(SignInitBatch {
        session: SessionId([7; 16]),
        scheme: SCHEME_SUBSETS,
        initiator: 1,
        signers: 0b11,
        parties: 2,
        threshold: 2,
        mrsigner: [9; 32],
        enclaves: vec![enclave("api", 3), enclave("old", 1), enclave("cron", 2)],
        generation: 0,
        generation_id: [0; 32],
        signature: None,
    });
    let req = dir.join("batch.txt");
    std::fs::write(&req, format!("{}\n", text::encode(&batch.encode()))).unwrap();
    let o = Command::new(BIN)
        .args(["policy", "check", "--policy", p.to_str().unwrap()])
        .args(["--audit-log", dir.join("none.jsonl").to_str().unwrap()])
        .arg(&req)
        .envs(ENVS.iter().copied())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let refusals: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("mpcegosign: enclave"))
        .collect();
    assert_eq!(refusals.len(), 1, "{err}");
    assert!(
        refusals[0].starts_with("mpcegosign: enclave 2 (old): refused by the policy: isvsvn-min"),
        "{err}"
    );
    for name in ["enclave 1 (api): Request", "enclave 3 (cron): Request"] {
        assert!(err.contains(name), "{err}");
    }
}
