//! Fresh RSA-3072 keys with e = 3: primes p ≡ q ≡ 2 (mod 3), so gcd(3, p-1) = gcd(3, q-1) = 1.

use openssl::bn::{BigNum, BigNumContext};

use super::{KeyError, PrivateKey, MODULUS_BITS};
use crate::secret::SecretBn;

/// What key generation reports while it runs (the caller decides how to show it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeygenEvent {
    /// Searching for prime number `index` (1 or 2).
    SearchingPrime { index: u8 },
    /// Prime number `index` was found.
    FoundPrime { index: u8 },
    /// The product did not have exactly 3072 bits, or the primes were too close; retrying.
    Retry,
    /// The key passed its checks.
    Done,
}

const PRIME_BITS: i32 = (MODULUS_BITS / 2) as i32;

/// Generates a key with OpenSSL's prime search (`BN_generate_prime_ex` with
/// add = 3, rem = 2: probable primes of 1536 bits congruent to 2 mod 3).
pub fn generate(progress: &mut dyn FnMut(KeygenEvent)) -> Result<PrivateKey, KeyError> {
    let ossl = |e: openssl::error::ErrorStack| KeyError::Generate(e.to_string());
    let three = BigNum::from_u32(3).map_err(ossl)?;
    let two = BigNum::from_u32(2).map_err(ossl)?;
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    loop {
        let mut primes = Vec::with_capacity(2);
        for index in 1..=2u8 {
            progress(KeygenEvent::SearchingPrime { index });
            let mut p = BigNum::new_secure().map_err(ossl)?;
            p.generate_prime(PRIME_BITS, false, Some(&three), Some(&two))
                .map_err(ossl)?;
            primes.push(SecretBn::new(p));
            progress(KeygenEvent::FoundPrime { index });
        }
        let q = primes.pop().ok_or(KeyError::Generate("no prime".into()))?;
        let p = primes.pop().ok_or(KeyError::Generate("no prime".into()))?;
        // |p - q| must exceed 2^(1536-100) (FIPS 186-5 B.3.1), and n must have 3072 bits.
        let mut diff = BigNum::new_secure().map_err(ossl)?;
        diff.checked_sub(p.expose(), q.expose()).map_err(ossl)?;
        let far_enough = diff.num_bits() > PRIME_BITS - 100;
        diff.clear();
        let mut n = BigNum::new().map_err(ossl)?;
        n.checked_mul(p.expose(), q.expose(), &mut ctx)
            .map_err(ossl)?;
        if !far_enough || n.num_bits() as u64 != MODULUS_BITS {
            progress(KeygenEvent::Retry);
            continue;
        }
        let key = PrivateKey::from_primes(p, q)?;
        progress(KeygenEvent::Done);
        return Ok(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;

    #[test]
    fn fresh_key_has_the_sgx_shape() {
        let mut events = Vec::new();
        let key = generate(&mut |e| events.push(e)).expect("keygen");
        assert_eq!(key.public().modulus().bits(), 3072);
        let (p, q) = key.primes();
        let p = crate::secret::bn_to_biguint(p.expose());
        let q = crate::secret::bn_to_biguint(q.expose());
        assert_eq!(&p % 3u8, BigUint::from(2u8));
        assert_eq!(&q % 3u8, BigUint::from(2u8));
        assert_eq!(&p * &q, *key.public().modulus());
        assert_eq!(events.last(), Some(&KeygenEvent::Done));
        assert!(events.contains(&KeygenEvent::FoundPrime { index: 2 }));
        let digest = [7u8; 32];
        assert!(key
            .public()
            .verify_digest(&digest, &key.sign_digest(&digest)));
    }
}
