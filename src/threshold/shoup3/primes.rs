//! Safe-prime search: p = 2p′ + 1 with p′ and p both prime.
//!
//! Candidates p′ are walked in windows of odd numbers from a random start. One sieve
//! pass per window strikes every offset where a small prime ℓ divides p′ (p′ ≡ 0) or
//! 2p′ + 1 (p′ ≡ (ℓ − 1)/2 mod ℓ), so only about 1 in 230 odd candidates reaches a
//! modular exponentiation. Survivors get a base-2 Fermat test on p′, then on p, and
//! only then OpenSSL's Miller–Rabin (`BN_is_prime_ex`, 64 rounds at this size) on both.

use openssl::bn::{BigNum, BigNumContext, BigNumRef, MsbOption};

use super::Shoup3Error;
use crate::secret::SecretBn;

/// Odd primes below this bound sieve the candidates.
pub const SIEVE_BOUND: u32 = 1 << 20;
/// Candidates (odd p′) per window.
const WINDOW: usize = 1 << 14;
/// Miller–Rabin rounds requested (OpenSSL 3 raises it to its own minimum).
const MR_ROUNDS: i32 = 64;

fn ossl(e: openssl::error::ErrorStack) -> Shoup3Error {
    Shoup3Error::Keygen(e.to_string())
}

/// The odd primes below `bound` (sieve of Eratosthenes).
pub fn small_primes(bound: u32) -> Vec<u32> {
    let n = bound as usize;
    let mut composite = vec![false; n];
    let mut out = Vec::new();
    for i in 3..n {
        if i % 2 == 1 && !composite[i] {
            out.push(i as u32);
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += 2 * i;
            }
        }
    }
    out
}

/// Marks the window offsets j (candidate p′ = start + 2j) that a small prime rules out.
fn sieve_window(start: &BigNumRef, primes: &[u32]) -> Result<Vec<bool>, Shoup3Error> {
    let mut struck = vec![false; WINDOW];
    for &l in primes {
        let rem = start.mod_word(l).map_err(ossl)?;
        let l64 = u64::from(l);
        let inv2 = l64.div_ceil(2);
        // p′ ≡ 0 kills p′; p′ ≡ (ℓ−1)/2 kills 2p′+1.
        for target in [0, (l64 - 1) / 2] {
            let mut j = ((target + l64 - rem) % l64 * inv2 % l64) as usize;
            while j < WINDOW {
                struck[j] = true;
                j += l as usize;
            }
        }
    }
    Ok(struck)
}

/// 2^(x−1) ≡ 1 (mod x), in constant time (x may become a secret prime).
fn fermat_base2(x: &BigNumRef, ctx: &mut BigNumContext) -> Result<bool, Shoup3Error> {
    let mut e = BigNum::new_secure().map_err(ossl)?;
    let (one, two) = (
        BigNum::from_u32(1).map_err(ossl)?,
        BigNum::from_u32(2).map_err(ossl)?,
    );
    e.checked_sub(x, &one).map_err(ossl)?;
    let e = SecretBn::new(e);
    let mut out = BigNum::new_secure().map_err(ossl)?;
    out.mod_exp(&two, e.expose(), x, ctx).map_err(ossl)?;
    let one = out.num_bits() == 1;
    out.clear();
    Ok(one)
}

