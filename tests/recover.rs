//! `recover` across processes, over pasted text: t holders give their shares to one
//! holder, who writes the whole key. For `shoup3` keys (2-of-3 and 3-of-5, from the
//! safe-prime fixtures) and a `subsets` key imported from `openssl genrsa -3`, the
//! written key is the fixture key (same modulus, and `openssl` signs byte-identically
//! with both); forged and replayed GIVEs are ignored, a GIVE with a wrong share stops
//! the receiver with one line naming the party and nothing written, an existing
//! output is never replaced, and nothing secret is printed.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::ceremony::seal::{CeremonyKey, Channel};
use mpcegosign::key::{PrivateKey, PublicKey};
use mpcegosign::protocol::{text, Give, Message};
use mpcegosign::secret::SecretString;
use support::ceremony::keygen_transcript;
use support::encrypted::WORK_FACTOR;
use support::fixture_key_path;
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

/// The first 8 hex digits of the key's MRSIGNER (the typed confirmation).
fn mrsigner8(dirs: &[PathBuf]) -> String {
    let pem = std::fs::read_to_string(dirs[0].join("public.pem")).unwrap();
    hex::encode(&PublicKey::from_pem(&pem).unwrap().mrsigner()[..4])
}

fn receiver(dirs: &[PathBuf], party: u8, out: &Path, extra: &[&str]) -> Party {
    let share = party_share(dirs, party);
    let confirm = mrsigner8(dirs);
    let mut args = vec![
        "recover",
        "--share",
        share.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--confirm-mrsigner",
        &confirm,
    ];
    args.extend_from_slice(extra);
    Party::spawn(
        &format!("receiver {party}"),
        &args,
        &[
            WORK_FACTOR,
            ("MPCEGOSIGN_PASSPHRASE", "recover test passphrase"),
        ],
    )
}

/// The keygen transcript hash (hex) of a plain share file.
fn transcript_of(share: &Path) -> String {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(share).unwrap()).unwrap();
    let t = json["keygen"]["transcript"].as_str().unwrap().to_string();
    assert_eq!(t.len(), 64);
    t
}

/// Party `party`'s GIVE for `init` (a giver process from start to end).
fn give(dirs: &[PathBuf], party: u8, init: &str) -> (String, Finished) {
    let share = party_share(dirs, party);
    let confirm = mrsigner8(dirs);
    let mut g = Party::spawn(
        &format!("giver {party}"),
        &[
            "recover",
            "--give",
            "--share",
            share.to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
        ],
        &[],
    );
    g.send_line(init);
    let line = g.next_message();
    (line, g.succeed())
}

/// `openssl dgst -sha256 -sign` over the same bytes with both keys: the same bytes.
fn signs_like(recovered: &Path, fixture: &str) {
    let dir = recovered.parent().unwrap();
    let data = dir.join("data.bin");
    std::fs::write(&data, b"a SIGSTRUCT's signed regions, or anything").unwrap();
    let sign = |key: &Path| {
        let out = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(key)
            .arg(&data)
            .output()
            .expect("run openssl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    assert_eq!(sign(recovered), sign(&fixture_key_path(fixture)));
}

fn same_key(pem: &[u8], fixture: &str) {
    let key = PrivateKey::from_pem(pem).unwrap();
    let original =
        PrivateKey::from_pem(&std::fs::read(fixture_key_path(fixture)).unwrap()).unwrap();
    assert_eq!(key.public(), original.public());
    assert_eq!(key.sign_digest(&[9; 32]), original.sign_digest(&[9; 32]));
}

fn no_secret(outputs: &[&Finished], pem: &[u8]) {
    let pem = String::from_utf8_lossy(pem);
    let body: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    for f in outputs {
        let all = format!("{}\n{}", f.stderr, f.stdout.join("\n"));
        assert!(!all.contains("PRIVATE KEY"), "{all}");
        for line in &body {
            assert!(!all.contains(line), "a line of the key was printed");
        }
    }
}

#[test]
fn shoup3_two_of_three_recover_to_a_plain_pem() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, "safe1.pem");
    let out = tmp.path().join("recovered.pem");
    let mut rx = receiver(&dirs, 2, &out, &["--plain-pem-i-understand"]);
    let init = rx.next_message();
    let (g, giver) = give(&dirs, 3, &init);
    rx.send_line(&g);
    let done = rx.succeed();
    assert!(
        done.stderr.contains("Party 3 gave its share"),
        "{}",
        done.stderr
    );
    assert!(
        giver.stderr.contains("Party 2 (fingerprint"),
        "{}",
        giver.stderr
    );
    let pem = std::fs::read(&out).unwrap();
    same_key(&pem, "safe1.pem");
    signs_like(&out, "safe1.pem");
    no_secret(&[&done, &giver], &pem);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Both sides wrote an audit record, and `audit verify` accepts them.
    for party in [2u8, 3] {
        let share = party_share(&dirs, party);
        let log = share.parent().unwrap().join("mpcegosign-audit.jsonl");
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains("\"kind\":\"recover\""), "{text}");
        let v = Command::new(support::party::BIN)
            .args(["audit", "verify", "--share"])
            .arg(&share)
            .arg(&log)
            .output()
            .unwrap();
        let said =
            String::from_utf8_lossy(&v.stdout).to_string() + &String::from_utf8_lossy(&v.stderr);
        assert!(v.status.success(), "{said}");
        assert!(said.contains("recover (session"), "{said}");
    }
}

