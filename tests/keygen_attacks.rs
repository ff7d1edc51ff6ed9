//! A chat attacker against keygen, between real processes: it swaps the modulus,
//! swaps a roster entry, replays a FINALIZE from another keygen, or sits between the
//! dealer and a joiner. Each is refused with its own line, the joiners keep waiting
//! for the genuine FINALIZE, and no one saves a share under a key the attacker chose.

mod support;

use std::path::{Path, PathBuf};

use mpcegosign::identity::IdentityKey;
use mpcegosign::key::{PrivateKey, PublicKey};
use mpcegosign::protocol::{text, Message, PartyKeys};
use support::ceremony::{dealer_args, joiner_args};
use support::party::Party;

fn dirs(root: &Path, names: &[&str]) -> Vec<PathBuf> {
    names
        .iter()
        .map(|n| {
            let d = root.join(n);
            std::fs::create_dir_all(&d).unwrap();
            d
        })
        .collect()
}

fn keygen_cmd<'a>(dir: &'a Path, dealer: Option<&'a str>, yes: bool) -> Vec<&'a str> {
    let mut a = joiner_args(dir.to_str().unwrap(), &["--plaintext-share"]);
    if let Some(n) = dealer {
        a.extend(["--scheme", "subsets", "--parties", n, "--threshold", "2"]);
    }
    if yes {
        a.push("--yes");
    }
    a
}

fn edit(line: &str, f: impl FnOnce(&mut Message)) -> String {
    let mut m = Message::decode(&text::decode(line).unwrap()).unwrap();
    f(&mut m);
    text::encode(&m.encode())
}

fn attacker_modulus() -> [u8; 384] {
    let pem = std::fs::read(support::fixture_key_path("key2.pem")).unwrap();
    PrivateKey::from_pem(&pem).unwrap().public().modulus_be()
}

fn public_of(dir: &Path) -> PublicKey {
    PublicKey::from_pem(&std::fs::read_to_string(dir.join("public.pem")).unwrap()).unwrap()
}

/// A whole 2-of-2 keygen, for a FINALIZE of another ceremony.
fn other_finalize(root: &Path) -> String {
    let d = dirs(root, &["o1", "o2"]);
    let mut dealer = Party::spawn("other dealer", &keygen_cmd(&d[0], Some("2"), true), &[]);
    let init = dealer.next_message();
    let mut j = Party::spawn("other joiner", &keygen_cmd(&d[1], None, true), &[]);
    j.send_line(&init);
    dealer.send_line(&j.next_message());
    let fin = dealer.next_message();
    dealer.succeed();
    j.send_line(&fin);
    j.succeed();
    fin
}

