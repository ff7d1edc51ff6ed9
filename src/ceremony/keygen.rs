//! The keygen ceremony. Party 1 is the dealer: it opens the ceremony (KEYGEN-INIT),
//! numbers joiners in the order their KEYGEN-JOIN arrives, and, once every
//! fingerprint has been compared out of band, deals the key (KEYGEN-FINALIZE).
//!
//! Every party makes two keys here: an X25519 key for this ceremony only (its share
//! is sealed to it) and an Ed25519 identity key that it keeps in its share file and
//! signs every later message with. Both are in the roster, and the roster, the
//! modulus and the parameters are bound into the transcript hash (see
//! [`super::transcript`]), which the dealer signs and every sealed share is bound to.

use num_bigint::BigUint;

use super::fingerprint::{key_fingerprint, session_code};
use super::seal::{CeremonyKey, Channel, SealError};
use super::transcript::{fresh_nonce, key_code, Transcript};
use super::{expect_message, MessageError};
use crate::identity::{IdentityError, IdentityKey};
use crate::key::{PrivateKey, PublicKey};
use crate::protocol::{scheme_name, shoup3_seed};
use crate::protocol::{
    KeygenFinalize, KeygenInit, KeygenJoin, Message, MessageType, PartyKeys, SealedShare,
    SessionId, Shoup3Public, MAX_MESSAGE_LEN, SCHEME_SHOUP3, SCHEME_SUBSETS,
};
use crate::share::{shoup3_public, verification_keys, KeyShare, ShareAuth, ShareError};
use crate::threshold::shoup3::{self, SecretShare, Shoup3Error, VerificationKeys};
use crate::threshold::{deal, Scheme, ThresholdError, MAX_SUB_SHARE_BITS};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeygenError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("this key already joined as party {0}; each party joins once")]
    DuplicateJoin(u8),
    #[error("that KEYGEN-JOIN carries the dealer's own key; ignored")]
    DealerKeyJoin,
    #[error("that KEYGEN-JOIN's X25519 key is a weak (low-order) key, with which no secret can be shared: refused; that joiner must run keygen again")]
    WeakJoinKey,
    #[error("that KEYGEN-JOIN's identity key is unusable ({0}): refused; that joiner must run keygen again")]
    JoinIdentity(IdentityError),
    #[error("that KEYGEN-JOIN is not signed by the identity key it carries: it was altered or forged; ignored")]
    BadJoinSignature,
    #[error("the KEYGEN-INIT is not signed by the dealer identity key it carries: it was altered or forged; ask the dealer to post it again")]
    BadInitSignature,
    #[error("the KEYGEN-INIT's dealer keys are unusable ({0}); ask the dealer to start again")]
    DealerKeys(String),
    #[error("all {0} parties have already joined; this join is refused (if it is genuine, restart the ceremony)")]
    Full(u8),
    #[error("only {joined} of {parties} parties have joined")]
    Incomplete { joined: u8, parties: u8 },
    #[error("the key to deal has MRSIGNER {found}, but KEYGEN-INIT announced {announced}")]
    ImportedKeyMismatch { found: String, announced: String },
    #[error("the KEYGEN-FINALIZE does not list this machine's keys: your KEYGEN-JOIN did not reach the dealer unchanged, or this FINALIZE is for other parties; ignored. Tell the group: if the genuine FINALIZE leaves you out, stop and start a new keygen")]
    NotInRoster,
    #[error("that KEYGEN-FINALIZE is party {view}'s own part; ignored: scan the one announced for party {me}")]
    OtherPartysView { view: u8, me: u8 },
    #[error("that KEYGEN-FINALIZE is party {0}'s own part and it does not open with this machine's key: it is another party's part (scan the one announced for you), or your KEYGEN-JOIN did not reach the dealer unchanged (then tell the group and start a new keygen); ignored")]
    ViewNotOpened(u8),
    #[error("the KEYGEN-FINALIZE names a different dealer than the KEYGEN-INIT: ignored, still waiting for the dealer's")]
    DealerChanged,
    #[error("the KEYGEN-FINALIZE has {found}, but KEYGEN-INIT announced {announced}: ignored")]
    SchemeChanged { found: String, announced: String },
    #[error("the KEYGEN-FINALIZE is not signed by the dealer's identity key: its modulus, roster or shares were altered, or it is forged; ignored, still waiting for the dealer's")]
    ForgedFinalize,
    #[error("the KEYGEN-FINALIZE's key is unusable: {0}; ignored")]
    Key(#[from] crate::key::KeyError),
    #[error("a {t}-of-{n} key of this scheme needs a KEYGEN-FINALIZE of about {size} MiB, more than the {max} MiB a message may have; choose a threshold further from n/2, or fewer parties", max = MAX_MESSAGE_LEN >> 20)]
    TooLarge { n: u8, t: u8, size: usize },
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("the dealt share is inconsistent: {0}")]
    Share(#[from] ShareError),
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
    #[error("the dealing is refused: {0}; ignored, still waiting (tell the group: the dealer must deal again)")]
    Dealing(Shoup3Error),
    #[error("the KEYGEN-FINALIZE's verification data is unusable ({0}); ignored")]
    Verification(Shoup3Error),
    #[error("this ceremony deals a {announced} key, but it was given a {given} key")]
    WrongKeyKind {
        announced: &'static str,
        given: &'static str,
    },
}

