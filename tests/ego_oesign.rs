//! The EGo signing pieces against `ego-oesign-double` (a test stand-in for EGo's
//! `ego-oesign`, see `tests/oesign-double/double.rs`): no EGo installation needed.

mod support;

use std::path::{Path, PathBuf};

use mpcegosign::ego::flow::{apply_signature, measure, prepare, verify_signed, EgoError};
use mpcegosign::ego::locate::{EgoInstall, Search, ENCLAVE, ENCLAVE_FIPS, SYMCRYPT};
use mpcegosign::ego::oesign::{read_sigstruct, Oesign, OesignError};
use mpcegosign::ego::{CheckError, ConfigError, LocateError, Prepared};
use mpcegosign::key::PrivateKey;
use mpcegosign::sgx::oeinfo::Oeinfo;
use mpcegosign::threshold::{combine, deal, partial_sign, Scheme, Subset};
use support::elf::{self, ExeSpec, GoBuildInfo};
use tempfile::TempDir;

const DOUBLE: &str = env!("CARGO_BIN_EXE_ego-oesign-double");
const DAY1: &str = "20261124";
const DAY2: &str = "20261125";

/// A fake EGo install (`bin/ego-oesign` is the double) and an app directory.
struct World {
    dir: TempDir,
    ego: EgoInstall,
}

impl World {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ego");
        support::ego::fake_install(&root, DOUBLE);
        let ego = EgoInstall::locate_in(
            None,
            &Search {
                ego_path: None,
                defaults: vec![dir.path().join("nowhere"), root],
            },
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("app")).unwrap();
        World { dir, ego }
    }

    fn app(&self) -> PathBuf {
        self.dir.path().join("app")
    }

    fn work(&self, name: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// Writes `enclave.json` and the executable; returns the config path.
    fn write_app(&self, json: &str, spec: &ExeSpec) -> PathBuf {
        std::fs::write(self.app().join("app"), elf::go_exe(spec)).unwrap();
        let conf = self.app().join("enclave.json");
        std::fs::write(&conf, json).unwrap();
        conf
    }

    fn oesign(&self, day: &str) -> Oesign {
        Oesign::from_install(&self.ego).with_env("OESIGN_DOUBLE_DATE", day)
    }
}

const CONFIG: &str = r#"{"exe":"app","key":"private.pem","debug":false,"heapSize":512,
  "productID":7,"securityVersion":3,
  "mounts":[{"source":"/data","target":"/data","type":"hostfs","readOnly":false}],
  "env":[{"name":"GREETING","value":"<hi & bye>"}]}"#;

fn test_key() -> (PrivateKey, Vec<u8>) {
    let e = openssl::bn::BigNum::from_u32(3).unwrap();
    let rsa = openssl::rsa::Rsa::generate_with_e(3072, &e).unwrap();
    let pem = rsa.private_key_to_pem().unwrap();
    (PrivateKey::from_pem(&pem).unwrap(), pem)
}

/// `ego sign`'s result as the double makes it: `sign -k KEY --payload` on the
/// prepared executable.
fn signed_with_key(w: &World, p: &Prepared, key_pem: &[u8], day: &str, name: &str) -> Vec<u8> {
    let work = w.work(name);
    let (conf, key, exe) = (work.join("c.conf"), work.join("k.pem"), work.join("exe"));
    std::fs::write(&conf, &p.conf_text).unwrap();
    std::fs::write(&key, key_pem).unwrap();
    std::fs::write(&exe, &p.exe).unwrap();
    w.oesign(day)
        .sign_with_key(&p.runtime, &conf, &key, &exe)
        .unwrap();
    std::fs::read(exe).unwrap()
}