#[test]
fn altered_and_replayed_finalize_messages_are_refused_and_the_genuine_one_still_works() {
    let tmp = tempfile::tempdir().unwrap();
    let other_fin = other_finalize(tmp.path());
    let d = dirs(tmp.path(), &["p1", "p2", "p3"]);
    let mut dealer = Party::spawn("dealer", &keygen_cmd(&d[0], Some("3"), true), &[]);
    let init = dealer.next_message();
    let mut joiners = Vec::new();
    for dir in &d[1..] {
        let mut j = Party::spawn("joiner", &keygen_cmd(dir, None, true), &[]);
        j.send_line(&init);
        dealer.send_line(&j.next_message());
        joiners.push(j);
    }
    let fin = dealer.next_message();
    dealer.succeed();

    // 1. The modulus swapped for one whose factors the attacker knows.
    let swapped = edit(&fin, |m| {
        let Message::KeygenFinalize(f) = m else {
            panic!()
        };
        f.modulus = attacker_modulus();
    });
    // 2. Party 3's roster entry swapped for the attacker's keys.
    let roster_swap = edit(&fin, |m| {
        let Message::KeygenFinalize(f) = m else {
            panic!()
        };
        f.roster[2] = PartyKeys {
            x25519: [9; 32],
            identity: IdentityKey::generate().public(),
        };
    });
    // 3. A FINALIZE replayed from another keygen, as it was and with our session.
    let session = Message::decode(&text::decode(&init).unwrap())
        .unwrap()
        .session();
    let replay_ours = edit(&other_fin, |m| {
        let Message::KeygenFinalize(f) = m else {
            panic!()
        };
        f.session = session;
    });
    for j in joiners.iter_mut() {
        j.send_line(&swapped);
        j.wait_stderr("the KEYGEN-FINALIZE is not signed by the dealer's identity key: its modulus, roster or shares were altered, or it is forged; ignored");
        j.send_line(&other_fin);
        j.wait_stderr("that KEYGEN-FINALIZE message belongs to another ceremony");
        j.send_line(&replay_ours);
        j.wait_stderr("the KEYGEN-FINALIZE has 2-of-2, but KEYGEN-INIT announced 2-of-3: ignored");
        j.send_line(&roster_swap);
    }
    joiners[0].wait_stderr("the KEYGEN-FINALIZE is not signed by the dealer's identity key");
    joiners[1].wait_stderr("the KEYGEN-FINALIZE does not list this machine's keys");
    // Nothing was saved meanwhile; then the genuine FINALIZE completes the keygen.
    assert!(!d[1].join("share_2.json").exists());
    let dealer_key = public_of(&d[0]);
    for (i, mut j) in joiners.into_iter().enumerate() {
        j.send_line(&fin);
        let f = j.succeed();
        assert!(!f.stderr.contains('\u{1b}'));
        assert_eq!(
            public_of(&d[i + 1]),
            dealer_key,
            "saved under the genuine key"
        );
    }
}

#[test]
fn a_man_in_the_middle_dealer_shows_in_the_key_code_and_nothing_is_saved() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(
        tmp.path(),
        &["dealer", "victim", "attacker-j", "attacker-d"],
    );
    // The genuine dealer and the victim confirm by hand (no --yes).
    let mut dealer = Party::spawn("dealer", &keygen_cmd(&d[0], Some("2"), false), &[]);
    let init = dealer.next_message();
    // The attacker joins the dealer in the victim's place …
    let mut a_join = Party::spawn("attacker joiner", &keygen_cmd(&d[2], None, true), &[]);
    a_join.send_line(&init);
    dealer.send_line(&a_join.next_message());
    // … and shows the victim its own KEYGEN-INIT instead of the dealer's.
    let mut a_deal = Party::spawn("attacker dealer", &keygen_cmd(&d[3], Some("2"), true), &[]);
    let fake_init = a_deal.next_message();
    let mut victim = Party::spawn("victim", &keygen_cmd(&d[1], None, false), &[]);
    victim.send_line(&fake_init);
    a_deal.send_line(&victim.next_message());
    dealer.wait_stderr("Did every party confirm its fingerprint?");
    dealer.send_line("y");
    let fin = dealer.next_message();
    a_join.send_line(&fin);
    a_join.succeed();
    let fake_fin = a_deal.next_message();
    a_deal.succeed();
    victim.send_line(&fake_fin);
    dealer.wait_stderr("Does every party show key code");
    victim.wait_stderr("Does every party show key code");
    let code = |p: &Party| support::ceremony::key_code_of(&p.stderr_so_far());
    let (dc, vc) = (code(&dealer), code(&victim));
    assert_ne!(dc, vc, "the key codes expose the attacker");
    // Comparing them out of band, both answer no: nothing is written.
    for (mut p, dir) in [(dealer, &d[0]), (victim, &d[1])] {
        p.send_line("n");
        let f = p.finish();
        assert_eq!(f.status.code(), Some(1));
        assert!(
            f.stderr
                .contains("the key codes were not confirmed; nothing was written"),
            "{}",
            f.stderr
        );
        assert_eq!(std::fs::read_dir(dir).unwrap().count(), 0);
    }
}

