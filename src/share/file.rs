//! The share file: the reference tool's JSON (version 2, t-of-n; version 1, n-of-n),
//! and our version 3, which keygen writes.
//!
//! ```json
//! { "version": 2, "party_index": 1, "num_parties": 3, "threshold": 2,
//!   "modulus": "<base64 big-endian>", "public_exponent": 3,
//!   "shares": { "1,2": "<base64 big-endian>", "1,3": "…" } }
//! ```
//! Version 1 has no `threshold` and one `share` instead of `shares`: an n-of-n share
//! whose single subset is every party.
//!
//! Version 3 adds `"scheme": "subsets"`, a sub-share may be negative (a leading `-`
//! before its base64: earlier dealings drew sub-shares over the integers; dealings
//! now are modulo λ and non-negative), and two fields:
//! `"identity_key"` (base64 of this party's Ed25519 secret seed) and `"keygen"`:
//! `{ "session": hex, "transcript": hex, "nonce": hex, "roster": [ { "x25519": hex,
//! "identity": hex }, … ] }` with one roster entry per party, in party order (`nonce`,
//! the dealer's keygen nonce, is absent from files made before it existed). See
//! `docs/protocol.md`.
//!
//! A version-3 `"scheme": "shoup3"` file holds one share whatever t and n: `"share"`
//! instead of `"shares"`, and the public `"verification"` data, in either dealing
//! version (`file/shoup3.rs`).
//! Reading it runs the dealing checks again, so an altered file is refused.
//!
//! A version-3 file may also hold `"generation"` (a share made by a refresh) and
//! `"retired"` (a share replaced by a refresh or a reshare), both absent otherwise
//! (`file/generation.rs`).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

#[path = "file/generation.rs"]
mod generation_file;
#[path = "file/shoup3.rs"]
mod shoup3_file;

pub use super::error::ShareError;
use super::{KeyShare, ShareAuth};
use crate::identity::{IdentityKey, IdentityPublic};
use crate::key::{PublicKey, MODULUS_BITS, PUBLIC_EXPONENT};
use crate::protocol::{PartyKeys, SessionId};
use crate::secret::{SecretBn, SecretBytes};
use crate::threshold::{Scheme, Subset};

/// The version keygen writes.
pub const CURRENT_VERSION: u8 = 3;

/// Secret base64 text read from or written to a file, wiped on drop.
#[derive(Deserialize, Serialize)]
#[serde(transparent)]
struct SecretText(Zeroizing<String>);