#[test]
fn sign_with_key_then_dump() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let (key, pem) = test_key();
    let signed = signed_with_key(&w, &p, &pem, DAY1, "k");
    let path = w.work("k").join("exe");
    let d = w.oesign(DAY1).dump(&path).unwrap();
    assert_eq!(d.mrsigner, key.public().mrsigner());
    assert_eq!(
        (d.product_id, d.security_version, d.debug, d.xfrm),
        (7, 3, false, 3)
    );
    assert_eq!(
        (d.num_heap_pages, d.num_stack_pages, d.num_tcs),
        (131072, 1024, 32)
    );
    let s = read_sigstruct(&path).unwrap();
    s.verify(Some(key.public())).unwrap();
    assert_eq!(s.regions().mrenclave(), d.mrenclave);
    assert_eq!(s.regions().date_bcd(), 0x2026_1124);
    let mut sig_le = s.signature().to_bytes_le();
    sig_le.resize(384, 0);
    assert_eq!(d.signature, sig_le);
    // The payload is still the embedded JSON, at the end.
    let oeinfo = Oeinfo::locate(&signed).unwrap();
    let (off, size) = oeinfo.payload(&signed);
    assert_eq!(&signed[off as usize..], &p.payload_json[..]);
    assert_eq!(size as usize, p.payload_json.len());
}

#[test]
fn the_payload_changes_mrenclave() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let m1 = measure(&p, &w.oesign(DAY1), &w.work("m1")).unwrap();
    std::fs::write(&cfg, CONFIG.replace("<hi & bye>", "<hi>")).unwrap();
    let p2 = prepare(&cfg, &w.ego).unwrap();
    let m2 = measure(&p2, &w.oesign(DAY1), &w.work("m2")).unwrap();
    assert_ne!(m1.mrenclave(), m2.mrenclave());
    // A throwaway key does not change the digest: the modulus is not signed.
    let m3 = measure(&p, &w.oesign(DAY1), &w.work("m3")).unwrap();
    assert_eq!(m1.digest(), m3.digest());
    assert_ne!(m1.sigstruct.mrsigner(), m3.sigstruct.mrsigner());
}

#[test]
fn external_signature_is_byte_identical_to_sign_with_key() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let (key, pem) = test_key();
    let reference = signed_with_key(&w, &p, &pem, DAY1, "ref");

    let m = measure(&p, &w.oesign(DAY1), &w.work("measure")).unwrap();
    let sig = key.sign_digest(&m.digest());
    let out = apply_signature(
        &p,
        &m,
        &w.oesign(DAY1),
        &w.work("final"),
        key.public(),
        &sig,
    )
    .unwrap();
    assert!(out == reference, "threshold path differs from sign -k");
}

fn threshold_matches_sign_k(n: u8, t: u8, parties: &[u8]) {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let (key, pem) = test_key();
    let shares = deal(&key, Scheme::new(n, t).unwrap()).unwrap();
    let reference = signed_with_key(&w, &p, &pem, DAY1, "ref");

    let m = measure(&p, &w.oesign(DAY1), &w.work("measure")).unwrap();
    let subset = Subset::from_parties(parties).unwrap();
    let partials: Vec<_> = shares
        .iter()
        .filter(|s| parties.contains(&s.party()))
        .map(|s| partial_sign(s, subset, &m.digest()).unwrap())
        .collect();
    let sig = combine(key.public(), subset, &partials, &m.digest()).unwrap();
    let out = apply_signature(
        &p,
        &m,
        &w.oesign(DAY1),
        &w.work("final"),
        key.public(),
        &sig,
    )
    .unwrap();
    assert!(out == reference, "{t}-of-{n} result differs from sign -k");
}

#[test]
fn threshold_2_of_3_is_byte_identical() {
    threshold_matches_sign_k(3, 2, &[1, 3]);
}

#[test]
fn threshold_3_of_5_is_byte_identical() {
    threshold_matches_sign_k(5, 3, &[2, 4, 5]);
}

