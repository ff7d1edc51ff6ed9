//! CLI snapshots: for bad input, the exact one-line error and the exit code.

mod support;

use std::process::Command;

use support::cli::outcome;
use support::party::BIN;

fn run(args: &[&str], cwd: &std::path::Path) -> (i32, String, String) {
    outcome(
        Command::new(BIN)
            .args(args)
            .current_dir(cwd)
            .env_remove("MPCEGOSIGN_PASSPHRASE")
            .env_remove("EGO_PATH")
            .stdin(std::process::Stdio::null()),
    )
}

#[test]
fn one_line_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("public.pem"), "x").unwrap();
    std::fs::create_dir(dir.join("empty")).unwrap();
    std::fs::write(dir.join("garbage.pem"), "not a key").unwrap();
    std::fs::write(dir.join("short.sigstruct"), [0u8; 100]).unwrap();
    let cases: &[(&[&str], i32, &str)] = &[
        (
            &["keygen", "--parties", "3", "--threshold", "5", "--out-dir", "empty"],
            1,
            "mpcegosign: threshold 5 of 3 parties is not allowed: need 2 <= t <= n <= 16\n",
        ),
        (
            &["keygen", "--parties", "3", "--out-dir", "missing"],
            1,
            "mpcegosign: cannot use the output directory missing: no such file or directory\n",
        ),
        (
            &["keygen", "--parties", "3", "--out-dir", "."],
            1,
            "mpcegosign: . already holds public.pem; use another --out-dir, or --force to replace it\n",
        ),
        (
            &["keygen", "--parties", "2", "--out-dir", "empty", "--import", "garbage.pem", "--plaintext-share"],
            1,
            "mpcegosign: cannot import garbage.pem: not an RSA key in PEM form (no -----BEGIN line); it must be an RSA-3072 key with e = 3, as `openssl genrsa -3 3072` writes\n",
        ),
        (
            &["sign", "--share", "nothere.json"],
            1,
            "mpcegosign: cannot read the share nothere.json: no such file or directory\n",
        ),
        (
            &["sign", "--share", "nothere.json", "--out", "x"],
            1,
            "mpcegosign: --out is for the initiator; add --config enclave.json to start a signing ceremony\n",
        ),
    ];
    for (args, code, stderr) in cases {
        let (c, out, err) = run(args, dir);
        assert_eq!(
            (c, err.as_str()),
            (*code, *stderr),
            "mpcegosign {}",
            args.join(" ")
        );
        assert!(out.is_empty(), "nothing on stdout for an error");
    }
}

#[test]
fn a_machine_without_a_camera_is_told_the_alternatives() {
    let tmp = tempfile::tempdir().unwrap();
    let hint = "scan photos or PNG frames with --scan DIR|FILE…, or use --transport text\n";
    let (code, _, err) = run(&["cameras"], tmp.path());
    assert_eq!(code, 1);
    assert!(
        err.starts_with("mpcegosign: ") && err.ends_with(hint) && err.lines().count() == 1,
        "{err}"
    );
    // A joiner in QR mode without --scan needs the camera first.
    let (code, _, err) = run(
        &[
            "keygen",
            "--transport",
            "qr",
            "--qr-out",
            ".",
            "--out-dir",
            ".",
            "--plaintext-share",
        ],
        tmp.path(),
    );
    assert_eq!(code, 1);
    assert!(err.ends_with(hint) && err.lines().count() == 1, "{err}");
}