/// Every field optional so that each missing one gets its own error.
#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawRosterEntry {
    x25519: String,
    identity: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RawKeygen {
    session: String,
    transcript: String,
    /// The dealer's keygen nonce (hex); absent in files from before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
    roster: Vec<RawRosterEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShare {
    version: Option<serde_json::Value>,
    scheme: Option<serde_json::Value>,
    party_index: Option<serde_json::Value>,
    num_parties: Option<serde_json::Value>,
    threshold: Option<serde_json::Value>,
    modulus: Option<serde_json::Value>,
    public_exponent: Option<serde_json::Value>,
    shares: Option<BTreeMap<String, SecretText>>,
    share: Option<SecretText>,
    identity_key: Option<SecretText>,
    keygen: Option<RawKeygen>,
    verification: Option<shoup3_file::RawVerification>,
    generation: Option<generation_file::RawGeneration>,
    retired: Option<generation_file::RawRetired>,
}

#[derive(Serialize)]
struct ShareOut<'a> {
    version: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    scheme: Option<&'static str>,
    party_index: u8,
    num_parties: u8,
    threshold: u8,
    modulus: String,
    public_exponent: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    shares: Option<&'a BTreeMap<String, SecretText>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    share: Option<SecretText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verification: Option<shoup3_file::RawVerification>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity_key: Option<SecretText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keygen: Option<RawKeygen>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generation: Option<generation_file::RawGeneration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    retired: Option<generation_file::RawRetired>,
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

/// A field the file must have.
fn required<'a, T>(v: &'a Option<T>, field: &'static str) -> Result<&'a T, ShareError> {
    v.as_ref().ok_or(ShareError::MissingField(field))
}

/// A field this kind of file must not have.
fn absent<T>(v: &Option<T>, field: &'static str) -> Result<(), ShareError> {
    match v {
        Some(_) => Err(ShareError::UnknownField(field.into())),
        None => Ok(()),
    }
}

fn small_int(v: &Option<serde_json::Value>, field: &'static str) -> Result<u64, ShareError> {
    required(v, field)?.as_u64().ok_or(ShareError::FieldType {
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

fn decode_sub_share(subset: &str, text: &SecretText, signed: bool) -> Result<SecretBn, ShareError> {
    let (negative, digits) = match text.0.strip_prefix('-') {
        Some(rest) if signed => (true, rest),
        _ => (false, text.0.as_str()),
    };
    let bytes = Zeroizing::new(STANDARD.decode(digits.as_bytes()).map_err(|_| {
        ShareError::SubShareEncoding {
            subset: subset.to_string(),
        }
    })?);
    let mut value = SecretBn::from_be_bytes(&bytes);
    if !signed && value.num_bits() > MODULUS_BITS {
        return Err(ShareError::SubShareTooLarge {
            subset: subset.to_string(),
        });
    }
    if negative {
        value.negate();
    }
    Ok(value)
}

fn hex_array<const N: usize>(text: &str, field: &'static str) -> Result<[u8; N], ShareError> {
    let mut out = [0u8; N];
    hex::decode_to_slice(text, &mut out).map_err(|_| ShareError::Hex(field))?;
    Ok(out)
}

fn parse_auth(raw: &RawShare) -> Result<ShareAuth, ShareError> {
    let keygen = required(&raw.keygen, "keygen")?;
    let seed_text = required(&raw.identity_key, "identity_key")?;
    let seed = Zeroizing::new(
        STANDARD
            .decode(seed_text.0.as_bytes())
            .map_err(|_| ShareError::IdentityKey)?,
    );
    let seed: &[u8; 32] = seed
        .as_slice()
        .try_into()
        .map_err(|_| ShareError::IdentityKey)?;
    let mut roster = Vec::with_capacity(keygen.roster.len().min(16));
    for entry in &keygen.roster {
        roster.push(PartyKeys {
            x25519: hex_array(&entry.x25519, "keygen.roster.x25519")?,
            identity: IdentityPublic(hex_array(&entry.identity, "keygen.roster.identity")?),
        });
    }
    Ok(ShareAuth {
        identity: IdentityKey::from_seed(seed),
        roster,
        session: SessionId(hex_array(&keygen.session, "keygen.session")?),
        transcript: hex_array(&keygen.transcript, "keygen.transcript")?,
        nonce: keygen
            .nonce
            .as_deref()
            .map(|n| hex_array(n, "keygen.nonce"))
            .transpose()?,
    })
}

/// Parses a share file's bytes (already decrypted, if it was encrypted).
pub fn parse(bytes: &[u8]) -> Result<KeyShare, ShareError> {
    let raw: RawShare = serde_json::from_slice(bytes).map_err(|e| json_error(&e))?;
    let version = small_int(&raw.version, "version")?;
    if !(1..=3).contains(&version) {
        return Err(ShareError::Version(version));
    }
    let mut shoup3 = false;
    if version < 3 {
        for (present, name) in [
            (raw.scheme.is_some(), "scheme"),
            (raw.identity_key.is_some(), "identity_key"),
            (raw.keygen.is_some(), "keygen"),
            (raw.verification.is_some(), "verification"),
            (raw.generation.is_some(), "generation"),
            (raw.retired.is_some(), "retired"),
        ] {
            if present {
                return Err(ShareError::UnknownField(name.into()));
            }
        }
    } else {
        match required(&raw.scheme, "scheme")? {
            serde_json::Value::String(s) if s == "subsets" => {}
            serde_json::Value::String(s) if s == "shoup3" => shoup3 = true,
            serde_json::Value::String(s) => {
                return Err(ShareError::UnknownScheme(crate::sanitize::sanitize(
                    &s.chars().take(40).collect::<String>(),
                )))
            }
            _ => {
                return Err(ShareError::FieldType {
                    field: "scheme",
                    expected: "a string",
                })
            }
        }
    }
    let party = to_u8(small_int(&raw.party_index, "party_index")?, "party_index")?;
    let n = to_u8(small_int(&raw.num_parties, "num_parties")?, "num_parties")?;
    let t = if version >= 2 {
        to_u8(small_int(&raw.threshold, "threshold")?, "threshold")?
    } else {
        absent(&raw.threshold, "threshold")?;
        n
    };
    let scheme = Scheme::new(n, t).map_err(ShareError::Scheme)?;
    if !scheme.has_party(party) {
        return Err(ShareError::PartyOutOfRange { party, n });
    }
    let e = small_int(&raw.public_exponent, "public_exponent")?;
    if e != u64::from(PUBLIC_EXPONENT) {
        return Err(ShareError::Exponent(e));
    }
    let modulus_text =
        required(&raw.modulus, "modulus")?
            .as_str()
            .ok_or(ShareError::FieldType {
                field: "modulus",
                expected: "a base64 string",
            })?;
    let modulus = STANDARD
        .decode(modulus_text)
        .map_err(|_| ShareError::ModulusEncoding)?;
    let public = PublicKey::from_modulus(BigUint::from_bytes_be(&modulus))?;
    if shoup3 {
        let share = shoup3_file::parse(&raw, party, scheme, &public)?;
        return with_state(share, &raw);
    }
    absent(&raw.verification, "verification")?;

    let mut subs = BTreeMap::new();
    match version {
        1 => {
            absent(&raw.shares, "shares")?;
            let text = required(&raw.share, "share")?;
            let all =
                Subset::from_parties(&(1..=n).collect::<Vec<_>>()).map_err(ShareError::Scheme)?;
            subs.insert(all, decode_sub_share(&all.to_string(), text, false)?);
        }
        _ => {
            absent(&raw.share, "share")?;
            let map = required(&raw.shares, "shares")?;
            for (key, text) in map {
                let subset: Subset = key
                    .parse()
                    .map_err(|_| ShareError::SubsetKey(key.clone()))?;
                subs.insert(subset, decode_sub_share(key, text, version == 3)?);
            }
        }
    }
    let share = KeyShare::new(party, scheme, public, subs)?;
    if version == 3 {
        with_state(share, &raw)
    } else {
        Ok(share)
    }
}

/// A version-3 share with its keygen data (checked), and the generation and retired
/// state its file holds. The generation comes first: the keygen transcript of a
/// refreshed `shoup3` share cannot be checked against its verification data.
fn with_state(share: KeyShare, raw: &RawShare) -> Result<KeyShare, ShareError> {
    let refreshed = raw
        .generation
        .as_ref()
        .map(generation_file::parse_generation)
        .transpose()?;
    let mut share = share
        .with_generation(refreshed)
        .with_auth(parse_auth(raw)?)?;
    if let Some(r) = &raw.retired {
        share.mark_retired(generation_file::parse_retired(r)?);
    }
    Ok(share)
}

/// Serializes a share: version 3 when it has its keygen's roster and identity key,
/// otherwise version 2 (the reference's format), pretty JSON as the reference writes.
/// A `shoup3` share is always version 3 (there is no reference format for it).
pub fn serialize(share: &KeyShare) -> SecretBytes {
    let version3 = share.auth.is_some() || share.shoup3().is_some();
    let shares: BTreeMap<String, SecretText> = share
        .subsets()
        .filter_map(|subset| {
            Some((
                subset.to_string(),
                encode_sub_share(share.sub_share(subset)?),
            ))
        })
        .collect();
    let (identity_key, keygen) = match &share.auth {
        Some(a) => (
            Some(SecretText(Zeroizing::new(
                STANDARD.encode(a.identity.expose_seed()),
            ))),
            Some(RawKeygen {
                session: hex::encode(a.session.0),
                transcript: hex::encode(a.transcript),
                nonce: a.nonce.map(hex::encode),
                roster: a
                    .roster
                    .iter()
                    .map(|k| RawRosterEntry {
                        x25519: hex::encode(k.x25519),
                        identity: k.identity.to_hex(),
                    })
                    .collect(),
            }),
        ),
        None => (None, None),
    };
    let (single, verification) = match share.shoup3().map(shoup3_file::out) {
        Some((text, data)) => (Some(text), Some(data)),
        None => (None, None),
    };
    let out = ShareOut {
        version: if version3 { CURRENT_VERSION } else { 2 },
        scheme: version3.then_some(share.scheme_name()),
        party_index: share.party(),
        num_parties: share.scheme().parties(),
        threshold: share.scheme().threshold(),
        modulus: STANDARD.encode(share.public.modulus().to_bytes_be()),
        public_exponent: PUBLIC_EXPONENT,
        shares: single.is_none().then_some(&shares),
        share: single,
        verification,
        identity_key,
        keygen,
        generation: share
            .refreshed
            .as_ref()
            .map(generation_file::out_generation),
        retired: share.retired.as_ref().map(generation_file::out_retired),
    };
    let capacity = 2048 + 700 * shares.len() + 800 * share.scheme().parties() as usize;
    super::json_out::to_pretty_json(&out, capacity, true)
}

/// A sub-share as text: base64 of its magnitude, `-` first when negative; the text
/// is built in one allocation of its final size.
fn encode_sub_share(value: &SecretBn) -> SecretText {
    let bytes = value.to_be_bytes();
    let len = base64::encoded_len(bytes.len(), true).unwrap_or(0) + 1;
    let mut text = Zeroizing::new(String::with_capacity(len));
    if value.is_negative() {
        text.push('-');
    }
    STANDARD.encode_string(bytes.expose(), &mut text);
    SecretText(text)
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
