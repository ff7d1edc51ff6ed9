//! The person at the keyboard: the one reader of stdin and its bounded lines, the
//! terminal's mode while messages are pasted, questions and notes, passphrases, and
//! what Ctrl-C, SIGTERM and SIGHUP do (the terminal put back, temporary files removed).

pub mod bounded_line;
pub mod console;
pub mod input;
pub mod passphrase;
pub mod signals;
pub mod tty;
