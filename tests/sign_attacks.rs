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
use support::shares::party_share;

const MRENCLAVE: [u8; 32] = [0x3c; 32];

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
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &calm, "1,2");
    let init = ini.next_message();
    let mut s = signer(&party_share(&dirs, 2), &flags);
    s.send_line(&init);
    ini.send_line(&s.next_message());
    s.succeed();
    ini.succeed();

    // The attacked run: a forged partial (signed by the attacker's own key), an
    // unsigned one, and a forged ABORT that tries to print a fake success line, all
    // in party 2's name and all before party 2's genuine partial.
    let out = tmp.path().join("attacked");
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &out, "1,2");
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
    let mut s = signer(&party_share(&dirs, 2), &flags);
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
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &out, "1,2");
    let init = ini.next_message();
    // Party 2 (holding its identity key) declines with control characters.
    let p2 =
        mpcegosign::share::file::parse(&std::fs::read(party_share(&dirs, 2)).unwrap()).unwrap();
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
    let s2 = party_share(&dirs, 2);
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
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &out, "1,2");
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
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &out, "1,2");
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
    let pem = std::fs::read(support::fixture_key_path("key1.pem")).unwrap();
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
        &std::fs::read(support::fixture_key_path("key1.pem")).unwrap(),
    )
    .unwrap();
    let mut direct =
        mpcegosign::sgx::Sigstruct::from_bytes(&std::fs::read(&unsigned).unwrap()).unwrap();
    direct.set_signature(key.public(), &key.sign_digest(&direct.digest()));
    assert_eq!(std::fs::read(&out).unwrap(), direct.as_bytes());
}

/// Issue 19: an unsigned SIGN-INIT that copies the live session id and names
/// initiator party 16 of 16. Signers with and without a roster say so in one line,
/// send nothing, and sign the genuine request that follows.
#[test]
fn an_unsigned_sign_init_from_party_16_of_16_changes_nothing() {
    use mpcegosign::protocol::SignInit;
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], &["--plaintext-share"], &[]);
    let refs = reference_shares(tmp.path());
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let flags = expect_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    for (initiator_share, signer_share, says) in [
        (
            party_share(&dirs, 1),
            party_share(&dirs, 2),
            "that SIGN-INIT names party 16, but this key has parties 1 to 3 only: ignored",
        ),
        (
            refs[0].clone(),
            refs[1].clone(),
            "nothing proves that this SIGN-INIT comes from party 16: it changes nothing",
        ),
    ] {
        let out = tmp.path().join(format!("out-{}", says.len()));
        let mut ini = initiator(&unsigned, &initiator_share, &out, "1,2");
        let init = ini.next_message();
        let Message::SignInit(genuine) = Message::decode(&text::decode(&init).unwrap()).unwrap()
        else {
            unreachable!()
        };
        let forged = Message::SignInit(SignInit {
            initiator: 16,
            signers: 0xffff,
            parties: 16,
            threshold: 2,
            signature: None,
            ..genuine
        });
        let mut s = signer(&signer_share, &flags);
        s.send_line(&text::encode(&forged.encode()));
        s.wait_stderr(says);
        s.send_line(&init);
        let answer = s.next_message();
        let f = s.succeed();
        // One answer, the partial: no ABORT went out for the forgery.
        assert!(
            f.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")),
            "{f:?}",
            f = f.stdout
        );
        assert!(!f.stderr.contains("Declined"), "{}", f.stderr);
        ini.send_line(&answer);
        ini.succeed();
        assert!(out.exists());
    }
}

/// A genuine SIGN-INIT of an earlier signing (another enclave), replayed before the
/// current one: the signer declines THAT session, ignores a second replay, and signs
/// the current request. The initiator ignores the ABORT of the old session.
#[test]
fn a_replayed_sign_init_for_another_enclave_is_declined_and_the_signer_keeps_waiting() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], &["--plaintext-share"], &[]);
    let flags = expect_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    // The earlier signing, of another enclave, completed.
    let other = [0x3d; 32];
    let earlier_unsigned = support::write_unsigned_sigstruct(&tmp.path().join("e"), false, other);
    let mut ini = initiator(
        &earlier_unsigned,
        &party_share(&dirs, 1),
        &tmp.path().join("e.out"),
        "1,2",
    );
    let earlier = ini.next_message();
    let mut s = signer(
        &party_share(&dirs, 2),
        &["--yes", "--expect-mrenclave", &hex::encode(other)],
    );
    s.send_line(&earlier);
    ini.send_line(&s.next_message());
    s.succeed();
    ini.succeed();

    // Now MRENCLAVE is to be signed; the attacker replays the earlier request first.
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let out = tmp.path().join("out");
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &out, "1,2");
    let init = ini.next_message();
    let mut s = signer(&party_share(&dirs, 2), &flags);
    s.send_line(&earlier);
    s.wait_stderr("Waiting for the next SIGN-INIT");
    let abort = s.next_message();
    assert_eq!(session_of(&abort), session_of(&earlier));
    let so_far = s.stderr_so_far();
    assert!(
        so_far.contains(&format!(
            "the enclave's MRENCLAVE is {}",
            hex::encode(other)
        )),
        "{so_far}"
    );
    s.send_line(&earlier);
    s.wait_stderr("was already answered");
    s.send_line(&init);
    let partial = s.next_message();
    let f = s.succeed();
    assert_eq!(
        f.stderr.matches("Declined session").count(),
        1,
        "{}",
        f.stderr
    );
    // The old session's ABORT reaches the initiator too: ignored, not a decline.
    ini.send_line(&abort);
    ini.wait_stderr("belongs to another ceremony");
    ini.send_line(&partial);
    let end = ini.succeed();
    assert!(!end.stderr.contains("declined"), "{}", end.stderr);
    assert!(out.exists());
}

