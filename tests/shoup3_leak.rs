//! What t − 1 shares learn from one honest `shoup3` partial (docs/shoup3.md, "Security
//! argument"): the leak of issue 21, as a test.
//!
//! Notation of docs/shoup3.md: M is the PKCS#1 v1.5 encoding of the digest, y the
//! signature (y³ = M), m = p′q′, f(0) = d·r⁻¹ mod m, s_i = f(i), x_i = M^{2Δ s_i}.
//! Write σ = (M²)^{f(0)}: the element of QR_N with σ^{3r} = M², so σ^r = y².
//! A corrupt set C of t − 1 parties and one honest party h ∉ C: interpolating
//! Δ·f(h) from the points {0} ∪ C gives
//!   x_h = σ^λ · ∏_{j∈C} (M²)^{λ_{h,j} s_j},  λ = λ^{0∪C}_{h,0} = Δ·∏_{j∈C} (j − h)/j,
//! so C computes σ^λ from x_h and its own shares, y from t partials, and
//! σ^G = (σ^λ)^a · (y²)^b with a·λ + b·r = G = gcd(r, λ). From σ^G, with ρ = r/G odd,
//! u = (σ^G)^{(ρ+1)/2} · y⁻¹ is the ρ-th root of y itself, and when 3 | ρ, u^{ρ/3} is
//! the cube root of y: an RSA signature on the number y that nobody signed.
//!
//! `the_leak_on_a_real_key` does this on a 3072-bit fixture key for every (C, h) at
//! 2-of-2, 2-of-3 and 3-of-5 and checks each value against σ computed from the whole
//! key; `the_leak_counted_for_the_documented_schemes` counts the cases from the
//! exponents alone for the table in docs/shoup3.md
//! (`cargo test --test shoup3_leak -- --nocapture` prints both).

use mpcegosign::key::pkcs1::encode_sha256;
use mpcegosign::threshold::shoup3::{
    accept_all, combine, deal_seeded, partial_sign, PartialWithProof, SafePrimeKey, Share,
    VerificationKeys, VerifiedPartial,
};
use mpcegosign::threshold::Scheme;
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;
use num_traits::{One, Zero};
use openssl::bn::{BigNum, BigNumContext, BigNumRef};

const FIXTURE_KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keys/safe1.pem");

// ---------- exponents (integers only) ----------

fn factorial(n: u8) -> BigInt {
    (1..=u32::from(n)).map(BigInt::from).product()
}

/// The odd part of 4Δ².
fn odd_part_of_four_delta_squared(n: u8) -> BigInt {
    let delta = factorial(n);
    let mut r: BigInt = &delta * &delta * 4;
    while r.is_even() {
        r /= 2;
    }
    r
}

/// Δ·∏_{j∈points, j≠i} (x − j)/(i − j): the coefficient of f(i) in Δ·f(x) interpolated
/// from `points` (which hold i). Always an integer for points in 0..=n (Shoup, Lemma 1).
fn coefficient(delta: &BigInt, points: &[u8], i: u8, x: u8) -> BigInt {
    let (mut num, mut den) = (delta.clone(), BigInt::one());
    for &j in points.iter().filter(|&&j| j != i) {
        num *= i64::from(x) - i64::from(j);
        den *= i64::from(i) - i64::from(j);
    }
    let (q, rem) = num.div_rem(&den);
    assert!(rem.is_zero(), "Δ-multiplied coefficient is not an integer");
    q
}

/// Every corrupt set C (t − 1 of the parties 1..=n) with every honest party h ∉ C.
fn cases(n: u8, t: u8) -> Vec<(Vec<u8>, u8)> {
    let mut out = Vec::new();
    for mask in 0u32..(1 << n) {
        if mask.count_ones() != u32::from(t) - 1 {
            continue;
        }
        let c: Vec<u8> = (1..=n).filter(|p| mask & (1 << (p - 1)) != 0).collect();
        for h in (1..=n).filter(|h| !c.contains(h)) {
            out.push((c.clone(), h));
        }
    }
    out
}

