//! The `subsets` refresh (docs/shoup3.md, "Refresh", last part): for every t-subset
//! T it belongs to, party i draws a split of zero (r_{i,T,j})_{j∈T} over the
//! integers and publishes E_{i,T,j} = g^{r_{i,T,j}} mod N (g = 4; a negative exponent
//! through the inverse). Everyone checks ∏_{j∈T} E_{i,T,j} = 1 (the split sums to
//! zero: anything else needs a multiple of the order of g, hence the factors of N);
//! recipient j checks g^{r_{i,T,j}} = E_{i,T,j}. The new sub-share is
//! d′_{T,j} = d_{T,j} + Σ_{i∈T} r_{i,T,j} (may be negative); each subset still sums to
//! the same d.
//!
//! Width: the pieces a sender hands out are uniform in [−2^w, 2^w), its own piece is
//! minus their sum. w = B_k + 128 for the public width B_k = 3204 + 136·k of sub-shares
//! refreshed k times (every sub-share of such a key is below 2^{B_k}: |d′| < 2^{B_k} +
//! t(t−1)·2^{B_k+128} < 2^{B_{k+1}}); a sender takes the least k whose B_k holds its own
//! widest sub-share, and writes w in its public part.
//!
//! Encodings: public `1 ‖ w (u16) ‖ E_{i,T,j}…` (for each T ∋ i in the scheme's order,
//! j ∈ T ascending, each as many bytes as N); a part for j: for each T ∋ i, j in that
//! order, `sign (0 or 1) ‖ |r_{i,T,j}|` in ⌈(w + 4)/8⌉ bytes.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use num_bigint::BigUint;
use num_traits::One;
use openssl::bn::{BigNum, MsbOption};

use super::dealer::MAX_SUB_SHARE_BITS;
use super::share::{Share, MAX_REFRESHED_SUB_SHARE_BITS};
use crate::key::modexp::{mod_exp_secret, mod_inverse};
use crate::secret::{biguint_to_bn, SecretBn, SecretBytes};
use crate::threshold::contribution::{check_senders, RefreshContribution, RefreshError};
use crate::threshold::{Scheme, Subset};

const PUBLIC_FORMAT: u8 = 1;
/// The public base g.
const G: u32 = 4;
/// Bits of statistical hiding: pieces are this much wider than any sub-share.
const HIDING_BITS: u64 = 128;
/// How much the public sub-share width B_k grows per refresh (⌈log₂(16·15)⌉ + 128).
pub const STEP_BITS: u64 = 136;

/// B_k: every sub-share of a key refreshed k times is below 2^{B_k}.
pub fn width_after_refreshes(count: u64) -> u64 {
    MAX_SUB_SHARE_BITS + STEP_BITS * count
}

/// Bytes of the public part of a contribution of `scheme` with a modulus of
/// `modulus_bytes`: header and t commitments per t-subset holding the sender.
pub fn public_len(scheme: Scheme, modulus_bytes: usize) -> usize {
    3 + scheme.subsets_of(1).len() * usize::from(scheme.threshold()) * modulus_bytes
}

/// Bytes of the part for one party: one signed piece per subset holding both.
pub fn part_len(scheme: Scheme, sender: u8, recipient: u8, draw_bits: u64) -> usize {
    let count = scheme
        .subsets_of(sender)
        .into_iter()
        .filter(|s| s.contains(recipient))
        .count();
    count * (1 + piece_bytes(draw_bits))
}

fn piece_bytes(draw_bits: u64) -> usize {
    (draw_bits + 4).div_ceil(8) as usize
}

/// The draw width w = B_k + 128 for this share's widest sub-share.
fn draw_bits(share: &Share) -> Result<u64, RefreshError> {
    let widest = share
        .subsets()
        .filter_map(|s| share.sub_share(s).map(SecretBn::num_bits))
        .max()
        .unwrap_or(0);
    let k = widest
        .saturating_sub(MAX_SUB_SHARE_BITS)
        .div_ceil(STEP_BITS);
    let w = width_after_refreshes(k) + HIDING_BITS;
    if w + 8 > MAX_REFRESHED_SUB_SHARE_BITS {
        return Err(RefreshError::Exhausted {
            max: MAX_REFRESHED_SUB_SHARE_BITS,
        });
    }
    Ok(w)
}

fn new_bn() -> Result<BigNum, RefreshError> {
    BigNum::new_secure().map_err(RefreshError::ossl)
}

