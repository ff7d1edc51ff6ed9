//! A checked share: one party's secret s_i together with the public verification
//! data it passed the dealing checks against (either dealing version, dealt or
//! refreshed).

use num_bigint::BigUint;

use super::commitments::fresh_share_bound;
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
    /// (version 1), or below 2^S in its version's width (version 2) and a multiple of Δ
    /// when dealt (S the fresh dealing bound), of its party j when refreshed (S above
    /// it: a refresh adds z(j) ≡ 0 mod j, docs/shoup3.md "Refresh").
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
                // A dealt share is a multiple of Δ; a refreshed one (told apart by its
                // bound S, above what any dealing declares) a multiple of its party j.
                let divisor = if c.bound() > fresh_share_bound(keys.modulus(), keys.params()) {
                    BigUint::from(secret.party())
                } else {
                    keys.params().delta().clone()
                };
                if secret.width() != keys.share_bytes()
                    || secret.value().num_bits() > u64::from(c.bound())
                    || !multiple_of(&secret, &divisor)?
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

/// Whether s_i ≡ 0 (mod `divisor`, Δ or j). The remainder of a secret by a public
/// number: the answer (0 for every honest share) is all that leaves this function.
fn multiple_of(secret: &SecretShare, divisor: &BigUint) -> Result<bool, Shoup3Error> {
    let delta = crate::secret::biguint_to_bn(divisor);
    let mut ctx = openssl::bn::BigNumContext::new_secure()
        .map_err(|e| Shoup3Error::Arithmetic(e.to_string()))?;
    let mut rem =
        openssl::bn::BigNum::new_secure().map_err(|e| Shoup3Error::Arithmetic(e.to_string()))?;
    rem.nnmod(secret.value().expose(), &delta, &mut ctx)
        .map_err(|e| Shoup3Error::Arithmetic(e.to_string()))?;
    let rem = crate::secret::SecretBn::new(rem);
    Ok(rem.num_bits() == 0)
}
