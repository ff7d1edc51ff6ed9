//! The scheme interface gives the same answers whatever the scheme: partials that
//! combine into a valid signature, the scheme's kind, and share comparison.

use super::*;
use crate::key::PrivateKey;
use crate::threshold::{combine, deal};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn subsets_shares() -> (PrivateKey, Vec<SchemeShare>) {
    let key = PrivateKey::from_pem(&fixture("key1.pem")).unwrap();
    let shares = deal(&key, Scheme::new(3, 2).unwrap())
        .unwrap()
        .into_iter()
        .map(SchemeShare::Subsets)
        .collect();
    (key, shares)
}

fn shoup3_shares() -> Vec<SchemeShare> {
    let key = shoup3::SafePrimeKey::from_pem(&fixture("safe1.pem")).unwrap();
    let dealing = shoup3::deal(key, Scheme::new(3, 2).unwrap()).unwrap();
    shoup3::accept_all(dealing)
        .unwrap()
        .into_iter()
        .map(SchemeShare::Shoup3)
        .collect()
}

#[test]
fn subsets_partials_through_the_interface_combine() {
    let (key, shares) = subsets_shares();
    let digest = [0x5a; 32];
    let signers = Subset::from_parties(&[1, 3]).unwrap();
    // Party 3 signs for the subsets it shares with initiator 1 among the signers.
    let planned = shares[2].signing_subsets(signers, 1);
    assert_eq!(planned, vec![signers]);
    let mut partials = Vec::new();
    for share in [&shares[0], &shares[2]] {
        assert_eq!(share.kind(), SchemeKind::Subsets);
        assert_eq!(share.kind().name(), "subsets");
        match share.partial(&digest, &planned).unwrap() {
            Partial::Subsets(p) => partials.extend(p),
            other => panic!("{other:?}"),
        }
    }
    let sig = combine(key.public(), signers, &partials, &digest).unwrap();
    assert!(key.public().verify_digest(&digest, &sig));
    assert_eq!(shares[0].public_key().unwrap(), *key.public());
    // A party outside the subset it is asked for has no sub-share for it.
    let not_mine = Subset::from_parties(&[1, 2]).unwrap();
    assert!(matches!(
        shares[2].partial(&digest, &[not_mine]),
        Err(PartialError::Subsets(ThresholdError::NoSubShare {
            party: 3,
            ..
        }))
    ));
}

#[test]
fn shoup3_partials_through_the_interface_carry_checked_proofs() {
    let shares = shoup3_shares();
    let digest = [0xa5; 32];
    let signers = Subset::from_parties(&[2, 3]).unwrap();
    assert!(shares[1].signing_subsets(signers, 2).is_empty());
    let keys = shares[0].as_shoup3().unwrap().keys().clone();
    let verified: Vec<_> = [&shares[1], &shares[2]]
        .iter()
        .map(|s| match s.partial(&digest, &[]).unwrap() {
            Partial::Shoup3(p) => p.verify(&keys, &digest).unwrap(),
            other => panic!("{other:?}"),
        })
        .collect();
    let sig = shoup3::combine(&keys, &digest, &verified).unwrap();
    let public = shares[1].public_key().unwrap();
    assert!(public.verify_digest(&digest, &sig));
    assert_eq!(shares[1].kind().name(), "shoup3");
    assert_eq!(shares[1].scheme(), Scheme::new(3, 2).unwrap());
}

#[test]
fn same_secret_tells_shares_apart() {
    let (_, a) = subsets_shares();
    let (_, b) = subsets_shares();
    let s = shoup3_shares();
    let copy = SchemeShare::Subsets(a[0].as_subsets().unwrap().try_clone_for_tests());
    assert!(a[0].same_secret(&copy));
    // Another dealing of the same key, another party, another scheme: all differ.
    assert!(!a[0].same_secret(&b[0]));
    assert!(!a[0].same_secret(&a[1]));
    assert!(!a[0].same_secret(&s[0]));
    assert!(s[0].same_secret(&s[0]));
    assert!(!s[0].same_secret(&s[1]));
}

#[test]
fn descriptions_name_what_each_scheme_holds_and_does() {
    let (_, sub) = subsets_shares();
    let sh = shoup3_shares();
    // 2-of-3: each party is in two of the three 2-subsets.
    assert_eq!(sub[0].holding(), ("sub-shares:", "2".to_string()));
    assert_eq!(
        sh[2].holding(),
        (
            "share:",
            "one (s_3), with the verification data".to_string()
        )
    );
    assert_eq!(sub[1].signing_work(1), "1 partial(s) to compute");
    assert_eq!(
        sh[1].signing_work(0),
        "one partial with its proof; any 2 valid partials sign"
    );
    assert_eq!(sub[1].dealing_checked(), None);
    assert!(sh[1]
        .dealing_checked()
        .unwrap()
        .starts_with("The dealing checks passed: your share matches v_2,"));
}
