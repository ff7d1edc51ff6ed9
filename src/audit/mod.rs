//! The audit log: one JSON line per keygen, signing, recover, reshare or refresh (and per
//! share retired), hash-chained, and
//! its verification against a public roster of identity keys.
//!
//! - `record`: the versioned record types and the line encoding (each line ends
//!   with the SHA-256 of its own content, and holds the SHA-256 of the line before).
//! - `build`: records made from the raw messages a ceremony sent and accepted.
//! - `lines`: a file read line by line, never more than one record's worth at once.
//! - `chain`: the hash chain of a file, checked as a stream with bounded state:
//!   altered, deleted, re-ordered and copied lines, each told apart; a file that is
//!   no log refused in one line.
//! - `scan`: a log read through the chain check, record by record.
//! - `roster`: `public-roster.json`, the public half of a keygen.
//! - `verify`: every record's message signatures checked against a roster.
//! - `pairing`: whether a SIGN-PARTIAL is bound to the SIGN-INIT it is recorded with.
//! - `recover`: the record of a `recover` (shares given to one holder) and its check.
//! - `retire`: the record of a share marked retired (`share retire`) and its check.
//! - `reshare`: a key followed from an old roster to a new one: the keygen record's
//!   `reshare` member and the dealer's `reshare` record, built and checked.
//! - `refresh`: the `refresh` record (generation g to g + 1), built and checked.
//! - `follow`: `verify` across a log that moves from roster to roster.
//! - `show`: the table of signings.
//! - `svn`: the highest ISVSVN signed per ISVPRODID, for SVN anti-rollback.
//! - `log`: the only file I/O: append (0600, locked, fsync'ed) and read.
//!
//! Pure except `log`; nothing here touches the terminal.

pub mod build;
pub mod chain;
pub mod follow;
pub mod lines;
pub mod log;
pub mod pairing;
pub mod record;
pub mod recover;
pub mod refresh;
pub mod reshare;
pub mod retire;
pub mod roster;
pub mod scan;
pub mod show;
pub mod svn;
pub mod verify;

pub use record::{Record, GENESIS, LOG_FILE_NAME, RECORD_VERSION};

/// Errors of the audit library.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("a message for the audit record is unreadable: {0}")]
    Message(String),
    #[error("the audit record has no {0}")]
    Missing(&'static str),
    #[error("the public roster is not valid: {0}")]
    Roster(String),
    #[error("the share has no roster of identity keys (reference format, version 1 or 2): there is nothing to check signatures against")]
    NoRoster,
    #[error("the audit log {path} ends with an incomplete or damaged line: {why}; run `mpcegosign audit verify` on it, and move it aside to start a new log")]
    DamagedTail { path: String, why: String },
    #[error("cannot {what} the audit log {path}: {reason}")]
    Io {
        what: &'static str,
        path: String,
        reason: String,
    },
}

#[cfg(test)]
mod lineage_tests;
#[cfg(test)]
mod tests;
