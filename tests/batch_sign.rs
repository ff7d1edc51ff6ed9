//! Batch signing through processes (`sign --batch release.toml` and `--config`
//! repeated), with `ego-oesign-double` standing in for EGo's oesign: three enclaves
//! in one 3-of-5 ceremony, each output byte-identical to `ego sign` with the whole
//! key; a signer who declines leaves nothing written; a policy refusal of one enclave
//! reaches the initiator naming it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::ego::flow::prepare;
use mpcegosign::ego::locate::{EgoInstall, Search};
use mpcegosign::ego::oesign::Oesign;
use support::ceremony::keygen;
use support::elf::{self, ExeSpec};
use support::one_key::today;
use support::party::{Finished, Party};
use support::shares::party_share;

const DOUBLE: &str = env!("CARGO_BIN_EXE_ego-oesign-double");
/// (name, ISVPRODID, ISVSVN): three enclaves measuring differently.
const APPS: [(&str, u16, u16); 3] = [("api", 7, 3), ("worker", 8, 1), ("cron", 9, 2)];

struct World {
    dir: tempfile::TempDir,
    key: PathBuf,
    dirs: Vec<PathBuf>,
    date_file: String,
}

impl World {
    /// Three apps, a key split 3-of-5 (imported, so that `sign -k` can be compared).
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        support::ego::fake_install(&dir.path().join("ego"), DOUBLE);
        for (i, (name, prod, svn)) in APPS.iter().enumerate() {
            let app = dir.path().join(name);
            std::fs::create_dir_all(&app).unwrap();
            let spec = ExeSpec {
                text: [
                    &b"\x55\x48\x89\xe5\x90\x5d\xc3 main.main "[..],
                    &[b'0' + i as u8],
                ]
                .concat(),
                ..ExeSpec::default()
            };
            std::fs::write(app.join("app"), elf::go_exe(&spec)).unwrap();
            let config = format!(
                r#"{{"exe":"app","key":"private.pem","debug":false,"heapSize":512,"productID":{prod},"securityVersion":{svn}}}"#
            );
            std::fs::write(app.join("enclave.json"), config).unwrap();
        }
        let key = dir.path().join("private.pem");
        let ok = Command::new("openssl")
            .args(["genrsa", "-3", "-out"])
            .arg(&key)
            .arg("3072")
            .output()
            .unwrap();
        assert!(ok.status.success());
        let date_file = dir.path().join("date");
        std::fs::write(&date_file, today()).unwrap();
        let dirs = keygen(
            &dir.path().join("parties"),
            5,
            3,
            &["--import", key.to_str().unwrap()],
            &["--plaintext-share"],
            &[],
        );
        World {
            date_file: date_file.display().to_string(),
            dir,
            key,
            dirs,
        }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn ego(&self) -> String {
        self.path().join("ego").display().to_string()
    }
    fn config(&self, name: &str) -> String {
        self.path()
            .join(name)
            .join("enclave.json")
            .display()
            .to_string()
    }
    fn envs(&self) -> [(&str, &str); 1] {
        [("OESIGN_DOUBLE_DATE_FILE", self.date_file.as_str())]
    }
    fn share(&self, party: u8) -> String {
        party_share(&self.dirs, party).display().to_string()
    }

    /// `ego sign` of one app with the whole key, as the double does it.
    fn reference(&self, name: &str) -> Vec<u8> {
        let install = EgoInstall::locate_in(
            Some(&self.path().join("ego")),
            &Search {
                ego_path: None,
                defaults: vec![],
            },
        )
        .unwrap();
        let p = prepare(Path::new(&self.config(name)), &install).unwrap();
        let work = self.path().join(format!("reference-{name}"));
        std::fs::create_dir_all(&work).unwrap();
        let (conf, exe) = (work.join("c.conf"), work.join("exe"));
        std::fs::write(&conf, &p.conf_text).unwrap();
        std::fs::write(&exe, &p.exe).unwrap();
        Oesign::from_install(&install)
            .with_env("OESIGN_DOUBLE_DATE_FILE", &self.date_file)
            .sign_with_key(&p.runtime, &conf, &self.key, &exe)
            .unwrap();
        std::fs::read(exe).unwrap()
    }

