//! The dealer: splits d into one independent additive sharing per t-subset.

use std::collections::BTreeMap;

use openssl::bn::{BigNum, MsbOption};

use super::{Scheme, ThresholdError};
use crate::key::{PrivateKey, MODULUS_BITS};
use crate::secret::SecretBn;
use crate::share::KeyShare;

/// Extra random bits of every drawn sub-share over the size of d: the sharing is
/// over the integers, so each sub-share hides d (and λ) statistically, to within
/// 2^-128.
pub const EXTRA_BITS: u64 = 128;

/// The largest sub-share any dealing of ours makes, in bits: t − 1 < 16 drawn values
/// of 3072 + 128 bits sum to less than 2^3204, so the last one, d − Σ, is above −2^3204.
pub const MAX_SUB_SHARE_BITS: u64 = MODULUS_BITS + EXTRA_BITS + 4;

/// Deals the key: returns the shares of parties 1..=n, in order.
///
/// For each t-subset S = {i_1 < … < i_t}: d_{S,i_1..i_{t-1}} are uniform in
/// [0, 2^(3072+128)) and d_{S,i_t} = d − Σ over the integers (usually negative).
/// Subsets are independent, so the sub-shares of any t−1 parties say nothing about
/// d. Before returning, every subset's sum is checked against d.
pub fn deal(key: &PrivateKey, scheme: Scheme) -> Result<Vec<KeyShare>, ThresholdError> {
    let err = |e: openssl::error::ErrorStack| ThresholdError::Deal(e.to_string());
    let bits = (MODULUS_BITS + EXTRA_BITS) as i32;
    let d = key.d().expose();
    let mut per_party: Vec<BTreeMap<super::Subset, SecretBn>> =
        (0..scheme.parties()).map(|_| BTreeMap::new()).collect();
    for subset in scheme.subsets() {
        let members = subset.parties();
        let mut sum = SecretBn::new(BigNum::new_secure().map_err(err)?);
        for (pos, &party) in members.iter().enumerate() {
            let mut share = BigNum::new_secure().map_err(err)?;
            if pos + 1 < members.len() {
                share
                    .rand(bits, MsbOption::MAYBE_ZERO, false)
                    .map_err(err)?;
                let mut next = BigNum::new_secure().map_err(err)?;
                next.checked_add(sum.expose(), &share).map_err(err)?;
                sum = SecretBn::new(next);
            } else {
                share.checked_sub(d, sum.expose()).map_err(err)?;
            }
            per_party[usize::from(party - 1)].insert(subset, SecretBn::new(share));
        }
    }
    check_sums(key, scheme, &per_party)?;
    per_party
        .into_iter()
        .enumerate()
        .map(|(i, subs)| {
            KeyShare::new(i as u8 + 1, scheme, key.public().clone(), subs)
                .map_err(|e| ThresholdError::Deal(e.to_string()))
        })
        .collect()
}

/// Every subset's sub-shares must add up to d exactly.
fn check_sums(
    key: &PrivateKey,
    scheme: Scheme,
    per_party: &[BTreeMap<super::Subset, SecretBn>],
) -> Result<(), ThresholdError> {
    let err = |e: openssl::error::ErrorStack| ThresholdError::Deal(e.to_string());
    for subset in scheme.subsets() {
        let mut sum = SecretBn::new(BigNum::new_secure().map_err(err)?);
        for party in subset.parties() {
            let value = per_party
                .get(usize::from(party) - 1)
                .and_then(|m| m.get(&subset))
                .ok_or_else(|| ThresholdError::Deal(format!("no sub-share for {subset}")))?;
            let mut next = BigNum::new_secure().map_err(err)?;
            next.checked_add(sum.expose(), value.expose())
                .map_err(err)?;
            sum = SecretBn::new(next);
        }
        if !sum.ct_eq(key.d()) || sum.is_negative() {
            return Err(ThresholdError::Deal(format!(
                "the sub-shares of subset {subset} do not add up to the key"
            )));
        }
    }
    Ok(())
}
