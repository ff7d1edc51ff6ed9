//! One-key signing with `ego-oesign-double` standing in for EGo's oesign: two-step
//! `prepare` / `finish` with `openssl pkeyutl` as the outside signer, `verify --ego`
//! re-measuring, and the EGo config details. Every signed output is compared byte for
//! byte with the double's `sign -k` with the same PEM on the same day.

mod support;

use std::path::Path;
use std::process::Output;

use support::one_key::*;

const DOUBLE: &str = env!("CARGO_BIN_EXE_ego-oesign-double");

mod two_step {
    use super::*;

    fn prepare_request(w: &World, extra: &[&str]) -> String {
        let (cfg, ego, req) = (w.s("app/enclave.json"), w.s("ego"), w.s("req/request.json"));
        std::fs::create_dir_all(w.p("req")).unwrap();
        let mut args = vec!["prepare", "--config", &cfg, "--ego", &ego, "--out", &req];
        args.extend_from_slice(extra);
        let o = w.run(&args);
        ok(&o);
        String::from_utf8_lossy(&o.stdout).into_owned()
    }

    fn finish(w: &World, sig: &str, out: &str, extra: &[&str]) -> Output {
        let (ego, req) = (w.s("ego"), w.s("req/request.json"));
        let mut args = vec![
            "finish",
            "--request",
            &req,
            "--signature",
            sig,
            "--ego",
            &ego,
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        w.run(&args)
    }

    #[test]
    fn openssl_signatures_in_every_encoding_give_ego_sign_bytes() {
        let w = World::new(DOUBLE);
        let key = fixture("key1.pem");
        let public = fixture("key1.pub.pem");
        let printed = prepare_request(&w, &["--key", public.to_str().unwrap()]);
        // The printed commands name the files prepare wrote.
        for needle in [
            "openssl pkeyutl -sign",
            "--message-type DIGEST --signing-algorithm RSASSA_PKCS1_V1_5_SHA_256",
            "RS256",
            "mpcegosign finish --request",
        ] {
            assert!(printed.contains(needle), "{needle:?} not in {printed}");
        }
        let info = w.s("req/request.digestinfo.bin");
        assert!(printed.contains(&info), "{printed}");
        let digest = std::fs::read(w.p("req/request.digest.bin")).unwrap();
        assert_eq!(digest.len(), 32);
        assert_eq!(
            std::fs::read_to_string(w.p("req/request.digest.hex")).unwrap(),
            format!("{}\n", hex::encode(&digest))
        );
        let reference = w.reference(&key);

        // DigestInfo form, and the raw digest with openssl adding the DigestInfo.
        let sig = w.s("req/request.sig");
        openssl(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            key.to_str().unwrap(),
            "-in",
            &info,
            "-out",
            &sig,
        ]);
        let sig2 = w.s("req/request.digest.sig");
        openssl(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            key.to_str().unwrap(),
            "-pkeyopt",
            "digest:sha256",
            "-in",
            &w.s("req/request.digest.bin"),
            "-out",
            &sig2,
        ]);
        let raw = std::fs::read(&sig).unwrap();
        assert_eq!(raw, std::fs::read(&sig2).unwrap());
        let b64 = w.s("req/request.sig.b64");
        openssl(&["base64", "-in", &sig, "-out", &b64]);
        let hex_file = w.s("req/request.sig.hex");
        std::fs::write(&hex_file, hex::encode(&raw)).unwrap();

