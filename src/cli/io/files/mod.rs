//! Files the commands read and write: share files and public keys, shares saved
//! before their key code was confirmed, the signer's policy gate (the policy file in
//! force and the audit log's SVN check), the enclave or SIGSTRUCT a command signs, and
//! the batch file of `sign --batch` (`release`).

pub mod enclave_target;
pub mod framework_target;
pub mod policy;
pub mod release;
pub mod shares;
pub mod unconfirmed;
