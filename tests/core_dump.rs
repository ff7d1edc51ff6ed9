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
//! party), for p and q, and for the passphrase:
//! - binary big-endian: a 32-byte window from the middle of the value's bytes (the
//!   passphrase: its whole UTF-8 bytes);
//! - hex, lower and upper case: a 48-digit window from the middle;
//! - base64 (standard and URL-safe alphabets), at each of the three byte alignments
//!   the value can have inside a longer encoded text: a 40-character window.
//!
//! Not searched: little-endian binary of sub-shares, p and q. That is how OpenSSL
//! keeps the live copy the process needs (its `BIGNUM` limbs), so it must be there:
//! the signer case checks that it is found, which shows the memory was really read.
//! The dealer keeps the new share's passphrase until the share is written, so one
//! binary copy of it is expected (and required, for the same reason); hex and base64
//! copies are not allowed.

mod support;

use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use num_bigint::BigUint;
use num_traits::{One, Zero};
use support::party::Party;

/// The signer's question, at which its memory is read.
const SIGNER_PROMPT: &str = "Sign this enclave?";
/// The dealer's question after dealing, at which its memory is read: the key has been
/// generated, dealt and dropped, the joiner's share sealed and sent, and the dealer's
/// own share waits to be saved.
const DEALER_PROMPT: &str = "Does every party show key code";

const WORK_FACTOR: (&str, &str) = ("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10");

fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Every readable mapping of a live process, as (description, bytes).
fn read_memory(pid: u32) -> Vec<(String, Vec<u8>)> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut regions = Vec::new();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (range, perms) = (fields.next().unwrap(), fields.next().unwrap());
        let name = line
            .split_whitespace()
            .nth(5)
            .unwrap_or("[anon]")
            .to_string();
        if !perms.starts_with('r') || name == "[vvar]" || name == "[vsyscall]" {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let start = u64::from_str_radix(start, 16).unwrap();
        let end = u64::from_str_radix(end, 16).unwrap();
        let mut bytes = vec![0u8; (end - start) as usize];
        let mut at = 0usize;
        while at < bytes.len() {
            match mem.read_at(&mut bytes[at..], start + at as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => at += n,
            }
        }
        bytes.truncate(at);
        regions.push((name, bytes));
    }
    let total: usize = regions.iter().map(|(_, b)| b.len()).sum();
    assert!(total > 1 << 20, "read only {total} bytes of process memory");
    regions
}

/// Forms of a secret, by name, as searched (see the module comment).
fn forms(bytes: &[u8], whole: bool) -> Vec<(String, Vec<u8>)> {
    let window = |s: &[u8], len: usize| -> Vec<u8> {
        if whole || s.len() <= len {
            return s.to_vec();
        }
        let start = (s.len() - len) / 2;
        s[start..start + len].to_vec()
    };
    let mut out = vec![("binary".to_string(), window(bytes, 32))];
    let hex = hex::encode(bytes);
    out.push(("hex".into(), window(hex.as_bytes(), 48)));
    out.push(("HEX".into(), window(hex.to_uppercase().as_bytes(), 48)));
    for k in 0..3.min(bytes.len()) {
        for (alphabet, text) in [
            ("base64", STANDARD.encode(&bytes[k..])),
            ("base64url", URL_SAFE_NO_PAD.encode(&bytes[k..])),
        ] {
            // Whole groups only: the last group depends on what follows.
            let usable = &text.as_bytes()[..text.len() / 4 * 4];
            let piece = if whole || usable.len() <= 48 {
                usable.to_vec()
            } else {
                usable[8..48].to_vec()
            };
            if piece.len() >= 8 {
                out.push((format!("{alphabet} (offset {k})"), piece));
            }
        }
    }
    out
}

fn count_in(memory: &[(String, Vec<u8>)], needle: &[u8]) -> (usize, Vec<String>) {
    let finder = memchr::memmem::Finder::new(needle);
    let mut n = 0;
    let mut where_ = Vec::new();
    for (name, bytes) in memory {
        let c = finder.find_iter(bytes).count();
        if c > 0 {
            n += c;
            where_.push(name.clone());
        }
    }
    (n, where_)
}

/// A secret to look for: its bytes (big-endian for numbers), how many binary copies
/// are the live one, and whether it is text (searched whole).
struct Secret {
    name: String,
    bytes: Vec<u8>,
    live_binary_copies: usize,
    text: bool,
}

fn number(name: String, x: &BigUint) -> Secret {
    Secret {
        name,
        bytes: x.to_bytes_be(),
        live_binary_copies: 0,
        text: false,
    }
}

fn assert_no_stale_copies(who: &str, memory: &[(String, Vec<u8>)], secrets: &[Secret]) {
    let mut found = Vec::new();
    for s in secrets {
        for (form, needle) in forms(&s.bytes, s.text) {
            let (n, regions) = count_in(memory, &needle);
            let allowed = if form == "binary" {
                s.live_binary_copies
            } else {
                0
            };
            if form == "binary" && allowed > 0 {
                assert!(
                    n >= allowed,
                    "{who}: the live copy of {} was not found: the memory was not read",
                    s.name
                );
            }
            if n > allowed {
                found.push(format!("{} as {form}: {n} copies in {regions:?}", s.name));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{who}'s memory holds stale secrets:\n{}",
        found.join("\n")
    );
}

/// The little-endian bytes OpenSSL keeps (the live copy), a 32-byte middle window.
fn little_endian_window(x: &BigUint) -> Vec<u8> {
    let le = x.to_bytes_le();
    let start = (le.len() - 32) / 2;
    le[start..start + 32].to_vec()
}

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

/// The sub-shares of an encrypted share file, with their signs (version 3 sub-shares
/// are drawn over the integers and may be negative).
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
        &[
            "keygen",
            "--out-dir",
            dirs[1].to_str().unwrap(),
            "--passphrase-file",
            pass_arg,
        ],
        &[WORK_FACTOR],
    );
    joiner.send_line(&init);
    dealer.send_line(&joiner.next_message());
    dealer.wait_stderr("Did every party confirm its fingerprint?");
    dealer.send_line("y");
    let fin = dealer.next_message();
    dealer.wait_stderr(DEALER_PROMPT);
    let memory = read_memory(dealer.pid);
    dealer.send_line("y");
    joiner.send_line(&fin);
    joiner.wait_stderr("Does every party show key code");
    joiner.send_line("y");
    dealer.succeed();
    joiner.succeed();

    let (n, signed1) = signed_sub_shares(&dirs[0].join("share_1.json.age"), &pass);
    let (_, signed2) = signed_sub_shares(&dirs[1].join("share_2.json.age"), &pass);
    // 2-of-2: the two sub-shares of {1,2} add up to d (over the integers), so
    // 3·sum − 1 is a multiple of λ, which factors n.
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
    assert_no_stale_copies("the dealer", &memory, &secrets);
    let _ = std::io::stderr().flush();
}
