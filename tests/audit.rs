//! The audit log across real processes: a keygen and signings (one with a forged
//! partial and a decline) append records to every party's log; `audit verify` proves
//! who signed and who declined from the signed messages alone, and tells an edited
//! byte, a deleted line and re-ordered lines apart. No secret reaches a log.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use mpcegosign::audit::record::Record;
use mpcegosign::identity::IdentityKey;
use mpcegosign::protocol::{text, Message, PartialBody, SignPartial};
use support::ceremony::{keygen, signer_args, spawn_initiator};
use support::party::{Party, BIN};
use support::shares::party_share_age;

const MRENCLAVE: [u8; 32] = [0x5a; 32];
const PASSPHRASE: &str = "audit-test passphrase 7f3e";
const ENVS: &[(&str, &str)] = &[
    ("MPCEGOSIGN_PASSPHRASE", PASSPHRASE),
    ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10"),
];

fn share(dirs: &[PathBuf], party: u8) -> String {
    party_share_age(dirs, party).display().to_string()
}

fn log_of(dirs: &[PathBuf], party: u8) -> PathBuf {
    dirs[usize::from(party) - 1].join("mpcegosign-audit.jsonl")
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("MPCEGOSIGN_PASSPHRASE")
        .envs(ENVS.iter().copied())
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// `audit verify FILE ARGS…`: (exit code, stdout).
fn verify(file: &Path, extra: &[&str]) -> (i32, String) {
    let mut a = vec!["audit", "verify", file.to_str().unwrap()];
    a.extend_from_slice(extra);
    let o = run(&a);
    (o.status.code().unwrap_or(-1), stdout(&o))
}

fn signer(share: &str, mrenclave: [u8; 32], extra: &[&str]) -> Party {
    let m = hex::encode(mrenclave);
    let mut a = signer_args(Path::new(share), &m).to_vec();
    a.extend_from_slice(extra);
    Party::spawn("signer", &a, ENVS)
}

fn initiator(unsigned: &Path, share: &str, out: &Path, signers: &str, extra: &[&str]) -> Party {
    spawn_initiator(unsigned, Path::new(share), out, signers, extra, ENVS)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn write_lines(path: &Path, l: &[String]) {
    std::fs::write(path, l.join("\n") + "\n").unwrap();
}

#[test]
fn every_party_s_log_proves_who_signed_and_who_declined() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], &[], ENVS);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);

    // Signing 1: party 2 declines (it expects another enclave), a forged partial in
    // party 3's name comes first, then party 3's genuine partial.
    let out1 = tmp.path().join("signed1");
    let mut ini = initiator(&unsigned, &share(&dirs, 1), &out1, "1,2,3", &[]);
    let init = ini.next_message();
    let mut s2 = signer(&share(&dirs, 2), [0x11; 32], &[]);
    s2.send_line(&init);
    let abort = s2.next_message();
    assert_eq!(s2.finish().status.code(), Some(1));
    ini.send_line(&abort);
    ini.wait_stderr("Party 2 declined");
    let session = Message::decode(&text::decode(&init).unwrap())
        .unwrap()
        .session();
    let mut forged = Message::SignPartial(SignPartial {
        session,
        party: 3,
        body: PartialBody::Subsets {
            digest: [0x42; 32],
            partials: vec![(0b101, [0x42; 384])],
        },
        signature: None,
    });
    forged.sign(&IdentityKey::generate());
    ini.send_line(&text::encode(&forged.encode()));
    ini.wait_stderr("not signed by party 3's identity key");
    let mut s3 = signer(&share(&dirs, 3), MRENCLAVE, &[]);
    s3.send_line(&init);
    ini.send_line(&s3.next_message());
    s3.succeed();
    ini.succeed();

    // Signing 2: parties 1 and 3; party 3 writes to a log of its choice.
    let custom = tmp.path().join("custom.jsonl");
    let out2 = tmp.path().join("signed2");
    let mut ini = initiator(&unsigned, &share(&dirs, 1), &out2, "1,3", &[]);
    let init = ini.next_message();
    let mut s3 = signer(
        &share(&dirs, 3),
        MRENCLAVE,
        &["--audit-log", custom.to_str().unwrap()],
    );
    s3.send_line(&init);
    ini.send_line(&s3.next_message());
    s3.succeed();
    ini.succeed();

    // Signing 3: no records at all.
    let out3 = tmp.path().join("signed3");
    let mut ini = initiator(
        &unsigned,
        &share(&dirs, 1),
        &out3,
        "1,3",
        &["--no-audit-log"],
    );
    let init = ini.next_message();
    let mut s3 = signer(&share(&dirs, 3), MRENCLAVE, &["--no-audit-log"]);
    s3.send_line(&init);
    ini.send_line(&s3.next_message());
    s3.succeed();
    ini.succeed();

    let log1 = log_of(&dirs, 1);
    assert_eq!(lines(&log1).len(), 3, "keygen and two signings");
    assert_eq!(lines(&log_of(&dirs, 2)).len(), 2);
    assert_eq!(lines(&log_of(&dirs, 3)).len(), 2);
    assert_eq!(lines(&custom).len(), 1);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&log1).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // The public roster, from party 1's (encrypted) share.
    let roster = tmp.path().join("public-roster.json");
    let o = run(&[
        "audit",
        "roster",
        "--share",
        &share(&dirs, 1),
        "--out",
        roster.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = roster.to_str().unwrap();

    // Party 1 (the initiator).
    let (code, out) = verify(&log1, &["--roster", r]);
    assert_eq!(code, 0, "{out}");
    let l: Vec<&str> = out.lines().collect();
    assert!(
        l.iter()
            .any(|l| l.starts_with("line 1: OK: keygen 2-of-3 as dealer")),
        "{out}"
    );
    let sign1 = l.iter().find(|l| l.starts_with("line 2: OK:")).unwrap();
    assert!(sign1.contains("approved by parties 1, 3"), "{sign1}");
    assert!(sign1.contains("declined by 2"), "{sign1}");
    assert!(sign1.contains(&hex::encode(MRENCLAVE)), "{sign1}");
    assert!(sign1.contains("the RSA signature verifies"), "{sign1}");
    let sha = mpcegosign::audit::record::sha256_hex(&std::fs::read(&out1).unwrap());
    assert!(sign1.contains(&sha), "{sign1}");
    let sign2 = l.iter().find(|l| l.starts_with("line 3: OK:")).unwrap();
    assert!(
        sign2.contains("approved by parties 1, 3; declined by none"),
        "{sign2}"
    );
    // The forged partial is listed as refused, by hash, not kept as a message.
    let rec = Record::from_line(lines(&log1)[1].as_bytes()).unwrap();
    let json = serde_json::to_value(&rec).unwrap();
    let ignored = json["event"]["ignored"].as_array().unwrap();
    assert_eq!(ignored.len(), 1, "{json}");
    assert!(ignored[0]["reason"]
        .as_str()
        .unwrap()
        .contains("not signed by party 3's identity key"));

    // Party 2 (declined) and party 3 (signed), against their own shares.
    let (code, out) = verify(&log_of(&dirs, 2), &["--share", &share(&dirs, 2)]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("line 1: OK: keygen 2-of-3 as joiner"), "{out}");
    assert!(
        out.contains("line 2: OK: party 2 declined MRENCLAVE"),
        "{out}"
    );
    let (code, out) = verify(&log_of(&dirs, 3), &["--share", &share(&dirs, 3)]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("line 2: OK: party 3 signed MRENCLAVE"),
        "{out}"
    );
    let (code, out) = verify(&custom, &["--roster", r]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("line 1: OK: party 3 signed"), "{out}");

    // The table.
    let o = run(&["audit", "show", log1.to_str().unwrap()]);
    assert!(o.status.success());
    let table = stdout(&o);
    let row = table.lines().find(|l| l.starts_with("2 ")).unwrap();
    assert!(
        row.contains("initiator 1") && row.contains("1,3") && row.contains(" 2 "),
        "{table}"
    );
    assert!(row.contains(&sha[..16]), "{table}");

    // Damage, each told apart.
    let original = lines(&log1);
    let bad = tmp.path().join("bad.jsonl");
    let edited: Vec<String> = original
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 1 {
                l.replacen("\"signed\"", "\"signee\"", 1)
            } else {
                l.clone()
            }
        })
        .collect();
    assert_ne!(edited, original);
    write_lines(&bad, &edited);
    let (code, out) = verify(&bad, &["--roster", r]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(
            "chain: FAILED: line 2 was altered: its content does not match its own checksum"
        ),
        "{out}"
    );

    write_lines(&bad, &[original[0].clone(), original[2].clone()]);
    let (code, out) = verify(&bad, &["--roster", r]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("chain: FAILED: record 2 is missing before line 2: lines were deleted"),
        "{out}"
    );
    assert!(
        !out.contains("re-ordered") && !out.contains("altered"),
        "{out}"
    );

    write_lines(
        &bad,
        &[
            original[0].clone(),
            original[2].clone(),
            original[1].clone(),
        ],
    );
    let (code, out) = verify(&bad, &["--roster", r]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("chain: FAILED: lines were re-ordered: line 3 holds record 2, but line 2 before it holds record 3"), "{out}");
    assert!(
        !out.contains("deleted") && !out.contains("altered"),
        "{out}"
    );

    // A forger who re-computes the line checksum: the chain tells on line 2, and the
    // signatures tell on a claim that no signed message backs.
    let mut r2 = Record::from_line(original[1].as_bytes()).unwrap();
    let mut r3 = Record::from_line(original[2].as_bytes()).unwrap();
    r2.time = "2020-01-01T00:00:00Z".into();
    if let mpcegosign::audit::record::Event::SignInitiator(e) = &mut r3.event {
        e.approved = vec![1, 2, 3];
    }
    write_lines(
        &bad,
        &[
            original[0].clone(),
            r2.to_line().unwrap(),
            r3.to_line().unwrap(),
        ],
    );
    let (code, out) = verify(&bad, &["--roster", r]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("line 2 was changed after line 3 was written"),
        "{out}"
    );
    assert!(out.contains("line 3: FAILED: the record says party 2 approved, but no SIGN-PARTIAL signed by party 2 backs it"), "{out}");

    // Anchoring: the head printed by verify catches a cut tail.
    let head = verify(&log1, &[]).1;
    let head = head
        .split("head (publish it to anchor the log): ")
        .nth(1)
        .unwrap()[..64]
        .to_string();
    write_lines(&bad, &original[..2]);
    let (code, out) = verify(&bad, &["--anchor", &head]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("no line of the log has the anchored hash"),
        "{out}"
    );

    // No secret in any log: the passphrase and the identity seeds, in every form.
    let mut all = String::new();
    for p in 1..=3u8 {
        all.push_str(&std::fs::read_to_string(log_of(&dirs, p)).unwrap());
    }
    all.push_str(&std::fs::read_to_string(&custom).unwrap());
    all.push_str(&std::fs::read_to_string(&roster).unwrap());
    assert!(!all.contains(PASSPHRASE));
    for p in 1..=3u8 {
        let bytes = std::fs::read(share(&dirs, p)).unwrap();
        let plain = mpcegosign::share::encrypted::decrypt(
            &bytes,
            &mpcegosign::secret::SecretString::new(PASSPHRASE.into()),
        )
        .unwrap();
        let s = mpcegosign::share::file::parse(plain.expose()).unwrap();
        let seed = s.auth().unwrap().identity.seed();
        use base64::Engine;
        for form in [
            hex::encode(*seed),
            base64::engine::general_purpose::STANDARD.encode(*seed),
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(*seed),
        ] {
            assert!(!all.contains(&form[..24]), "an identity seed is in a log");
        }
        // The plain share's own text (its sub-shares in base64) is not in a log.
        let plain_text = String::from_utf8_lossy(plain.expose()).into_owned();
        let v: serde_json::Value = serde_json::from_str(&plain_text).unwrap();
        for (_, sub) in v["shares"].as_object().unwrap() {
            let sub = sub.as_str().unwrap().trim_start_matches('-');
            assert!(!all.contains(&sub[..32]), "a sub-share is in a log");
        }
    }
}