/// A safe prime of exactly `bits` bits with its top two bits set (so the product of two
/// has exactly 2·bits bits). `on_window` is called with the number of candidates looked
/// at so far after every window. Stops with [`Shoup3Error::Cancelled`] once `stop()`
/// returns true (polled before every exponentiation).
pub fn safe_prime(
    bits: u32,
    primes: &[u32],
    stop: &dyn Fn() -> bool,
    on_window: &mut dyn FnMut(u64),
) -> Result<SecretBn, Shoup3Error> {
    let pbits = i32::try_from(bits - 1).map_err(|_| Shoup3Error::Keygen("size".into()))?;
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    let mut looked = 0u64;
    loop {
        if stop() {
            return Err(Shoup3Error::Cancelled);
        }
        // Random odd p′ of bits−1 bits with the top two set; p = 2p′+1 keeps both.
        let mut start = BigNum::new_secure().map_err(ossl)?;
        start.rand(pbits, MsbOption::TWO_ONES, true).map_err(ossl)?;
        let start = SecretBn::new(start);
        // Small primes must not be candidates themselves: p′ is far above the bound.
        let struck = sieve_window(start.expose(), primes)?;
        for (j, _) in struck.iter().enumerate().filter(|(_, s)| !**s) {
            if stop() {
                return Err(Shoup3Error::Cancelled);
            }
            let mut pp = BigNum::new_secure().map_err(ossl)?;
            let offset = BigNum::from_u32(2 * j as u32).map_err(ossl)?;
            pp.checked_add(start.expose(), &offset).map_err(ossl)?;
            let pp = SecretBn::new(pp);
            if pp.num_bits() != u64::from(bits - 1) || !fermat_base2(pp.expose(), &mut ctx)? {
                continue;
            }
            let mut p = BigNum::new_secure().map_err(ossl)?;
            p.lshift1(pp.expose()).map_err(ossl)?;
            p.add_word(1).map_err(ossl)?;
            let p = SecretBn::new(p);
            if !fermat_base2(p.expose(), &mut ctx)? {
                continue;
            }
            if pp.expose().is_prime(MR_ROUNDS, &mut ctx).map_err(ossl)?
                && p.expose().is_prime(MR_ROUNDS, &mut ctx).map_err(ossl)?
            {
                return Ok(p);
            }
        }
        looked += WINDOW as u64;
        on_window(looked);
    }
}

/// Whether `p` is a safe prime: p and (p − 1)/2 are both (probable) primes.
pub fn is_safe_prime(p: &SecretBn) -> Result<bool, Shoup3Error> {
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    if p.num_bits() < 3 || !p.expose().is_prime(MR_ROUNDS, &mut ctx).map_err(ossl)? {
        return Ok(false);
    }
    let mut half = BigNum::new_secure().map_err(ossl)?;
    half.rshift1(p.expose()).map_err(ossl)?;
    let half = SecretBn::new(half);
    half.expose().is_prime(MR_ROUNDS, &mut ctx).map_err(ossl)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::bn_to_biguint;
    use num_bigint::BigUint;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn small_prime_table() {
        let p = small_primes(30);
        assert_eq!(p, vec![3, 5, 7, 11, 13, 17, 19, 23, 29]);
        assert_eq!(small_primes(1 << 16).len(), 6541); // π(65536) − 1 (no 2)
        assert_eq!(small_primes(SIEVE_BOUND).len(), 82024); // π(2^20) − 1
    }

    #[test]
    fn sieve_strikes_exactly_the_bad_offsets() {
        let primes = small_primes(200);
        let mut start = BigNum::new().unwrap();
        start.rand(100, MsbOption::ONE, true).unwrap();
        let struck = sieve_window(&start, &primes).unwrap();
        let s = bn_to_biguint(&start);
        for (j, &st) in struck.iter().enumerate().take(3000) {
            let pp = &s + BigUint::from(2 * j);
            let p = &pp * 2u8 + 1u8;
            let bad = primes
                .iter()
                .any(|&l| (&pp % l).bits() == 0 || (&p % l).bits() == 0);
            assert_eq!(st, bad, "offset {j}");
        }
    }

    #[test]
    fn finds_safe_primes_and_stops_when_asked() {
        let primes = small_primes(SIEVE_BOUND);
        let flag = AtomicBool::new(false);
        let stop = || flag.load(Ordering::Relaxed);
        for bits in [64u32, 256] {
            let p = safe_prime(bits, &primes, &stop, &mut |_| {}).unwrap();
            assert_eq!(p.num_bits(), u64::from(bits));
            assert!(p.expose().is_bit_set(bits as i32 - 2), "top two bits set");
            assert!(is_safe_prime(&p).unwrap());
            let v = bn_to_biguint(p.expose());
            assert_eq!(&v % 3u8, BigUint::from(2u8), "safe primes > 7 are 2 mod 3");
        }
        flag.store(true, Ordering::Relaxed);
        assert_eq!(
            safe_prime(1536, &primes, &stop, &mut |_| {}).err(),
            Some(Shoup3Error::Cancelled)
        );
        // 23 = 2·11 + 1 is safe; 29 = 2·14 + 1 is prime but not safe.
        assert!(is_safe_prime(&SecretBn::from_be_bytes(&[23])).unwrap());
        assert!(!is_safe_prime(&SecretBn::from_be_bytes(&[29])).unwrap());
        assert!(!is_safe_prime(&SecretBn::from_be_bytes(&[21])).unwrap());
    }
}
