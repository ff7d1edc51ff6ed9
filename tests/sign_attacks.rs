//! A chat attacker against signing, between real processes: forged partials and
//! ABORTs in another party's name, terminal injection through a reason, and the
//! signer's policies. The result must be byte-identical to an undisturbed run.

mod support;

use std::path::{Path, PathBuf};

use mpcegosign::identity::IdentityKey;
use mpcegosign::protocol::{text, Abort, Message, PartialBody, SignPartial};
use num_bigint::{BigUint, RandBigInt};
use num_integer::Integer;
use support::ceremony::{keygen, spawn_initiator};
use support::party::Party;

const MRENCLAVE: [u8; 32] = [0x3c; 32];

fn share(dir: &Path, party: u8) -> PathBuf {
    dir.join(format!("share_{party}.json"))
}

fn initiator(unsigned: &Path, share: &Path, out: &Path, signers: &str) -> Party {
    spawn_initiator(unsigned, share, out, signers, &[], &[])
}

fn signer(share: &Path, extra: &[&str]) -> Party {
    let mut a = vec!["sign", "--share", share.to_str().unwrap()];
    a.extend_from_slice(extra);
    Party::spawn("signer", &a, &[])
}

fn expect_flags() -> Vec<String> {
    vec![
        "--yes".into(),
        "--expect-mrenclave".into(),
        hex::encode(MRENCLAVE),
    ]
}

fn session_of(line: &str) -> mpcegosign::protocol::SessionId {
    Message::decode(&text::decode(line).unwrap())
        .unwrap()
        .session()
}

/// The SIGSTRUCT digest a SIGN-INIT asks for: anyone who reads it can name it.
fn digest_of(line: &str) -> [u8; 32] {
    let Message::SignInit(si) = Message::decode(&text::decode(line).unwrap()).unwrap() else {
        panic!("not a SIGN-INIT")
    };
    mpcegosign::sgx::SignedRegions::from_bytes(&si.regions)
        .unwrap()
        .digest()
}

fn no_raw_controls(stderr: &str) {
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\r'),
        "raw ESC or CR reached the terminal: {stderr:?}"
    );
}

#[test]
fn forged_partials_and_aborts_sent_first_do_not_stop_the_signing() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], &["--plaintext-share"], &[]);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let flags = expect_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();

    // The undisturbed run.
    let calm = tmp.path().join("calm");
    let mut ini = initiator(&unsigned, &share(&dirs[0], 1), &calm, "1,2");
    let init = ini.next_message();
    let mut s = signer(&share(&dirs[1], 2), &flags);
    s.send_line(&init);
    ini.send_line(&s.next_message());
    s.succeed();
    ini.succeed();

    // The attacked run: a forged partial (signed by the attacker's own key), an
    // unsigned one, and a forged ABORT that tries to print a fake success line, all
    // in party 2's name and all before party 2's genuine partial.
    let out = tmp.path().join("attacked");
    let mut ini = initiator(&unsigned, &share(&dirs[0], 1), &out, "1,2");
    let init = ini.next_message();
    let session = session_of(&init);
    let attacker = IdentityKey::generate();
    let mut forged = Message::SignPartial(SignPartial {
        session,
        party: 2,
        body: PartialBody::Subsets {
            digest: digest_of(&init),
            partials: vec![(0b011, [0x42; 384])],
        },
        signature: None,
    });
    ini.send_line(&text::encode(&forged.encode()));
    ini.wait_stderr("that SIGN-PARTIAL from party 2 is unsigned, but your share knows party 2's identity key: ignored");
    forged.sign(&attacker);
    ini.send_line(&text::encode(&forged.encode()));
    ini.wait_stderr(
        "that SIGN-PARTIAL claims to come from party 2 but is not signed by party 2's identity key",
    );
    let mut abort = Message::Abort(Abort {
        session,
        party: 2,
        reason: "\u{1b}[2K\rVerified and wrote /tmp/evil\n".into(),
        signature: None,
    });
    abort.sign(&attacker);
    ini.send_line(&text::encode(&abort.encode()));
    ini.wait_stderr(
        "that ABORT claims to come from party 2 but is not signed by party 2's identity key",
    );
    let mut s = signer(&share(&dirs[1], 2), &flags);
    s.send_line(&init);
    ini.send_line(&s.next_message());
    s.succeed();
    let end = ini.succeed();
    no_raw_controls(&end.stderr);
    assert!(!end.stderr.contains("declined"), "{}", end.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&calm).unwrap());
}

