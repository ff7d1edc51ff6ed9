//! Intel SGX structures as EGo's oesign fills them, and where they sit in an ELF.

pub mod oeinfo;
pub mod sigstruct;

pub use sigstruct::{Date, SignedRegions, Sigstruct, SigstructError, SIGSTRUCT_LEN};
