//! One party's secret share s_i (wiped on drop, never shown) and its byte forms:
//! version 1 (s_i = f(i) mod m, 384 bytes) and version 2 (s_i a multiple of Δ below
//! 2^S, ⌈S/8⌉ bytes). The checked share, s_i with the verification data it passed, is
//! in `share.rs`.

use super::commitments::{MAX_SHARE_BOUND, VERSION_FELDMAN};
use super::Shoup3Error;
use crate::key::MODULUS_BYTES;
use crate::secret::{SecretBn, SecretBytes};

const VERSION: u8 = 1;

/// Encoded size of a version-1 [`SecretShare`]: version, party, s_i.
pub const SECRET_SHARE_BYTES: usize = 2 + MODULUS_BYTES;

/// The longest s_i of version 2, in bytes (⌈[`MAX_SHARE_BOUND`]/8⌉).
const MAX_SHARE_BYTES: usize = (MAX_SHARE_BOUND as usize).div_ceil(8);

/// Encoded size of a version-2 share whose dealing has share bound `bound`.
pub fn secret_share_bytes_v2(bound: u16) -> usize {
    2 + usize::from(bound).div_ceil(8)
}

/// s_i for party i: f(i) mod m (version 1) or Δ·((f(i)·Δ⁻¹) mod m) (version 2).
/// Wiped on drop; `Debug` shows only the party.
pub struct SecretShare {
    party: u8,
    version: u8,
    /// Bytes of s_i in the encodings (384 in version 1, ⌈S/8⌉ in version 2).
    width: u16,
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
        SecretShare {
            party,
            version: VERSION,
            width: MODULUS_BYTES as u16,
            s,
        }
    }

    /// A version-2 share, encoded in `width` bytes.
    pub(super) fn new_v2(party: u8, width: usize, s: SecretBn) -> Self {
        SecretShare {
            party,
            version: VERSION_FELDMAN,
            // Callers bound it by ⌈MAX_SHARE_BOUND/8⌉ = 1024.
            width: u16::try_from(width).unwrap_or(u16::MAX),
            s,
        }
    }

    /// The dealing version this share's encoding belongs to.
    pub fn version(&self) -> u8 {
        self.version
    }
    pub(super) fn width(&self) -> usize {
        usize::from(self.width)
    }

    pub fn party(&self) -> u8 {
        self.party
    }

    pub(super) fn value(&self) -> &SecretBn {
        &self.s
    }

    /// `version ‖ party ‖ s_i` (384 bytes in version 1, ⌈S/8⌉ in version 2), in a
    /// buffer wiped on drop.
    pub fn to_bytes(&self) -> SecretBytes {
        let mut out = Vec::with_capacity(2 + self.width());
        out.push(self.version);
        out.push(self.party);
        out.extend_from_slice(self.s.to_be_bytes_padded(self.width()).expose());
        SecretBytes::new(out)
    }

    /// s_i alone, big-endian in its version's width, in a buffer wiped on drop (the
    /// share file's form; the party number is stored beside it).
    pub fn value_bytes(&self) -> SecretBytes {
        self.s.to_be_bytes_padded(self.width())
    }

    /// Reads [`Self::value_bytes`] of a share of dealing `version` whose s_i takes
    /// `want` bytes (`VerificationKeys::version` and `share_bytes`). Not yet checked:
    /// see [`Share::accept`].
    pub fn from_value_bytes_for(
        party: u8,
        bytes: &[u8],
        version: u8,
        want: usize,
    ) -> Result<Self, Shoup3Error> {
        if version != VERSION_FELDMAN {
            return Self::from_value_bytes(party, bytes);
        }
        if bytes.len() != want {
            return Err(Shoup3Error::Length {
                what: "secret share",
                got: bytes.len(),
                want,
            });
        }
        if party == 0 {
            return Err(Shoup3Error::Malformed("party number of the share"));
        }
        Ok(Self::new_v2(party, want, SecretBn::from_be_bytes(bytes)))
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
        Ok(SecretShare::new(party, SecretBn::from_be_bytes(bytes)))
    }

    /// Reads [`Self::to_bytes`]. The share is not yet checked: see [`Share::accept`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Shoup3Error> {
        if bytes.first() == Some(&VERSION_FELDMAN) {
            let width = bytes.len().saturating_sub(2);
            if !(MODULUS_BYTES..=MAX_SHARE_BYTES).contains(&width) {
                return Err(Shoup3Error::Length {
                    what: "secret share",
                    got: bytes.len(),
                    want: 2 + MODULUS_BYTES,
                });
            }
            if bytes[1] == 0 {
                return Err(Shoup3Error::Malformed("party number of the share"));
            }
            return Ok(Self::new_v2(
                bytes[1],
                width,
                SecretBn::from_be_bytes(&bytes[2..]),
            ));
        }
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
        Ok(SecretShare::new(
            bytes[1],
            SecretBn::from_be_bytes(&bytes[2..]),
        ))
    }

    #[cfg(test)]
    pub(super) fn tampered(&self, add: u32) -> Self {
        let mut s = self.s.expose().to_owned().unwrap();
        s.add_word(add).unwrap();
        SecretShare {
            s: SecretBn::new(s),
            ..*self
        }
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