#[test]
fn real_clock_with_tz_utc_same_day() {
    // No date override: both runs read the clock with TZ=UTC.
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let (key, _) = test_key();
    let oesign = Oesign::from_install(&w.ego);
    let m = measure(&p, &oesign, &w.work("measure")).unwrap();
    let today = mpcegosign::sgx::sigstruct::Date::today_utc().to_bcd();
    let date = m.sigstruct.regions().date_bcd();
    if date != today {
        // Crossed midnight between the two readings; nothing to compare.
        return;
    }
    let sig = key.sign_digest(&m.digest());
    apply_signature(&p, &m, &oesign, &w.work("final"), key.public(), &sig).unwrap();
}

#[test]
fn day_change_makes_x_d_fail_and_direct_write_still_verifies() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let (key, pem) = test_key();
    let m = measure(&p, &w.oesign(DAY1), &w.work("measure")).unwrap();
    let sig = key.sign_digest(&m.digest());
    let err =
        apply_signature(&p, &m, &w.oesign(DAY2), &w.work("late"), key.public(), &sig).unwrap_err();
    assert!(
        matches!(&err, EgoError::Oesign(OesignError::Failed { stderr, .. }) if stderr.contains("does not verify")),
        "{err}"
    );

    // The fallback: write the SIGSTRUCT of day 1 directly, then verify.
    let mut s = m.sigstruct.clone();
    s.set_signature(key.public(), &sig);
    let mut out = std::fs::read(w.work("measure").join("measure.elf")).unwrap();
    let oeinfo = Oeinfo::locate(&out).unwrap();
    oeinfo.write_sigstruct(&mut out, &s);
    let path = w.work("late").join("direct.elf");
    std::fs::write(&path, &out).unwrap();
    verify_signed(&out, &path, &m, &w.oesign(DAY2), key.public()).unwrap();
    // ... and it is what `ego sign` would have produced on day 1.
    assert!(out == signed_with_key(&w, &p, &pem, DAY1, "ref"));
}

#[test]
fn x_needs_a_certificate_not_a_bare_public_key() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let (key, _) = test_key();
    let m = measure(&p, &w.oesign(DAY1), &w.work("measure")).unwrap();
    let work = w.work("bare");
    let (conf, pubkey, sig, exe) = (
        work.join("c.conf"),
        work.join("public.pem"),
        work.join("sig.bin"),
        work.join("exe"),
    );
    std::fs::write(&conf, &p.conf_text).unwrap();
    std::fs::write(&pubkey, key.public().to_pem()).unwrap();
    std::fs::write(
        &sig,
        mpcegosign::ego::cert::signature_file(&key.sign_digest(&m.digest())),
    )
    .unwrap();
    std::fs::write(&exe, &p.exe).unwrap();
    let err = w
        .oesign(DAY1)
        .sign_with_signature(&p.runtime, &conf, &pubkey, &sig, &exe)
        .unwrap_err();
    assert!(err.to_string().contains("X.509"), "{err}");
    assert_eq!(
        std::fs::read(&exe).unwrap(),
        p.exe,
        "the file must be left alone"
    );
}

