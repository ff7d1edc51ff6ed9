//! The shoup3 refresh: refreshed shares sign (once and after ten refreshes, any t),
//! old and new shares do not mix, every cheating contribution is caught by every
//! honest recipient, and refreshed verification data and shares round-trip.

use num_bigint::BigUint;

use super::*;
use crate::threshold::shoup3::combine::combine_message;
use crate::threshold::shoup3::commitments::VERSION_FELDMAN;
use crate::threshold::shoup3::deal::tests::{fixture_dealing_version, small_modulus};
use crate::threshold::shoup3::deal::{accept_all, deal_primes_version};
use crate::threshold::shoup3::partial::{partial_sign, sign_message};
use crate::threshold::shoup3::{combine, Shoup3Error};
use crate::threshold::RefreshContribution;

/// A version-2 3-of-5 (or other) key over a 256-bit modulus: the math does not depend
/// on the size.
fn small_shares(parties: u8, t: u8, version: u8) -> Vec<Share> {
    let (n, p, q) = small_modulus(128);
    let scheme = Scheme::new(parties, t).unwrap();
    accept_all(deal_primes_version(&n, &p, &q, scheme, 0, &[7; 32], version).unwrap()).unwrap()
}

/// What party `j` receives: every contribution's public part and its part for j.
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

/// One honest refresh of all shares.
fn refresh_all(shares: &[Share]) -> Vec<Share> {
    let contribs: Vec<_> = shares.iter().map(|s| contribution(s).unwrap()).collect();
    shares
        .iter()
        .map(|s| apply(s, &inputs(&contribs, s.party())).unwrap())
        .collect()
}

fn value(s: &Share) -> BigUint {
    crate::secret::bn_to_biguint(s.secret().value().expose())
}

/// Signs `message` with the shares of `set` and combines under `shares[0]`'s keys.
fn sign_with(shares: &[Share], set: &[u8], message: &BigUint) -> Result<BigUint, Shoup3Error> {
    let keys = shares[0].keys();
    let verified: Vec<_> = set
        .iter()
        .map(|&i| {
            let s = &shares[usize::from(i - 1)];
            sign_message(s, message)?.verify_message(s.keys(), message)
        })
        .collect::<Result<_, _>>()?;
    combine_message(keys, message, &verified)
}

#[test]
fn refreshed_shares_sign_once_and_after_ten_refreshes() {
    let shares = small_shares(5, 3, VERSION_FELDMAN);
    let n = shares[0].keys().modulus().clone();
    let message = BigUint::from(0x1234_5678u32) % &n;
    let expected = sign_with(&shares, &[1, 2, 3], &message).unwrap();
    let scheme = shares[0].keys().scheme();
    let fresh = shares[0].keys().commitments().unwrap().bound();
    let mut current = shares;
    for round in 1..=10u32 {
        let next = refresh_all(&current);
        for (old, new) in current.iter().zip(&next) {
            let j = BigUint::from(new.party());
            assert_eq!(value(new) % &j, BigUint::ZERO, "s'_j is a multiple of j");
            assert_ne!(value(new), value(old), "the share changed");
            assert_eq!(new.keys().modulus(), &n);
            assert_ne!(new.keys(), old.keys(), "new verification data");
        }
        let bound = next[0].keys().commitments().unwrap().bound();
        assert_eq!(Some(bound), bound_after_refreshes(fresh, scheme, round));
        for set in [[1u8, 2, 3], [2, 4, 5], [1, 3, 5]] {
            // The same RSA signature: the key did not change.
            assert_eq!(sign_with(&next, &set, &message).unwrap(), expected);
        }
        current = next;
    }
}

#[test]
fn old_and_new_shares_do_not_combine() {
    let old = small_shares(5, 3, VERSION_FELDMAN);
    let new = refresh_all(&old);
    let n = old[0].keys().modulus().clone();
    let message = BigUint::from(99u8) % &n;
    let keys = new[0].keys();
    // An old partial fails its proof against the new verification data ...
    let stale = sign_message(&old[0], &message).unwrap();
    assert_eq!(
        stale.verify_message(keys, &message).err(),
        Some(Shoup3Error::BadProof { party: 1 })
    );
    // ... and, taken unchecked, does not combine with new ones.
    let mut verified = vec![stale.verify_message(old[0].keys(), &message).unwrap()];
    for s in &new[1..3] {
        verified.push(
            sign_message(s, &message)
                .unwrap()
                .verify_message(keys, &message)
                .unwrap(),
        );
    }
    assert!(combine_message(keys, &message, &verified).is_err());
}

