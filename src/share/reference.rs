//! The reference tool's share file (version 2), written exactly as the Go tool writes
//! it (`json.MarshalIndent(share, "", "  ")`, no newline at the end):
//!
//! ```json
//! {
//!   "version": 2,
//!   "party_index": 1,
//!   "num_parties": 3,
//!   "threshold": 2,
//!   "modulus": "<base64 of N, minimal big-endian>",
//!   "public_exponent": 3,
//!   "shares": {
//!     "1,2": "<base64 of the sub-share, minimal big-endian>",
//!     "1,3": "…"
//!   }
//! }
//! ```
//!
//! Subset keys are ascending party numbers joined by commas, sorted as strings (Go
//! sorts map keys so). Base64 is the standard alphabet with padding. The reference
//! reads a sub-share as an unsigned number and raises the message to it, so only a
//! `subsets` share whose sub-shares are all in [0, N) has a reference form: the
//! reference has no `shoup3`, no sign for sub-shares, and no roster or identity key
//! (those are left out, so the exported party cannot authenticate its messages).

use std::collections::BTreeMap;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use zeroize::Zeroizing;

use super::KeyShare;
use crate::key::PUBLIC_EXPONENT;
use crate::secret::SecretBytes;
use crate::threshold::Subset;

/// The version of the reference's t-of-n share file.
pub const REFERENCE_VERSION: u8 = 2;

/// Why a share has no reference form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    #[error("this is a shoup3 share, and shoup3 has no reference form: the reference tool knows only the subsets scheme")]
    Shoup3,
    #[error("the sub-share for subset \"{0}\" is negative (an older dealing drew sub-shares over the integers), and the reference tool skips negative sub-shares: this share has no reference form; a key dealt by this version's `keygen --scheme subsets` has one")]
    Negative(Subset),
    #[error("the sub-share for subset \"{0}\" is not below the modulus (an older dealing drew sub-shares over the integers): this share has no reference form; a key dealt by this version's `keygen --scheme subsets` has one")]
    TooLarge(Subset),
}

/// A secret base64 string, wiped on drop.
#[derive(Serialize)]
#[serde(transparent)]
struct SecretText(Zeroizing<String>);

/// The reference's `ThresholdKeyShare`, field for field and in its order.
#[derive(Serialize)]
struct ReferenceShare<'a> {
    version: u8,
    party_index: u8,
    num_parties: u8,
    threshold: u8,
    modulus: String,
    public_exponent: u32,
    shares: &'a BTreeMap<String, SecretText>,
}

/// The share as the reference tool's version-2 JSON, or why it has none.
pub fn export(share: &KeyShare) -> Result<SecretBytes, ExportError> {
    if share.shoup3().is_some() {
        return Err(ExportError::Shoup3);
    }
    let modulus = crate::key::bn(share.public().modulus());
    let mut shares = BTreeMap::new();
    for subset in share.subsets() {
        let Some(value) = share.sub_share(subset) else {
            continue;
        };
        if value.is_negative() {
            return Err(ExportError::Negative(subset));
        }
        if value.expose() >= &modulus {
            return Err(ExportError::TooLarge(subset));
        }
        let bytes = value.to_be_bytes();
        let mut text = Zeroizing::new(String::with_capacity(
            base64::encoded_len(bytes.len(), true).unwrap_or(0),
        ));
        STANDARD.encode_string(bytes.expose(), &mut text);
        shares.insert(subset.to_string(), SecretText(text));
    }
    let scheme = share.scheme();
    let out = ReferenceShare {
        version: REFERENCE_VERSION,
        party_index: share.party(),
        num_parties: scheme.parties(),
        threshold: scheme.threshold(),
        modulus: STANDARD.encode(share.public().modulus().to_bytes_be()),
        public_exponent: PUBLIC_EXPONENT,
        shares: &shares,
    };
    Ok(super::json_out::to_pretty_json(
        &out,
        1024 + 600 * shares.len(),
        false,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ceremony::tests::{keygen, keygen_shoup3};

    #[test]
    fn the_export_reads_back_as_the_same_share_and_has_the_reference_order() {
        for share in keygen(4, 3) {
            let bytes = export(&share).unwrap();
            let text = std::str::from_utf8(bytes.expose()).unwrap();
            assert!(text.starts_with("{\n  \"version\": 2,\n  \"party_index\": "));
            assert!(text.ends_with("\n  }\n}"), "no newline at the end");
            let order = [
                "version",
                "party_index",
                "num_parties",
                "threshold",
                "modulus",
                "public_exponent",
                "shares",
            ]
            .map(|f| text.find(&format!("\"{f}\"")).unwrap());
            assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
            assert!(!text.contains("identity_key") && !text.contains("scheme"));
            let back = super::super::file::parse(text.as_bytes()).unwrap();
            assert!(back.auth().is_none());
            assert!(back.same_share(&share.try_clone_for_tests().without_auth()));
        }
    }

    #[test]
    fn shares_without_a_reference_form_are_refused() {
        let shoup3 = keygen_shoup3(1, 3, 2, false);
        assert_eq!(export(&shoup3[0]).unwrap_err(), ExportError::Shoup3);

        let share = keygen(2, 2).remove(1).without_auth();
        let subset = share.subsets().next().unwrap();
        let value = share.sub_share(subset).unwrap();
        let with = |v: crate::secret::SecretBn| {
            KeyShare::new(
                2,
                share.scheme(),
                share.public().clone(),
                BTreeMap::from([(subset, v)]),
            )
            .unwrap()
        };
        let mut negative = value.try_clone();
        negative.negate();
        assert_eq!(
            export(&with(negative)).unwrap_err(),
            ExportError::Negative(subset)
        );
        // N itself: not below the modulus (older dealings drew up to 3200 bits).
        let n = crate::secret::SecretBn::new(crate::key::bn(share.public().modulus()));
        assert_eq!(export(&with(n)).unwrap_err(), ExportError::TooLarge(subset));
        let msg = ExportError::Negative(subset).to_string();
        assert!(msg.contains("no reference form") && !msg.contains('\n'));
    }
}
