//! Files the commands read and write: share files and public keys, shares saved
//! before their key code was confirmed, and the enclave or SIGSTRUCT a command signs.

pub mod enclave_target;
pub mod framework_target;
pub mod policy;
pub mod shares;
pub mod unconfirmed;
