//! Ceremony messages: typed, versioned structs with one binary encoding.
//!
//! Every message starts with a header: format version (2), message type, and the
//! 16-byte session id of its ceremony. The body layout is fixed per type; a decoder
//! rejects unknown versions and types and any byte it does not understand (so an
//! unknown field is an error, never silently skipped). `docs/protocol.md` documents
//! the layout. One file per message family, each with its frozen vectors beside it
//! (`*_tests.rs`): `envelope` (the [`Message`] header, signatures, dispatch, and
//! ABORT), `keygen` (KEYGEN-INIT, -JOIN, -FINALIZE), `sign` (SIGN-INIT, SIGN-PARTIAL),
//! `batch` (SIGN-INIT-BATCH, SIGN-PARTIAL-BATCH: several enclaves in one ceremony);
//! `lifecycle` (GIVE-INIT, GIVE: shares given to one holder, for `recover`);
//! `refresh` (REFRESH-INIT, -JOIN, -DEAL, -CONFIRM: new shares of the same key);
//! `fields` holds what several families share and `codec` the byte reader and writer.
//! `text` gives the one-line form that is pasted into a group chat, and `parts` the
//! numbered parts (at most 1,000 characters each) that a longer message is written as.

mod batch;
mod codec;
mod envelope;
mod fields;
mod keygen;
mod lifecycle;
pub mod parts;
mod refresh;
mod sign;
pub mod text;

pub use batch::{
    BatchBody, BatchEnclave, SignInitBatch, SignPartialBatch, SubsetsPartials, MAX_BATCH_ENCLAVES,
    MAX_ENCLAVE_NAME,
};
pub use envelope::{Abort, Message, MAX_REASON};
pub use fields::{scheme_name, Sig, SCHEME_SHOUP3, SCHEME_SUBSETS};
pub use keygen::{
    shoup3_seed, FeldmanPublic, KeygenFinalize, KeygenInit, KeygenJoin, PartyKeys, SealedShare,
    Shoup3Public, SHOUP3_SEALED_BYTES,
};
pub use lifecycle::{Give, GiveInit, Purpose, MAX_SEALED_LEN};
pub use refresh::{
    RefreshConfirm, RefreshDeal, RefreshInit, RefreshJoin, MAX_REFRESH_PART_LEN,
    MAX_REFRESH_PUBLIC_LEN,
};
pub use sign::{PartialBody, SignInit, SignPartial};

/// The only format version this tool writes and reads. Version 2 added identity keys,
/// the signed roster and message signatures.
pub const VERSION: u8 = 2;

/// The longest message this tool accepts, in bytes (binary form): a KEYGEN-FINALIZE
/// of the largest `subsets` key that keygen deals, with room to spare. Anything longer
/// is refused before it is decoded; the text transport bounds its lines by
/// [`text::MAX_LINE_LEN`], derived from it.
pub const MAX_MESSAGE_LEN: usize = 8 << 20;
/// Length of a session id.
pub const SESSION_LEN: usize = 16;

/// A ceremony's random identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId(pub [u8; SESSION_LEN]);

impl SessionId {
    pub fn random() -> Self {
        let mut b = [0u8; SESSION_LEN];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut b);
        SessionId(b)
    }
    /// Short form for humans: the first 4 bytes in hex.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..4])
    }
}

/// Message types (the second header byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum MessageType {
    KeygenInit = 1,
    KeygenJoin = 2,
    KeygenFinalize = 3,
    SignInit = 4,
    SignPartial = 5,
    Abort = 6,
    SignInitBatch = 11,
    SignPartialBatch = 12,
    GiveInit = 16,
    Give = 17,
    RefreshInit = 18,
    RefreshJoin = 19,
    RefreshDeal = 20,
    RefreshConfirm = 21,
}

impl MessageType {
    pub fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            1 => Self::KeygenInit,
            2 => Self::KeygenJoin,
            3 => Self::KeygenFinalize,
            4 => Self::SignInit,
            5 => Self::SignPartial,
            6 => Self::Abort,
            11 => Self::SignInitBatch,
            12 => Self::SignPartialBatch,
            16 => Self::GiveInit,
            17 => Self::Give,
            18 => Self::RefreshInit,
            19 => Self::RefreshJoin,
            20 => Self::RefreshDeal,
            21 => Self::RefreshConfirm,
            _ => return None,
        })
    }
    /// The name humans see, e.g. "KEYGEN-INIT".
    pub fn name(self) -> &'static str {
        match self {
            Self::KeygenInit => "KEYGEN-INIT",
            Self::KeygenJoin => "KEYGEN-JOIN",
            Self::KeygenFinalize => "KEYGEN-FINALIZE",
            Self::SignInit => "SIGN-INIT",
            Self::SignPartial => "SIGN-PARTIAL",
            Self::Abort => "ABORT",
            Self::GiveInit => "GIVE-INIT",
            Self::Give => "GIVE",
            Self::SignInitBatch => "SIGN-INIT-BATCH",
            Self::SignPartialBatch => "SIGN-PARTIAL-BATCH",
            Self::RefreshInit => "REFRESH-INIT",
            Self::RefreshJoin => "REFRESH-JOIN",
            Self::RefreshDeal => "REFRESH-DEAL",
            Self::RefreshConfirm => "REFRESH-CONFIRM",
        }
    }
}

impl std::fmt::Display for MessageType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProtocolError {
    #[error(
        "this is not an mpcegosign message (it should start with `{}`)",
        text::PREFIX
    )]
    NotAMessage,
    #[error("message format version {0} is not supported by this tool (it speaks version {VERSION}); use the same mpcegosign version on every machine")]
    Version(u8),
    #[error(
        "the message contains characters that cannot be part of it; copy the whole line again"
    )]
    Encoding,
    #[error("the message is truncated or altered (checksum mismatch); copy the whole line again")]
    Checksum,
    #[error("the message ends too early: it is truncated")]
    Truncated,
    #[error("the message is longer than any mpcegosign message ({} MiB at most); it is not one", MAX_MESSAGE_LEN >> 20)]
    TooLong,
    #[error("the {kind} message is for threshold scheme {scheme}, which this version does not know; use the same mpcegosign version on every machine")]
    Scheme { kind: MessageType, scheme: u8 },
    #[error("that KEYGEN-FINALIZE comes from an older mpcegosign (it has no dealer nonce, which the key code now depends on); use the same mpcegosign version on every machine")]
    FinalizeWithoutNonce,
    #[error("unknown message type {0}")]
    UnknownType(u8),
    #[error("the {0} message has extra bytes this version does not understand")]
    TrailingBytes(MessageType),
    #[error("the {kind} message has an invalid field: {field}")]
    Field {
        kind: MessageType,
        field: &'static str,
    },
}

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod envelope_tests;
#[cfg(test)]
mod keygen_tests;
#[cfg(test)]
mod lifecycle_tests;
#[cfg(test)]
mod refresh_tests;
#[cfg(test)]
mod sign_tests;
