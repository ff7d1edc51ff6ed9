//! What a rejected message may do to a ceremony: the one classification that every
//! receive loop (dealer, joiner, signer, initiator) applies, so that nothing
//! unauthenticated can end or stop a ceremony.
//!
//! The rule: only a message authenticated as the current session's initiator or
//! party (its identity signature checks against the roster) may change what a party
//! does. Everything else (unreadable, unsigned or wrongly signed, naming a party
//! outside the roster, of another session or scheme, a replay) is reported in one
//! line and changes nothing: the party keeps waiting for the genuine message.

/// What a party does with a message it did not take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Not provably from this session's initiator or one of its parties: one line,
    /// no state changed, no answer sent; keep waiting.
    Ignore,
    /// Provably from this session's initiator or a party (or accepted as such: a
    /// signer without a roster, or with `--accept-unsigned-init`), but refused. A
    /// signer declines that session with an ABORT and keeps waiting for the next
    /// SIGN-INIT; an initiator names the party and goes on with the others; a
    /// joiner keeps waiting for a FINALIZE that opens.
    Refuse,
    /// The ceremony cannot complete any more (too few valid partials, a local
    /// failure). Only state built from authenticated messages reaches it.
    End,
}

impl Verdict {
    /// Whether the rejected message came from an authenticated peer of this session
    /// (only such a message may decline a session or end a ceremony).
    pub fn is_from_authenticated_peer(self) -> bool {
        self != Verdict::Ignore
    }

    /// Whether the party keeps waiting for more messages.
    pub fn keeps_waiting(self) -> bool {
        self != Verdict::End
    }
}

use super::keygen::KeygenError;
use super::sign::SignError;
use super::MessageError;

impl MessageError {
    /// Unreadable, of another session, or of a type this step does not take:
    /// nothing proves who sent it.
    pub fn verdict(&self) -> Verdict {
        Verdict::Ignore
    }
}

impl SignError {
    /// What this rejection does to a signing (see [`Verdict`]).
    pub fn verdict(&self) -> Verdict {
        use SignError as E;
        match self {
            // Not provably from the party it names, in this session.
            E::Message(_)
            | E::BadSignature { .. }
            | E::Unsigned { .. }
            | E::OutsideRoster { .. }
            | E::Unproven { .. }
            | E::AlreadyAnswered { .. }
            | E::TooManyCandidates(_)
            | E::UnexpectedParty(_)
            | E::Duplicate(_) => Verdict::Ignore,
            // Reached only for a request from its initiator (authenticated, or
            // accepted as such): the signer declines that session.
            E::SchemeMismatch { .. }
            | E::ForeignKey { .. }
            | E::GenerationMismatch { .. }
            | E::MrenclaveMismatch { .. }
            | E::Regions(_)
            | E::NotASigner(_)
            | E::DebugRefused
            | E::UnexpectedMrenclave { .. }
            | E::ExpectedNotInBatch { .. } => Verdict::Refuse,
            // One enclave of a batch: what its error does to the whole batch.
            E::InBatch { error, .. } => error.verdict(),
            // A partial from the party it names (an initiator without a roster wraps
            // these in `Unproven`): named, and the others may still complete.
            E::WrongSubsets { .. }
            | E::OutOfRange(_)
            | E::WrongScheme(_)
            | E::BadPartial { .. } => Verdict::Refuse,
            // Conclusions from authenticated messages, and local failures.
            E::TooFewSigners { .. }
            | E::InitiatorNotSigner
            | E::BatchSize { .. }
            | E::BatchNeedsRoster
            | E::RetiredShare { .. }
            | E::NotEnoughPartials { .. }
            | E::NoValidSubset { .. }
            | E::Shoup3(_)
            | E::Threshold(_) => Verdict::End,
        }
    }
}

impl KeygenError {
    /// What this rejection does to a keygen (see [`Verdict`]). Nothing a dealer or
    /// joiner receives ends its keygen: a JOIN is anyone's until the fingerprints are
    /// compared, and a FINALIZE that fails any check may be followed by the genuine
    /// one. Only the dealer's own state ends it.
    pub fn verdict(&self) -> Verdict {
        use KeygenError as E;
        match self {
            // JOINs (self-signed, not yet confirmed by anyone), INITs and FINALIZEs
            // that fail before the dealer's signature is checked, or fail it.
            E::Message(_)
            | E::DuplicateJoin(_)
            | E::DealerKeyJoin
            | E::WeakJoinKey
            | E::JoinIdentity(_)
            | E::BadJoinSignature
            | E::Full(_)
            | E::BadInitSignature
            | E::DealerKeys(_)
            | E::NotInRoster
            | E::OtherPartysView { .. }
            | E::DealerChanged
            | E::SchemeChanged { .. }
            | E::ForgedFinalize => Verdict::Ignore,
            // A FINALIZE signed by the dealer that this joiner cannot use.
            E::ViewNotOpened(_)
            | E::ImportedKeyMismatch { .. }
            | E::Key(_)
            | E::Seal(_)
            | E::Share(_)
            | E::Dealing(_)
            | E::Verification(_) => Verdict::Refuse,
            // The dealer's own state.
            E::Incomplete { .. }
            | E::TooLarge { .. }
            | E::WrongKeyKind { .. }
            | E::Threshold(_) => Verdict::End,
        }
    }
}
