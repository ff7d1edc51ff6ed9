//! Whole keygen and signing ceremonies over pasted text, each party its own process.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use mpcegosign::key::PublicKey;
use support::ceremony::{joiner_args, key_code_answer, key_code_of, keygen, sign, signer_args};
use support::party::Party;
use support::shares::party_share;
use support::two_party::{joined, TwoParty};

const PLAIN: &[&str] = &["--plaintext-share"];

fn write_unsigned(dir: &Path, debug: bool) -> PathBuf {
    let name = if debug {
        "unsigned-debug.sigstruct"
    } else {
        "unsigned.sigstruct"
    };
    support::write_unsigned_sigstruct(&dir.join(name), debug, [0x3c; 32])
}

/// Checks a signed SIGSTRUCT with the `openssl` CLI: RSASSA-PKCS1-v1_5 / SHA-256 over
/// the signed regions, with the key in public.pem.
fn openssl_verifies(signed: &Path, public_pem: &Path) {
    let s = std::fs::read(signed).unwrap();
    assert_eq!(s.len(), 1808);
    let dir = signed.parent().unwrap();
    let mut regions = s[..128].to_vec();
    regions.extend_from_slice(&s[900..1028]);
    let data = dir.join("regions.bin");
    std::fs::write(&data, &regions).unwrap();
    let mut sig = s[516..900].to_vec();
    sig.reverse();
    let sig_path = dir.join("sig.bin");
    std::fs::write(&sig_path, &sig).unwrap();
    let out = Command::new("openssl")
        .args(["dgst", "-sha256", "-verify"])
        .arg(public_pem)
        .arg("-signature")
        .arg(&sig_path)
        .arg(&data)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl rejected the signature: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The SIGSTRUCT's modulus is the one in public.pem.
    let pem = std::fs::read_to_string(public_pem).unwrap();
    let key = PublicKey::from_pem(&pem).unwrap();
    assert_eq!(&s[128..512], &key.modulus_le()[..]);
}

fn sign_with(dirs: &[PathBuf], unsigned: &Path, out: &Path, initiator: u8, signers: &[u8]) {
    let list: Vec<String> = signers.iter().map(u8::to_string).collect();
    let list = list.join(",");
    let ishare = party_share(dirs, initiator);
    let args = [
        "sign",
        "--sigstruct",
        unsigned.to_str().unwrap(),
        "--share",
        ishare.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--signers",
        &list,
    ];
    let others: Vec<(PathBuf, Vec<String>)> = signers
        .iter()
        .filter(|&&p| p != initiator)
        .map(|&p| (party_share(dirs, p), vec![]))
        .collect();
    let end = sign(&args, &others, &[]);
    assert!(end.status.success(), "initiator failed: {}", end.stderr);
    openssl_verifies(out, &dirs[0].join("public.pem"));
}

#[test]
fn two_of_three_every_pair_signs() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], PLAIN, &[]);
    let pems: Vec<String> = dirs
        .iter()
        .map(|d| std::fs::read_to_string(d.join("public.pem")).unwrap())
        .collect();
    assert!(
        pems.iter().all(|p| p == &pems[0]),
        "every party has the same public.pem"
    );
    let unsigned = write_unsigned(tmp.path(), false);
    for (i, (ini, signers)) in [(1, vec![1, 2]), (2, vec![2, 3]), (3, vec![1, 3])]
        .into_iter()
        .enumerate()
    {
        let out = tmp.path().join(format!("signed-{i}"));
        sign_with(&dirs, &unsigned, &out, ini, &signers);
    }
}

#[test]
fn three_of_five_with_several_subsets() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 3, &[], PLAIN, &[]);
    let unsigned = write_unsigned(tmp.path(), false);
    let mut outputs = Vec::new();
    for (i, (ini, signers)) in [
        (1, vec![1, 3, 5]),
        (4, vec![2, 4, 5]),
        (2, vec![1, 2, 3, 4]),
    ]
    .into_iter()
    .enumerate()
    {
        let out = tmp.path().join(format!("signed-{i}"));
        sign_with(&dirs, &unsigned, &out, ini, &signers);
        outputs.push(std::fs::read(&out).unwrap());
    }
    // PKCS#1 v1.5 is deterministic: every subset yields the same bytes.
    assert!(outputs.iter().all(|o| o == &outputs[0]));
}

#[test]
fn five_of_five() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 5, 5, &[], PLAIN, &[]);
    let unsigned = write_unsigned(tmp.path(), false);
    sign_with(
        &dirs,
        &unsigned,
        &tmp.path().join("signed"),
        3,
        &[1, 2, 3, 4, 5],
    );
}

