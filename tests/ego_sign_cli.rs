//! `mpcegosign sign --config` end to end, with `ego-oesign-double` standing in for
//! EGo's oesign: threshold signing gives exactly the bytes of a one-key
//! `ego-oesign sign -k`, across a UTC midnight too, and every failure leaves no output.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::ego::flow::prepare;
use mpcegosign::ego::locate::{EgoInstall, Search, ENCLAVE, OESIGN};
use mpcegosign::ego::oesign::Oesign;
use support::ceremony::{keygen, signer_args};
use support::elf::{self, ExeSpec};
use support::one_key::today;
use support::party::{Party, BIN};
use support::shares::party_share;

const DOUBLE: &str = env!("CARGO_BIN_EXE_ego-oesign-double");
const CONFIG: &str = r#"{"exe":"app","key":"private.pem","debug":false,"heapSize":512,
  "productID":7,"securityVersion":3,
  "env":[{"name":"GREETING","value":"<hi & bye>"}]}"#;

struct World {
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ego");
        support::ego::fake_install(&root, DOUBLE);
        let app = dir.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("app"), elf::go_exe(&ExeSpec::default())).unwrap();
        std::fs::write(app.join("enclave.json"), CONFIG).unwrap();
        World { dir }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn ego(&self) -> PathBuf {
        self.path().join("ego")
    }
    fn config(&self) -> PathBuf {
        self.path().join("app/enclave.json")
    }
    fn install(&self) -> EgoInstall {
        EgoInstall::locate_in(
            Some(&self.ego()),
            &Search {
                ego_path: None,
                defaults: vec![],
            },
        )
        .unwrap()
    }
}

fn genrsa(path: &Path) {
    let ok = Command::new("openssl")
        .args(["genrsa", "-3", "-out"])
        .arg(path)
        .arg("3072")
        .output()
        .unwrap();
    assert!(ok.status.success());
}

/// `ego sign` with the whole key, as the double does it: prepare, then `sign -k`.
fn ego_sign_reference(w: &World, key: &Path, date_file: &Path) -> Vec<u8> {
    let p = prepare(&w.config(), &w.install()).unwrap();
    let work = w.path().join("reference");
    std::fs::create_dir_all(&work).unwrap();
    let (conf, exe) = (work.join("c.conf"), work.join("exe"));
    std::fs::write(&conf, &p.conf_text).unwrap();
    std::fs::write(&exe, &p.exe).unwrap();
    Oesign::from_install(&w.install())
        .with_env("OESIGN_DOUBLE_DATE_FILE", date_file)
        .sign_with_key(&p.runtime, &conf, key, &exe)
        .unwrap();
    std::fs::read(exe).unwrap()
}

/// Threshold-signs the app; `before_partials` runs after SIGN-INIT is out.
fn threshold_sign(
    w: &World,
    dirs: &[PathBuf],
    signers: &[u8],
    out: &Path,
    envs: &[(&str, &str)],
    before_partials: impl FnOnce(),
) -> support::party::Finished {
    let list: Vec<String> = signers.iter().map(u8::to_string).collect();
    let list = list.join(",");
    let ini_share = party_share(dirs, signers[0]);
    let (cfg, ego) = (w.config(), w.ego());
    let mut ini = Party::spawn(
        "initiator",
        &[
            "sign",
            "--config",
            cfg.to_str().unwrap(),
            "--ego",
            ego.to_str().unwrap(),
            "--share",
            ini_share.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            &list,
        ],
        envs,
    );
    let init = ini.next_message();
    let mrenclave = support::ceremony::initiator_mrenclave(&ini);
    before_partials();
    for &p in &signers[1..] {
        let share = party_share(dirs, p);
        let mut s = Party::spawn("signer", &signer_args(&share, &mrenclave), envs);
        s.send_line(&init);
        let partial = s.next_message();
        s.succeed();
        ini.send_line(&partial);
    }
    ini.finish()
}

