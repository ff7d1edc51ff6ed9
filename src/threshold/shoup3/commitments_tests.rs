//! Dealing version 2: derived keys, the joiner's checks, the proof range, and the
//! frozen vectors of its encodings.

use num_bigint::BigUint;

use super::*;
use crate::key::modexp::mod_exp_secret;
use crate::threshold::shoup3::deal::tests::{fixture_dealing_version, small_modulus};
use crate::threshold::shoup3::deal::{accept_all, deal_primes_version};
use crate::threshold::shoup3::partial::{partial_sign, PartialWithProof};
use crate::threshold::shoup3::range::ProofRange;
use crate::threshold::shoup3::secret_share::SecretShare;
use crate::threshold::shoup3::share::Share;
use crate::threshold::shoup3::vkeys::VerificationKeys;
use crate::threshold::Scheme;

const VECTOR_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shoup3");

fn read_hex(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(format!("{VECTOR_DIR}/{name}")).unwrap();
    hex::decode(text.trim()).unwrap()
}

#[test]
fn derived_keys_equal_v_to_the_share_and_shares_are_multiples_of_delta() {
    let (keys, shares) = fixture_dealing_version(2, 5, 3, VERSION_FELDMAN).into_shares();
    assert_eq!(keys.version(), VERSION_FELDMAN);
    let c = keys.commitments().unwrap();
    assert_eq!(c.values().len(), 2);
    // S = 3070 + ⌈log₂ 120⌉ = 3077; the share takes ⌈3077/8⌉ = 385 bytes.
    assert_eq!(c.bound(), 3077);
    assert_eq!(keys.share_bytes(), 385);
    let delta = BigUint::from(120u8);
    for s in &shares {
        // The derived v_j is the old-style v^{s_j}.
        let old_style = mod_exp_secret(keys.v(), s.value(), keys.modulus());
        assert_eq!(keys.key(s.party()).unwrap(), &old_style);
        let value = crate::secret::bn_to_biguint(s.value().expose());
        assert_eq!(&value % &delta, BigUint::from(0u8));
        assert!(value.bits() <= 3077);
        // Δ·m > N for n = 5: some shares are wider than N, none wider than S.
        assert_eq!(s.to_bytes().len(), 2 + 385);
    }
    // The polynomial and secret checks of version 1 hold by construction.
    keys.check_polynomial().unwrap();
    assert!(keys.secret_matches().unwrap());
    accept_all(fixture_dealing_version(2, 5, 3, VERSION_FELDMAN)).unwrap();
}

#[test]
fn a_wrong_share_or_commitment_is_refused() {
    let (n, p, q) = small_modulus(128);
    let scheme = Scheme::new(5, 3).unwrap();
    let (keys, shares) = deal_primes_version(&n, &p, &q, scheme, 0, &[4; 32], VERSION_FELDMAN)
        .unwrap()
        .into_shares();
    // s_2 + Δ: still a multiple of Δ below 2^S, but not the share of v_2.
    assert_eq!(
        Share::accept(shares[1].tampered(120), keys.clone()).err(),
        Some(Shoup3Error::WrongShare { party: 2 })
    );
    // s_2 + 1: not a multiple of Δ.
    assert_eq!(
        Share::accept(shares[1].tampered(1), keys.clone()).err(),
        Some(Shoup3Error::ShareForm { party: 2 })
    );
    // A tampered commitment: every party's share misses its derived v_j.
    let c = keys.commitments().unwrap();
    for k in 0..2 {
        let mut values = c.values().to_vec();
        values[k] = &values[k] * keys.v() % &n;
        let bad =
            VerificationKeys::with_commitments(n.clone(), scheme, *keys.seed(), c.bound(), values)
                .unwrap();
        for s in &shares {
            assert_eq!(
                bad.check_dealing(s).err(),
                Some(Shoup3Error::WrongShare { party: s.party() })
            );
        }
    }
    // A share bound below the share: refused as out of form.
    let low = VerificationKeys::with_commitments(
        n.clone(),
        scheme,
        *keys.seed(),
        u16::try_from(n.bits() - 2).unwrap(),
        c.values().to_vec(),
    )
    .unwrap();
    let wide = shares
        .iter()
        .find(|s| s.value().num_bits() > n.bits() - 2)
        .expect("for n = 5 some share is wider than N/4");
    assert!(matches!(
        Share::accept(wide.tampered(0), low),
        Err(Shoup3Error::ShareForm { .. })
    ));
    // A version-1 share under version-2 keys (and back) is refused.
    let (keys1, shares1) = deal_primes_version(&n, &p, &q, scheme, 0, &[4; 32], 1)
        .unwrap()
        .into_shares();
    assert_eq!(
        Share::accept(shares1[0].tampered(0), keys.clone()).err(),
        Some(Shoup3Error::Malformed("secret share"))
    );
    assert_eq!(
        Share::accept(shares[0].tampered(0), keys1).err(),
        Some(Shoup3Error::Malformed("secret share"))
    );
    // The honest shares pass; a bound or count out of range is refused.
    for s in shares {
        Share::accept(s, keys.clone()).unwrap();
    }
    let seed = *keys.seed();
    for (bound, count) in [(MAX_SHARE_BOUND + 1, 2), (3077, 1), (3077, 3)] {
        let values = vec![keys.v().clone(); count];
        assert!(
            VerificationKeys::with_commitments(n.clone(), scheme, seed, bound, values).is_err()
        );
    }
}

