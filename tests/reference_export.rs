//! `share export --reference`: a `subsets` share as the reference tool's version-2
//! share file, checked against the layout its README gives
//! (`shared/seed/mpcegosign-reference.txt`), and used the way the reference computes
//! a partial signature, combined with our parties' partials into a valid signature.
//!
//! The README's share file (version 2):
//! ```text
//! { "version": 2, "party_index": 1, "num_parties": 3, "threshold": 2,
//!   "modulus": "<base64 big-endian>", "public_exponent": 3,
//!   "shares": { "1,2": "<base64 sub-share>", "1,3": "<base64 sub-share>" } }
//! ```
//! and its signing: "For a t-of-n scheme, generate an independent additive share set
//! for each of the C(n,t) possible t-party subsets … To sign, any t parties identify
//! their common subset and combine their sub-shares … m^{d_1} · … · m^{d_t} = m^d mod N
//! … computes SHA-256 over the two signed regions, applies PKCS#1 v1.5 padding, and
//! signs with the MPC-combined signature."

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use num_bigint::BigUint;
use support::ceremony::keygen;
use support::party::BIN;
use support::shares::party_share;

const PLAIN: &[&str] = &["--plaintext-share"];

fn export(share: &Path, out: &Path) -> Output {
    Command::new(BIN)
        .args(["share", "export"])
        .arg(share)
        .arg("--reference")
        .arg(out)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Fails with exit code 1 and one `mpcegosign:` line containing every needle.
fn fails(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("mpcegosign:"))
        .collect();
    assert_eq!(lines.len(), 1, "{err}");
    for n in needles {
        assert!(lines[0].contains(n), "expected {n:?} in {err}");
    }
}

/// Standard base64 with padding, as Go's `base64.StdEncoding` writes it.
fn std_base64(field: &str, text: &str) -> Vec<u8> {
    assert!(
        text.len() % 4 == 0
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
        "{field} is not padded standard base64: {text}"
    );
    let bytes = STANDARD.decode(text).unwrap();
    assert_eq!(STANDARD.encode(&bytes), text, "{field}: not canonical");
    bytes
}

/// The modulus of a PEM public key.
fn modulus_of(pem: &Path) -> BigUint {
    let text = std::fs::read_to_string(pem).unwrap();
    mpcegosign::key::PublicKey::from_pem(&text)
        .unwrap()
        .modulus()
        .clone()
}

/// One exported file, checked field by field against the README's version-2 layout;
/// returns (party, sub-shares by subset key).
fn check_layout(path: &Path, n: u8, t: u8, modulus: &BigUint) -> (u8, Vec<(String, BigUint)>) {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "modulus",
            "num_parties",
            "party_index",
            "public_exponent",
            "shares",
            "threshold",
            "version"
        ],
        "exactly the README's fields"
    );
    assert_eq!(v["version"].as_u64(), Some(2));
    let party = v["party_index"].as_u64().unwrap();
    assert!((1..=u64::from(n)).contains(&party));
    assert_eq!(v["num_parties"].as_u64(), Some(u64::from(n)));
    assert_eq!(v["threshold"].as_u64(), Some(u64::from(t)));
    assert_eq!(v["public_exponent"].as_u64(), Some(3));
    let m = std_base64("modulus", v["modulus"].as_str().unwrap());
    assert_eq!(m.len(), 384, "the modulus, big-endian, no leading zero");
    assert_eq!(&BigUint::from_bytes_be(&m), modulus);

    let shares = v["shares"].as_object().unwrap();
    let party = party as u8;
    // One sub-share for every t-subset the party belongs to, keyed "i,j,…" ascending.
    let expected: Vec<String> = subsets(n, t)
        .into_iter()
        .filter(|s| s.contains(&party))
        .map(|s| {
            s.iter()
                .map(|p| p.to_string())
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect();
    let mut got: Vec<String> = shares.keys().cloned().collect();
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want);
    let mut subs = Vec::new();
    for (key, value) in shares {
        let text = value.as_str().unwrap();
        assert!(!text.starts_with('-'), "sub-share {key} is signed: {text}");
        let bytes = std_base64(key, text);
        assert!(bytes.first() != Some(&0), "{key}: not minimal big-endian");
        let s = BigUint::from_bytes_be(&bytes);
        assert!(
            &s < modulus,
            "{key}: a sub-share is below N (it is below λ)"
        );
        subs.push((key.clone(), s));
    }

    // Byte for byte what Go's json.MarshalIndent(share, "", "  ") writes: fields in
    // the struct's order, map keys sorted, two-space indent, no newline at the end.
    let mut go = format!(
        "{{\n  \"version\": 2,\n  \"party_index\": {party},\n  \"num_parties\": {n},\n  \"threshold\": {t},\n  \"modulus\": \"{}\",\n  \"public_exponent\": 3,\n  \"shares\": {{\n",
        v["modulus"].as_str().unwrap()
    );
    let mut sorted = subs.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let lines: Vec<String> = sorted
        .iter()
        .map(|(k, s)| format!("    \"{k}\": \"{}\"", STANDARD.encode(s.to_bytes_be())))
        .collect();
    go.push_str(&lines.join(",\n"));
    go.push_str("\n  }\n}");
    assert_eq!(text, go, "not the layout the reference writes");
    (party, subs)
}