fn byte_identical(n: u8, t: u8, signers: &[u8]) {
    let w = World::new();
    let key = w.path().join("private.pem");
    genrsa(&key);
    let date_file = w.path().join("date");
    std::fs::write(&date_file, today()).unwrap();
    let df = date_file.to_str().unwrap().to_string();
    let envs = [("OESIGN_DOUBLE_DATE_FILE", df.as_str())];
    let dirs = keygen(
        &w.path().join("parties"),
        n,
        t,
        &["--import", key.to_str().unwrap()],
        &["--plaintext-share"],
        &[],
    );
    let out = w.path().join("app.signed");
    let end = threshold_sign(&w, &dirs, signers, &out, &envs, || {});
    assert!(end.status.success(), "{}", end.stderr);
    let ours = std::fs::read(&out).unwrap();
    assert!(
        ours == ego_sign_reference(&w, &key, &date_file),
        "threshold output differs from sign -k"
    );
    // The executable on disk is untouched; our own verify accepts the output.
    assert_eq!(
        std::fs::read(w.path().join("app/app")).unwrap(),
        elf::go_exe(&ExeSpec::default())
    );
    let v = Command::new(BIN)
        .args(["verify", "--enclave", out.to_str().unwrap(), "--key"])
        .arg(dirs[0].join("public.pem"))
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
}

#[test]
fn two_of_three_is_byte_identical_to_ego_sign() {
    byte_identical(3, 2, &[2, 3]);
}

#[test]
fn three_of_five_is_byte_identical_to_ego_sign() {
    byte_identical(5, 3, &[1, 4, 5]);
}

#[test]
fn a_ceremony_across_midnight_still_gives_a_verified_binary() {
    let w = World::new();
    let key = w.path().join("private.pem");
    genrsa(&key);
    let date_file = w.path().join("date");
    let day1 = today();
    std::fs::write(&date_file, &day1).unwrap();
    let df = date_file.to_str().unwrap().to_string();
    let envs = [("OESIGN_DOUBLE_DATE_FILE", df.as_str())];
    let dirs = keygen(
        &w.path().join("parties"),
        3,
        2,
        &["--import", key.to_str().unwrap()],
        &["--plaintext-share"],
        &[],
    );
    let out = w.path().join("app.signed");
    // oesign's clock passes midnight while the partials are collected.
    let end = threshold_sign(&w, &dirs, &[1, 2], &out, &envs, || {
        std::fs::write(&date_file, "20991231").unwrap()
    });
    assert!(end.status.success(), "{}", end.stderr);
    assert!(
        end.stderr.contains("storing the signed SIGSTRUCT of"),
        "{}",
        end.stderr
    );
    // Byte-identical to `ego sign` on the day of the measurement.
    std::fs::write(&date_file, &day1).unwrap();
    assert!(std::fs::read(&out).unwrap() == ego_sign_reference(&w, &key, &date_file));
}

