//! The dealer's side of keygen: opens the ceremony (KEYGEN-INIT), takes each
//! KEYGEN-JOIN, and builds the transcript and the signed KEYGEN-FINALIZE that its
//! dealing (`dealing.rs`) sends.

use super::seal::CeremonyKey;
use super::transcript::Transcript;
use super::{finalize_size, roster, KeygenError, RosterEntry};
use crate::ceremony::expect_message;
use crate::ceremony::fingerprint::{key_fingerprint, session_code};
use crate::identity::IdentityKey;
use crate::key::PublicKey;
use crate::protocol::{scheme_name, shoup3_seed};
use crate::protocol::{
    KeygenFinalize, KeygenInit, Message, MessageType, PartyKeys, SealedShare, SessionId,
    Shoup3Public, MAX_MESSAGE_LEN, SCHEME_SUBSETS,
};
use crate::share::KeyShare;
use crate::threshold::Scheme;

/// The dealer's state between KEYGEN-INIT and KEYGEN-FINALIZE.
#[derive(Debug)]
pub struct Dealer {
    pub(super) init: KeygenInit,
    init_bytes: Vec<u8>,
    pub(super) key: CeremonyKey,
    pub(super) identity: IdentityKey,
    pub(super) joiners: Vec<PartyKeys>,
}

/// What dealing gives the dealer.
#[derive(Debug)]
pub struct Dealt {
    /// The KEYGEN-FINALIZE to send.
    pub finalize: Message,
    /// `shoup3`: each joiner's own view (party, a KEYGEN-FINALIZE with the public
    /// data and only that joiner's sealed share, signed by the dealer). Empty for
    /// `subsets`.
    pub views: Vec<(u8, Message)>,
    /// The dealer's own share (version 3: with identity key and roster).
    pub share: KeyShare,
    /// The key code every party must see.
    pub key_code: String,
    /// The keygen transcript hash.
    pub transcript: [u8; 32],
}

impl Dealer {
    /// Opens a ceremony; returns the KEYGEN-INIT to send. `kind` is the scheme byte
    /// ([`SCHEME_SUBSETS`] or [`SCHEME_SHOUP3`]); `imported` is the public key of an
    /// existing key that will be dealt, announced so joiners can check it.
    pub fn start(
        scheme: Scheme,
        kind: u8,
        imported: Option<&PublicKey>,
    ) -> Result<(Self, Message), KeygenError> {
        Self::open(scheme, kind, imported, None)
    }

    /// Opens the keygen of a reshare: `public`'s key, held until now by the roster
    /// of the keygen with transcript hash `old_roster`, is dealt to a new roster. The
    /// KEYGEN-INIT (wire type 22) says so, signed, and joiners show it.
    pub fn start_reshare(
        scheme: Scheme,
        kind: u8,
        public: &PublicKey,
        old_roster: [u8; 32],
    ) -> Result<(Self, Message), KeygenError> {
        Self::open(scheme, kind, Some(public), Some(old_roster))
    }

    fn open(
        scheme: Scheme,
        kind: u8,
        imported: Option<&PublicKey>,
        reshare_of: Option<[u8; 32]>,
    ) -> Result<(Self, Message), KeygenError> {
        let size = finalize_size(scheme);
        if kind == SCHEME_SUBSETS && size > MAX_MESSAGE_LEN {
            return Err(KeygenError::TooLarge {
                n: scheme.parties(),
                t: scheme.threshold(),
                size: size.div_ceil(1 << 20),
            });
        }
        let key = CeremonyKey::generate();
        let identity = IdentityKey::generate();
        let init = KeygenInit {
            session: SessionId::random(),
            scheme: kind,
            parties: scheme.parties(),
            threshold: scheme.threshold(),
            dealer_key: key.public(),
            dealer_identity: identity.public(),
            imported_mrsigner: imported.map(PublicKey::mrsigner),
            reshare_of,
            signature: [0; 64],
        };
        let mut msg = Message::KeygenInit(init);
        msg.sign(&identity);
        let Message::KeygenInit(init) = msg.clone() else {
            unreachable!("built above")
        };
        let init_bytes = msg.encode();
        Ok((
            Dealer {
                init,
                init_bytes,
                key,
                identity,
                joiners: Vec::new(),
            },
            msg,
        ))
    }

    pub fn session(&self) -> SessionId {
        self.init.session
    }
    pub fn session_code(&self) -> String {
        session_code(&self.init_bytes)
    }
    pub fn scheme(&self) -> Scheme {
        // Valid by construction in `start`.
        Scheme::new(self.init.parties, self.init.threshold).unwrap_or_else(|_| unreachable!())
    }
    /// The seed of v that a `shoup3` dealing of this ceremony must use
    /// ([`shoup3::deal_seeded`]): derived from the session, so no message carries it.
    pub fn shoup3_seed(&self) -> [u8; 32] {
        shoup3_seed(&self.init.session)
    }

    pub(super) fn own_keys(&self) -> PartyKeys {
        PartyKeys {
            x25519: self.key.public(),
            identity: self.identity.public(),
        }
    }

