//! `finish` measures with the EGo installation `prepare` used, as the request records
//! it: no `--ego` needed, `EGO_PATH` does not redirect it, `--ego` still overrides,
//! a recorded installation that is gone is named in one line, and a version-1
//! request (which records none) still works with the usual search. Through the CLI,
//! with `ego-oesign-double` standing in for EGo's oesign.

mod support;

use std::process::Output;

use support::one_key::*;

const DOUBLE: &str = env!("CARGO_BIN_EXE_ego-oesign-double");

fn finish(w: &World, out: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let (req, sig) = (w.s("req/request.json"), w.s("req/request.sig"));
    let mut args = vec![
        "finish",
        "--request",
        &req,
        "--signature",
        &sig,
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    w.run_env(&args, env)
}

#[test]
fn finish_uses_the_ego_installation_prepare_recorded() {
    let w = World::new(DOUBLE);
    let key = fixture("key1.pem");
    let public = fixture("key1.pub.pem");
    std::fs::create_dir_all(w.p("req")).unwrap();
    let (cfg, ego, req) = (w.s("app/enclave.json"), w.s("ego"), w.s("req/request.json"));
    ok(&w.run(&[
        "prepare",
        "--config",
        &cfg,
        "--ego",
        &ego,
        "--out",
        &req,
        "--key",
        public.to_str().unwrap(),
    ]));
    let request: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.p("req/request.json")).unwrap()).unwrap();
    assert_eq!(request["version"], 2);
    assert_eq!(request["enclave"]["ego"], ego.as_str());
    openssl(&[
        "pkeyutl",
        "-sign",
        "-inkey",
        key.to_str().unwrap(),
        "-in",
        &w.s("req/request.digestinfo.bin"),
        "-out",
        &w.s("req/request.sig"),
    ]);
    let reference = w.reference(&key);

    // No --ego, and an EGO_PATH pointing elsewhere: the recorded installation is used.
    let out1 = w.s("signed-1");
    let err = ok(&finish(&w, &out1, &[], &[("EGO_PATH", "/nonexistent/ego")]));
    assert!(err.contains("Verified and wrote"), "{err}");
    assert!(
        err.contains(&format!(
            "Measuring with EGo at {ego}, as the request records"
        )),
        "{err}"
    );
    assert!(std::fs::read(&out1).unwrap() == reference);

    // The recorded installation moved away: one line naming it, nothing written.
    std::fs::rename(w.p("ego"), w.p("ego-moved")).unwrap();
    let out2 = w.s("signed-2");
    let o = finish(&w, &out2, &[], &[]);
    fails(&o, 1, "is gone");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("{ego}/bin/ego-oesign")) && err.contains("--ego"),
        "{err}"
    );
    assert!(!w.p("signed-2").exists());

    // --ego still overrides the recorded location.
    let moved = w.s("ego-moved");
    ok(&finish(&w, &out2, &["--ego", &moved], &[]));
    assert!(std::fs::read(&out2).unwrap() == reference);

    // A version-1 request (before the location was recorded) is still read; its EGo
    // is found as before: EGO_PATH here, and without it the usual one-line error.
    let mut v = request.clone();
    v["version"] = 1.into();
    v["enclave"].as_object_mut().unwrap().remove("ego");
    std::fs::write(
        w.p("req/request.json"),
        serde_json::to_vec_pretty(&v).unwrap(),
    )
    .unwrap();
    let out3 = w.s("signed-3");
    ok(&finish(&w, &out3, &[], &[("EGO_PATH", &moved)]));
    assert!(std::fs::read(&out3).unwrap() == reference);
    if !std::path::Path::new("/opt/ego/bin/ego-oesign").exists()
        && !std::path::Path::new("/snap/ego-dev/current/opt/ego/bin/ego-oesign").exists()
    {
        fails(
            &finish(&w, &w.s("signed-4"), &[], &[]),
            1,
            "no EGo installation found",
        );
        assert!(!w.p("signed-4").exists());
    }
}
