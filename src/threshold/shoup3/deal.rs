//! The dealer: f(0) = d · r⁻¹ mod m, v from a seed, and either dealing version:
//! 2 (the default) deals s_i = Δ·((f(i)·Δ⁻¹) mod m) and publishes C_k = v^{a_k} with
//! the share bound S; 1 deals s_i = f(i) mod m and publishes v_i = v^{s_i}.

use num_bigint::BigUint;
use openssl::bn::{BigNum, BigNumContext};

use super::commitments::{fresh_share_bound, VERSION_FELDMAN};
use super::key::SafePrimeKey;
use super::params::Params;
use super::secret_share::SecretShare;
use super::share::Share;
use super::vkeys::{derive_v, VerificationKeys};
use super::Shoup3Error;
use crate::key::modexp::mod_exp_secret;
use crate::secret::{biguint_to_bn, SecretBn};
use crate::threshold::Scheme;

fn ossl(e: openssl::error::ErrorStack) -> Shoup3Error {
    Shoup3Error::Arithmetic(e.to_string())
}

/// A dealt key: the public verification data and one secret share per party.
#[derive(Debug)]
pub struct Dealing {
    keys: VerificationKeys,
    shares: Vec<SecretShare>,
}

impl Dealing {
    pub fn keys(&self) -> &VerificationKeys {
        &self.keys
    }
    /// The secret shares of parties 1..=n, in order.
    pub fn into_shares(self) -> (VerificationKeys, Vec<SecretShare>) {
        (self.keys, self.shares)
    }
}

/// Deals `key` to `scheme.parties()` parties, with v from a fresh random seed; the key
/// is consumed (and wiped). A keygen ceremony uses [`deal_seeded`] instead: its v is
/// derived from the session.
pub fn deal(key: SafePrimeKey, scheme: Scheme) -> Result<Dealing, Shoup3Error> {
    let mut seed = [0u8; 32];
    openssl::rand::rand_bytes(&mut seed).map_err(ossl)?;
    deal_seeded(key, scheme, &seed)
}

/// Deals `key` with v derived from `seed` (see [`derive_v`]), in dealing version 2.
pub fn deal_seeded(
    key: SafePrimeKey,
    scheme: Scheme,
    seed: &[u8; 32],
) -> Result<Dealing, Shoup3Error> {
    deal_seeded_version(key, scheme, seed, VERSION_FELDMAN)
}

/// Deals `key` in dealing `version` (1: v_1..v_n; 2: commitments and S).
///
/// Before returning, the dealer runs every joiner's checks on every share (and the
/// polynomial and secret checks on the keys, which version 2 holds by construction),
/// so a faulty dealing never leaves the dealer.
pub fn deal_seeded_version(
    key: SafePrimeKey,
    scheme: Scheme,
    seed: &[u8; 32],
    version: u8,
) -> Result<Dealing, Shoup3Error> {
    let (public, p, q) = key.into_primes();
    let dealing = deal_primes_version(public.modulus(), &p, &q, scheme, 0, seed, version)?;
    dealing.keys.check_polynomial()?;
    if !dealing.keys.secret_matches()? {
        return Err(Shoup3Error::WrongSecret);
    }
    for s in &dealing.shares {
        if !dealing.keys.share_matches(s)? {
            return Err(Shoup3Error::WrongShare { party: s.party() });
        }
    }
    Ok(dealing)
}

/// Test-only: a version-1 dealing whose shared secret is d + 1 instead of d (every
/// joiner must refuse it with [`Shoup3Error::WrongSecret`]). Other corruptions (a wrong share,
/// an inconsistent v_i) can be made by editing the encoded bytes, a swapped v with
/// [`keys_under_other_base_for_tests`].
#[cfg(any(test, feature = "test-export"))]
pub fn deal_wrong_secret_for_tests(
    key: SafePrimeKey,
    scheme: Scheme,
    seed: &[u8; 32],
) -> Result<Dealing, Shoup3Error> {
    let (public, p, q) = key.into_primes();
    deal_primes_version(public.modulus(), &p, &q, scheme, 1, seed, 1)
}

