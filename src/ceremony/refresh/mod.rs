//! The refresh ceremony: every holder of a key (same roster, same t, same key) draws
//! a contribution, and each ends with a new share of the same key, the old ones
//! useless together with the new. Nobody ever holds the key.
//!
//! Rounds, each message signed with the sender's identity key from the share's
//! roster: the coordinator's REFRESH-INIT (session, scheme, MRSIGNER, the keygen's
//! transcript, the generation refreshed); every party's REFRESH-JOIN with a fresh
//! X25519 key (the coordinator's too); every party's REFRESH-DEAL (the scheme's
//! public part, one part sealed to each other party's JOIN key, or one recipient's
//! view); every party's REFRESH-CONFIRM with the hash of its new key code. A party
//! returns its new share only once all n CONFIRMs carry its own code.
//!
//! Files: `transcript` (the setup hash, each part's channel, the refresh transcript
//! and the key code), `invitation` (the coordinator's INIT and a party's review of
//! it; each party draws its contribution when it starts or joins, so that a share
//! that cannot refresh is refused before anyone waits for it), `party` (the state
//! machine every party runs, the coordinator included),
//! `deal` (a DEAL checked and opened), `run` (a whole refresh in memory: tests and
//! the sizes bench), and here the error every step shares with its [`Verdict`].

mod deal;
mod invitation;
mod party;
pub mod run;
pub mod transcript;

pub use invitation::{start, Invitation};
pub use party::{Outgoing, Party, Phase, Progress};

use super::keygen::seal::SealError;
use super::verdict::Verdict;
use super::MessageError;
use crate::protocol::{Abort, Message, MessageType, SessionId, MAX_REASON};
use crate::share::KeyShare;
use crate::threshold::RefreshError;

/// The generation a share is of: its number (0 for what keygen dealt) and its id
/// (the keygen transcript for 0, else the last refresh's transcript).
pub type GenerationRef = (u32, [u8; 32]);

/// What a finished refresh returns beside the new share: what the caller writes
/// into the next generation and shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshOutcome {
    pub session: SessionId,
    /// The refresh transcript (the new generation's id).
    pub transcript: [u8; 32],
    /// The new key code every party confirmed, as `XXXX-XXXX-XXXX-XXXX`.
    pub key_code: String,
    /// The new generation's number (the old one + 1).
    pub generation: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RefreshCeremonyError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("this share has no roster of identity keys (a reference-format share): refresh needs a share made by mpcegosign keygen, so that every message can be authenticated")]
    NoRoster,
    #[error("that {kind} names party {party}, who is not in this key's roster; ignored")]
    OutsideRoster { kind: MessageType, party: u8 },
    #[error("that {kind} is not signed by party {party}'s identity key: it was altered or forged; ignored")]
    BadSignature { kind: MessageType, party: u8 },
    #[error("that {kind} is your own; ignored")]
    OwnMessage { kind: MessageType },
    #[error("party {party}'s {kind} is already in; ignored")]
    Duplicate { kind: MessageType, party: u8 },
    #[error(
        "that REFRESH-INIT is for another key (MRSIGNER {found}); your share is of {own}; ignored"
    )]
    OtherKey { found: String, own: String },
    #[error("that REFRESH-INIT names another keygen's roster than your share's; ignored")]
    OtherRoster,
    #[error("that REFRESH-INIT is for a {found} key; your share is of a {own} key; ignored")]
    OtherScheme { found: String, own: String },
    #[error("that REFRESH-INIT refreshes generation {found} ({found_id}), but your share is of generation {own} ({own_id}): use your share of generation {found} if you have it; if yours is newer, the coordinator must refresh the newest generation")]
    OtherGeneration {
        found: u32,
        found_id: String,
        own: u32,
        own_id: String,
    },
    #[error("that REFRESH-INIT names you (party {0}) as its coordinator, but this machine did not start it; ignored")]
    OwnInit(u8),
    #[error("party {party}'s REFRESH-JOIN answers another REFRESH-INIT than yours; ignored")]
    OtherInit { party: u8 },
    #[error("party {party}'s REFRESH-DEAL was made for other REFRESH-JOINs than yours (a JOIN differs between your machines); ignored. If it stays so, compare the JOINs and start again")]
    OtherSetup { party: u8 },
    #[error("that REFRESH-DEAL is party {view}'s view; ignored: show the one for party {me}")]
    OtherView { view: u8, me: u8 },
    #[error("party {party}'s REFRESH-JOIN carries a weak (low-order) X25519 key, with which nothing can be sealed: stop; nothing was saved. Party {party} must check its machine; start again")]
    WeakJoinKey { party: u8 },
    #[error("party {party}'s public commitments are refused ({why}): stop the refresh; nothing was saved. Anyone can check this claim from party {party}'s signed REFRESH-DEAL")]
    BadPublic { party: u8, why: String },
    #[error("party {party}'s part for you does not match its commitments ({why}): it cheated or its machine is faulty; sealed parts are no transferable proof, so others cannot check this claim. Stop the refresh; nothing was saved")]
    BadPart { party: u8, why: String },
    #[error("party {party} confirmed another new key code than yours: its view of the contributions differs (a party sent different commitments to different parties, or a machine is faulty). Stop the refresh; nothing was saved")]
    KeyCodeMismatch { party: u8 },
    #[error("party {party} stopped the refresh: {reason}. Nothing was saved")]
    Aborted { party: u8, reason: String },
    #[error("this share cannot take part in a refresh: {0}")]
    Threshold(RefreshError),
    #[error("the refreshed share is not of the same key; nothing was saved")]
    OtherPublicKey,
    #[error("this party's REFRESH-DEAL would have {size} bytes, more than the {max} MiB a message may have: a key of this scheme and size cannot be refreshed; reshare it instead", max = crate::protocol::MAX_MESSAGE_LEN >> 20)]
    TooLarge { size: usize },
    #[error("cannot seal a part: {0}")]
    Seal(SealError),
    #[error("the refresh is not finished: {0}")]
    NotDone(String),
}