/// What one case gives C: the exponent λ of σ in x_h, the coefficients λ_{h,j} of its
/// own shares, and G = gcd(r, λ).
struct Exponents {
    lambda: BigInt,
    own: Vec<(u8, BigInt)>,
    g: BigInt,
}

fn exponents(n: u8, c: &[u8], h: u8) -> Exponents {
    let delta = factorial(n);
    let mut points = vec![0u8];
    points.extend_from_slice(c);
    let lambda = coefficient(&delta, &points, 0, h);
    let own = c
        .iter()
        .map(|&j| (j, coefficient(&delta, &points, j, h)))
        .collect();
    let g = lambda.gcd(&odd_part_of_four_delta_squared(n));
    Exponents { lambda, own, g }
}

// ---------- group arithmetic mod N (OpenSSL; the values here are public) ----------

fn bn(x: &BigUint) -> BigNum {
    BigNum::from_slice(&x.to_bytes_be()).unwrap()
}

fn big(x: &BigNumRef) -> BigUint {
    BigUint::from_bytes_be(&x.to_vec())
}

fn inverse(x: &BigUint, n: &BigUint) -> BigUint {
    let mut out = BigNum::new().unwrap();
    out.mod_inverse(&bn(x), &bn(n), &mut BigNumContext::new().unwrap())
        .unwrap();
    big(&out)
}

/// x^e mod n for any integer e (a negative one inverts x).
fn pow(x: &BigUint, e: &BigInt, n: &BigUint) -> BigUint {
    let base = if e.sign() == Sign::Minus {
        inverse(x, n)
    } else {
        x.clone()
    };
    let mut out = BigNum::new().unwrap();
    out.mod_exp(
        &bn(&base),
        &bn(e.magnitude()),
        &bn(n),
        &mut BigNumContext::new().unwrap(),
    )
    .unwrap();
    big(&out)
}

fn mul(a: &BigUint, b: &BigUint, n: &BigUint) -> BigUint {
    a * b % n
}

// ---------- the test on a real key ----------

/// The whole key's m = p′q′ = (p − 1)(q − 1)/4, read from the fixture (the test knows
/// the key; the attacker below never uses it).
fn fixture_m() -> BigUint {
    let pem = std::fs::read(FIXTURE_KEY).unwrap();
    let rsa = openssl::rsa::Rsa::private_key_from_pem(&pem).unwrap();
    let p = big(rsa.p().unwrap());
    let q = big(rsa.q().unwrap());
    (p - 1u8) * (q - 1u8) / 4u8
}

/// What the cases of one scheme gave.
#[derive(Debug, Default)]
struct Counts {
    cases: usize,
    /// C computed σ itself (compared with σ from the whole key).
    sigma: usize,
    /// C computed the cube root of y (checked by cubing).
    cube_root_of_y: usize,
    /// σ^G was y² already: nothing beyond the signature.
    nothing_new: usize,
    /// What the gcds predict for `sigma`.
    gcd_one: usize,
}

