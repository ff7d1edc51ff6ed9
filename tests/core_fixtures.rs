//! The core against fixtures made outside our code: OpenSSL keys, hand-written share
//! files, and a golden SIGSTRUCT computed by a stdlib-only Python script.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::key::{KeyError, PrivateKey, PublicKey};
use mpcegosign::sgx::oeinfo::Oeinfo;
use mpcegosign::sgx::sigstruct::{SigstructError, SigstructFields};
use mpcegosign::sgx::{Date, Sigstruct};
use mpcegosign::share::{file, ShareError};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use support::party::BIN;

fn fixture(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(p)
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(fixture(p)).unwrap()
}

#[test]
fn keys_import_from_pkcs1_and_pkcs8_and_bad_keys_say_why() {
    let k8 = PrivateKey::from_pem(&read("keys/key1.pem")).unwrap();
    let k1 = PrivateKey::from_pem(&read("keys/key1.pkcs1.pem")).unwrap();
    assert_eq!(k1.public(), k8.public());
    let public =
        PublicKey::from_pem(&String::from_utf8(read("keys/key1.pub.pem")).unwrap()).unwrap();
    assert_eq!(&public, k1.public());
    assert_eq!(
        PrivateKey::from_pem(&read("keys/bad-2048.pem")).unwrap_err(),
        KeyError::ModulusSize(2048)
    );
    assert_eq!(
        PrivateKey::from_pem(&read("keys/bad-e65537.pem")).unwrap_err(),
        KeyError::Exponent("65537".into())
    );
    assert!(
        matches!(PrivateKey::from_pem(&read("keys/bad-garbage.pem")), Err(KeyError::Pem(m)) if m.contains("BEGIN"))
    );
    assert!(matches!(
        PrivateKey::from_pem(&read("keys/bad-truncated.pem")),
        Err(KeyError::Pem(_))
    ));
}