    /// Runs the initiator (`args` after its share and EGo) and the signers
    /// `(party, extra args)`, each with `--yes --expect-mrenclave` for every enclave
    /// the initiator announced. Returns the initiator's end and the signers' stderr.
    fn ceremony(&self, args: &[&str], signers: &[(u8, Vec<String>)]) -> (Finished, Vec<String>) {
        let (share, ego) = (self.share(1), self.ego());
        let mut a = vec!["sign", "--share", &share, "--ego", &ego];
        a.extend_from_slice(args);
        let mut ini = Party::spawn("initiator", &a, &self.envs());
        let init = ini.next_message();
        let mut mrenclaves = Vec::new();
        for (name, _, _) in APPS {
            let needle = format!("  {name}  MRENCLAVE ");
            ini.wait_stderr(&needle);
            let err = ini.stderr_so_far();
            let line = err.lines().find(|l| l.contains(&needle)).unwrap();
            let hex = line.split_whitespace().nth(2).unwrap().to_string();
            assert_eq!(hex.len(), 64, "{line}");
            mrenclaves.push(hex);
        }
        mrenclaves.sort();
        mrenclaves.dedup();
        assert_eq!(mrenclaves.len(), 3, "three enclaves measuring differently");
        let mut stderrs = Vec::new();
        for (party, extra) in signers {
            let share = self.share(*party);
            let mut a: Vec<String> = ["sign", "--share", &share, "--yes"]
                .map(String::from)
                .to_vec();
            for m in &mrenclaves {
                a.extend(["--expect-mrenclave".to_string(), m.clone()]);
            }
            a.extend(extra.iter().cloned());
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let mut s = Party::spawn(&format!("signer {party}"), &a, &self.envs());
            s.send_line(&init);
            let answer = s.next_message();
            ini.send_line(&answer);
            // A signer that declined waits for the next request: end its input.
            stderrs.push(s.finish().stderr);
        }
        (ini.finish(), stderrs)
    }
}

#[test]
fn three_enclaves_in_one_three_of_five_ceremony_are_each_byte_identical_to_ego_sign() {
    let w = World::new();
    let release = w.path().join("release.toml");
    std::fs::write(
        &release,
        "[[enclave]]\nname = \"api\"\nconfig = \"api/enclave.json\"\nout = \"out/api.signed\"\n\n\
         [[enclave]]\nname = \"worker\"\nconfig = \"worker/enclave.json\"\n\n\
         [[enclave]]\nname = \"cron\"\nconfig = \"cron/enclave.json\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(w.path().join("out")).unwrap();
    let rel = release.display().to_string();
    let (end, stderrs) = w.ceremony(
        &["--batch", &rel, "--signers", "1,3,5"],
        &[(3, vec![]), (5, vec![])],
    );
    assert!(end.status.success(), "{}", end.stderr);
    // The signer saw one table row per enclave, in columns.
    let rows: Vec<&str> = stderrs[0]
        .lines()
        .filter(|l| l.contains(&today()[..4]) || l.contains("ISVPRODID  ISVSVN"))
        .collect();
    assert_eq!(rows.len(), 4, "{}", stderrs[0]);
    let outs = [
        w.path().join("out/api.signed"),
        w.path().join("worker/app.signed"),
        w.path().join("cron/app.signed"),
    ];
    for ((name, _, _), out) in APPS.iter().zip(&outs) {
        let ours = std::fs::read(out).unwrap();
        assert!(ours == w.reference(name), "{name}: differs from sign -k");
    }
    // The signer's and the initiator's audit logs count every enclave of the batch
    // for SVN anti-rollback.
    for party in [1, 3] {
        let info = Command::new(support::party::BIN)
            .args(["share", "info", &w.share(party)])
            .output()
            .unwrap();
        let info = String::from_utf8_lossy(&info.stdout).into_owned()
            + &String::from_utf8_lossy(&info.stderr);
        for (_, prod, svn) in APPS {
            assert!(
                info.contains(&format!("ISVPRODID {prod} ≥ ISVSVN {svn}")),
                "party {party}: {info}"
            );
        }
    }
    // The initiator's log: one record per enclave, each signature verified.
    let log = w.dirs[0].join("mpcegosign-audit.jsonl");
    let v = Command::new(support::party::BIN)
        .args(["audit", "verify"])
        .arg(&log)
        .args(["--share", &w.share(1)])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&v.stdout).into_owned() + &String::from_utf8_lossy(&v.stderr);
    assert!(v.status.success(), "{out}");
    assert_eq!(
        out.matches("the RSA signature verifies over this SIGSTRUCT")
            .count(),
        3,
        "{out}"
    );
    // `audit verify` reads the signer's batch record without a problem.
    let log = w.dirs[2].join("mpcegosign-audit.jsonl");
    let v = Command::new(support::party::BIN)
        .args(["audit", "verify"])
        .arg(&log)
        .args(["--share", &w.share(3)])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&v.stdout).into_owned() + &String::from_utf8_lossy(&v.stderr);
    assert!(v.status.success(), "{out}");
    assert!(out.contains("a batch of 3 enclaves"), "{out}");
    // A second run refuses the existing outputs before anything is sent.
    let o = Command::new(support::party::BIN)
        .args([
            "sign",
            "--share",
            &w.share(1),
            "--ego",
            &w.ego(),
            "--batch",
            &rel,
        ])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("already exists"), "{err}");
    assert!(o.stdout.is_empty(), "no SIGN-INIT-BATCH was sent");
}