#[test]
fn a_refreshed_3072_bit_key_signs_digests_and_round_trips() {
    let shares = accept_all(fixture_dealing_version(2, 5, 3, VERSION_FELDMAN)).unwrap();
    let public = shares[0].keys().public_key().unwrap();
    let new = refresh_all(&shares);
    let keys = new[0].keys();
    assert_eq!(keys.public_key().unwrap(), public);
    let digest = [0x5a; 32];
    let verified: Vec<_> = [2u8, 4, 5]
        .iter()
        .map(|&i| {
            let s = &new[usize::from(i - 1)];
            partial_sign(s, &digest)
                .unwrap()
                .verify(keys, &digest)
                .unwrap()
        })
        .collect();
    let sig = combine(keys, &digest, &verified).unwrap();
    assert!(public.verify_digest(&digest, &sig));
    // `recover` still rebuilds the key from any t refreshed shares.
    let rebuilt = crate::threshold::shoup3::rebuild(&[&new[0], &new[2], &new[4]]).unwrap();
    assert_eq!(rebuilt.public(), &public);
    assert!(crate::threshold::shoup3::rebuild(&[&new[0], &shares[2], &new[4]]).is_err());
    // What a share file stores: the verification data's bytes and s'_j in ⌈S'/8⌉ bytes.
    let back = VerificationKeys::from_bytes(&keys.to_bytes()).unwrap();
    assert_eq!(&back, keys);
    for s in &new {
        let secret = SecretShare::from_value_bytes_for(
            s.party(),
            s.secret().value_bytes().expose(),
            back.version(),
            back.share_bytes(),
        )
        .unwrap();
        Share::accept(secret, back.clone()).unwrap();
        // s'_j + j is still ≡ 0 mod j, but fails v^{s'} = v'_j; s'_j + 1 is not ≡ 0 mod j
        // for j > 1.
        if s.party() > 1 {
            assert!(matches!(
                Share::accept(s.secret().tampered(1), back.clone()),
                Err(Shoup3Error::ShareForm { .. })
            ));
        }
        assert!(matches!(
            Share::accept(s.secret().tampered(u32::from(s.party())), back.clone()),
            Err(Shoup3Error::WrongShare { .. })
        ));
    }
}

#[test]
fn a_version_1_key_is_refused() {
    let shares = small_shares(3, 2, 1);
    let err = contribution(&shares[0]).unwrap_err();
    assert_eq!(err, RefreshError::DealingVersion1);
    assert!(err.to_string().contains("reshare it first"));
}

/// Every honest recipient's verdict on `sender`'s (tampered) contribution.
fn verdicts(shares: &[Share], sender: u8, c: &RefreshContribution) -> Vec<RefreshError> {
    shares
        .iter()
        .filter(|s| s.party() != sender)
        .map(|s| {
            let part = &c.parts[usize::from(s.party() - 1)].1;
            check_part(s, sender, &c.public, part.expose()).unwrap_err()
        })
        .collect()
}

fn add_to(part: &[u8], add: &BigUint) -> Vec<u8> {
    let z = BigUint::from_bytes_be(part) + add;
    crate::threshold::shoup3::arith::to_fixed(&z, part.len()).unwrap()
}

