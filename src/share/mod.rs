//! A party's key share: its sub-shares of d, one per t-subset it belongs to.
//!
//! `file` reads and writes the reference tool's JSON form; encryption at rest wraps
//! those bytes (see `encrypted`).

pub mod encrypted;
pub mod file;

use std::collections::BTreeMap;

use crate::key::PublicKey;
use crate::secret::SecretBn;
use crate::threshold::{Scheme, Subset};

pub use file::ShareError;

/// One party's share. Sub-shares are wiped on drop; `Debug` shows no secret.
pub struct KeyShare {
    party: u8,
    scheme: Scheme,
    public: PublicKey,
    sub_shares: BTreeMap<Subset, SecretBn>,
}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyShare")
            .field("party", &self.party)
            .field("scheme", &self.scheme)
            .field(
                "sub_shares",
                &format_args!("<{} redacted>", self.sub_shares.len()),
            )
            .finish()
    }
}

impl KeyShare {
    /// Checks that the party is in range and holds exactly one sub-share for every
    /// t-subset it belongs to, each below 2^3072.
    pub fn new(
        party: u8,
        scheme: Scheme,
        public: PublicKey,
        sub_shares: BTreeMap<Subset, SecretBn>,
    ) -> Result<Self, ShareError> {
        if party == 0 || party > scheme.parties() {
            return Err(ShareError::PartyOutOfRange {
                party,
                n: scheme.parties(),
            });
        }
        for (subset, value) in &sub_shares {
            if !scheme.is_subset(*subset) {
                return Err(ShareError::SubsetSize {
                    subset: subset.to_string(),
                    t: scheme.threshold(),
                });
            }
            if !subset.contains(party) {
                return Err(ShareError::SubsetWithoutParty {
                    subset: subset.to_string(),
                    party,
                });
            }
            if value.num_bits() > crate::key::MODULUS_BITS {
                return Err(ShareError::SubShareTooLarge {
                    subset: subset.to_string(),
                });
            }
        }
        let expected = scheme.subsets_of(party);
        let missing: Vec<String> = expected
            .iter()
            .filter(|s| !sub_shares.contains_key(s))
            .map(|s| format!("\"{s}\""))
            .collect();
        if !missing.is_empty() {
            return Err(ShareError::MissingSubsets {
                missing: missing.join(" "),
            });
        }
        Ok(KeyShare {
            party,
            scheme,
            public,
            sub_shares,
        })
    }

    pub fn party(&self) -> u8 {
        self.party
    }
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }
    pub fn public(&self) -> &PublicKey {
        &self.public
    }
    pub fn sub_share(&self, subset: Subset) -> Option<&SecretBn> {
        self.sub_shares.get(&subset)
    }
    pub fn subsets(&self) -> impl Iterator<Item = Subset> + '_ {
        self.sub_shares.keys().copied()
    }
    pub fn sub_share_count(&self) -> usize {
        self.sub_shares.len()
    }
}
