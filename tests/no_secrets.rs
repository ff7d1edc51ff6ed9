//! No secret value (d, p, q, λ, any sub-share) appears in anything a full ceremony
//! prints (every process's stdout and stderr), in any party's audit log, nor in the
//! Debug forms of the values.

mod support;

use std::path::Path;
use std::process::Command;

use base64::Engine;
use num_bigint::BigUint;
use num_integer::Integer;
use openssl::rsa::Rsa;
use support::ceremony::sign;

/// Text forms a secret could leak as: windows of its hex, decimal and base64 forms.
/// With `low_half`, only the windows of the less significant half: the top half of
/// λ and of d follows from the public modulus when e = 3 (λ ≈ n/g for a small
/// g = gcd(p−1, q−1), and d = (kλ + 1)/3), so it legitimately appears wherever the
/// modulus is printed.
fn leak_patterns(x: &BigUint, low_half: bool) -> Vec<String> {
    let bytes = x.to_bytes_be();
    let forms = [
        hex::encode(&bytes),
        x.to_str_radix(10),
        base64::engine::general_purpose::STANDARD.encode(&bytes),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes),
    ];
    let mut out = Vec::new();
    for f in forms {
        let f = f.to_lowercase();
        let step = 8;
        let width = 24;
        let mut i = if low_half { f.len() / 2 } else { 0 };
        while i + width <= f.len() {
            out.push(f[i..i + width].to_string());
            i += step;
        }
    }
    out
}

fn assert_no_leak(haystack: &str, secrets: &[(String, BigUint)]) {
    let hay = haystack.to_lowercase();
    for (name, value) in secrets {
        let low_half = name == "d" || name.contains("lambda");
        for p in leak_patterns(value, low_half) {
            if let Some(at) = hay.find(&p) {
                let mut start = at.saturating_sub(60);
                while !hay.is_char_boundary(start) {
                    start -= 1;
                }
                let mut end = (at + p.len() + 60).min(hay.len());
                while !hay.is_char_boundary(end) {
                    end += 1;
                }
                panic!(
                    "the output contains part of {name}: {p:?} in …{}…",
                    &hay[start..end]
                );
            }
        }
    }
}

fn secrets_of(key_pem: &Path, share_files: &[std::path::PathBuf]) -> Vec<(String, BigUint)> {
    let rsa = Rsa::private_key_from_pem(&std::fs::read(key_pem).unwrap()).unwrap();
    let big = |b: &openssl::bn::BigNumRef| BigUint::from_bytes_be(&b.to_vec());
    let (p, q, d) = (big(rsa.p().unwrap()), big(rsa.q().unwrap()), big(rsa.d()));
    let one = BigUint::from(1u8);
    let lambda = (&p - &one).lcm(&(&q - &one));
    let d_lambda = BigUint::from(3u8).modinv(&lambda).unwrap();
    let mut secrets = vec![
        ("p".to_string(), p),
        ("q".to_string(), q),
        ("d".to_string(), d),
        ("lambda".to_string(), lambda),
        ("d mod lambda".to_string(), d_lambda),
    ];
    for f in share_files {
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        // Version 3 sub-shares may be negative (a leading `-`): the magnitude is secret.
        for (subset, v) in json["shares"].as_object().unwrap() {
            let text = v.as_str().unwrap();
            let b = base64::engine::general_purpose::STANDARD
                .decode(text.trim_start_matches('-'))
                .unwrap();
            secrets.push((
                format!("sub-share {subset} of {}", f.display()),
                BigUint::from_bytes_be(&b),
            ));
        }
        // The party's identity secret key.
        let seed = base64::engine::general_purpose::STANDARD
            .decode(json["identity_key"].as_str().unwrap())
            .unwrap();
        secrets.push((
            format!("identity key of {}", f.display()),
            BigUint::from_bytes_be(&seed),
        ));
    }
    secrets
}

#[test]
fn a_full_ceremony_prints_no_secret() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("private.pem");
    assert!(Command::new("openssl")
        .args(["genrsa", "-3", "-out"])
        .arg(&key)
        .arg("3072")
        .output()
        .unwrap()
        .status
        .success());
    let mut transcript = String::new();
    let dirs = support::ceremony::keygen_transcript(
        tmp.path(),
        3,
        2,
        &["--import", key.to_str().unwrap()],
        &["--plaintext-share"],
        &[],
        &mut transcript,
    );
    let shares: Vec<_> = dirs
        .iter()
        .enumerate()
        .map(|(i, d)| d.join(format!("share_{}.json", i + 1)))
        .collect();
    let secrets = secrets_of(&key, &shares);

    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("unsigned"), false, [9; 32]);
    let out = tmp.path().join("signed");
    let end = sign(
        &[
            "sign",
            "--sigstruct",
            unsigned.to_str().unwrap(),
            "--share",
            shares[0].to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            "1,3",
        ],
        &[(shares[2].clone(), vec![])],
        &[],
    );
    assert!(end.status.success(), "{}", end.stderr);
    transcript.push_str(&end.stderr);
    transcript.push_str(&end.stdout.join("\n"));
    assert!(
        transcript.contains("mpcegosign2:"),
        "the transcript holds the messages"
    );
    assert_no_leak(&transcript, &secrets);
    // Every party's audit log (keygen records, and the signing's records).
    let mut logs = String::new();
    for d in &dirs {
        logs.push_str(&std::fs::read_to_string(d.join("mpcegosign-audit.jsonl")).unwrap());
    }
    assert_eq!(logs.lines().count(), 5, "{logs}");
    assert!(logs.contains("mpcegosign2:"), "the logs hold the messages");
    assert_no_leak(&logs, &secrets);
    // Control: the detector does find secrets where they are (a plaintext share file
    // and the private key in hex).
    let share_text = std::fs::read_to_string(&shares[1]).unwrap();
    let s2 = secrets.clone();
    assert!(std::panic::catch_unwind(move || assert_no_leak(&share_text, &s2)).is_err());
    let hex_d = format!("x{}x", secrets[2].1.to_str_radix(16));
    let s3 = secrets.clone();
    assert!(std::panic::catch_unwind(move || assert_no_leak(&hex_d, &s3)).is_err());

    // Debug forms of the loaded secrets.
    let loaded = mpcegosign::share::file::parse(&std::fs::read(&shares[0]).unwrap()).unwrap();
    let pk = mpcegosign::key::PrivateKey::from_pem(&std::fs::read(&key).unwrap()).unwrap();
    assert_no_leak(&format!("{loaded:?} {pk:?}"), &secrets);
}
