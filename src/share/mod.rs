//! A party's key share, of one of two schemes: `subsets` (its sub-shares of d, one
//! per t-subset it belongs to) or `shoup3` (one share s_i and the public verification
//! data, checked by the dealing checks). Shares made by our keygen (file version 3)
//! also hold the party's identity key and the roster and transcript of the keygen
//! that made it.
//!
//! `transcript` is the keygen transcript and key code every version-3 share is
//! checked against. `file` reads and writes the JSON form (the reference tool's
//! versions 1 and 2, and our version 3); `reference` writes a `subsets` share as the reference tool's
//! version 2, exactly; encryption at rest wraps those bytes (see `encrypted`);
//! `error` says why a share is refused. The secret itself is the threshold layer's
//! [`SchemeShare`], so partials go through the scheme interface.
//!
//! `generation`: which generation of its key a share is (0 dealt, g ≥ 1 made by the
//! g-th refresh) and whether it is retired; `rewrite` writes a share back over its own
//! file, atomically (to mark it retired).

pub mod encrypted;
mod error;
pub mod file;
mod generation;
mod json_out;
pub mod reference;
pub mod rewrite;
pub mod transcript;

use std::collections::BTreeMap;

use crate::identity::{IdentityKey, IdentityPublic};
use crate::key::PublicKey;
use crate::protocol::{
    FeldmanPublic, PartyKeys, SessionId, Shoup3Public, SCHEME_SHOUP3, SCHEME_SUBSETS,
};
use crate::secret::SecretBn;
use crate::threshold::{shoup3, subsets, SchemeKind, SchemeShare};
use crate::threshold::{Scheme, Subset};
use transcript::{key_code, Transcript};

pub use error::ShareError;
pub use generation::{Generation, Refreshed};

/// One party's share: the scheme's share ([`SchemeShare`]) and, for version 3, the
/// keygen's roster and this party's identity key. Secrets are wiped on drop;
/// `Debug` shows none.
pub struct KeyShare {
    secret: SchemeShare,
    public: PublicKey,
    auth: Option<ShareAuth>,
    /// The refresh that made this share (generation ≥ 1); `None`: generation 0.
    refreshed: Option<Refreshed>,
    /// The transcript hash of what replaced this share, once it is retired.
    retired: Option<[u8; 32]>,
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
    /// The dealer's keygen nonce (in the transcript); `None` for shares dealt before
    /// it existed.
    pub nonce: Option<[u8; 32]>,
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
            .field("party", &self.party())
            .field("auth", &self.auth)
            .field("generation", &self.generation().number)
            .field("retired", &self.retired.is_some())
            .field("secret", &self.secret)
            .finish()
    }
}

impl KeyShare {
    /// A `subsets` share: checks that the party is in range and holds exactly one
    /// sub-share for every t-subset it belongs to, each below 2^3204.
    pub fn new(
        party: u8,
        scheme: Scheme,
        public: PublicKey,
        sub_shares: BTreeMap<Subset, SecretBn>,
    ) -> Result<Self, ShareError> {
        let share = subsets::Share::new(party, scheme, public, sub_shares)
            .map_err(ShareError::from_sub_shares)?;
        Ok(Self::from_subsets(share))
    }

    /// A `subsets` share as the scheme's dealer made it.
    pub fn from_subsets(share: subsets::Share) -> Self {
        KeyShare {
            public: share.public().clone(),
            secret: SchemeShare::Subsets(share),
            auth: None,
            refreshed: None,
            retired: None,
        }
    }

    /// A `shoup3` share, already through its dealing checks ([`shoup3::Share::accept`]).
    pub fn from_shoup3(share: shoup3::Share) -> Result<Self, ShareError> {
        let public = share
            .keys()
            .public_key()
            .map_err(|e| ShareError::Shoup3(e.to_string()))?;
        Ok(KeyShare {
            public,
            secret: SchemeShare::Shoup3(share),
            auth: None,
            refreshed: None,
            retired: None,
        })
    }

    /// The scheme's share: the interface partials and checks go through.
    pub fn secret(&self) -> &SchemeShare {
        &self.secret
    }

    /// The checked `shoup3` share, if this is one.
    pub fn shoup3(&self) -> Option<&shoup3::Share> {
        self.secret.as_shoup3()
    }

    /// The scheme byte of this share ([`SCHEME_SUBSETS`] or [`SCHEME_SHOUP3`]).
    pub fn scheme_byte(&self) -> u8 {
        match self.secret.kind() {
            SchemeKind::Shoup3 => SCHEME_SHOUP3,
            SchemeKind::Subsets => SCHEME_SUBSETS,
        }
    }