/// The reference README, where the project keeps it: `shared/seed/` beside the
/// repository (as CI and the main checkout have it) or beside a worktree's parent.
fn reference_readme() -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared", "../../shared"]
        .iter()
        .map(|d| root.join(d).join("seed/mpcegosign-reference.txt"))
        .find_map(|p| std::fs::read_to_string(p).ok())
}

/// The top-level fields of the README's version-2 share file, in order, with their
/// example values: the JSON object that holds `"version": 2`, read brace by brace
/// (the README's text runs on after its closing brace).
fn readme_layout(readme: &str) -> Vec<(String, serde_json::Value)> {
    let at = readme
        .find("\"version\": 2")
        .expect("the README's share file");
    let start = readme[..at].rfind('{').unwrap();
    let mut depth = 0;
    let mut end = start;
    for (i, c) in readme[start..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            end = start + i + 1;
            break;
        }
    }
    let block = &readme[start..end];
    let value: serde_json::Value = serde_json::from_str(block).expect("the README's JSON");
    // Field order as written (serde_json's map does not keep it).
    let mut fields = Vec::new();
    let mut depth = 0;
    let mut chars = block.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            '"' => {
                let close = i + 1 + block[i + 1..].find('"').unwrap();
                let name = &block[i + 1..close];
                let after = block[close + 1..].trim_start();
                if depth == 1 && after.starts_with(':') {
                    fields.push((name.to_string(), value[name].clone()));
                }
                while chars.peek().is_some_and(|&(j, _)| j <= close) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    fields
}

/// The exported text against the README's layout: the same fields in the same order,
/// each of the README's JSON type; the same version and exponent; subset keys of the
/// README's form.
fn check_against_readme(text: &str, readme: &[(String, serde_json::Value)]) {
    let ours: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut order: Vec<(usize, &str)> = ours
        .as_object()
        .unwrap()
        .keys()
        .map(|k| (text.find(&format!("\"{k}\":")).unwrap(), k.as_str()))
        .collect();
    order.sort_unstable();
    let names: Vec<&str> = order.iter().map(|(_, k)| *k).collect();
    let theirs: Vec<&str> = readme.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, theirs, "the README's fields, in its order");
    let kind = |v: &serde_json::Value| match v {
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Object(_) => "object",
        _ => "other",
    };
    for (name, example) in readme {
        assert_eq!(kind(&ours[name]), kind(example), "{name}");
    }
    assert_eq!(ours["version"], readme[0].1, "version");
    let exponent = readme.iter().find(|(k, _)| k == "public_exponent").unwrap();
    assert_eq!(ours["public_exponent"], exponent.1);
    let key_form = |k: &str| k.split(',').all(|p| p.parse::<u8>().is_ok());
    let example = readme.iter().find(|(k, _)| k == "shares").unwrap();
    for (k, v) in example.1.as_object().unwrap() {
        assert!(key_form(k) && v.is_string(), "README example {k}");
    }
    for (k, v) in ours["shares"].as_object().unwrap() {
        assert!(key_form(k) && v.is_string(), "subset key {k}");
    }
}

