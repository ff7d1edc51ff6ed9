//! mpcegosign: t-of-n threshold signing of EGo SGX enclaves with an RSA-3072, e = 3 key.
//!
//! Pure logic lives here (key math, threshold scheme, share files, SIGSTRUCT,
//! ceremony messages and state machines); terminal, camera and process I/O live in
//! the CLI (`src/cli`) and in the `airgap` crate.
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod audit;
pub mod backup;
pub mod build_info;
pub mod ceremony;
pub mod ego;
pub mod fsutil;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod hex32;
pub mod hsm;
pub mod identity;
pub mod key;
pub mod locked;
pub mod policy;
pub mod protocol;
pub mod sanitize;
pub mod secret;
pub mod sgx;
pub mod share;
pub mod threshold;
pub mod transport;