/// One line of the roster: a party and its key fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub party: u8,
    pub fingerprint: String,
}

/// The largest KEYGEN-FINALIZE a `subsets` key can need, in bytes.
pub fn finalize_size(scheme: Scheme) -> usize {
    let n = usize::from(scheme.parties());
    let per_party_subs = scheme.subsets_of(1).len();
    let sub = 5 + (MAX_SUB_SHARE_BITS as usize).div_ceil(8);
    let sealed = 1 + 12 + 4 + 3 + per_party_subs * sub + 16;
    18 + 3 + 384 + 32 + 64 * n + 1 + (n - 1) * sealed + 64
}

/// What a `shoup3` dealing sends, before the dealer's own share is checked.
struct Shoup3Messages {
    finalize: Message,
    views: Vec<(u8, Message)>,
    roster: Vec<PartyKeys>,
    transcript: [u8; 32],
    nonce: [u8; 32],
}

/// The dealer's state between KEYGEN-INIT and KEYGEN-FINALIZE.
#[derive(Debug)]
pub struct Dealer {
    init: KeygenInit,
    init_bytes: Vec<u8>,
    key: CeremonyKey,
    identity: IdentityKey,
    joiners: Vec<PartyKeys>,
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

    fn own_keys(&self) -> PartyKeys {
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

    fn roster_keys(&self) -> Vec<PartyKeys> {
        let mut all = Vec::with_capacity(self.joiners.len() + 1);
        all.push(self.own_keys());
        all.extend_from_slice(&self.joiners);
        all
    }

    /// Every participant with its fingerprint, dealer first.
    pub fn roster(&self) -> Vec<RosterEntry> {
        roster(&self.init.session, &self.roster_keys())
    }

    fn check_ready(&self, public: &PublicKey, kind: u8) -> Result<(), KeygenError> {
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

    /// Deals a `shoup3` key from its dealing (see [`shoup3::deal`]): returns the full
    /// KEYGEN-FINALIZE, each joiner's own view, the dealer's own share (through the
    /// same dealing checks as every joiner's) and the key code. Consumes the dealer: a
    /// ceremony deals once.
    pub fn deal_shoup3(
        self,
        keys: VerificationKeys,
        secrets: Vec<SecretShare>,
    ) -> Result<Dealt, KeygenError> {
        let (messages, own, keys) = self.shoup3_messages(keys, secrets)?;
        let own = shoup3::Share::accept(own, keys).map_err(KeygenError::Dealing)?;
        let share = KeyShare::from_shoup3(own)?.with_auth(ShareAuth {
            identity: self.identity,
            roster: messages.roster,
            session: self.init.session,
            transcript: messages.transcript,
            nonce: Some(messages.nonce),
        })?;
        Ok(Dealt {
            finalize: messages.finalize,
            views: messages.views,
            key_code: key_code(&messages.transcript, share.public()),
            share,
            transcript: messages.transcript,
        })
    }

    /// Test-only: the KEYGEN-FINALIZE and views of a dealing as it is, without the
    /// dealer's own checks (a corrupt dealer, whose dealing every joiner must refuse).
    #[cfg(any(test, feature = "test-export"))]
    pub fn corrupt_finalize_for_tests(
        self,
        keys: VerificationKeys,
        secrets: Vec<SecretShare>,
    ) -> Result<(Message, Vec<(u8, Message)>), KeygenError> {
        let (messages, _, _) = self.shoup3_messages(keys, secrets)?;
        Ok((messages.finalize, messages.views))
    }

    fn shoup3_messages(
        &self,
        keys: VerificationKeys,
        secrets: Vec<SecretShare>,
    ) -> Result<(Shoup3Messages, SecretShare, VerificationKeys), KeygenError> {
        let public = keys.public_key().map_err(KeygenError::Verification)?;
        self.check_ready(&public, SCHEME_SHOUP3)?;
        if keys.scheme() != self.scheme()
            || secrets.len() != usize::from(self.init.parties)
            || *keys.seed() != self.shoup3_seed()
        {
            return Err(
                ThresholdError::Deal("the dealing does not fit the ceremony".into()).into(),
            );
        }
        let roster_keys = self.roster_keys();
        let verification = shoup3_public(&keys);
        // Drawn now that every JOIN is in: nobody could aim the roster at it.
        let nonce = fresh_nonce();
        let transcript = self.transcript(&roster_keys, &public, Some(verification.clone()), nonce);
        let (own, sealed) = self.seal_to_joiners(&transcript, secrets, |c, s| c.seal_shoup3(s))?;
        let finalize_with = |view, shares| {
            self.finalize(
                &roster_keys,
                &public,
                Some(verification.clone()),
                nonce,
                view,
                shares,
            )
        };
        let views = if self.init.parties > 2 {
            sealed
                .iter()
                .map(|s| (s.party, finalize_with(Some(s.party), vec![s.clone()])))
                .collect()
        } else {
            // With one joiner, its view is the whole FINALIZE.
            Vec::new()
        };
        let finalize = finalize_with(None, sealed);
        Ok((
            Shoup3Messages {
                finalize,
                views,
                roster: roster_keys,
                transcript,
                nonce,
            },
            own,
            keys,
        ))
    }

    /// Splits the dealt shares of parties 1..=n into the dealer's own and the others,
    /// each sealed with `seal` on the channel to its joiner under `transcript`.
    fn seal_to_joiners<S>(
        &self,
        transcript: &[u8; 32],
        shares: Vec<S>,
        seal: impl Fn(&Channel<'_>, &S) -> Result<SealedShare, SealError>,
    ) -> Result<(S, Vec<SealedShare>), KeygenError> {
        let mut shares = shares.into_iter();
        let own = shares
            .next()
            .ok_or(ThresholdError::Deal("no shares".into()))?;
        let mut sealed = Vec::with_capacity(self.joiners.len());
        for (share, party_keys) in shares.zip(&self.joiners) {
            let channel = Channel {
                own: &self.key,
                peer: &party_keys.x25519,
                session: &self.init.session,
                transcript,
            };
            sealed.push(seal(&channel, &share)?);
        }
        Ok((own, sealed))
    }

    /// The keygen transcript hash of this ceremony for `public` (and, for `shoup3`,
    /// its verification data).
    fn transcript(
        &self,
        roster: &[PartyKeys],
        public: &PublicKey,
        verification: Option<Shoup3Public>,
        nonce: [u8; 32],
    ) -> [u8; 32] {
        self.transcript_with(roster, public, verification, Some(nonce))
    }

    fn transcript_with(
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
        key_code(
            &self.transcript_with(&self.roster_keys(), public, None, None),
            public,
        )
    }

    /// A KEYGEN-FINALIZE carrying `shares` (for `shoup3`, `view`'s alone or every
    /// joiner's), signed by the dealer.
    fn finalize(
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

    /// Deals a `subsets` key: returns the KEYGEN-FINALIZE, the dealer's own share and
    /// the key code. Consumes the dealer: a ceremony deals once.
    pub fn deal(self, key: &PrivateKey) -> Result<Dealt, KeygenError> {
        self.check_ready(key.public(), SCHEME_SUBSETS)?;
        let roster_keys = self.roster_keys();
        // Drawn now that every JOIN is in: nobody could aim the roster at it.
        let nonce = fresh_nonce();
        let transcript = self.transcript(&roster_keys, key.public(), None, nonce);
        let shares: Vec<KeyShare> = deal(key, self.scheme())?
            .into_iter()
            .map(KeyShare::from_subsets)
            .collect();
        let (own, sealed) = self.seal_to_joiners(&transcript, shares, |c, s| c.seal(s))?;
        let finalize = self.finalize(&roster_keys, key.public(), None, nonce, None, sealed);
        let share = own.with_auth(ShareAuth {
            identity: self.identity,
            roster: roster_keys,
            session: self.init.session,
            transcript,
            nonce: Some(nonce),
        })?;
        Ok(Dealt {
            finalize,
            views: Vec::new(),
            key_code: key_code(&transcript, share.public()),
            share,
            transcript,
        })
    }
}

fn roster(session: &SessionId, keys: &[PartyKeys]) -> Vec<RosterEntry> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| RosterEntry {
            party: i as u8 + 1,
            fingerprint: key_fingerprint(session, k),
        })
        .collect()
}

/// Where a joiner stands in a KEYGEN-FINALIZE.
enum Placement {
    Party(u8),
    OtherView { view: u8, me: u8 },
}

/// A joiner's state between KEYGEN-JOIN and KEYGEN-FINALIZE.
#[derive(Debug)]
pub struct Joiner {
    init: KeygenInit,
    init_bytes: Vec<u8>,
    key: CeremonyKey,
    identity: IdentityKey,
}

/// What a joiner ends with.
#[derive(Debug)]
pub struct Joined {
    pub share: KeyShare,
    pub roster: Vec<RosterEntry>,
    /// The key code every party must see.
    pub key_code: String,
    pub transcript: [u8; 32],
}

impl Joiner {
    /// Reads a KEYGEN-INIT; returns the joiner and its KEYGEN-JOIN to send.
    pub fn join(init_bytes: &[u8]) -> Result<(Self, Message), KeygenError> {
        let msg = expect_message(init_bytes, &[MessageType::KeygenInit], None)?;
        let Message::KeygenInit(init) = &msg else {
            unreachable!("expect_message checked the type")
        };
        init.dealer_identity
            .check()
            .map_err(|e| KeygenError::DealerKeys(e.to_string()))?;
        if !msg.is_signed_by(&init.dealer_identity) {
            return Err(KeygenError::BadInitSignature);
        }
        let key = CeremonyKey::generate();
        if !key.accepts_peer(&init.dealer_key) {
            return Err(KeygenError::DealerKeys(
                "its X25519 key is a weak (low-order) key".into(),
            ));
        }
        let identity = IdentityKey::generate();
        let mut join = Message::KeygenJoin(KeygenJoin {
            session: init.session,
            party_key: key.public(),
            identity: identity.public(),
            signature: [0; 64],
        });
        join.sign(&identity);
        let init = init.clone();
        Ok((
            Joiner {
                init,
                init_bytes: msg.encode(),
                key,
                identity,
            },
            join,
        ))
    }

    pub fn session(&self) -> SessionId {
        self.init.session
    }
    pub fn session_code(&self) -> String {
        session_code(&self.init_bytes)
    }
    pub fn parties(&self) -> u8 {
        self.init.parties
    }
    pub fn threshold(&self) -> u8 {
        self.init.threshold
    }
    pub fn imported_mrsigner(&self) -> Option<[u8; 32]> {
        self.init.imported_mrsigner
    }
    /// The scheme byte the dealer announced.
    pub fn scheme_byte(&self) -> u8 {
        self.init.scheme
    }
    fn dealer_keys(&self) -> PartyKeys {
        PartyKeys {
            x25519: self.init.dealer_key,
            identity: self.init.dealer_identity,
        }
    }
    fn own_keys(&self) -> PartyKeys {
        PartyKeys {
            x25519: self.key.public(),
            identity: self.identity.public(),
        }
    }
    pub fn dealer_fingerprint(&self) -> String {
        key_fingerprint(&self.init.session, &self.dealer_keys())
    }
    pub fn own_fingerprint(&self) -> String {
        key_fingerprint(&self.init.session, &self.own_keys())
    }

    /// Where this machine's keys are in a FINALIZE's roster: its party number, or
    /// (a `shoup3` view) that the view is another joiner's.
    fn place(&self, fin: &KeygenFinalize) -> Result<Placement, KeygenError> {
        let own = self.own_keys();
        let mine: Vec<usize> = fin
            .roster
            .iter()
            .enumerate()
            .filter(|(_, k)| k.x25519 == own.x25519 || k.identity == own.identity)
            .map(|(i, _)| i)
            .collect();
        let listed = match mine.as_slice() {
            [] => None,
            [i] if fin.roster[*i] == own => Some(fin.roster_party(*i)),
            _ => return Err(KeygenError::NotInRoster),
        };
        if fin.scheme != SCHEME_SHOUP3 {
            // The whole roster, the dealer first.
            if fin.roster.first() != Some(&self.dealer_keys()) {
                return Err(KeygenError::DealerChanged);
            }
            return match listed {
                Some(me) if me > 1 => Ok(Placement::Party(me)),
                _ => Err(KeygenError::NotInRoster),
            };
        }
        // The dealer's keys are not listed: they are the KEYGEN-INIT's.
        if fin.roster.contains(&self.dealer_keys()) {
            return Err(KeygenError::DealerChanged);
        }
        match (fin.view, listed) {
            // Every joiner's share: this machine must be listed.
            (None, Some(me)) => Ok(Placement::Party(me)),
            (None, None) => Err(KeygenError::NotInRoster),
            // A view leaves its own joiner out: listed means another's view.
            (Some(view), Some(me)) => Ok(Placement::OtherView { view, me }),
            (Some(view), None) => Ok(Placement::Party(view)),
        }
    }

    /// Opens this party's share from a KEYGEN-FINALIZE. On error the joiner keeps
    /// waiting: a forged, altered or foreign FINALIZE must not end the ceremony
    /// before the dealer's arrives.
    pub fn finish(&self, bytes: &[u8]) -> Result<Joined, KeygenError> {
        let msg = expect_message(
            bytes,
            &[MessageType::KeygenFinalize],
            Some(self.init.session),
        )?;
        let Message::KeygenFinalize(fin) = &msg else {
            unreachable!("expect_message checked the type")
        };
        if fin.scheme != self.init.scheme
            || fin.parties != self.init.parties
            || fin.threshold != self.init.threshold
        {
            // The scheme is named only when it is what changed.
            let name = |scheme: u8| {
                if fin.scheme == self.init.scheme {
                    String::new()
                } else {
                    format!(" {}", scheme_name(scheme))
                }
            };
            return Err(KeygenError::SchemeChanged {
                found: format!("{}-of-{}{}", fin.threshold, fin.parties, name(fin.scheme)),
                announced: format!(
                    "{}-of-{}{}",
                    self.init.threshold,
                    self.init.parties,
                    name(self.init.scheme)
                ),
            });
        }
        let own = self.own_keys();
        let placement = self.place(fin)?;
        if !msg.is_signed_by(&self.init.dealer_identity) {
            return Err(KeygenError::ForgedFinalize);
        }
        let me = match placement {
            Placement::Party(me) => me,
            Placement::OtherView { view, me } => {
                return Err(KeygenError::OtherPartysView { view, me })
            }
        };
        let full_roster = fin.full_roster(self.dealer_keys(), own);
        let public = PublicKey::from_modulus(BigUint::from_bytes_be(&fin.modulus))?;
        if let Some(announced) = self.init.imported_mrsigner {
            if announced != public.mrsigner() {
                return Err(KeygenError::ImportedKeyMismatch {
                    found: hex::encode(public.mrsigner()),
                    announced: hex::encode(announced),
                });
            }
        }
        let scheme = Scheme::new(fin.parties, fin.threshold)?;
        let transcript = Transcript {
            scheme: fin.scheme,
            parties: fin.parties,
            threshold: fin.threshold,
            session: self.init.session,
            roster: full_roster.clone(),
            modulus: fin.modulus,
            verification: fin.verification.clone(),
            nonce: Some(fin.nonce),
        }
        .hash();
        let sealed = fin
            .shares
            .iter()
            .find(|s| s.party == me)
            .ok_or(KeygenError::NotInRoster)?;
        let channel = Channel {
            own: &self.key,
            peer: &self.init.dealer_key,
            session: &self.init.session,
            transcript: &transcript,
        };
        let share = match &fin.verification {
            Some(data) => {
                // shoup3: the dealing checks run before the key code is shown.
                let keys =
                    verification_keys(&public, scheme, data).map_err(KeygenError::Verification)?;
                let secret = channel
                    .open_shoup3(sealed)
                    .map_err(|e| match (e, fin.view) {
                        // A view names its joiner only by leaving its keys out.
                        (SealError::Open(party), Some(_)) => KeygenError::ViewNotOpened(party),
                        (e, _) => e.into(),
                    })?;
                let checked = shoup3::Share::accept(secret, keys).map_err(KeygenError::Dealing)?;
                KeyShare::from_shoup3(checked)?
            }
            None => channel.open(sealed, scheme, &public)?,
        };
        let share = share.with_auth(ShareAuth {
            identity: self.identity.try_clone(),
            roster: full_roster.clone(),
            session: self.init.session,
            transcript,
            nonce: Some(fin.nonce),
        })?;
        Ok(Joined {
            key_code: key_code(&transcript, &public),
            roster: roster(&self.init.session, &full_roster),
            share,
            transcript,
        })
    }
}