        let pub_s = public.to_str().unwrap().to_owned();
        for (i, (file, extra)) in [
            (&sig, vec![]),
            (&b64, vec!["--key", pub_s.as_str()]),
            (&hex_file, vec![]),
        ]
        .into_iter()
        .enumerate()
        {
            let out = w.s(&format!("signed-{i}"));
            let err = ok(&finish(&w, file, &out, &extra));
            assert!(err.contains("Verified and wrote"), "{err}");
            assert!(
                std::fs::read(&out).unwrap() == reference,
                "{file}: finish differs from sign -k"
            );
        }
        // The default output is <exe>.signed; verify accepts it with the key.
        let (ego, req) = (w.s("ego"), w.s("req/request.json"));
        ok(&w.run(&[
            "finish",
            "--request",
            &req,
            "--signature",
            &sig,
            "--ego",
            &ego,
        ]));
        let default_out = w.p("app/app.signed");
        assert!(std::fs::read(&default_out).unwrap() == reference);
        ok(&w.run(&[
            "verify",
            "--enclave",
            default_out.to_str().unwrap(),
            "--key",
            &pub_s,
        ]));
        // Never replaced without --force.
        fails(
            &w.run(&[
                "finish",
                "--request",
                &req,
                "--signature",
                &sig,
                "--ego",
                &ego,
            ]),
            1,
            "already exists",
        );
    }

    #[test]
    fn wrong_truncated_or_edited_inputs_are_refused_and_nothing_is_written() {
        let w = World::new(DOUBLE);
        let key = fixture("key1.pem");
        prepare_request(&w, &[]);
        let info = w.s("req/request.digestinfo.bin");
        let sig = w.s("req/good.sig");
        openssl(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            key.to_str().unwrap(),
            "-in",
            &info,
            "-out",
            &sig,
        ]);
        let out = w.s("never");
        let pub1 = fixture("key1.pub.pem");
        let pub1 = pub1.to_str().unwrap();

        // No key in the request and none given.
        fails(&finish(&w, &sig, &out, &[]), 1, "pass --key public.pem");
        // Another key's signature.
        let other = w.s("req/other.sig");
        let key2 = fixture("key2.pem");
        openssl(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            key2.to_str().unwrap(),
            "-in",
            &info,
            "-out",
            &other,
        ]);
        fails(
            &finish(&w, &other, &out, &["--key", pub1]),
            1,
            "does not verify",
        );
        // The right signature, checked against another key.
        let pub2 = fixture("key2.pub.pem");
        fails(
            &finish(&w, &sig, &out, &["--key", pub2.to_str().unwrap()]),
            1,
            "does not verify",
        );
        // A truncated signature.
        let short = w.s("req/short.sig");
        std::fs::write(&short, &std::fs::read(&sig).unwrap()[..383]).unwrap();
        fails(
            &finish(&w, &short, &out, &["--key", pub1]),
            1,
            "383 raw bytes",
        );
        // A request edited after prepare.
        let req = w.p("req/request.json");
        let original = std::fs::read_to_string(&req).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&original).unwrap();
        v["isvsvn"] = 4.into();
        std::fs::write(&req, v.to_string()).unwrap();
        fails(
            &finish(&w, &sig, &out, &["--key", pub1]),
            1,
            "edited after `prepare`",
        );
        // A SIGSTRUCT edited consistently (digest recomputed): the signature fails.
        let mut v: serde_json::Value = serde_json::from_str(&original).unwrap();
        let mut s = hex::decode(v["sigstruct"].as_str().unwrap()).unwrap();
        s[1026] = 4;
        let s = mpcegosign::sgx::Sigstruct::from_bytes(&s).unwrap();
        let d = s.digest();
        v["sigstruct"] = hex::encode(s.as_bytes()).into();
        v["isvsvn"] = 4.into();
        v["digest"] = hex::encode(d).into();
        v["digest_info"] = hex::encode(mpcegosign::key::pkcs1::digest_info_sha256(&d)).into();
        std::fs::write(&req, v.to_string()).unwrap();
        fails(
            &finish(&w, &sig, &out, &["--key", pub1]),
            1,
            "does not verify",
        );
        // The prepared executable changed.
        std::fs::write(&req, &original).unwrap();
        let prepared = w.p("req/request.unsigned.elf");
        let mut exe = std::fs::read(&prepared).unwrap();
        let last = exe.len() - 3;
        exe[last] ^= 1;
        std::fs::write(&prepared, exe).unwrap();
        fails(
            &finish(&w, &sig, &out, &["--key", pub1]),
            1,
            "changed since `prepare`",
        );
        assert!(!Path::new(&out).exists());
    }

    #[test]
    fn a_request_prepared_yesterday_follows_the_midnight_rule() {
        let w = World::new(DOUBLE);
        let key = fixture("key1.pem");
        let yesterday = date_utc(-1);
        w.set_date(&yesterday);
        prepare_request(&w, &["--key", fixture("key1.pub.pem").to_str().unwrap()]);
        let reference = w.reference(&key);
        let sig = w.s("req/request.sig");
        let info = w.s("req/request.digestinfo.bin");
        openssl(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            key.to_str().unwrap(),
            "-in",
            &info,
            "-out",
            &sig,
        ]);
        // oesign's day is today now.
        w.set_date(&today());
        let out = w.s("signed");
        let err = ok(&finish(&w, &sig, &out, &[]));
        assert!(err.contains("The UTC day changed"), "{err}");
        assert!(
            std::fs::read(&out).unwrap() == reference,
            "not yesterday's ego sign bytes"
        );
    }
}

