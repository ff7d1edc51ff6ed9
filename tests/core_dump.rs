//! A party waiting at a prompt holds no stale copy of a secret in its memory.
//!
//! The test runs a signer (and, separately, the dealer) until it sits at its prompt,
//! reads every readable mapping of the process through `/proc/PID/mem` (what a core
//! dump or `gcore` would hold, freed heap included), lets the ceremony finish, and
//! then searches the memory for the ceremony's secrets.
//!
//! The processes make themselves non-dumpable (`PR_SET_DUMPABLE = 0`), so their memory
//! can only be read with `CAP_SYS_PTRACE`: the test runs as root, as CI does (and
//! says it is skipped otherwise). Nothing in the tool is switched off for the test.
//!
//! What is searched, for every sub-share of the party (and, for the dealer, every
//! party), for p and q, for the passphrase, and for the party's own identity seed:
//! - binary big-endian: a 32-byte window from the middle of the value's bytes (the
//!   passphrase, 40 random characters: every 12-byte piece of its UTF-8 bytes);
//! - hex, lower and upper case: a 48-digit window from the middle (passphrase: every
//!   24-digit piece);
//! - base64 (standard and URL-safe alphabets), at each of the three byte alignments
//!   the value can have inside a longer encoded text: a 40-character window
//!   (passphrase: every 16-character piece).
//!
//! Not searched: little-endian binary of sub-shares, p and q. That is how OpenSSL
//! keeps the live copy the process needs (its `BIGNUM` limbs), so it must be there:
//! the signer case checks that it is found, which shows the memory was really read.
//! The party's Ed25519 identity seed must be there exactly once, in binary: the one
//! locked page it lives in (`src/locked.rs`); a second copy anywhere fails the test
//! (before that page, the signer held 4 copies and the dealer 14, all on the stack).
//! The dealer keeps the new share's passphrase until the share is written, so one
//! binary copy of it is expected (and required, for the same reason); hex and base64
//! copies are not allowed.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};

use num_bigint::BigUint;
use num_traits::{One, Zero};
use support::ceremony::joiner_args;
use support::encrypted::{encrypted_fixture_share, WORK_FACTOR};
use support::memory::{
    assert_no_stale_copies, count_in, is_root, little_endian_window, number, read_memory, Secret,
};
use support::party::Party;
use support::script::Terminal;

/// The signer's question, at which its memory is read.
const SIGNER_PROMPT: &str = "Sign this enclave?";
/// The dealer's question after dealing, at which its memory is read: the key has been
/// generated, dealt and dropped, the joiner's share sealed and sent, and the dealer's
/// own share waits to be saved.
const DEALER_PROMPT: &str = "Does every party show key code";

fn passphrase_file(dir: &Path) -> (PathBuf, String) {
    let pass = format!("core dump test {}", hex::encode(rand::random::<[u8; 12]>()));
    let path = dir.join("pass");
    std::fs::write(&path, format!("{pass}\n")).unwrap();
    (path, pass)
}

/// The sub-shares of an encrypted share file (magnitudes; `signed_sum` gives the sum
/// with their signs).
fn sub_shares(path: &Path, pass: &str) -> (BigUint, Vec<(String, BigUint)>) {
    let (n, subs) = signed_sub_shares(path, pass);
    (
        n,
        subs.into_iter()
            .map(|(name, v)| (name, v.magnitude().clone()))
            .collect(),
    )
}

/// The sub-shares of an encrypted share file, with their signs (earlier dealings drew
/// them over the integers, and the last of a subset was usually negative).
fn signed_sub_shares(path: &Path, pass: &str) -> (BigUint, Vec<(String, num_bigint::BigInt)>) {
    let bytes = std::fs::read(path).unwrap();
    let plain = mpcegosign::share::encrypted::decrypt(
        &bytes,
        &mpcegosign::secret::SecretString::new(pass.to_string()),
    )
    .unwrap();
    let share = mpcegosign::share::file::parse(plain.expose()).unwrap();
    let n = share.public().modulus().clone();
    let subs = share
        .subsets()
        .map(|s| {
            let sub = share.sub_share(s).unwrap();
            let v = sub.to_be_bytes();
            let sign = if sub.is_negative() {
                num_bigint::Sign::Minus
            } else {
                num_bigint::Sign::Plus
            };
            (
                format!("sub-share {s} of party {}", share.party()),
                num_bigint::BigInt::from_bytes_be(sign, v.expose()),
            )
        })
        .collect();
    (n, subs)
}

/// The Ed25519 identity seed of an encrypted version-3 share file.
fn identity_seed(path: &Path, pass: &str) -> [u8; 32] {
    let plain = mpcegosign::share::encrypted::decrypt(
        &std::fs::read(path).unwrap(),
        &mpcegosign::secret::SecretString::new(pass.to_string()),
    )
    .unwrap();
    let share = mpcegosign::share::file::parse(plain.expose()).unwrap();
    *share.auth().unwrap().identity.expose_seed()
}

