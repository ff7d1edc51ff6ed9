//! The static release binary runs with no shared libraries: `ldd` calls it static,
//! and under `env -i` from an empty directory it prints `--version`, passes
//! `selftest --scan`, and signs an enclave over the text transport with the EGo
//! double. Ignored by `cargo test` (building the binary takes minutes):
//! `scripts/check-static` builds it and runs these with MPCEGOSIGN_STATIC_BIN set.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::ceremony::{keygen, signer_args};
use support::elf::{self, ExeSpec};
use support::party::Party;

const DOUBLE: &str = env!("CARGO_BIN_EXE_ego-oesign-double");
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
const PASS: &str = "correct horse battery staple";
const CONFIG: &str = r#"{"exe":"app","key":"private.pem","debug":false,"heapSize":512,
  "productID":7,"securityVersion":3}"#;

fn static_bin() -> PathBuf {
    let p = std::env::var_os("MPCEGOSIGN_STATIC_BIN")
        .map(PathBuf::from)
        .expect("set MPCEGOSIGN_STATIC_BIN to the static binary (scripts/check-static does)");
    std::fs::canonicalize(&p).expect("the static binary exists")
}

/// argv of `env -i -C EMPTY VARS… BIN ARGS…`: no inherited variable, no PATH,
/// started in an empty directory.
fn env_i(empty: &Path, vars: &[&str], args: &[&str]) -> Vec<String> {
    let mut argv: Vec<String> = vec![
        "/usr/bin/env".into(),
        "-i".into(),
        "-C".into(),
        empty.display().to_string(),
    ];
    argv.extend(vars.iter().map(|v| v.to_string()));
    argv.push(static_bin().display().to_string());
    argv.extend(args.iter().map(|a| a.to_string()));
    argv
}

fn run_env_i(empty: &Path, vars: &[&str], args: &[&str]) -> (i32, String, String) {
    let argv = env_i(empty, vars, args);
    let out = Command::new(&argv[0]).args(&argv[1..]).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn empty_dir(root: &Path) -> PathBuf {
    let d = root.join("empty");
    std::fs::create_dir(&d).unwrap();
    d
}

#[test]
#[ignore = "needs the static binary: scripts/check-static"]
fn ldd_says_static() {
    let out = Command::new("ldd").arg(static_bin()).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("not a dynamic executable") || text.contains("statically linked"),
        "ldd: {text}"
    );
    let file = Command::new("readelf")
        .arg("-d")
        .arg(static_bin())
        .output()
        .unwrap();
    let dynamic = String::from_utf8_lossy(&file.stdout);
    assert!(!dynamic.contains("(NEEDED)"), "needs libraries: {dynamic}");
}

#[test]
#[ignore = "needs the static binary: scripts/check-static"]
fn version_and_selftest_under_env_i() {
    let tmp = tempfile::tempdir().unwrap();
    let empty = empty_dir(tmp.path());
    let (code, out, err) = run_env_i(&empty, &[], &["--version"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("openssl-src: "),
        "not the vendored OpenSSL: {out}"
    );
    assert!(out.contains("OpenSSL library: OpenSSL 3."), "{out}");

    // An encrypted share and the test QR, outside the empty directory.
    let files = tmp.path().join("files");
    std::fs::create_dir(&files).unwrap();
    let share = files.join("share_1.json.age");
    let qr = files.join("qr.png");
    let pass = format!("MPCEGOSIGN_PASSPHRASE={PASS}");
    let vars = [pass.as_str(), "MPCEGOSIGN_SCRYPT_WORK_FACTOR=10"];
    let plain = format!("{FIXTURES}/shares/valid-v2.json");
    let (code, _, err) = run_env_i(
        &empty,
        &vars,
        &["share", "encrypt", &plain, "--out", share.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run_env_i(
        &empty,
        &[],
        &["selftest", "--make-test-qr", qr.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{err}");
    let key = format!("{FIXTURES}/keys/key1.pub.pem");
    let (code, out, err) = run_env_i(
        &empty,
        &vars,
        &[
            "selftest",
            "--share",
            share.to_str().unwrap(),
            "--public",
            &key,
            "--scan",
            qr.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("✓ scan the test QR"), "{out}");
    assert!(out.ends_with("selftest passed\n"), "{out}");
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "wrote into the empty directory"
    );
}

#[test]
#[ignore = "needs the static binary: scripts/check-static"]
fn text_signing_with_the_double_under_env_i() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let empty = empty_dir(root);
    let ego = root.join("ego");
    support::ego::fake_install(&ego, DOUBLE);
    let app = root.join("app");
    std::fs::create_dir_all(&app).unwrap();
    std::fs::write(app.join("app"), elf::go_exe(&ExeSpec::default())).unwrap();
    std::fs::write(app.join("enclave.json"), CONFIG).unwrap();
    // The key and shares come from the test build (setup); the signing is the static binary's.
    let key = format!("{FIXTURES}/keys/key1.pem");
    let dirs = keygen(
        &root.join("parties"),
        2,
        2,
        &["--import", &key],
        &["--plaintext-share"],
        &[],
    );
    let out = root.join("app.signed");
    let share1 = dirs[0].join("share_1.json");
    let share2 = dirs[1].join("share_2.json");
    let cfg = app.join("enclave.json");
    let ini_argv = env_i(
        &empty,
        &[],
        &[
            "sign",
            "--config",
            cfg.to_str().unwrap(),
            "--ego",
            ego.to_str().unwrap(),
            "--share",
            share1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            "1,2",
        ],
    );
    let ini_argv: Vec<&str> = ini_argv.iter().map(String::as_str).collect();
    let mut ini = Party::spawn_program("initiator", &ini_argv, &[]);
    let init = ini.next_message();
    let mrenclave = support::ceremony::initiator_mrenclave(&ini);
    let signer_argv = env_i(&empty, &[], &signer_args(&share2, &mrenclave));
    let signer_argv: Vec<&str> = signer_argv.iter().map(String::as_str).collect();
    let mut signer = Party::spawn_program("signer", &signer_argv, &[]);
    signer.send_line(&init);
    let partial = signer.next_message();
    signer.succeed();
    ini.send_line(&partial);
    let end = ini.finish();
    assert!(end.status.success(), "{}", end.stderr);
    let pem = format!("{FIXTURES}/keys/key1.pub.pem");
    let (code, _, err) = run_env_i(
        &empty,
        &[],
        &["verify", "--enclave", out.to_str().unwrap(), "--key", &pem],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);
}
