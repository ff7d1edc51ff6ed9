//! The dealer: splits d into one independent additive sharing per t-subset.

use std::collections::BTreeMap;

use openssl::bn::{BigNum, BigNumContext};

use super::{Scheme, ThresholdError};
use crate::key::PrivateKey;
use crate::secret::SecretBn;
use crate::share::KeyShare;

/// Deals the key: returns the shares of parties 1..=n, in order.
///
/// For each t-subset S = {i_1 < … < i_t}: d_{S,i_1..i_{t-1}} are uniform in [0, λ)
/// and d_{S,i_t} = d − Σ (mod λ). Subsets are independent, so the sub-shares of any
/// t−1 parties are uniform and say nothing about d.
pub fn deal(key: &PrivateKey, scheme: Scheme) -> Result<Vec<KeyShare>, ThresholdError> {
    let err = |e: openssl::error::ErrorStack| ThresholdError::Deal(e.to_string());
    let lambda = key.lambda().expose();
    let mut ctx = BigNumContext::new_secure().map_err(err)?;
    let mut per_party: Vec<BTreeMap<super::Subset, SecretBn>> =
        (0..scheme.parties()).map(|_| BTreeMap::new()).collect();
    for subset in scheme.subsets() {
        let members = subset.parties();
        let mut sum = SecretBn::new(BigNum::new_secure().map_err(err)?);
        for (pos, &party) in members.iter().enumerate() {
            let mut share = BigNum::new_secure().map_err(err)?;
            if pos + 1 < members.len() {
                lambda.rand_range(&mut share).map_err(err)?;
                let mut next = BigNum::new_secure().map_err(err)?;
                next.mod_add(sum.expose(), &share, lambda, &mut ctx)
                    .map_err(err)?;
                sum = SecretBn::new(next);
            } else {
                share
                    .mod_sub(key.d().expose(), sum.expose(), lambda, &mut ctx)
                    .map_err(err)?;
            }
            per_party[usize::from(party - 1)].insert(subset, SecretBn::new(share));
        }
    }
    per_party
        .into_iter()
        .enumerate()
        .map(|(i, subs)| {
            KeyShare::new(i as u8 + 1, scheme, key.public().clone(), subs)
                .map_err(|e| ThresholdError::Deal(e.to_string()))
        })
        .collect()
}
