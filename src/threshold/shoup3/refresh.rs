//! The Feldman refresh of a dealing-version-2 key (docs/shoup3.md, "Refresh").
//!
//! Party i draws z_i(X) = Σ_{k=1}^{t−1} a_{ik}·X^k with a_{ik} uniform in
//! [0, 2^{S+128}) and publishes C_{ik} = v^{a_{ik}} mod N; party j gets z_i(j) and
//! checks v^{z_i(j)} = ∏_k C_{ik}^{j^k}. The new share is s′_j = s_j + Σ_i z_i(j) over
//! the integers, the new commitments C′_k = C_k·∏_i C_{ik}, the new share bound
//! S′ = S + 128 + ⌈log₂(n·Σ_{k=1}^{t−1} n^k)⌉ + 1. There is no C_{i0}: v′_j is still
//! h^{2Δ}·∏_k C′_k^{j^k}, so the secret f(0) cannot move (a sender adding a constant c
//! to its parts fails every recipient's check unless v^c = 1, which needs a multiple
//! of the secret order m).
//!
//! Encodings: public `1 ‖ S (u16) ‖ C_{i1} ‖ … ‖ C_{i,t−1}` (each as many bytes as N);
//! a part z_i(j) big-endian in [`part_len`] bytes.

use num_bigint::BigUint;
use num_traits::One;
use openssl::bn::{BigNum, MsbOption};
use std::cmp::Ordering;

use super::arith::{self, pow};
use super::commitments::MAX_SHARE_BOUND;
use super::secret_share::SecretShare;
use super::share::Share;
use super::vkeys::VerificationKeys;
use crate::key::modexp::mod_exp_secret;
use crate::secret::SecretBn;
use crate::threshold::contribution::{check_senders, RefreshContribution, RefreshError};
use crate::threshold::Scheme;

/// The encoding version of a shoup3 refresh contribution's public part.
const PUBLIC_FORMAT: u8 = 1;
/// Statistical hiding of the old share per refresh, in bits.
const HIDING_BITS: u64 = 128;

/// Σ_{k=1}^{t−1} x^k.
fn power_sum(x: u8, t: u8) -> BigUint {
    let mut sum = BigUint::ZERO;
    let mut power = BigUint::one();
    for _ in 1..t {
        power *= x;
        sum += &power;
    }
    sum
}

/// S′ = S + 128 + ⌈log₂(n·Σ_{k=1}^{t−1} n^k)⌉ + 1, the bound after one refresh;
/// `None` past [`MAX_SHARE_BOUND`].
pub fn next_bound(bound: u16, scheme: Scheme) -> Option<u16> {
    let n = scheme.parties();
    let growth = power_sum(n, scheme.threshold()) * n;
    // ⌈log₂ x⌉ = bits(x − 1) for x ≥ 1.
    let log = (growth - 1u8).bits();
    let next = u64::from(bound) + HIDING_BITS + log + 1;
    u16::try_from(next).ok().filter(|b| *b <= MAX_SHARE_BOUND)
}

/// The share bound after `count` refreshes of a key whose bound is `bound` now.
pub fn bound_after_refreshes(bound: u16, scheme: Scheme, count: u32) -> Option<u16> {
    (0..count).try_fold(bound, |b, _| next_bound(b, scheme))
}

/// Bytes of a contribution's public part for `scheme` and a modulus of `modulus_bytes`.
pub fn public_len(scheme: Scheme, modulus_bytes: usize) -> usize {
    3 + modulus_bytes * usize::from(scheme.threshold() - 1)
}

/// Bytes of one secret part: z_i(j) < 2^{S+128}·Σ_k j^k ≤ 2^{S+128+bits(Σ_k n^k)}.
pub fn part_len(bound: u16, scheme: Scheme) -> usize {
    let bits =
        u64::from(bound) + HIDING_BITS + power_sum(scheme.parties(), scheme.threshold()).bits();
    bits.div_ceil(8) as usize
}

/// The key's share bound, or the refusal of a version-1 key.
fn bound_of(share: &Share) -> Result<u16, RefreshError> {
    share
        .keys()
        .commitments()
        .map(|c| c.bound())
        .ok_or(RefreshError::DealingVersion1)
}

/// Draws this party's contribution: a_{ik} uniform below 2^{S+128}, C_{ik}, and
/// z_i(j) for every party j (own included).
pub fn contribution(share: &Share) -> Result<RefreshContribution, RefreshError> {
    let bound = bound_of(share)?;
    let keys = share.keys();
    let scheme = keys.scheme();
    if next_bound(bound, scheme).is_none() {
        return Err(RefreshError::Exhausted {
            max: u64::from(MAX_SHARE_BOUND),
        });
    }
    let draw_bits = i32::from(bound) + HIDING_BITS as i32;
    let mut coeffs = Vec::with_capacity(usize::from(scheme.threshold() - 1));
    for _ in 1..scheme.threshold() {
        let mut a = BigNum::new_secure().map_err(RefreshError::ossl)?;
        a.rand(draw_bits, MsbOption::MAYBE_ZERO, false)
            .map_err(RefreshError::ossl)?;
        coeffs.push(SecretBn::new(a));
    }
    let w = arith::width(keys.modulus());
    let mut public = Vec::with_capacity(public_len(scheme, w));
    public.push(PUBLIC_FORMAT);
    public.extend_from_slice(&bound.to_be_bytes());
    for a in &coeffs {
        let c = mod_exp_secret(keys.v(), a, keys.modulus());
        arith::push_fixed(&mut public, &c, w);
    }
    let len = part_len(bound, scheme);
    let mut parts = Vec::with_capacity(usize::from(scheme.parties()));
    for j in 1..=scheme.parties() {
        let z = evaluate(&coeffs, j)?;
        parts.push((j, z.to_be_bytes_padded(len)));
    }
    Ok(RefreshContribution { public, parts })
}

