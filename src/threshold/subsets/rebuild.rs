//! The whole key back from `subsets` shares that cover one t-subset: its sub-shares
//! add up to D ≡ d (mod λ), so 3·D − 1 is a multiple of λ(N), from which N factors
//! (`threshold::factor`). D and everything after it are secret, wiped numbers.

use openssl::bn::BigNum;

use super::Share;
use crate::key::PrivateKey;
use crate::secret::SecretBn;
use crate::threshold::factor::{key_from_multiple, ossl, RebuildError};
use crate::threshold::Subset;

/// The key from the first t-subset (in the scheme's order) whose members are all in
/// `shares`; p·q = N and MRSIGNER checked before it is returned.
pub fn rebuild(shares: &[&Share]) -> Result<PrivateKey, RebuildError> {
    let first = shares
        .first()
        .ok_or(RebuildError::NotEnough { have: 0, need: 2 })?;
    let scheme = first.scheme();
    let mut present = Subset::from_bits(0);
    for s in shares {
        if s.scheme() != scheme || s.public() != first.public() {
            return Err(RebuildError::Mixed { party: s.party() });
        }
        present = present.with(s.party());
    }
    let subset = scheme
        .subsets_within(present, Subset::from_bits(0))
        .into_iter()
        .next()
        .ok_or(RebuildError::NotEnough {
            have: usize::from(present.len()),
            need: usize::from(scheme.threshold()),
        })?;
    let mut sum = SecretBn::new(BigNum::new_secure().map_err(ossl)?);
    for party in subset.parties() {
        let value = shares
            .iter()
            .find(|s| s.party() == party)
            .and_then(|s| s.sub_share(subset))
            .ok_or(RebuildError::Mixed { party })?;
        let mut next = BigNum::new_secure().map_err(ossl)?;
        next.checked_add(sum.expose(), value.expose())
            .map_err(ossl)?;
        sum = SecretBn::new(next);
    }
    // 3·D − 1.
    let mut twice = BigNum::new_secure().map_err(ossl)?;
    twice
        .checked_add(sum.expose(), sum.expose())
        .map_err(ossl)?;
    let twice = SecretBn::new(twice);
    let mut multiple = BigNum::new_secure().map_err(ossl)?;
    multiple
        .checked_add(twice.expose(), sum.expose())
        .map_err(ossl)?;
    drop((sum, twice));
    let mut multiple = SecretBn::new(multiple);
    let one = BigNum::from_u32(1).map_err(ossl)?;
    let mut less = BigNum::new_secure().map_err(ossl)?;
    less.checked_sub(multiple.expose(), &one).map_err(ossl)?;
    multiple = SecretBn::new(less);
    key_from_multiple(first.public(), multiple, &subset.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::{deal, Scheme};

    #[test]
    fn the_members_of_one_subset_rebuild_the_key_and_a_wrong_one_is_caught() {
        let pem = std::fs::read(format!(
            "{}/tests/fixtures/keys/key1.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let original = PrivateKey::from_pem(&pem).unwrap();
        let shares = deal(&original, Scheme::new(3, 2).unwrap()).unwrap();
        for (a, b) in [(0usize, 1usize), (2, 0), (1, 2)] {
            let key = rebuild(&[&shares[a], &shares[b]]).unwrap();
            assert_eq!(
                key.to_pkcs1_pem().unwrap().expose(),
                original.to_pkcs1_pem().unwrap().expose()
            );
        }
        assert_eq!(
            rebuild(&[&shares[0]]).err(),
            Some(RebuildError::NotEnough { have: 1, need: 2 })
        );
        // Party 2's share from another dealing: the subset 1,2 does not add up to d.
        let other = deal(&original, Scheme::new(3, 2).unwrap()).unwrap();
        assert_eq!(
            rebuild(&[&shares[0], &other[1]]).err(),
            Some(RebuildError::NoFactor {
                parties: "1,2".into()
            })
        );
    }
}
