//! The dealer: splits d into one independent additive sharing per t-subset, modulo
//! λ(N), as the reference tool deals: every sub-share is a non-negative number below λ.

use std::collections::BTreeMap;

use openssl::bn::{BigNum, BigNumContext};

use super::Share;
use crate::key::{PrivateKey, MODULUS_BITS};
use crate::secret::SecretBn;
use crate::threshold::{Scheme, Subset, ThresholdError};

/// Extra random bits of the sub-shares that earlier dealings of this tool drew over
/// the integers (d − Σ then made the last one negative). Such shares are still read
/// and still sign; dealings now draw modulo λ instead.
pub const EXTRA_BITS: u64 = 128;

/// The largest sub-share any dealing of ours has made, in bits: the integer dealings
/// drew t − 1 < 16 values of 3072 + 128 bits, so the last one, d − Σ, is above
/// −2^3204. Sub-shares dealt modulo λ are below 2^3072.
pub const MAX_SUB_SHARE_BITS: u64 = MODULUS_BITS + EXTRA_BITS + 4;

/// Deals the key: returns the shares of parties 1..=n, in order.
///
/// For each t-subset S = {i_1 < … < i_t}: d_{S,i_1..i_{t-1}} are uniform in [0, λ)
/// and d_{S,i_t} = (d − Σ) mod λ, exactly as the reference tool deals. Any t − 1
/// sub-shares of a subset are independent and uniform in [0, λ), so they say nothing
/// about d; subsets are independent of each other. Σ_S ≡ d (mod λ), hence
/// m^Σ = m^d mod N. Before returning, every subset's sum is checked.
pub fn deal(key: &PrivateKey, scheme: Scheme) -> Result<Vec<Share>, ThresholdError> {
    let err = |e: openssl::error::ErrorStack| ThresholdError::Deal(e.to_string());
    let lambda = key
        .lambda()
        .map_err(|e| ThresholdError::Deal(e.to_string()))?;
    let mut ctx = BigNumContext::new_secure().map_err(err)?;
    let d = key.d().expose();
    let mut per_party: Vec<BTreeMap<Subset, SecretBn>> =
        (0..scheme.parties()).map(|_| BTreeMap::new()).collect();
    for subset in scheme.subsets() {
        let members = subset.parties();
        let mut sum = SecretBn::new(BigNum::new_secure().map_err(err)?);
        for (pos, &party) in members.iter().enumerate() {
            let mut value = BigNum::new_secure().map_err(err)?;
            let share = if pos + 1 < members.len() {
                lambda.expose().rand_range(&mut value).map_err(err)?;
                let share = SecretBn::new(value);
                let mut next = BigNum::new_secure().map_err(err)?;
                next.checked_add(sum.expose(), share.expose())
                    .map_err(err)?;
                sum = SecretBn::new(next);
                share
            } else {
                let mut diff = BigNum::new_secure().map_err(err)?;
                diff.checked_sub(d, sum.expose()).map_err(err)?;
                let diff = SecretBn::new(diff);
                value
                    .nnmod(diff.expose(), lambda.expose(), &mut ctx)
                    .map_err(err)?;
                SecretBn::new(value)
            };
            per_party[usize::from(party - 1)].insert(subset, share);
        }
    }
    check_sums(key, &lambda, scheme, &per_party)?;
    per_party
        .into_iter()
        .enumerate()
        .map(|(i, subs)| {
            Share::new(i as u8 + 1, scheme, key.public().clone(), subs)
                .map_err(|e| ThresholdError::Deal(e.to_string()))
        })
        .collect()
}

/// Every sub-share must be in [0, λ), and every subset's sub-shares must add up to d
/// modulo λ.
fn check_sums(
    key: &PrivateKey,
    lambda: &SecretBn,
    scheme: Scheme,
    per_party: &[BTreeMap<Subset, SecretBn>],
) -> Result<(), ThresholdError> {
    let err = |e: openssl::error::ErrorStack| ThresholdError::Deal(e.to_string());
    let mut ctx = BigNumContext::new_secure().map_err(err)?;
    for subset in scheme.subsets() {
        let mut sum = SecretBn::new(BigNum::new_secure().map_err(err)?);
        for party in subset.parties() {
            let value = per_party
                .get(usize::from(party) - 1)
                .and_then(|m| m.get(&subset))
                .ok_or_else(|| ThresholdError::Deal(format!("no sub-share for {subset}")))?;
            if value.is_negative() || value.expose() >= lambda.expose() {
                return Err(ThresholdError::Deal(format!(
                    "a sub-share of subset {subset} is outside [0, λ)"
                )));
            }
            let mut next = BigNum::new_secure().map_err(err)?;
            next.checked_add(sum.expose(), value.expose())
                .map_err(err)?;
            sum = SecretBn::new(next);
        }
        let mut reduced = BigNum::new_secure().map_err(err)?;
        reduced
            .nnmod(sum.expose(), lambda.expose(), &mut ctx)
            .map_err(err)?;
        if !SecretBn::new(reduced).ct_eq(key.d()) {
            return Err(ThresholdError::Deal(format!(
                "the sub-shares of subset {subset} do not add up to the key"
            )));
        }
    }
    Ok(())
}
