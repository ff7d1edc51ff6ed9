//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod ceremony;
pub mod cli;
pub mod ego;
pub mod elf;
pub mod encrypted;
pub mod lifecycle;
pub mod memory;
pub mod one_key;
pub mod party;
pub mod pty;
pub mod script;
pub mod shares;
pub mod tmux;
pub mod two_party;

use std::path::{Path, PathBuf};

use mpcegosign::sgx::sigstruct::SigstructFields;
use mpcegosign::sgx::{Date, Sigstruct};

/// The path of the fixture key `tests/fixtures/keys/NAME`.
pub fn fixture_key_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(name)
}

/// [`fixture_key_path`] as a command-line argument.
pub fn fixture_key(name: &str) -> String {
    fixture_key_path(name).display().to_string()
}

/// Writes an unsigned SIGSTRUCT dated today (UTC) to `path`, as an initiator's
/// `--sigstruct` input.
pub fn write_unsigned_sigstruct(path: &Path, debug: bool, mrenclave: [u8; 32]) -> PathBuf {
    let s = Sigstruct::build(&SigstructFields {
        date: Date::today_utc(),
        debug,
        mrenclave,
        isv_prod_id: 4,
        isv_svn: 7,
    });
    std::fs::write(path, s.as_bytes()).unwrap();
    path.to_path_buf()
}