#[test]
fn a_bad_log_stops_a_ceremony_before_it_starts_and_failures_are_recorded() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &[], ENVS);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    // The log's place is taken by a directory: refused before the ceremony.
    let f = signer(
        &share(&dirs, 2),
        MRENCLAVE,
        &["--audit-log", tmp.path().to_str().unwrap()],
    )
    .finish();
    assert_eq!(f.status.code(), Some(1));
    assert!(
        f.stderr.contains("it is not a regular file"),
        "{}",
        f.stderr
    );
    // A damaged last line: refused too, with what to do.
    let log2 = log_of(&dirs, 2);
    let mut l = std::fs::read_to_string(&log2).unwrap();
    l.push_str("{\"version\":1");
    std::fs::write(&log2, l).unwrap();
    let f = signer(&share(&dirs, 2), MRENCLAVE, &[]).finish();
    assert_eq!(f.status.code(), Some(1));
    assert!(
        f.stderr.contains("ends with an incomplete or damaged line"),
        "{}",
        f.stderr
    );
    // The initiator is stopped the same way, before it sends anything.
    let out = tmp.path().join("out");
    let f = initiator(&unsigned, &share(&dirs, 2), &out, "1,2", &[]).finish();
    assert_eq!(f.status.code(), Some(1));
    assert!(
        f.stderr.contains("ends with an incomplete or damaged line"),
        "{}",
        f.stderr
    );
    assert!(f.stdout.is_empty(), "{:?}", f.stdout);

    // Repaired, the log takes records again. A signing that fails (the only other
    // signer declines) is recorded too, with the decline and its reason.
    let mut l = std::fs::read_to_string(&log2).unwrap();
    l.truncate(l.rfind('\n').unwrap() + 1);
    std::fs::write(&log2, l).unwrap();
    let mut ini = initiator(&unsigned, &share(&dirs, 1), &out, "1,2", &[]);
    let init = ini.next_message();
    let mut s2 = signer(&share(&dirs, 2), [0x22; 32], &[]);
    s2.send_line(&init);
    ini.send_line(&s2.next_message());
    assert_eq!(s2.finish().status.code(), Some(1));
    let end = ini.finish();
    assert_eq!(end.status.code(), Some(1));
    assert!(!out.exists());
    let (code, text) = verify(&log_of(&dirs, 1), &["--share", &share(&dirs, 1)]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("line 2: OK: signing (failed, session")
            && text.contains(
                "approved by parties 1; declined by 2 (party 2: \"the enclave's MRENCLAVE is"
            ),
        "{text}"
    );
    let (code, text) = verify(&log2, &["--share", &share(&dirs, 2)]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("line 2: OK: party 2 declined"), "{text}");
}