/// z(j) = Σ_{k≥1} a_k·j^k by Horner's rule, over the integers, in wiped numbers.
fn evaluate(coeffs: &[SecretBn], j: u8) -> Result<SecretBn, RefreshError> {
    let mut acc = SecretBn::new(BigNum::new_secure().map_err(RefreshError::ossl)?);
    for a in coeffs.iter().rev() {
        let mut sum = BigNum::new_secure().map_err(RefreshError::ossl)?;
        sum.checked_add(acc.expose(), a.expose())
            .map_err(RefreshError::ossl)?;
        sum.mul_word(u32::from(j)).map_err(RefreshError::ossl)?;
        acc = SecretBn::new(sum);
    }
    Ok(acc)
}

/// A sender's public part, well formed for this key: its format, the same share
/// bound S as this share's, t − 1 commitments each a unit in [2, N).
pub fn check_public(
    share: &Share,
    sender: u8,
    public: &[u8],
) -> Result<Vec<BigUint>, RefreshError> {
    let bound = bound_of(share)?;
    let keys = share.keys();
    let scheme = keys.scheme();
    if !scheme.has_party(sender) {
        return Err(RefreshError::UnknownSender {
            sender,
            n: scheme.parties(),
        });
    }
    let malformed = |what| RefreshError::MalformedPublic { sender, what };
    let w = arith::width(keys.modulus());
    if public.len() != public_len(scheme, w) {
        return Err(malformed("wrong length"));
    }
    if public[0] != PUBLIC_FORMAT {
        return Err(malformed("unknown format"));
    }
    let got = u16::from_be_bytes([public[1], public[2]]);
    if got != bound {
        return Err(RefreshError::OtherBound {
            sender,
            got,
            want: bound,
        });
    }
    public[3..]
        .chunks_exact(w)
        .map(|c| {
            arith::unit(c, keys.modulus(), "commitment")
                .map_err(|_| malformed("a commitment is not a unit below N"))
        })
        .collect()
}

/// The recipient's check of its part z_i(j) from `sender`: in range
/// (z < 2^{S+128}·Σ_k j^k, what an honest draw gives) and v^{z} = ∏_k C_{ik}^{j^k}.
/// Returns z.
pub fn check_part(
    share: &Share,
    sender: u8,
    public: &[u8],
    part: &[u8],
) -> Result<SecretBn, RefreshError> {
    let commitments = check_public(share, sender, public)?;
    let keys = share.keys();
    let scheme = keys.scheme();
    let bound = bound_of(share)?;
    if part.len() != part_len(bound, scheme) {
        return Err(RefreshError::MalformedPart {
            sender,
            what: "wrong length",
        });
    }
    let j = share.party();
    let z = SecretBn::from_be_bytes(part);
    let limit =
        (BigUint::one() << (u64::from(bound) + HIDING_BITS)) * power_sum(j, scheme.threshold());
    if z.expose().ucmp(&crate::secret::biguint_to_bn(&limit)) != Ordering::Less {
        return Err(RefreshError::MalformedPart {
            sender,
            what: "out of range",
        });
    }
    let n = keys.modulus();
    let mut expected = BigUint::one();
    let mut power = BigUint::one();
    for c in &commitments {
        power *= j;
        expected = expected * pow(c, &power, n)? % n;
    }
    if mod_exp_secret(keys.v(), &z, n) != expected {
        return Err(RefreshError::BadPart { sender });
    }
    Ok(z)
}

/// Checks all n contributions again and returns the refreshed share: s′_j, and the
/// verification data with C′_k and S′, through [`Share::accept`].
pub fn apply(share: &Share, all: &[(u8, &[u8], &[u8])]) -> Result<Share, RefreshError> {
    let bound = bound_of(share)?;
    let keys = share.keys();
    let scheme = keys.scheme();
    let next = next_bound(bound, scheme).ok_or(RefreshError::Exhausted {
        max: u64::from(MAX_SHARE_BOUND),
    })?;
    check_senders(scheme, all)?;
    let n = keys.modulus();
    let mut products: Vec<BigUint> = keys
        .commitments()
        .map(|c| c.values().to_vec())
        .unwrap_or_default();
    let mut sum = share.secret().value().try_clone();
    for &(sender, public, part) in all {
        let z = check_part(share, sender, public, part)?;
        let commitments = check_public(share, sender, public)?;
        for (p, c) in products.iter_mut().zip(&commitments) {
            *p = &*p * c % n;
        }
        let mut next_sum = BigNum::new_secure().map_err(RefreshError::ossl)?;
        next_sum
            .checked_add(sum.expose(), z.expose())
            .map_err(RefreshError::ossl)?;
        sum = SecretBn::new(next_sum);
    }
    let new_keys =
        VerificationKeys::with_commitments(n.clone(), scheme, *keys.seed(), next, products)
            .map_err(|e| RefreshError::NewShare(e.to_string()))?;
    let secret = SecretShare::new_v2(share.party(), usize::from(next).div_ceil(8), sum);
    Share::accept(secret, new_keys).map_err(|e| RefreshError::NewShare(e.to_string()))
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
