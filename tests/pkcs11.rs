//! One-step PKCS#11 signing (`sign --pkcs11-module`) against SoftHSM2, with
//! `ego-oesign-double` standing in for EGo's oesign, and `pkcs11-tool` as the signer
//! of a two-step request. Outputs are compared byte for byte with the double's
//! `sign -k` with the same PEM.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::one_key::*;

const DOUBLE: &str = env!("CARGO_BIN_EXE_ego-oesign-double");

/// SoftHSM2 with a fresh token in a temporary directory (`SOFTHSM2_CONF` points to
/// its own configuration, so the tests never touch the machine's tokens).
mod pkcs11 {
    use super::*;

    pub const MODULE: &str = "/usr/lib/softhsm/libsofthsm2.so";
    pub const TOKEN: &str = "enclave-token";
    pub const PIN: &str = "123456";

    pub struct Hsm {
        pub conf: PathBuf,
    }

    impl Hsm {
        /// A fresh token holding `keys` (fixture name, label) in `w`'s directory.
        pub fn new(w: &World, keys: &[(&str, &str)]) -> Hsm {
            let dir = w.p("softhsm");
            std::fs::create_dir_all(dir.join("tokens")).unwrap();
            let conf = dir.join("softhsm2.conf");
            std::fs::write(
                &conf,
                format!(
                    "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                    dir.join("tokens").display()
                ),
            )
            .unwrap();
            let h = Hsm { conf };
            h.util(&[
                "--init-token",
                "--free",
                "--label",
                TOKEN,
                "--pin",
                PIN,
                "--so-pin",
                "654321",
            ]);
            for (i, (fixture_name, label)) in keys.iter().enumerate() {
                let id = format!("{:02x}", i + 1);
                h.util(&[
                    "--import",
                    fixture(fixture_name).to_str().unwrap(),
                    "--token",
                    TOKEN,
                    "--label",
                    label,
                    "--id",
                    &id,
                    "--pin",
                    PIN,
                ]);
            }
            h
        }
        fn util(&self, args: &[&str]) -> String {
            let o = Command::new("softhsm2-util")
                .args(args)
                .env("SOFTHSM2_CONF", &self.conf)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "softhsm2-util {args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            String::from_utf8_lossy(&o.stdout).into_owned()
        }
        /// The slot ID of the token, as softhsm2-util shows it.
        pub fn slot(&self) -> String {
            let text = self.util(&["--show-slots"]);
            let mut slot = None;
            for line in text.lines() {
                if let Some(id) = line.strip_prefix("Slot ") {
                    slot = Some(format!("0x{:x}", id.trim().parse::<u64>().unwrap()));
                }
                if line.contains(&format!("Label:            {TOKEN}")) {
                    return slot.unwrap();
                }
            }
            panic!("no slot for {TOKEN} in {text}");
        }
        pub fn env(&self) -> (&'static str, String) {
            ("SOFTHSM2_CONF", self.conf.to_str().unwrap().to_owned())
        }
    }

