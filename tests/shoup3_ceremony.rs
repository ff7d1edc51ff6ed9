//! Whole `shoup3` ceremonies over pasted text, each party its own process: keygen
//! from the safe-prime fixtures, signing with more parties invited than t, a decline,
//! garbage and bad partials on the way; the signature is openssl's for the same key.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::protocol::{text, Message, PartialBody};
use support::ceremony::{
    initiator_mrenclave, keygen_transcript, same_as_openssl, signer_args, spawn_initiator,
};
use support::fixture_key_path;
use support::party::Party;
use support::shares::party_share;

const PLAIN: &[&str] = &["--plaintext-share"];

fn keygen(root: &Path, n: u8, t: u8, key: &str) -> Vec<PathBuf> {
    let key = fixture_key_path(key);
    let mut transcript = String::new();
    let dirs = keygen_transcript(
        root,
        n,
        t,
        &["--scheme", "shoup3", "--import", key.to_str().unwrap()],
        PLAIN,
        &[],
        &mut transcript,
    );
    assert!(transcript.contains("(shoup3 scheme)"));
    dirs
}

fn signer(dirs: &[PathBuf], party: u8, mrenclave: &str) -> Party {
    let s = party_share(dirs, party);
    Party::spawn(&format!("signer {party}"), &signer_args(&s, mrenclave), &[])
}

fn initiator(dirs: &[PathBuf], unsigned: &Path, out: &Path, signers: &str) -> Party {
    spawn_initiator(unsigned, &party_share(dirs, 1), out, signers, &[], &[])
}

/// Party `party`'s genuine answer to `init`.
fn answer(dirs: &[PathBuf], party: u8, init: &str, mrenclave: &str) -> String {
    let mut s = signer(dirs, party, mrenclave);
    s.send_line(init);
    let line = s.next_message();
    s.succeed();
    line
}

#[test]
fn three_of_five_keygen_and_signing_with_four_invited() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 3, "safe1.pem");
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, [0x3c; 32]);
    let out = tmp.path().join("signed");
    let mut ini = initiator(&dirs, &unsigned, &out, "1,2,4,5");
    let init = ini.next_message();
    let m = initiator_mrenclave(&ini);
    // Parties 4 and 2 answer; with the initiator's own partial that is t = 3.
    for p in [4, 2] {
        let line = answer(&dirs, p, &init, &m);
        ini.send_line(&line);
    }
    let end = ini.succeed();
    assert!(
        end.stderr
            .contains("Parties 1,2,4 produced a valid signature."),
        "{}",
        end.stderr
    );
    same_as_openssl(&out, "safe1.pem");
}

#[test]
fn five_of_nine_six_invited_one_declines_one_sends_garbage() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 9, 5, "safe3.pem");
    for p in 1..=9 {
        let size = std::fs::metadata(party_share(&dirs, p)).unwrap().len();
        assert!(size < 9000, "share file of party {p}: {size} bytes");
    }
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, [0x3c; 32]);
    let out = tmp.path().join("signed");
    // The initiator and 6 invited parties (2, 3, 5, 6, 8, 9): 7 signers for t = 5.
    let mut ini = initiator(&dirs, &unsigned, &out, "1,2,3,5,6,8,9");
    let init = ini.next_message();
    let m = initiator_mrenclave(&ini);
    // Party 2 expects another enclave: it refuses, and its ABORT says why.
    let mut decliner = signer(&dirs, 2, &"00".repeat(32));
    decliner.send_line(&init);
    let abort = decliner.next_message();
    assert!(!decliner.finish().status.success());
    ini.send_line(&abort);
    ini.wait_stderr("Party 2 declined");
    // Party 3's line arrives as garbage: reported, ignored.
    let genuine3 = answer(&dirs, 3, &init, &m);
    let mut garbage = genuine3.clone();
    garbage.truncate(garbage.len() / 2);
    garbage.push_str("garbage");
    ini.send_line(&garbage);
    ini.wait_stderr("mpcegosign:");
    for p in [5, 6, 8, 9] {
        let line = answer(&dirs, p, &init, &m);
        ini.send_line(&line);
    }
    let end = ini.succeed();
    assert!(
        end.stderr
            .contains("Parties 1,5,6,8,9 produced a valid signature."),
        "{}",
        end.stderr
    );
    same_as_openssl(&out, "safe3.pem");
    // The initiator's audit log proves who approved and who declined (shoup3 roster).
    let log = dirs[0].join("mpcegosign-audit.jsonl");
    let s1 = party_share(&dirs, 1);
    let o = Command::new(env!("CARGO_BIN_EXE_mpcegosign"))
        .args(["audit", "verify", log.to_str().unwrap(), "--share"])
        .arg(&s1)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{report}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        report.contains("approved by parties 1, 5, 6, 8, 9"),
        "{report}"
    );
    assert!(report.contains("declined by 2"), "{report}");
}

/// Re-signs a SIGN-PARTIAL line with the identity key in `share_path`, after `edit`.
fn resigned(line: &str, share_path: &Path, edit: impl FnOnce(&mut Message)) -> String {
    let mut msg = Message::decode(&text::decode(line).unwrap()).unwrap();
    edit(&mut msg);
    let share = mpcegosign::share::file::parse(&std::fs::read(share_path).unwrap()).unwrap();
    msg.sign(&share.auth().unwrap().identity);
    text::encode(&msg.encode())
}

#[test]
fn bad_partials_are_named_and_the_ceremony_finishes_with_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 3, "safe2.pem");
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, [0x3c; 32]);
    let other = support::write_unsigned_sigstruct(&tmp.path().join("o"), false, [0x4d; 32]);
    let out = tmp.path().join("signed");
    let mut ini = initiator(&dirs, &unsigned, &out, "1,2,3,4,5");
    let init = ini.next_message();
    let m = initiator_mrenclave(&ini);
    let session = match Message::decode(&text::decode(&init).unwrap()).unwrap() {
        Message::SignInit(i) => i.session,
        _ => unreachable!(),
    };
    // Party 2's value tampered, signed again by party 2 itself.
    let p2 = answer(&dirs, 2, &init, &m);
    let tampered = resigned(&p2, &party_share(&dirs, 2), |msg| {
        if let Message::SignPartial(p) = msg {
            if let PartialBody::Shoup3(b) = &mut p.body {
                b[200] ^= 0x10;
            }
        }
    });
    ini.send_line(&tampered);
    ini.wait_stderr("party 2's partial signature is refused");
    // Party 3's genuine partial for another SIGSTRUCT, moved into this session.
    let mut ini_other = initiator(&dirs, &other, &tmp.path().join("o-signed"), "1,3,4");
    let other_init = ini_other.next_message();
    let m_other = initiator_mrenclave(&ini_other);
    drop(ini_other.finish());
    let p3 = answer(&dirs, 3, &other_init, &m_other);
    let moved = resigned(&p3, &party_share(&dirs, 3), |msg| {
        if let Message::SignPartial(p) = msg {
            p.session = session;
        }
    });
    ini.send_line(&moved);
    ini.wait_stderr("party 3's partial signature is refused");
    let err = ini.stderr_so_far();
    assert!(
        err.contains("fails its proof of correctness"),
        "the proof names the culprit: {err}"
    );
    // Parties 4 and 5 complete it.
    for p in [4, 5] {
        let line = answer(&dirs, p, &init, &m);
        ini.send_line(&line);
    }
    let end = ini.succeed();
    assert!(
        end.stderr
            .contains("Parties 1,4,5 produced a valid signature."),
        "{}",
        end.stderr
    );
    same_as_openssl(&out, "safe2.pem");
}
