//! Shares at rest: age passphrase files, interop with the `age` CLI, and the errors
//! that must leave existing files untouched.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::ceremony::{keygen, sign};
use support::cli::outcome;
use support::party::BIN;

const PASS: &str = "correct horse battery staple";

fn env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("MPCEGOSIGN_PASSPHRASE", PASS),
        ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10"),
    ]
}

fn run(args: &[&str], envs: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("MPCEGOSIGN_PASSPHRASE")
        .stdin(Stdio::null());
    for (k, v) in envs {
        c.env(k, v);
    }
    outcome(&mut c)
}

/// Runs the `age` CLI under a pseudo-terminal (it reads passphrases only from a
/// terminal), feeding `input` as typed lines.
fn age_cli(args: &str, input: &str) -> bool {
    let mut child = Command::new("script")
        .args(["-qec", &format!("age {args}"), "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("script(1) from util-linux");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait().unwrap().success()
}

fn unsigned(dir: &Path) -> PathBuf {
    support::write_unsigned_sigstruct(&dir.join("unsigned"), false, [1; 32])
}

#[test]
fn encrypted_ceremony_end_to_end_and_age_interop() {
    let tmp = tempfile::tempdir().unwrap();
    let envs = env();
    let dirs = keygen(tmp.path(), 3, 2, &[], &[], &envs);
    for (i, d) in dirs.iter().enumerate() {
        let share = d.join(format!("share_{}.json.age", i + 1));
        let bytes = std::fs::read(&share).unwrap();
        assert!(
            bytes.starts_with(b"age-encryption.org/v1\n"),
            "share {i} is an age file"
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&share).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(!d.join(format!("share_{}.json", i + 1)).exists());
    }
    // Signing with encrypted shares only.
    let u = unsigned(tmp.path());
    let out = tmp.path().join("signed");
    let s1 = dirs[0].join("share_1.json.age");
    let end = sign(
        &[
            "sign",
            "--sigstruct",
            u.to_str().unwrap(),
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            "1,2",
        ],
        &[(dirs[1].join("share_2.json.age"), vec![])],
        &envs,
    );
    assert!(end.status.success(), "{}", end.stderr);
    assert_eq!(std::fs::read(&out).unwrap().len(), 1808);

    // Our file decrypts with the age CLI, and the JSON is our version 3 of the
    // reference share format (with the roster and the identity key).
    let plain = tmp.path().join("plain.json");
    assert!(age_cli(
        &format!("-d -o {} {}", plain.display(), s1.display()),
        &format!("{PASS}\n")
    ));
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&plain).unwrap()).unwrap();
    assert_eq!(json["version"], 3);
    assert_eq!(json["scheme"], "subsets");
    assert_eq!(json["keygen"]["roster"].as_array().unwrap().len(), 3);
    assert_eq!(json["party_index"], 1);
    assert_eq!(json["shares"].as_object().unwrap().len(), 2);

    // A file encrypted by the age CLI loads in `sign --share` (here: share info).
    let theirs = tmp.path().join("theirs.json.age");
    assert!(age_cli(
        &format!("-p -o {} {}", theirs.display(), plain.display()),
        &format!("{PASS}\n{PASS}\n")
    ));
    let (code, stdout, stderr) = run(&["share", "info", theirs.to_str().unwrap()], &envs);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("party:      1 of 3") && stdout.contains("threshold:  2-of-3"),
        "{stdout}"
    );
    assert!(stdout.contains("encrypted:  yes"), "{stdout}");
}

