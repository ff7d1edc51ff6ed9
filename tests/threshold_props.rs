//! For cached test keys and every t-subset of several schemes, the combined threshold
//! signature equals the ordinary PKCS#1 v1.5 signature of the `rsa` crate with the
//! whole key, and `openssl` accepts it.

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::key::{to_fixed_be, PrivateKey};
use mpcegosign::threshold::{combine, deal, partial_sign, Scheme, Subset};
use proptest::prelude::*;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use sha2::Sha256;

fn key_path(i: usize) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/keys/key{i}.pem"))
}

fn openssl_accepts(i: usize, digest: &[u8; 32], sig: &[u8]) -> bool {
    let tmp = tempfile::tempdir().unwrap();
    let (d, s) = (tmp.path().join("digest"), tmp.path().join("sig"));
    std::fs::write(&d, digest).unwrap();
    std::fs::write(&s, sig).unwrap();
    let pubkey =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/keys/key{i}.pub.pem"));
    Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(pubkey)
        .args(["-pkeyopt", "digest:sha256", "-in"])
        .arg(d)
        .arg("-sigfile")
        .arg(s)
        .output()
        .unwrap()
        .status
        .success()
}

fn check_scheme(n: u8, t: u8, key_index: usize, digests: &[[u8; 32]]) {
    let pem = std::fs::read(key_path(key_index)).unwrap();
    let ours = PrivateKey::from_pem(&pem).unwrap();
    let reference = RsaPrivateKey::from_pkcs8_pem(&String::from_utf8(pem).unwrap()).unwrap();
    let scheme = Scheme::new(n, t).unwrap();
    let shares = deal(&ours, scheme).unwrap();
    for (k, digest) in digests.iter().enumerate() {
        let expected = reference
            .sign(Pkcs1v15Sign::new::<Sha256>(), digest)
            .unwrap();
        for subset in scheme.subsets() {
            let partials: Vec<_> = subset
                .parties()
                .iter()
                .map(|&p| partial_sign(&shares[usize::from(p - 1)], subset, digest).unwrap())
                .collect();
            let sig = combine(ours.public(), subset, &partials, digest).unwrap();
            assert_eq!(
                to_fixed_be(&sig).to_vec(),
                expected,
                "{t}-of-{n}, subset {subset}"
            );
            // t-1 of the parties are not enough: dropping one partial never verifies.
            if k == 0 && subset == scheme.subsets()[0] {
                let short = &partials[1..];
                let all = Subset::from_parties(&subset.parties()).unwrap();
                assert!(combine(ours.public(), all, short, digest).is_err());
                let product = short.iter().fold(num_bigint::BigUint::from(1u8), |a, p| {
                    a * &p.value % ours.public().modulus()
                });
                assert!(!ours.public().verify_digest(digest, &product));
            }
        }
        if k == 0 {
            assert!(
                openssl_accepts(key_index, digest, &expected),
                "openssl rejects {t}-of-{n}"
            );
        }
    }
}

#[test]
fn every_subset_of_the_listed_schemes_signs_like_one_key() {
    let digests: Vec<[u8; 32]> = (0u8..2)
        .map(|i| std::array::from_fn(|j| i.wrapping_mul(31) ^ j as u8))
        .collect();
    for (i, (n, t)) in [(3, 2), (5, 3), (5, 4), (5, 5), (7, 3)]
        .into_iter()
        .enumerate()
    {
        check_scheme(n, t, i % 3 + 1, &digests);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]
    /// Random digests and random schemes: the combination always equals the `rsa` crate.
    #[test]
    fn random_digests_and_schemes(digest in any::<[u8; 32]>(), n in 2u8..6, t_off in 0u8..4, key in 1usize..4) {
        let t = 2 + t_off % (n - 1);
        check_scheme(n, t, key, &[digest]);
    }
}
