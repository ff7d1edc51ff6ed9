//! Whole ceremonies driven across processes (the test is the group chat), and the
//! argument lists of their parties: keygen dealers and joiners, signers, initiators,
//! the QR transport.

use std::path::{Path, PathBuf};

use super::party::Party;

/// A keygen dealer's arguments: `keygen --parties PARTIES`, then `rest` (threshold,
/// scheme, output directory, share protection, …).
pub fn dealer_args<'a>(parties: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["keygen", "--parties", parties];
    a.extend_from_slice(rest);
    a
}

/// A keygen joiner's arguments: `keygen --out-dir OUT_DIR`, then `rest`.
pub fn joiner_args<'a>(out_dir: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["keygen", "--out-dir", out_dir];
    a.extend_from_slice(rest);
    a
}

/// Runs keygen among n processes; returns each party's output directory.
/// `dealer_extra` adds arguments to the dealer's command (e.g. `--import`); the
/// scheme is `subsets` unless it has a `--scheme` or an `--import`.
pub fn keygen(
    root: &Path,
    n: u8,
    t: u8,
    dealer_extra: &[&str],
    common: &[&str],
    envs: &[(&str, &str)],
) -> Vec<PathBuf> {
    let mut transcript = String::new();
    keygen_transcript(root, n, t, dealer_extra, common, envs, &mut transcript)
}

