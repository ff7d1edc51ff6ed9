//! shoup3 at 3072 bits: for the safe-prime fixture keys, every t-subset of the listed
//! schemes (and random subsets up to n = 16) combines into exactly the signature that
//! `openssl pkeyutl -sign` makes with the whole key (exported through the test-only
//! path); bad partials are named by their proofs and the others still sign.

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::key::to_fixed_be;
use mpcegosign::threshold::shoup3::{
    accept_all, combine, combine_any, deal, deal_wrong_secret_for_tests, partial_sign,
    PartialWithProof, SafePrimeKey, SecretShare, Share, Shoup3Error, VerificationKeys,
    VerifiedPartial,
};
use mpcegosign::threshold::Scheme;
use proptest::prelude::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

fn load_key(index: usize) -> SafePrimeKey {
    SafePrimeKey::from_pem(&std::fs::read(fixture(&format!("safe{index}.pem"))).unwrap()).unwrap()
}

/// `openssl pkeyutl -sign` with the whole key, exported through the test-only path.
fn openssl_sign(key: &SafePrimeKey, digest: &[u8; 32]) -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let (k, d) = (tmp.path().join("key.pem"), tmp.path().join("digest"));
    std::fs::write(&k, key.to_pkcs1_pem_for_tests().unwrap().expose()).unwrap();
    std::fs::write(&d, digest).unwrap();
    let out = Command::new("openssl")
        .args(["pkeyutl", "-sign", "-inkey"])
        .arg(&k)
        .args(["-pkeyopt", "digest:sha256", "-in"])
        .arg(&d)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl pkeyutl -sign failed");
    assert_eq!(out.stdout.len(), 384);
    out.stdout
}

fn digest_for(seed: u8) -> [u8; 32] {
    std::array::from_fn(|j| seed.wrapping_mul(97) ^ (j as u8).wrapping_mul(13))
}

/// Deals the key, signs `digest` with every party, and returns the verified partials.
fn verified_partials(
    key: SafePrimeKey,
    n: u8,
    t: u8,
    digest: &[u8; 32],
) -> (VerificationKeys, Vec<VerifiedPartial>) {
    let shares = accept_all(deal(key, Scheme::new(n, t).unwrap()).unwrap()).unwrap();
    let keys = shares[0].keys().clone();
    let partials = shares
        .iter()
        .map(|s| {
            let bytes = partial_sign(s, digest).unwrap().to_bytes();
            PartialWithProof::from_bytes(&bytes)
                .unwrap()
                .verify(&keys, digest)
                .unwrap()
        })
        .collect();
    (keys, partials)
}

/// Every t-subset of 1..=n as a bitmask.
fn subsets(n: u8, t: u8) -> impl Iterator<Item = u32> {
    (1u32..(1 << n)).filter(move |m| m.count_ones() == u32::from(t))
}

#[test]
fn every_subset_of_the_listed_schemes_signs_like_openssl() {
    for (i, (t, n)) in [(2u8, 2u8), (2, 3), (3, 5), (5, 5), (5, 9), (4, 12)]
        .into_iter()
        .enumerate()
    {
        let key = load_key(i % 3 + 1);
        let digest = digest_for(i as u8);
        let expected = openssl_sign(&key, &digest);
        let (keys, partials) = verified_partials(key, n, t, &digest);
        let mut count = 0;
        for mask in subsets(n, t) {
            let chosen: Vec<VerifiedPartial> = (0..n)
                .filter(|b| mask & (1 << b) != 0)
                .map(|b| partials[usize::from(b)].clone())
                .collect();
            let sig = combine(&keys, &digest, &chosen).unwrap();
            assert_eq!(
                to_fixed_be(&sig).to_vec(),
                expected,
                "{t}-of-{n}, subset {mask:b}"
            );
            count += 1;
        }
        let binom = (0..u64::from(t)).fold(1u64, |a, k| a * (u64::from(n) - k) / (k + 1));
        assert_eq!(count, binom, "{t}-of-{n}: every subset was tried");
        // t − 1 partials never make a signature.
        assert!(matches!(
            combine(&keys, &digest, &partials[..usize::from(t) - 1]),
            Err(Shoup3Error::NotEnoughPartials { .. })
        ));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]
    /// Random schemes up to n = 16, a random t-subset in random order, a random digest.
    #[test]
    fn random_subsets_up_to_sixteen_parties(
        n in 2u8..=16,
        t_seed in any::<u8>(),
        order in Just((1u8..=16).collect::<Vec<u8>>()).prop_shuffle(),
        digest in any::<[u8; 32]>(),
        key in 1usize..=3,
    ) {
        let t = 2 + t_seed % (n - 1);
        let key = load_key(key);
        let expected = openssl_sign(&key, &digest);
        let shares = accept_all(deal(key, Scheme::new(n, t).unwrap()).unwrap()).unwrap();
        let keys = shares[0].keys().clone();
        let chosen: Vec<VerifiedPartial> = order
            .iter()
            .filter(|&&p| p <= n)
            .take(usize::from(t))
            .map(|&p| {
                partial_sign(&shares[usize::from(p - 1)], &digest)
                    .unwrap()
                    .verify(&keys, &digest)
                    .unwrap()
            })
            .collect();
        let sig = combine(&keys, &digest, &chosen).unwrap();
        prop_assert_eq!(to_fixed_be(&sig).to_vec(), expected);
    }
}