#[test]
fn a_weak_x25519_key_is_refused_when_the_join_arrives() {
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path(), &["p1", "p2"]);
    let mut dealer = Party::spawn("dealer", &keygen_cmd(&d[0], Some("2"), true), &[]);
    let init = dealer.next_message();
    let mut j = Party::spawn("joiner", &keygen_cmd(&d[1], None, true), &[]);
    j.send_line(&init);
    let join = j.next_message();
    // The same join with an all-zero X25519 key, re-signed by a fresh identity key.
    let id = IdentityKey::generate();
    let weak = edit(&join, |m| {
        let Message::KeygenJoin(k) = m else { panic!() };
        k.party_key = [0; 32];
        k.identity = id.public();
        m.sign(&id);
    });
    dealer.send_line(&weak);
    dealer.wait_stderr("that KEYGEN-JOIN's X25519 key is a weak (low-order) key");
    // The genuine join still becomes party 2.
    dealer.send_line(&join);
    dealer.wait_stderr("Party 2 joined");
    let fin = dealer.next_message();
    dealer.succeed();
    j.send_line(&fin);
    j.succeed();
}

/// A message of the other scheme in the live keygen: a `shoup3` KEYGEN-FINALIZE
/// (signed by the attacker, copying the session) at a `subsets` joiner, and a
/// `shoup3` KEYGEN-INIT at the dealer. One line each; the keygen completes.
#[test]
fn a_finalize_of_the_other_scheme_is_ignored_and_the_genuine_one_completes() {
    use mpcegosign::protocol::{
        shoup3_seed, KeygenFinalize, SealedShare, Shoup3Public, SCHEME_SHOUP3, SHOUP3_SEALED_BYTES,
    };
    let tmp = tempfile::tempdir().unwrap();
    let d = dirs(tmp.path(), &["p1", "p2", "o"]);
    let mut dealer = Party::spawn("dealer", &keygen_cmd(&d[0], Some("2"), true), &[]);
    let init = dealer.next_message();
    let mut j = Party::spawn("joiner", &keygen_cmd(&d[1], None, true), &[]);
    j.send_line(&init);
    let join = j.next_message();
    // A shoup3 KEYGEN-INIT of another dealer at ours: not a JOIN, ignored.
    let mut other = Party::spawn(
        "other dealer",
        &dealer_args(
            "2",
            &[
                "--scheme",
                "shoup3",
                "--out-dir",
                d[2].to_str().unwrap(),
                "--plaintext-share",
                "--yes",
            ],
        ),
        &[],
    );
    let shoup3_init = other.next_message();
    drop(other.finish());
    dealer.send_line(&shoup3_init);
    dealer.wait_stderr("that KEYGEN-INIT message belongs to another ceremony");
    dealer.send_line(&join);
    let fin = dealer.next_message();
    dealer.succeed();
    let Message::KeygenFinalize(genuine) = Message::decode(&text::decode(&fin).unwrap()).unwrap()
    else {
        panic!()
    };
    let attacker = IdentityKey::generate();
    let mut forged = Message::KeygenFinalize(KeygenFinalize {
        scheme: SCHEME_SHOUP3,
        verification: Some(Shoup3Public {
            seed: shoup3_seed(&genuine.session),
            keys: vec![[5; 384]; 2],
            feldman: None,
        }),
        roster: KeygenFinalize::wire_roster(SCHEME_SHOUP3, &genuine.roster, None),
        shares: vec![SealedShare {
            party: 2,
            nonce: [0; 12],
            ciphertext: vec![6; SHOUP3_SEALED_BYTES],
        }],
        ..genuine
    });
    forged.sign(&attacker);
    j.send_line(&text::encode(&forged.encode()));
    j.wait_stderr(
        "the KEYGEN-FINALIZE has 2-of-2 shoup3, but KEYGEN-INIT announced 2-of-2 subsets: ignored",
    );
    assert!(!d[1].join("share_2.json").exists());
    j.send_line(&fin);
    j.succeed();
    assert_eq!(public_of(&d[1]), public_of(&d[0]));
}
