//! The keygen ceremony. Party 1 is the dealer: it opens the ceremony (KEYGEN-INIT),
//! numbers joiners in the order their KEYGEN-JOIN arrives, and, once every
//! fingerprint has been compared out of band, deals the key (KEYGEN-FINALIZE).

use num_bigint::BigUint;

use super::fingerprint::{key_fingerprint, session_code};
use super::seal::{self, CeremonyKey, SealError};
use super::{expect_message, MessageError};
use crate::key::{PrivateKey, PublicKey};
use crate::protocol::{KeygenFinalize, KeygenInit, KeygenJoin, Message, MessageType, SessionId};
use crate::share::KeyShare;
use crate::threshold::{deal, Scheme, ThresholdError};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeygenError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("this key already joined as party {0}; each party joins once")]
    DuplicateJoin(u8),
    #[error("that KEYGEN-JOIN carries the dealer's own key; ignored")]
    DealerKeyJoin,
    #[error("all {0} parties have already joined; this join is refused (if it is genuine, restart the ceremony)")]
    Full(u8),
    #[error("only {joined} of {parties} parties have joined")]
    Incomplete { joined: u8, parties: u8 },
    #[error("the key to deal has MRSIGNER {found}, but KEYGEN-INIT announced {announced}")]
    ImportedKeyMismatch { found: String, announced: String },
    #[error("the KEYGEN-FINALIZE does not list this machine's key: it is for other parties")]
    NotInRoster,
    #[error("the KEYGEN-FINALIZE names a different dealer key than KEYGEN-INIT: refusing it")]
    DealerChanged,
    #[error("the KEYGEN-FINALIZE has {found}, but KEYGEN-INIT announced {announced}")]
    SchemeChanged { found: String, announced: String },
    #[error("the KEYGEN-FINALIZE's key is unusable: {0}")]
    Key(#[from] crate::key::KeyError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
}

/// One line of the roster: a party and its key fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    pub party: u8,
    pub fingerprint: String,
}

/// The dealer's state between KEYGEN-INIT and KEYGEN-FINALIZE.
#[derive(Debug)]
pub struct Dealer {
    init: KeygenInit,
    init_bytes: Vec<u8>,
    key: CeremonyKey,
    joiners: Vec<[u8; 32]>,
}

impl Dealer {
    /// Opens a ceremony; returns the KEYGEN-INIT to send. `imported` is the public key
    /// of an existing key that will be dealt, announced so joiners can check it.
    pub fn start(scheme: Scheme, imported: Option<&PublicKey>) -> (Self, Message) {
        let key = CeremonyKey::generate();
        let init = KeygenInit {
            session: SessionId::random(),
            parties: scheme.parties(),
            threshold: scheme.threshold(),
            dealer_key: key.public(),
            imported_mrsigner: imported.map(PublicKey::mrsigner),
        };
        let msg = Message::KeygenInit(init.clone());
        let init_bytes = msg.encode();
        (
            Dealer {
                init,
                init_bytes,
                key,
                joiners: Vec::new(),
            },
            msg,
        )
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

    /// Accepts a KEYGEN-JOIN from the received bytes; returns the new party's entry.
    pub fn accept_join(&mut self, bytes: &[u8]) -> Result<RosterEntry, KeygenError> {
        let msg = expect_message(bytes, &[MessageType::KeygenJoin], Some(self.init.session))?;
        let Message::KeygenJoin(KeygenJoin { party_key, .. }) = msg else {
            unreachable!("expect_message checked the type")
        };
        if party_key == self.key.public() {
            return Err(KeygenError::DealerKeyJoin);
        }
        if let Some(i) = self.joiners.iter().position(|k| *k == party_key) {
            return Err(KeygenError::DuplicateJoin(i as u8 + 2));
        }
        if self.is_complete() {
            return Err(KeygenError::Full(self.init.parties));
        }
        self.joiners.push(party_key);
        let party = self.joiners.len() as u8 + 1;
        Ok(RosterEntry {
            party,
            fingerprint: key_fingerprint(&self.init.session, &party_key),
        })
    }

    pub fn is_complete(&self) -> bool {
        self.joiners.len() + 1 == usize::from(self.init.parties)
    }

    /// Every participant with its fingerprint, dealer first.
    pub fn roster(&self) -> Vec<RosterEntry> {
        roster(
            &self.init.session,
            std::iter::once(&self.key.public()).chain(&self.joiners),
        )
    }

    /// Deals `key`: returns the KEYGEN-FINALIZE and the dealer's own share.
    /// Consumes the dealer: a ceremony deals once.
    pub fn deal(self, key: &PrivateKey) -> Result<(Message, KeyShare), KeygenError> {
        if !self.is_complete() {
            return Err(KeygenError::Incomplete {
                joined: self.joiners.len() as u8 + 1,
                parties: self.init.parties,
            });
        }
        if let Some(announced) = self.init.imported_mrsigner {
            if announced != key.public().mrsigner() {
                return Err(KeygenError::ImportedKeyMismatch {
                    found: hex::encode(key.public().mrsigner()),
                    announced: hex::encode(announced),
                });
            }
        }
        let mut shares = deal(key, self.scheme())?.into_iter();
        let own = shares
            .next()
            .ok_or(ThresholdError::Deal("no shares".into()))?;
        let mut sealed = Vec::with_capacity(self.joiners.len());
        for (share, party_key) in shares.zip(&self.joiners) {
            sealed.push(seal::seal(
                &self.key,
                party_key,
                &self.init.session,
                &share,
            )?);
        }
        let mut party_keys = vec![self.key.public()];
        party_keys.extend_from_slice(&self.joiners);
        let msg = Message::KeygenFinalize(KeygenFinalize {
            session: self.init.session,
            parties: self.init.parties,
            threshold: self.init.threshold,
            modulus: key.public().modulus_be(),
            party_keys,
            shares: sealed,
        });
        Ok((msg, own))
    }
}

fn roster<'a>(session: &SessionId, keys: impl Iterator<Item = &'a [u8; 32]>) -> Vec<RosterEntry> {
    keys.enumerate()
        .map(|(i, k)| RosterEntry {
            party: i as u8 + 1,
            fingerprint: key_fingerprint(session, k),
        })
        .collect()
}

