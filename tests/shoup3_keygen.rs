//! `shoup3` keygen between real processes: the scheme choice on import, one share per
//! party whatever t and n, and a corrupt dealer refused by every joiner with its own
//! message (the joiners keep waiting, and nothing is saved).

mod support;

use std::path::{Path, PathBuf};

use support::ceremony::{dealer_args, joiner_args, keygen_transcript};
use support::fixture_key;
use support::party::Party;
use support::shares::{party_share, share_file};

const PLAIN: &[&str] = &["--plaintext-share"];

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn import_of_a_safe_prime_key_deals_shoup3_one_share_each() {
    let root = tempfile::tempdir().unwrap();
    let key = fixture_key("safe1.pem");
    let mut transcript = String::new();
    let dirs = keygen_transcript(
        root.path(),
        5,
        3,
        &["--import", &key],
        PLAIN,
        &[],
        &mut transcript,
    );
    assert!(transcript.contains("(shoup3 scheme)"), "{transcript}");
    assert!(transcript.contains("The dealing checks passed"));
    let mut codes = Vec::new();
    for (i, d) in dirs.iter().enumerate() {
        let path = share_file(d, i as u8 + 1);
        let v = json(&path);
        assert_eq!(v["scheme"], "shoup3");
        assert!(v.get("shares").is_none());
        // Dealing version 2: S and t − 1 commitments instead of v_1..v_5.
        assert_eq!(
            v["verification"]["commitments"].as_array().unwrap().len(),
            2
        );
        assert_eq!(v["verification"]["share_bound"], 3077);
        // One share plus the public data: a few KB, whatever t and n.
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(size < 6000, "{size} bytes");
        let parsed = mpcegosign::share::file::parse(&std::fs::read(&path).unwrap()).unwrap();
        codes.push(parsed.key_code().unwrap());
        assert_eq!(
            std::fs::read_to_string(d.join("public.pem")).unwrap(),
            std::fs::read_to_string(fixture_key("safe1.pub.pem")).unwrap()
        );
    }
    codes.dedup();
    assert_eq!(codes.len(), 1);
}

#[test]
fn import_without_scheme_of_an_ordinary_key_deals_subsets_and_says_so() {
    let root = tempfile::tempdir().unwrap();
    let key = fixture_key("key1.pem");
    let mut transcript = String::new();
    let dirs = keygen_transcript(
        root.path(),
        2,
        2,
        &["--import", &key],
        PLAIN,
        &[],
        &mut transcript,
    );
    assert!(
        transcript
            .contains("its primes are not safe primes, so it is dealt with the subsets scheme"),
        "{transcript}"
    );
    assert_eq!(json(&party_share(&dirs, 2))["scheme"], "subsets");
}

