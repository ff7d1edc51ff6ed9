//! A whole keygen and signing ceremony in which every message crosses as PNG QR
//! frames only: each process writes its frames into a shared folder (`--qr-out`) and
//! scans that folder for the others' (`--scan`), as photos or a second screen would.

mod support;

use std::path::Path;

use support::party::Party;

fn qr(dir: &Path) -> Vec<String> {
    let d = dir.to_str().unwrap().to_string();
    [
        "--transport",
        "qr",
        "--qr-out",
        &d,
        "--scan",
        &d,
        "--scan-timeout",
        "120",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn spawn(name: &str, args: &[&str], extra: &[String]) -> Party {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(extra.iter().map(String::as_str));
    Party::spawn(name, &all, &[])
}

#[test]
fn keygen_and_signing_through_png_frames_only() {
    let tmp = tempfile::tempdir().unwrap();
    let kg = tmp.path().join("keygen-frames");
    std::fs::create_dir_all(&kg).unwrap();
    let dirs: Vec<_> = (1..=3).map(|i| tmp.path().join(format!("p{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let t = qr(&kg);
    let d = |i: usize| dirs[i].to_str().unwrap().to_string();
    let (d0, d1, d2) = (d(0), d(1), d(2));
    let dealer = spawn(
        "dealer",
        &[
            "keygen",
            "--parties",
            "3",
            "--threshold",
            "2",
            "--out-dir",
            &d0,
            "--yes",
            "--plaintext-share",
        ],
        &t,
    );
    let j2 = spawn(
        "j2",
        &["keygen", "--out-dir", &d1, "--plaintext-share", "--yes"],
        &t,
    );
    let j3 = spawn(
        "j3",
        &["keygen", "--out-dir", &d2, "--plaintext-share", "--yes"],
        &t,
    );
    for p in [dealer, j2, j3] {
        let f = p.succeed();
        assert!(
            f.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")),
            "no text messages in QR mode"
        );
    }
    // Parties are numbered in the order their joins were scanned.
    let share_of = |dir: &Path| -> std::path::PathBuf {
        let shares: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("share_")
            })
            .collect();
        assert_eq!(shares.len(), 1, "{}", dir.display());
        shares[0].clone()
    };
    let mut names: Vec<String> = dirs
        .iter()
        .map(|d| {
            share_of(d)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    assert_eq!(names, ["share_1.json", "share_2.json", "share_3.json"]);
    let frames = std::fs::read_dir(&kg).unwrap().count();
    assert_eq!(
        frames, 4,
        "one frame folder each for INIT, 2 JOINs and FINALIZE"
    );

    let u = support::write_unsigned_sigstruct(&tmp.path().join("unsigned"), false, [3; 32]);
    let sg = tmp.path().join("sign-frames");
    std::fs::create_dir_all(&sg).unwrap();
    let t = qr(&sg);
    let out = tmp.path().join("signed");
    let s1 = dirs[0].join("share_1.json");
    let s3 = share_of(&dirs[2]);
    let p3 = s3.file_name().unwrap().to_string_lossy()[6..7].to_string();
    let signers = format!("1,{p3}");
    let ini = spawn(
        "initiator",
        &[
            "sign",
            "--sigstruct",
            u.to_str().unwrap(),
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            &signers,
        ],
        &t,
    );
    let signer = spawn(
        "signer",
        &[
            "sign",
            "--share",
            s3.to_str().unwrap(),
            "--yes",
            "--expect-mrenclave",
            &"03".repeat(32),
        ],
        &t,
    );
    signer.succeed();
    let end = ini.succeed();
    assert!(
        end.stderr
            .contains(&format!("Parties {signers} produced a valid signature.")),
        "{}",
        end.stderr
    );
    let signed = mpcegosign::sgx::Sigstruct::from_bytes(&std::fs::read(&out).unwrap()).unwrap();
    let public = std::fs::read_to_string(dirs[0].join("public.pem")).unwrap();
    signed
        .verify(Some(
            &mpcegosign::key::PublicKey::from_pem(&public).unwrap(),
        ))
        .unwrap();
}
