//! An encrypted share for tests of passphrase paths: the fixture share
//! `tests/fixtures/shares/valid-v2.json`, encrypted by `mpcegosign share encrypt`
//! with a passphrase file and a small scrypt work factor (10: fast).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::party::BIN;

/// The scrypt work factor the test shares are encrypted with, as an environment
/// variable for `mpcegosign`.
pub const WORK_FACTOR: (&str, &str) = ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10");

/// Copies the fixture share to `dir/share_1.json`, encrypts it with the passphrase
/// in the file `pass`, and returns the encrypted file, `dir/share_1.json.age`.
pub fn encrypted_fixture_share(dir: &Path, pass: &Path) -> PathBuf {
    let plain = dir.join("share_1.json");
    std::fs::copy("tests/fixtures/shares/valid-v2.json", &plain).unwrap();
    let out = Command::new(BIN)
        .args(["share", "encrypt", "--passphrase-file"])
        .arg(pass)
        .arg(&plain)
        .env(WORK_FACTOR.0, WORK_FACTOR.1)
        .env_remove("MPCEGOSIGN_PASSPHRASE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("share_1.json.age")
}