#[test]
fn errors_leave_files_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let envs = env();
    let dirs = keygen(tmp.path(), 2, 2, &[], &[], &envs);
    let share = dirs[0].join("share_1.json.age");
    let original = std::fs::read(&share).unwrap();
    let s = share.to_str().unwrap();

    let wrong = [
        ("MPCEGOSIGN_PASSPHRASE", "not it"),
        ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10"),
    ];
    let (code, _, err) = run(&["share", "info", s], &wrong);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            format!("mpcegosign: {s}: wrong passphrase for this share file\n").as_str()
        )
    );

    // Truncated and corrupted copies.
    let trunc = tmp.path().join("trunc.json.age");
    std::fs::write(&trunc, &original[..original.len() - 20]).unwrap();
    let (code, _, err) = run(&["share", "info", trunc.to_str().unwrap()], &envs);
    assert_eq!(code, 1);
    assert!(
        err.ends_with(
            "the encrypted share file is truncated or corrupted; restore it from a backup\n"
        ),
        "{err}"
    );
    let mut bad = original.clone();
    let n = bad.len();
    bad[n - 5] ^= 0x20;
    let corrupt = tmp.path().join("corrupt.json.age");
    std::fs::write(&corrupt, &bad).unwrap();
    let (code, _, err) = run(&["share", "info", corrupt.to_str().unwrap()], &envs);
    assert_eq!(code, 1);
    assert!(err.contains("truncated or corrupted"), "{err}");

    // No passphrase source and no terminal.
    let (code, _, err) = run(&["share", "info", s], &[]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no terminal to ask the passphrase")
            && err.contains("--passphrase-file FILE or set MPCEGOSIGN_PASSPHRASE"),
        "{err}"
    );

    // Decrypting over an existing file is refused.
    let existing = tmp.path().join("exists.json");
    std::fs::write(&existing, b"keep me").unwrap();
    let (code, _, err) = run(
        &["share", "decrypt", s, "--out", existing.to_str().unwrap()],
        &envs,
    );
    assert_eq!(code, 1);
    assert!(err.contains("already exists; pass --force"), "{err}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");

    // Keygen into a directory that already holds a share, and into an unwritable one.
    let (code, _, err) = run(
        &[
            "keygen",
            "--scheme",
            "subsets",
            "--parties",
            "2",
            "--out-dir",
            dirs[0].to_str().unwrap(),
        ],
        &envs,
    );
    assert_eq!(code, 1);
    assert!(err.contains("already holds public.pem"), "{err}");
    let (code, _, err) = run(
        &[
            "keygen",
            "--scheme",
            "subsets",
            "--parties",
            "2",
            "--out-dir",
            "/proc/1",
        ],
        &envs,
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("mpcegosign: cannot write in /proc/1:"),
        "{err}"
    );

    // A share next to another key's public.pem is refused by sign.
    let other = keygen(
        &tmp.path().join("other"),
        2,
        2,
        &[],
        &["--plaintext-share"],
        &[],
    );
    std::fs::copy(other[0].join("public.pem"), dirs[1].join("public.pem")).unwrap();
    let s2 = dirs[1].join("share_2.json.age");
    let (code, _, err) = run(&["sign", "--share", s2.to_str().unwrap()], &envs);
    assert_eq!(code, 1);
    assert!(err.contains("they are from different keys"), "{err}");
    let (code, _, err) = run(
        &[
            "share",
            "info",
            s,
            "--key",
            other[0].join("public.pem").to_str().unwrap(),
        ],
        &envs,
    );
    assert_eq!(code, 1);
    assert!(err.contains("they are from different keys"), "{err}");

    assert_eq!(
        std::fs::read(&share).unwrap(),
        original,
        "the share was never touched"
    );
}

#[test]
fn share_commands() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let plain = dirs[1].join("share_2.json");
    let envs = env();
    let (code, _, err) = run(&["share", "encrypt", plain.to_str().unwrap()], &envs);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Now destroy the plain"), "{err}");
    let enc = dirs[1].join("share_2.json.age");
    let (code, out, _) = run(&["share", "info", enc.to_str().unwrap()], &envs);
    assert_eq!(code, 0);
    assert!(out.contains("sub-shares: 1"), "{out}");
    // Again: refuses to replace the encrypted file.
    let (code, _, err) = run(&["share", "encrypt", plain.to_str().unwrap()], &envs);
    assert_eq!(code, 1);
    assert!(err.contains("already exists"), "{err}");

    // passwd: old passphrase from the environment, new one from a file.
    let newpass = tmp.path().join("new.txt");
    std::fs::write(&newpass, "a different long passphrase\n").unwrap();
    let (code, _, err) = run(
        &[
            "share",
            "passwd",
            enc.to_str().unwrap(),
            "--new-passphrase-file",
            newpass.to_str().unwrap(),
        ],
        &envs,
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, _) = run(&["share", "info", enc.to_str().unwrap()], &envs);
    assert_eq!(code, 1, "the old passphrase no longer opens it");
    let (code, out, err) = run(
        &[
            "share",
            "info",
            enc.to_str().unwrap(),
            "--passphrase-file",
            newpass.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("party:      2 of 2"));

    // decrypt to a file gives back the same share.
    let back = tmp.path().join("back.json");
    let (code, _, err) = run(
        &[
            "share",
            "decrypt",
            enc.to_str().unwrap(),
            "--out",
            back.to_str().unwrap(),
            "--passphrase-file",
            newpass.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("Warning: the output is the share in clear"));
    assert_eq!(
        std::fs::read(&back).unwrap(),
        std::fs::read(&plain).unwrap()
    );
}