#[test]
fn shoup3_import_of_an_ordinary_key_is_refused_in_one_line() {
    let root = tempfile::tempdir().unwrap();
    let key = fixture_key("key1.pem");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mpcegosign"))
        .args([
            "keygen",
            "--parties",
            "3",
            "--threshold",
            "2",
            "--scheme",
            "shoup3",
            "--import",
            &key,
            "--out-dir",
            root.path().to_str().unwrap(),
            "--plaintext-share",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("its primes are not safe primes") && err.contains("--scheme subsets"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 0);
}

/// A 2-of-3 keygen whose dealer deals corruptly (`how`), up to the FINALIZE: the
/// dealer has failed its own checks and stopped; both joiners wait for the FINALIZE.
struct CorruptKeygen {
    _root: tempfile::TempDir,
    dirs: Vec<PathBuf>,
    joiners: Vec<Party>,
    fin: String,
}

fn corrupt_keygen(how: &str) -> CorruptKeygen {
    let root = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = (1..=3).map(|i| root.path().join(format!("p{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let key = fixture_key("safe2.pem");
    let mut dealer = Party::spawn(
        "dealer",
        &dealer_args(
            "3",
            &[
                "--threshold",
                "2",
                "--import",
                &key,
                "--out-dir",
                dirs[0].to_str().unwrap(),
                "--yes",
                "--plaintext-share",
            ],
        ),
        &[("MPCEGOSIGN_TEST_CORRUPT_DEALING", how)],
    );
    let init = dealer.next_message();
    let mut joiners = Vec::new();
    for d in &dirs[1..] {
        let mut j = Party::spawn(
            "joiner",
            &joiner_args(d.to_str().unwrap(), &["--yes", "--plaintext-share"]),
            &[],
        );
        j.send_line(&init);
        dealer.send_line(&j.next_message());
        joiners.push(j);
    }
    let fin = dealer.next_message();
    assert!(!dealer.finish().status.success());
    CorruptKeygen {
        _root: root,
        dirs,
        joiners,
        fin,
    }
}

/// Both joiners of a corrupt dealing (`how`) refuse the FINALIZE with `expected`,
/// keep waiting, and save nothing.
fn corrupt_dealing_is_refused(how: &str, expected: &str) {
    let k = corrupt_keygen(how);
    for mut j in k.joiners {
        j.send_line(&k.fin);
        j.wait_stderr(expected);
        // Still waiting for a genuine FINALIZE: the refusal did not end it.
        j.wait_stderr("still waiting");
        let f = j.finish();
        assert!(!f.status.success());
    }
    for d in &k.dirs {
        assert_eq!(std::fs::read_dir(d).unwrap().count(), 0, "{}", d.display());
    }
}

/// Only party 2's share is wrong: party 2 refuses it by name; party 3's own share is
/// genuine, so its checks pass (only party 2 can check s_2).
#[test]
fn a_wrong_share_is_refused() {
    let mut k = corrupt_keygen("wrong-share");
    let mut j3 = k.joiners.pop().unwrap();
    let mut j2 = k.joiners.pop().unwrap();
    j2.send_line(&k.fin);
    j2.wait_stderr("the dealer sent party 2 a share that does not match its verification key v_2");
    j2.wait_stderr("still waiting");
    assert!(!j2.finish().status.success());
    assert_eq!(std::fs::read_dir(&k.dirs[1]).unwrap().count(), 0);
    // Party 3's own share is genuine: its checks pass (the wrong share is party 2's
    // to see; only it can check its s_2).
    j3.send_line(&k.fin);
    assert!(j3.succeed().stderr.contains("The dealing checks passed"));
}

#[test]
fn inconsistent_verification_keys_are_refused() {
    corrupt_dealing_is_refused(
        "inconsistent-keys",
        "verification key v_3 is not on one polynomial of degree t-1",
    );
}

#[test]
fn a_wrong_secret_is_refused() {
    corrupt_dealing_is_refused("wrong-secret", "the dealt shares do not encode d/r");
}

#[test]
fn a_swapped_v_is_refused() {
    corrupt_dealing_is_refused(
        "swapped-v",
        "the verification base v does not match the verification keys",
    );
}

/// The one test that generates a safe-prime key (slow: seconds to a minute): a new
/// key without --scheme is shoup3, and the dealer says that it takes longer.
#[test]
fn a_new_key_without_scheme_is_shoup3_from_fresh_safe_primes() {
    let root = tempfile::tempdir().unwrap();
    let dirs: Vec<PathBuf> = (1..=2).map(|i| root.path().join(format!("p{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let mut dealer = Party::spawn(
        "dealer",
        &dealer_args(
            "2",
            &[
                "--out-dir",
                dirs[0].to_str().unwrap(),
                "--yes",
                "--plaintext-share",
            ],
        ),
        &[],
    );
    let init = dealer.next_message();
    let mut joiner = Party::spawn(
        "joiner",
        &joiner_args(dirs[1].to_str().unwrap(), &["--yes", "--plaintext-share"]),
        &[],
    );
    joiner.send_line(&init);
    dealer.send_line(&joiner.next_message());
    let fin = dealer.next_message();
    let end = dealer.succeed();
    assert!(
        end.stderr.contains("from two safe primes") && end.stderr.contains("takes longer"),
        "{}",
        end.stderr
    );
    joiner.send_line(&fin);
    assert!(joiner.succeed().stderr.contains("(shoup3 scheme)"));
    for (i, d) in dirs.iter().enumerate() {
        assert_eq!(json(&share_file(d, i as u8 + 1))["scheme"], "shoup3");
    }
}
