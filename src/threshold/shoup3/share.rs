//! A checked share: one party's secret s_i together with the public verification
//! data it passed the dealing checks against.

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
    /// the share only if all pass.
    pub fn accept(secret: SecretShare, keys: VerificationKeys) -> Result<Self, Shoup3Error> {
        keys.scheme().check_party(secret.party())?;
        let n = crate::secret::biguint_to_bn(keys.modulus());
        if *secret.value().expose() >= *n {
            return Err(Shoup3Error::Malformed("secret share"));
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
