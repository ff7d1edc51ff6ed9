//! What `mpcegosign --version` reports: the tool's version, the git commit it was
//! built from, and the versions of the crates that matter for review (captured by
//! build.rs from git and Cargo.lock; no time stamps, so builds stay reproducible).

use std::sync::OnceLock;

/// The crate version, e.g. "0.1.0".
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The git commit (40 hex digits, "-dirty" if tracked files differed from it) or
/// "unknown" when built outside a git checkout.
pub const GIT_COMMIT: &str = env!("MPCEGOSIGN_GIT_COMMIT");

/// `(crate, version)` of openssl, (openssl-src when vendored,) age, (zxing-cpp, the
/// QR decoder, with the `zxing` feature,) rxing and qrcode, as locked in Cargo.lock.
pub fn crate_versions() -> Vec<(&'static str, &'static str)> {
    env!("MPCEGOSIGN_CRATES")
        .split(';')
        .filter_map(|pair| pair.split_once(' '))
        .collect()
}

/// The OpenSSL library this binary runs with, e.g. "OpenSSL 3.0.15 3 Sep 2024".
pub fn openssl_library() -> &'static str {
    openssl::version::version()
}

/// The short version line: "0.1.0 (commit 0123abcd…)".
pub fn short_version() -> &'static str {
    static S: OnceLock<String> = OnceLock::new();
    S.get_or_init(|| format!("{VERSION} (commit {GIT_COMMIT})"))
}

/// The long version text printed by `--version`.
pub fn long_version() -> &'static str {
    static S: OnceLock<String> = OnceLock::new();
    S.get_or_init(|| render_long(VERSION, GIT_COMMIT, &crate_versions(), openssl_library()))
}

fn render_long(version: &str, commit: &str, crates: &[(&str, &str)], openssl_lib: &str) -> String {
    let mut out = format!("{version}\ncommit: {commit}\n");
    for (name, v) in crates {
        out.push_str(&format!("{name}: {v}\n"));
    }
    out.push_str(&format!("OpenSSL library: {openssl_lib}"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_version_lists_every_crate_and_the_library() {
        let text = render_long(
            "9.9.9",
            "abc",
            &[("age", "0.11.1"), ("rxing", "0.9.3")],
            "OpenSSL 3",
        );
        assert_eq!(
            text,
            "9.9.9\ncommit: abc\nage: 0.11.1\nrxing: 0.9.3\nOpenSSL library: OpenSSL 3"
        );
    }

    #[test]
    fn the_build_captured_the_reported_crates() {
        let names: Vec<&str> = crate_versions().iter().map(|(n, _)| *n).collect();
        for want in ["openssl", "age", "rxing", "qrcode"] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        assert!(!GIT_COMMIT.is_empty());
    }
}