/// 5-of-9 with 6 invited: one declines (sends nothing), one sends a tampered partial,
/// one a valid partial for another message. The combiner names the two culprits and
/// still signs with the other t.
#[test]
fn bad_partials_are_named_and_the_rest_sign() {
    let key = load_key(2);
    let digest = digest_for(7);
    let expected = openssl_sign(&key, &digest);
    let shares = accept_all(deal(key, Scheme::new(9, 5).unwrap()).unwrap()).unwrap();
    let keys = shares[0].keys().clone();
    let sign = |p: u8, d: &[u8; 32]| partial_sign(&shares[usize::from(p - 1)], d).unwrap();
    let mut tampered = sign(3, &digest).to_bytes();
    tampered[100] ^= 0x10;
    let received = vec![
        sign(1, &digest),
        PartialWithProof::from_bytes(&tampered).unwrap(),
        sign(5, &digest_for(8)),
        sign(6, &digest),
        sign(8, &digest),
        sign(9, &digest),
    ];
    // Too few honest partials: an error that names the culprits.
    let err = combine_any(&keys, &digest, &received[..5]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "only 3 valid partial signatures, 5 needed (bad partials from parties 3,5)"
    );
    let mut all = received.clone();
    all.insert(1, sign(2, &digest));
    let done = combine_any(&keys, &digest, &all).unwrap();
    assert_eq!(to_fixed_be(&done.signature).to_vec(), expected);
    assert_eq!(done.used, vec![1, 2, 6, 8, 9]);
    let culprits: Vec<(u8, Shoup3Error)> = done.culprits;
    assert_eq!(
        culprits,
        vec![
            (3, Shoup3Error::BadProof { party: 3 }),
            (5, Shoup3Error::BadProof { party: 5 })
        ]
    );
}

/// The four corrupt dealings of the issue, at 3072 bits through the byte encodings
/// that travel to the joiners; each joiner refuses with its own error. They edit
/// v_1..v_n, so they are dealt in dealing version 1 (still read and accepted);
/// version 2's refusals are `shoup3::commitments::tests`.
#[test]
fn corrupt_dealings_are_refused_by_every_joiner() {
    let scheme = Scheme::new(5, 3).unwrap();
    let (keys, shares) =
        mpcegosign::threshold::shoup3::deal_seeded_version(load_key(3), scheme, &[3; 32], 1)
            .unwrap()
            .into_shares();
    let vk = keys.to_bytes();
    let reload = |b: &[u8]| VerificationKeys::from_bytes(b).unwrap();
    let share_bytes: Vec<Vec<u8>> = shares
        .iter()
        .map(|s| s.to_bytes().expose().to_vec())
        .collect();
    let secret = |i: usize| SecretShare::from_bytes(&share_bytes[i]).unwrap();

    // 1. A wrong share for party 2 (its last byte changed).
    let mut wrong = share_bytes[1].clone();
    *wrong.last_mut().unwrap() ^= 1;
    assert_eq!(
        Share::accept(SecretShare::from_bytes(&wrong).unwrap(), reload(&vk)).err(),
        Some(Shoup3Error::WrongShare { party: 2 })
    );
    // 2. Inconsistent v_i: v_5 replaced by v_4.
    let (at4, at5) = (3 + 32 + 4 * 384, 3 + 32 + 5 * 384);
    let mut inconsistent = vk.clone();
    inconsistent.copy_within(at4..at4 + 384, at5);
    for i in 0..5 {
        assert_eq!(
            Share::accept(secret(i), reload(&inconsistent)).err(),
            Some(Shoup3Error::InconsistentKeys { party: 5 }),
            "joiner {}",
            i + 1
        );
    }
    // 3. A swapped v (another seed).
    let mut swapped = vk.clone();
    swapped[3] ^= 0x80;
    for i in 0..5 {
        assert_eq!(
            Share::accept(secret(i), reload(&swapped)).err(),
            Some(Shoup3Error::WrongBase)
        );
    }
    // 4. A wrong secret: the dealer shared d + 1.
    let (bad_keys, bad_shares) = deal_wrong_secret_for_tests(load_key(3), scheme, &[4; 32])
        .unwrap()
        .into_shares();
    for s in bad_shares {
        assert_eq!(
            Share::accept(s, bad_keys.clone()).err(),
            Some(Shoup3Error::WrongSecret)
        );
    }
    // The untouched dealing is accepted by everyone.
    for i in 0..5 {
        Share::accept(secret(i), reload(&vk)).unwrap();
    }
}

/// A fresh safe-prime key (the only prime search in the suite): 3072 bits, safe
/// primes, progress reported, and it deals and signs like openssl.
#[test]
fn fresh_safe_prime_key_signs_like_openssl() {
    use mpcegosign::threshold::shoup3::SafeKeygenEvent;
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let mut events = Vec::new();
    let key = SafePrimeKey::generate(&mut |e| events.push(e), &cancel).unwrap();
    assert_eq!(key.public().modulus().bits(), 3072);
    assert_eq!(events.first(), Some(&SafeKeygenEvent::Searching));
    assert_eq!(events.last(), Some(&SafeKeygenEvent::Done));
    for index in [1, 2] {
        assert!(events.contains(&SafeKeygenEvent::FoundPrime { index }));
    }
    // The exported key re-imports as a safe-prime key (its primes pass the check).
    let pem = key.to_pkcs1_pem_for_tests().unwrap();
    SafePrimeKey::from_pem(pem.expose()).unwrap();
    let digest = digest_for(3);
    let expected = openssl_sign(&key, &digest);
    let (keys, partials) = verified_partials(key, 3, 2, &digest);
    let sig = combine(&keys, &digest, &partials[1..]).unwrap();
    assert_eq!(to_fixed_be(&sig).to_vec(), expected);
}
