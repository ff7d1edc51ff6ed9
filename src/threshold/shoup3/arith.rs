//! Public modular arithmetic for shoup3 (OpenSSL's fast variable-time modexp: only
//! public values go through here), and fixed-width big-endian encoding.

use num_bigint::{BigInt, BigUint, Sign};
use openssl::bn::{BigNum, BigNumContext};

use super::Shoup3Error;
use crate::secret::{biguint_to_bn, bn_to_biguint};

fn ossl(e: openssl::error::ErrorStack) -> Shoup3Error {
    Shoup3Error::Arithmetic(e.to_string())
}

/// `base^exp mod n` for public values.
pub fn pow(base: &BigUint, exp: &BigUint, n: &BigUint) -> Result<BigUint, Shoup3Error> {
    let mut ctx = BigNumContext::new().map_err(ossl)?;
    let mut out = BigNum::new().map_err(ossl)?;
    out.mod_exp(
        &biguint_to_bn(base),
        &biguint_to_bn(exp),
        &biguint_to_bn(n),
        &mut ctx,
    )
    .map_err(ossl)?;
    Ok(bn_to_biguint(&out))
}

/// `base^-1 mod n`; fails if `base` shares a factor with `n`.
pub fn inverse(base: &BigUint, n: &BigUint) -> Result<BigUint, Shoup3Error> {
    let mut ctx = BigNumContext::new().map_err(ossl)?;
    let mut out = BigNum::new().map_err(ossl)?;
    out.mod_inverse(&biguint_to_bn(base), &biguint_to_bn(n), &mut ctx)
        .map_err(|_| Shoup3Error::NotInvertible)?;
    Ok(bn_to_biguint(&out))
}

/// `base^exp mod n` for a signed public exponent (a negative one inverts `base`).
pub fn pow_signed(base: &BigUint, exp: &BigInt, n: &BigUint) -> Result<BigUint, Shoup3Error> {
    let (sign, mag) = (exp.sign(), exp.magnitude());
    if sign == Sign::Minus {
        pow(&inverse(base, n)?, mag, n)
    } else {
        pow(base, mag, n)
    }
}

/// Bytes of a modulus: every group element is encoded in exactly this many.
pub fn width(n: &BigUint) -> usize {
    n.bits().div_ceil(8) as usize
}

/// `x` as exactly `len` big-endian bytes; `None` if it does not fit.
pub fn to_fixed(x: &BigUint, len: usize) -> Option<Vec<u8>> {
    let v = x.to_bytes_be();
    if v.len() > len {
        return None;
    }
    let mut out = vec![0u8; len - v.len()];
    out.extend_from_slice(&v);
    Some(out)
}

/// Appends `x` as `len` big-endian bytes to `out` (callers have checked `x < 2^(8·len)`).
pub fn push_fixed(out: &mut Vec<u8>, x: &BigUint, len: usize) {
    let v = x.to_bytes_be();
    out.resize(out.len() + len.saturating_sub(v.len()), 0);
    out.extend_from_slice(&v[v.len().saturating_sub(len)..]);
}

/// A group element read from an encoding: must lie in [2, n) and be invertible mod n.
pub fn unit(bytes: &[u8], n: &BigUint, what: &'static str) -> Result<BigUint, Shoup3Error> {
    let x = BigUint::from_bytes_be(bytes);
    is_unit(&x, n, what)?;
    Ok(x)
}

/// Checks that `x` is in [2, n) and shares no factor with `n`.
pub fn is_unit(x: &BigUint, n: &BigUint, what: &'static str) -> Result<(), Shoup3Error> {
    use num_integer::Integer;
    if x < &BigUint::from(2u8) || x >= n || !x.gcd(n).eq(&BigUint::from(1u8)) {
        return Err(Shoup3Error::Malformed(what));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_powers_and_inverses() {
        let n = BigUint::from(1_000_003u32 * 7);
        let b = BigUint::from(12345u32);
        let pos = pow_signed(&b, &BigInt::from(17), &n).unwrap();
        let neg = pow_signed(&b, &BigInt::from(-17), &n).unwrap();
        assert_eq!((pos * neg) % &n, BigUint::from(1u8));
        assert_eq!(
            pow(&b, &BigUint::from(0u8), &n).unwrap(),
            BigUint::from(1u8)
        );
        assert!(inverse(&BigUint::from(7u8), &n).is_err());
        assert!(is_unit(&BigUint::from(7u8), &n, "x").is_err());
        assert!(is_unit(&BigUint::from(1u8), &n, "x").is_err());
        assert!(is_unit(&n, &n, "x").is_err());
    }

    #[test]
    fn fixed_width() {
        let x = BigUint::from(0x0102u16);
        assert_eq!(to_fixed(&x, 4).unwrap(), vec![0, 0, 1, 2]);
        assert!(to_fixed(&x, 1).is_none());
        let mut out = vec![9];
        push_fixed(&mut out, &x, 3);
        assert_eq!(out, vec![9, 0, 1, 2]);
        assert_eq!(width(&BigUint::from(256u16)), 2);
    }
}
