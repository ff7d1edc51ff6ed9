//! The combiner: any t verified partials → w = ∏ x_i^{2λ_{0,i}} = M^{2^k d},
//! y = w^a · M^b with a·2^k + 3b = 1, and y³ = M checked before y is returned.

use num_bigint::{BigInt, BigUint};
use num_traits::One;

use super::arith::{pow, pow_signed};
use super::partial::{PartialWithProof, VerifiedPartial};
use super::vkeys::VerificationKeys;
use super::Shoup3Error;
use crate::key::pkcs1;

/// What [`combine_any`] did: the signature, the t parties it used, and the parties
/// whose partials failed their proofs (with why).
#[derive(Debug)]
pub struct Combined {
    pub signature: BigUint,
    pub used: Vec<u8>,
    pub culprits: Vec<(u8, Shoup3Error)>,
}

/// Combines the first t partials of distinct parties in `partials` (all verified for
/// `digest`) into the RSA signature over `digest`, and checks y³ = M mod N.
pub fn combine(
    keys: &VerificationKeys,
    digest: &[u8; 32],
    partials: &[VerifiedPartial],
) -> Result<BigUint, Shoup3Error> {
    combine_message(keys, &pkcs1::encode_sha256(digest), partials)
}

/// Verifies the partials in order until t of distinct parties are valid (naming each
/// one that fails on the way) and combines those t. Partials after that are not looked at.
pub fn combine_any(
    keys: &VerificationKeys,
    digest: &[u8; 32],
    partials: &[PartialWithProof],
) -> Result<Combined, Shoup3Error> {
    let message = pkcs1::encode_sha256(digest);
    let need = usize::from(keys.scheme().threshold());
    let mut valid: Vec<VerifiedPartial> = Vec::new();
    let mut culprits = Vec::new();
    for p in partials {
        if valid.len() == need {
            break;
        }
        if valid.iter().any(|v| v.party == p.party()) {
            continue;
        }
        match p.verify_message(keys, &message) {
            Ok(v) => valid.push(v),
            Err(e) => culprits.push((p.party(), e)),
        }
    }
    if valid.len() < need {
        let names: Vec<String> = culprits.iter().map(|(p, _)| p.to_string()).collect();
        return Err(Shoup3Error::NotEnoughPartials {
            valid: valid.len(),
            need,
            culprits: if names.is_empty() {
                String::new()
            } else {
                format!(" (bad partials from parties {})", names.join(","))
            },
        });
    }
    let signature = combine_message(keys, &message, &valid)?;
    Ok(Combined {
        signature,
        used: valid.iter().map(|v| v.party).collect(),
        culprits,
    })
}

