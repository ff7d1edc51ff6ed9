//! Other frameworks' SIGSTRUCTs through whole 2-of-3 ceremonies, each party its own
//! process: Gramine's `.sig`, the Intel SDK's `sgx_sign gendata` output and an Open
//! Enclave enclave signed with a throwaway key. The key is the fixture key the
//! frameworks' tooling signed the golden files with (tests/fixtures/frameworks/
//! README.md), imported at keygen, so each output must equal its golden file byte
//! for byte, and the signed body must be the input's.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use mpcegosign::key::PublicKey;
use support::ceremony::{initiator_mrenclave, keygen_transcript};
use support::party::{Finished, Party};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/frameworks")
        .join(name)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// One 2-of-3 `shoup3` key set of tests/fixtures/keys/safe1.pem, made once for the
/// tests of this file.
fn key_set() -> &'static (tempfile::TempDir, Vec<PathBuf>) {
    static SET: OnceLock<(tempfile::TempDir, Vec<PathBuf>)> = OnceLock::new();
    SET.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let key = support::fixture_key_path("safe1.pem");
        let mut transcript = String::new();
        let dirs = keygen_transcript(
            tmp.path(),
            3,
            2,
            &["--scheme", "shoup3", "--import", key.to_str().unwrap()],
            &["--plaintext-share"],
            &[],
            &mut transcript,
        );
        (tmp, dirs)
    })
}

fn share(party: u8) -> PathBuf {
    key_set().1[usize::from(party - 1)].join(format!("share_{party}.json"))
}

/// Copies the fixture `name` into a fresh directory (outputs go beside it).
fn input(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::copy(fixture(name), &path).unwrap();
    (dir, path)
}

/// Party 1 signs `input` with party 2 (`--out` when given); returns the initiator's
/// and the signer's ends.
fn ceremony(input: &Path, out: Option<&Path>) -> (Finished, Finished) {
    let s1 = share(1);
    let mut args = vec![
        "sign",
        "--sigstruct",
        input.to_str().unwrap(),
        "--share",
        s1.to_str().unwrap(),
        "--signers",
        "1,2",
    ];
    if let Some(out) = out {
        args.extend(["--out", out.to_str().unwrap()]);
    }
    let mut ini = Party::spawn("initiator", &args, &[]);
    let init = ini.next_message();
    let mrenclave = initiator_mrenclave(&ini);
    let s2 = share(2);
    let mut signer = Party::spawn(
        "signer",
        &[
            "sign",
            "--share",
            s2.to_str().unwrap(),
            "--yes",
            "--expect-mrenclave",
            &mrenclave,
            // The fixtures are dated 2026-12-01.
            "--allow-any-date",
        ],
        &[],
    );
    signer.send_line(&init);
    let partial = signer.next_message();
    let signer = signer.succeed();
    ini.send_line(&partial);
    let ini = ini.finish();
    assert!(ini.status.success(), "initiator failed: {}", ini.stderr);
    (ini, signer)
}

/// SIGSTRUCT bytes 0..128 and 900..1028.
fn regions(s: &[u8]) -> Vec<u8> {
    [&s[..128], &s[900..1028]].concat()
}

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn a_gramine_sig_comes_back_as_gramine_sgx_sign_signs_it_with_the_whole_key() {
    let (dir, sig) = input("gramine-hello.throwaway.sig");
    let out = dir.path().join("hello.sig");
    let (ini, signer) = ceremony(&sig, Some(&out));
    let signed = read(&out);
    assert_eq!(
        signed,
        read(&fixture("gramine-hello.sig")),
        "not gramine-sgx-sign's .sig"
    );
    assert_eq!(
        regions(&signed),
        regions(&read(&sig)),
        "the signed body changed"
    );
    // Gramine's attribute mask is not oesign's: both parties are shown its fields.
    for end in [&ini.stderr, &signer.stderr] {
        assert!(end.contains("Attr. mask flags 0xffffffffffffffff"), "{end}");
        assert!(end.contains("Made by"), "{end}");
    }
    assert!(signer.stderr.contains("DEBUG      no"), "{}", signer.stderr);
}

#[test]
fn sgx_sign_gendata_gives_catsig_its_signature_and_public_key() {
    let (dir, gendata) = input("sdk-enclave.gendata");
    let (ini, _) = ceremony(&gendata, None);
    let sig = dir.path().join("sdk-enclave.gendata.signature");
    let public = dir.path().join("sdk-enclave.gendata.signature.public.pem");
    // catsig's -sig: what `openssl dgst -sha256 -sign` wrote with the whole key.
    assert_eq!(read(&sig), read(&fixture("sdk-enclave.signature")));
    let pem = String::from_utf8(read(&public)).unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----"), "{pem}");
    let want = std::fs::read_to_string(support::fixture_key_path("safe1.pub.pem")).unwrap();
    assert_eq!(
        PublicKey::from_pem(&pem).unwrap(),
        PublicKey::from_pem(&want).unwrap()
    );
    // catsig verifies the signature over the gendata it wrote with that key.
    openssl(&[
        "dgst",
        "-sha256",
        "-verify",
        public.to_str().unwrap(),
        "-signature",
        sig.to_str().unwrap(),
        gendata.to_str().unwrap(),
    ]);
    assert_eq!(read(&gendata), read(&fixture("sdk-enclave.gendata")));
    assert!(ini.stderr.contains("sgx_sign catsig"), "{}", ini.stderr);
}

