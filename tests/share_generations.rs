//! Share generations and retired shares across processes: a signer whose share is of
//! another generation than the initiator's refuses in one line naming both (and the
//! initiator shows it); `share retire` marks a share retired in place (typed
//! confirmation, audited, idempotent refusal); a retired share is refused for signing
//! before anything is read; `share info` shows both.
//!
//! The generation-1 share is party 1's file with a `"generation"` field added, as a
//! refresh writes it (`KeyShare::next_generation`); the secret is the same, so only
//! the generation check can tell the two shares apart.

mod support;

use std::path::Path;
use std::process::Command;

use support::ceremony::{keygen_transcript, spawn_initiator};
use support::cli::outcome;
use support::party::Party;
use support::shares::party_share;

const BIN: &str = env!("CARGO_BIN_EXE_mpcegosign");

fn mrsigner_prefix(share: &Path) -> String {
    let s = mpcegosign::share::file::parse(&std::fs::read(share).unwrap()).unwrap();
    hex::encode(&s.public().mrsigner()[..4])
}

fn run(args: &[&str]) -> (i32, String, String) {
    outcome(
        Command::new(BIN)
            .args(args)
            .env_remove("MPCEGOSIGN_PASSPHRASE"),
    )
}

#[test]
fn mixed_generations_refuse_in_one_line_and_retired_shares_do_not_sign() {
    let tmp = tempfile::tempdir().unwrap();
    let mut said = String::new();
    let dirs = keygen_transcript(
        tmp.path(),
        2,
        2,
        &[],
        &["--plaintext-share"],
        &[],
        &mut said,
    );
    // The keygen prints its transcript hash: what `share retire --by` takes.
    assert!(said.contains("Keygen transcript "), "{said}");
    let (s1, s2) = (party_share(&dirs, 1), party_share(&dirs, 2));
    // Party 1's share becomes generation 1.
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&s1).unwrap()).unwrap();
    v["generation"] = serde_json::json!({
        "number": 1,
        "refresh_session": "11".repeat(16),
        "refresh_transcript": "a1".repeat(32),
    });
    std::fs::write(&s1, serde_json::to_string_pretty(&v).unwrap()).unwrap();

    let unsigned =
        support::write_unsigned_sigstruct(&tmp.path().join("u.sigstruct"), false, [0x3c; 32]);
    let out = tmp.path().join("signed.sigstruct");
    let mut ini = spawn_initiator(&unsigned, &s1, &out, "1,2", &[], &[]);
    let init = ini.next_message();
    let mrenclave = support::ceremony::initiator_mrenclave(&ini);
    let s2_arg = s2.to_str().unwrap();
    let mut signer = Party::spawn(
        "signer",
        &[
            "sign",
            "--share",
            s2_arg,
            "--yes",
            "--expect-mrenclave",
            &mrenclave,
        ],
        &[],
    );
    signer.send_line(&init);
    let abort = signer.next_message();
    let signer = signer.finish();
    let line = "this request is for generation 1 of the key (refresh a1a1a1a1); your share (party 2) is generation 0";
    assert!(signer.stderr.contains(line), "{}", signer.stderr);
    assert!(
        signer
            .stderr
            .contains("you missed a refresh, or use your newest share file"),
        "{}",
        signer.stderr
    );
    ini.send_line(&abort);
    let ini = ini.finish();
    assert!(!ini.status.success());
    assert!(
        ini.stderr.contains(&format!("Party 2 declined: {line}")),
        "{}",
        ini.stderr
    );
    assert!(!out.exists());

    // Party 2 retires its share: --by is checked before anything is read.
    let prefix = mrsigner_prefix(&s2);
    let by = "b7".repeat(32);
    let (code, _, err) = run(&[
        "share",
        "retire",
        "--share",
        s2_arg,
        "--by",
        &"00".repeat(32),
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("--by needs the 64 hex digits"), "{err}");
    let before = std::fs::read(&s2).unwrap();
    let (code, _, err) = run(&[
        "share",
        "retire",
        "--share",
        s2_arg,
        "--by",
        &by,
        "--confirm-mrsigner",
        "00000000",
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!("the answer must be RETIRE {prefix}")),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&s2).unwrap(),
        before,
        "not confirmed: unchanged"
    );
    let (code, _, err) = run(&[
        "share",
        "retire",
        "--share",
        s2_arg,
        "--by",
        &by,
        "--confirm-mrsigner",
        &prefix,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Retired "), "{err}");
    let log = std::fs::read_to_string(dirs[1].join("mpcegosign-audit.jsonl")).unwrap();
    assert!(log.contains("\"kind\":\"retire\""), "{log}");
    assert!(log.contains(&by), "{log}");
    // `audit verify` reports it for this roster.
    let log_path = dirs[1].join("mpcegosign-audit.jsonl");
    let (code, out, err) = run(&[
        "audit",
        "verify",
        log_path.to_str().unwrap(),
        "--share",
        s2_arg,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        format!("{out}{err}")
            .contains("party 2 retired its share of generation 0 (replaced by b7b7b7b7)"),
        "{out}{err}"
    );
    // Again: refused, nothing changes.
    let after = std::fs::read(&s2).unwrap();
    let (code, _, err) = run(&[
        "share",
        "retire",
        "--share",
        s2_arg,
        "--by",
        &by,
        "--confirm-mrsigner",
        &prefix,
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("is already retired"), "{err}");
    assert_eq!(std::fs::read(&s2).unwrap(), after);

    // `share info` shows both states.
    let (code, info, err) = run(&["share", "info", s2_arg]);
    assert_eq!(code, 0, "{err}");
    assert!(
        info.contains(&format!("retired:    YES, replaced by {by}")),
        "{info}"
    );
    assert!(
        info.contains("generation: 0 (as dealt by keygen)"),
        "{info}"
    );
    let (_, info, _) = run(&["share", "info", s1.to_str().unwrap()]);
    assert!(
        info.contains(&format!(
            "generation: 1 (refresh session 11111111, transcript {})",
            "a1".repeat(32)
        )),
        "{info}"
    );
    assert!(info.contains("retired:    no"), "{info}");

    // A retired share signs nothing: refused in one line before any message is read.
    let (code, _, err) = run(&[
        "sign",
        "--share",
        s2_arg,
        "--yes",
        "--expect-mrenclave",
        &mrenclave,
    ]);
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!("share {s2_arg} is retired (replaced by b7b7b7b7)")),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// A tiny tmpfs (one page), unmounted on drop.
struct TinyDisk(std::path::PathBuf);

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// Retiring rewrites the file atomically: on a disk too full for the new copy, the
/// old file stays whole and no temporary file is left. The disk is a 4 KiB tmpfs
/// (needs root, as in CI; skipped where mounting is not permitted) holding the share,
/// with no room for the temporary file beside it.
#[test]
fn a_failed_rewrite_leaves_the_old_file_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = support::ceremony::keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let original = std::fs::read(party_share(&dirs, 2)).unwrap();
    assert!(original.len() < 4096, "the share fits one page");
    let disk = tmp.path().join("disk");
    std::fs::create_dir_all(&disk).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=4k,mode=0700", "tmpfs"])
        .arg(&disk)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("skipped: cannot mount a tmpfs here");
        return;
    }
    let _guard = TinyDisk(disk.clone());
    let path = disk.join("share_2.json");
    std::fs::write(&path, &original).unwrap();
    let err =
        mpcegosign::share::rewrite::retire_in_place(&path, None, [0x5a; 32], None).unwrap_err();
    assert!(err.to_string().contains("the file is unchanged"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), original);
    let names: Vec<_> = std::fs::read_dir(&disk)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

fn spawn(name: &str, args: &[&str]) -> Party {
    Party::spawn(name, args, &[])
}

/// A giver (`recover --give`) of `share` answering `init`.
fn giver(share: &Path, confirm: &str, init: &str) -> Party {
    let mut g = spawn(
        "giver",
        &[
            "recover",
            "--give",
            "--share",
            share.to_str().unwrap(),
            "--confirm-mrsigner",
            confirm,
        ],
    );
    g.send_line(init);
    g
}

/// The runbook of docs/lifecycle.md: after a reshare, an old holder retires its share
/// with the new roster's keygen transcript (printed by the new keygen); the retired
/// share is then refused by a reshare, and still given to a recover.
#[test]
fn old_holders_retire_after_a_reshare() {
    let tmp = tempfile::tempdir().unwrap();
    let key = support::fixture_key_path("safe1.pem");
    let old = support::ceremony::keygen(
        tmp.path(),
        3,
        2,
        &["--import", key.to_str().unwrap()],
        &["--plaintext-share"],
        &[],
    );
    let confirm = mrsigner_prefix(&party_share(&old, 1));
    let new: Vec<_> = (1..=2)
        .map(|i| tmp.path().join(format!("new{i}")))
        .collect();
    for d in &new {
        std::fs::create_dir_all(d).unwrap();
    }
    let reshare = |from: u8, out: &Path| {
        let s = party_share(&old, from);
        spawn(
            "reshare dealer",
            &[
                "reshare",
                "--share",
                s.to_str().unwrap(),
                "--parties",
                "2",
                "--threshold",
                "2",
                "--out-dir",
                out.to_str().unwrap(),
                "--confirm-mrsigner",
                &confirm,
                "--yes",
                "--plaintext-share",
            ],
        )
    };
    let mut dealer = reshare(1, &new[0]);
    let init = dealer.next_message();
    let mut g = giver(&party_share(&old, 2), &confirm, &init);
    dealer.send_line(&g.next_message());
    g.succeed();
    let kinit = dealer.next_message();
    let mut j = spawn(
        "new joiner",
        &[
            "keygen",
            "--out-dir",
            new[1].to_str().unwrap(),
            "--yes",
            "--plaintext-share",
        ],
    );
    j.send_line(&kinit);
    dealer.send_line(&j.next_message());
    let fin = dealer.next_message();
    dealer.succeed();
    j.send_line(&fin);
    let joined = j.succeed();
    let transcript = joined
        .stderr
        .lines()
        .find_map(|l| l.strip_prefix("Keygen transcript "))
        .and_then(|rest| rest.split(' ').next())
        .unwrap_or_else(|| panic!("no transcript line in {}", joined.stderr))
        .to_string();
    let new_share =
        mpcegosign::share::file::parse(&std::fs::read(new[1].join("share_2.json")).unwrap())
            .unwrap();
    assert_eq!(
        transcript,
        hex::encode(new_share.auth().unwrap().transcript)
    );

    // Old party 3 retires its share with it.
    let s3 = party_share(&old, 3);
    let s3_arg = s3.to_str().unwrap();
    let (code, _, err) = run(&[
        "share",
        "retire",
        "--share",
        s3_arg,
        "--by",
        &transcript,
        "--confirm-mrsigner",
        &confirm,
    ]);
    assert_eq!(code, 0, "{err}");

    // A reshare is refused the retired share, in one line, before the confirmation.
    let again = tmp.path().join("again");
    std::fs::create_dir_all(&again).unwrap();
    let mut dealer = reshare(1, &again);
    let init = dealer.next_message();
    let g = giver(&s3, &confirm, &init).finish();
    assert!(!g.status.success());
    assert!(
        g.stderr.contains(&format!(
            "share {s3_arg} is retired (replaced by {})",
            &transcript[..8]
        )),
        "{}",
        g.stderr
    );
    assert!(!g.stderr.contains("RECOVER"), "{}", g.stderr);
    dealer.finish();

    // A recover (the disaster path) is given it, with a note.
    let out = tmp.path().join("recovered.pem");
    let s1 = party_share(&old, 1);
    let mut rx = spawn(
        "receiver",
        &[
            "recover",
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
            "--plain-pem-i-understand",
        ],
    );
    let init = rx.next_message();
    let mut g = giver(&s3, &confirm, &init);
    rx.send_line(&g.next_message());
    let g = g.succeed();
    assert!(
        g.stderr.contains("Note: your share is retired"),
        "{}",
        g.stderr
    );
    rx.succeed();
    let recovered = mpcegosign::key::PrivateKey::from_pem(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(recovered.public(), new_share.public());
}

/// An encrypted share is retired in place with its own passphrase (asked once), stays
/// encrypted, and opens with the same passphrase; a wrong passphrase changes nothing.
#[test]
fn an_encrypted_share_is_retired_with_its_own_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = support::ceremony::keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let plain = party_share(&dirs, 2);
    let confirm = mrsigner_prefix(&plain);
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "retire test passphrase\n").unwrap();
    let wrong = tmp.path().join("wrong");
    std::fs::write(&wrong, "not the passphrase\n").unwrap();
    let wf = support::encrypted::WORK_FACTOR;
    let with = |args: &[&str]| {
        outcome(
            Command::new(BIN)
                .args(args)
                .env_remove("MPCEGOSIGN_PASSPHRASE")
                .env(wf.0, wf.1),
        )
    };
    let (code, _, err) = with(&[
        "share",
        "encrypt",
        plain.to_str().unwrap(),
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let sealed = dirs[1].join("share_2.json.age");
    let s = sealed.to_str().unwrap();
    let before = std::fs::read(&sealed).unwrap();
    let by = "c4".repeat(32);
    let retire = |pass: &Path| {
        with(&[
            "share",
            "retire",
            "--share",
            s,
            "--by",
            &by,
            "--confirm-mrsigner",
            &confirm,
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--no-audit-log",
        ])
    };
    let (code, _, err) = retire(&wrong);
    assert_ne!(code, 0);
    assert!(err.contains("wrong passphrase"), "{err}");
    assert_eq!(std::fs::read(&sealed).unwrap(), before);
    let (code, _, err) = retire(&pass);
    assert_eq!(code, 0, "{err}");
    let after = std::fs::read(&sealed).unwrap();
    assert!(after.starts_with(b"age-encryption.org/v1\n"));
    assert_ne!(after, before);
    let (code, info, err) = with(&[
        "share",
        "info",
        s,
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(info.contains("encrypted:  yes"), "{info}");
    assert!(
        info.contains(&format!("retired:    YES, replaced by {by}")),
        "{info}"
    );
}