/// Runs `mpcegosign ARGS…` under a fresh `python3` whose only child it is, and
/// returns (peak resident memory of that child in bytes, from
/// getrusage(RUSAGE_CHILDREN).ru_maxrss; exit code; stdout; stderr).
fn run_measured(args: &[&str]) -> (u64, i32, String, String) {
    const MEASURE: &str = "import resource, subprocess, sys
p = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, capture_output=True)
sys.stdout.buffer.write(p.stdout)
sys.stderr.buffer.write(p.stderr)
sys.stderr.write('\\n@@ %d %d\\n' % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode))";
    let o = Command::new("python3")
        .args(["-c", MEASURE, BIN])
        .args(args)
        .output()
        .expect("python3 runs the measurement");
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let (child_err, tail) = err.rsplit_once("\n@@ ").expect("the measurement line");
    let mut nums = tail.split_whitespace().map(|n| n.parse::<i64>().unwrap());
    let (kib, code) = (nums.next().unwrap(), nums.next().unwrap());
    (
        kib as u64 * 1024,
        code as i32,
        String::from_utf8_lossy(&o.stdout).into_owned(),
        child_err.to_string(),
    )
}

/// A file of 64 MiB of newlines is refused in one line; a genuine record followed
/// by 64 MiB of newlines is read to its end with one problem line, and one followed
/// by 16 MiB of random bytes with a bounded number of lines; the peak memory of the
/// child stays far below the file's size (it does not grow with the number of lines).
/// `scripts/audit-memory` measures the same for files of 1 GiB.
#[test]
fn hostile_logs_are_refused_in_one_line_with_bounded_memory() {
    use std::io::Write;
    const SIZE: usize = 64 << 20;
    const TAIL: usize = 16 << 20;
    const BOUND: u64 = 40 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let newlines = tmp.path().join("newlines");
    std::fs::write(&newlines, vec![b'\n'; SIZE]).unwrap();
    for cmd in ["verify", "show"] {
        let (peak, code, out, err) = run_measured(&["audit", cmd, newlines.to_str().unwrap()]);
        eprintln!(
            "audit {cmd} of 64 MiB of newlines: peak RSS {} KiB",
            peak >> 10
        );
        assert_eq!(code, 1, "{out}{err}");
        assert_eq!(out, "", "{out}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("is not an mpcegosign audit log: line 1 is empty"),
            "{err}"
        );
        assert!(peak < BOUND, "{} MiB", peak >> 20);
    }

    // One genuine record, then 64 M newlines: read through, one problem line.
    let dir = tmp.path().join("log");
    std::fs::create_dir(&dir).unwrap();
    let log = dir.join("log.jsonl");
    let record = mpcegosign::audit::build::record(
        1,
        &[0xab; 32],
        1_764_096_000,
        mpcegosign::audit::record::Event::SignSigner(mpcegosign::audit::record::SignerEvent {
            session: "01".repeat(16),
            initiator: 2,
            enclave: None,
            answer: "declined".into(),
            reason: Some("memory test".into()),
            messages: vec![],
        }),
    );
    mpcegosign::audit::log::append(&log, record).unwrap();
    let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    f.write_all(&vec![b'\n'; SIZE]).unwrap();
    drop(f);
    let (peak, code, out, err) = run_measured(&["audit", "verify", log.to_str().unwrap()]);
    eprintln!(
        "audit verify of a record and 64 MiB of newlines: peak RSS {} KiB",
        peak >> 10
    );
    assert_eq!(code, 3, "{out}{err}");
    let failed: Vec<&str> = out.lines().filter(|l| l.contains("FAILED")).collect();
    assert_eq!(
        failed,
        vec![format!(
            "chain: FAILED: lines 2 to {} are not records (empty, too long or not a record's JSON): lines were altered or inserted",
            SIZE + 1
        )],
        "{out}"
    );
    assert!(out.contains("line 1: intact"), "{out}");
    assert!(peak < BOUND, "{} MiB", peak >> 20);

    // Random bytes after the record: a bounded number of lines, then it stops.
    let mut bytes = std::fs::read(&log).unwrap();
    bytes.truncate(bytes.iter().position(|b| *b == b'\n').unwrap() + 1);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open("/dev/urandom").unwrap(), TAIL as u64),
        &mut bytes,
    )
    .unwrap();
    std::fs::write(&log, &bytes).unwrap();
    drop(bytes);
    for cmd in ["verify", "show"] {
        let (peak, code, out, err) = run_measured(&["audit", cmd, log.to_str().unwrap()]);
        eprintln!(
            "audit {cmd} of a record and 16 MiB of random bytes: peak RSS {} KiB",
            peak >> 10
        );
        // verify fails; show shows what it can and warns.
        assert_eq!(code, if cmd == "verify" { 3 } else { 0 }, "{out}{err}");
        assert!(
            err.contains("problem") || out.contains("FAILED"),
            "{out}{err}"
        );
        assert!(
            out.lines().count() + err.lines().count() < 200,
            "{out}{err}"
        );
        assert!(peak < BOUND, "{} MiB", peak >> 20);
    }
}