/// g^{r + offset}·g^{−offset}: the exponent given to the constant-time modexp is
/// never negative, so its sign does not show in the timing.
fn commit(r: &SecretBn, offset: &BigUint, n: &BigUint) -> Result<BigUint, RefreshError> {
    let mut shifted = new_bn()?;
    shifted
        .checked_add(r.expose(), &biguint_to_bn(offset))
        .map_err(RefreshError::ossl)?;
    let shifted = SecretBn::new(shifted);
    if shifted.is_negative() {
        return Err(RefreshError::Arithmetic("piece below its range".into()));
    }
    let g = BigUint::from(G);
    let up = mod_exp_secret(&g, &shifted, n);
    let down = mod_inverse(&g.modpow(offset, n), n)
        .ok_or_else(|| RefreshError::Arithmetic("g is not invertible".into()))?;
    Ok(up * down % n)
}

/// The offset (t − 1)·2^w that makes every honest piece non-negative.
fn offset(scheme: Scheme, w: u64) -> BigUint {
    (BigUint::one() << w) * (scheme.threshold() - 1)
}

/// Draws this party's contribution: for every t-subset T ∋ i a split of zero, its
/// commitments, and each party's pieces.
pub fn contribution(share: &Share) -> Result<RefreshContribution, RefreshError> {
    let scheme = share.scheme();
    let me = share.party();
    let n = share.public().modulus();
    let w = draw_bits(share)?;
    let off = offset(scheme, w);
    let two_w = biguint_to_bn(&(BigUint::one() << w));
    let mw = n.bits().div_ceil(8) as usize;
    let mut public = Vec::with_capacity(public_len(scheme, mw));
    public.push(PUBLIC_FORMAT);
    public.extend_from_slice(&(w as u16).to_be_bytes());
    let mut pieces: BTreeMap<(Subset, u8), SecretBn> = BTreeMap::new();
    for subset in scheme.subsets_of(me) {
        let mut sum = SecretBn::new(new_bn()?);
        let mut commitments = BTreeMap::new();
        for j in subset.parties().into_iter().filter(|&j| j != me) {
            let mut u = new_bn()?;
            u.rand(w as i32 + 1, MsbOption::MAYBE_ZERO, false)
                .map_err(RefreshError::ossl)?;
            let u = SecretBn::new(u);
            let mut r = new_bn()?;
            r.checked_sub(u.expose(), &two_w)
                .map_err(RefreshError::ossl)?;
            let r = SecretBn::new(r);
            let mut next = new_bn()?;
            next.checked_add(sum.expose(), r.expose())
                .map_err(RefreshError::ossl)?;
            sum = SecretBn::new(next);
            commitments.insert(j, commit(&r, &off, n)?);
            pieces.insert((subset, j), r);
        }
        // Own piece: minus the others' sum; its commitment the inverse of their product.
        let mut own = sum;
        own.negate();
        let product = commitments
            .values()
            .fold(BigUint::one(), |acc, e| acc * e % n);
        let inverse = mod_inverse(&product, n)
            .ok_or_else(|| RefreshError::Arithmetic("a commitment is not invertible".into()))?;
        commitments.insert(me, inverse);
        pieces.insert((subset, me), own);
        for e in commitments.values() {
            let bytes = e.to_bytes_be();
            public.resize(public.len() + mw - bytes.len(), 0);
            public.extend_from_slice(&bytes);
        }
    }
    let len = piece_bytes(w);
    let mut parts = Vec::with_capacity(usize::from(scheme.parties()));
    for j in 1..=scheme.parties() {
        let mut out = Vec::with_capacity(part_len(scheme, me, j, w));
        for subset in scheme.subsets_of(me).into_iter().filter(|s| s.contains(j)) {
            let r = pieces
                .get(&(subset, j))
                .ok_or_else(|| RefreshError::Arithmetic("a piece is missing".into()))?;
            out.push(u8::from(r.is_negative()));
            out.extend_from_slice(r.magnitude().to_be_bytes_padded(len).expose());
        }
        parts.push((j, SecretBytes::new(out)));
    }
    Ok(RefreshContribution { public, parts })
}

/// A sender's commitments per subset, and w.
pub struct Public {
    pub draw_bits: u64,
    pub commitments: BTreeMap<(Subset, u8), BigUint>,
}

