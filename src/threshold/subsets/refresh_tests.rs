//! The subsets refresh: every subset still signs after one and after ten refreshes
//! (negative and wider sub-shares included), old and new sub-shares do not mix, and
//! every cheating contribution is caught.

use num_bigint::BigUint;

use super::*;
use crate::key::PrivateKey;
use crate::secret::SecretBytes;
use crate::threshold::subsets::{combine, deal, partial_sign};

fn key() -> PrivateKey {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keys/key1.pem"
    ))
    .unwrap();
    PrivateKey::from_pem(&pem).unwrap()
}

fn inputs(contribs: &[RefreshContribution], j: u8) -> Vec<(u8, &[u8], &[u8])> {
    contribs
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let part = c.parts.iter().find(|(p, _)| *p == j).unwrap();
            (i as u8 + 1, c.public.as_slice(), part.1.expose())
        })
        .collect()
}

fn refresh_all(shares: &[Share]) -> Vec<Share> {
    let contribs: Vec<_> = shares.iter().map(|s| contribution(s).unwrap()).collect();
    shares
        .iter()
        .map(|s| apply(s, &inputs(&contribs, s.party())).unwrap())
        .collect()
}

/// Signs with the members of `subset` and combines (verified against the key).
fn sign(shares: &[&Share], subset: Subset, digest: &[u8; 32]) -> Result<BigUint, ThresholdError> {
    let partials: Vec<_> = subset
        .parties()
        .iter()
        .map(|&p| partial_sign(shares[usize::from(p - 1)], subset, digest).unwrap())
        .collect();
    combine(shares[0].public(), subset, &partials, digest)
}

use crate::threshold::ThresholdError;

#[test]
fn every_subset_signs_after_one_and_after_ten_refreshes() {
    let key = key();
    let scheme = Scheme::new(4, 3).unwrap();
    let mut current = deal(&key, scheme).unwrap();
    let digest = [0x42; 32];
    let mut negative = false;
    for round in 1..=10u64 {
        let next = refresh_all(&current);
        for (old, new) in current.iter().zip(&next) {
            assert!(!old.same_secret(new), "the sub-shares changed");
            for s in new.subsets() {
                let v = new.sub_share(s).unwrap();
                assert!(v.num_bits() <= width_after_refreshes(round));
                negative |= v.is_negative();
            }
        }
        if round == 1 || round == 10 {
            let refs: Vec<&Share> = next.iter().collect();
            for subset in scheme.subsets() {
                let sig = sign(&refs, subset, &digest).unwrap();
                assert!(key.public().verify_digest(&digest, &sig));
            }
        }
        current = next;
    }
    assert!(
        negative,
        "some refreshed sub-share is negative (1 − 2^-100 likely)"
    );
}

#[test]
fn a_3_of_5_refresh_signs_and_old_and_new_do_not_mix() {
    let key = key();
    let scheme = Scheme::new(5, 3).unwrap();
    let old = deal(&key, scheme).unwrap();
    let new = refresh_all(&old);
    let digest = [7; 32];
    let subset = Subset::from_parties(&[1, 3, 5]).unwrap();
    let refs: Vec<&Share> = new.iter().collect();
    assert!(key
        .public()
        .verify_digest(&digest, &sign(&refs, subset, &digest).unwrap()));
    // `recover` still rebuilds the key from a subset's refreshed shares.
    let rebuilt = crate::threshold::subsets::rebuild(&[&new[0], &new[2], &new[4]]).unwrap();
    assert_eq!(rebuilt.public(), key.public());
    let mixed = [&old[0], &new[1], &new[2], &new[3], &new[4]];
    assert_eq!(
        sign(&mixed, subset, &digest).err(),
        Some(ThresholdError::InvalidCombination { subset })
    );
}