    /// Accepts a KEYGEN-JOIN from the received bytes; returns the new party's entry.
    /// A join with a weak key, a bad signature, or keys already in the roster is
    /// refused before it takes a party number.
    pub fn accept_join(&mut self, bytes: &[u8]) -> Result<RosterEntry, KeygenError> {
        let msg = expect_message(bytes, &[MessageType::KeygenJoin], Some(self.init.session))?;
        let Message::KeygenJoin(join) = &msg else {
            unreachable!("expect_message checked the type")
        };
        let keys = PartyKeys {
            x25519: join.party_key,
            identity: join.identity,
        };
        if keys.x25519 == self.key.public() || keys.identity == self.identity.public() {
            return Err(KeygenError::DealerKeyJoin);
        }
        if let Some(i) = self
            .joiners
            .iter()
            .position(|k| k.x25519 == keys.x25519 || k.identity == keys.identity)
        {
            return Err(KeygenError::DuplicateJoin(i as u8 + 2));
        }
        if !self.key.accepts_peer(&keys.x25519) {
            return Err(KeygenError::WeakJoinKey);
        }
        keys.identity.check().map_err(KeygenError::JoinIdentity)?;
        if !msg.is_signed_by(&keys.identity) {
            return Err(KeygenError::BadJoinSignature);
        }
        if self.is_complete() {
            return Err(KeygenError::Full(self.init.parties));
        }
        self.joiners.push(keys);
        let party = self.joiners.len() as u8 + 1;
        Ok(RosterEntry {
            party,
            fingerprint: key_fingerprint(&self.init.session, &keys),
        })
    }

    pub fn is_complete(&self) -> bool {
        self.joiners.len() + 1 == usize::from(self.init.parties)
    }

    pub(super) fn roster_keys(&self) -> Vec<PartyKeys> {
        let mut all = Vec::with_capacity(self.joiners.len() + 1);
        all.push(self.own_keys());
        all.extend_from_slice(&self.joiners);
        all
    }

    /// Every participant with its fingerprint, dealer first.
    pub fn roster(&self) -> Vec<RosterEntry> {
        roster(&self.init.session, &self.roster_keys())
    }

    pub(super) fn check_ready(&self, public: &PublicKey, kind: u8) -> Result<(), KeygenError> {
        if self.init.scheme != kind {
            return Err(KeygenError::WrongKeyKind {
                announced: scheme_name(self.init.scheme),
                given: scheme_name(kind),
            });
        }
        if !self.is_complete() {
            return Err(KeygenError::Incomplete {
                joined: self.joiners.len() as u8 + 1,
                parties: self.init.parties,
            });
        }
        if let Some(announced) = self.init.imported_mrsigner {
            if announced != public.mrsigner() {
                return Err(KeygenError::ImportedKeyMismatch {
                    found: hex::encode(public.mrsigner()),
                    announced: hex::encode(announced),
                });
            }
        }
        Ok(())
    }

    /// The keygen transcript hash of this ceremony for `public` (and, for `shoup3`,
    /// its verification data).
    pub(super) fn transcript(
        &self,
        roster: &[PartyKeys],
        public: &PublicKey,
        verification: Option<Shoup3Public>,
        nonce: [u8; 32],
    ) -> [u8; 32] {
        self.transcript_with(roster, public, verification, Some(nonce))
    }

    pub(super) fn transcript_with(
        &self,
        roster: &[PartyKeys],
        public: &PublicKey,
        verification: Option<Shoup3Public>,
        nonce: Option<[u8; 32]>,
    ) -> [u8; 32] {
        Transcript {
            scheme: self.init.scheme,
            parties: self.init.parties,
            threshold: self.init.threshold,
            session: self.init.session,
            roster: roster.to_vec(),
            modulus: public.modulus_be(),
            verification,
            nonce,
        }
        .hash()
    }

    /// Test-only: the key code a `subsets` dealing of `public` to the parties joined
    /// so far would have shown without the dealer's nonce (as before it existed),
    /// which a man in the middle could compute before the FINALIZE.
    #[cfg(any(test, feature = "test-export"))]
    pub fn key_code_without_nonce_for_tests(&self, public: &PublicKey) -> String {
        super::transcript::key_code(
            &self.transcript_with(&self.roster_keys(), public, None, None),
            public,
        )
    }

    /// A KEYGEN-FINALIZE carrying `shares` (for `shoup3`, `view`'s alone or every
    /// joiner's), signed by the dealer.
    pub(super) fn finalize(
        &self,
        roster: &[PartyKeys],
        public: &PublicKey,
        verification: Option<Shoup3Public>,
        nonce: [u8; 32],
        view: Option<u8>,
        shares: Vec<SealedShare>,
    ) -> Message {
        let mut m = Message::KeygenFinalize(KeygenFinalize {
            session: self.init.session,
            scheme: self.init.scheme,
            parties: self.init.parties,
            threshold: self.init.threshold,
            modulus: public.modulus_be(),
            nonce,
            view,
            roster: KeygenFinalize::wire_roster(self.init.scheme, roster, view),
            verification,
            shares,
            signature: [0; 64],
        });
        m.sign(&self.identity);
        m
    }
}