/// Factors n from any multiple `m` of λ(n) (here 3·d − 1).
fn factor(n: &BigUint, m: &BigUint) -> (BigUint, BigUint) {
    let one = BigUint::one();
    let (mut r, mut s) = (m.clone(), 0u32);
    while (&r & &one).is_zero() {
        r >>= 1;
        s += 1;
    }
    let n1 = n - &one;
    for g in 2u32..200 {
        let mut x = BigUint::from(g).modpow(&r, n);
        if x == one || x == n1 {
            continue;
        }
        for _ in 0..s {
            let y = x.modpow(&BigUint::from(2u8), n);
            if y == one {
                let p = num_integer::Integer::gcd(&(&x - &one), n);
                return (p.clone(), n / p);
            }
            if y == n1 {
                break;
            }
            x = y;
        }
    }
    panic!("could not factor the modulus from the shares");
}

#[test]
fn a_signer_at_its_prompt_holds_no_stale_secret() {
    if !is_root() {
        eprintln!("skipped: reading a non-dumpable process's memory needs root (CAP_SYS_PTRACE)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (pass_path, pass) = passphrase_file(tmp.path());
    let pass_arg = pass_path.to_str().unwrap();
    let dirs = support::ceremony::keygen(
        tmp.path(),
        2,
        2,
        &["--import", "tests/fixtures/keys/key1.pem"],
        &["--passphrase-file", pass_arg],
        &[WORK_FACTOR],
    );
    let share1 = dirs[0].join("share_1.json.age");
    let share2 = dirs[1].join("share_2.json.age");
    let unsigned = support::write_unsigned_sigstruct(&tmp.path().join("unsigned"), false, [7; 32]);
    let out = tmp.path().join("signed");
    let mut ini = Party::spawn(
        "initiator",
        &[
            "sign",
            "--sigstruct",
            unsigned.to_str().unwrap(),
            "--share",
            share1.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--passphrase-file",
            pass_arg,
        ],
        &[WORK_FACTOR],
    );
    let init = ini.next_message();
    let mut signer = Party::spawn(
        "signer",
        &[
            "sign",
            "--share",
            share2.to_str().unwrap(),
            "--passphrase-file",
            pass_arg,
        ],
        &[WORK_FACTOR],
    );
    signer.send_line(&init);
    signer.wait_stderr(SIGNER_PROMPT);
    let memory = read_memory(signer.pid);
    signer.send_line("y");
    let partial = signer.next_message();
    signer.succeed();
    ini.send_line(&partial);
    let end = ini.succeed();
    assert!(out.exists(), "{}", end.stderr);

    let rsa = openssl::rsa::Rsa::private_key_from_pem(
        &std::fs::read("tests/fixtures/keys/key1.pem").unwrap(),
    )
    .unwrap();
    let big = |b: &openssl::bn::BigNumRef| BigUint::from_bytes_be(&b.to_vec());
    let (_, subs) = sub_shares(&share2, &pass);
    assert!(!subs.is_empty());
    // Control: the live copies are there, as OpenSSL keeps them.
    for (name, v) in &subs {
        let (n, _) = count_in(&memory, &little_endian_window(v));
        assert!(
            n >= 1,
            "the live copy of {name} was not found: the memory was not read"
        );
    }
    let mut secrets: Vec<Secret> = subs.iter().map(|(n, v)| number(n.clone(), v)).collect();
    secrets.push(number("p".into(), &big(rsa.p().unwrap())));
    secrets.push(number("q".into(), &big(rsa.q().unwrap())));
    secrets.push(Secret {
        name: "the passphrase".into(),
        bytes: pass.as_bytes().to_vec(),
        live_binary_copies: 0,
        text: true,
    });
    secrets.push(Secret {
        name: "the identity seed".into(),
        bytes: identity_seed(&share2, &pass).to_vec(),
        live_binary_copies: 1,
        text: false,
    });
    assert_no_stale_copies("the signer", &memory, &secrets);
}

#[test]
fn the_dealer_at_its_prompt_holds_no_stale_secret() {
    if !is_root() {
        eprintln!("skipped: reading a non-dumpable process's memory needs root (CAP_SYS_PTRACE)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (pass_path, pass) = passphrase_file(tmp.path());
    let pass_arg = pass_path.to_str().unwrap();
    let dirs: Vec<PathBuf> = (1..=2).map(|i| tmp.path().join(format!("p{i}"))).collect();
    for d in &dirs {
        std::fs::create_dir_all(d).unwrap();
    }
    let mut dealer = Party::spawn(
        "dealer",
        &[
            "keygen",
            "--scheme",
            "subsets",
            "--parties",
            "2",
            "--out-dir",
            dirs[0].to_str().unwrap(),
            "--passphrase-file",
            pass_arg,
        ],
        &[WORK_FACTOR],
    );
    let init = dealer.next_message();
    let mut joiner = Party::spawn(
        "joiner",
        &joiner_args(dirs[1].to_str().unwrap(), &["--passphrase-file", pass_arg]),
        &[WORK_FACTOR],
    );
    joiner.send_line(&init);
    dealer.send_line(&joiner.next_message());
    dealer.wait_stderr("Did every party confirm its fingerprint?");
    dealer.send_line("y");
    let fin = dealer.next_message();
    dealer.wait_stderr(DEALER_PROMPT);
    let memory = read_memory(dealer.pid);
    dealer.send_line(&support::ceremony::key_code_answer(&dealer));
    joiner.send_line(&fin);
    joiner.wait_stderr("Does every party show key code");
    joiner.send_line(&support::ceremony::key_code_answer(&joiner));
    dealer.succeed();
    joiner.succeed();

    let (n, signed1) = signed_sub_shares(&dirs[0].join("share_1.json.age"), &pass);
    let (_, signed2) = signed_sub_shares(&dirs[1].join("share_2.json.age"), &pass);
    // 2-of-2: the two sub-shares of {1,2} add up to d modulo λ, so 3·sum − 1 is a
    // multiple of λ, which factors n.
    let sum = (&signed1[0].1 + &signed2[0].1).to_biguint().unwrap();
    let (p, q) = factor(&n, &(BigUint::from(3u8) * sum - 1u8));
    let magnitudes = |v: Vec<(String, num_bigint::BigInt)>| -> Vec<(String, BigUint)> {
        v.into_iter()
            .map(|(name, x)| (name, x.magnitude().clone()))
            .collect()
    };
    let (subs1, subs2) = (magnitudes(signed1), magnitudes(signed2));
    assert_eq!(&p * &q, n);
    let mut secrets: Vec<Secret> = subs1
        .iter()
        .chain(&subs2)
        .map(|(name, v)| number(name.clone(), v))
        .collect();
    secrets.push(number("p".into(), &p));
    secrets.push(number("q".into(), &q));
    secrets.push(Secret {
        name: "the passphrase".into(),
        bytes: pass.as_bytes().to_vec(),
        live_binary_copies: 1,
        text: true,
    });
    secrets.push(Secret {
        name: "the dealer's identity seed".into(),
        bytes: identity_seed(&dirs[0].join("share_1.json.age"), &pass).to_vec(),
        live_binary_copies: 1,
        text: false,
    });
    assert_no_stale_copies("the dealer", &memory, &secrets);
    let _ = std::io::stderr().flush();
}

/// The `mpcegosign` process below `root` (e.g. under `script`), once it exists.
fn find_mpcegosign(root: u32) -> u32 {
    for _ in 0..600 {
        let mut todo = vec![root];
        while let Some(pid) = todo.pop() {
            let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
            if comm.trim() == "mpcegosign" {
                return pid;
            }
            let tasks = std::fs::read_dir(format!("/proc/{pid}/task"));
            for task in tasks.into_iter().flatten().flatten() {
                let children =
                    std::fs::read_to_string(task.path().join("children")).unwrap_or_default();
                todo.extend(
                    children
                        .split_whitespace()
                        .filter_map(|c| c.parse::<u32>().ok()),
                );
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("no mpcegosign process below {root}");
}

/// A passphrase typed on a terminal (a pseudo-terminal from `script`) leaves no copy
/// once it has been used: `share passwd` is stopped at "Repeat the passphrase:",
/// when the old passphrase has opened the share and only the new one is still held.
#[test]
fn a_passphrase_typed_on_the_terminal_leaves_no_copy() {
    if !is_root() {
        eprintln!("skipped: reading a non-dumpable process's memory needs root (CAP_SYS_PTRACE)");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (old_path, old) = passphrase_file(tmp.path());
    let file = encrypted_fixture_share(tmp.path(), &old_path);
    let new = hex::encode(rand::random::<[u8; 20]>());

    let command = format!("{} share passwd {}", support::party::BIN, file.display());
    let mut terminal = Terminal::spawn(&command, &[WORK_FACTOR]);
    let pid = find_mpcegosign(terminal.id());
    terminal.wait_for("Passphrase for");
    terminal.type_text(&format!("{old}\n"));
    terminal.wait_for("(new): ");
    terminal.type_text(&format!("{new}\n"));
    terminal.wait_for("Repeat the passphrase: ");
    let memory = read_memory(pid);
    terminal.type_text(&format!("{new}\n"));
    let (status, out) = terminal.close();
    assert!(status.success(), "{out}");
    assert!(out.contains("Changed the passphrase"), "{out}");

    // The share now opens with the new passphrase only.
    let (_, subs) = sub_shares(&file, &new);
    for (name, v) in &subs {
        let (n, _) = count_in(&memory, &little_endian_window(v));
        assert!(
            n >= 1,
            "the live copy of {name} was not found: the memory was not read"
        );
    }
    let mut secrets: Vec<Secret> = subs.iter().map(|(n, v)| number(n.clone(), v)).collect();
    secrets.push(Secret {
        name: "the old passphrase".into(),
        bytes: old.as_bytes().to_vec(),
        live_binary_copies: 0,
        text: true,
    });
    secrets.push(Secret {
        name: "the new passphrase (typed once so far)".into(),
        bytes: new.as_bytes().to_vec(),
        live_binary_copies: 1,
        text: true,
    });
    assert_no_stale_copies("share passwd", &memory, &secrets);
}