impl RefreshCeremonyError {
    /// What this rejection does to a refresh (see [`Verdict`]). Anything not provably
    /// from a roster party of this session and setup is ignored; a contribution from
    /// a party that fails a check, an ABORT from a party, or differing key codes stop
    /// the refresh for this party (which sends an ABORT: [`Party::abort`]).
    pub fn verdict(&self) -> Verdict {
        use RefreshCeremonyError as E;
        match self {
            E::Message(_)
            | E::OutsideRoster { .. }
            | E::BadSignature { .. }
            | E::OwnMessage { .. }
            | E::Duplicate { .. }
            | E::OtherKey { .. }
            | E::OtherRoster
            | E::OtherScheme { .. }
            | E::OwnInit(_)
            | E::OtherInit { .. }
            | E::OtherSetup { .. }
            | E::OtherView { .. } => Verdict::Ignore,
            // An authenticated coordinator's INIT this share does not take part in.
            E::OtherGeneration { .. } => Verdict::Refuse,
            E::NoRoster
            | E::WeakJoinKey { .. }
            | E::BadPublic { .. }
            | E::BadPart { .. }
            | E::KeyCodeMismatch { .. }
            | E::Aborted { .. }
            | E::Threshold(_)
            | E::OtherPublicKey
            | E::TooLarge { .. }
            | E::Seal(_)
            | E::NotDone(_) => Verdict::End,
        }
    }

    /// The party this error blames, if it blames one.
    pub fn blames(&self) -> Option<u8> {
        use RefreshCeremonyError as E;
        match self {
            E::WeakJoinKey { party }
            | E::BadPublic { party, .. }
            | E::BadPart { party, .. }
            | E::KeyCodeMismatch { party }
            | E::Aborted { party, .. } => Some(*party),
            _ => None,
        }
    }
}

/// The signed ABORT a party sends when it stops refresh `session` (or declines its
/// INIT: [`Verdict::Refuse`]) because of `error`: the error's line as the reason,
/// signed with the share's identity key (unsigned only for a share without one).
pub fn abort_message(
    share: &KeyShare,
    session: SessionId,
    error: &RefreshCeremonyError,
) -> Message {
    let mut reason = error.to_string();
    if reason.len() > MAX_REASON {
        let mut end = MAX_REASON;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
    }
    let mut abort = Message::Abort(Abort {
        session,
        party: share.party(),
        reason,
        signature: None,
    });
    if let Some(auth) = share.auth() {
        abort.sign(&auth.identity);
    }
    abort
}

/// The sender a scheme's refresh error blames, if it names one.
pub(crate) fn blamed_sender(e: &RefreshError) -> Option<u8> {
    use RefreshError as R;
    match e {
        R::UnknownSender { sender, .. }
        | R::DuplicateSender { sender }
        | R::MalformedPublic { sender, .. }
        | R::OtherBound { sender, .. }
        | R::MalformedPart { sender, .. }
        | R::BadPart { sender }
        | R::NotZeroSum { sender, .. } => Some(*sender),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
