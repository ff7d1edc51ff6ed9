//! The initiator's `subsets` collector: plans its subsets, completes with good
//! partials, and names the party whose bad partial failed every subset it is in.

use std::collections::BTreeMap;

use super::*;
use crate::key::PrivateKey;
use crate::threshold::{deal, Scheme};

fn shares() -> (PrivateKey, Vec<Share>) {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keys/key1.pem"
    ))
    .unwrap();
    let key = PrivateKey::from_pem(&pem).unwrap();
    let shares = deal(&key, Scheme::new(4, 3).unwrap()).unwrap();
    (key, shares)
}

fn answer(share: &Share, c: &Collector, digest: &[u8; 32]) -> BTreeMap<Subset, BigUint> {
    c.expected(share.party())
        .into_iter()
        .map(|s| (s, partial_sign(share, s, digest).unwrap().value))
        .collect()
}

#[test]
fn plans_subsets_and_completes_with_good_partials() {
    let (key, shares) = shares();
    let digest = [7; 32];
    let signers = Subset::from_parties(&[1, 2, 3, 4]).unwrap();
    let mut c = Collector::new(&shares[0], signers, digest).unwrap();
    // The 3-subsets of {1..4} holding the initiator 1.
    let expected: Vec<String> = c.expected(2).iter().map(Subset::to_string).collect();
    assert_eq!(expected, vec!["1,2,3", "1,2,4"]);
    let a2 = answer(&shares[1], &c, &digest);
    c.keep(2, a2);
    assert_eq!(c.try_combine().unwrap(), Feed::Pending { failed: vec![] });
    let a3 = answer(&shares[2], &c, &digest);
    c.keep(3, a3);
    match c.try_combine().unwrap() {
        Feed::Complete { signature, subset } => {
            assert_eq!(subset.to_string(), "1,2,3");
            assert!(key.public().verify_digest(&digest, &signature));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bad_partial_fails_its_subsets_and_names_its_party() {
    let (_, shares) = shares();
    let digest = [9; 32];
    let signers = Subset::from_parties(&[1, 2, 3]).unwrap();
    let mut c = Collector::new(&shares[0], signers, digest).unwrap();
    let good = answer(&shares[1], &c, &digest);
    c.keep(2, good);
    let bad: BTreeMap<Subset, BigUint> = answer(&shares[2], &c, &digest)
        .into_iter()
        .map(|(s, v)| (s, v + 1u8))
        .collect();
    c.keep(3, bad);
    let only = Subset::from_parties(&[1, 2, 3]).unwrap();
    assert_eq!(
        c.try_combine().unwrap(),
        Feed::Pending { failed: vec![only] }
    );
    assert!(c.has_failed(only));
    assert_eq!(c.failed(), vec![only]);
    assert!(!c.still_possible(&|_| false));
    // Both others are in the one failed subset: neither is cleared.
    assert_eq!(c.suspects(), vec![2, 3]);
    // A second, genuine answer from party 3 is tried with party 2's and completes.
    let genuine = answer(&shares[2], &c, &digest);
    c.keep(3, genuine);
    assert!(matches!(c.try_combine().unwrap(), Feed::Complete { .. }));
}
