//! The whole key back from any t checked `shoup3` shares: X = Σ λ_{0,i}·s_i ≡ Δ·f(0)
//! (mod m), and since 3r·f(0) ≡ 1 (mod m), 3r·X − Δ is a multiple of m = p′q′; twice
//! it is a multiple of λ(N) = 2m, from which N factors (`threshold::factor`). X and
//! everything after it are secret, wiped numbers.

use num_bigint::BigInt;
use openssl::bn::{BigNum, BigNumContext};

use super::share::Share;
use crate::key::PrivateKey;
use crate::secret::{biguint_to_bn, SecretBn};
use crate::threshold::factor::{key_from_multiple, ossl, RebuildError};

/// A public integer (a Lagrange coefficient) as a signed OpenSSL number.
fn signed_bn(x: &BigInt) -> Result<BigNum, RebuildError> {
    let mut b = BigNum::from_slice(&x.magnitude().to_bytes_be()).map_err(ossl)?;
    b.set_negative(x.sign() == num_bigint::Sign::Minus);
    Ok(b)
}

/// The key from the first t shares of distinct parties in `shares`, all checked
/// against the same verification data; p·q = N and MRSIGNER checked before it is
/// returned.
pub fn rebuild(shares: &[&Share]) -> Result<PrivateKey, RebuildError> {
    let first = shares
        .first()
        .ok_or(RebuildError::NotEnough { have: 0, need: 2 })?;
    let keys = first.keys();
    let params = keys.params();
    let need = usize::from(params.scheme().threshold());
    let mut chosen: Vec<&Share> = Vec::with_capacity(need);
    for s in shares {
        if s.keys() != keys {
            return Err(RebuildError::Mixed { party: s.party() });
        }
        if chosen.len() < need && !chosen.iter().any(|c| c.party() == s.party()) {
            chosen.push(s);
        }
    }
    if chosen.len() < need {
        return Err(RebuildError::NotEnough {
            have: chosen.len(),
            need,
        });
    }
    let set: Vec<u8> = chosen.iter().map(|s| s.party()).collect();
    let names = set.iter().map(u8::to_string).collect::<Vec<_>>().join(",");
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    // X = Σ λ_{0,i}·s_i over the integers.
    let mut x = SecretBn::new(BigNum::new_secure().map_err(ossl)?);
    for s in &chosen {
        let lambda = params
            .lagrange(&set, s.party(), 0)
            .map_err(|e| RebuildError::Arithmetic(e.to_string()))?;
        let lambda = signed_bn(&lambda)?;
        let mut term = BigNum::new_secure().map_err(ossl)?;
        term.checked_mul(&lambda, s.secret().value().expose(), &mut ctx)
            .map_err(ossl)?;
        let term = SecretBn::new(term);
        let mut sum = BigNum::new_secure().map_err(ossl)?;
        sum.checked_add(x.expose(), term.expose()).map_err(ossl)?;
        x = SecretBn::new(sum);
    }
    // E = 2·|3r·X − Δ|.
    let three_r = biguint_to_bn(&(params.r() * 3u8));
    let mut scaled = BigNum::new_secure().map_err(ossl)?;
    scaled
        .checked_mul(x.expose(), &three_r, &mut ctx)
        .map_err(ossl)?;
    let scaled = SecretBn::new(scaled);
    drop(x);
    let mut diff = BigNum::new_secure().map_err(ossl)?;
    diff.checked_sub(scaled.expose(), &biguint_to_bn(params.delta()))
        .map_err(ossl)?;
    drop(scaled);
    let mut diff = SecretBn::new(diff);
    if diff.is_negative() {
        diff.negate();
    }
    let mut multiple = BigNum::new_secure().map_err(ossl)?;
    multiple.lshift1(diff.expose()).map_err(ossl)?;
    drop(diff);
    let public = keys
        .public_key()
        .map_err(|e| RebuildError::Arithmetic(e.to_string()))?;
    key_from_multiple(&public, SecretBn::new(multiple), &names)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::shoup3::deal::tests::fixture_dealing;
    use crate::threshold::shoup3::{accept_all, SafePrimeKey};

    #[test]
    fn any_t_shares_rebuild_the_dealt_key() {
        let pem = std::fs::read(format!(
            "{}/tests/fixtures/keys/safe1.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let original = SafePrimeKey::from_pem(&pem).unwrap();
        let shares = accept_all(fixture_dealing(1, 5, 3)).unwrap();
        for set in [[0usize, 1, 2], [4, 2, 0], [1, 3, 4]] {
            let given: Vec<&Share> = set.iter().map(|&i| &shares[i]).collect();
            let key = rebuild(&given).unwrap();
            assert_eq!(key.public(), original.public());
            assert_eq!(
                key.to_pkcs1_pem().unwrap().expose(),
                original.to_pkcs1_pem_for_tests().unwrap().expose()
            );
        }
        // t − 1 shares are not enough; a repeated party does not count twice.
        let two: Vec<&Share> = vec![&shares[0], &shares[1], &shares[1]];
        assert_eq!(
            rebuild(&two).err(),
            Some(RebuildError::NotEnough { have: 2, need: 3 })
        );
    }

    #[test]
    fn shares_of_another_dealing_are_refused() {
        let a = accept_all(fixture_dealing(1, 3, 2)).unwrap();
        let b = accept_all(fixture_dealing(1, 3, 2)).unwrap();
        assert_eq!(
            rebuild(&[&a[0], &b[1]]).err(),
            Some(RebuildError::Mixed { party: 2 })
        );
    }
}