fn with_parts(c: &RefreshContribution, f: &dyn Fn(u8, &[u8]) -> Vec<u8>) -> RefreshContribution {
    RefreshContribution {
        public: c.public.clone(),
        parts: c
            .parts
            .iter()
            .map(|(j, p)| (*j, SecretBytes::new(f(*j, p.expose()))))
            .collect(),
    }
}

#[test]
fn each_cheating_contribution_is_caught() {
    let key = key();
    let scheme = Scheme::new(4, 3).unwrap();
    let shares = deal(&key, scheme).unwrap();
    let honest = contribution(&shares[0]).unwrap();
    for s in &shares {
        check_public(s, 1, &honest.public).unwrap();
        check_part(
            s,
            1,
            &honest.public,
            honest.parts[usize::from(s.party() - 1)].1.expose(),
        )
        .unwrap();
    }
    let verdicts = |c: &RefreshContribution| -> Vec<RefreshError> {
        shares[1..]
            .iter()
            .map(|s| {
                let part = c.parts[usize::from(s.party() - 1)].1.expose();
                check_part(s, 1, &c.public, part).unwrap_err()
            })
            .collect()
    };
    let w = u64::from(u16::from_be_bytes([honest.public[1], honest.public[2]]));
    let len = piece_bytes(w);
    // A wrong piece: the last byte of each piece's magnitude + 1 (the first piece of
    // each part).
    let bad = with_parts(&honest, &|_, p| {
        let mut p = p.to_vec();
        p[len] ^= 1;
        p
    });
    assert!(verdicts(&bad)
        .into_iter()
        .all(|e| e == RefreshError::BadPart { sender: 1 }));
    // A piece past 2^w.
    let huge = with_parts(&honest, &|_, p| {
        let mut p = p.to_vec();
        p[1] = 0xff;
        p
    });
    assert!(verdicts(&huge).into_iter().all(|e| e
        == RefreshError::MalformedPart {
            sender: 1,
            what: "a piece is out of range"
        }));
    // A split that does not sum to zero, with commitments matching its pieces:
    // recipient 2's first piece + 1 and its commitment times g.
    let n = key.public().modulus();
    let mw = 384;
    let first = scheme.subsets_of(1)[0];
    assert!(first.contains(2));
    let at = 3 + mw * first.parties().iter().position(|&p| p == 2).unwrap();
    let mut public = honest.public.clone();
    let e = BigUint::from_bytes_be(&public[at..at + mw]) * 4u8 % n;
    let bytes = e.to_bytes_be();
    public[at..at + mw].fill(0);
    public[at + mw - bytes.len()..at + mw].copy_from_slice(&bytes);
    for s in &shares {
        assert_eq!(
            check_public(s, 1, &public).err(),
            Some(RefreshError::NotZeroSum {
                sender: 1,
                subset: first
            })
        );
    }
    // Commitments that do not match the pieces: two commitments of a subset swapped
    // (still multiplying to 1).
    let mut swapped = honest.public.clone();
    let (a, b) = (3, 3 + mw);
    let first_e = swapped[a..a + mw].to_vec();
    swapped.copy_within(b..b + mw, a);
    swapped[b..b + mw].copy_from_slice(&first_e);
    let swapped = RefreshContribution {
        public: swapped,
        parts: with_parts(&honest, &|_, p| p.to_vec()).parts,
    };
    let members = first.parties();
    for s in shares.iter().filter(|s| members[..2].contains(&s.party())) {
        let part = swapped.parts[usize::from(s.party() - 1)].1.expose();
        assert_eq!(
            check_part(s, 1, &swapped.public, part).err(),
            Some(RefreshError::BadPart { sender: 1 })
        );
    }
    // apply names the sender.
    let mut contribs: Vec<_> = shares.iter().map(|s| contribution(s).unwrap()).collect();
    contribs[0] = bad;
    assert_eq!(
        apply(&shares[2], &inputs(&contribs, 3)).err(),
        Some(RefreshError::BadPart { sender: 1 })
    );
}
