//! `cargo bench --bench shoup3`: the shoup3 scheme against OpenSSL on the same machine,
//! as medians (see docs/shoup3.md).
//!
//! - safe-prime key generation vs two sequential `openssl prime -generate -safe -bits 1536`;
//! - a partial without proof, the proof, its verification and combine vs one OpenSSL
//!   constant-time 3072-bit modexp;
//! - byte sizes of a share, the verification data and a partial with proof.
//!
//! Environment: BENCH_MODEXP_RUNS (default 40), BENCH_KEYGEN_RUNS (default 10; 0 skips
//! key generation), BENCH_SKIP_OPENSSL_PRIME=1 (skip the slow openssl side).

use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use mpcegosign::threshold::shoup3::{
    accept_all, combine, deal, partial_sign, partial_value, PartialWithProof, SafePrimeKey,
    VerificationKeys, PARTIAL_BYTES, SECRET_SHARE_BYTES,
};
use mpcegosign::threshold::Scheme;
use num_bigint::RandBigInt;
use openssl::bn::{BigNum, BigNumContext};

const FRAME: usize = 450;

fn runs(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Medians of several operations measured in turn, one run of each per round, so that
/// a load change on a shared machine hits all of them alike.
fn time_interleaved(n: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<Duration> {
    for f in fs.iter_mut() {
        f(); // warm-up
    }
    let mut all = vec![Vec::with_capacity(n); fs.len()];
    for _ in 0..n {
        for (f, times) in fs.iter_mut().zip(all.iter_mut()) {
            let t = Instant::now();
            f();
            times.push(t.elapsed());
        }
    }
    all.into_iter().map(median).collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn load_key(i: usize) -> SafePrimeKey {
    let pem = std::fs::read(format!(
        "{}/tests/fixtures/keys/safe{i}.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture key");
    SafePrimeKey::from_pem(&pem).expect("safe-prime fixture")
}

fn summary(label: &str, v: &[Duration]) {
    let mut s = v.to_vec();
    s.sort();
    println!(
        "  {:<48} median {:>8.0} ms  min {:>7.0}  max {:>7.0}",
        label,
        ms(s[s.len() / 2]),
        ms(s[0]),
        ms(s[s.len() - 1])
    );
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n_mod = runs("BENCH_MODEXP_RUNS", 40);
    let n_key = runs("BENCH_KEYGEN_RUNS", 10);

    // One partial: 3-of-5 share of a fixture key.
    let shares = accept_all(deal(load_key(1), Scheme::new(5, 3).unwrap()).unwrap()).unwrap();
    let keys = shares[0].keys().clone();
    let n = keys.modulus().clone();
    let digest = [0x5au8; 32];
    let p = partial_sign(&shares[0], &digest).unwrap();
    let verified: Vec<_> = shares[..3]
        .iter()
        .map(|s| {
            partial_sign(s, &digest)
                .unwrap()
                .verify(&keys, &digest)
                .unwrap()
        })
        .collect();

    // OpenSSL's constant-time modexp called directly, random 3072-bit exponent.
    let mut rng = rand::thread_rng();
    let m = rng.gen_biguint_below(&n);
    let e = rng.gen_biguint(3072);
    let (bm, bn) = (
        BigNum::from_slice(&m.to_bytes_be()).unwrap(),
        BigNum::from_slice(&n.to_bytes_be()).unwrap(),
    );
    let mut be = BigNum::from_slice(&e.to_bytes_be()).unwrap();
    be.set_const_time();
    let mut ctx = BigNumContext::new().unwrap();
    let mut r = BigNum::new().unwrap();
    let times = time_interleaved(
        n_mod,
        &mut [
            &mut || r.mod_exp(&bm, &be, &bn, &mut ctx).unwrap(),
            &mut || {
                partial_value(&shares[0], &digest).unwrap();
            },
            &mut || {
                partial_sign(&shares[0], &digest).unwrap();
            },
            &mut || {
                p.verify(&keys, &digest).unwrap();
            },
            &mut || {
                combine(&keys, &digest, &verified).unwrap();
            },
        ],
    );
    let (ossl_ct, partial, with_proof, verify, combine_3of5) =
        (times[0], times[1], times[2], times[3], times[4]);
    let ratio = |d: Duration| ms(d) / ms(ossl_ct);
    let proof = with_proof.saturating_sub(partial);
    println!("shoup3 signing, 3-of-5, 3072-bit N, median of {n_mod}, interleaved (ratio to OpenSSL const-time modexp):");
    for (label, d) in [
        ("OpenSSL BN_mod_exp_mont_consttime, 3072-bit exp", ossl_ct),
        ("partial x_i without proof (target <= 1.2x)", partial),
        ("proof alone = partial_sign - partial (<= 3x)", proof),
        ("partial_sign: partial + proof", with_proof),
        ("verify one partial's proof", verify),
        (
            "combine 3 verified partials (incl. y^3 check)",
            combine_3of5,
        ),
    ] {
        println!("  {:<48} {:>8.2} ms  {:>5.2}x", label, ms(d), ratio(d));
    }

    // Sizes, raw (before any message framing or sealing).
    println!("Sizes in bytes (raw encodings, no message header, no sealing), frames of {FRAME} B:");
    println!(
        "  {:<8} {:>12} {:>14} {:>10} {:>16} {:>14}",
        "scheme", "share", "verif. data", "per joiner", "partial+proof", "subsets: share"
    );
    for (t, n) in [(2u8, 3u8), (3, 5), (5, 9), (7, 12)] {
        let vk = VerificationKeys::encoded_len(n);
        let joiner = SECRET_SHARE_BYTES + vk;
        let sub_shares = Scheme::new(n, t).unwrap().subsets_of(1).len();
        println!(
            "  {:<8} {:>12} {:>14} {:>10} {:>9} ({} fr) {:>14}",
            format!("{t}-of-{n}"),
            SECRET_SHARE_BYTES,
            vk,
            joiner,
            PARTIAL_BYTES,
            PARTIAL_BYTES.div_ceil(FRAME),
            sub_shares * 384
        );
    }
    assert_eq!(p.to_bytes().len(), PARTIAL_BYTES);
    assert!(PartialWithProof::from_bytes(&p.to_bytes()).is_ok());

    if n_key == 0 {
        return;
    }
    // Key generation: ours (two threads) vs two sequential openssl safe-prime runs.
    let cancel = AtomicBool::new(false);
    let mut ours = Vec::new();
    for _ in 0..n_key {
        let t = Instant::now();
        SafePrimeKey::generate(&mut |_| {}, &cancel).unwrap();
        ours.push(t.elapsed());
    }
    println!(
        "Safe-prime key generation (RSA-3072 from two 1536-bit safe primes), {n_key} runs each:"
    );
    summary("mpcegosign SafePrimeKey::generate (2 threads)", &ours);
    if std::env::var("BENCH_SKIP_OPENSSL_PRIME").is_ok() {
        return;
    }
    let mut theirs = Vec::new();
    for _ in 0..n_key {
        let t = Instant::now();
        for _ in 0..2 {
            let ok = Command::new("openssl")
                .args(["prime", "-generate", "-safe", "-bits", "1536"])
                .stdout(std::process::Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(ok, "openssl prime failed");
        }
        theirs.push(t.elapsed());
    }
    summary("2 x openssl prime -generate -safe -bits 1536", &theirs);
}