#[test]
fn shoup3_three_of_five_recover_to_an_age_encrypted_pem() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 3, "safe2.pem");
    let out = tmp.path().join("recovered.pem.age");
    let mut rx = receiver(&dirs, 4, &out, &[]);
    let init = rx.next_message();
    let (g1, _) = give(&dirs, 1, &init);
    let (g5, _) = give(&dirs, 5, &init);
    rx.send_line(&g1);
    rx.send_line(&g5);
    rx.succeed();
    let bytes = std::fs::read(&out).unwrap();
    assert!(mpcegosign::share::encrypted::is_age(&bytes));
    let pem = mpcegosign::share::encrypted::decrypt(
        &bytes,
        &SecretString::new("recover test passphrase".into()),
    )
    .unwrap();
    same_key(pem.expose(), "safe2.pem");
}

#[test]
fn subsets_key_from_openssl_genrsa_is_recovered() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, "key1.pem");
    let out = tmp.path().join("recovered.pem");
    let mut rx = receiver(&dirs, 1, &out, &["--plain-pem-i-understand"]);
    let init = rx.next_message();
    let (g, _) = give(&dirs, 2, &init);
    rx.send_line(&g);
    rx.succeed();
    same_key(&std::fs::read(&out).unwrap(), "key1.pem");
    signs_like(&out, "key1.pem");
}

#[test]
fn forged_and_replayed_gives_are_ignored_and_a_wrong_share_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, "safe1.pem");
    // A GIVE made for an earlier session, replayed.
    let old_out = tmp.path().join("old.pem");
    let mut old = receiver(&dirs, 2, &old_out, &["--plain-pem-i-understand"]);
    let old_init = old.next_message();
    let (replayed, _) = give(&dirs, 3, &old_init);
    drop(old);
    let out = tmp.path().join("recovered.pem");
    let mut rx = receiver(&dirs, 2, &out, &["--plain-pem-i-understand"]);
    let init = rx.next_message();
    rx.send_line(&replayed);
    rx.wait_stderr("belongs to another ceremony");
    // Forged: party 3's genuine GIVE with its key altered (the signature fails).
    let (genuine, _) = give(&dirs, 3, &init);
    let mut forged = Message::decode(&text::decode(&genuine).unwrap()).unwrap();
    if let Message::Give(g) = &mut forged {
        g.giver_key[0] ^= 1;
    }
    rx.send_line(&text::encode(&forged.encode()));
    rx.wait_stderr("not signed by party 3's identity key");
    // Party 1 (a holder: its signature is good) gives a share that is not its own.
    let other = keygen(&tmp.path().join("other"), 3, 2, "safe1.pem");
    let wrong = wrong_give(&dirs, &other, 1, &init);
    rx.send_line(&wrong);
    let f = rx.finish();
    assert!(!f.status.success());
    let last = f.stderr.lines().last().unwrap_or_default();
    assert!(last.contains("party 1's GIVE"), "{}", f.stderr);
    assert!(!out.exists(), "nothing is written");
}