#[test]
fn an_open_enclave_enclave_gives_oesign_its_digest_signature_and_certificate() {
    let (dir, enclave) = input("oe-enclave.throwaway.so");
    let out = dir.path().join("enclave.dig.signed");
    let (ini, signer) = ceremony(&enclave, Some(&out));
    // oesign's -d: what `openssl pkeyutl -sign` made of `oesign digest`'s file.
    assert_eq!(read(&out), read(&fixture("oe-enclave.dig.signed")));
    let cert = dir.path().join("enclave.dig.signed.cert.pem");
    let key = openssl(&["x509", "-in", cert.to_str().unwrap(), "-noout", "-pubkey"]);
    let want = std::fs::read_to_string(support::fixture_key_path("safe1.pub.pem")).unwrap();
    assert_eq!(
        PublicKey::from_pem(&String::from_utf8(key).unwrap()).unwrap(),
        PublicKey::from_pem(&want).unwrap()
    );
    // The enclave is not touched; oesign signs it with these two files.
    assert_eq!(read(&enclave), read(&fixture("oe-enclave.throwaway.so")));
    // Open Enclave's default SIGSTRUCT is oesign's: no extra fields to show.
    assert!(!signer.stderr.contains("Made by"), "{}", signer.stderr);
    assert!(
        ini.stderr.contains("oesign sign -e ENCLAVE"),
        "{}",
        ini.stderr
    );
}

/// Runs the initiator on `input` and expects it to stop at once with one line.
fn refused(args: &[&str]) -> String {
    let s1 = share(1);
    let mut a = vec!["sign", "--share", s1.to_str().unwrap()];
    a.extend_from_slice(args);
    let out = Command::new(env!("CARGO_BIN_EXE_mpcegosign"))
        .args(&a)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

#[test]
fn bad_inputs_and_existing_outputs_are_one_line_and_nothing_is_written() {
    let (dir, digest) = input("oe-enclave.dig");
    let err = refused(&["--sigstruct", digest.to_str().unwrap()]);
    assert!(err.contains("throwaway key"), "{err}");
    let junk = dir.path().join("junk");
    std::fs::write(&junk, [0u8; 100]).unwrap();
    let err = refused(&["--sigstruct", junk.to_str().unwrap()]);
    assert!(err.contains("100 bytes is none of"), "{err}");
    // The public key output exists: refused before any ceremony, nothing replaced.
    let (dir, gendata) = input("sdk-enclave.gendata");
    let public = dir.path().join("sdk-enclave.gendata.signature.public.pem");
    std::fs::write(&public, "mine").unwrap();
    let err = refused(&["--sigstruct", gendata.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(read(&public), b"mine");
    assert!(!dir.path().join("sdk-enclave.gendata.signature").exists());
}

#[test]
fn an_sdk_enclave_left_debuggable_by_its_attribute_mask_is_refused_as_debug() {
    // sgx_sign's default (no DisableDebug): DEBUG clear in the attributes but left
    // out of the attribute mask, so the same signature launches it in debug mode.
    let (dir, gendata) = input("sdk-enclave.gendata");
    let mut bytes = read(&gendata);
    let mask = 128 + (944 - 900);
    bytes[mask] &= !0x2;
    std::fs::write(&gendata, &bytes).unwrap();
    let s1 = share(1);
    let mut ini = Party::spawn(
        "initiator",
        &[
            "sign",
            "--sigstruct",
            gendata.to_str().unwrap(),
            "--share",
            s1.to_str().unwrap(),
            "--signers",
            "1,2",
        ],
        &[],
    );
    let init = ini.next_message();
    // The review is on stderr, read by another thread than the message: wait for it.
    ini.wait_stderr("DEBUG yes");
    let mrenclave = initiator_mrenclave(&ini);
    let s2 = share(2);
    let mut signer = Party::spawn(
        "signer",
        &[
            "sign",
            "--share",
            s2.to_str().unwrap(),
            "--yes",
            "--expect-mrenclave",
            &mrenclave,
            "--allow-any-date",
        ],
        &[],
    );
    signer.send_line(&init);
    let abort = signer.next_message();
    let signer = signer.finish();
    assert!(
        signer.stderr.contains("Pass --allow-debug"),
        "{}",
        signer.stderr
    );
    ini.send_line(&abort);
    let ini = ini.finish();
    assert!(!ini.status.success());
    assert!(!dir.path().join("sdk-enclave.gendata.signature").exists());
}