/// A sender's public part, well formed: format, a width between the fresh one and the
/// limit, one unit in [2, N) per member of each subset holding the sender, and each
/// subset's commitments multiplying to 1.
pub fn check_public(share: &Share, sender: u8, public: &[u8]) -> Result<Public, RefreshError> {
    let scheme = share.scheme();
    if !scheme.has_party(sender) {
        return Err(RefreshError::UnknownSender {
            sender,
            n: scheme.parties(),
        });
    }
    let malformed = |what| RefreshError::MalformedPublic { sender, what };
    let n = share.public().modulus();
    let mw = n.bits().div_ceil(8) as usize;
    if public.len() != public_len(scheme, mw) {
        return Err(malformed("wrong length"));
    }
    if public[0] != PUBLIC_FORMAT {
        return Err(malformed("unknown format"));
    }
    let w = u64::from(u16::from_be_bytes([public[1], public[2]]));
    if w < MAX_SUB_SHARE_BITS + HIDING_BITS || w + 8 > MAX_REFRESHED_SUB_SHARE_BITS {
        return Err(malformed("width out of range"));
    }
    let mut chunks = public[3..].chunks_exact(mw);
    let mut commitments = BTreeMap::new();
    for subset in scheme.subsets_of(sender) {
        let mut product = BigUint::one();
        for j in subset.parties() {
            let e = BigUint::from_bytes_be(chunks.next().ok_or(malformed("wrong length"))?);
            if e >= *n || e.bits() == 0 {
                return Err(malformed("a commitment is not below N"));
            }
            product = product * &e % n;
            commitments.insert((subset, j), e);
        }
        if !product.is_one() {
            return Err(RefreshError::NotZeroSum { sender, subset });
        }
    }
    Ok(Public {
        draw_bits: w,
        commitments,
    })
}

/// The recipient's check of its pieces from `sender`: each in range (|r| ≤ 2^w, the
/// sender's own piece ≤ (t − 1)·2^w) and g^r = E. Returns the pieces by subset.
pub fn check_part(
    share: &Share,
    sender: u8,
    public: &[u8],
    part: &[u8],
) -> Result<Vec<(Subset, SecretBn)>, RefreshError> {
    let checked = check_public(share, sender, public)?;
    let scheme = share.scheme();
    let me = share.party();
    let n = share.public().modulus();
    let w = checked.draw_bits;
    let malformed = |what| RefreshError::MalformedPart { sender, what };
    if part.len() != part_len(scheme, sender, me, w) {
        return Err(malformed("wrong length"));
    }
    let off = offset(scheme, w);
    let limit = biguint_to_bn(&if sender == me {
        off.clone()
    } else {
        BigUint::one() << w
    });
    let mut out = Vec::new();
    let mut rest = part;
    for subset in scheme
        .subsets_of(sender)
        .into_iter()
        .filter(|s| s.contains(me))
    {
        let (piece, tail) = rest.split_at(1 + piece_bytes(w));
        rest = tail;
        if piece[0] > 1 {
            return Err(malformed("a sign byte is not 0 or 1"));
        }
        let mut r = SecretBn::from_be_bytes(&piece[1..]);
        if r.expose().ucmp(&limit) == Ordering::Greater {
            return Err(malformed("a piece is out of range"));
        }
        if piece[0] == 1 {
            r.negate();
        }
        let expected = checked
            .commitments
            .get(&(subset, me))
            .ok_or(malformed("no commitment for it"))?;
        if &commit(&r, &off, n)? != expected {
            return Err(RefreshError::BadPart { sender });
        }
        out.push((subset, r));
    }
    Ok(out)
}

/// Checks all n contributions again and returns the refreshed share:
/// d′_{T,j} = d_{T,j} + Σ_{i∈T} r_{i,T,j} for every subset T of this party.
pub fn apply(share: &Share, all: &[(u8, &[u8], &[u8])]) -> Result<Share, RefreshError> {
    let scheme = share.scheme();
    check_senders(scheme, all)?;
    let mut sums: BTreeMap<Subset, SecretBn> = share
        .subsets()
        .filter_map(|s| share.sub_share(s).map(|v| (s, v.try_clone())))
        .collect();
    for &(sender, public, part) in all {
        for (subset, r) in check_part(share, sender, public, part)? {
            let current = sums
                .get(&subset)
                .ok_or_else(|| RefreshError::NewShare(format!("no sub-share for {subset}")))?;
            let mut next = new_bn()?;
            next.checked_add(current.expose(), r.expose())
                .map_err(RefreshError::ossl)?;
            sums.insert(subset, SecretBn::new(next));
        }
    }
    if sums
        .values()
        .any(|v| v.num_bits() > MAX_REFRESHED_SUB_SHARE_BITS)
    {
        return Err(RefreshError::Exhausted {
            max: MAX_REFRESHED_SUB_SHARE_BITS,
        });
    }
    Share::new(share.party(), scheme, share.public().clone(), sums)
        .map_err(|e| RefreshError::NewShare(e.to_string()))
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
