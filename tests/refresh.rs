//! `refresh` across processes, over pasted text (the test is the group chat: every
//! message a party prints is pasted to every other party): a 3-of-5 `shoup3` key from
//! the safe-prime fixtures and a `subsets` key imported from an `openssl genrsa -3`
//! fixture get new shares of the same key; the new shares sign with several subsets
//! (the signature is openssl's with the whole key: MRSIGNER never changes), the old
//! shares are retired and refused, a second refresh makes generation 2, an
//! existing `--out` is never replaced, a PNG-only QR refresh works, and the whole
//! chain of the issue (keygen 3-of-5, refresh, three signings, reshare to 2-of-3,
//! signing, reshare to 5-of-9, refresh, signing) keeps MRSIGNER and openssl's
//! signature, for a `shoup3` and a `subsets` key.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::ceremony::{
    initiator_mrenclave, keygen_transcript, same_as_openssl, signer_args, spawn_initiator,
};
use support::fixture_key_path;
use support::lifecycle::{gen_share, mrsigner, refresh, reshare};
use support::party::{Finished, Party};
use support::shares::party_share;

const PLAIN: &[&str] = &["--plaintext-share"];

fn keygen(root: &Path, n: u8, t: u8, key: &str) -> Vec<PathBuf> {
    let key = fixture_key_path(key);
    let mut transcript = String::new();
    keygen_transcript(
        root,
        n,
        t,
        &["--import", key.to_str().unwrap()],
        PLAIN,
        &[],
        &mut transcript,
    )
}

/// Signs with the shares of generation `g` of `set` (the first initiates).
fn sign(dirs: &[PathBuf], root: &Path, set: &[u8], g: u32, key: &str) {
    let unsigned = support::write_unsigned_sigstruct(&root.join("u"), false, [0x5a; 32]);
    let out = root.join(format!("signed-{g}-{set:?}"));
    let list: Vec<String> = set.iter().map(|p| p.to_string()).collect();
    let ini_share = gen_share(dirs, set[0], g);
    let mut ini = spawn_initiator(&unsigned, &ini_share, &out, &list.join(","), &[], &[]);
    let init = ini.next_message();
    let m = initiator_mrenclave(&ini);
    for &p in &set[1..] {
        let s = gen_share(dirs, p, g);
        let mut signer = Party::spawn(&format!("signer {p}"), &signer_args(&s, &m), &[]);
        signer.send_line(&init);
        let line = signer.next_message();
        signer.succeed();
        ini.send_line(&line);
    }
    let end = ini.succeed();
    assert!(
        end.stderr.contains("produced a valid signature"),
        "{}",
        end.stderr
    );
    same_as_openssl(&out, key);
}

fn check_refreshed(ends: &[Finished], dirs: &[PathBuf], g: u32) {
    check_refreshed_deleting(ends, dirs, g, &[]);
}

/// Like `check_refreshed`; the parties in `deleted` ran with `--delete-retired`: their
/// old share file is gone.
fn check_refreshed_deleting(ends: &[Finished], dirs: &[PathBuf], g: u32, deleted: &[u8]) {
    let code = |f: &Finished| {
        f.stderr
            .lines()
            .find_map(|l| l.strip_prefix("Every party confirmed key code "))
            .map(|r| r.split('.').next().unwrap_or("").to_string())
            .unwrap_or_else(|| panic!("no key code line: {}", f.stderr))
    };
    let first = code(&ends[0]);
    for (i, f) in ends.iter().enumerate() {
        assert_eq!(code(f), first, "party {} saw another key code", i + 1);
        assert!(
            f.stderr.contains(&format!("generation {}", g + 1)),
            "{}",
            f.stderr
        );
    }
    for p in 1..=ends.len() as u8 {
        if deleted.contains(&p) {
            assert!(
                !gen_share(dirs, p, g).exists(),
                "party {p}'s old share is kept"
            );
            assert!(gen_share(dirs, p, g + 1).exists());
            continue;
        }
        let old = std::fs::read_to_string(gen_share(dirs, p, g)).unwrap();
        assert!(
            old.contains("\"retired\""),
            "party {p}'s old share is not retired"
        );
        let new = std::fs::read_to_string(gen_share(dirs, p, g + 1)).unwrap();
        assert!(!new.contains("\"retired\""));
        assert!(new.contains("\"generation\""));
        assert_ne!(old, new);
    }
}

fn old_share_refused(dirs: &[PathBuf], root: &Path) {
    let unsigned = support::write_unsigned_sigstruct(&root.join("u2"), false, [0x5a; 32]);
    let ini = spawn_initiator(
        &unsigned,
        &gen_share(dirs, 1, 0),
        &root.join("never"),
        "1,2,3",
        &[],
        &[],
    );
    let end = ini.finish();
    assert!(!end.status.success());
    assert!(end.stderr.contains("is retired"), "{}", end.stderr);
    assert!(!root.join("never").exists());
}

/// Each party's audit log verifies against its roster, through the refresh record
/// and the signings after it.
fn audit_follows_the_refresh(dirs: &[PathBuf]) {
    for p in 1..=dirs.len() as u8 {
        let log = dirs[usize::from(p) - 1].join("mpcegosign-audit.jsonl");
        let share = gen_share(dirs, p, 1);
        let o = Command::new(support::party::BIN)
            .args(["audit", "verify"])
            .arg(&log)
            .arg("--share")
            .arg(&share)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "party {p}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(out.contains("refresh"), "party {p}: {out}");
    }
}

