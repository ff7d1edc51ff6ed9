//! What one party contributes to a refresh ([`RefreshContribution`]: public
//! commitments and one secret part per party) and why a refresh is refused
//! ([`RefreshError`], naming the sender where one is to blame). The math is in each
//! scheme's `refresh.rs`; the one interface over both is `threshold/refresh.rs`.

use super::shoup3::Shoup3Error;
use super::{Scheme, Subset, ThresholdError};
use crate::secret::SecretBytes;

/// One party's contribution to a refresh.
#[derive(Debug)]
pub struct RefreshContribution {
    /// Public: commitments, sent to everyone (opaque bytes, scheme-defined encoding).
    pub public: Vec<u8>,
    /// One secret part for EVERY party 1..=n in ascending order, this party's own included.
    pub parts: Vec<(u8, SecretBytes)>,
}

/// Why a refresh contribution could not be made, checked or applied.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RefreshError {
    #[error("refresh needs a key dealt with verification data version 2; reshare it first, which deals version 2")]
    DealingVersion1,
    #[error("this key cannot be refreshed again: its shares would pass {max} bits (the limit of a share); reshare the key instead, which deals fresh shares")]
    Exhausted { max: u64 },
    #[error("party {sender} is not a party of this key (1..={n})")]
    UnknownSender { sender: u8, n: u8 },
    #[error("two contributions from party {sender}; each party contributes once")]
    DuplicateSender { sender: u8 },
    #[error(
        "no contribution from party {sender}: a refresh needs one from each of the {n} parties"
    )]
    MissingSender { sender: u8, n: u8 },
    #[error("party {sender}'s refresh commitments are malformed ({what}); stop the refresh")]
    MalformedPublic { sender: u8, what: &'static str },
    #[error("party {sender}'s refresh commitments are for another state of the key (share bound {got}, this share's is {want}); refresh only shares of the same generation")]
    OtherBound { sender: u8, got: u16, want: u16 },
    #[error("the secret part from party {sender} is malformed ({what}); stop the refresh and name party {sender}")]
    MalformedPart { sender: u8, what: &'static str },
    #[error("the secret part from party {sender} does not match its commitments; stop the refresh and name party {sender}")]
    BadPart { sender: u8 },
    #[error("party {sender}'s split for subset {subset} does not sum to zero (its commitments do not multiply to 1); stop the refresh and name party {sender}")]
    NotZeroSum { sender: u8, subset: Subset },
    #[error(
        "the refreshed share fails its checks ({0}); keep the current share and stop the refresh"
    )]
    NewShare(String),
    #[error("big-number arithmetic failed during the refresh: {0}")]
    Arithmetic(String),
    #[error(transparent)]
    Shoup3(#[from] Shoup3Error),
    #[error(transparent)]
    Subsets(#[from] ThresholdError),
}

impl RefreshError {
    pub(crate) fn ossl(e: openssl::error::ErrorStack) -> Self {
        RefreshError::Arithmetic(e.to_string())
    }
}

/// `all` holds exactly one contribution from each party 1..=n (any order).
pub(crate) fn check_senders<T>(scheme: Scheme, all: &[(u8, T, T)]) -> Result<(), RefreshError> {
    let n = scheme.parties();
    let mut seen = Subset::from_bits(0);
    for (sender, _, _) in all {
        if !scheme.has_party(*sender) {
            return Err(RefreshError::UnknownSender { sender: *sender, n });
        }
        if seen.contains(*sender) {
            return Err(RefreshError::DuplicateSender { sender: *sender });
        }
        seen = seen.with(*sender);
    }
    match (1..=n).find(|p| !seen.contains(*p)) {
        Some(sender) => Err(RefreshError::MissingSender { sender, n }),
        None => Ok(()),
    }
}
