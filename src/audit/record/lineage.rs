//! The record types that follow a key from one set of shares to the next (checked
//! by `audit::reshare` and `audit::refresh`):
//! - [`ReshareOrigin`], the `reshare` member of a keygen record: this keygen dealt
//!   an existing key, held until then by another roster, as the dealer's signed
//!   KEYGEN-INIT (wire type 22) says;
//! - [`ReshareEvent`], the `reshare` record its dealer writes in the old roster's
//!   log: the old roster linked to the new keygen, signed with the dealer's old
//!   identity key;
//! - [`RefreshEvent`], the `refresh` record: the same roster's shares replaced,
//!   generation g to g + 1.

use serde::{Deserialize, Serialize};

use super::{KeygenEvent, Recorded};

/// In the keygen record of a reshare's keygen (every party's): where the key came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReshareOrigin {
    /// The keygen transcript hash (hex) of the roster that held the key until then.
    pub from: String,
    /// The dealer's signed KEYGEN-INIT (wire type 22) that names it, in text form.
    pub init: String,
}

/// A reshare's dealer, in its old roster's log, once its new share is saved: the
/// key of this roster was dealt to the new keygen `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReshareEvent {
    /// The giving session (hex) in which the dealer gathered the old shares (its
    /// `recover` record of purpose `reshare` holds the GIVE-INIT and the GIVEs).
    pub give_session: String,
    /// The old roster's keygen transcript hash (hex).
    pub from: String,
    /// The new keygen, as the dealer's own keygen record of it holds it (with its
    /// `reshare` member).
    pub to: KeygenEvent,
    /// The dealer's signature (hex) with its identity key of the old roster over the
    /// link (`audit::reshare::link_bytes`): MRSIGNER, the old and new transcripts
    /// and the giving session.
    pub link: String,
}

/// A share generation, as a record spells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerationHex {
    /// 0 for what keygen dealt, then one more per refresh.
    pub number: u32,
    /// Generation 0: the keygen transcript hash; g ≥ 1: that refresh's transcript
    /// hash (hex).
    pub id: String,
}

/// A refresh this party took part in: its roster's shares of generation `from`
/// replaced by those of generation `to` (same key, same roster).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshEvent {
    /// The refresh session (hex).
    pub session: String,
    /// The keygen transcript hash (hex) of the roster (unchanged by a refresh).
    pub roster: String,
    pub from: GenerationHex,
    pub to: GenerationHex,
    /// The new key code every party confirmed.
    pub key_code: String,
    /// The signed REFRESH messages this party sent and accepted, as sent and received.
    pub messages: Vec<Recorded>,
}