#[test]
fn a_reason_from_a_real_party_cannot_inject_terminal_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let out = tmp.path().join("out");
    let mut ini = initiator(&unsigned, &share(&dirs[0], 1), &out, "1,2");
    let init = ini.next_message();
    // Party 2 (holding its identity key) declines with control characters.
    let p2 = mpcegosign::share::file::parse(&std::fs::read(share(&dirs[1], 2)).unwrap()).unwrap();
    let mut abort = Message::Abort(Abort {
        session: session_of(&init),
        party: 2,
        reason: "\u{1b}[2K\rVerified and wrote /tmp/evil\u{7}\u{202e}".into(),
        signature: None,
    });
    abort.sign(&p2.auth().unwrap().identity);
    ini.send_line(&text::encode(&abort.encode()));
    let end = ini.finish();
    assert!(!end.status.success());
    no_raw_controls(&end.stderr);
    assert!(
        end.stderr.contains(
            "Party 2 declined: \\u{001B}[2K\\u{000D}Verified and wrote /tmp/evil\\u{0007}\\u{202E}"
        ),
        "{}",
        end.stderr
    );
    assert!(!out.exists());
}

#[test]
fn signer_policies_need_an_expected_mrenclave_and_todays_date() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let s2 = share(&dirs[1], 2);
    // --yes alone would sign anything: refused before the share is even read.
    let f = signer(&s2, &["--yes"]).finish();
    assert_eq!(f.status.code(), Some(1));
    assert!(
        f.stderr
            .contains("--yes signs without asking, so it needs --expect-mrenclave HEX"),
        "{}",
        f.stderr
    );

    // A SIGSTRUCT dated long ago.
    let old = mpcegosign::sgx::Sigstruct::build(&mpcegosign::sgx::sigstruct::SigstructFields {
        date: mpcegosign::sgx::Date {
            year: 2020,
            month: 1,
            day: 2,
        },
        debug: false,
        mrenclave: MRENCLAVE,
        isv_prod_id: 1,
        isv_svn: 1,
    });
    let unsigned = tmp.path().join("old");
    std::fs::write(&unsigned, old.as_bytes()).unwrap();
    let out = tmp.path().join("out");
    let flags = expect_flags();
    let mut flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut ini = initiator(&unsigned, &share(&dirs[0], 1), &out, "1,2");
    let init = ini.next_message();
    let mut s = signer(&s2, &flags);
    s.send_line(&init);
    let abort = s.next_message();
    let f = s.finish();
    assert_eq!(f.status.code(), Some(1));
    assert!(
        f.stderr.contains("the SIGSTRUCT is dated 2020-01-02"),
        "{}",
        f.stderr
    );
    assert!(
        f.stderr.contains("not dated today (UTC, ±1 day)"),
        "{}",
        f.stderr
    );
    ini.send_line(&abort);
    ini.wait_stderr("Party 2 declined: party 2 refused a SIGSTRUCT dated 2020-01-02");
    // With the explicit confirmation it signs.
    flags.push("--allow-any-date");
    let mut ini = initiator(&unsigned, &share(&dirs[0], 1), &out, "1,2");
    let init = ini.next_message();
    let mut s = signer(&s2, &flags);
    s.send_line(&init);
    ini.send_line(&s.next_message());
    s.succeed();
    ini.succeed();
    assert!(out.exists());
}