    /// The scheme's name as share files and humans spell it.
    pub fn scheme_name(&self) -> &'static str {
        crate::protocol::scheme_name(self.scheme_byte())
    }

    /// Whether `other` holds the same party, key, keygen, generation, retired state
    /// and secret (compared in constant time): for checking that a written file reads
    /// back intact.
    pub fn same_share(&self, other: &KeyShare) -> bool {
        self.secret.same_secret(&other.secret)
            && self.party() == other.party()
            && self.public == other.public
            && self.key_code() == other.key_code()
            && self.generation() == other.generation()
            && self.retired == other.retired
    }

    /// Adds the keygen's roster, transcript and this party's identity key, after
    /// checking that they belong together: the roster has n entries, this party's
    /// entry is its identity key, and the transcript hash is the one of this key,
    /// scheme and roster (except for a refreshed `shoup3` share, whose verification
    /// data is no longer the keygen's).
    pub fn with_auth(mut self, auth: ShareAuth) -> Result<Self, ShareError> {
        if auth.roster.len() != usize::from(self.scheme().parties()) {
            return Err(ShareError::Roster(format!(
                "it lists {} parties, not {}",
                auth.roster.len(),
                self.scheme().parties()
            )));
        }
        let own = auth.roster[usize::from(self.party()) - 1].identity;
        if own != auth.identity.public() {
            return Err(ShareError::Roster(format!(
                "party {}'s identity key is not the one this share holds",
                self.party()
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
        // The keygen transcript covers a `shoup3` key's verification data, which a
        // refresh replaces: for a refreshed `shoup3` share it is taken as recorded
        // (the roster checks above still hold; docs/threat-model.md).
        let recomputable = self.refreshed.is_none() || self.shoup3().is_none();
        if recomputable
            && self
                .transcript_of(&auth.roster, auth.session, auth.nonce)
                .hash()
                != auth.transcript
        {
            return Err(ShareError::Transcript);
        }
        self.auth = Some(auth);
        Ok(self)
    }

    fn transcript_of(
        &self,
        roster: &[PartyKeys],
        session: SessionId,
        nonce: Option<[u8; 32]>,
    ) -> Transcript {
        Transcript {
            scheme: self.scheme_byte(),
            parties: self.scheme().parties(),
            threshold: self.scheme().threshold(),
            session,
            roster: roster.to_vec(),
            modulus: self.public.modulus_be(),
            verification: self.shoup3().map(|s| shoup3_public(s.keys())),
            nonce,
        }
    }

    /// The same share without its roster and identity key: what a reference-format
    /// (version 2) file of it holds. For ceremonies that mix parties on reference-format
    /// shares with parties on version 3.
    pub fn without_auth(mut self) -> Self {
        self.auth = None;
        self.refreshed = None;
        self.retired = None;
        self
    }

    /// A copy, for tests.
    #[cfg(test)]
    pub(crate) fn try_clone_for_tests(&self) -> KeyShare {
        KeyShare {
            public: self.public.clone(),
            secret: match &self.secret {
                SchemeShare::Subsets(s) => SchemeShare::Subsets(s.try_clone_for_tests()),
                SchemeShare::Shoup3(s) => {
                    let secret =
                        shoup3::SecretShare::from_bytes(s.secret().to_bytes().expose()).unwrap();
                    SchemeShare::Shoup3(shoup3::Share::accept(secret, s.keys().clone()).unwrap())
                }
            },
            auth: self.auth.as_ref().map(|a| ShareAuth {
                identity: a.identity.try_clone(),
                roster: a.roster.clone(),
                session: a.session,
                transcript: a.transcript,
                nonce: a.nonce,
            }),
            refreshed: self.refreshed,
            retired: self.retired,
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
        self.secret.party()
    }
    pub fn scheme(&self) -> Scheme {
        self.secret.scheme()
    }
    pub fn public(&self) -> &PublicKey {
        &self.public
    }
    pub fn sub_share(&self, subset: Subset) -> Option<&SecretBn> {
        self.secret.as_subsets().and_then(|s| s.sub_share(subset))
    }
    /// The t-subsets of a `subsets` share (none for `shoup3`).
    pub fn subsets(&self) -> impl Iterator<Item = Subset> + '_ {
        self.secret
            .as_subsets()
            .into_iter()
            .flat_map(|s| s.subsets())
    }
    pub fn sub_share_count(&self) -> usize {
        self.secret.as_subsets().map_or(0, |s| s.sub_share_count())
    }
}

impl AsRef<SchemeShare> for KeyShare {
    fn as_ref(&self) -> &SchemeShare {
        &self.secret
    }
}

impl subsets::SubShares for KeyShare {
    fn party(&self) -> u8 {
        KeyShare::party(self)
    }
    fn public(&self) -> &PublicKey {
        &self.public
    }
    fn sub_share(&self, subset: Subset) -> Option<&SecretBn> {
        KeyShare::sub_share(self, subset)
    }
}

/// The public verification data of a `shoup3` key as messages carry it: v_1..v_n
/// (dealing version 1) or S and the commitments (version 2).
pub fn shoup3_public(keys: &shoup3::VerificationKeys) -> Shoup3Public {
    let n = keys.scheme().parties();
    match keys.commitments() {
        // Every commitment and v_i is a unit below N (checked when the keys were
        // made), so 384 bytes hold it.
        Some(c) => Shoup3Public {
            seed: *keys.seed(),
            keys: Vec::new(),
            feldman: Some(Box::new(FeldmanPublic {
                bound: c.bound(),
                commitments: c.values().iter().map(crate::key::to_fixed_be).collect(),
            })),
        },
        None => Shoup3Public {
            seed: *keys.seed(),
            keys: (1..=n)
                .map(|i| keys.key(i).map(crate::key::to_fixed_be).unwrap_or([0; 384]))
                .collect(),
            feldman: None,
        },
    }
}

/// The verification data of a message, for the key with `modulus` (range checks and
/// the derivation of v; the dealing checks are [`shoup3::Share::accept`]).
pub fn verification_keys(
    public: &PublicKey,
    scheme: Scheme,
    data: &Shoup3Public,
) -> Result<shoup3::VerificationKeys, shoup3::Shoup3Error> {
    let number = |k: &[u8; 384]| num_bigint::BigUint::from_bytes_be(k);
    let modulus = public.modulus().clone();
    match &data.feldman {
        Some(f) => shoup3::VerificationKeys::with_commitments(
            modulus,
            scheme,
            data.seed,
            f.bound,
            f.commitments.iter().map(number).collect(),
        ),
        None => shoup3::VerificationKeys::new(
            modulus,
            scheme,
            data.seed,
            data.keys.iter().map(number).collect(),
        ),
    }
}
