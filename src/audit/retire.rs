//! The record of `share retire` ([`RetireEvent`]): a holder marked its share retired,
//! replaced by the refresh or reshare whose transcript hash it names, and its check
//! against a roster (the share must be of this roster's keygen). The record holds no
//! message: it is the holder's own statement, vouched for by the hash chain.

use serde::{Deserialize, Serialize};

/// A share marked retired by its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetireEvent {
    /// The keygen transcript hash (hex) of the share's roster.
    pub keygen_transcript: String,
    /// The share's generation (0: as dealt) and its id (hex).
    pub generation: u32,
    pub generation_id: String,
    /// What replaced it: a reshare's new keygen transcript hash, or a refresh's
    /// transcript hash (hex).
    pub by: String,
    /// SHA-256 (hex) of the share file as rewritten (encrypted, it tells nothing).
    pub file_sha256: String,
}

/// What the check of a retire record against the roster with keygen transcript
/// `roster_transcript` says: `Err` when it is of another roster (not checked against
/// this one), else its summary.
pub fn check(party: u8, e: &RetireEvent, roster_transcript: &[u8; 32]) -> Result<String, String> {
    if e.keygen_transcript != hex::encode(roster_transcript) {
        return Err(format!(
            "a share of another roster (keygen transcript {}) retired; not this roster's",
            e.keygen_transcript.get(..8).unwrap_or(&e.keygen_transcript)
        ));
    }
    Ok(format!(
        "party {party} retired its share of generation {} (replaced by {})",
        e.generation,
        e.by.get(..8).unwrap_or(&e.by)
    ))
}
