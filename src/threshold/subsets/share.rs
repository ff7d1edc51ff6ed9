//! One party's `subsets` share: its sub-shares of d, one per t-subset it belongs to,
//! with the checks every such share passes (party in range, exactly its own
//! t-subsets, each sub-share below 2^8192: a dealing makes at most 3204 bits, each
//! refresh adds up to 136, `subsets/refresh.rs`). Sub-shares are wiped on drop.

use std::collections::BTreeMap;

use crate::key::PublicKey;
use crate::secret::SecretBn;
use crate::threshold::{Scheme, Subset, ThresholdError};

/// The widest sub-share a share may hold, in bits: a dealing's (at most
/// [`super::MAX_SUB_SHARE_BITS`]) after the refreshes `subsets/refresh.rs` allows
/// (about 36 of 136 bits each).
pub const MAX_REFRESHED_SUB_SHARE_BITS: u64 = 8192;

/// A party's sub-shares. `Debug` shows how many, never a value.
pub struct Share {
    party: u8,
    scheme: Scheme,
    public: PublicKey,
    sub_shares: BTreeMap<Subset, SecretBn>,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("subsets::Share")
            .field("party", &self.party)
            .field("scheme", &self.scheme)
            .field(
                "sub_shares",
                &format_args!("<{} redacted>", self.sub_shares.len()),
            )
            .finish()
    }
}

impl Share {
    /// Checks that the party is in range and holds exactly one sub-share for every
    /// t-subset it belongs to, each of at most [`MAX_REFRESHED_SUB_SHARE_BITS`] bits.
    pub fn new(
        party: u8,
        scheme: Scheme,
        public: PublicKey,
        sub_shares: BTreeMap<Subset, SecretBn>,
    ) -> Result<Self, ThresholdError> {
        if !scheme.has_party(party) {
            return Err(ThresholdError::PartyOutOfRange {
                party,
                n: scheme.parties(),
            });
        }
        for (subset, value) in &sub_shares {
            if !scheme.is_subset(*subset) {
                return Err(ThresholdError::SubsetSize {
                    subset: *subset,
                    t: scheme.threshold(),
                });
            }
            if !subset.contains(party) {
                return Err(ThresholdError::SubsetWithoutParty {
                    subset: *subset,
                    party,
                });
            }
            if value.num_bits() > MAX_REFRESHED_SUB_SHARE_BITS {
                return Err(ThresholdError::SubShareTooLarge { subset: *subset });
            }
        }
        let missing: Vec<Subset> = scheme
            .subsets_of(party)
            .into_iter()
            .filter(|s| !sub_shares.contains_key(s))
            .collect();
        if !missing.is_empty() {
            return Err(ThresholdError::MissingSubsets { missing });
        }
        Ok(Share {
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
    /// The t-subsets this party holds a sub-share of, in order.
    pub fn subsets(&self) -> impl Iterator<Item = Subset> + '_ {
        self.sub_shares.keys().copied()
    }
    pub fn sub_share_count(&self) -> usize {
        self.sub_shares.len()
    }

    /// Whether `other` holds the same sub-shares (compared in constant time).
    pub fn same_secret(&self, other: &Share) -> bool {
        self.subsets().eq(other.subsets())
            && self
                .subsets()
                .all(|s| match (self.sub_share(s), other.sub_share(s)) {
                    (Some(a), Some(b)) => a.ct_eq(b) && a.is_negative() == b.is_negative(),
                    _ => false,
                })
    }

    /// A copy, for tests.
    #[cfg(any(test, feature = "test-export"))]
    pub fn try_clone_for_tests(&self) -> Share {
        Share {
            party: self.party,
            scheme: self.scheme,
            public: self.public.clone(),
            sub_shares: self
                .sub_shares
                .iter()
                .map(|(s, v)| (*s, v.try_clone()))
                .collect(),
        }
    }
}
