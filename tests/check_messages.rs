//! The one-line refusals of checks that are written once in the library and worded by
//! the command that calls them: a party out of the key's range (`--signers`), a value
//! that is not 64 hex digits (`--expect-mrenclave`, `audit verify --anchor`).

mod support;

use std::process::Command;

use support::cli::outcome;
use support::party::BIN;

fn run(args: &[&str], cwd: &std::path::Path) -> (i32, String) {
    let (code, _, err) = outcome(
        Command::new(BIN)
            .args(args)
            .current_dir(cwd)
            .env_remove("MPCEGOSIGN_PASSPHRASE")
            .env_remove("EGO_PATH")
            .stdin(std::process::Stdio::null()),
    );
    (code, err)
}

#[test]
fn party_and_hex_refusals_name_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    // A 2-of-3 share, copied so that its audit log (beside it) lands in the temp dir.
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/shares/valid-v2.json"
        ),
        dir.join("share.json"),
    )
    .unwrap();
    let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
    std::fs::set_permissions(dir.join("share.json"), private).unwrap();
    let hex = "ab".repeat(32);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "sign",
                "--share",
                "share.json",
                "--config",
                "enclave.json",
                "--signers",
                "1,4",
            ],
            "mpcegosign: --signers: party 4 is not in 1..=3\n",
        ),
        (
            &[
                "sign",
                "--share",
                "share.json",
                "--config",
                "enclave.json",
                "--signers",
                "0,1",
            ],
            "mpcegosign: --signers: party 0 is not in 1..=3\n",
        ),
        (
            &[
                "sign",
                "--share",
                "share.json",
                "--expect-mrenclave",
                &hex[..62],
            ],
            "mpcegosign: --expect-mrenclave needs 64 hexadecimal digits\n",
        ),
        (
            &["audit", "verify", "log.jsonl", "--anchor", "xyz"],
            "mpcegosign: --anchor needs the 64 hex digits of a line hash\n",
        ),
    ];
    for (args, want) in cases {
        let (code, err) = run(args, dir);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(&err, want, "{args:?}");
    }
}
