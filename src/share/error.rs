//! Why a share could not be read or built: one line each, naming the field or the
//! check that failed.

use crate::key::KeyError;
use crate::threshold::ThresholdError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShareError {
    #[error("the share file is not valid JSON ({0})")]
    Json(String),
    #[error("share file version {0} is not supported (this tool reads versions 1, 2 and 3)")]
    Version(u64),
    #[error("the share file has no `{0}` field")]
    MissingField(&'static str),
    #[error("the share file has an unexpected field `{0}`")]
    UnknownField(String),
    #[error("the share file's `{field}` is not {expected}")]
    FieldType {
        field: &'static str,
        expected: &'static str,
    },
    #[error("the share file's modulus is not valid base64")]
    ModulusEncoding,
    #[error("the share file's key is unusable: {0}")]
    Key(#[from] KeyError),
    #[error("the share file's public_exponent is {0}; SGX needs 3")]
    Exponent(u64),
    #[error("the share file's party_index {party} is not in 1..={n}")]
    PartyOutOfRange { party: u8, n: u8 },
    #[error("the share file's scheme is invalid: {0}")]
    Scheme(ThresholdError),
    #[error("the share file's subset key \"{0}\" is not ascending party numbers like \"1,3\"")]
    SubsetKey(String),
    #[error("the share file's subset \"{subset}\" does not have {t} parties")]
    SubsetSize { subset: String, t: u8 },
    #[error("the share file's subset \"{subset}\" does not contain its own party {party}")]
    SubsetWithoutParty { subset: String, party: u8 },
    #[error("the share file lacks the sub-shares for subsets {missing}")]
    MissingSubsets { missing: String },
    #[error("the share file's sub-share for subset \"{subset}\" is not valid base64")]
    SubShareEncoding { subset: String },
    #[error("the share file's sub-share for subset \"{subset}\" is larger than the modulus")]
    SubShareTooLarge { subset: String },
    #[error("the share file's scheme `{0}` is not known to this version (it knows `subsets` and `shoup3`)")]
    UnknownScheme(String),
    #[error("the share file's `{0}` is not valid hex of the right length")]
    Hex(&'static str),
    #[error("the share file's identity_key is not 32 bytes of base64")]
    IdentityKey,
    #[error("the share file's roster does not fit the share: {0}")]
    Roster(String),
    #[error("the share file's transcript hash does not match its key, scheme and roster: the file was altered")]
    Transcript,
    #[error("the share file's shoup3 share is unusable: {0}")]
    Shoup3(String),
    #[error("the share file's generation is invalid: {0}")]
    Generation(&'static str),
    #[error("the share is already retired (replaced by {by}); nothing was changed")]
    AlreadyRetired { by: String },
    #[error("cannot make the next generation of this share: {0}")]
    NextGeneration(String),
}

impl ShareError {
    /// The share file's wording of a `subsets` share's failed check.
    pub(crate) fn from_sub_shares(e: ThresholdError) -> ShareError {
        match e {
            ThresholdError::PartyOutOfRange { party, n } => {
                ShareError::PartyOutOfRange { party, n }
            }
            ThresholdError::SubsetSize { subset, t } => ShareError::SubsetSize {
                subset: subset.to_string(),
                t,
            },
            ThresholdError::SubsetWithoutParty { subset, party } => {
                ShareError::SubsetWithoutParty {
                    subset: subset.to_string(),
                    party,
                }
            }
            ThresholdError::SubShareTooLarge { subset } => ShareError::SubShareTooLarge {
                subset: subset.to_string(),
            },
            ThresholdError::MissingSubsets { missing } => ShareError::MissingSubsets {
                missing: missing
                    .iter()
                    .map(|s| format!("\"{s}\""))
                    .collect::<Vec<_>>()
                    .join(" "),
            },
            other => ShareError::Scheme(other),
        }
    }
}