/// A joiner's state between KEYGEN-JOIN and KEYGEN-FINALIZE.
#[derive(Debug)]
pub struct Joiner {
    init: KeygenInit,
    init_bytes: Vec<u8>,
    key: CeremonyKey,
}

/// What a joiner ends with.
#[derive(Debug)]
pub struct Joined {
    pub share: KeyShare,
    pub roster: Vec<RosterEntry>,
}

impl Joiner {
    /// Reads a KEYGEN-INIT; returns the joiner and its KEYGEN-JOIN to send.
    pub fn join(init_bytes: &[u8]) -> Result<(Self, Message), KeygenError> {
        let msg = expect_message(init_bytes, &[MessageType::KeygenInit], None)?;
        let Message::KeygenInit(init) = msg else {
            unreachable!("expect_message checked the type")
        };
        let key = CeremonyKey::generate();
        let join = Message::KeygenJoin(KeygenJoin {
            session: init.session,
            party_key: key.public(),
        });
        let init_bytes = Message::KeygenInit(init.clone()).encode();
        Ok((
            Joiner {
                init,
                init_bytes,
                key,
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
    pub fn dealer_fingerprint(&self) -> String {
        key_fingerprint(&self.init.session, &self.init.dealer_key)
    }
    pub fn own_fingerprint(&self) -> String {
        key_fingerprint(&self.init.session, &self.key.public())
    }

    /// Opens this party's share from a KEYGEN-FINALIZE. On error the joiner keeps
    /// waiting (e.g. for the FINALIZE of the right session).
    pub fn finish(&self, bytes: &[u8]) -> Result<Joined, KeygenError> {
        let msg = expect_message(
            bytes,
            &[MessageType::KeygenFinalize],
            Some(self.init.session),
        )?;
        let Message::KeygenFinalize(fin) = msg else {
            unreachable!("expect_message checked the type")
        };
        if fin.parties != self.init.parties || fin.threshold != self.init.threshold {
            return Err(KeygenError::SchemeChanged {
                found: format!("{}-of-{}", fin.threshold, fin.parties),
                announced: format!("{}-of-{}", self.init.threshold, self.init.parties),
            });
        }
        if fin.party_keys.first() != Some(&self.init.dealer_key) {
            return Err(KeygenError::DealerChanged);
        }
        let me = fin
            .party_keys
            .iter()
            .position(|k| *k == self.key.public())
            .ok_or(KeygenError::NotInRoster)?;
        if me == 0
            || fin
                .party_keys
                .iter()
                .filter(|k| **k == self.key.public())
                .count()
                != 1
        {
            return Err(KeygenError::NotInRoster);
        }
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
        let sealed = fin
            .shares
            .iter()
            .find(|s| usize::from(s.party) == me + 1)
            .ok_or(KeygenError::NotInRoster)?;
        let share = seal::open(
            &self.key,
            &self.init.dealer_key,
            &self.init.session,
            sealed,
            scheme,
            &public,
        )?;
        Ok(Joined {
            share,
            roster: roster(&self.init.session, fin.party_keys.iter()),
        })
    }
}
