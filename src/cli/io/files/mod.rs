//! Files the commands read and write: share files and public keys, shares saved
//! before their key code was confirmed, the signer's policy gate (the policy file in
//! force and the audit log's SVN check), and the enclave or SIGSTRUCT a command signs.

pub mod enclave_target;
pub mod framework_target;
pub mod policy;
pub mod shares;
pub mod unconfirmed;
