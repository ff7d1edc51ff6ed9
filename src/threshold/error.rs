//! The errors of the threshold layer shared by both schemes, and of `subsets`
//! (`shoup3` has its own, [`super::shoup3::Shoup3Error`]).

use super::{Subset, MAX_PARTIES};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThresholdError {
    #[error("threshold {t} of {n} parties is not allowed: need 2 <= t <= n <= {max}", max = MAX_PARTIES)]
    BadScheme { n: u8, t: u8 },
    #[error("party {party} is not in 1..={n}")]
    PartyOutOfRange { party: u8, n: u8 },
    #[error("`{0}` is not a subset like \"1,3\" (ascending party numbers, comma-separated)")]
    BadSubset(String),
    #[error("party {party} holds no sub-share for subset {subset}")]
    NoSubShare { party: u8, subset: Subset },
    #[error("subset {subset} needs a partial from parties {missing}")]
    MissingPartials { subset: Subset, missing: String },
    #[error("party {party}'s partial signature is out of range")]
    PartialOutOfRange { party: u8 },
    #[error("the partials of subset {subset} do not combine into a valid signature")]
    InvalidCombination { subset: Subset },
    #[error("dealing failed: {0}")]
    Deal(String),
    #[error("subset {subset} does not have {t} parties")]
    SubsetSize { subset: Subset, t: u8 },
    #[error("subset {subset} does not contain its own party {party}")]
    SubsetWithoutParty { subset: Subset, party: u8 },
    #[error("the sub-share for subset {subset} is larger than the modulus")]
    SubShareTooLarge { subset: Subset },
    #[error("the sub-shares for subsets {} are missing", .missing.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(" "))]
    MissingSubsets { missing: Vec<Subset> },
}