/// A message of the other scheme, in the live session: a `shoup3` SIGN-INIT at a
/// `subsets` signer, and a `shoup3` SIGN-PARTIAL at a `subsets` initiator. One line
/// each, and the signing completes.
#[test]
fn messages_of_the_other_scheme_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let flags = expect_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let out = tmp.path().join("out");
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &out, "1,2");
    let init = ini.next_message();
    let attacker = IdentityKey::generate();
    let mut shoup3_init = Message::decode(&text::decode(&init).unwrap()).unwrap();
    if let Message::SignInit(i) = &mut shoup3_init {
        i.scheme = mpcegosign::protocol::SCHEME_SHOUP3;
    }
    shoup3_init.sign(&attacker);
    let mut s = signer(&party_share(&dirs, 2), &flags);
    s.send_line(&text::encode(&shoup3_init.encode()));
    s.wait_stderr("not signed by party 1's identity key");
    s.send_line(&init);
    let partial = s.next_message();
    s.succeed();
    let mut shoup3_partial = Message::SignPartial(SignPartial {
        session: session_of(&init),
        party: 2,
        body: PartialBody::Shoup3({
            let mut v = vec![1u8, 2];
            v.resize(mpcegosign::threshold::shoup3::PARTIAL_BYTES, 0x11);
            v
        }),
        signature: None,
    });
    shoup3_partial.sign(&attacker);
    ini.send_line(&text::encode(&shoup3_partial.encode()));
    ini.wait_stderr("that SIGN-PARTIAL claims to come from party 2 but is not signed");
    ini.send_line(&partial);
    ini.succeed();
    assert!(out.exists());
}

/// `--timeout`: a signer that declined keeps waiting, and stops with one line when its
/// time limit passes with nothing signed (its input still open).
#[test]
fn a_waiting_signer_stops_at_its_timeout() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let mut ini = initiator(
        &unsigned,
        &party_share(&dirs, 1),
        &tmp.path().join("out"),
        "1,2",
    );
    let init = ini.next_message();
    let started = std::time::Instant::now();
    let mut s = signer(
        &party_share(&dirs, 2),
        &[
            "--yes",
            "--expect-mrenclave",
            &"00".repeat(32),
            "--timeout",
            "0.05",
        ],
    );
    s.send_line(&init);
    let abort = s.next_message();
    s.wait_stderr("nothing was signed within 0.05 minute(s) (--timeout); stopped");
    assert!(started.elapsed() >= std::time::Duration::from_secs(3));
    let f = s.finish();
    assert_eq!(f.status.code(), Some(1));
    assert!(f.stderr.contains("Declined session"), "{}", f.stderr);
    ini.send_line(&abort);
    ini.wait_stderr("Party 2 declined");
    // The initiator has no timeout flag: it is a signer's.
    let f = support::ceremony::spawn_initiator(
        &unsigned,
        &party_share(&dirs, 1),
        &tmp.path().join("out2"),
        "1,2",
        &["--timeout", "1"],
        &[],
    )
    .finish();
    assert!(
        f.stderr.contains("--timeout is for a signer"),
        "{}",
        f.stderr
    );
}

/// A signer that accepts unsigned requests (`--accept-unsigned-init`) and refuses a
/// forged unsigned one copying the live session: its ABORT is unsigned, so the
/// initiator ignores it, and the signer still signs the genuine request.
#[test]
fn a_forged_request_refused_under_accept_unsigned_init_does_not_end_the_signing() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, MRENCLAVE);
    let out = tmp.path().join("out");
    let mut ini = initiator(&unsigned, &party_share(&dirs, 1), &out, "1,2");
    let init = ini.next_message();
    let mut forged = Message::decode(&text::decode(&init).unwrap()).unwrap();
    if let Message::SignInit(i) = &mut forged {
        i.regions[128 + 60] ^= 1; // another MRENCLAVE, consistently claimed
        i.mrenclave = mpcegosign::sgx::SignedRegions::from_bytes(&i.regions)
            .unwrap()
            .mrenclave();
        i.signature = None;
    }
    let mut flags = expect_flags();
    flags.push("--accept-unsigned-init".into());
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut s = signer(&party_share(&dirs, 2), &flags);
    s.send_line(&text::encode(&forged.encode()));
    s.wait_stderr("Waiting for the next SIGN-INIT");
    let abort = s.next_message();
    s.send_line(&init);
    let partial = s.next_message();
    s.succeed();
    ini.send_line(&abort);
    ini.wait_stderr(
        "that ABORT from party 2 is unsigned, but your share knows party 2's identity key: ignored",
    );
    ini.send_line(&partial);
    let end = ini.succeed();
    assert!(!end.stderr.contains("Party 2 declined"), "{}", end.stderr);
    assert!(out.exists());
}
