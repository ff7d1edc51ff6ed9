//! The `shoup3` part of a version-3 share file: `"share"` (base64 of s_i, big-endian:
//! 384 bytes in dealing version 1, ⌈S/8⌉ bytes in version 2) and `"verification"`:
//! `{ "seed": hex, "keys": [ base64 of v_1, … ] }` in version 1, `{ "seed": hex,
//! "share_bound": S, "commitments": [ base64 of C_1, … ] }` in version 2. Reading it
//! runs the dealing checks again, so an altered file is refused.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use num_bigint::BigUint;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{hex_array, required, RawShare, SecretText, ShareError};
use crate::key::{PublicKey, MODULUS_BITS};
use crate::share::KeyShare;
use crate::threshold::{shoup3, Scheme};

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVerification {
    seed: String,
    /// Version 1: v_1..v_n.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    keys: Option<Vec<String>>,
    /// Version 2: S, every share is below 2^S.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    share_bound: Option<u16>,
    /// Version 2: C_1..C_{t−1}.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    commitments: Option<Vec<String>>,
}

/// Base64 numbers below N (at most 384 bytes), for `field`.
fn numbers(list: &[String], field: &'static str) -> Result<Vec<BigUint>, ShareError> {
    let mut out = Vec::with_capacity(list.len().min(16));
    for k in list {
        let bytes = STANDARD
            .decode(k.as_bytes())
            .map_err(|_| ShareError::FieldType {
                field,
                expected: "a list of base64 numbers",
            })?;
        if bytes.len() > MODULUS_BITS.div_ceil(8) as usize {
            return Err(ShareError::Shoup3(format!(
                "a number in {field} is too large"
            )));
        }
        out.push(BigUint::from_bytes_be(&bytes));
    }
    Ok(out)
}

/// The verification data of either version, ranges checked and v_j derived.
fn verification(
    data: &RawVerification,
    scheme: Scheme,
    public: &PublicKey,
) -> Result<shoup3::VerificationKeys, ShareError> {
    let seed = hex_array(&data.seed, "verification.seed")?;
    let modulus = public.modulus().clone();
    let shoup3_err = |e: shoup3::Shoup3Error| ShareError::Shoup3(e.to_string());
    match (&data.keys, data.share_bound, &data.commitments) {
        (Some(keys), None, None) => {
            if keys.len() != usize::from(scheme.parties()) {
                return Err(ShareError::Shoup3(format!(
                    "it has {} verification keys for {} parties",
                    keys.len().min(999),
                    scheme.parties()
                )));
            }
            let keys = numbers(keys, "verification.keys")?;
            shoup3::VerificationKeys::new(modulus, scheme, seed, keys).map_err(shoup3_err)
        }
        (None, Some(bound), Some(commitments)) => {
            if commitments.len() + 1 != usize::from(scheme.threshold()) {
                return Err(ShareError::Shoup3(format!(
                    "it has {} commitments for threshold {}",
                    commitments.len().min(999),
                    scheme.threshold()
                )));
            }
            let commitments = numbers(commitments, "verification.commitments")?;
            shoup3::VerificationKeys::with_commitments(modulus, scheme, seed, bound, commitments)
                .map_err(shoup3_err)
        }
        _ => Err(ShareError::Shoup3(
            "its verification data needs either \"keys\" (dealing version 1) or \"share_bound\" and \"commitments\" (version 2)".into(),
        )),
    }
}

/// The `shoup3` share of a version-3 file, through the dealing checks.
pub(super) fn parse(
    raw: &RawShare,
    party: u8,
    scheme: Scheme,
    public: &PublicKey,
) -> Result<KeyShare, ShareError> {
    super::absent(&raw.shares, "shares")?;
    let text = required(&raw.share, "share")?;
    let keys = verification(required(&raw.verification, "verification")?, scheme, public)?;
    let value = Zeroizing::new(STANDARD.decode(text.0.as_bytes()).map_err(|_| {
        ShareError::SubShareEncoding {
            subset: "share".into(),
        }
    })?);
    let secret = shoup3::SecretShare::from_value_bytes_for(
        party,
        &value,
        keys.version(),
        keys.share_bytes(),
    )
    .map_err(|e| ShareError::Shoup3(e.to_string()))?;
    let checked =
        shoup3::Share::accept(secret, keys).map_err(|e| ShareError::Shoup3(e.to_string()))?;
    KeyShare::from_shoup3(checked)
}

/// The file's `"share"` and `"verification"` for a `shoup3` share.
pub(super) fn out(s: &shoup3::Share) -> (SecretText, RawVerification) {
    let value = s.secret().value_bytes();
    let mut text = Zeroizing::new(String::with_capacity(
        base64::encoded_len(value.expose().len(), true).unwrap_or(0),
    ));
    STANDARD.encode_string(value.expose(), &mut text);
    let keys = s.keys();
    let encode = |v: &BigUint| STANDARD.encode(v.to_bytes_be());
    let verification = match keys.commitments() {
        Some(c) => RawVerification {
            seed: hex::encode(keys.seed()),
            keys: None,
            share_bound: Some(c.bound()),
            commitments: Some(c.values().iter().map(encode).collect()),
        },
        None => RawVerification {
            seed: hex::encode(keys.seed()),
            keys: Some(
                (1..=keys.scheme().parties())
                    .filter_map(|i| keys.key(i).ok())
                    .map(encode)
                    .collect(),
            ),
            share_bound: None,
            commitments: None,
        },
    };
    (SecretText(text), verification)
}

#[cfg(test)]
#[path = "shoup3_tests.rs"]
mod tests;