/// The initiator pairs party 3's genuine SIGN-PARTIAL with a second SIGN-INIT of
/// the same session, for a DEBUG enclave, that it signed itself, and appends that
/// record to its log: `audit verify` refuses the pairing in one line, and `audit
/// show` marks it.
#[test]
fn a_partial_paired_with_another_request_is_refused_in_one_line() {
    use mpcegosign::audit::build::{self, Outcome};
    use mpcegosign::audit::record::Event;
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], &[], ENVS);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let out = tmp.path().join("signed");
    let mut ini = initiator(&unsigned, &share(&dirs, 1), &out, "1,3", &[]);
    let init = ini.next_message();
    let mut s3 = signer(&share(&dirs, 3), MRENCLAVE, &[]);
    s3.send_line(&init);
    let partial = s3.next_message();
    ini.send_line(&partial);
    s3.succeed();
    ini.succeed();

    // The DEBUG request, same session, signed with party 1's identity key.
    let plain = mpcegosign::share::encrypted::decrypt(
        &std::fs::read(share(&dirs, 1)).unwrap(),
        &mpcegosign::secret::SecretString::new(PASSPHRASE.into()),
    )
    .unwrap();
    let share1 = mpcegosign::share::file::parse(plain.expose()).unwrap();
    let Message::SignInit(mut si) = Message::decode(&text::decode(&init).unwrap()).unwrap() else {
        panic!("not a SIGN-INIT")
    };
    let debug_dir = tmp.path().join("debug");
    let debug_file = support::write_unsigned_sigstruct(&debug_dir, true, [0xde; 32]);
    let debug =
        mpcegosign::sgx::Sigstruct::from_bytes(&std::fs::read(debug_file).unwrap()).unwrap();
    si.regions = *debug.regions().as_bytes();
    si.mrenclave = [0xde; 32];
    si.signature = None;
    let mut forged_init = Message::SignInit(si);
    forged_init.sign(&share1.auth().unwrap().identity);
    let ev = build::initiator_event(
        &forged_init.encode(),
        &[text::decode(&partial).unwrap()],
        Vec::new(),
        Outcome::Failed("stopped".into()),
    )
    .unwrap();
    assert!(ev.enclave.debug && ev.approved == vec![1, 3]);
    let record = build::record(1, &share1.public().mrsigner(), 0, Event::SignInitiator(ev));
    let log1 = log_of(&dirs, 1);
    mpcegosign::audit::log::append(&log1, record).unwrap();

    let (code, text) = verify(&log1, &["--share", &share(&dirs, 1)]);
    assert_eq!(code, 3, "{text}");
    let failed: Vec<&str> = text.lines().filter(|l| l.contains("FAILED")).collect();
    assert_eq!(
        failed,
        vec!["line 3: FAILED: party 3's SIGN-PARTIAL signs another SIGSTRUCT digest than this record's SIGN-INIT: it is paired with the wrong request, not counted as an approval"],
        "{text}"
    );
    // The genuine signing before it still verifies.
    assert!(text.contains("line 2: OK: signing (signed"), "{text}");
    let o = run(&["audit", "show", log1.to_str().unwrap()]);
    assert!(o.status.success());
    let table = stdout(&o);
    let row = table.lines().find(|l| l.starts_with("3 ")).unwrap();
    assert!(row.contains("MISPAIRED partial from 3"), "{table}");
}