#[test]
fn proof_range_takes_the_share_bound() {
    let legacy = ProofRange::legacy(&(BigUint::from(1u8) << 3071));
    assert_eq!((legacy.nonce_bits, legacy.z_bits), (3328, 3336));
    let r = ProofRange::for_bound(3077);
    assert_eq!((r.nonce_bits, r.z_bits, r.z_bytes()), (3333, 3334, 417));
    let top = (BigUint::from(1u8) << r.z_bits) - 1u8;
    assert!(r.accepts(&top));
    assert!(r.accepts(&BigUint::from(0u8)));
    assert!(!r.accepts(&(top + 1u8)));
}

#[test]
fn version_2_encodings_round_trip_and_partials_verify() {
    let shares = accept_all(fixture_dealing_version(3, 5, 3, VERSION_FELDMAN)).unwrap();
    let keys = shares[0].keys();
    let bytes = keys.to_bytes();
    assert_eq!(bytes.len(), VerificationKeys::encoded_len_feldman(3));
    assert_eq!(bytes.len(), 3 + 32 + 384 + 2 + 2 * 384);
    assert_eq!(&VerificationKeys::from_bytes(&bytes).unwrap(), keys);
    let digest = [0x24u8; 32];
    // At 3-of-5 (S = 3077) z fits the 417 bytes of layout 1: 819 bytes, as before.
    let p = partial_sign(&shares[2], &digest).unwrap();
    let encoded = p.to_bytes();
    assert_eq!((encoded.len(), encoded[0]), (819, 1));
    assert_eq!(super::super::partial_encoded_len(&encoded), encoded.len());
    let back = PartialWithProof::from_bytes(&encoded).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.verify(keys, &digest).unwrap().party(), 3);
    assert!(back.verify(keys, &[0x25; 32]).is_err());
    // The same partial in layout 2 is refused for this key: one encoding per key.
    let mut v2 = encoded.clone();
    v2[0] = VERSION_FELDMAN;
    v2.splice(2..2, 417u16.to_be_bytes());
    let as_v2 = PartialWithProof::from_bytes(&v2).unwrap();
    assert_eq!(
        as_v2.verify(keys, &digest).err(),
        Some(Shoup3Error::BadProof { party: 3 })
    );
    // A version-2 secret share round-trips.
    let s = shares[4].secret().to_bytes();
    let back = SecretShare::from_bytes(s.expose()).unwrap();
    assert_eq!(back.to_bytes().expose(), s.expose());
    Share::accept(back, keys.clone()).unwrap();
}

/// The frozen vector of version 2: verification data and a partial, made once by
/// `write_frozen_vector_v2`.
#[test]
fn frozen_vector_v2_still_verifies() {
    let keys_bytes = read_hex("vkeys-v2-5of9.hex");
    let partial_bytes = read_hex("partial-v2-5of9-party4.hex");
    let digest: [u8; 32] = read_hex("digest.hex").try_into().unwrap();
    let keys = VerificationKeys::from_bytes(&keys_bytes).unwrap();
    assert_eq!(keys.to_bytes(), keys_bytes);
    assert_eq!(keys.version(), VERSION_FELDMAN);
    let p = PartialWithProof::from_bytes(&partial_bytes).unwrap();
    assert_eq!(p.to_bytes(), partial_bytes);
    // 5-of-9: S = 3089, z in ⌈3346/8⌉ = 419 bytes, layout 2 (823 bytes).
    assert_eq!(
        (partial_bytes.len(), partial_bytes[0]),
        (823, VERSION_FELDMAN)
    );
    assert_eq!(p.verify(&keys, &digest).unwrap().party(), 4);
    let mut other = digest;
    other[0] ^= 1;
    assert!(p.verify(&keys, &other).is_err());
}

/// Writes the version-2 frozen vector (run once, by hand):
/// `cargo test --lib shoup3::commitments::tests::write_frozen_vector_v2 -- --ignored`.
#[test]
#[ignore]
fn write_frozen_vector_v2() {
    let shares = accept_all(fixture_dealing_version(1, 9, 5, VERSION_FELDMAN)).unwrap();
    let digest: [u8; 32] = std::array::from_fn(|i| i as u8);
    let p = partial_sign(&shares[3], &digest).unwrap();
    let write = |name: &str, b: &[u8]| {
        std::fs::write(format!("{VECTOR_DIR}/{name}"), hex::encode(b) + "\n").unwrap()
    };
    write("vkeys-v2-5of9.hex", &shares[0].keys().to_bytes());
    write("partial-v2-5of9-party4.hex", &p.to_bytes());
}
