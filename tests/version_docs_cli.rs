//! `--version` (commit and locked crate versions), shell completions and man pages.

mod support;

use std::process::Command;

use support::cli::outcome;
use support::party::BIN;

fn run(args: &[&str], cwd: &std::path::Path) -> (i32, String, String) {
    outcome(Command::new(BIN).args(args).current_dir(cwd))
}

/// Version of `name` in the workspace's Cargo.lock, read line by line.
fn locked_version(name: &str) -> String {
    let lock = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.lock")).unwrap();
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l == format!("name = \"{name}\"") {
            let v = lines.next().unwrap();
            return v
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .unwrap()
                .to_string();
        }
    }
    panic!("{name} not in Cargo.lock");
}

#[test]
fn version_names_commit_and_locked_crates() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, out, err) = run(&["--version"], tmp.path());
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    assert_eq!(
        lines.next().unwrap(),
        format!("mpcegosign {}", env!("CARGO_PKG_VERSION"))
    );
    let commit = lines.next().unwrap().strip_prefix("commit: ").unwrap();
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    match head {
        // The test binary and the tool were built from the same tree.
        Some(h) => assert!(
            commit == h || commit == format!("{h}-dirty"),
            "{commit} vs HEAD {h}"
        ),
        None => assert_eq!(commit, "unknown"),
    }
    // zxing-cpp: the scanner's decoder (the default `zxing` feature, which the
    // README's test command keeps).
    for name in ["openssl", "age", "zxing-cpp", "rxing", "qrcode"] {
        let line = format!("{name}: {}", locked_version(name));
        assert!(out.lines().any(|l| l == line), "no `{line}` in:\n{out}");
    }
    let lib = out
        .lines()
        .find_map(|l| l.strip_prefix("OpenSSL library: "))
        .unwrap();
    assert!(lib.starts_with("OpenSSL "), "{lib}");
    // -V: one line with the commit.
    let (_, short, _) = run(&["-V"], tmp.path());
    assert_eq!(
        short.trim_end(),
        format!("mpcegosign {} (commit {commit})", env!("CARGO_PKG_VERSION"))
    );
}

const SUBCOMMANDS: [&str; 12] = [
    "keygen", "sign", "signerid", "verify", "prepare", "finish", "selftest", "share", "policy",
    "recover", "reshare", "demo",
];

#[test]
fn completions_know_every_subcommand() {
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let (code, out, err) = run(&["completions", shell], tmp.path());
        assert_eq!(code, 0, "{shell}: {err}");
        for sub in SUBCOMMANDS {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
        // Flags of nested commands too.
        assert!(out.contains("passphrase-file"), "{shell}");
    }
    let (code, _, err) = run(&["completions", "tcsh"], tmp.path());
    assert_eq!(code, 2);
    assert!(err.contains("invalid value 'tcsh'"), "{err}");
}

#[test]
fn man_pages_render() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, page, err) = run(&["manpage"], tmp.path());
    assert_eq!(code, 0, "{err}");
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq"),
        "not roff: {}",
        &page[..40]
    );
    assert!(page.contains(".TH mpcegosign 1"), "no title header");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("mpcegosign\\-{sub}(1)")), "{sub}");
    }
    let dir = tmp.path().join("man");
    std::fs::create_dir(&dir).unwrap();
    let (code, _, err) = run(&["manpage", "--out-dir", "man"], tmp.path());
    assert_eq!(code, 0, "{err}");
    for sub in SUBCOMMANDS {
        assert!(dir.join(format!("mpcegosign-{sub}.1")).is_file(), "{sub}");
    }
    assert!(dir.join("mpcegosign-share-backup.1").is_file());
    assert!(dir.join("mpcegosign-share-restore.1").is_file());
    // Never replaced.
    let (code, _, err) = run(&["manpage", "--out-dir", "man"], tmp.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("already exists; choose an empty --out-dir"),
        "{err}"
    );
    // Rendered by man(1) when it is installed (.ci/deps installs man-db).
    if Command::new("man").arg("--version").output().is_ok() {
        let out = Command::new("man")
            .args(["-l", "-P", "cat"])
            .arg(dir.join("mpcegosign-sign.1"))
            .env("MANWIDTH", "80")
            .output()
            .unwrap();
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("--expect-mrenclave"), "{text}");
        assert!(text.contains("NAME"), "{text}");
    }
}
