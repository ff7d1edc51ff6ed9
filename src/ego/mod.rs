//! Signing EGo enclaves as `ego sign` does: its `enclave.json` (config, validation,
//! the payload JSON, with Go's JSON and path rules in `gojson` and `gopath`), its
//! checks on the executable, embedding the payload, finding the EGo installation and
//! running its `ego-oesign` (with the certificate and signature files of `cert`);
//! `flow` strings these together for the initiator. `request` and `signature` are
//! the two-step `prepare` / `finish` for one key held elsewhere. See `docs/ego.md`.

pub mod cert;
pub mod checks;
pub mod config;
pub mod embed;
pub mod flow;
mod gojson;
pub mod gopath;
pub mod locate;
pub mod oesign;
pub mod payload;
pub mod request;
pub mod signature;

pub use checks::{CheckError, ExeInfo, Runtime};
pub use config::{ConfigError, EnclaveConfig};
pub use embed::{embed_payload, EmbedError};
pub use flow::{apply_signature, measure, prepare, EgoError, Measured, Prepared};
pub use locate::{EgoInstall, LocateError};
pub use oesign::{DumpInfo, Oesign, OesignError};
