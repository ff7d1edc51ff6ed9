//! Build-time facts for `mpcegosign --version`: the git commit of the source tree and
//! the versions of the crates that matter, read from Cargo.lock. Nothing here depends
//! on the time or the build directory, so that builds stay reproducible
//! (scripts/check-reproducible).

use std::path::Path;
use std::process::Command;

/// Crates whose versions `--version` reports, in this order.
const REPORTED: [&str; 6] = [
    "openssl",
    "openssl-src",
    "age",
    "zxing-cpp",
    "rxing",
    "qrcode",
];

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-env-changed=MPCEGOSIGN_GIT_COMMIT");
    println!("cargo:rustc-env=MPCEGOSIGN_GIT_COMMIT={}", git_commit());
    println!("cargo:rustc-env=MPCEGOSIGN_CRATES={}", crate_versions());
}

/// `MPCEGOSIGN_GIT_COMMIT` if set (builds from a tarball), else `git rev-parse HEAD`
/// with `-dirty` when tracked files differ from it, else "unknown".
fn git_commit() -> String {
    if let Ok(c) = std::env::var("MPCEGOSIGN_GIT_COMMIT") {
        return c;
    }
    let Some(head) = git(&["rev-parse", "HEAD"]) else {
        return "unknown".into();
    };
    // Rerun when HEAD moves or the index changes (a commit, a checkout, an add), and
    // when the sources the binary is built from change (so "-dirty" stays true).
    for path in [
        "src",
        "airgap/src",
        "airgap/Cargo.toml",
        "Cargo.toml",
        "build.rs",
    ] {
        println!("cargo:rerun-if-changed={path}");
    }
    for what in ["HEAD", "index"] {
        if let Some(p) = git(&["rev-parse", "--git-path", what]) {
            if Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
    if let Some(refname) = git(&["symbolic-ref", "-q", "HEAD"]) {
        if let Some(p) = git(&["rev-parse", "--git-path", &refname]) {
            if Path::new(&p).exists() {
                println!("cargo:rerun-if-changed={p}");
            }
        }
    }
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(s) if s.is_empty() => head,
        Some(_) => format!("{head}-dirty"),
        None => head,
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout)
        .ok()
        .map(|s| s.trim().to_string())
}

/// "name version" pairs, separated by ';', of the reported crates found in
/// Cargo.lock; openssl-src (the vendored OpenSSL source) only when it is built, and
/// zxing-cpp (the scanner's decoder) only with the `zxing` feature (else rxing decodes).
fn crate_versions() -> String {
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let parsed: toml::Value = match toml::from_str(&lock) {
        Ok(v) => v,
        Err(_) => return String::new(),
    };
    let packages = parsed
        .get("package")
        .and_then(|p| p.as_array())
        .cloned()
        .unwrap_or_default();
    // openssl-src builds the library only with the vendored-openssl feature.
    let vendored = std::env::var_os("CARGO_FEATURE_VENDORED_OPENSSL").is_some();
    let zxing = std::env::var_os("CARGO_FEATURE_ZXING").is_some();
    REPORTED
        .iter()
        .filter(|name| vendored || **name != "openssl-src")
        .filter(|name| zxing || **name != "zxing-cpp")
        .filter_map(|name| {
            let versions: Vec<&str> = packages
                .iter()
                .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some(name))
                .filter_map(|p| p.get("version").and_then(|v| v.as_str()))
                .collect();
            (!versions.is_empty()).then(|| format!("{name} {}", versions.join(", ")))
        })
        .collect::<Vec<_>>()
        .join(";")
}