#[test]
fn share_files_load_or_fail_each_with_its_own_error() {
    let v2 = file::parse(&read("shares/valid-v2.json")).unwrap();
    assert_eq!(
        (
            v2.party(),
            v2.scheme().parties(),
            v2.scheme().threshold(),
            v2.sub_share_count()
        ),
        (1, 3, 2, 2)
    );
    let key1 = PublicKey::from_pem(&String::from_utf8(read("keys/key1.pub.pem")).unwrap()).unwrap();
    assert_eq!(v2.public(), &key1);
    let v1 = file::parse(&read("shares/valid-v1.json")).unwrap();
    assert_eq!(
        (v1.party(), v1.scheme().threshold(), v1.sub_share_count()),
        (2, 3, 1)
    );

    type Expect = Box<dyn Fn(&ShareError) -> bool>;
    let cases: Vec<(&str, Expect)> = vec![
        (
            "bad-version.json",
            Box::new(|e| *e == ShareError::Version(4)),
        ),
        (
            "bad-subset-without-party.json",
            Box::new(|e| matches!(e, ShareError::SubsetWithoutParty { party: 1, .. })),
        ),
        (
            "bad-subset-size.json",
            Box::new(|e| matches!(e, ShareError::SubsetSize { t: 2, .. })),
        ),
        (
            "bad-subset-syntax.json",
            Box::new(|e| *e == ShareError::SubsetKey("3,1".into())),
        ),
        (
            "bad-missing-subset.json",
            Box::new(
                |e| matches!(e, ShareError::MissingSubsets { missing } if missing == "\"1,3\""),
            ),
        ),
        (
            "bad-modulus-2048.json",
            Box::new(|e| *e == ShareError::Key(KeyError::ModulusSize(2048))),
        ),
        (
            "bad-exponent.json",
            Box::new(|e| *e == ShareError::Exponent(65537)),
        ),
        (
            "bad-party-index.json",
            Box::new(|e| *e == ShareError::PartyOutOfRange { party: 4, n: 3 }),
        ),
        (
            "bad-base64.json",
            Box::new(|e| matches!(e, ShareError::SubShareEncoding { subset } if subset == "1,2")),
        ),
        (
            "bad-unknown-field.json",
            Box::new(|e| *e == ShareError::UnknownField("comment".into())),
        ),
        (
            "bad-missing-field.json",
            Box::new(|e| *e == ShareError::MissingField("threshold")),
        ),
        (
            "bad-threshold.json",
            Box::new(|e| matches!(e, ShareError::Scheme(_))),
        ),
        (
            "bad-not-json.json",
            Box::new(|e| matches!(e, ShareError::Json(_))),
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (name, expected) in cases {
        let bytes = read(&format!("shares/{name}"));
        let err = file::parse(&bytes).expect_err(name);
        assert!(expected(&err), "{name}: got {err:?}");
        // Its own error: no two files give the same message.
        assert!(
            seen.insert(err.to_string()),
            "{name}: message shared with another file"
        );
        // The message never quotes a sub-share.
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        if let Some(shares) = json["shares"].as_object() {
            for v in shares
                .values()
                .filter_map(|v| v.as_str())
                .filter(|v| v.len() > 16)
            {
                assert!(
                    !err.to_string().contains(&v[..16]),
                    "{name}: the error quotes a sub-share"
                );
            }
        }
    }
}

fn golden_fields() -> SigstructFields {
    SigstructFields {
        date: Date {
            year: 2026,
            month: 11,
            day: 24,
        },
        debug: false,
        mrenclave: std::array::from_fn(|i| 0x40 + i as u8),
        isv_prod_id: 0x1234,
        isv_svn: 0x0102,
    }
}

#[test]
fn golden_sigstruct_bytes_digest_signature_q1_q2() {
    let key = PrivateKey::from_pem(&read("keys/key1.pem")).unwrap();
    let mut s = Sigstruct::build(&golden_fields());
    let digest = s.digest();
    assert_eq!(&digest[..], &read("sigstruct/golden.digest")[..]);
    let sig = key.sign_digest(&digest);
    assert_eq!(sig, BigUint::from_bytes_be(&read("sigstruct/golden.sig")));
    let (q1, q2) = mpcegosign::sgx::sigstruct::q1_q2(&sig, key.public().modulus());
    assert_eq!(q1, BigUint::from_bytes_be(&read("sigstruct/golden.q1")));
    assert_eq!(q2, BigUint::from_bytes_be(&read("sigstruct/golden.q2")));
    s.set_signature(key.public(), &sig);
    assert!(
        s.as_bytes()[..] == read("sigstruct/golden.sigstruct")[..],
        "SIGSTRUCT bytes differ from the golden file"
    );
    assert_eq!(s.verify(Some(key.public())).unwrap(), *key.public());
}

/// Every field, one byte flipped at a time, is rejected.
#[test]
fn verify_rejects_each_flipped_field() {
    let golden = read("sigstruct/golden.sigstruct");
    let key = PublicKey::from_pem(&String::from_utf8(read("keys/key1.pub.pem")).unwrap()).unwrap();
    let fields: &[(&str, usize)] = &[
        ("header", 0),
        ("header end", 11),
        ("type", 12),
        ("vendor", 16),
        ("date", 20),
        ("header2", 24),
        ("swdefined", 40),
        ("reserved", 60),
        ("modulus", 200),
        ("modulus top", 511),
        ("exponent", 512),
        ("signature", 516),
        ("signature top", 899),
        ("miscselect", 900),
        ("miscmask", 904),
        ("attributes.flags", 928),
        ("attributes.xfrm", 936),
        ("attributemask.flags", 944),
        ("attributemask.xfrm", 952),
        ("mrenclave", 960),
        ("mrenclave end", 991),
        ("isvprodid", 1024),
        ("isvsvn", 1026),
        ("q1", 1040),
        ("q1 top", 1423),
        ("q2", 1424),
        ("q2 top", 1807),
    ];
    for (name, off) in fields {
        let mut b = golden.clone();
        b[*off] ^= 0x01;
        let s = Sigstruct::from_bytes(&b).unwrap();
        let r = s.verify(Some(&key));
        assert!(r.is_err(), "flipping {name} (byte {off}) was accepted");
    }
    // A different key's MRSIGNER is named.
    let other =
        PublicKey::from_pem(&String::from_utf8(read("keys/key2.pub.pem")).unwrap()).unwrap();
    let s = Sigstruct::from_bytes(&golden).unwrap();
    assert!(matches!(
        s.verify(Some(&other)),
        Err(SigstructError::WrongSigner { .. })
    ));
}

/// A small ELF with a 4 KiB `.oeinfo` section, built by the system gcc.
fn test_elf(dir: &Path) -> PathBuf {
    let c = dir.join("app.c");
    std::fs::write(
        &c,
        "unsigned char oeinfo[4096] __attribute__((section(\".oeinfo\"), used)) = {1};\nint main(void) { return oeinfo[0] - 1; }\n",
    )
    .unwrap();
    let exe = dir.join("app");
    let st = Command::new("gcc")
        .arg("-o")
        .arg(&exe)
        .arg(&c)
        .output()
        .expect("gcc");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    exe
}

fn mpcegosign(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(BIN).args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

#[test]
fn verify_and_signerid_commands_on_an_elf() {
    let tmp = tempfile::tempdir().unwrap();
    let exe = test_elf(tmp.path());
    let e = exe.to_str().unwrap();
    let pubkey = fixture("keys/key1.pub.pem");
    let p = pubkey.to_str().unwrap();

    // Unsigned: signerid prints zeros, as `ego signerid` does; verify refuses.
    assert_eq!(
        mpcegosign(&["signerid", "--enclave", e]).1,
        format!("{}\n", "0".repeat(64))
    );
    let (code, _, err) = mpcegosign(&["verify", "--enclave", e]);
    assert_eq!(code, 3);
    assert!(err.contains("the enclave is not signed"), "{err}");

    let mut bytes = std::fs::read(&exe).unwrap();
    let oeinfo = Oeinfo::locate(&bytes).unwrap();
    oeinfo.write_sigstruct(
        &mut bytes,
        &Sigstruct::from_bytes(&read("sigstruct/golden.sigstruct")).unwrap(),
    );
    std::fs::write(&exe, &bytes).unwrap();
    let (code, out, err) = mpcegosign(&["verify", "--enclave", e, "--key", p]);
    assert_eq!(code, 0, "{err}");
    let mrenclave: String = (0x40u8..0x60).map(|b| format!("{b:02x}")).collect();
    assert!(out.contains(&format!("mrenclave: {mrenclave}")), "{out}");
    assert!(
        out.contains("isvprodid: 4660") && out.contains("isvsvn:    258"),
        "{out}"
    );
    assert!(
        out.contains("debug:     false") && out.contains("date:      2026-11-24"),
        "{out}"
    );

    // MRSIGNER computed independently: openssl's modulus, reversed, through sha256sum.
    let m = Command::new("openssl")
        .args(["rsa", "-pubin", "-noout", "-modulus", "-in", p])
        .output()
        .unwrap();
    let hex_mod = String::from_utf8_lossy(&m.stdout)
        .trim()
        .trim_start_matches("Modulus=")
        .to_string();
    let mut le = hex::decode(hex_mod).unwrap();
    le.reverse();
    let le_path = tmp.path().join("modulus.le");
    std::fs::write(&le_path, &le).unwrap();
    let sum = Command::new("sha256sum").arg(&le_path).output().unwrap();
    let expected = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        mpcegosign(&["signerid", "--key", p]).1,
        format!("{expected}\n")
    );
    assert_eq!(
        mpcegosign(&["signerid", "--enclave", e]).1,
        format!("{expected}\n")
    );
    assert_eq!(hex::encode(Sha256::digest(&le)), expected);
    assert!(out.contains(&format!("mrsigner:  {expected}")));

    // Mismatches exit 3 with one line.
    let other = fixture("keys/key2.pub.pem");
    let (code, _, err) = mpcegosign(&["verify", "--enclave", e, "--key", other.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(
        err.contains("not by the given key") && err.lines().count() == 1,
        "{err}"
    );
    bytes[oeinfo.offset as usize + 144 + 600] ^= 1;
    std::fs::write(&exe, &bytes).unwrap();
    let (code, _, err) = mpcegosign(&["verify", "--enclave", e]);
    assert_eq!(code, 3);
    assert!(err.contains("signature does not verify"), "{err}");
    // Not an ELF; no .oeinfo.
    let (code, _, err) = mpcegosign(&["verify", "--enclave", p]);
    assert_eq!(code, 1);
    assert!(err.contains("not an ELF executable"), "{err}");
    let (code, _, err) = mpcegosign(&["signerid", "--enclave", "/bin/true"]);
    assert_eq!(code, 1);
    assert!(err.contains("no .oeinfo section"), "{err}");
}