#[test]
fn shoup3_three_of_five_refreshed_twice_signs_with_three_subsets() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 3, "safe1.pem");
    // A signing of generation 0 first: its record stays in the logs.
    sign(&dirs, tmp.path(), &[1, 2, 3], 0, "safe1.pem");
    let ends = refresh(&dirs, 5, 0);
    check_refreshed(&ends, &dirs, 0);
    for set in [[1u8, 2, 3], [2, 4, 5], [5, 1, 3]] {
        sign(&dirs, tmp.path(), &set, 1, "safe1.pem");
    }
    old_share_refused(&dirs, tmp.path());
    audit_follows_the_refresh(&dirs);
    let ends = refresh(&dirs, 5, 1);
    check_refreshed(&ends, &dirs, 1);
    sign(&dirs, tmp.path(), &[3, 4, 1], 2, "safe1.pem");
}

#[test]
fn subsets_key_from_openssl_genrsa_is_refreshed_and_signs() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 3, "key1.pem");
    let ends = refresh(&dirs, 5, 0);
    check_refreshed(&ends, &dirs, 0);
    for set in [[1u8, 2, 3], [4, 5, 2]] {
        sign(&dirs, tmp.path(), &set, 1, "key1.pem");
    }
    old_share_refused(&dirs, tmp.path());
}

#[test]
fn an_existing_out_is_never_replaced_and_nothing_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, "safe2.pem");
    let out = gen_share(&dirs, 1, 1);
    std::fs::write(&out, b"precious").unwrap();
    let share = party_share(&dirs, 1);
    let p = Party::spawn(
        "coordinator",
        &[
            "refresh",
            "--share",
            share.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--start",
        ],
        &[],
    );
    let end = p.finish();
    assert!(!end.status.success());
    assert!(
        end.stderr.contains("never replaces a file"),
        "{}",
        end.stderr
    );
    assert!(
        end.stdout.is_empty(),
        "something was sent: {:?}",
        end.stdout
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    let old = std::fs::read_to_string(&share).unwrap();
    assert!(!old.contains("\"retired\""));
}

#[test]
fn shoup3_three_of_five_refresh_through_png_qr_frames_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 3, "safe2.pem");
    // Each party's screen is its own folder (frames/pN); every camera reads the
    // whole wall (frames/, walked into every party's folder): each party scans the
    // others' codes (its own DEAL view only). One folder written by all five at once
    // would be one screen shared by five machines: their frame numbers collide.
    let frames = tmp.path().join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    let parties: Vec<Party> = (1..=5u8)
        .map(|p| {
            let old = gen_share(&dirs, p, 0);
            let new = gen_share(&dirs, p, 1);
            let mut a = vec![
                "refresh",
                "--share",
                old.to_str().unwrap(),
                "--out",
                new.to_str().unwrap(),
                "--yes",
            ];
            if p == 1 {
                a.push("--start");
            }
            if p == 5 {
                a.push("--delete-retired");
            }
            let a: Vec<String> = a.iter().map(|s| s.to_string()).collect();
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let qr = support::ceremony::qr_args(&frames.join(format!("p{p}")), &frames);
            Party::spawn_with(&format!("party {p}"), &a, &qr)
        })
        .collect();
    let ends: Vec<Finished> = parties.into_iter().map(|p| p.succeed()).collect();
    for f in &ends {
        assert!(f.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")));
    }
    check_refreshed_deleting(&ends, &dirs, 0, &[5]);
    sign(&dirs, tmp.path(), &[2, 3, 5], 1, "safe2.pem");
}

/// The whole chain for one key: keygen 3-of-5, refresh, three signings with
/// different subsets, reshare to 2-of-3 (new people), signing, reshare to 5-of-9,
/// refresh, signing. Every signature is openssl's with the whole fixture key, and
/// MRSIGNER is the same at every step.
fn whole_chain(key: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let first = keygen(&root.join("k"), 5, 3, key);
    let id = mrsigner(&first);
    let ends = refresh(&first, 5, 0);
    check_refreshed(&ends, &first, 0);
    for set in [[1u8, 2, 3], [2, 4, 5], [5, 1, 3]] {
        sign(&first, root, &set, 1, key);
    }
    let small = reshare(&first, 1, 2, &[1, 5], (3, 2), root, "small");
    assert_eq!(mrsigner(&small), id);
    sign(&small, root, &[3, 1], 0, key);
    let big = reshare(&small, 0, 1, &[3], (9, 5), root, "big");
    assert_eq!(mrsigner(&big), id);
    let ends = refresh(&big, 9, 0);
    check_refreshed(&ends, &big, 0);
    sign(&big, root, &[9, 2, 4, 6, 7], 1, key);
    assert_eq!(mrsigner(&big), id);
}

#[test]
fn whole_chain_shoup3_keygen_refresh_reshare_refresh() {
    whole_chain("safe1.pem");
}

#[test]
fn whole_chain_subsets_key_from_openssl_genrsa() {
    whole_chain("key1.pem");
}
