//! The CLI's plumbing, below the commands: the terminal (questions, pasted input,
//! passphrases, Ctrl-C), the process's hardening, the transports (pasted text,
//! animated QR) and files (shares, unconfirmed shares, the policy gate, enclaves to
//! sign). Nothing here imports a command.

pub mod files;
pub mod harden;
pub mod terminal;
pub mod transport;
