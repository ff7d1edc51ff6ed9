//! The reshare dealer holds no stale secret once dealing has ended.
//!
//! `reshare` rebuilds the whole key on the dealer's machine from the old shares and
//! deals it to a new roster. The test runs a reshare of the fixture key `safe1.pem`
//! (2-of-2 to 2-of-2, `shoup3`) and reads the dealer's memory through
//! `/proc/PID/mem` (`tests/support/memory.rs`: every readable mapping, freed heap
//! included) twice:
//! - at "Did every party confirm its fingerprint?", before dealing, when the rebuilt
//!   key must be there (the positive control: the same scan, at the wrong moment,
//!   finds p and q);
//! - at "Does every party show key code", after dealing: the key is dealt and
//!   dropped, the new party's share sealed and sent, the dealer's own new share waits
//!   to be saved. No p, q or d, no old share (the dealer's own or the one given to
//!   it) and no new share of another party may be there, in any form: binary (big-
//!   and little-endian), hex or base64. The dealer's own new share must be there
//!   (its live copy): it shows the memory was really read.
//!
//! Like `tests/core_dump.rs`, it needs root (the process is non-dumpable) and says
//! it is skipped otherwise.

mod support;

use std::path::{Path, PathBuf};

use mpcegosign::share::KeyShare;
use num_bigint::BigUint;
use support::ceremony::{joiner_args, key_code_answer, keygen};
use support::memory::{
    assert_no_stale_copies, count_in, is_root, little_endian_window, number, read_memory, Secret,
};
use support::party::Party;
use support::shares::party_share;

const PLAIN: &[&str] = &["--plaintext-share"];

fn load(path: &Path) -> KeyShare {
    mpcegosign::share::file::parse(&std::fs::read(path).unwrap()).unwrap()
}

/// The secret share s_i of a plain `shoup3` share file.
fn share_value(path: &Path) -> BigUint {
    let share = load(path);
    let s = share
        .shoup3()
        .expect("a shoup3 share")
        .secret()
        .value_bytes();
    BigUint::from_bytes_be(s.expose())
}

/// p, q and d of a PEM key file.
fn key_numbers(path: &Path) -> [(&'static str, BigUint); 3] {
    let rsa = openssl::rsa::Rsa::private_key_from_pem(&std::fs::read(path).unwrap()).unwrap();
    let big = |b: &openssl::bn::BigNumRef| BigUint::from_bytes_be(&b.to_vec());
    [
        ("p", big(rsa.p().unwrap())),
        ("q", big(rsa.q().unwrap())),
        ("d", big(rsa.d())),
    ]
}

/// Copies of `x` as binary, big- or little-endian (a 32-byte middle window).
fn binary_copies(memory: &[(String, Vec<u8>)], x: &BigUint) -> usize {
    let be = x.to_bytes_be();
    let start = (be.len() - 32) / 2;
    count_in(memory, &be[start..start + 32]).0 + count_in(memory, &little_endian_window(x)).0
}

#[test]
fn the_reshare_dealer_holds_no_key_and_no_other_share_after_dealing() {
    if !is_root() {
        eprintln!("skipped: reading a non-dumpable process's memory needs root (CAP_SYS_PTRACE)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let safe = support::fixture_key_path("safe1.pem");
    let old = keygen(
        &tmp.path().join("old"),
        2,
        2,
        &["--import", safe.to_str().unwrap()],
        PLAIN,
        &[],
    );
    let new: Vec<PathBuf> = (1..=2)
        .map(|i| tmp.path().join(format!("new{i}")))
        .collect();
    for d in &new {
        std::fs::create_dir_all(d).unwrap();
    }
    let mrsigner = load(&party_share(&old, 1)).public().mrsigner();
    let confirm = hex::encode(&mrsigner[..4]);
    let (s1, s2) = (party_share(&old, 1), party_share(&old, 2));
    let mut dealer = Party::spawn(
        "reshare dealer",
        &[
            "reshare",
            "--share",
            s1.to_str().unwrap(),
            "--parties",
            "2",
            "--out-dir",
            new[0].to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
            "--plaintext-share",
        ],
        &[],
    );
    let init = dealer.next_message();
    let mut giver = Party::spawn(
        "giver 2",
        &[
            "recover",
            "--give",
            "--share",
            s2.to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
        ],
        &[],
    );
    giver.send_line(&init);
    dealer.send_line(&giver.next_message());
    giver.succeed();
    let kinit = dealer.next_message();
    let mut joiner = Party::spawn(
        "new joiner",
        &joiner_args(new[1].to_str().unwrap(), PLAIN),
        &[],
    );
    joiner.send_line(&kinit);
    dealer.send_line(&joiner.next_message());
    // Before dealing: the rebuilt key is in the dealer's memory.
    dealer.wait_stderr("Did every party confirm its fingerprint?");
    let before = read_memory(dealer.pid);
    dealer.send_line("y");
    let fin = dealer.next_message();
    // After dealing, before the dealer's own share is saved.
    dealer.wait_stderr("Does every party show key code");
    let after = read_memory(dealer.pid);
    dealer.send_line(&key_code_answer(&dealer));
    joiner.send_line(&fin);
    joiner.wait_stderr("Does every party show key code");
    joiner.send_line(&key_code_answer(&joiner));
    dealer.succeed();
    joiner.succeed();

    let key = key_numbers(&safe);
    for (name, x) in &key[..2] {
        assert!(
            binary_copies(&before, x) > 0,
            "the scan before dealing did not find {name}: the memory was not read"
        );
    }
    let own_new = share_value(&party_share(&new, 1));
    assert!(
        binary_copies(&after, &own_new) > 0,
        "the dealer's own new share (its live copy) was not found: the memory was not read"
    );
    let mut secrets: Vec<Secret> = key
        .iter()
        .map(|(name, x)| number((*name).into(), x))
        .collect();
    let others = [
        ("old share of party 1 (the dealer's)", share_value(&s1)),
        ("old share of party 2 (given)", share_value(&s2)),
        ("new share of party 2", share_value(&party_share(&new, 2))),
    ];
    secrets.extend(others.iter().map(|(name, x)| number((*name).into(), x)));
    // Big-endian binary, hex and base64 ...
    assert_no_stale_copies("the reshare dealer after dealing", &after, &secrets);
    // ... and little-endian binary, the form a live number has: none may be left.
    let live: Vec<String> = key
        .iter()
        .map(|(n, x)| (n.to_string(), x))
        .chain(others.iter().map(|(n, x)| (n.to_string(), x)))
        .filter_map(|(name, x)| {
            let (n, regions) = count_in(&after, &little_endian_window(x));
            (n > 0).then(|| format!("{name}: {n} little-endian copies in {regions:?}"))
        })
        .collect();
    assert!(
        live.is_empty(),
        "the reshare dealer holds after dealing:\n{}",
        live.join("\n")
    );
}
