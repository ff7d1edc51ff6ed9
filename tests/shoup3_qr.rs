//! A `shoup3` keygen and signing in which every message crosses as PNG QR frames
//! only (`--qr-out` into a shared folder, `--scan` of it). The dealer shows each
//! joiner its own part of the KEYGEN-FINALIZE, one folder per joiner.

mod support;

use std::path::{Path, PathBuf};

use support::ceremony::{dealer_args, joiner_args, signer_args};
use support::party::Party;

fn qr(dir: &Path) -> Vec<String> {
    support::ceremony::qr_args(dir, dir)
}

/// The one share file in `dir`, and its party number.
fn share_of(dir: &Path) -> (PathBuf, u8) {
    let shares: Vec<PathBuf> = std::fs::read_dir(dir)
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
    let name = shares[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let party = name["share_".len()..name.len() - ".json".len()]
        .parse()
        .unwrap();
    (shares[0].clone(), party)
}

#[test]
fn three_of_five_keygen_and_signing_through_png_frames_only() {
    ceremony(5, 3, "safe1.pem", "1,2,3,4", &[], &[2, 4], "1,2,4");
}

/// 6 parties invited besides the initiator; party 2 declines (it expects another
/// enclave), a garbage image lands among the frames, 5, 6, 8 and 9 answer.
#[test]
fn five_of_nine_keygen_and_signing_through_png_frames_only() {
    ceremony(
        9,
        5,
        "safe3.pem",
        "1,2,3,5,6,8,9",
        &[2],
        &[5, 6, 8, 9],
        "1,5,6,8,9",
    );
}

fn ceremony(
    n: u8,
    t: u8,
    key: &str,
    invited: &str,
    decliners: &[usize],
    answering: &[usize],
    used: &str,
) {
    let tmp = tempfile::tempdir().unwrap();
    let kg = tmp.path().join("keygen-frames");
    std::fs::create_dir_all(&kg).unwrap();
    let dirs: Vec<PathBuf> = (1..=n).map(|i| tmp.path().join(format!("p{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let key = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keys")
        .join(key);
    let (ns, ts) = (n.to_string(), t.to_string());
    let t = qr(&kg);
    let mut parties = vec![Party::spawn_with(
        "dealer",
        &dealer_args(
            &ns,
            &[
                "--threshold",
                &ts,
                "--import",
                key.to_str().unwrap(),
                "--out-dir",
                dirs[0].to_str().unwrap(),
                "--yes",
                "--plaintext-share",
            ],
        ),
        &t,
    )];
    for (i, d) in dirs[1..].iter().enumerate() {
        parties.push(Party::spawn_with(
            &format!("joiner {}", i + 2),
            &joiner_args(d.to_str().unwrap(), &["--plaintext-share", "--yes"]),
            &t,
        ));
    }
    let mut stderr = String::new();
    for p in parties {
        let f = p.succeed();
        assert!(f.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")));
        stderr.push_str(&f.stderr);
    }
    assert!(stderr.contains("The dealing checks passed"));
    // One folder per message: INIT, n - 1 JOINs, and one FINALIZE per joiner (no
    // whole FINALIZE).
    let mut folders: Vec<String> = std::fs::read_dir(&kg)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 1 + 2 * (usize::from(n) - 1), "{folders:?}");
    for p in 2..=n {
        let name = format!("keygen-finalize-for-party-{p}");
        assert_eq!(
            folders.iter().filter(|f| f.ends_with(&name)).count(),
            1,
            "{folders:?}"
        );
    }
    let (mut numbers, mut shares) = (Vec::new(), Vec::new());
    for d in &dirs {
        let (s, p) = share_of(d);
        numbers.push(p);
        shares.push((p, s));
    }
    numbers.sort();
    assert_eq!(numbers, (1..=n).collect::<Vec<_>>());
    shares.sort();

    // Signing: party 1 invites `invited`; `decliners` refuse, `answering` sign.
    let sg = tmp.path().join("sign-frames");
    std::fs::create_dir_all(&sg).unwrap();
    let t = qr(&sg);
    let u = support::write_unsigned_sigstruct(&tmp.path().join("unsigned"), false, [3; 32]);
    let out = tmp.path().join("signed");
    let ini = Party::spawn_with(
        "initiator",
        &[
            "sign",
            "--sigstruct",
            u.to_str().unwrap(),
            "--share",
            shares[0].1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--signers",
            invited,
        ],
        &t,
    );
    // A decliner sends its ABORT and keeps scanning for the next SIGN-INIT until its
    // scan timeout (short here) passes.
    let short: Vec<String> = t
        .iter()
        .map(|a| {
            if a == "120" {
                "3".to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    for &p in decliners {
        let s = Party::spawn_with(
            "decliner",
            &signer_args(&shares[p - 1].1, &"04".repeat(32)),
            &short,
        );
        let f = s.finish();
        assert!(!f.status.success());
        assert!(
            f.stderr.contains("Waiting for the next SIGN-INIT"),
            "{}",
            f.stderr
        );
    }
    if !decliners.is_empty() {
        // Garbage among the frames: an image that is no QR code.
        let img = airgap::image::GrayImage::from_fn(64, 64, |x, y| {
            airgap::image::Luma([((x * 7 + y * 13) % 256) as u8])
        });
        img.save(sg.join("garbage.png")).unwrap();
    }
    for &p in answering {
        let s = Party::spawn_with(
            "signer",
            &signer_args(&shares[p - 1].1, &"03".repeat(32)),
            &t,
        );
        s.succeed();
    }
    let end = ini.succeed();
    if !decliners.is_empty() {
        assert!(end.stderr.contains("declined"), "{}", end.stderr);
    }
    assert!(
        end.stderr
            .contains(&format!("Parties {used} produced a valid signature.")),
        "{}",
        end.stderr
    );
    support::ceremony::assert_signed_by(&out, &dirs[0].join("public.pem"));
}
