//! One party's contribution: m^{d_{S,i}} mod N for the encoded digest m (through
//! m^{-1} when the sub-share is negative).

use num_bigint::BigUint;

use super::{Subset, ThresholdError};
use crate::key::{
    modexp::{mod_exp_secret, mod_inverse},
    pkcs1,
};
use crate::share::KeyShare;

/// A partial signature: public once computed (it reveals nothing without the others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialSignature {
    pub party: u8,
    pub subset: Subset,
    pub value: BigUint,
}

/// Raises the PKCS#1 v1.5 encoding of `digest` to this party's sub-share for `subset`,
/// in constant time.
pub fn partial_sign(
    share: &KeyShare,
    subset: Subset,
    digest: &[u8; 32],
) -> Result<PartialSignature, ThresholdError> {
    let sub = share.sub_share(subset).ok_or(ThresholdError::NoSubShare {
        party: share.party(),
        subset,
    })?;
    let n = share.public().modulus();
    let m = pkcs1::encode_sha256(digest);
    // A sub-share drawn over the integers may be negative: m^(−s) = (m^−1)^s. The
    // inverse is of a public value; only the exponent is secret.
    let value = if sub.is_negative() {
        let inv = mod_inverse(&m, n).ok_or(ThresholdError::PartialOutOfRange {
            party: share.party(),
        })?;
        mod_exp_secret(&inv, &sub.magnitude(), n)
    } else {
        mod_exp_secret(&m, sub, n)
    };
    Ok(PartialSignature {
        party: share.party(),
        subset,
        value,
    })
}