#[test]
fn each_cheating_contribution_is_caught_by_every_honest_recipient() {
    let shares = small_shares(5, 3, VERSION_FELDMAN);
    let honest = contribution(&shares[1]).unwrap();
    for s in &shares {
        let part = &honest.parts[usize::from(s.party() - 1)].1;
        check_part(s, 2, &honest.public, part.expose()).unwrap();
    }
    let tamper_parts = |f: &dyn Fn(u8, &[u8]) -> Vec<u8>| RefreshContribution {
        public: honest.public.clone(),
        parts: honest
            .parts
            .iter()
            .map(|(j, p)| (*j, crate::secret::SecretBytes::new(f(*j, p.expose()))))
            .collect(),
    };
    let bad_part = RefreshError::BadPart { sender: 2 };
    // A wrong part: z(j) + 1.
    let plus_one = tamper_parts(&|_, p| add_to(p, &BigUint::from(1u8)));
    assert!(verdicts(&shares, 2, &plus_one)
        .into_iter()
        .all(|e| e == bad_part));
    // A constant term c = Δ·2^20 added to every part (so s'_j would still be ≡ 0 mod j
    // and the secret would move by c): the public form has no C_{i0}, so each
    // recipient's v^{z(j)+c} = ∏_k C_k^{j^k} fails unless v^c = 1, i.e. unless the
    // sender knows a multiple of the secret order m of v.
    let c = BigUint::from(120u32 << 20);
    let constant = tamper_parts(&|_, p| add_to(p, &c));
    assert!(verdicts(&shares, 2, &constant)
        .into_iter()
        .all(|e| e == bad_part));
    // Commitments that do not match the parts: C_1 times v.
    let keys = shares[0].keys();
    let w = crate::threshold::shoup3::arith::width(keys.modulus());
    let mut public = honest.public.clone();
    let c1 = BigUint::from_bytes_be(&public[3..3 + w]) * keys.v() % keys.modulus();
    public[3..3 + w].copy_from_slice(&crate::threshold::shoup3::arith::to_fixed(&c1, w).unwrap());
    let recommitted = RefreshContribution {
        public,
        parts: tamper_parts(&|_, p| p.to_vec()).parts,
    };
    assert!(verdicts(&shares, 2, &recommitted)
        .into_iter()
        .all(|e| e == bad_part));
    // A part at the end of the honest range: 2^{S+128}·Σ_k j^k.
    let bound = keys.commitments().unwrap().bound();
    let huge = tamper_parts(&|j, p| {
        let limit = (BigUint::from(1u8) << (u64::from(bound) + 128)) * power_sum(j, 3);
        crate::threshold::shoup3::arith::to_fixed(&limit, p.len()).unwrap()
    });
    for e in verdicts(&shares, 2, &huge) {
        assert_eq!(
            e,
            RefreshError::MalformedPart {
                sender: 2,
                what: "out of range"
            }
        );
    }
    // And apply refuses the whole refresh, naming the sender.
    let mut contribs: Vec<_> = shares.iter().map(|s| contribution(s).unwrap()).collect();
    contribs[1] = plus_one;
    assert_eq!(
        apply(&shares[0], &inputs(&contribs, 1)).err(),
        Some(RefreshError::BadPart { sender: 2 })
    );
}

#[test]
fn malformed_public_parts_and_sender_lists_are_refused() {
    let shares = small_shares(5, 3, VERSION_FELDMAN);
    let c = contribution(&shares[0]).unwrap();
    let s = &shares[2];
    let short = &c.public[..c.public.len() - 1];
    assert_eq!(
        check_public(s, 1, short).err(),
        Some(RefreshError::MalformedPublic {
            sender: 1,
            what: "wrong length"
        })
    );
    let mut other = c.public.clone();
    other[2] ^= 1;
    assert!(matches!(
        check_public(s, 1, &other),
        Err(RefreshError::OtherBound { sender: 1, .. })
    ));
    let mut zero = c.public.clone();
    zero[3..].fill(0);
    assert!(matches!(
        check_public(s, 1, &zero),
        Err(RefreshError::MalformedPublic { sender: 1, .. })
    ));
    assert_eq!(
        check_public(s, 6, &c.public).err(),
        Some(RefreshError::UnknownSender { sender: 6, n: 5 })
    );
    let contribs: Vec<_> = shares.iter().map(|s| contribution(s).unwrap()).collect();
    let all = inputs(&contribs, 3);
    assert_eq!(
        apply(s, &all[..4]).err(),
        Some(RefreshError::MissingSender { sender: 5, n: 5 })
    );
    let mut twice = all.clone();
    twice[4] = twice[0];
    assert_eq!(
        apply(s, &twice).err(),
        Some(RefreshError::DuplicateSender { sender: 1 })
    );
}

#[test]
fn the_bound_grows_as_documented_and_stops_at_the_limit() {
    let s35 = Scheme::new(5, 3).unwrap();
    // 5·(5 + 25) = 150: ⌈log₂ 150⌉ = 8, so S' = S + 128 + 8 + 1.
    assert_eq!(next_bound(3077, s35), Some(3077 + 137));
    let s59 = Scheme::new(9, 5).unwrap();
    // 9·(9 + 81 + 729 + 6561) = 66420: ⌈log₂⌉ = 17.
    assert_eq!(next_bound(3089, s59), Some(3089 + 146));
    assert_eq!(bound_after_refreshes(3077, s35, 10), Some(3077 + 1370));
    assert_eq!(next_bound(MAX_SHARE_BOUND - 100, s35), None);
    assert_eq!(bound_after_refreshes(3077, s35, 100), None);
}
