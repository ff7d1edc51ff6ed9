//! The combiner: multiplies one subset's partials and verifies the result.

use num_bigint::BigUint;
use num_traits::One;

use super::PartialSignature;
use crate::key::PublicKey;
use crate::threshold::{Subset, ThresholdError};

/// Combines the partials of `subset` into a signature over `digest` and verifies it.
///
/// Every member of `subset` must have exactly one partial in `partials` (others are
/// ignored). The result is returned only if `sig^3 mod N` is the PKCS#1 encoding.
pub fn combine(
    public: &PublicKey,
    subset: Subset,
    partials: &[PartialSignature],
    digest: &[u8; 32],
) -> Result<BigUint, ThresholdError> {
    let n = public.modulus();
    let mut sig = BigUint::one();
    let mut missing = Vec::new();
    for party in subset.parties() {
        match partials
            .iter()
            .find(|p| p.party == party && p.subset == subset)
        {
            Some(p) => {
                if p.value.bits() == 0 || &p.value >= n {
                    return Err(ThresholdError::PartialOutOfRange { party });
                }
                sig = (sig * &p.value) % n;
            }
            None => missing.push(party.to_string()),
        }
    }
    if !missing.is_empty() {
        return Err(ThresholdError::MissingPartials {
            subset,
            missing: missing.join(","),
        });
    }
    if !public.verify_digest(digest, &sig) {
        return Err(ThresholdError::InvalidCombination { subset });
    }
    Ok(sig)
}
