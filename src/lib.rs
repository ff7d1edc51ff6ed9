//! mpcegosign: t-of-n threshold signing of EGo SGX enclaves with an RSA-3072, e = 3 key.
//!
//! The logic lives here (key math, both threshold schemes, share files, SIGSTRUCT,
//! ceremony messages and state machines, the audit log, the signer policy); the
//! terminal and the camera live in the CLI (`src/cli`) and in the `airgap` crate. The
//! file and process I/O here is kept to a few modules: `fsutil` (atomic writes,
//! regular files only), `audit::log` and `audit::svn` (the log file), `policy::file`
//! (reading the policy), `ego` (the executable, and running `ego-oesign`) and `hsm`
//! (the PKCS#11 token). Modules import only downwards (audit → ceremony → share →
//! ego/protocol/policy → sgx/hsm/threshold → key → the single files at the bottom);
//! `docs/architecture.md` gives the tour.
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
