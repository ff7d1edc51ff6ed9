//! A fake EGo installation for tests: `bin/ego-oesign` is the test double.

use std::path::Path;

use mpcegosign::ego::locate::{ENCLAVE, ENCLAVE_FIPS, OESIGN, SYMCRYPT};

use super::elf;

/// Lays out `root` like an EGo installation whose oesign is `double`.
pub fn fake_install(root: &Path, double: &str) {
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir_all(root.join("share")).unwrap();
    std::os::unix::fs::symlink(double, root.join(OESIGN)).unwrap();
    std::fs::write(root.join(ENCLAVE), elf::runtime_image("standard")).unwrap();
    std::fs::write(root.join(ENCLAVE_FIPS), elf::runtime_image("fips140")).unwrap();
    std::fs::write(root.join(SYMCRYPT), b"\x7fELF symcrypt").unwrap();
}
