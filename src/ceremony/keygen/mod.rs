//! The keygen ceremony. Party 1 is the dealer: it opens the ceremony (KEYGEN-INIT),
//! numbers joiners in the order their KEYGEN-JOIN arrives, and, once every
//! fingerprint has been compared out of band, deals the key (KEYGEN-FINALIZE).
//!
//! Every party makes two keys here: an X25519 key for this ceremony only (its share
//! is sealed to it) and an Ed25519 identity key that it keeps in its share file and
//! signs every later message with. Both are in the roster, and the roster, the
//! modulus and the parameters are bound into the transcript hash (see
//! [`transcript`]), which the dealer signs and every sealed share is bound to.
//!
//! One file per role and step: `dealer` (INIT, joins, the FINALIZE it signs),
//! `dealing` (each scheme's dealing, sealed to the joiners), `joiner` (JOIN, then
//! the FINALIZE opened and checked), `seal` (the channel a share is sealed on);
//! the transcript is `share::transcript`, re-exported here.

mod dealer;
mod dealing;
mod joiner;
pub mod seal;

pub use crate::share::transcript;
pub use dealer::{Dealer, Dealt};
pub use joiner::{Joined, Joiner};

use super::fingerprint::key_fingerprint;
use super::MessageError;
use crate::identity::IdentityError;
use crate::protocol::{PartyKeys, SessionId, MAX_MESSAGE_LEN};
use crate::share::ShareError;
use crate::threshold::shoup3::Shoup3Error;
use crate::threshold::{Scheme, ThresholdError, MAX_SUB_SHARE_BITS};
use seal::SealError;

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

pub(super) fn roster(session: &SessionId, keys: &[PartyKeys]) -> Vec<RosterEntry> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| RosterEntry {
            party: i as u8 + 1,
            fingerprint: key_fingerprint(session, k),
        })
        .collect()
}