mod verify_ego {
    use super::*;
    use object::{Object, ObjectSection};

    fn section_offset(elf: &[u8], name: &str) -> usize {
        let f = object::File::parse(elf).unwrap();
        f.section_by_name(name).unwrap().file_range().unwrap().0 as usize
    }

    #[test]
    fn verify_with_ego_catches_changed_payload_config_and_code() {
        let w = World::new(DOUBLE);
        let signed = w.reference(&fixture("key1.pem"));
        let ego = w.s("ego");
        let check = |bytes: &[u8], name: &str| {
            let p = w.p(name);
            std::fs::write(&p, bytes).unwrap();
            let p = p.to_str().unwrap().to_owned();
            let plain = w.run(&["verify", "--enclave", &p]);
            let err = ok(&plain);
            assert_eq!(err.matches("was not re-measured").count(), 1, "{err}");
            w.run(&["verify", "--enclave", &p, "--ego", &ego])
        };
        let err = ok(&check(&signed, "untouched"));
        assert!(err.contains("re-measured through ego-oesign"), "{err}");
        assert!(!err.contains("not re-measured"), "{err}");
        let mrenclave = hex::encode(
            mpcegosign::sgx::oeinfo::Oeinfo::locate(&signed)
                .unwrap()
                .read_sigstruct(&signed)
                .regions()
                .mrenclave(),
        );

        let mut data = signed.clone();
        data[section_offset(&signed, ".noptrdata") + 5] ^= 0x01;
        let mut code = signed.clone();
        code[section_offset(&signed, ".text")] ^= 0x01;
        let mut config = signed.clone();
        let json = mpcegosign::ego::embed::read_payload(&signed)
            .unwrap()
            .unwrap();
        let at = signed.len() - json.len() + json.windows(2).position(|p| p == b"hi").unwrap();
        config[at + 1] = b'o';
        for (bytes, name) in [(data, "data"), (code, "code"), (config, "config")] {
            let o = check(&bytes, name);
            fails(&o, 3, "MRENCLAVE mismatch: the SIGSTRUCT holds");
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(err.contains(&mrenclave), "{name}: {err}");
            assert!(err.contains("but the file measures to "), "{name}: {err}");
        }
    }
}

/// EGo details: the double's ID limits and the config messages, through `prepare`.
mod ego_details {
    use super::*;

    fn prepare_with(config: &str) -> Output {
        let w = World::new(DOUBLE);
        std::fs::write(w.p("app/enclave.json"), config).unwrap();
        let (cfg, ego, req) = (w.s("app/enclave.json"), w.s("ego"), w.s("request.json"));
        let o = w.run(&["prepare", "--config", &cfg, "--ego", &ego, "--out", &req]);
        if !o.status.success() {
            assert!(!w.p("request.json").exists());
        }
        o
    }

    #[test]
    fn ids_of_65535_and_more_are_refused_as_oesign_does() {
        for field in ["productID", "securityVersion"] {
            let config = CONFIG.replace(
                "\"productID\":7,\"securityVersion\":3",
                &format!("\"productID\":7,\"securityVersion\":3,\"{field}\":65535"),
            );
            let name = if field == "productID" {
                "ProductID"
            } else {
                "SecurityVersion"
            };
            fails(
                &prepare_with(&config),
                1,
                &format!("{name} must be less than 65535, found 65535"),
            );
            let config = CONFIG.replace(
                "\"productID\":7,\"securityVersion\":3",
                &format!("\"productID\":7,\"securityVersion\":3,\"{field}\":65534"),
            );
            ok(&prepare_with(&config));
        }
    }

    #[test]
    fn config_messages_name_the_file_once_and_quote_numbers() {
        let o = prepare_with("{\"exe\":");
        fails(&o, 1, "is not valid JSON");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.matches("enclave.json").count(), 1, "{err}");
        let o = prepare_with(&CONFIG.replace("\"heapSize\":512", "\"heapSize\":1e3"));
        fails(
            &o,
            1,
            "heapSize must be an integer (without a fraction or exponent), found 1e3",
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.matches("enclave.json").count(), 1, "{err}");
        fails(
            &prepare_with(
                &CONFIG.replace("\"heapSize\":512", "\"heapSize\":100000000000000000000"),
            ),
            1,
            "found 100000000000000000000",
        );
    }
}
