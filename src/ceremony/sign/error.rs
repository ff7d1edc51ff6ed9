//! Every way a signing step refuses or ignores a message, one line each, and
//! whether the message that caused it is proven to come from the party it names.

use super::MAX_CANDIDATES;
use crate::ceremony::MessageError;
use crate::protocol::MessageType;
use crate::sgx::SigstructError;
use crate::threshold::shoup3::Shoup3Error;
use crate::threshold::{PartialError, ThresholdError};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("that {kind} claims to come from party {party} but is not signed by party {party}'s identity key: it is forged or altered; ignored")]
    BadSignature { kind: MessageType, party: u8 },
    #[error("that {kind} from party {party} is unsigned, but your share knows party {party}'s identity key: ignored (a forgery, or party {party} used a reference-format share{hint})")]
    Unsigned {
        kind: MessageType,
        party: u8,
        hint: &'static str,
    },
    #[error("that {kind} names party {party}, but this key has parties 1 to {parties} only: ignored, still waiting")]
    OutsideRoster {
        kind: MessageType,
        party: u8,
        parties: u8,
    },
    #[error("{error} (nothing proves that this {kind} comes from party {party}: it changes nothing; still waiting)")]
    Unproven {
        kind: MessageType,
        party: u8,
        error: Box<SignError>,
    },
    #[error("session {session} was already answered (a replay, or a second request under its id): ignored, still waiting for a new SIGN-INIT")]
    AlreadyAnswered { session: String },
    #[error("party {0} has sent {MAX_CANDIDATES} different answers already; this one is ignored")]
    TooManyCandidates(u8),
    #[error("the SIGN-INIT is for a {found} key set, but this share is {own}")]
    SchemeMismatch { found: String, own: String },
    #[error(
        "the SIGN-INIT asks for key MRSIGNER {asked}, but this share belongs to {own}: refusing"
    )]
    ForeignKey { asked: String, own: String },
    #[error("this request is for {asked}; your share (party {party}) is {own}: {advice}")]
    GenerationMismatch {
        asked: String,
        own: String,
        party: u8,
        advice: &'static str,
    },
    #[error("this share is retired (replaced by {by}): sign with your share of generation {next} if a refresh replaced it, or with the new roster's shares after a reshare")]
    RetiredShare { by: String, next: u64 },
    #[error("the SIGN-INIT claims MRENCLAVE {claimed}, but the SIGSTRUCT it carries has {actual}: refusing")]
    MrenclaveMismatch { claimed: String, actual: String },
    #[error("the SIGSTRUCT in the SIGN-INIT is not what SGX signing tools make: {0}")]
    Regions(#[from] SigstructError),
    #[error("party {0} is not among the signers this SIGN-INIT asks for")]
    NotASigner(u8),
    #[error("the enclave has the DEBUG attribute (its memory is readable by the host); refusing. Pass --allow-debug to sign it anyway")]
    DebugRefused,
    #[error("the enclave's MRENCLAVE is {actual}, not the expected {expected}: refusing")]
    UnexpectedMrenclave { actual: String, expected: String },
    #[error("signers {signers} are fewer than the threshold {threshold}")]
    TooFewSigners { signers: String, threshold: u8 },
    #[error("the initiator must be among the signers")]
    InitiatorNotSigner,
    #[error("a message from party {0}, who was not asked to sign; ignored")]
    UnexpectedParty(u8),
    #[error("party {0}'s message was already received; ignored")]
    Duplicate(u8),
    #[error("party {party} sent partials for subsets {got}, expected {expected}; ignored")]
    WrongSubsets {
        party: u8,
        got: String,
        expected: String,
    },
    #[error("party {0}'s partial signature is out of range; ignored")]
    OutOfRange(u8),
    #[error(
        "party {0} sent a partial signature of another threshold scheme than this key's; ignored"
    )]
    WrongScheme(u8),
    #[error("party {party}'s partial signature is refused: {reason}; ignored, the ceremony goes on with the other parties")]
    BadPartial { party: u8, reason: String },
    #[error("too few valid partial signatures can still arrive: {valid} valid, {need} needed (declined: {declined}; bad partials from: {bad}; waiting for: {waiting})")]
    NotEnoughPartials {
        valid: usize,
        need: usize,
        declined: String,
        bad: String,
        waiting: String,
    },
    #[error(transparent)]
    Shoup3(#[from] Shoup3Error),
    #[error("no subset of the parties can produce a valid signature any more (failed: {failed}; declined: {declined}). Suspected bad partials from: {suspects}")]
    NoValidSubset {
        failed: String,
        declined: String,
        suspects: String,
    },
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
    #[error("enclave {index} ({name}) of the batch: {error}; the whole batch is refused")]
    InBatch {
        index: usize,
        name: String,
        error: Box<SignError>,
    },
    #[error(
        "a batch names 2 to {} enclaves, not {count} (one enclave is an ordinary signing)",
        crate::protocol::MAX_BATCH_ENCLAVES
    )]
    BatchSize { count: usize },
    #[error("batch signing needs shares with identity keys (file version 3): a reference-format share cannot tell a party's answer from a forged one; sign the enclaves one by one")]
    BatchNeedsRoster,
    #[error("the expected MRENCLAVE {expected} is not among the batch's enclaves: refusing")]
    ExpectedNotInBatch { expected: String },
}

impl SignError {
    /// This error as it is when `proven` (the message is authenticated as coming from
    /// `party`), else wrapped as [`SignError::Unproven`]: what went wrong with a
    /// message nobody can attribute changes nothing.
    pub(super) fn unless_proven(self, proven: bool, kind: MessageType, party: u8) -> SignError {
        if proven {
            self
        } else {
            SignError::Unproven {
                kind,
                party,
                error: Box::new(self),
            }
        }
    }
}

impl From<PartialError> for SignError {
    fn from(e: PartialError) -> Self {
        match e {
            PartialError::Subsets(e) => SignError::Threshold(e),
            PartialError::Shoup3(e) => SignError::Shoup3(e),
        }
    }
}
