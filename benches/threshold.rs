//! `cargo bench --bench threshold`: one partial signature and key generation, ours
//! against OpenSSL on the same machine, as medians (see docs/performance.md).
//!
//! Environment: BENCH_MODEXP_RUNS (default 60), BENCH_KEYGEN_RUNS (default 12).

use std::process::Command;
use std::time::{Duration, Instant};

use mpcegosign::key::{self, PrivateKey};
use mpcegosign::sgx::sigstruct::SigstructFields;
use mpcegosign::sgx::{Date, Sigstruct};
use mpcegosign::threshold::{deal, partial_sign, Scheme};
use num_bigint::{BigUint, RandBigInt};
use openssl::bn::{BigNum, BigNumContext};

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

fn time<F: FnMut()>(n: usize, mut f: F) -> Duration {
    f(); // warm-up
    median(
        (0..n)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing useful: only
    // run when benchmarking.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n_mod = runs("BENCH_MODEXP_RUNS", 60);
    let n_key = runs("BENCH_KEYGEN_RUNS", 12);
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keys/key1.pem"
    ))
    .unwrap();
    let key = PrivateKey::from_pem(&pem).unwrap();
    let n = key.public().modulus().clone();
    let shares = deal(&key, Scheme::new(3, 2).unwrap()).unwrap();
    let subset = shares[0].subsets().next().unwrap();
    let exp_bits = shares[0].sub_share(subset).unwrap().num_bits();
    let s = Sigstruct::build(&SigstructFields {
        date: Date::today_utc(),
        debug: false,
        mrenclave: [7; 32],
        isv_prod_id: 1,
        isv_svn: 1,
    });
    let digest = s.digest();

    // One partial signature: m^{d_i} mod N, constant time, through our API.
    let ours = time(n_mod, || {
        partial_sign(&shares[0], subset, &digest).unwrap();
    });

    // OpenSSL's constant-time modexp called directly, with a random 3072-bit exponent.
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
    let ossl_ct = time(n_mod, || r.mod_exp(&bm, &be, &bn, &mut ctx).unwrap());
    let be_vt = BigNum::from_slice(&e.to_bytes_be()).unwrap();
    let ossl_vt = time(n_mod, || r.mod_exp(&bm, &be_vt, &bn, &mut ctx).unwrap());
    let numbig = time(n_mod.min(20), || {
        let _: BigUint = m.modpow(&e, &n);
    });

    println!("One partial signature (3072-bit modulus, {exp_bits}-bit secret exponent, no CRT), median of {n_mod}:");
    println!(
        "  {:<52} {:>8.2} ms  {:>5.2}x",
        "mpcegosign partial_sign (OpenSSL const-time)",
        ms(ours),
        ms(ours) / ms(ossl_ct)
    );
    println!(
        "  {:<52} {:>8.2} ms  {:>5.2}x",
        "OpenSSL BN_mod_exp_mont_consttime (openssl crate)",
        ms(ossl_ct),
        1.0
    );
    println!(
        "  {:<52} {:>8.2} ms  {:>5.2}x",
        "OpenSSL BN_mod_exp, variable time",
        ms(ossl_vt),
        ms(ossl_vt) / ms(ossl_ct)
    );
    println!(
        "  {:<52} {:>8.2} ms  {:>5.2}x",
        "num-bigint modpow, variable time",
        ms(numbig),
        ms(numbig) / ms(ossl_ct)
    );

    // Key generation: ours against `openssl genrsa -3 3072`, medians (large spread).
    let mut ours_k = Vec::new();
    let mut theirs_k = Vec::new();
    let tmp = std::env::temp_dir().join(format!("mpcegosign-bench-{}.pem", std::process::id()));
    for _ in 0..n_key {
        let t = Instant::now();
        key::generate(&mut |_| {}).unwrap();
        ours_k.push(t.elapsed());
        let t = Instant::now();
        let ok = Command::new("openssl")
            .args(["genrsa", "-3", "-out"])
            .arg(&tmp)
            .arg("3072")
            .stderr(std::process::Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        theirs_k.push(t.elapsed());
        assert!(ok, "openssl genrsa failed");
    }
    let _ = std::fs::remove_file(&tmp);
    let (mut a, mut b) = (ours_k.clone(), theirs_k.clone());
    a.sort();
    b.sort();
    println!("Key generation (RSA-3072, e = 3), {n_key} runs each:");
    println!(
        "  {:<30} median {:>7.0} ms  min {:>6.0}  max {:>6.0}",
        "mpcegosign key::generate",
        ms(median(ours_k)),
        ms(a[0]),
        ms(a[a.len() - 1])
    );
    println!(
        "  {:<30} median {:>7.0} ms  min {:>6.0}  max {:>6.0}",
        "openssl genrsa -3 3072",
        ms(median(theirs_k)),
        ms(b[0]),
        ms(b[b.len() - 1])
    );
}