/// Reference-format (version 2) shares of `key1.pem`, dealt as the reference tool
/// deals: for every 2-subset of 3 parties an additive split of d modulo λ.
fn reference_shares(dir: &Path) -> Vec<PathBuf> {
    use base64::Engine;
    let pem =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/key1.pem"))
            .unwrap();
    let rsa = openssl::rsa::Rsa::private_key_from_pem(&pem).unwrap();
    let big = |b: &openssl::bn::BigNumRef| BigUint::from_bytes_be(&b.to_vec());
    let (n, p, q) = (big(rsa.n()), big(rsa.p().unwrap()), big(rsa.q().unwrap()));
    let one = BigUint::from(1u8);
    let lambda = (&p - &one).lcm(&(&q - &one));
    let d = BigUint::from(3u8).modinv(&lambda).unwrap();
    let b64 = |x: &BigUint| base64::engine::general_purpose::STANDARD.encode(x.to_bytes_be());
    let mut rng = rand::thread_rng();
    let mut subs: Vec<serde_json::Map<String, serde_json::Value>> = vec![Default::default(); 3];
    for (a, b) in [(1usize, 2usize), (1, 3), (2, 3)] {
        let x = rng.gen_biguint_below(&lambda);
        let y = (&d + &lambda - &x) % &lambda;
        subs[a - 1].insert(format!("{a},{b}"), b64(&x).into());
        subs[b - 1].insert(format!("{a},{b}"), b64(&y).into());
    }
    let mut paths = Vec::new();
    for (i, s) in subs.into_iter().enumerate() {
        let json = serde_json::json!({
            "version": 2, "party_index": i + 1, "num_parties": 3, "threshold": 2,
            "modulus": b64(&n), "public_exponent": 3, "shares": s,
        });
        let path = dir.join(format!("ref_share_{}.json", i + 1));
        std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
        paths.push(path);
    }
    paths
}

#[test]
fn reference_format_shares_still_sign_and_keep_every_candidate() {
    let tmp = tempfile::tempdir().unwrap();
    let shares = reference_shares(tmp.path());
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let out = tmp.path().join("out");
    let mut ini = initiator(&unsigned, &shares[0], &out, "1,2,3");
    let init = ini.next_message();
    ini.wait_stderr("cannot be authenticated");
    // A forged ABORT and a forged partial for party 2 come first.
    let session = session_of(&init);
    let abort = Message::Abort(Abort {
        session,
        party: 2,
        reason: "forged".into(),
        signature: None,
    });
    ini.send_line(&text::encode(&abort.encode()));
    ini.wait_stderr(
        "Party 2 declined (unauthenticated: a later partial from it is still accepted)",
    );
    let forged = Message::SignPartial(SignPartial {
        session,
        party: 2,
        body: PartialBody::Subsets {
            digest: digest_of(&init),
            partials: vec![(0b011, [0x42; 384])],
        },
        signature: None,
    });
    ini.send_line(&text::encode(&forged.encode()));
    ini.wait_stderr("subset {1,2} did not verify: party 2 sent a bad partial");
    let flags = expect_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut s = signer(&shares[1], &flags);
    s.send_line(&init);
    ini.send_line(&s.next_message());
    let sf = s.succeed();
    assert!(sf.stderr.contains("has no roster"), "{}", sf.stderr);
    let end = ini.succeed();
    assert!(
        end.stderr
            .contains("Parties 1,2 produced a valid signature."),
        "{}",
        end.stderr
    );
    // The same signature as the whole key gives.
    let key = mpcegosign::key::PrivateKey::from_pem(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/key1.pem"))
            .unwrap(),
    )
    .unwrap();
    let mut direct =
        mpcegosign::sgx::Sigstruct::from_bytes(&std::fs::read(&unsigned).unwrap()).unwrap();
    direct.set_signature(key.public(), &key.sign_digest(&direct.digest()));
    assert_eq!(std::fs::read(&out).unwrap(), direct.as_bytes());
}
