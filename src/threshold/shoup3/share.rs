//! A checked share: one party's secret s_i together with the public verification
//! data it passed the dealing checks against (either dealing version).

use num_bigint::BigUint;

use super::secret_share::SecretShare;
use super::vkeys::VerificationKeys;
use super::Shoup3Error;

/// A checked share: the secret and the verification data it was checked against.
#[derive(Debug)]
pub struct Share {
    secret: SecretShare,
    keys: VerificationKeys,
}

impl Share {
    /// Runs the joiner's dealing checks ([`VerificationKeys::check_dealing`]) and keeps
    /// the share only if all pass. The share must be of the dealing's version: below N
    /// (version 1), or a multiple of Δ below 2^S in its version's width (version 2).
    pub fn accept(secret: SecretShare, keys: VerificationKeys) -> Result<Self, Shoup3Error> {
        keys.scheme().check_party(secret.party())?;
        if secret.version() != keys.version() {
            return Err(Shoup3Error::Malformed("secret share"));
        }
        match keys.commitments() {
            None => {
                let n = crate::secret::biguint_to_bn(keys.modulus());
                if *secret.value().expose() >= *n {
                    return Err(Shoup3Error::Malformed("secret share"));
                }
            }
            Some(c) => {
                if secret.width() != keys.share_bytes()
                    || secret.value().num_bits() > u64::from(c.bound())
                    || !multiple_of_delta(&secret, &keys)?
                {
                    return Err(Shoup3Error::ShareForm {
                        party: secret.party(),
                    });
                }
            }
        }
        keys.check_dealing(&secret)?;
        Ok(Share { secret, keys })
    }

    pub fn party(&self) -> u8 {
        self.secret.party()
    }
    pub fn keys(&self) -> &VerificationKeys {
        &self.keys
    }
    pub fn secret(&self) -> &SecretShare {
        &self.secret
    }
    pub(super) fn modulus(&self) -> &BigUint {
        self.keys.modulus()
    }
}

/// Whether s_i ≡ 0 (mod Δ). The remainder of a secret by a public word: the answer
/// (0 for every honest share) is all that leaves this function.
fn multiple_of_delta(secret: &SecretShare, keys: &VerificationKeys) -> Result<bool, Shoup3Error> {
    let delta = crate::secret::biguint_to_bn(keys.params().delta());
    let mut ctx = openssl::bn::BigNumContext::new_secure()
        .map_err(|e| Shoup3Error::Arithmetic(e.to_string()))?;
    let mut rem =
        openssl::bn::BigNum::new_secure().map_err(|e| Shoup3Error::Arithmetic(e.to_string()))?;
    rem.nnmod(secret.value().expose(), &delta, &mut ctx)
        .map_err(|e| Shoup3Error::Arithmetic(e.to_string()))?;
    let rem = crate::secret::SecretBn::new(rem);
    Ok(rem.num_bits() == 0)
}