fn leak_on_real_key(n: u8, t: u8, m: &BigUint) -> Counts {
    let key = SafePrimeKey::from_pem(&std::fs::read(FIXTURE_KEY).unwrap()).unwrap();
    let scheme = Scheme::new(n, t).unwrap();
    let shares: Vec<Share> = accept_all(deal_seeded(key, scheme, &[0x21; 32]).unwrap()).unwrap();
    let keys: VerificationKeys = shares[0].keys().clone();
    let modulus = keys.modulus().clone();
    let digest: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ n);
    let message = encode_sha256(&digest);
    let m2 = mul(&message, &message, &modulus);
    let r = odd_part_of_four_delta_squared(n);

    // σ from the whole key: (M²)^{f(0)}, f(0) = d·r⁻¹ mod m, d = 3⁻¹ mod m.
    let d = BigUint::from(3u8).modinv(m).unwrap();
    let r_inv = r.magnitude().modinv(m).unwrap();
    let f0 = d * r_inv % m;
    let sigma = pow(&m2, &BigInt::from(f0), &modulus);
    assert_eq!(pow(&sigma, &(&r * 3), &modulus), m2, "σ^(3r) = M²");

    // Every party's partial as it travels (the wire encoding), verified as the
    // initiator verifies it. Partials are public: the chat and the initiator see them.
    let wire: Vec<Vec<u8>> = shares
        .iter()
        .map(|s| partial_sign(s, &digest).unwrap().to_bytes())
        .collect();
    let verified: Vec<VerifiedPartial> = wire
        .iter()
        .map(|b| {
            PartialWithProof::from_bytes(b)
                .unwrap()
                .verify(&keys, &digest)
                .unwrap()
        })
        .collect();
    // x_i sits after the version and party bytes (docs/shoup3.md, "Encodings").
    let x_of = |party: u8| BigUint::from_bytes_be(&wire[usize::from(party - 1)][2..2 + 384]);

    let mut counts = Counts::default();
    for (c, h) in cases(n, t) {
        let e = exponents(n, &c, h);
        counts.cases += 1;
        counts.gcd_one += usize::from(e.g.is_one());

        // The attacker: its own shares, the honest partial, and y from t partials.
        let own: Vec<(u8, BigUint)> = c
            .iter()
            .map(|&j| {
                let s = shares[usize::from(j - 1)].secret().value_bytes();
                (j, BigUint::from_bytes_be(s.expose()))
            })
            .collect();
        let mut known = BigUint::one();
        for ((j, s), (j2, coeff)) in own.iter().zip(&e.own) {
            assert_eq!(j, j2);
            known = mul(
                &known,
                &pow(&m2, &(coeff * BigInt::from(s.clone())), &modulus),
                &modulus,
            );
        }
        let sigma_lambda = mul(&x_of(h), &inverse(&known, &modulus), &modulus);
        let mut set: Vec<VerifiedPartial> = c
            .iter()
            .map(|&j| verified[usize::from(j - 1)].clone())
            .collect();
        set.push(verified[usize::from(h - 1)].clone());
        let y = combine(&keys, &digest, &set).unwrap();
        let y2 = mul(&y, &y, &modulus);
        let ext = e.lambda.extended_gcd(&r);
        assert_eq!(ext.gcd, e.g);
        let sigma_g = mul(
            &pow(&sigma_lambda, &ext.x, &modulus),
            &pow(&y2, &ext.y, &modulus),
            &modulus,
        );

        // Against the whole key.
        let case = format!("{t}-of-{n}, corrupt {c:?}, honest {h}");
        assert_eq!(y2, pow(&sigma, &r, &modulus), "{case}: σ^r = y²");
        assert_eq!(
            sigma_lambda,
            pow(&sigma, &e.lambda, &modulus),
            "{case}: x_h over what C computes is σ^λ, λ = {}",
            e.lambda
        );
        assert_eq!(
            sigma_g,
            pow(&sigma, &e.g, &modulus),
            "{case}: C computes σ^gcd(r, λ) = σ^{}",
            e.g
        );
        counts.sigma += usize::from(sigma_g == sigma);
        counts.nothing_new += usize::from(sigma_g == y2);

        // The ρ-th root of y, ρ = r/G, and from it the cube root of y when 3 | ρ.
        let rho = &r / &e.g;
        let root = mul(
            &pow(&sigma_g, &((&rho + 1) / 2), &modulus),
            &inverse(&y, &modulus),
            &modulus,
        );
        assert_eq!(
            pow(&root, &rho, &modulus),
            y,
            "{case}: the {rho}-th root of y"
        );
        if (&rho % 3u8).is_zero() {
            let cube = pow(&root, &(&rho / 3), &modulus);
            assert_eq!(pow(&cube, &BigInt::from(3), &modulus), y, "{case}: y^(1/3)");
            assert_ne!(cube, y, "{case}");
            counts.cube_root_of_y += 1;
        }
    }
    counts
}