/// Runs only the initiator; it must fail before the ceremony with `needle` and leave
/// no output.
fn fails_early(w: &World, share: &Path, config: &Path, ego: &Path, needle: &str) {
    let out = w.path().join("never");
    let o = Command::new(BIN)
        .args([
            "sign",
            "--config",
            config.to_str().unwrap(),
            "--ego",
            ego.to_str().unwrap(),
            "--share",
            share.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
    assert_eq!(
        err.trim_end()
            .lines()
            .filter(|l| l.starts_with("mpcegosign:"))
            .count(),
        1,
        "{err}"
    );
    assert!(o.stdout.is_empty(), "no SIGN-INIT was sent");
    assert!(!out.exists());
}

#[test]
fn failures_give_one_clear_line_and_no_output() {
    let w = World::new();
    let dirs = keygen(
        &w.path().join("parties"),
        2,
        2,
        &[],
        &["--plaintext-share"],
        &[],
    );
    let share = dirs[0].join("share_1.json");
    let (cfg, ego) = (w.config(), w.ego());

    // No EGo at the given place.
    fails_early(&w, &share, &cfg, &w.path().join("no-ego"), "no-ego");
    // EGo without its runtime image.
    let broken = w.path().join("broken-ego");
    std::fs::create_dir_all(broken.join("bin")).unwrap();
    std::fs::create_dir_all(broken.join("share")).unwrap();
    std::os::unix::fs::symlink(DOUBLE, broken.join(OESIGN)).unwrap();
    fails_early(&w, &share, &cfg, &broken, "ego-enclave");
    // An oesign that fails.
    let failing = w.path().join("failing-ego");
    std::fs::create_dir_all(failing.join("bin")).unwrap();
    std::fs::create_dir_all(failing.join("share")).unwrap();
    std::fs::write(failing.join(ENCLAVE), elf::runtime_image("standard")).unwrap();
    std::fs::write(
        failing.join(OESIGN),
        "#!/bin/sh\necho 'ERROR: simulated failure' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(failing.join(OESIGN), std::fs::Permissions::from_mode(0o755)).unwrap();
    fails_early(&w, &share, &cfg, &failing, "simulated failure");
    // A non-EGo executable.
    let plain_dir = w.path().join("plain");
    std::fs::create_dir_all(&plain_dir).unwrap();
    std::fs::write(plain_dir.join("app"), elf::plain_exe()).unwrap();
    std::fs::write(plain_dir.join("enclave.json"), CONFIG).unwrap();
    fails_early(
        &w,
        &share,
        &plain_dir.join("enclave.json"),
        &ego,
        "not built with ego-go",
    );
    // An invalid enclave.json.
    let bad = w.path().join("bad");
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        bad.join("enclave.json"),
        r#"{"exe":"app","heapSize":"big"}"#,
    )
    .unwrap();
    fails_early(&w, &share, &bad.join("enclave.json"), &ego, "enclave.json");
    assert!(!w.path().join("app/app.signed").exists());
}

/// A `shoup3` key (the safe-prime fixture dealt by keygen), 5 signers invited for
/// t = 3: the output is the bytes of `sign -k` with the whole key, exported from the
/// safe-prime key by the test-only path.
#[cfg(feature = "test-export")]
#[test]
fn shoup3_three_of_five_is_byte_identical_to_ego_sign() {
    use mpcegosign::threshold::shoup3::SafePrimeKey;
    let w = World::new();
    let fixture = support::fixture_key_path("safe2.pem");
    let safe = SafePrimeKey::from_pem(&std::fs::read(&fixture).unwrap()).unwrap();
    let key = w.path().join("whole.pem");
    std::fs::write(&key, safe.to_pkcs1_pem_for_tests().unwrap().expose()).unwrap();
    let date_file = w.path().join("date");
    std::fs::write(&date_file, today()).unwrap();
    let df = date_file.to_str().unwrap().to_string();
    let envs = [("OESIGN_DOUBLE_DATE_FILE", df.as_str())];
    let dirs = keygen(
        &w.path().join("parties"),
        5,
        3,
        &["--scheme", "shoup3", "--import", fixture.to_str().unwrap()],
        &["--plaintext-share"],
        &[],
    );
    let share: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dirs[1].join("share_2.json")).unwrap()).unwrap();
    assert_eq!(share["scheme"], "shoup3");
    let out = w.path().join("app.signed");
    let end = threshold_sign(&w, &dirs, &[2, 1, 3, 4, 5], &out, &envs, || {});
    assert!(end.status.success(), "{}", end.stderr);
    assert!(
        std::fs::read(&out).unwrap() == ego_sign_reference(&w, &key, &date_file),
        "shoup3 threshold output differs from sign -k"
    );
}

