//! The world of the one-key tests: a fake EGo installation whose oesign is the test
//! double, an app with its enclave.json, oesign's date file, and helpers to run
//! mpcegosign and check its one-line errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::elf::{self, ExeSpec};
use super::party::BIN;
use mpcegosign::ego::flow::prepare;
use mpcegosign::ego::locate::{EgoInstall, Search};
use mpcegosign::ego::oesign::Oesign;

pub const CONFIG: &str = r#"{"exe":"app","key":"private.pem","debug":false,"heapSize":512,
  "productID":7,"securityVersion":3,
  "env":[{"name":"GREETING","value":"<hi & bye>"}]}"#;

pub fn fixture(name: &str) -> PathBuf {
    super::fixture_key_path(name)
}

/// A fake EGo installation, an app with its enclave.json, and oesign's date file.
pub struct World {
    dir: tempfile::TempDir,
}

impl World {
    /// `double` is the path of `ego-oesign-double`.
    pub fn new(double: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        super::ego::fake_install(&dir.path().join("ego"), double);
        let app = dir.path().join("app");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(app.join("app"), elf::go_exe(&ExeSpec::default())).unwrap();
        std::fs::write(app.join("enclave.json"), CONFIG).unwrap();
        let w = World { dir };
        w.set_date(&today());
        w
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn p(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }
    pub fn s(&self, rel: &str) -> String {
        self.p(rel).to_str().unwrap().to_owned()
    }
    pub fn set_date(&self, yyyymmdd: &str) {
        std::fs::write(self.p("date"), yyyymmdd).unwrap();
    }
    pub fn install(&self) -> EgoInstall {
        EgoInstall::locate_in(
            Some(&self.p("ego")),
            &Search {
                ego_path: None,
                defaults: vec![],
            },
        )
        .unwrap()
    }
    /// Runs mpcegosign with oesign's date file set.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_env(args, &[])
    }
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut c = Command::new(BIN);
        c.args(args)
            .env("OESIGN_DOUBLE_DATE_FILE", self.p("date"))
            .env_remove("EGO_PATH")
            .env_remove("MPCEGOSIGN_PKCS11_PIN")
            .stdin(std::process::Stdio::null());
        for (k, v) in env {
            c.env(k, v);
        }
        c.output().unwrap()
    }
    /// `ego sign` with the whole key, as the double does it, on the date file's day.
    pub fn reference(&self, key: &Path) -> Vec<u8> {
        let p = prepare(&self.p("app/enclave.json"), &self.install()).unwrap();
        let work = tempfile::tempdir_in(self.path()).unwrap();
        let (conf, exe) = (work.path().join("c.conf"), work.path().join("exe"));
        std::fs::write(&conf, &p.conf_text).unwrap();
        std::fs::write(&exe, &p.exe).unwrap();
        Oesign::from_install(&self.install())
            .with_env("OESIGN_DOUBLE_DATE_FILE", self.p("date"))
            .sign_with_key(&p.runtime, &conf, key, &exe)
            .unwrap();
        std::fs::read(exe).unwrap()
    }
}

pub fn today() -> String {
    date_utc(0)
}

/// The UTC date `days` from today, YYYYMMDD.
pub fn date_utc(days: i64) -> String {
    let out = Command::new("date")
        .args(["-u", "-d", &format!("{days} days"), "+%Y%m%d"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "failed: {err}");
    err
}

/// Fails with exit code `code`, one `mpcegosign:` line containing `needle`.
pub fn fails(o: &Output, code: i32, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("mpcegosign:"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(needle), "expected {needle:?} in {err}");
}

pub fn openssl(args: &[&str]) {
    let o = Command::new("openssl").args(args).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}