/// Test-only: the verification data of a dealer that swapped v: v_i = w^{s_i} for a
/// base w derived from `other_seed`, while the data still names `keys`' own seed (so
/// the v every joiner derives is not the base of the v_i).
#[cfg(any(test, feature = "test-export"))]
pub fn keys_under_other_base_for_tests(
    keys: &VerificationKeys,
    secrets: &[SecretShare],
    other_seed: &[u8; 32],
) -> Result<VerificationKeys, Shoup3Error> {
    let w = derive_v(keys.modulus(), keys.params(), other_seed)?;
    let vs = secrets
        .iter()
        .map(|s| mod_exp_secret(&w, s.value(), keys.modulus()))
        .collect();
    VerificationKeys::new(keys.modulus().clone(), keys.scheme(), *keys.seed(), vs)
}

/// The version-2 dealing for N = pq (any size); see [`deal_primes_version`].
#[cfg(test)]
pub(super) fn deal_primes(
    modulus: &BigUint,
    p: &SecretBn,
    q: &SecretBn,
    scheme: Scheme,
    d_offset: u32,
    seed: &[u8; 32],
) -> Result<Dealing, Shoup3Error> {
    deal_primes_version(modulus, p, q, scheme, d_offset, seed, VERSION_FELDMAN)
}