#[test]
fn ctrl_c_while_the_initiator_waits_removes_its_work_directory() {
    let w = World::new();
    let key = support::fixture_key_path("key1.pem");
    let dirs = keygen(
        w.path(),
        2,
        2,
        &["--import", key.to_str().unwrap()],
        &["--plaintext-share"],
        &[],
    );
    // The work directory (the prepared enclave, the measuring copies) goes in TMPDIR.
    let tmpdir = w.path().join("tmp");
    std::fs::create_dir_all(&tmpdir).unwrap();
    let (cfg, ego) = (w.config(), w.ego());
    let share = dirs[0].join("share_1.json");
    let out = w.path().join("signed");
    let mut ini = Party::spawn(
        "initiator",
        &[
            "sign",
            "--config",
            cfg.to_str().unwrap(),
            "--ego",
            ego.to_str().unwrap(),
            "--share",
            share.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[("TMPDIR", tmpdir.to_str().unwrap())],
    );
    ini.next_message();
    assert_eq!(
        std::fs::read_dir(&tmpdir).unwrap().count(),
        1,
        "the work directory"
    );
    let ok = Command::new("kill")
        .args(["-INT", &ini.pid.to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    let end = ini.wait_exit();
    assert_eq!(end.status.code(), Some(130), "{}", end.stderr);
    assert_eq!(
        end.stderr.trim_end().lines().last().unwrap(),
        "mpcegosign: interrupted by Ctrl-C (SIGINT); nothing was kept; removed 1 work directory"
    );
    assert_eq!(std::fs::read_dir(&tmpdir).unwrap().count(), 0);
    assert!(!out.exists());
}

/// A refreshed key and a reshared key each sign byte-identically to `sign -k` with
/// the whole key: the `shoup3` safe-prime fixture dealt 3-of-5, refreshed (the new
/// shares put where the old ones were), signed; then reshared to 2-of-3, signed.
#[cfg(feature = "test-export")]
#[test]
fn refreshed_and_reshared_keys_are_byte_identical_to_ego_sign() {
    use mpcegosign::threshold::shoup3::SafePrimeKey;
    use support::lifecycle::{gen_share, refresh, reshare};
    let w = World::new();
    let fixture = support::fixture_key_path("safe1.pem");
    let safe = SafePrimeKey::from_pem(&std::fs::read(&fixture).unwrap()).unwrap();
    let key = w.path().join("whole.pem");
    std::fs::write(&key, safe.to_pkcs1_pem_for_tests().unwrap().expose()).unwrap();
    let date_file = w.path().join("date");
    std::fs::write(&date_file, today()).unwrap();
    let df = date_file.to_str().unwrap().to_string();
    let envs = [("OESIGN_DOUBLE_DATE_FILE", df.as_str())];
    let dirs = keygen(
        &w.path().join("parties"),
        5,
        3,
        &["--scheme", "shoup3", "--import", fixture.to_str().unwrap()],
        &["--plaintext-share"],
        &[],
    );
    for end in refresh(&dirs, 5, 0) {
        assert!(end.stderr.contains("generation 1"), "{}", end.stderr);
    }
    for p in 1..=5 {
        std::fs::rename(gen_share(&dirs, p, 1), party_share(&dirs, p)).unwrap();
    }
    let reference = ego_sign_reference(&w, &key, &date_file);
    let out = w.path().join("refreshed.signed");
    let end = threshold_sign(&w, &dirs, &[4, 2, 5], &out, &envs, || {});
    assert!(end.status.success(), "{}", end.stderr);
    assert!(
        std::fs::read(&out).unwrap() == reference,
        "a refreshed key's output differs from sign -k"
    );
    let small = reshare(&dirs, 0, 3, &[1, 5], (3, 2), w.path(), "small");
    let out = w.path().join("reshared.signed");
    let end = threshold_sign(&w, &small, &[2, 3], &out, &envs, || {});
    assert!(end.status.success(), "{}", end.stderr);
    assert!(
        std::fs::read(&out).unwrap() == reference,
        "a reshared key's output differs from sign -k"
    );
}