/// A GIVE from `party` of `dirs`, properly signed, holding `party`'s share of another
/// keygen (`other`) of the same key.
fn wrong_give(dirs: &[PathBuf], other: &[PathBuf], party: u8, init: &str) -> String {
    let read = |d: &[PathBuf]| {
        mpcegosign::share::file::parse(&std::fs::read(party_share(d, party)).unwrap()).unwrap()
    };
    let (mine, theirs) = (read(dirs), read(other));
    let Message::GiveInit(gi) = Message::decode(&text::decode(init).unwrap()).unwrap() else {
        panic!("not a GIVE-INIT")
    };
    let ours = CeremonyKey::generate();
    let transcript = gi.transcript_hash();
    let channel = Channel {
        own: &ours,
        peer: &gi.receiver_key,
        session: &gi.session,
        transcript: &transcript,
    };
    let sealed = channel
        .seal_shoup3(theirs.shoup3().unwrap().secret())
        .unwrap();
    let mut m = Message::Give(Give {
        session: gi.session,
        party,
        giver_key: ours.public(),
        sealed,
        signature: [0; 64],
    });
    m.sign(&mine.auth().unwrap().identity);
    text::encode(&m.encode())
}

#[test]
fn an_existing_output_is_never_replaced_and_nothing_is_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, "key1.pem");
    let out = tmp.path().join("key.pem");
    std::fs::write(&out, b"precious").unwrap();
    let rx = receiver(&dirs, 1, &out, &["--plain-pem-i-understand"]);
    let f = rx.finish();
    assert!(!f.status.success());
    assert!(f.stderr.contains("never replaces"), "{}", f.stderr);
    assert!(f.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")));
    assert_eq!(std::fs::read(&out).unwrap(), b"precious");
    // A wrong typed confirmation stops the receiver before anything is sent, too.
    let share = party_share(&dirs, 1);
    let o = Command::new(support::party::BIN)
        .args([
            "recover",
            "--plain-pem-i-understand",
            "--confirm-mrsigner",
            "00000000",
            "--share",
        ])
        .arg(&share)
        .arg("--out")
        .arg(tmp.path().join("new.pem"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not confirmed"));
    assert!(o.stdout.is_empty());
    assert!(!tmp.path().join("new.pem").exists());
}

#[test]
fn recover_through_png_qr_frames_only() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, "safe1.pem");
    let frames = tmp.path().join("frames");
    std::fs::create_dir_all(&frames).unwrap();
    let qr = support::ceremony::qr_args(&frames, &frames);
    let out = tmp.path().join("recovered.pem");
    let confirm = mrsigner8(&dirs);
    let (s1, s3) = (party_share(&dirs, 1), party_share(&dirs, 3));
    let rx = Party::spawn_with(
        "receiver 1",
        &[
            "recover",
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--plain-pem-i-understand",
            "--confirm-mrsigner",
            &confirm,
        ],
        &qr,
    );
    let giver = Party::spawn_with(
        "giver 3",
        &[
            "recover",
            "--give",
            "--share",
            s3.to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
        ],
        &qr,
    );
    let g = giver.succeed();
    let r = rx.succeed();
    for f in [&g, &r] {
        assert!(f.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")));
    }
    let pem = std::fs::read(&out).unwrap();
    same_key(&pem, "safe1.pem");
    no_secret(&[&g, &r], &pem);
}

#[test]
fn reshare_three_of_five_to_two_of_three_keeps_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let old = keygen(tmp.path(), 5, 3, "safe1.pem");
    let confirm = mrsigner8(&old);
    let new: Vec<PathBuf> = (1..=3)
        .map(|i| tmp.path().join(format!("new{i}")))
        .collect();
    for d in &new {
        std::fs::create_dir_all(d).unwrap();
    }
    // Old party 2 deals; old parties 1 and 5 give.
    let s2 = party_share(&old, 2);
    let mut dealer = Party::spawn(
        "reshare dealer",
        &[
            "reshare",
            "--share",
            s2.to_str().unwrap(),
            "--parties",
            "3",
            "--threshold",
            "2",
            "--out-dir",
            new[0].to_str().unwrap(),
            "--confirm-mrsigner",
            &confirm,
            "--yes",
            "--plaintext-share",
        ],
        &[],
    );
    let init = dealer.next_message();
    let (g1, giver) = give(&old, 1, &init);
    assert!(giver.stderr.contains("to RESHARE"), "{}", giver.stderr);
    let (g5, _) = give(&old, 5, &init);
    dealer.send_line(&g1);
    dealer.send_line(&g5);
    // Then an ordinary keygen, with the rebuilt key as the dealt one.
    let kinit = dealer.next_message();
    let mut joiners = Vec::new();
    for d in &new[1..] {
        let mut j = Party::spawn(
            "new joiner",
            &[
                "keygen",
                "--out-dir",
                d.to_str().unwrap(),
                "--yes",
                "--plaintext-share",
            ],
            &[],
        );
        j.send_line(&kinit);
        let join = j.next_message();
        dealer.send_line(&join);
        joiners.push(j);
    }
    let fin = dealer.next_message();
    let d = dealer.succeed();
    assert!(d.stderr.contains("(shoup3 scheme)"), "{}", d.stderr);
    // The joiners are told, from the dealer's signed KEYGEN-INIT, that this is a
    // reshare of the key, and of which roster (the old keygen's transcript hash).
    let old_transcript = transcript_of(&s2);
    let new_transcript = transcript_of(&party_share(&new, 1));
    assert!(
        d.stderr.contains(&format!(
            "The new roster's keygen transcript is {new_transcript}"
        )),
        "{}",
        d.stderr
    );
    for mut j in joiners {
        j.send_line(&fin);
        let f = j.succeed();
        let announced = format!(
            "This keygen is a reshare of MRSIGNER {}: the dealer deals that existing key, held until now by the roster of keygen {old_transcript}, to a new roster.",
            &hex::encode(
                PublicKey::from_pem(&std::fs::read_to_string(old[0].join("public.pem")).unwrap())
                    .unwrap()
                    .mrsigner()
            )
        );
        assert!(f.stderr.contains(&announced), "{}", f.stderr);
        assert!(!f.stderr.contains("The dealer will share an existing key"));
    }
    // The audit trail from roster to roster. The dealer's log beside its old share:
    // the old keygen, the giving, then the reshare record linking the old roster to
    // the new keygen; a new joiner's log: its keygen, a reshare of the old roster.
    let verify = |log: &Path, share: &Path| {
        let out = Command::new(support::party::BIN)
            .args(["audit", "verify"])
            .arg(log)
            .arg("--share")
            .arg(share)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        text
    };
    let old_log = verify(&s2.parent().unwrap().join("mpcegosign-audit.jsonl"), &s2);
    assert!(
        old_log.contains(&format!(
            "OK: reshare (giving session {}",
            &hex::encode(
                Message::decode(&text::decode(&init).unwrap())
                    .unwrap()
                    .session()
                    .0
            )[..16]
        )) && old_log.contains(&format!(
            "dealt this key to the 2-of-3 roster of keygen {}",
            &new_transcript[..16]
        )),
        "{old_log}"
    );
    let joiner_log = verify(
        &new[1].join("mpcegosign-audit.jsonl"),
        &party_share(&new, 2),
    );
    assert!(
        joiner_log.contains(&format!(
            "a reshare of the key held until then by the roster of keygen {}",
            &old_transcript[..16]
        )),
        "{joiner_log}"
    );
    // The same key: the same public.pem, and the new shares recover the fixture key.
    for d in &new {
        assert_eq!(
            std::fs::read(d.join("public.pem")).unwrap(),
            std::fs::read(old[0].join("public.pem")).unwrap()
        );
    }
    let out = tmp.path().join("from-new.pem");
    let mut rx = receiver(&new, 3, &out, &["--plain-pem-i-understand"]);
    let rinit = rx.next_message();
    let (g, _) = give(&new, 2, &rinit);
    rx.send_line(&g);
    rx.succeed();
    same_key(&std::fs::read(&out).unwrap(), "safe1.pem");
    no_secret(&[&d], &std::fs::read(&out).unwrap());
}