#[test]
fn a_signer_who_declines_leaves_nothing_written() {
    let w = World::new();
    let configs: Vec<String> = APPS.iter().map(|(n, _, _)| w.config(n)).collect();
    let mut args = vec!["--signers", "1,2,4"];
    for c in &configs {
        args.extend(["--config", c.as_str()]);
    }
    // Party 4 is asked with an MRENCLAVE the batch lacks: it declines the batch.
    let bogus = "ab".repeat(32);
    let (end, stderrs) = w.ceremony(
        &args,
        &[
            (2, vec![]),
            (4, vec!["--expect-mrenclave".into(), bogus.clone()]),
        ],
    );
    assert!(!end.status.success(), "{}", end.stderr);
    assert!(
        end.stderr.contains("Party 4 declined the batch"),
        "{}",
        end.stderr
    );
    assert!(stderrs[1].contains(&bogus), "{}", stderrs[1]);
    for (name, _, _) in APPS {
        assert!(!w.path().join(name).join("app.signed").exists(), "{name}");
    }
    // The initiator recorded the failure for every enclave, and its log verifies.
    let log = w.dirs[0].join("mpcegosign-audit.jsonl");
    let v = Command::new(support::party::BIN)
        .args(["audit", "verify"])
        .arg(&log)
        .args(["--share", &w.share(1)])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&v.stdout).into_owned() + &String::from_utf8_lossy(&v.stderr);
    assert!(v.status.success(), "{out}");
    assert_eq!(out.matches("signing (failed").count(), 3, "{out}");
}

#[test]
fn a_policy_refusal_of_one_enclave_reaches_the_initiator_naming_it() {
    let w = World::new();
    let policy = w.path().join("policy.toml");
    std::fs::write(
        &policy,
        "version = 1\n[[product]]\nisvprodid = 7\n[[product]]\nisvprodid = 8\n",
    )
    .unwrap();
    let configs: Vec<String> = APPS.iter().map(|(n, _, _)| w.config(n)).collect();
    let mut args = vec!["--signers", "1,3,5"];
    for c in &configs {
        args.extend(["--config", c.as_str()]);
    }
    let p = policy.display().to_string();
    let (end, stderrs) = w.ceremony(&args, &[(3, vec![]), (5, vec!["--policy".into(), p])]);
    assert!(!end.status.success(), "{}", end.stderr);
    let declined = end
        .stderr
        .lines()
        .find(|l| l.starts_with("Party 5 declined the batch"))
        .unwrap_or_else(|| panic!("{}", end.stderr));
    assert!(declined.contains("enclave 3 (cron)"), "{declined}");
    assert!(
        !declined.contains("(api)") && !declined.contains("(worker)"),
        "{declined}"
    );
    assert!(
        stderrs[1].contains("mpcegosign: enclave 3 (cron): refused by the policy"),
        "{}",
        stderrs[1]
    );
    for (name, _, _) in APPS {
        assert!(!w.path().join(name).join("app.signed").exists(), "{name}");
    }
}