/// Every t-subset of 1..=n, ascending.
fn subsets(n: u8, t: u8) -> Vec<Vec<u8>> {
    (0u32..1 << n)
        .filter(|m| m.count_ones() == u32::from(t))
        .map(|m| (1..=n).filter(|p| m & (1 << (p - 1)) != 0).collect())
        .collect()
}

/// EMSA-PKCS1-v1_5 with SHA-256 (RFC 8017, 9.2) for a 3072-bit modulus, as the
/// reference pads the SIGSTRUCT digest: 00 01 FF…FF 00 ‖ DigestInfo ‖ digest.
fn pkcs1_sha256(digest: &[u8; 32]) -> BigUint {
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let mut em = vec![0x00, 0x01];
    em.resize(384 - DIGEST_INFO.len() - 32 - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&DIGEST_INFO);
    em.extend_from_slice(digest);
    assert_eq!(em.len(), 384);
    BigUint::from_bytes_be(&em)
}

/// The reference's partial: the padded message raised to the sub-share, mod N
/// (`new(big.Int).Exp(m, shareValue, modulus)`).
fn reference_partial(digest: &[u8; 32], sub_share: &BigUint, n: &BigUint) -> BigUint {
    pkcs1_sha256(digest).modpow(sub_share, n)
}

#[test]
fn an_exported_share_has_the_reference_layout_and_signs_the_reference_way() {
    let tmp = tempfile::tempdir().unwrap();
    let (n, t) = (3u8, 2u8);
    let dirs = keygen(tmp.path(), n, t, &[], PLAIN, &[]);
    let modulus = modulus_of(&dirs[0].join("public.pem"));

    // The layout as the reference README gives it (CI has it beside the repository).
    let readme = reference_readme().map(|r| readme_layout(&r));
    match &readme {
        Some(fields) => assert_eq!(fields.len(), 7, "{fields:?}"),
        None if std::env::var_os("CI").is_some() => {
            panic!("shared/seed/mpcegosign-reference.txt is not beside the repository")
        }
        None => eprintln!("the reference README is not beside the repository: its layout is checked from this file's copy only"),
    }
    let mut exported = Vec::new();
    for party in 1..=n {
        let out = tmp.path().join(format!("reference_{party}.json"));
        let o = export(&party_share(&dirs, party), &out);
        let err = stderr(&o);
        assert!(o.status.success(), "{err}");
        assert!(
            err.contains("reference tool's format (version 2)") && err.contains("NOT encrypted"),
            "{err}"
        );
        let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (p, subs) = check_layout(&out, n, t, &modulus);
        if let Some(fields) = &readme {
            check_against_readme(&std::fs::read_to_string(&out).unwrap(), fields);
        }
        assert_eq!(p, party);
        exported.push(subs);
        // Never over an existing file, and nothing is asked or changed first.
        let before = std::fs::read(&out).unwrap();
        fails(
            &export(&party_share(&dirs, party), &out),
            &["already exists"],
        );
        assert_eq!(std::fs::read(&out).unwrap(), before);
        // Our tool reads the exported file back as the same share.
        let ours = mpcegosign::share::file::parse(&std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(ours.party(), party);
        assert!(ours.auth().is_none());
    }

    let digest: [u8; 32] = rand::random();
    let public = mpcegosign::key::PublicKey::from_modulus(modulus.clone()).unwrap();
    for subset in subsets(n, t) {
        let key = subset
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let set = mpcegosign::threshold::Subset::from_parties(&subset).unwrap();
        // Every member computing its partial the reference's way.
        let mut sig = BigUint::from(1u8);
        for &p in &subset {
            let (_, s) = exported[usize::from(p) - 1]
                .iter()
                .find(|(k, _)| *k == key)
                .unwrap();
            sig = sig * reference_partial(&digest, s, &modulus) % &modulus;
        }
        assert_eq!(
            sig.modpow(&BigUint::from(3u8), &modulus),
            pkcs1_sha256(&digest),
            "subset {key}: the reference-computed partials do not combine"
        );
        // The first member on its exported share the reference's way, the others on
        // their own (version 3) shares through our library: the combined value is a
        // valid RSA signature over the digest.
        let mut partials = Vec::new();
        for (i, &p) in subset.iter().enumerate() {
            let value = if i == 0 {
                let (_, s) = exported[usize::from(p) - 1]
                    .iter()
                    .find(|(k, _)| *k == key)
                    .unwrap();
                reference_partial(&digest, s, &modulus)
            } else {
                let ours =
                    mpcegosign::share::file::parse(&std::fs::read(party_share(&dirs, p)).unwrap())
                        .unwrap();
                mpcegosign::threshold::partial_sign(&ours, set, &digest)
                    .unwrap()
                    .value
            };
            partials.push(mpcegosign::threshold::PartialSignature {
                party: p,
                subset: set,
                value,
            });
        }
        let combined = mpcegosign::threshold::combine(&public, set, &partials, &digest)
            .unwrap_or_else(|e| panic!("subset {key}: {e}"));
        assert!(public.verify_digest(&digest, &combined));
        let ossl = openssl::rsa::Rsa::from_public_components(
            openssl::bn::BigNum::from_slice(&modulus.to_bytes_be()).unwrap(),
            openssl::bn::BigNum::from_u32(3).unwrap(),
        )
        .unwrap();
        let mut recovered = vec![0u8; 384];
        let len = ossl
            .public_decrypt(
                &mpcegosign::key::to_fixed_be(&combined),
                &mut recovered,
                openssl::rsa::Padding::PKCS1,
            )
            .unwrap();
        assert_eq!(&recovered[len - 32..len], &digest, "OpenSSL verifies it");
    }
}

/// The exported files also sign through our CLI: a whole ceremony (initiator and
/// signer on their exported version-2 files, no roster) gives a SIGSTRUCT that
/// verifies under the group's public key.
#[test]
fn exported_shares_sign_in_a_cli_ceremony() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], PLAIN, &[]);
    let exported: Vec<PathBuf> = [1u8, 3]
        .iter()
        .map(|&p| {
            let out = tmp.path().join(format!("reference_{p}.json"));
            assert!(export(&party_share(&dirs, p), &out).status.success());
            out
        })
        .collect();
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("u"), false, [0x5e; 32]);
    let signed = tmp.path().join("signed");
    let (u, s1, o) = (
        unsigned.to_str().unwrap(),
        exported[0].to_str().unwrap(),
        signed.to_str().unwrap(),
    );
    let end = support::ceremony::sign(
        &[
            "sign",
            "--sigstruct",
            u,
            "--share",
            s1,
            "--out",
            o,
            "--signers",
            "1,3",
        ],
        &[(exported[1].clone(), vec![])],
        &[],
    );
    assert!(
        end.stderr.contains("produced a valid signature"),
        "{}",
        end.stderr
    );
    support::ceremony::assert_signed_by(&signed, &dirs[0].join("public.pem"));
}