/// Like `keygen`, and appends every process's stdout and stderr to `transcript`.
pub fn keygen_transcript(
    root: &Path,
    n: u8,
    t: u8,
    dealer_extra: &[&str],
    common: &[&str],
    envs: &[(&str, &str)],
    transcript: &mut String,
) -> Vec<PathBuf> {
    let dirs: Vec<PathBuf> = (1..=n).map(|i| root.join(format!("party{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let (ns, ts) = (n.to_string(), t.to_string());
    let d1 = dirs[0].to_str().unwrap();
    let mut args = dealer_args(&ns, &["--threshold", &ts, "--out-dir", d1, "--yes"]);
    // A fresh key is of the reference's scheme unless the test names one (shoup3
    // keys come from the safe-prime fixtures: generating one is slow); an imported
    // key gets the scheme its primes allow.
    if !dealer_extra.contains(&"--scheme") && !dealer_extra.contains(&"--import") {
        args.extend(["--scheme", "subsets"]);
    }
    args.extend_from_slice(dealer_extra);
    args.extend_from_slice(common);
    let mut dealer = Party::spawn("dealer", &args, envs);
    let init = dealer.next_message();
    let mut joiners = Vec::new();
    for d in &dirs[1..] {
        let mut a = joiner_args(d.to_str().unwrap(), &["--yes"]);
        a.extend_from_slice(common);
        let mut j = Party::spawn(&format!("joiner {}", d.display()), &a, envs);
        j.send_line(&init);
        let join = j.next_message();
        dealer.send_line(&join);
        joiners.push(j);
    }
    let fin = dealer.next_message();
    let mut record = |f: super::party::Finished, sent: &[&str]| {
        transcript.push_str(&f.stderr);
        transcript.push_str(&f.stdout.join("\n"));
        transcript.push_str(&sent.join("\n"));
    };
    record(dealer.succeed(), &[&init, &fin]);
    for mut j in joiners {
        j.send_line(&fin);
        record(j.succeed(), &[]);
    }
    dirs
}

/// Runs a signing ceremony: `initiator_args` start it (they include `--share`),
/// then each signer `(share path, extra args)` answers. Returns the initiator's end.
pub fn sign(
    initiator_args: &[&str],
    signers: &[(PathBuf, Vec<String>)],
    envs: &[(&str, &str)],
) -> super::party::Finished {
    let mut ini = Party::spawn("initiator", initiator_args, envs);
    let init = ini.next_message();
    let mrenclave = initiator_mrenclave(&ini);
    for (share, extra) in signers {
        let mut a: Vec<String> = vec![
            "sign".into(),
            "--share".into(),
            share.display().to_string(),
            "--yes".into(),
        ];
        // `--yes` needs `--expect-mrenclave`: the value the initiator announced,
        // unless the test chose its own.
        if !extra.iter().any(|e| e == "--expect-mrenclave") {
            a.push("--expect-mrenclave".into());
            a.push(mrenclave.clone());
        }
        a.extend(extra.iter().cloned());
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let mut s = Party::spawn("signer", &a, envs);
        s.send_line(&init);
        let partial = s.next_message();
        s.succeed();
        ini.send_line(&partial);
    }
    ini.finish()
}

/// `sign --share SHARE --yes --expect-mrenclave MRENCLAVE`: a signer that approves
/// a request for that enclave without asking.
pub fn signer_args<'a>(share: &'a Path, mrenclave: &'a str) -> [&'a str; 6] {
    [
        "sign",
        "--share",
        share.to_str().unwrap(),
        "--yes",
        "--expect-mrenclave",
        mrenclave,
    ]
}

/// The arguments of the QR transport writing PNG frames to `out` and scanning them
/// from `scan` (no camera).
pub fn qr_args(out: &Path, scan: &Path) -> Vec<String> {
    let (o, s) = (out.to_str().unwrap(), scan.to_str().unwrap());
    [
        "--transport",
        "qr",
        "--qr-out",
        o,
        "--scan",
        s,
        "--scan-timeout",
        "120",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Starts an initiator: `sign --sigstruct UNSIGNED --share SHARE --out OUT --signers
/// LIST`, then `extra`.
pub fn spawn_initiator(
    unsigned: &Path,
    share: &Path,
    out: &Path,
    signers: &str,
    extra: &[&str],
    envs: &[(&str, &str)],
) -> Party {
    let mut a = vec![
        "sign",
        "--sigstruct",
        unsigned.to_str().unwrap(),
        "--share",
        share.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--signers",
        signers,
    ];
    a.extend_from_slice(extra);
    Party::spawn("initiator", &a, envs)
}

/// Checks that the SIGSTRUCT at `signed` carries a valid signature by the key in the
/// PEM file `public`.
pub fn assert_signed_by(signed: &Path, public: &Path) {
    let signed = mpcegosign::sgx::Sigstruct::from_bytes(&std::fs::read(signed).unwrap()).unwrap();
    let public = std::fs::read_to_string(public).unwrap();
    signed
        .verify(Some(
            &mpcegosign::key::PublicKey::from_pem(&public).unwrap(),
        ))
        .unwrap();
}

/// The MRENCLAVE an initiator printed (its "  MRENCLAVE <hex>" line).
pub fn initiator_mrenclave(ini: &Party) -> String {
    ini.wait_stderr("MRENCLAVE ");
    let err = ini.stderr_so_far();
    let line = err
        .lines()
        .find(|l| l.trim_start().starts_with("MRENCLAVE "))
        .expect("MRENCLAVE line");
    line.trim_start()["MRENCLAVE ".len()..].trim().to_string()
}

/// The key code a keygen process printed ("Key code: XXXX-XXXX-XXXX-XXXX") on
/// `stderr`.
pub fn key_code_of(stderr: &str) -> String {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("Key code: "))
        .unwrap_or_else(|| panic!("no key code in {stderr}"))
        .to_string()
}

/// The last group of a key code: what the key-code question asks to type.
pub fn last_group(code: &str) -> String {
    code.trim().rsplit('-').next().expect("a group").to_string()
}

/// The answer to a party's key-code question: the last group of the key code it
/// printed.
pub fn key_code_answer(p: &Party) -> String {
    p.wait_stderr("Key code: ");
    last_group(&key_code_of(&p.stderr_so_far()))
}

/// openssl's RSASSA-PKCS1-v1_5 / SHA-256 signature with the whole fixture key `key`
/// over the SIGSTRUCT's signed regions equals the one the ceremony wrote at `signed`
/// (little-endian).
pub fn same_as_openssl(signed: &Path, key: &str) {
    let s = std::fs::read(signed).unwrap();
    assert_eq!(s.len(), 1808);
    let dir = signed.parent().unwrap();
    let mut regions = s[..128].to_vec();
    regions.extend_from_slice(&s[900..1028]);
    let data = dir.join("regions.bin");
    std::fs::write(&data, &regions).unwrap();
    let out = std::process::Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(super::fixture_key_path(key))
        .arg(&data)
        .output()
        .expect("run openssl");
    assert!(out.status.success());
    let mut ours = s[516..900].to_vec();
    ours.reverse();
    assert_eq!(
        ours, out.stdout,
        "not openssl's signature with the whole key"
    );
}
