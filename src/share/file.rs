//! The share file: the reference tool's JSON (version 2, t-of-n; version 1, n-of-n).
//!
//! ```json
//! { "version": 2, "party_index": 1, "num_parties": 3, "threshold": 2,
//!   "modulus": "<base64 big-endian>", "public_exponent": 3,
//!   "shares": { "1,2": "<base64 big-endian>", "1,3": "…" } }
//! ```
//! Version 1 has no `threshold` and one `share` instead of `shares`: an n-of-n share
//! whose single subset is every party.

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::KeyShare;
use crate::key::{KeyError, PublicKey, PUBLIC_EXPONENT};
use crate::secret::{SecretBn, SecretBytes};
use crate::threshold::{Scheme, Subset, ThresholdError};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ShareError {
    #[error("the share file is not valid JSON ({0})")]
    Json(String),
    #[error("share file version {0} is not supported (this tool reads versions 1 and 2)")]
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
}

/// Secret base64 text read from or written to a file, wiped on drop.
#[derive(Deserialize, Serialize)]
#[serde(transparent)]
struct SecretText(Zeroizing<String>);

/// Every field optional so that each missing one gets its own error.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShare {
    version: Option<serde_json::Value>,
    party_index: Option<serde_json::Value>,
    num_parties: Option<serde_json::Value>,
    threshold: Option<serde_json::Value>,
    modulus: Option<serde_json::Value>,
    public_exponent: Option<serde_json::Value>,
    shares: Option<BTreeMap<String, SecretText>>,
    share: Option<SecretText>,
}

#[derive(Serialize)]
struct ShareV2<'a> {
    version: u8,
    party_index: u8,
    num_parties: u8,
    threshold: u8,
    modulus: String,
    public_exponent: u32,
    shares: &'a BTreeMap<String, SecretText>,
}

fn json_error(e: &serde_json::Error) -> ShareError {
    // The category and position only: serde's own message may quote file contents.
    let msg = e.to_string();
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        if let Some(name) = rest.split('`').next() {
            return ShareError::UnknownField(name.to_string());
        }
    }
    if msg.starts_with("duplicate field") {
        return ShareError::Json(format!("a field appears twice, line {}", e.line()));
    }
    let kind = match e.classify() {
        serde_json::error::Category::Io => "read error",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "wrong kind of value",
        serde_json::error::Category::Eof => "it ends too early",
    };
    ShareError::Json(format!(
        "{kind} at line {}, column {}",
        e.line(),
        e.column()
    ))
}

fn small_int(v: &Option<serde_json::Value>, field: &'static str) -> Result<u64, ShareError> {
    v.as_ref()
        .ok_or(ShareError::MissingField(field))?
        .as_u64()
        .ok_or(ShareError::FieldType {
            field,
            expected: "a non-negative whole number",
        })
}

fn to_u8(x: u64, field: &'static str) -> Result<u8, ShareError> {
    u8::try_from(x).map_err(|_| ShareError::FieldType {
        field,
        expected: "a number up to 255",
    })
}

fn decode_sub_share(subset: &str, text: &SecretText) -> Result<SecretBn, ShareError> {
    let bytes = Zeroizing::new(STANDARD.decode(text.0.as_bytes()).map_err(|_| {
        ShareError::SubShareEncoding {
            subset: subset.to_string(),
        }
    })?);
    Ok(SecretBn::from_be_bytes(&bytes))
}

/// Parses a share file's bytes (already decrypted, if it was encrypted).
pub fn parse(bytes: &[u8]) -> Result<KeyShare, ShareError> {
    let raw: RawShare = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
    let version = small_int(&raw.version, "version")?;
    if version != 1 && version != 2 {
        return Err(ShareError::Version(version));
    }
    let party = to_u8(small_int(&raw.party_index, "party_index")?, "party_index")?;
    let n = to_u8(small_int(&raw.num_parties, "num_parties")?, "num_parties")?;
    let t = if version == 2 {
        to_u8(small_int(&raw.threshold, "threshold")?, "threshold")?
    } else {
        if raw.threshold.is_some() {
            return Err(ShareError::UnknownField("threshold".into()));
        }
        n
    };
    let scheme = Scheme::new(n, t).map_err(ShareError::Scheme)?;
    if party == 0 || party > n {
        return Err(ShareError::PartyOutOfRange { party, n });
    }
    let e = small_int(&raw.public_exponent, "public_exponent")?;
    if e != u64::from(PUBLIC_EXPONENT) {
        return Err(ShareError::Exponent(e));
    }
    let modulus_text = raw
        .modulus
        .as_ref()
        .ok_or(ShareError::MissingField("modulus"))?
        .as_str()
        .ok_or(ShareError::FieldType {
            field: "modulus",
            expected: "a base64 string",
        })?;
    let modulus = STANDARD
        .decode(modulus_text)
        .map_err(|_| ShareError::ModulusEncoding)?;
    let public = PublicKey::from_modulus(BigUint::from_bytes_be(&modulus))?;

    let mut subs = BTreeMap::new();
    match version {
        1 => {
            if raw.shares.is_some() {
                return Err(ShareError::UnknownField("shares".into()));
            }
            let text = raw
                .share
                .as_ref()
                .ok_or(ShareError::MissingField("share"))?;
            let all =
                Subset::from_parties(&(1..=n).collect::<Vec<_>>()).map_err(ShareError::Scheme)?;
            subs.insert(all, decode_sub_share(&all.to_string(), text)?);
        }
        _ => {
            if raw.share.is_some() {
                return Err(ShareError::UnknownField("share".into()));
            }
            let map = raw
                .shares
                .as_ref()
                .ok_or(ShareError::MissingField("shares"))?;
            for (key, text) in map {
                let subset: Subset = key
                    .parse()
                    .map_err(|_| ShareError::SubsetKey(key.clone()))?;
                subs.insert(subset, decode_sub_share(key, text)?);
            }
        }
    }
    KeyShare::new(party, scheme, public, subs)
}

/// Serializes a share as a version-2 file (pretty JSON, as the reference writes it).
pub fn serialize(share: &KeyShare) -> SecretBytes {
    let shares: BTreeMap<String, SecretText> = share
        .sub_shares
        .iter()
        .map(|(subset, value)| {
            let bytes = value.to_be_bytes();
            (
                subset.to_string(),
                SecretText(Zeroizing::new(STANDARD.encode(bytes.expose()))),
            )
        })
        .collect();
    let v2 = ShareV2 {
        version: 2,
        party_index: share.party,
        num_parties: share.scheme.parties(),
        threshold: share.scheme.threshold(),
        modulus: STANDARD.encode(share.public.modulus().to_bytes_be()),
        public_exponent: PUBLIC_EXPONENT,
        shares: &shares,
    };
    let mut out = serde_json::to_vec_pretty(&v2).unwrap_or_default();
    out.push(b'\n');
    SecretBytes::new(out)
}