#[test]
fn the_leak_on_a_real_key() {
    let m = fixture_m();
    for (t, n) in [(2u8, 2u8), (2, 3), (3, 5)] {
        let c = leak_on_real_key(n, t, &m);
        println!(
            "{t}-of-{n} (r = {}): {} cases; σ itself in {} (gcd(r, λ) = 1 in {}); \
             the cube root of y in {}; nothing beyond y in {}",
            odd_part_of_four_delta_squared(n),
            c.cases,
            c.sigma,
            c.gcd_one,
            c.cube_root_of_y,
            c.nothing_new
        );
        assert_eq!(c.cases, cases(n, t).len());
        // Observed against the whole key, predicted from the gcds: σ itself exactly
        // where gcd(r, λ) = 1.
        assert_eq!(c.sigma, c.gcd_one, "{t}-of-{n}");
        if n == 2 {
            // r = 1: shoup3 is Shoup's scheme, and a partial gives nothing beyond y.
            assert_eq!(c.nothing_new, c.cases, "2-of-2 leaks nothing");
            assert_eq!(c.cube_root_of_y, 0);
        } else {
            // n ≥ 3: every honest partial gives a root of y that y alone does not.
            assert_eq!(c.nothing_new, 0, "{t}-of-{n}: every case leaks");
            assert!(c.sigma > 0, "{t}-of-{n}: some case gives σ itself");
        }
    }
}

/// The cases for the schemes docs/shoup3.md quotes, from the exponents alone (no key):
/// gcd(r, λ) = 1 (σ itself), 3 | r/G (the cube root of y), G = r (nothing beyond y),
/// and, to compare with issue 21's figures, gcd(r, λ^{C∪{h}}_{0,h}) = 1 for h's
/// combining coefficient.
#[test]
fn the_leak_counted_for_the_documented_schemes() {
    let mut table = Vec::new();
    for (t, n) in [(2u8, 2u8), (2, 3), (3, 5), (5, 9), (7, 12)] {
        let r = odd_part_of_four_delta_squared(n);
        let delta = factorial(n);
        let (mut sigma, mut cube, mut nothing, mut total) = (0, 0, 0, 0);
        let mut combining_coprime = 0;
        let mut rho_range: Option<(BigInt, BigInt)> = None;
        for (c, h) in cases(n, t) {
            let e = exponents(n, &c, h);
            assert!((&r % &e.g).is_zero());
            // λ is not the honest party's combining coefficient λ^{C∪{h}}_{0,h}: the
            // two multiply to Δ² (so the combining one alone would give only σ^{Δ²}).
            let mut set = c.clone();
            set.push(h);
            let combining = coefficient(&delta, &set, h, 0);
            assert_eq!(&e.lambda * &combining, &delta * &delta);
            combining_coprime += usize::from(combining.gcd(&r).is_one());
            total += 1;
            sigma += usize::from(e.g.is_one());
            cube += usize::from((&r / &e.g % 3u8).is_zero());
            nothing += usize::from(e.g == r);
            let rho = &r / &e.g;
            rho_range = Some(match rho_range {
                None => (rho.clone(), rho),
                Some((lo, hi)) => (lo.min(rho.clone()), hi.max(rho)),
            });
        }
        println!(
            "{t}-of-{n}: r = {r}; {total} cases; σ itself in {sigma}; the cube root of y in \
             {cube}; nothing beyond y in {nothing}; the root of y is a ρ-th root, ρ = r/G \
             from {} to {}; h's combining coefficient coprime to r in {combining_coprime}",
            rho_range.as_ref().unwrap().0,
            rho_range.as_ref().unwrap().1
        );
        table.push(((t, n), (total, sigma, cube, nothing, combining_coprime)));
    }
    // The figures docs/shoup3.md states (change both together).
    assert_eq!(
        table,
        [
            ((2, 2), (2, 2, 0, 2, 2)),
            ((2, 3), (6, 2, 6, 0, 0)),
            ((3, 5), (30, 2, 22, 0, 0)),
            ((5, 9), (630, 0, 630, 0, 0)),
            ((7, 12), (5544, 0, 5544, 0, 0)),
        ]
    );
}