#[test]
fn imported_key_signs_like_openssl() {
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("private.pem");
    let st = Command::new("openssl")
        .args(["genrsa", "-3", "-out"])
        .arg(&key)
        .arg("3072")
        .output()
        .unwrap();
    assert!(st.status.success());
    let dirs = keygen(
        tmp.path(),
        3,
        2,
        &["--import", key.to_str().unwrap()],
        PLAIN,
        &[],
    );
    let unsigned = write_unsigned(tmp.path(), false);
    let out = tmp.path().join("signed");
    sign_with(&dirs, &unsigned, &out, 2, &[2, 3]);
    // The same digest signed by openssl with the whole key gives the same signature.
    let s = std::fs::read(&out).unwrap();
    let regions = tmp.path().join("regions.bin");
    let theirs = tmp.path().join("openssl.sig");
    let st = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&key)
        .arg("-out")
        .arg(&theirs)
        .arg(&regions)
        .output()
        .unwrap();
    assert!(st.status.success());
    let mut ours = s[516..900].to_vec();
    ours.reverse();
    assert_eq!(ours, std::fs::read(&theirs).unwrap());
}

#[test]
fn keygen_refuses_bad_joins_and_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let d: Vec<PathBuf> = (1..=3).map(|i| tmp.path().join(format!("p{i}"))).collect();
    for x in &d {
        std::fs::create_dir_all(x).unwrap();
    }
    let mut dealer = Party::spawn(
        "dealer",
        &[
            "keygen",
            "--scheme",
            "subsets",
            "--parties",
            "3",
            "--threshold",
            "2",
            "--out-dir",
            d[0].to_str().unwrap(),
            "--plaintext-share",
        ],
        &[],
    );
    let init = dealer.next_message();
    // A join for another ceremony.
    let mut other = Party::spawn(
        "other dealer",
        &[
            "keygen",
            "--scheme",
            "subsets",
            "--parties",
            "2",
            "--out-dir",
            d[2].to_str().unwrap(),
            "--plaintext-share",
        ],
        &[],
    );
    let other_init = other.next_message();
    let mut stray = Party::spawn(
        "stray",
        &joiner_args(d[2].to_str().unwrap(), &["--plaintext-share"]),
        &[],
    );
    stray.send_line(&other_init);
    let foreign_join = stray.next_message();
    drop(other.finish());
    drop(stray.finish());

    let mut j2 = Party::spawn(
        "j2",
        &joiner_args(d[1].to_str().unwrap(), &["--plaintext-share"]),
        &[],
    );
    // Garbage and a truncated paste first: the joiner says so and asks again.
    j2.send_line("hello everyone");
    j2.send_line(&init[..init.len() - 5]);
    j2.send_line(&init);
    let join2 = j2.next_message();
    // stderr is read by its own thread: wait for each line rather than snapshot it.
    j2.wait_stderr(
        "mpcegosign: this is not an mpcegosign message (it should start with `mpcegosign2:`)",
    );
    j2.wait_stderr("mpcegosign: the message is truncated or altered (checksum mismatch); copy the whole line again");
    dealer.send_line(&join2);
    dealer.wait_stderr("Party 2 joined");
    dealer.send_line(&join2);
    dealer.wait_stderr("mpcegosign: this key already joined as party 2; each party joins once");
    dealer.send_line(&foreign_join);
    dealer.wait_stderr("belongs to another ceremony");
    dealer.send_line(&init);
    dealer.wait_stderr("mpcegosign: that is a KEYGEN-INIT message; this step needs KEYGEN-JOIN");

    let mut j3 = Party::spawn(
        "j3",
        &joiner_args(d[2].to_str().unwrap(), &["--plaintext-share", "--force"]),
        &[],
    );
    j3.send_line(&init);
    let join3 = j3.next_message();
    dealer.send_line(&join3);
    dealer.wait_stderr("Did every party confirm its fingerprint?");
    dealer.send_line("y");
    let fin = dealer.next_message();
    // Every party confirms the key code before anything is saved.
    dealer.wait_stderr("Does every party show key code");
    assert!(!d[0].join("share_1.json").exists());
    // A `y` is no answer to it: only the key code's last group is.
    dealer.send_line("y");
    let end = dealer.finish();
    assert!(
        end.stderr
            .contains("That is not the last group of the key code")
            && end
                .stderr
                .contains("the key codes were not confirmed; nothing was written"),
        "{}",
        end.stderr
    );
    assert!(!d[0].join("share_1.json").exists());
    assert!(end.stderr.contains("party  3"), "{}", end.stderr);
    let code = key_code_of(&end.stderr);
    for mut j in [j2, j3] {
        j.send_line(&fin);
        j.wait_stderr("Does every party show key code");
        j.send_line(&key_code_answer(&j));
        let f = j.succeed();
        assert_eq!(key_code_of(&f.stderr), code);
    }
    assert!(d[2].join("share_3.json").exists());
}

#[test]
fn the_dealer_saves_its_share_once_the_key_code_group_is_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let TwoParty {
        mut dealer,
        joiner: mut j,
        a,
        b,
    } = joined(tmp.path(), &["--scheme", "subsets"], &["--yes"]);
    dealer.wait_stderr("Did every party confirm its fingerprint?");
    dealer.send_line("y");
    let fin = dealer.next_message();
    dealer.wait_stderr("Does every party show key code");
    assert!(!a.join("share_1.json").exists());
    // Typed in lower case, with spaces around it: still the group.
    dealer.send_line(&format!(" {} ", key_code_answer(&dealer).to_lowercase()));
    let end = dealer.succeed();
    assert!(a.join("share_1.json").exists(), "{}", end.stderr);
    j.send_line(&fin);
    j.succeed();
    assert!(b.join("share_2.json").exists());
}