/// The dealing for N = pq (any size) in dealing `version`. `d_offset` is 0 except in
/// tests that deal a wrong secret d + 1 on purpose.
pub(super) fn deal_primes_version(
    modulus: &BigUint,
    p: &SecretBn,
    q: &SecretBn,
    scheme: Scheme,
    d_offset: u32,
    seed: &[u8; 32],
    version: u8,
) -> Result<Dealing, Shoup3Error> {
    let params = Params::new(scheme);
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    let secure = || BigNum::new_secure().map(SecretBn::new).map_err(ossl);
    // m = p′q′ = ((p − 1)/2)((q − 1)/2)
    let mut pp = BigNum::new_secure().map_err(ossl)?;
    pp.rshift1(p.expose()).map_err(ossl)?;
    let pp = SecretBn::new(pp);
    let mut qq = BigNum::new_secure().map_err(ossl)?;
    qq.rshift1(q.expose()).map_err(ossl)?;
    let qq = SecretBn::new(qq);
    let mut m = BigNum::new_secure().map_err(ossl)?;
    m.checked_mul(pp.expose(), qq.expose(), &mut ctx)
        .map_err(ossl)?;
    let m = SecretBn::new(m);
    // f(0) = d · r⁻¹ mod m with d = 3⁻¹ mod m.
    let mut d = BigNum::new_secure().map_err(ossl)?;
    let three = BigNum::from_u32(3).map_err(ossl)?;
    d.mod_inverse(&three, m.expose(), &mut ctx)
        .map_err(|_| Shoup3Error::Keygen("3 is not invertible modulo m".into()))?;
    d.add_word(d_offset).map_err(ossl)?;
    let d = SecretBn::new(d);
    let mut r_inv = BigNum::new_secure().map_err(ossl)?;
    r_inv
        .mod_inverse(&biguint_to_bn(params.r()), m.expose(), &mut ctx)
        .map_err(|_| Shoup3Error::Keygen("r is not invertible modulo m".into()))?;
    let r_inv = SecretBn::new(r_inv);
    let mut f0 = BigNum::new_secure().map_err(ossl)?;
    f0.mod_mul(d.expose(), r_inv.expose(), m.expose(), &mut ctx)
        .map_err(ossl)?;
    let f0 = SecretBn::new(f0);
    // Coefficients a_1..a_{t−1}, uniform in [0, m).
    let mut coeffs = vec![f0];
    for _ in 1..scheme.threshold() {
        let mut a = BigNum::new_secure().map_err(ossl)?;
        m.expose().rand_range(&mut a).map_err(ossl)?;
        coeffs.push(SecretBn::new(a));
    }
    // s_i = f(i) mod m by Horner's rule.
    let mut secrets = Vec::with_capacity(usize::from(scheme.parties()));
    for i in 1..=scheme.parties() {
        let x = BigNum::from_u32(u32::from(i)).map_err(ossl)?;
        let mut acc = secure()?;
        for c in coeffs.iter().rev() {
            let mut prod = BigNum::new_secure().map_err(ossl)?;
            prod.mod_mul(acc.expose(), &x, m.expose(), &mut ctx)
                .map_err(ossl)?;
            let prod = SecretBn::new(prod);
            let mut sum = BigNum::new_secure().map_err(ossl)?;
            sum.mod_add(prod.expose(), c.expose(), m.expose(), &mut ctx)
                .map_err(ossl)?;
            acc = SecretBn::new(sum);
        }
        secrets.push(SecretShare::new(i, acc));
    }
    let v = derive_v(modulus, &params, seed)?;
    if version == VERSION_FELDMAN {
        // s_i = Δ·((f(i)·Δ⁻¹) mod m) ≡ f(i) (mod m): signing is unchanged, and every
        // share is a multiple of Δ below Δ·m < 2^S.
        let mut delta_inv = BigNum::new_secure().map_err(ossl)?;
        let delta = biguint_to_bn(params.delta());
        delta_inv
            .mod_inverse(&delta, m.expose(), &mut ctx)
            .map_err(|_| Shoup3Error::Keygen("Delta is not invertible modulo m".into()))?;
        let delta_inv = SecretBn::new(delta_inv);
        let bound = fresh_share_bound(modulus, &params);
        let width = usize::from(bound).div_ceil(8);
        let mut shares = Vec::with_capacity(secrets.len());
        for s in &secrets {
            let mut g = BigNum::new_secure().map_err(ossl)?;
            g.mod_mul(s.value().expose(), delta_inv.expose(), m.expose(), &mut ctx)
                .map_err(ossl)?;
            let g = SecretBn::new(g);
            let mut dg = BigNum::new_secure().map_err(ossl)?;
            dg.checked_mul(g.expose(), &delta, &mut ctx).map_err(ossl)?;
            shares.push(SecretShare::new_v2(s.party(), width, SecretBn::new(dg)));
        }
        let commitments = coeffs[1..]
            .iter()
            .map(|a| mod_exp_secret(&v, a, modulus))
            .collect();
        let keys =
            VerificationKeys::with_commitments(modulus.clone(), scheme, *seed, bound, commitments)?;
        return Ok(Dealing { keys, shares });
    }
    let keys = secrets
        .iter()
        .map(|s| mod_exp_secret(&v, s.value(), modulus))
        .collect();
    let keys = VerificationKeys::new(modulus.clone(), scheme, *seed, keys)?;
    Ok(Dealing {
        keys,
        shares: secrets,
    })
}