/// `audit verify FILE | head`: the closed pipe stops the reading with one line (and
/// no verdict), never a panic; `audit show` just stops.
#[test]
fn a_closed_output_stops_the_reading_without_a_panic() {
    use mpcegosign::audit::record::{sha256_hex, Event, SignerEvent, GENESIS};
    use std::io::BufRead;
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("log.jsonl");
    let mut prev = GENESIS.to_string();
    let mut text = String::new();
    for seq in 1..=20_000u64 {
        let mut r = mpcegosign::audit::build::record(
            2,
            &[0xab; 32],
            1_764_096_000,
            Event::SignSigner(SignerEvent {
                session: "01".repeat(16),
                initiator: 1,
                enclave: None,
                answer: "declined".into(),
                reason: Some("pipe test".into()),
                messages: vec![],
            }),
        );
        r.seq = seq;
        r.prev = prev;
        let line = r.to_line().unwrap();
        prev = sha256_hex(line.as_bytes());
        text.push_str(&line);
        text.push('\n');
    }
    std::fs::write(&log, text).unwrap();
    for (cmd, code) in [("verify", 1), ("show", 0)] {
        let mut child = Command::new(BIN)
            .args(["audit", cmd, log.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty());
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "{cmd}: {err}");
        assert!(!err.contains("panicked"), "{cmd}: {err}");
        if cmd == "verify" {
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains("the output was closed"), "{err}");
        }
    }
}