#[test]
fn option_errors_of_the_double() {
    let w = World::new();
    let out = |args: &[&str]| {
        std::process::Command::new(DOUBLE)
            .args(args)
            .output()
            .unwrap()
    };
    let r = out(&[
        "sign", "-e", "x", "-c", "y", "-k", "k", "-x", "c", "-d", "s",
    ]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("cannot be used with"));
    let r = out(&["sign", "-e", "x", "-c", "y", "-x", "c"]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("must be used together"));
    // A 2048-bit key is refused.
    let rsa = openssl::rsa::Rsa::generate_with_e(2048, &openssl::bn::BigNum::from_u32(3).unwrap())
        .unwrap();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let work = w.work("small");
    std::fs::write(work.join("k.pem"), rsa.private_key_to_pem().unwrap()).unwrap();
    std::fs::write(work.join("c.conf"), &p.conf_text).unwrap();
    std::fs::write(work.join("exe"), &p.exe).unwrap();
    let err = w
        .oesign(DAY1)
        .sign_with_key(
            &p.runtime,
            &work.join("c.conf"),
            &work.join("k.pem"),
            &work.join("exe"),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("RSA-3072 with exponent 3"),
        "{err}"
    );
    // -o writes elsewhere and leaves the payload as it was.
    let (key, key_pem) = test_key();
    std::fs::write(work.join("k3072.pem"), &key_pem).unwrap();
    let r = out(&[
        "sign",
        "-e",
        p.runtime.to_str().unwrap(),
        "-c",
        work.join("c.conf").to_str().unwrap(),
        "-k",
        work.join("k3072.pem").to_str().unwrap(),
        "--payload",
        work.join("exe").to_str().unwrap(),
        "-o",
        work.join("out").to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(std::fs::read(work.join("exe")).unwrap(), p.exe);
    let signed = read_sigstruct(&work.join("out")).unwrap();
    signed.verify(Some(key.public())).unwrap();
    // signerid -k prints the MRSIGNER without a newline.
    std::fs::write(work.join("pub.pem"), key.public().to_pem()).unwrap();
    let r = out(&["signerid", "-k", work.join("pub.pem").to_str().unwrap()]);
    assert_eq!(r.stdout, hex::encode(key.public().mrsigner()).into_bytes());
}

#[test]
fn dump_of_an_unsigned_file_is_an_error() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let path = w.work("u").join("exe");
    std::fs::write(&path, &p.exe).unwrap();
    let err = w.oesign(DAY1).dump(&path).unwrap_err();
    assert!(
        matches!(
            err,
            OesignError::Dump {
                field: "mrenclave",
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("no signed enclave properties"),
        "{err}"
    );
}

#[test]
fn failing_or_missing_oesign_is_a_clear_error() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let missing = Oesign::new(w.dir.path().join("no-such-oesign"));
    let err = measure(&p, &missing, &w.work("m")).unwrap_err();
    assert!(err.to_string().contains("no-such-oesign"), "{err}");
    // A runtime image that is not an ELF makes oesign fail; its message is kept.
    let mut bad = p.clone();
    bad.runtime = w.dir.path().join("app").join("enclave.json");
    let err = measure(&bad, &w.oesign(DAY1), &w.work("m2")).unwrap_err();
    assert!(
        err.to_string().contains("not an ELF enclave image"),
        "{err}"
    );
}

#[test]
fn fips_binaries_use_the_fips_runtime() {
    let w = World::new();
    let spec = ExeSpec {
        buildinfo: Some(GoBuildInfo {
            settings: vec![("GOFIPS140".into(), "latest".into())],
            ..GoBuildInfo::default()
        }),
        ..ExeSpec::default()
    };
    let cfg = w.write_app(CONFIG, &spec);
    let p = prepare(&cfg, &w.ego).unwrap();
    assert_eq!(p.runtime, w.ego.root.join(ENCLAVE_FIPS));
    let std_p = prepare(&w.write_app(CONFIG, &ExeSpec::default()), &w.ego).unwrap();
    let m1 = measure(&p, &w.oesign(DAY1), &w.work("f")).unwrap();
    let m2 = measure(&std_p, &w.oesign(DAY1), &w.work("s")).unwrap();
    assert_ne!(m1.mrenclave(), m2.mrenclave());
    // Without libsymcrypt beside it, the FIPS image is refused.
    let cfg = w.write_app(CONFIG, &spec);
    std::fs::remove_file(w.ego.root.join(SYMCRYPT)).unwrap();
    let err = prepare(&cfg, &w.ego).unwrap_err();
    assert!(
        matches!(err, EgoError::Locate(LocateError::NoRuntime { .. })),
        "{err}"
    );
}

#[test]
fn executables_ego_refuses() {
    let w = World::new();
    let check = |spec: &ExeSpec, heap: &str| {
        let cfg = w.write_app(&CONFIG.replace("\"heapSize\":512", heap), spec);
        prepare(&cfg, &w.ego).unwrap_err()
    };
    // Not built with ego-go: no Go build info.
    let err = check(
        &ExeSpec {
            buildinfo: None,
            ..ExeSpec::default()
        },
        "\"heapSize\":512",
    );
    assert!(err.to_string().contains("not built with ego-go"), "{err}");
    std::fs::write(w.app().join("app"), elf::plain_exe()).unwrap();
    let err = prepare(&w.app().join("enclave.json"), &w.ego).unwrap_err();
    assert!(err.to_string().contains("not built with ego-go"), "{err}");
    let err = check(
        &ExeSpec {
            oeinfo: false,
            ..ExeSpec::default()
        },
        "\"heapSize\":512",
    );
    assert!(err.to_string().contains(".oeinfo"), "{err}");
    let err = check(
        &ExeSpec {
            eclient_symbol: true,
            ..ExeSpec::default()
        },
        "\"heapSize\":512",
    );
    assert!(
        matches!(
            err,
            EgoError::Check {
                error: CheckError::EclientImport,
                ..
            }
        ),
        "{err}"
    );
    let err = check(&ExeSpec::default(), "\"heapSize\":16385");
    assert!(
        matches!(
            err,
            EgoError::Check {
                error: CheckError::NoLargeHeapWithLargeHeapSize { .. },
                ..
            }
        ),
        "{err}"
    );
    let err = check(
        &ExeSpec {
            arena_symbol: false,
            ..ExeSpec::default()
        },
        "\"heapSize\":256",
    );
    assert!(
        matches!(
            err,
            EgoError::Check {
                error: CheckError::LargeHeapWithSmallHeapSize { .. },
                ..
            }
        ),
        "{err}"
    );
    // Stripped: no heap check.
    let cfg = w.write_app(
        &CONFIG.replace("\"heapSize\":512", "\"heapSize\":100000"),
        &ExeSpec {
            stripped: true,
            ..ExeSpec::default()
        },
    );
    prepare(&cfg, &w.ego).unwrap();
    // A non-ELF file.
    std::fs::write(w.app().join("app"), b"#!/bin/sh\n").unwrap();
    let err = prepare(&w.app().join("enclave.json"), &w.ego).unwrap_err();
    assert!(err.to_string().contains("not an ELF"), "{err}");
}

#[test]
fn invalid_config_and_missing_ego() {
    let w = World::new();
    let cfg = w.write_app(
        &CONFIG.replace("\"heapSize\":512,", ""),
        &ExeSpec::default(),
    );
    let err = prepare(&cfg, &w.ego).unwrap_err();
    assert!(
        matches!(&err, EgoError::Config(ConfigError::Invalid { field, .. }) if field == "heapSize"),
        "{err}"
    );
    let err = EgoInstall::locate_in(
        Some(&w.dir.path().join("no-ego")),
        &Search {
            ego_path: None,
            defaults: vec![],
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("no-ego/bin/ego-oesign"), "{err}");
    // An install without the runtime image.
    std::fs::remove_file(w.ego.root.join(ENCLAVE)).unwrap();
    let err = prepare(&w.write_app(CONFIG, &ExeSpec::default()), &w.ego).unwrap_err();
    assert!(err.to_string().contains("share/ego-enclave"), "{err}");
}

#[test]
fn paths_resolve_against_the_config_directory() {
    let w = World::new();
    let cfg = w.write_app(CONFIG, &ExeSpec::default());
    let p = prepare(&cfg, &w.ego).unwrap();
    let app: &Path = &w.app();
    assert_eq!(p.config.exe, app.join("app").to_str().unwrap());
    assert_eq!(p.config.key, app.join("private.pem").to_str().unwrap());
    let json = String::from_utf8(p.payload_json.clone()).unwrap();
    assert!(json.contains("\\u003chi \\u0026 bye\\u003e"), "{json}");
}