#[test]
fn shares_without_a_reference_form_are_refused_in_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], PLAIN, &[]);

    // A sub-share from an older dealing over the integers: negative.
    let path = party_share(&dirs, 2);
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let value = v["shares"]["1,2"].as_str().unwrap().to_string();
    v["shares"]["1,2"] = format!("-{value}").into();
    let old = tmp.path().join("old_share_2.json");
    std::fs::write(&old, serde_json::to_vec_pretty(&v).unwrap()).unwrap();
    assert!(mpcegosign::share::file::parse(&std::fs::read(&old).unwrap()).is_ok());
    let out = tmp.path().join("ref.json");
    fails(
        &export(&old, &out),
        &["negative", "skips negative sub-shares", "no reference form"],
    );
    assert!(!out.exists());

    // A shoup3 share (from the safe-prime fixture).
    let shoup = tmp.path().join("shoup3");
    std::fs::create_dir_all(&shoup).unwrap();
    let key = support::fixture_key_path("safe1.pem");
    let sdirs = keygen(
        &shoup,
        2,
        2,
        &["--import", key.to_str().unwrap()],
        PLAIN,
        &[],
    );
    let s1 = party_share(&sdirs, 1);
    assert!(std::fs::read_to_string(&s1).unwrap().contains("\"shoup3\""));
    fails(
        &export(&s1, &out),
        &["shoup3 has no reference form", "only the subsets scheme"],
    );
    assert!(!out.exists());

    // An encrypted share: exported with its passphrase; a wrong one writes nothing.
    let wf = [("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10")];
    let (good, bad) = (tmp.path().join("good"), tmp.path().join("bad"));
    std::fs::write(&good, "correct horse\n").unwrap();
    std::fs::write(&bad, "wrong horse\n").unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        Command::new(BIN)
            .args(args)
            .envs(wf)
            .env_remove("MPCEGOSIGN_PASSPHRASE")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let plain = party_share(&dirs, 1);
    let enc = tmp.path().join("share_1.json.age");
    let o = run(&[
        "share".as_ref(),
        "encrypt".as_ref(),
        plain.as_os_str(),
        "--out".as_ref(),
        enc.as_os_str(),
        "--passphrase-file".as_ref(),
        good.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let export_enc = |pass: &Path, out: &Path| {
        run(&[
            "share".as_ref(),
            "export".as_ref(),
            enc.as_os_str(),
            "--reference".as_ref(),
            out.as_os_str(),
            "--passphrase-file".as_ref(),
            pass.as_os_str(),
        ])
    };
    fails(&export_enc(&bad, &out), &["share_1.json.age"]);
    assert!(!out.exists());
    let o = export_enc(&good, &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_plain = tmp.path().join("from_plain.json");
    assert!(export(&plain, &from_plain).status.success());
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&from_plain).unwrap()
    );
    std::fs::remove_file(&out).unwrap();

    // `-` is not standard output here.
    fails(
        &export(&party_share(&dirs, 1), Path::new("-")),
        &["writes a file, not standard output"],
    );

    // A missing share, and an output in a directory that does not exist.
    fails(
        &export(&tmp.path().join("nope.json"), &out),
        &["no such file"],
    );
    fails(
        &export(&party_share(&dirs, 1), &tmp.path().join("no/dir/ref.json")),
        &["no such directory"],
    );
}

