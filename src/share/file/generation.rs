//! The generation and retired state in a version-3 share file, both optional and
//! absent for a dealt, active share (so that every file written before them reads and
//! writes unchanged):
//! `"generation": { "number": 1, "refresh_session": "<hex16>", "refresh_transcript": "<hex32>" }`
//! (number at least 1: generation 0 is written by leaving the field out) and
//! `"retired": { "by": "<hex32>" }` (the transcript hash of what replaced the share,
//! never all zero).

use serde::{Deserialize, Serialize};

use super::{hex_array, ShareError};
use crate::protocol::SessionId;
use crate::share::Refreshed;

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGeneration {
    number: serde_json::Value,
    refresh_session: String,
    refresh_transcript: String,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRetired {
    by: String,
}

/// The generation of a share file's `"generation"` field (checked: number ≥ 1, hex of
/// the right lengths, a transcript that is not all zero).
pub(super) fn parse_generation(raw: &RawGeneration) -> Result<Refreshed, ShareError> {
    let number = raw
        .number
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or(ShareError::FieldType {
            field: "generation.number",
            expected: "a whole number from 1 to 4294967295",
        })?;
    if number == 0 {
        return Err(ShareError::Generation(
            "number 0 with a refresh (a dealt share has no `generation` field)",
        ));
    }
    let transcript = hex_array(&raw.refresh_transcript, "generation.refresh_transcript")?;
    if transcript == [0; 32] {
        return Err(ShareError::Generation(
            "refresh_transcript is all zero, which no refresh makes",
        ));
    }
    Ok(Refreshed {
        number,
        session: SessionId(hex_array(
            &raw.refresh_session,
            "generation.refresh_session",
        )?),
        transcript,
    })
}

/// The transcript hash of a share file's `"retired"` field (never all zero).
pub(super) fn parse_retired(raw: &RawRetired) -> Result<[u8; 32], ShareError> {
    let by = hex_array(&raw.by, "retired.by")?;
    if by == [0; 32] {
        return Err(ShareError::Generation(
            "retired.by is all zero: it must name the transcript of what replaced the share",
        ));
    }
    Ok(by)
}

/// The `"generation"` field of a share of generation ≥ 1.
pub(super) fn out_generation(r: &Refreshed) -> RawGeneration {
    RawGeneration {
        number: r.number.into(),
        refresh_session: hex::encode(r.session.0),
        refresh_transcript: hex::encode(r.transcript),
    }
}

/// The `"retired"` field of a retired share.
pub(super) fn out_retired(by: &[u8; 32]) -> RawRetired {
    RawRetired {
        by: hex::encode(by),
    }
}
