//! A party's key share: its sub-shares of d, one per t-subset it belongs to, and,
//! for shares made by our keygen (file version 3), the party's identity key and the
//! roster and transcript of the keygen that made it.
//!
//! `file` reads and writes the JSON form (the reference tool's versions 1 and 2, and
//! our version 3); encryption at rest wraps those bytes (see `encrypted`).

pub mod encrypted;
pub mod file;

use std::collections::BTreeMap;

use crate::ceremony::transcript::{key_code, Transcript};
use crate::identity::{IdentityKey, IdentityPublic};
use crate::key::PublicKey;
use crate::protocol::{PartyKeys, SessionId, SCHEME_SUBSETS};
use crate::secret::SecretBn;
use crate::threshold::{Scheme, Subset, MAX_SUB_SHARE_BITS};

pub use file::ShareError;

/// One party's share. Sub-shares are wiped on drop; `Debug` shows no secret.
pub struct KeyShare {
    party: u8,
    scheme: Scheme,
    public: PublicKey,
    sub_shares: BTreeMap<Subset, SecretBn>,
    auth: Option<ShareAuth>,
}

/// What a version-3 share adds: who the parties are, and this party's signing key.
pub struct ShareAuth {
    /// This party's identity secret key.
    pub identity: IdentityKey,
    /// Keys of parties 1..=n as the keygen bound them.
    pub roster: Vec<PartyKeys>,
    /// The keygen's session.
    pub session: SessionId,
    /// The keygen's transcript hash.
    pub transcript: [u8; 32],
}

impl std::fmt::Debug for ShareAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareAuth")
            .field("identity", &self.identity)
            .field("roster", &self.roster.len())
            .field("transcript", &hex::encode(self.transcript))
            .finish()
    }
}

impl std::fmt::Debug for KeyShare {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyShare")
            .field("party", &self.party)
            .field("scheme", &self.scheme)
            .field("auth", &self.auth)
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
            if value.num_bits() > MAX_SUB_SHARE_BITS {
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
            auth: None,
        })
    }

    /// Adds the keygen's roster, transcript and this party's identity key, after
    /// checking that they belong together: the roster has n entries, this party's
    /// entry is its identity key, and the transcript hash is the one of this key,
    /// scheme and roster.
    pub fn with_auth(mut self, auth: ShareAuth) -> Result<Self, ShareError> {
        if auth.roster.len() != usize::from(self.scheme.parties()) {
            return Err(ShareError::Roster(format!(
                "it lists {} parties, not {}",
                auth.roster.len(),
                self.scheme.parties()
            )));
        }
        let own = auth.roster[usize::from(self.party) - 1].identity;
        if own != auth.identity.public() {
            return Err(ShareError::Roster(format!(
                "party {}'s identity key is not the one this share holds",
                self.party
            )));
        }
        for (i, k) in auth.roster.iter().enumerate() {
            k.identity
                .check()
                .map_err(|e| ShareError::Roster(format!("party {}: {e}", i + 1)))?;
            if auth.roster[..i].iter().any(|o| o.identity == k.identity) {
                return Err(ShareError::Roster(format!(
                    "party {} has the identity key of another party",
                    i + 1
                )));
            }
        }
        if self.transcript_of(&auth.roster, auth.session).hash() != auth.transcript {
            return Err(ShareError::Transcript);
        }
        self.auth = Some(auth);
        Ok(self)
    }

    fn transcript_of(&self, roster: &[PartyKeys], session: SessionId) -> Transcript {
        Transcript {
            scheme: SCHEME_SUBSETS,
            parties: self.scheme.parties(),
            threshold: self.scheme.threshold(),
            session,
            roster: roster.to_vec(),
            modulus: self.public.modulus_be(),
        }
    }

    /// The same share without its roster and identity key: what a reference-format
    /// (version 2) file of it holds. For ceremonies that mix parties on reference-format
    /// shares with parties on version 3.
    pub fn without_auth(mut self) -> Self {
        self.auth = None;
        self
    }

    /// A copy, for tests.
    #[cfg(test)]
    pub(crate) fn try_clone_for_tests(&self) -> KeyShare {
        KeyShare {
            party: self.party,
            scheme: self.scheme,
            public: self.public.clone(),
            sub_shares: self
                .sub_shares
                .iter()
                .map(|(s, v)| (*s, v.try_clone()))
                .collect(),
            auth: self.auth.as_ref().map(|a| ShareAuth {
                identity: IdentityKey::from_seed(&a.identity.seed()),
                roster: a.roster.clone(),
                session: a.session,
                transcript: a.transcript,
            }),
        }
    }

    /// The identity data of a version-3 share; `None` for the reference's formats.
    pub fn auth(&self) -> Option<&ShareAuth> {
        self.auth.as_ref()
    }

    /// The identity key of `party` in this share's roster.
    pub fn identity_of(&self, party: u8) -> Option<IdentityPublic> {
        let auth = self.auth.as_ref()?;
        auth.roster
            .get(usize::from(party).checked_sub(1)?)
            .map(|k| k.identity)
    }

    /// The key code of the keygen that made this share (version 3 only).
    pub fn key_code(&self) -> Option<String> {
        self.auth
            .as_ref()
            .map(|a| key_code(&a.transcript, &self.public))
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