/// Accepts every share of a dealing (what each joiner does), for tests and callers
/// that hold all shares at once.
pub fn accept_all(dealing: Dealing) -> Result<Vec<Share>, Shoup3Error> {
    let (keys, shares) = dealing.into_shares();
    shares
        .into_iter()
        .map(|s| Share::accept(s, keys.clone()))
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::threshold::shoup3::primes::{safe_prime, small_primes};

    /// A small safe-prime modulus (two `bits`-bit safe primes) for fast prototypes.
    pub fn small_modulus(bits: u32) -> (BigUint, SecretBn, SecretBn) {
        let primes = small_primes(1 << 12);
        let p = safe_prime(bits, &primes, &|| false, &mut |_| {}).unwrap();
        let q = loop {
            let q = safe_prime(bits, &primes, &|| false, &mut |_| {}).unwrap();
            if q.expose() != p.expose() {
                break q;
            }
        };
        let n = crate::secret::bn_to_biguint(p.expose()) * crate::secret::bn_to_biguint(q.expose());
        (n, p, q)
    }

    /// A 3072-bit version-1 dealing from the fixture key `safe{index}.pem`.
    pub fn fixture_dealing(index: u8, parties: u8, t: u8) -> Dealing {
        fixture_dealing_version(index, parties, t, 1)
    }

    /// A 3072-bit dealing of `version` from the fixture key `safe{index}.pem`.
    pub fn fixture_dealing_version(index: u8, parties: u8, t: u8, version: u8) -> Dealing {
        let pem = std::fs::read(format!(
            "{}/tests/fixtures/keys/safe{index}.pem",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let key = SafePrimeKey::from_pem(&pem).unwrap();
        let scheme = Scheme::new(parties, t).unwrap();
        deal_seeded_version(key, scheme, &[index; 32], version).unwrap()
    }

    #[test]
    fn honest_dealing_passes_every_check() {
        let (n, p, q) = small_modulus(128);
        for version in [1, VERSION_FELDMAN] {
            for (parties, t) in [(2u8, 2u8), (3, 2), (5, 3), (7, 7), (16, 5)] {
                let scheme = Scheme::new(parties, t).unwrap();
                let d = deal_primes_version(&n, &p, &q, scheme, 0, &[2; 32], version).unwrap();
                assert_eq!(d.keys().version(), version);
                let shares = accept_all(d).unwrap();
                assert_eq!(shares.len(), usize::from(parties));
                assert!(format!("{:?}", shares[0]).contains("redacted"));
            }
        }
    }

    #[test]
    fn each_corruption_is_refused_with_its_own_error() {
        let (n, p, q) = small_modulus(128);
        let scheme = Scheme::new(5, 3).unwrap();
        // A wrong share: party 2 gets s_2 + 1.
        let (keys, shares) = deal_primes_version(&n, &p, &q, scheme, 0, &[1; 32], 1)
            .unwrap()
            .into_shares();
        assert_eq!(
            Share::accept(shares[1].tampered(1), keys.clone()).err(),
            Some(Shoup3Error::WrongShare { party: 2 })
        );
        // Inconsistent v_i: v_4 replaced by v^{s_4 + 1}; every joiner notices.
        let mut vs: Vec<BigUint> = (1..=5).map(|i| keys.key(i).unwrap().clone()).collect();
        vs[3] = vs[3].clone() * keys.v() % &n;
        let bad = VerificationKeys::new(n.clone(), scheme, *keys.seed(), vs).unwrap();
        for s in &shares {
            assert_eq!(
                bad.check_dealing(s).err(),
                Some(Shoup3Error::InconsistentKeys { party: 4 })
            );
        }
        // A wrong secret: f(0) = (d + 1) · r⁻¹.
        let (keys1, shares1) = deal_primes_version(&n, &p, &q, scheme, 1, &[1; 32], 1)
            .unwrap()
            .into_shares();
        for s in &shares1 {
            assert_eq!(keys1.check_dealing(s).err(), Some(Shoup3Error::WrongSecret));
        }
        // A swapped v: another seed, same v_i.
        let vs: Vec<BigUint> = (1..=5).map(|i| keys.key(i).unwrap().clone()).collect();
        let swapped = VerificationKeys::new(n.clone(), scheme, [9u8; 32], vs).unwrap();
        for s in &shares {
            assert_eq!(swapped.check_dealing(s).err(), Some(Shoup3Error::WrongBase));
        }
        // The same seed, but v_i made from another base.
        let rebased = keys_under_other_base_for_tests(&keys, &shares, &[9u8; 32]).unwrap();
        assert_eq!(rebased.seed(), keys.seed());
        for s in &shares {
            assert_eq!(rebased.check_dealing(s).err(), Some(Shoup3Error::WrongBase));
        }
        // And the honest dealing passes.
        for s in shares {
            Share::accept(s, keys.clone()).unwrap();
        }
    }
}
