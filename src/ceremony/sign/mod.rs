//! The signing ceremony. The initiator sends SIGN-INIT with the SIGSTRUCT's signed
//! regions; each signer rebuilds the digest itself, checks what it is asked to sign,
//! and answers with SIGN-PARTIAL (or ABORT). The initiator checks every partial on
//! arrival and combines: for `shoup3` any t partials whose proofs verify; for
//! `subsets` the first complete subset, moving on to another if one fails to verify.
//!
//! Every message is signed with its sender's identity key when the sender's share
//! has one (file version 3), and checked against the receiver's roster. A message
//! that claims a party's name without its signature is ignored with one line and
//! leaves no trace, so a forged partial or ABORT sent first cannot stop the genuine
//! one. A share without a roster (the reference's formats) cannot authenticate:
//! such an initiator keeps every candidate partial of a party and tries each.
//!
//! A SIGN-INIT names the generation of the key's shares (0 as dealt, g ≥ 1 after the
//! g-th refresh): a signer whose share is of another generation refuses it before
//! computing anything, and a retired share neither starts nor answers a signing.
//!
//! One file per role: `review` (the signer's checks of a SIGN-INIT), `signer` (its
//! SIGN-PARTIAL or ABORT), `initiator` (SIGN-INIT, then each answer), and
//! `collection` (the partials collected, behind the scheme: subset planning for
//! `subsets`, proof checks for `shoup3`). `error` names every refusal. `batch` and
//! `batch_collection`: several enclaves in one ceremony (SIGN-INIT-BATCH,
//! SIGN-PARTIAL-BATCH), reusing the single review's checks on each enclave.

mod batch;
mod batch_collection;
mod collection;
mod error;
mod initiator;
mod review;
mod signer;

pub use batch::{review_batch, BatchInitiator, BatchItem, BatchProgress, BatchReview, BatchTarget};
pub use error::SignError;
pub use initiator::{Initiator, Progress};
pub use review::{check_not_retired, request_origin, review, Origin, Review, SignPolicy};
pub use signer::{decline, decline_request};

/// The most distinct candidate messages kept per party (only an unauthenticated
/// initiator ever holds more than one).
pub const MAX_CANDIDATES: usize = 4;

/// "a, b, c", or "none" for an empty list (error messages).
fn list_or_none(v: Vec<String>) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}