pub(super) fn combine_message(
    keys: &VerificationKeys,
    message: &BigUint,
    partials: &[VerifiedPartial],
) -> Result<BigUint, Shoup3Error> {
    let n = keys.modulus();
    let params = keys.params();
    let need = usize::from(params.scheme().threshold());
    let mut chosen: Vec<&VerifiedPartial> = Vec::with_capacity(need);
    for p in partials {
        if &p.message != message {
            return Err(Shoup3Error::OtherMessage { party: p.party });
        }
        if chosen.len() < need && !chosen.iter().any(|c| c.party == p.party) {
            chosen.push(p);
        }
    }
    if chosen.len() < need {
        return Err(Shoup3Error::NotEnoughPartials {
            valid: chosen.len(),
            need,
            culprits: String::new(),
        });
    }
    let set: Vec<u8> = chosen.iter().map(|p| p.party).collect();
    // w = ∏ x_i^{2λ_{0,i}}; negative exponents invert x_i (public).
    let mut w = BigUint::one();
    for p in &chosen {
        let lambda: BigInt = params.lagrange(&set, p.party, 0)? * 2;
        w = w * pow_signed(&p.value, &lambda, n)? % n;
    }
    let (a, b) = params.bezout();
    let y = pow_signed(&w, a, n)? * pow_signed(message, b, n)? % n;
    if pow(&y, &BigUint::from(3u8), n)? != message % n {
        return Err(Shoup3Error::InvalidCombination);
    }
    Ok(y)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::shoup3::deal::tests::small_modulus;
    use crate::threshold::shoup3::deal::{accept_all, deal_primes};
    use crate::threshold::shoup3::partial::sign_message;
    use crate::threshold::Scheme;
    use num_bigint::RandBigInt;

    /// Prototype at small sizes: for many (n, t) and every t-subset, the combination
    /// equals M^D mod N for the ordinary RSA exponent D = 3⁻¹ mod λ(N).
    #[test]
    fn every_subset_gives_the_ordinary_signature_at_small_sizes() {
        let (n, p, q) = small_modulus(96);
        let pm1 = crate::secret::bn_to_biguint(p.expose()) - 1u8;
        let qm1 = crate::secret::bn_to_biguint(q.expose()) - 1u8;
        let lambda = &pm1 * &qm1 / 2u8; // lcm(p − 1, q − 1) = 2p′q′
        let big_d = BigUint::from(3u8).modinv(&lambda).unwrap();
        let mut rng = rand::thread_rng();
        let message = rng.gen_biguint_below(&n);
        let expected = message.modpow(&big_d, &n);
        for (parties, t) in [
            (2u8, 2u8),
            (3, 2),
            (5, 3),
            (5, 5),
            (7, 4),
            (9, 5),
            (10, 3),
            (8, 8),
        ] {
            let scheme = Scheme::new(parties, t).unwrap();
            let shares = accept_all(deal_primes(&n, &p, &q, scheme, 0, &[3; 32]).unwrap()).unwrap();
            let keys = shares[0].keys().clone();
            let verified: Vec<VerifiedPartial> = shares
                .iter()
                .map(|s| {
                    sign_message(s, &message)
                        .unwrap()
                        .verify_message(&keys, &message)
                        .unwrap()
                })
                .collect();
            for mask in 1u32..(1 << parties) {
                if mask.count_ones() != u32::from(t) {
                    continue;
                }
                let subset: Vec<VerifiedPartial> = (0..parties)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| verified[usize::from(i)].clone())
                    .collect();
                let y = combine_message(&keys, &message, &subset).unwrap();
                assert_eq!(y, expected, "{t}-of-{parties}, mask {mask:b}");
            }
            // t − 1 partials are not enough.
            assert!(matches!(
                combine_message(&keys, &message, &verified[..usize::from(t) - 1]),
                Err(Shoup3Error::NotEnoughPartials { .. })
            ));
        }
    }

    #[test]
    fn bad_partials_are_named_by_their_proofs() {
        let (n, p, q) = small_modulus(96);
        let scheme = Scheme::new(4, 2).unwrap();
        let shares = accept_all(deal_primes(&n, &p, &q, scheme, 0, &[3; 32]).unwrap()).unwrap();
        let keys = shares[0].keys().clone();
        let mut rng = rand::thread_rng();
        let m1 = rng.gen_biguint_below(&n);
        let m2 = rng.gen_biguint_below(&n);
        let good = sign_message(&shares[0], &m1).unwrap();
        good.verify_message(&keys, &m1).unwrap();
        // Tampered value.
        let tampered = good.with_value(&good.value * 2u8 % &n);
        assert_eq!(
            tampered.verify_message(&keys, &m1).err(),
            Some(Shoup3Error::BadProof { party: 1 })
        );
        // A valid partial for another message.
        let other = sign_message(&shares[1], &m2).unwrap();
        assert_eq!(
            other.verify_message(&keys, &m1).err(),
            Some(Shoup3Error::BadProof { party: 2 })
        );
        // Its proof does not transfer to another party either.
        let mut moved = good.to_bytes();
        moved[1] = 3;
        let moved = PartialWithProof::from_bytes(&moved).unwrap();
        assert_eq!(
            moved.verify_message(&keys, &m1).err(),
            Some(Shoup3Error::BadProof { party: 3 })
        );
    }
}
