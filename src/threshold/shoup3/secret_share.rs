//! One party's secret share s_i (wiped on drop, never shown) and its byte forms.
//! The checked share, s_i with the verification data it passed, is in `share.rs`.

use super::Shoup3Error;
use crate::key::MODULUS_BYTES;
use crate::secret::{SecretBn, SecretBytes};

const VERSION: u8 = 1;

/// Encoded size of a [`SecretShare`]: version, party, s_i.
pub const SECRET_SHARE_BYTES: usize = 2 + MODULUS_BYTES;

/// s_i = f(i) mod m for party i. Wiped on drop; `Debug` shows only the party.
pub struct SecretShare {
    party: u8,
    s: SecretBn,
}

impl std::fmt::Debug for SecretShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretShare")
            .field("party", &self.party)
            .field("s", &"<redacted>")
            .finish()
    }
}

impl SecretShare {
    pub(super) fn new(party: u8, s: SecretBn) -> Self {
        SecretShare { party, s }
    }

    pub fn party(&self) -> u8 {
        self.party
    }

    pub(super) fn value(&self) -> &SecretBn {
        &self.s
    }

    /// `version ‖ party ‖ s_i (384 bytes)`, in a buffer wiped on drop.
    pub fn to_bytes(&self) -> SecretBytes {
        let mut out = Vec::with_capacity(SECRET_SHARE_BYTES);
        out.push(VERSION);
        out.push(self.party);
        out.extend_from_slice(self.s.to_be_bytes_padded(MODULUS_BYTES).expose());
        SecretBytes::new(out)
    }

    /// s_i alone, 384 bytes big-endian, in a buffer wiped on drop (the share file's
    /// form; the party number is stored beside it).
    pub fn value_bytes(&self) -> SecretBytes {
        self.s.to_be_bytes_padded(MODULUS_BYTES)
    }

    /// Reads [`Self::value_bytes`] for `party`. Not yet checked: see [`Share::accept`].
    pub fn from_value_bytes(party: u8, bytes: &[u8]) -> Result<Self, Shoup3Error> {
        if bytes.len() != MODULUS_BYTES {
            return Err(Shoup3Error::Length {
                what: "secret share",
                got: bytes.len(),
                want: MODULUS_BYTES,
            });
        }
        if party == 0 {
            return Err(Shoup3Error::Malformed("party number of the share"));
        }
        Ok(SecretShare {
            party,
            s: SecretBn::from_be_bytes(bytes),
        })
    }

    /// Reads [`Self::to_bytes`]. The share is not yet checked: see [`Share::accept`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Shoup3Error> {
        if bytes.len() != SECRET_SHARE_BYTES {
            return Err(Shoup3Error::Length {
                what: "secret share",
                got: bytes.len(),
                want: SECRET_SHARE_BYTES,
            });
        }
        if bytes[0] != VERSION {
            return Err(Shoup3Error::Version {
                what: "secret share",
                version: bytes[0],
            });
        }
        if bytes[1] == 0 {
            return Err(Shoup3Error::Malformed("party number of the share"));
        }
        Ok(SecretShare {
            party: bytes[1],
            s: SecretBn::from_be_bytes(&bytes[2..]),
        })
    }

    #[cfg(test)]
    pub(super) fn tampered(&self, add: u32) -> Self {
        let mut s = self.s.expose().to_owned().unwrap();
        s.add_word(add).unwrap();
        SecretShare::new(self.party, SecretBn::new(s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::shoup3::deal::tests::fixture_dealing;
    use crate::threshold::shoup3::Share;

    #[test]
    fn secret_share_round_trips_and_never_shows() {
        let (keys, shares) = fixture_dealing(1, 3, 2).into_shares();
        let s = &shares[2];
        let bytes = s.to_bytes();
        assert_eq!(bytes.len(), SECRET_SHARE_BYTES);
        assert_eq!(bytes.expose()[..2], [1, 3]);
        let back = SecretShare::from_bytes(bytes.expose()).unwrap();
        assert_eq!(back.party(), 3);
        assert!(back.value().ct_eq(s.value()));
        let debug = format!("{back:?}");
        assert!(debug.contains("redacted"));
        let hex_secret = hex::encode(&bytes.expose()[2..]);
        assert!(!debug
            .to_lowercase()
            .contains(&hex_secret[hex_secret.len() - 16..]));
        let accepted = Share::accept(back, keys.clone()).unwrap();
        assert!(format!("{accepted:?}").contains("redacted"));

        assert!(matches!(
            SecretShare::from_bytes(&bytes.expose()[1..]),
            Err(Shoup3Error::Length { .. })
        ));
        let mut bad = bytes.expose().to_vec();
        bad[0] = 9;
        assert!(matches!(
            SecretShare::from_bytes(&bad),
            Err(Shoup3Error::Version { version: 9, .. })
        ));
        // A share for a party outside the scheme, or not below N, is refused.
        bad[0] = 1;
        bad[1] = 4;
        let four = SecretShare::from_bytes(&bad).unwrap();
        assert!(matches!(
            Share::accept(four, keys.clone()),
            Err(Shoup3Error::Scheme(_))
        ));
        let mut big = bytes.expose().to_vec();
        big[2..].fill(0xff);
        let big = SecretShare::from_bytes(&big).unwrap();
        assert_eq!(
            Share::accept(big, keys).err(),
            Some(Shoup3Error::Malformed("secret share"))
        );
    }
}
