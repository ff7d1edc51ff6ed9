//! Rebuilding a whole key from t shares ends here: N factored from a known multiple
//! of λ(N) (the standard square-root-of-one method), every intermediate in secret,
//! wiped numbers; and [`RebuildError`], why shares did not rebuild a key.

use num_bigint::BigUint;
use openssl::bn::{BigNum, BigNumContext};

use crate::key::{PrivateKey, PublicKey};
use crate::secret::{biguint_to_bn, SecretBn};

/// Why t shares did not give back the whole key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RebuildError {
    #[error("{have} distinct shares given, {need} needed to rebuild the key")]
    NotEnough { have: usize, need: usize },
    #[error("the shares are not all of one key and scheme (party {party} differs)")]
    Mixed { party: u8 },
    #[error(
        "the shares of parties {parties} do not rebuild the key (one of them holds a wrong share)"
    )]
    NoFactor { parties: String },
    #[error("the rebuilt key is not the shares' key (its MRSIGNER differs); nothing is kept")]
    OtherKey,
    #[error("big-number arithmetic failed while rebuilding: {0}")]
    Arithmetic(String),
}

pub(crate) fn ossl(e: openssl::error::ErrorStack) -> RebuildError {
    RebuildError::Arithmetic(e.to_string())
}

/// How many bases are tried: each finds a factor with probability at least 1/2.
const BASES: [u32; 24] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
];

/// p and q of `public`'s N from `multiple`, a positive multiple of λ(N); then the
/// whole key, checked: p·q = N and the MRSIGNER of `public`, before it is returned.
/// `parties` names the givers when the multiple is not one (a wrong share).
pub(crate) fn key_from_multiple(
    public: &PublicKey,
    multiple: SecretBn,
    parties: &str,
) -> Result<PrivateKey, RebuildError> {
    let no_factor = || RebuildError::NoFactor {
        parties: parties.to_string(),
    };
    let n = public.modulus();
    let (p, q) = factor(n, multiple)?.ok_or_else(no_factor)?;
    // p > q, as `openssl genrsa` orders them, so the PEM is the usual one.
    let (p, q) = if p.expose() < q.expose() {
        (q, p)
    } else {
        (p, q)
    };
    let key = PrivateKey::from_primes(p, q).map_err(|_| no_factor())?;
    if key.public().modulus() != n || key.public().mrsigner() != public.mrsigner() {
        return Err(RebuildError::OtherKey);
    }
    Ok(key)
}

/// Miller's method: with E = 2^s·o a multiple of λ(N) and a random-ish base a,
/// a^o, squared up to s times, meets a square root of 1 other than ±1 for at least
/// half of all bases; gcd(root − 1, N) is then p. `None` if no base finds one (E is
/// not such a multiple).
fn factor(n: &BigUint, multiple: SecretBn) -> Result<Option<(SecretBn, SecretBn)>, RebuildError> {
    if multiple.is_negative() || multiple.num_bits() == 0 {
        return Ok(None);
    }
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    let n_bn = biguint_to_bn(n);
    let one = BigNum::from_u32(1).map_err(ossl)?;
    let mut n_minus_1 = BigNum::new().map_err(ossl)?;
    n_minus_1.checked_sub(&n_bn, &one).map_err(ossl)?;
    // o = E / 2^s, odd.
    let mut odd = multiple.try_clone();
    let mut s = 0u32;
    while !odd.expose().is_bit_set(0) {
        let mut half = BigNum::new_secure().map_err(ossl)?;
        half.rshift1(odd.expose()).map_err(ossl)?;
        odd = SecretBn::new(half);
        s += 1;
    }
    drop(multiple);
    for base in BASES {
        let base = BigNum::from_u32(base).map_err(ossl)?;
        let mut y = BigNum::new_secure().map_err(ossl)?;
        y.mod_exp(&base, odd.expose(), &n_bn, &mut ctx)
            .map_err(ossl)?;
        let mut y = SecretBn::new(y);
        if *y.expose() == *one || *y.expose() == *n_minus_1 {
            continue;
        }
        for _ in 0..s {
            let mut z = BigNum::new_secure().map_err(ossl)?;
            z.mod_sqr(y.expose(), &n_bn, &mut ctx).map_err(ossl)?;
            let z = SecretBn::new(z);
            if *z.expose() == *one {
                // y is a square root of 1 other than ±1.
                let mut y1 = BigNum::new_secure().map_err(ossl)?;
                y1.checked_sub(y.expose(), &one).map_err(ossl)?;
                let y1 = SecretBn::new(y1);
                let mut p = BigNum::new_secure().map_err(ossl)?;
                p.gcd(y1.expose(), &n_bn, &mut ctx).map_err(ossl)?;
                let p = SecretBn::new(p);
                let mut q = BigNum::new_secure().map_err(ossl)?;
                let mut rem = BigNum::new_secure().map_err(ossl)?;
                q.div_rem(&mut rem, &n_bn, p.expose(), &mut ctx)
                    .map_err(ossl)?;
                let (q, rem) = (SecretBn::new(q), SecretBn::new(rem));
                if p.num_bits() > 1 && rem.num_bits() == 0 && q.num_bits() > 1 {
                    return Ok(Some((p, q)));
                }
                break;
            }
            if *z.expose() == *n_minus_1 {
                break;
            }
            y = z;
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_key() -> PrivateKey {
        let pem = std::fs::read(format!(
            "{}/tests/fixtures/keys/key1.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        PrivateKey::from_pem(&pem).unwrap()
    }

    #[test]
    fn a_multiple_of_lambda_factors_n_and_anything_else_does_not() {
        let key = fixture_key();
        let lambda = key.lambda().unwrap();
        // 3·d − 1 is a multiple of λ: what a `subsets` subset's sum gives.
        let mut e = BigNum::new().unwrap();
        let three = BigNum::from_u32(3).unwrap();
        let mut ctx = BigNumContext::new().unwrap();
        e.checked_mul(key.d().expose(), &three, &mut ctx).unwrap();
        e.sub_word(1).unwrap();
        let rebuilt = key_from_multiple(key.public(), SecretBn::new(e), "1,2").unwrap();
        assert_eq!(rebuilt.public(), key.public());
        assert_eq!(rebuilt.sign_digest(&[7; 32]), key.sign_digest(&[7; 32]));
        // λ itself, times an odd number, also works.
        let mut e = BigNum::new().unwrap();
        e.checked_mul(lambda.expose(), &three, &mut ctx).unwrap();
        assert!(key_from_multiple(key.public(), SecretBn::new(e), "x").is_ok());
        // λ + 1 is no multiple: no factor, and the givers are named.
        let mut e = lambda.expose().to_owned().unwrap();
        e.add_word(1).unwrap();
        assert_eq!(
            key_from_multiple(key.public(), SecretBn::new(e), "1,3").err(),
            Some(RebuildError::NoFactor {
                parties: "1,3".into()
            })
        );
        assert!(matches!(
            key_from_multiple(key.public(), SecretBn::from_be_bytes(&[]), "1"),
            Err(RebuildError::NoFactor { .. })
        ));
    }
}