#[test]
fn dealer_stops_when_fingerprints_are_not_confirmed() {
    let tmp = tempfile::tempdir().unwrap();
    let TwoParty {
        mut dealer,
        joiner: j,
        a,
        ..
    } = joined(tmp.path(), &["--scheme", "subsets"], &[]);
    dealer.wait_stderr("Did every party confirm");
    dealer.send_line("n");
    let end = dealer.finish();
    assert!(!end.status.success());
    assert!(
        end.stderr
            .contains("fingerprints were not confirmed; nothing was written"),
        "{}",
        end.stderr
    );
    assert_eq!(std::fs::read_dir(&a).unwrap().count(), 0);
    drop(j.finish());
}

#[test]
fn signer_refusals_answer_with_abort() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], PLAIN, &[]);
    let debug = write_unsigned(tmp.path(), true);
    let s1 = party_share(&dirs, 1);
    let s2 = party_share(&dirs, 2);
    let out = tmp.path().join("out");
    let mut ini = Party::spawn(
        "initiator",
        &[
            "sign",
            "--sigstruct",
            debug.to_str().unwrap(),
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    let init = ini.next_message();
    // A debug enclave is refused without --allow-debug; the refusal is an ABORT.
    let mut s = Party::spawn("signer", &signer_args(&s2, &"3c".repeat(32)), &[]);
    s.send_line(&init);
    let abort = s.next_message();
    let end = s.finish();
    assert_eq!(end.status.code(), Some(1));
    assert!(
        end.stderr
            .contains("mpcegosign: the enclave has the DEBUG attribute"),
        "{}",
        end.stderr
    );
    ini.send_line(&abort);
    ini.wait_stderr("Party 2 declined: the enclave has the DEBUG attribute");
    // A wrong expected MRENCLAVE is refused too.
    let mut s = Party::spawn(
        "signer",
        &[
            "sign",
            "--share",
            party_share(&dirs, 3).to_str().unwrap(),
            "--yes",
            "--allow-debug",
            "--expect-mrenclave",
            &"00".repeat(32),
        ],
        &[],
    );
    s.send_line(&init);
    let abort3 = s.next_message();
    assert!(!s.finish().status.success());
    ini.send_line(&abort3);
    let end = ini.finish();
    assert!(!end.status.success());
    assert!(
        end.stderr
            .contains("no subset of the parties can produce a valid signature"),
        "{}",
        end.stderr
    );
    assert!(!out.exists(), "nothing is written when the ceremony fails");
}

#[test]
fn tampered_partial_is_reported_and_another_subset_completes() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 3, 2, &[], PLAIN, &[]);
    let unsigned = write_unsigned(tmp.path(), false);
    let out = tmp.path().join("out");
    let s1 = party_share(&dirs, 1);
    let mut ini = Party::spawn(
        "initiator",
        &[
            "sign",
            "--sigstruct",
            unsigned.to_str().unwrap(),
            "--share",
            s1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    );
    let init = ini.next_message();
    let mut partials = Vec::new();
    for p in [2u8, 3] {
        let share = party_share(&dirs, p);
        let mut s = Party::spawn("signer", &signer_args(&share, &"3c".repeat(32)), &[]);
        s.send_line(&init);
        partials.push(s.next_message());
        s.succeed();
    }
    // Re-encode party 2's partial with one bit of its value flipped: its signature
    // no longer verifies, so it is ignored as a forgery.
    let bytes = mpcegosign::protocol::text::decode(&partials[0]).unwrap();
    let mut msg = mpcegosign::protocol::Message::decode(&bytes).unwrap();
    if let mpcegosign::protocol::Message::SignPartial(p) = &mut msg {
        if let mpcegosign::protocol::PartialBody::Subsets { partials, .. } = &mut p.body {
            partials[0].1[200] ^= 0x10;
        }
    }
    let tampered = mpcegosign::protocol::text::encode(&msg.encode());
    ini.send_line(&tampered);
    ini.wait_stderr(
        "that SIGN-PARTIAL claims to come from party 2 but is not signed by party 2's identity key",
    );
    // Party 2 itself (who holds its identity key) sends the bad value, signed.
    let own = std::fs::read(party_share(&dirs, 2)).unwrap();
    let party2 = mpcegosign::share::file::parse(&own).unwrap();
    msg.sign(&party2.auth().unwrap().identity);
    ini.send_line(&mpcegosign::protocol::text::encode(&msg.encode()));
    ini.wait_stderr(
        "subset {1,2} did not verify: party 2 sent a bad partial; trying another subset",
    );
    ini.send_line(&partials[1]);
    let end = ini.succeed();
    assert!(end
        .stderr
        .contains("Parties 1,3 produced a valid signature."));
    openssl_verifies(&out, &dirs[0].join("public.pem"));
}