    fn sign(w: &World, hsm: &Hsm, out: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
        let (cfg, ego) = (w.s("app/enclave.json"), w.s("ego"));
        let mut args = vec![
            "sign",
            "--config",
            &cfg,
            "--ego",
            &ego,
            "--pkcs11-module",
            MODULE,
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        let (k, v) = hsm.env();
        let mut envs = vec![(k, v.as_str())];
        envs.extend_from_slice(env);
        w.run_env(&args, &envs)
    }

    #[test]
    fn pkcs11_signing_is_byte_identical_to_ego_sign_with_the_pem() {
        let w = World::new(DOUBLE);
        let hsm = Hsm::new(&w, &[("key1.pem", "enclave-key")]);
        let pin_file = w.p("pin");
        std::fs::write(&pin_file, format!("{PIN}\n")).unwrap();
        let reference = w.reference(&fixture("key1.pem"));
        let out1 = w.s("signed-1");
        let err = ok(&sign(
            &w,
            &hsm,
            &out1,
            &[
                "--key-label",
                "enclave-key",
                "--pin-file",
                pin_file.to_str().unwrap(),
            ],
            &[],
        ));
        assert!(err.contains("CKM_SHA256_RSA_PKCS"), "{err}");
        assert!(
            std::fs::read(&out1).unwrap() == reference,
            "sign --pkcs11-module differs from sign -k"
        );
        // CKM_RSA_PKCS over the DigestInfo, the token chosen by slot, the PIN from
        // the environment.
        let out2 = w.s("signed-2");
        let slot = hsm.slot();
        let err = ok(&sign(
            &w,
            &hsm,
            &out2,
            &[
                "--key-label",
                "enclave-key",
                "--slot",
                &slot,
                "--pkcs11-mechanism",
                "rsa-pkcs",
            ],
            &[("MPCEGOSIGN_PKCS11_PIN", PIN)],
        ));
        assert!(err.contains("CKM_RSA_PKCS over the DigestInfo"), "{err}");
        assert!(std::fs::read(&out2).unwrap() == reference);
        // The token chosen by label.
        let out3 = w.s("signed-3");
        ok(&sign(
            &w,
            &hsm,
            &out3,
            &["--key-label", "enclave-key", "--token-label", TOKEN],
            &[("MPCEGOSIGN_PKCS11_PIN", PIN)],
        ));
        assert!(std::fs::read(&out3).unwrap() == reference);
    }

    #[test]
    fn wrong_pin_missing_label_and_wrong_keys_each_have_their_message() {
        let w = World::new(DOUBLE);
        let hsm = Hsm::new(
            &w,
            &[
                ("key1.pem", "enclave-key"),
                ("bad-2048.pem", "small-key"),
                ("bad-e65537.pem", "e65537-key"),
            ],
        );
        let out = w.s("never");
        let pin = [("MPCEGOSIGN_PKCS11_PIN", PIN)];
        fails(
            &sign(
                &w,
                &hsm,
                &out,
                &["--key-label", "enclave-key"],
                &[("MPCEGOSIGN_PKCS11_PIN", "000000")],
            ),
            1,
            "the PIN for token `enclave-token` is wrong",
        );
        fails(
            &sign(&w, &hsm, &out, &["--key-label", "nope"], &pin),
            1,
            "token `enclave-token` has no private key labelled `nope` (found: ",
        );
        fails(
            &sign(&w, &hsm, &out, &["--key-label", "small-key"], &pin),
            1,
            "the key `small-key` is RSA-2048 with e = 3; SGX needs RSA-3072 with e = 3",
        );
        fails(
            &sign(&w, &hsm, &out, &["--key-label", "e65537-key"], &pin),
            1,
            "the key `e65537-key` is RSA-3072 with e = 65537; SGX needs RSA-3072 with e = 3",
        );
        fails(
            &sign(
                &w,
                &hsm,
                &out,
                &["--key-label", "enclave-key", "--token-label", "other"],
                &pin,
            ),
            1,
            "no token labelled `other` (found: `enclave-token` in slot",
        );
        fails(
            &sign(
                &w,
                &hsm,
                &out,
                &["--key-label", "enclave-key", "--slot", "12345"],
                &pin,
            ),
            1,
            "no token in slot 12345 (0x3039) (found: `enclave-token` in slot",
        );
        // No PIN from anywhere and no terminal.
        fails(
            &sign(&w, &hsm, &out, &["--key-label", "enclave-key"], &[]),
            1,
            "MPCEGOSIGN_PKCS11_PIN",
        );
        assert!(!Path::new(&out).exists());
    }

    /// The two-step flow with `pkcs11-tool` as the signer, as docs/ego.md shows it.
    #[test]
    fn pkcs11_tool_signs_a_prepared_request() {
        let w = World::new(DOUBLE);
        let hsm = Hsm::new(&w, &[("key1.pem", "enclave-key")]);
        std::fs::create_dir_all(w.p("req")).unwrap();
        let (cfg, ego, req) = (w.s("app/enclave.json"), w.s("ego"), w.s("req/request.json"));
        ok(&w.run(&["prepare", "--config", &cfg, "--ego", &ego, "--out", &req]));
        let sig = w.s("req/request.sig");
        let o = Command::new("pkcs11-tool")
            .args([
                "--module",
                MODULE,
                "--token-label",
                TOKEN,
                "--login",
                "--pin",
                PIN,
                "--sign",
                "--mechanism",
                "RSA-PKCS",
                "--label",
                "enclave-key",
                "--input-file",
                &w.s("req/request.digestinfo.bin"),
                "--output-file",
                &sig,
            ])
            .env("SOFTHSM2_CONF", &hsm.conf)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let out = w.s("signed");
        let public = fixture("key1.pub.pem");
        ok(&w.run(&[
            "finish",
            "--request",
            &req,
            "--signature",
            &sig,
            "--key",
            public.to_str().unwrap(),
            "--ego",
            &ego,
            "--out",
            &out,
        ]));
        assert!(std::fs::read(&out).unwrap() == w.reference(&fixture("key1.pem")));
    }
}
