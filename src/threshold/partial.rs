//! One party's contribution: m^{d_{S,i}} mod N for the encoded digest m.

use num_bigint::BigUint;

use super::{Subset, ThresholdError};
use crate::key::{modexp::mod_exp_secret, pkcs1};
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
    let m = pkcs1::encode_sha256(digest);
    Ok(PartialSignature {
        party: share.party(),
        subset,
        value: mod_exp_secret(&m, sub, share.public().modulus()),
    })
}
