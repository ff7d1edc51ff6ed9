//! The joiner's side of keygen: answers the KEYGEN-INIT with its KEYGEN-JOIN, then
//! opens its share from the dealer's KEYGEN-FINALIZE (or its own view of it),
//! checks it against the transcript (and, for `shoup3`, the dealing checks), and
//! shows the key code.

use num_bigint::BigUint;

use super::seal::{CeremonyKey, Channel, SealError};
use super::transcript::{key_code, Transcript};
use super::{roster, KeygenError, RosterEntry};
use crate::ceremony::expect_message;
use crate::ceremony::fingerprint::{key_fingerprint, session_code};
use crate::identity::IdentityKey;
use crate::key::PublicKey;
use crate::protocol::scheme_name;
use crate::protocol::{
    KeygenFinalize, KeygenInit, KeygenJoin, Message, MessageType, PartyKeys, SessionId,
    SCHEME_SHOUP3,
};
use crate::share::{verification_keys, KeyShare, ShareAuth};
use crate::threshold::shoup3::{self};
use crate::threshold::Scheme;

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
    /// A reshare's keygen: the transcript hash of the keygen whose roster held the
    /// key until now, as the dealer's signed KEYGEN-INIT names it.
    pub fn reshare_of(&self) -> Option<[u8; 32]> {
        self.init.reshare_of
    }
    /// The KEYGEN-INIT as received (signed by the dealer), for the audit record.
    pub fn init_bytes(&self) -> &[u8] {
        &self.init_bytes
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
