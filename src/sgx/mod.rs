//! Intel SGX structures as EGo's oesign fills them, where they sit in an ELF, and
//! other frameworks' signing inputs and outputs (Gramine, the Intel SDK, Open Enclave).

pub mod frameworks;
pub mod oeinfo;
pub mod sigstruct;

pub use sigstruct::{Date, SignedRegions, Sigstruct, SigstructError, SIGSTRUCT_LEN};
