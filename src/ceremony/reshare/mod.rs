//! Giving shares to one holder, and rebuilding the key there: what `recover` and
//! `reshare` share. The receiver (a holder, in the roster) opens a session
//! with GIVE-INIT and a fresh X25519 key; each giver checks it and answers with a GIVE,
//! its share sealed to that key under a transcript naming the roster, MRSIGNER, the
//! purpose and the session (`seal::Channel`, as keygen seals). Once t shares are in,
//! the receiver rebuilds the whole key in wiped memory ([`SchemeShare::rebuild`]).
//!
//! `giver` (the review of a GIVE-INIT and the GIVE), `receiver` (GIVE-INIT, the GIVEs
//! checked one by one, the rebuilt key), and here the error every step shares with its
//! [`Verdict`]. Dealing the rebuilt key to a new roster (the rest of `reshare`) is
//! keygen's dealer, driven by the CLI.
//!
//! [`SchemeShare::rebuild`]: crate::threshold::SchemeShare::rebuild

mod giver;
mod receiver;

pub use giver::{GiveRequest, Given};
pub use receiver::Receiver;

use super::keygen::seal::SealError;
use super::verdict::Verdict;
use super::MessageError;
use crate::threshold::RebuildError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReshareError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("this share has no roster of identity keys (a reference-format share): giving needs a share made by mpcegosign keygen, so that every message can be authenticated")]
    NoRoster,
    #[error("that {kind} names party {party}, who is not in this key's roster; ignored")]
    OutsideRoster { kind: &'static str, party: u8 },
    #[error("that {kind} is not signed by party {party}'s identity key: it was altered or forged; ignored")]
    BadSignature { kind: &'static str, party: u8 },
    #[error("that GIVE-INIT is your own (party {0}): a holder does not give to itself; ignored")]
    OwnInit(u8),
    #[error("that GIVE is from yourself (party {0}); ignored")]
    OwnGive(u8),
    #[error("party {0} has already given its share; ignored")]
    Duplicate(u8),
    #[error(
        "that GIVE-INIT is for another key (MRSIGNER {found}); your share is of {own}; ignored"
    )]
    OtherKey { found: String, own: String },
    #[error("that GIVE-INIT names another keygen's roster than your share's; ignored")]
    OtherRoster,
    #[error("that GIVE-INIT's X25519 key is a weak (low-order) key; ignored")]
    WeakKey,
    #[error("party {party}'s GIVE does not open or holds a wrong share ({why}): stop; nothing was written. Party {party} must check its share file (a sealed share proves nothing to others)")]
    WrongShare { party: u8, why: String },
    #[error("{0}; nothing was written")]
    Rebuild(RebuildError),
    #[error("cannot seal the share: {0}")]
    Seal(SealError),
}

impl ReshareError {
    /// What this rejection does to the giving (see [`Verdict`]). Anything not
    /// provably from a roster party of this session is ignored; a GIVE signed by a
    /// holder whose share is wrong stops the receiver, naming the party.
    pub fn verdict(&self) -> Verdict {
        use ReshareError as E;
        match self {
            E::Message(_)
            | E::OutsideRoster { .. }
            | E::BadSignature { .. }
            | E::OwnInit(_)
            | E::OwnGive(_)
            | E::Duplicate(_)
            | E::OtherKey { .. }
            | E::OtherRoster
            | E::WeakKey => Verdict::Ignore,
            E::NoRoster | E::WrongShare { .. } | E::Rebuild(_) | E::Seal(_) => Verdict::End,
        }
    }
}

#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod tests;
