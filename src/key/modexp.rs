//! Modular exponentiation.
//!
//! Secret exponents go only through OpenSSL's constant-time Montgomery ladder
//! (`BN_mod_exp_mont_consttime`, selected by `BN_FLG_CONSTTIME` on the exponent);
//! tests compare it against `num-bigint`'s independent implementation.

use num_bigint::BigUint;
use openssl::bn::{BigNum, BigNumContext};

use crate::secret::{bn_to_biguint, SecretBn};

/// `base^exp mod modulus` for a secret exponent, in constant time. `modulus` must be odd.
pub fn mod_exp_secret(base: &BigUint, exp: &SecretBn, modulus: &BigUint) -> BigUint {
    debug_assert!(modulus.bit(0), "constant-time modexp needs an odd modulus");
    let base = super::bn(&(base % modulus));
    let m = super::bn(modulus);
    // Allocation failure is the only way these calls fail for valid odd moduli.
    let mut ctx = BigNumContext::new_secure().unwrap_or_else(|_| oom());
    let mut out = BigNum::new_secure().unwrap_or_else(|_| oom());
    debug_assert!(exp.expose().num_bits() >= 0);
    out.mod_exp(&base, exp.expose(), &m, &mut ctx)
        .unwrap_or_else(|_| oom());
    let r = bn_to_biguint(&out);
    out.clear();
    r
}

/// The inverse of a public value modulo `modulus`, if it exists.
pub fn mod_inverse(x: &BigUint, modulus: &BigUint) -> Option<BigUint> {
    let mut ctx = BigNumContext::new().ok()?;
    let mut out = BigNum::new().ok()?;
    out.mod_inverse(&super::bn(&(x % modulus)), &super::bn(modulus), &mut ctx)
        .ok()?;
    Some(bn_to_biguint(&out))
}

fn oom() -> ! {
    std::alloc::handle_alloc_error(std::alloc::Layout::new::<[u64; 96]>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::RandBigInt;
    use proptest::prelude::*;
    use rand::SeedableRng;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn matches_num_bigint(seed in any::<u64>(), bits in 8u64..3072) {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut m = rng.gen_biguint(3072);
            m.set_bit(0, true);
            m.set_bit(3071, true);
            let b = rng.gen_biguint(3072);
            let e = rng.gen_biguint(bits);
            let secret = SecretBn::from_be_bytes(&e.to_bytes_be());
            prop_assert_eq!(mod_exp_secret(&b, &secret, &m), b.modpow(&e, &m));
        }
    }

    #[test]
    fn zero_exponent_and_base() {
        let m = BigUint::from(1_000_003u32);
        let zero = SecretBn::from_be_bytes(&[]);
        assert_eq!(
            mod_exp_secret(&BigUint::from(5u8), &zero, &m),
            BigUint::from(1u8)
        );
        let e = SecretBn::from_be_bytes(&[7]);
        assert_eq!(
            mod_exp_secret(&BigUint::from(0u8), &e, &m),
            BigUint::from(0u8)
        );
    }
}