/// A holder reshares the key to a new roster with its own log as `--audit-log`: the
/// one log then holds the old roster's keygen, the giving, the reshare record and
/// the new roster's keygen. `audit verify` with the old roster follows the key to
/// the new roster (the reshare record links them, signed with the dealer's old
/// identity key) and checks the new keygen against it; `audit show` has a row for
/// the reshare and one for the reshare's keygen; an edited link fails.
#[test]
fn verify_follows_a_reshared_key_from_roster_to_roster_in_one_log() {
    let tmp = tempfile::tempdir().unwrap();
    let safe = support::fixture_key_path("safe1.pem");
    let old = keygen(
        &tmp.path().join("old"),
        3,
        2,
        &["--import", safe.to_str().unwrap()],
        &[],
        ENVS,
    );
    let new: Vec<PathBuf> = (1..=2)
        .map(|i| tmp.path().join(format!("new{i}")))
        .collect();
    for d in &new {
        std::fs::create_dir_all(d).unwrap();
    }
    let pem = std::fs::read_to_string(old[0].join("public.pem")).unwrap();
    let mrsigner = mpcegosign::key::PublicKey::from_pem(&pem)
        .unwrap()
        .mrsigner();
    let confirm = hex::encode(&mrsigner[..4]);
    let log = log_of(&old, 1);
    let (s1, s3) = (share(&old, 1), share(&old, 3));
    let mut dealer = Party::spawn(
        "reshare dealer",
        &[
            "reshare",
            "--share",
            &s1,
            "--parties",
            "2",
            "--out-dir",
            new[0].to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
            "--yes",
            "--audit-log",
            log.to_str().unwrap(),
        ],
        ENVS,
    );
    let init = dealer.next_message();
    let mut giver = Party::spawn(
        "giver 3",
        &[
            "recover",
            "--give",
            "--share",
            &s3,
            "--confirm-mrsigner",
            &confirm,
        ],
        ENVS,
    );
    giver.send_line(&init);
    dealer.send_line(&giver.next_message());
    giver.succeed();
    let kinit = dealer.next_message();
    let mut joiner = Party::spawn(
        "new joiner",
        &["keygen", "--out-dir", new[1].to_str().unwrap(), "--yes"],
        ENVS,
    );
    joiner.send_line(&kinit);
    dealer.send_line(&joiner.next_message());
    let fin = dealer.next_message();
    dealer.succeed();
    joiner.send_line(&fin);
    let j = joiner.succeed();
    assert!(
        j.stderr.contains("This keygen is a reshare of MRSIGNER"),
        "{}",
        j.stderr
    );

    let new_share = share(&new, 2);
    let json = run(&["audit", "roster", "--share", &new_share]);
    let roster: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let new16 = roster["transcript"].as_str().unwrap()[..16].to_string();
    let (code, out) = verify(&log, &["--share", &s1]);
    assert_eq!(code, 0, "{out}");
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("line ")).collect();
    assert_eq!(rows.len(), 4, "{out}");
    assert!(rows[0].starts_with("line 1: OK: keygen 2-of-3"), "{out}");
    assert!(rows[1].starts_with("line 2: OK: recover"), "{out}");
    assert!(
        rows[2].starts_with("line 3: OK: reshare")
            && rows[2].contains(&format!(
                "dealt this key to the 2-of-2 roster of keygen {new16}"
            ))
            && rows[2].ends_with("records of the new roster are checked against it from here on"),
        "{out}"
    );
    assert!(
        rows[3].starts_with("line 4: OK: keygen 2-of-2 as dealer")
            && rows[3].contains("a reshare of the key held until then by the roster of keygen")
            && rows[3].ends_with(&format!("[roster of keygen {new16}]")),
        "{out}"
    );
    let show = stdout(&run(&["audit", "show", log.to_str().unwrap()]));
    assert!(
        show.contains("reshare 1") && show.contains("to 2-of-2 roster"),
        "{show}"
    );
    assert!(
        show.contains("keygen 1") && show.contains("reshare from roster"),
        "{show}"
    );

    // The link edited (and the line's checksums made good again, as a forger with
    // the file would): the reshare is refused, and the new keygen is not followed.
    let mut l = lines(&log);
    let mut r = Record::from_line(l[2].as_bytes()).unwrap();
    let mpcegosign::audit::record::Event::Reshare(e) = &mut r.event else {
        panic!("line 3 is no reshare record")
    };
    let mut link = hex::decode(&e.link).unwrap();
    link[0] ^= 1;
    e.link = hex::encode(link);
    l[2] = r.to_line().unwrap();
    let mut next = Record::from_line(l[3].as_bytes()).unwrap();
    next.prev = mpcegosign::audit::record::sha256_hex(l[2].as_bytes());
    l[3] = next.to_line().unwrap();
    write_lines(&log, &l);
    let (code, out) = verify(&log, &["--share", &s1]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains(
            "line 3: FAILED: the link to the new keygen is not signed by party 1's identity key"
        ),
        "{out}"
    );
    assert!(
        out.contains("line 4: SKIPPED: a keygen of the same key dealt to another roster"),
        "{out}"
    );
}