/// Frozen vectors made by the reference tool's own code (`tests/fixtures/reference/`):
/// our exporter still writes those files byte for byte, we read them as the same
/// shares, our partial from each equals the reference's, and the reference's combined
/// signature is key1's signature of the digest.
#[test]
fn the_reference_tools_own_code_signs_with_exported_shares() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference");
    let key = mpcegosign::key::PrivateKey::from_pem(
        &std::fs::read(support::fixture_key_path("key1.pem")).unwrap(),
    )
    .unwrap();
    let mut shares = Vec::new();
    for p in 1..=3u8 {
        let bytes = std::fs::read(dir.join(format!("ref_{p}.json"))).unwrap();
        let share = mpcegosign::share::file::parse(&bytes).unwrap();
        assert_eq!(share.party(), p);
        assert_eq!(share.public(), key.public());
        let again = mpcegosign::share::reference::export(&share).unwrap();
        assert_eq!(
            again.expose(),
            bytes.as_slice(),
            "ref_{p}.json: the export changed"
        );
        shares.push(share);
    }
    let text = std::fs::read_to_string(dir.join("reference-partials.txt")).unwrap();
    let mut lines = text.lines();
    let digest: [u8; 32] = hex::decode(lines.next().unwrap().strip_prefix("digest ").unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let (mut partials, mut signatures) = (0, 0);
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        match fields[..] {
            ["partial", party, subset, value] => {
                let party: u8 = party.parse().unwrap();
                let subset: mpcegosign::threshold::Subset = subset.parse().unwrap();
                let ours = mpcegosign::threshold::partial_sign(
                    &shares[usize::from(party) - 1],
                    subset,
                    &digest,
                )
                .unwrap();
                assert_eq!(
                    hex::encode(mpcegosign::key::to_fixed_be(&ours.value)),
                    value,
                    "party {party}, subset {subset}"
                );
                partials += 1;
            }
            ["signature", value] => {
                let sig = BigUint::from_bytes_be(&hex::decode(value).unwrap());
                assert!(key.public().verify_digest(&digest, &sig));
                assert_eq!(sig, key.sign_digest(&digest));
                signatures += 1;
            }
            ["verifies", ok] => assert_eq!(ok, "true"),
            _ => panic!("unexpected line {line}"),
        }
    }
    assert_eq!((partials, signatures), (6, 3));
}
