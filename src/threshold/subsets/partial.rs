//! One party's contribution: m^{d_{S,i}} mod N for the encoded digest m (through
//! m^{-1} when the sub-share is negative, as in shares of earlier dealings), from
//! anything that holds sub-shares ([`SubShares`]: the scheme's `Share`, or a key share
//! built on one).

use num_bigint::BigUint;

use super::Share;
use crate::key::{
    modexp::{mod_exp_secret, mod_inverse},
    pkcs1, PublicKey,
};
use crate::secret::SecretBn;
use crate::threshold::{Subset, ThresholdError};

/// What holds a party's `subsets` sub-shares: the scheme's own [`Share`], or a share
/// file's key share built on one.
pub trait SubShares {
    fn party(&self) -> u8;
    fn public(&self) -> &PublicKey;
    /// The sub-share for `subset`; `None` when the party holds none (or the share is
    /// not of this scheme).
    fn sub_share(&self, subset: Subset) -> Option<&SecretBn>;
}

impl SubShares for Share {
    fn party(&self) -> u8 {
        Share::party(self)
    }
    fn public(&self) -> &PublicKey {
        Share::public(self)
    }
    fn sub_share(&self, subset: Subset) -> Option<&SecretBn> {
        Share::sub_share(self, subset)
    }
}

/// A partial signature: public once computed (it reveals nothing without the others).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialSignature {
    pub party: u8,
    pub subset: Subset,
    pub value: BigUint,
}

/// Raises the PKCS#1 v1.5 encoding of `digest` to this party's sub-share for `subset`,
/// in constant time.
pub fn partial_sign<S: SubShares + ?Sized>(
    share: &S,
    subset: Subset,
    digest: &[u8; 32],
) -> Result<PartialSignature, ThresholdError> {
    let sub = share.sub_share(subset).ok_or(ThresholdError::NoSubShare {
        party: share.party(),
        subset,
    })?;
    let n = share.public().modulus();
    let m = pkcs1::encode_sha256(digest);
    // A sub-share of an earlier dealing, drawn over the integers, may be negative:
    // m^(−s) = (m^−1)^s (sub-shares dealt modulo λ never are). The
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use openssl::bn::{BigNum, MsbOption};

    use super::*;
    use crate::threshold::{combine, Scheme};

    /// Shares of an earlier dealing (over the integers: x of 3200 bits and d − x,
    /// negative) still sign: the negative sub-share goes through m^-1.
    #[test]
    fn a_negative_sub_share_of_an_earlier_dealing_still_signs() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keys/key1.pem"
        ))
        .unwrap();
        let key = crate::key::PrivateKey::from_pem(&pem).unwrap();
        let scheme = Scheme::new(2, 2).unwrap();
        let subset = Subset::from_parties(&[1, 2]).unwrap();
        let mut x = BigNum::new_secure().unwrap();
        x.rand(3200, MsbOption::MAYBE_ZERO, false).unwrap();
        let mut y = BigNum::new_secure().unwrap();
        y.checked_sub(key.d().expose(), &x).unwrap();
        let (x, y) = (SecretBn::new(x), SecretBn::new(y));
        assert!(y.is_negative());
        let share = |party: u8, v: SecretBn| {
            Share::new(
                party,
                scheme,
                key.public().clone(),
                BTreeMap::from([(subset, v)]),
            )
            .unwrap()
        };
        let shares = [share(1, x), share(2, y)];
        let digest = [0x6d; 32];
        let partials: Vec<_> = shares
            .iter()
            .map(|s| partial_sign(s, subset, &digest).unwrap())
            .collect();
        let sig = combine(key.public(), subset, &partials, &digest).unwrap();
        assert!(key.public().verify_digest(&digest, &sig));
    }
}
