//! Dealing version 2's verification data: Feldman commitments C_k = v^{a_k}
//! (k = 1..t−1) to the dealt polynomial's coefficients and the public share bound S,
//! instead of the n verification keys of version 1.
//!
//! Everyone derives v_j = h^{2Δ} · ∏_k C_k^{j^k}: v = h^{6rΔ} and 3r·f(0) ≡ 1 (mod m)
//! make v^{f(0)} = h^{2Δ} public, so the v_j lie on one polynomial whose constant
//! term is this key's d·r⁻¹ by construction (docs/shoup3.md, "Dealing version 2").

use num_bigint::BigUint;
use num_traits::One;

use super::arith::{self, pow};
use super::params::Params;
use super::Shoup3Error;

/// Dealing version 2: Feldman commitments and the share bound instead of v_1..v_n.
pub const VERSION_FELDMAN: u8 = 2;

/// The largest share bound a dealing may declare: far above what a fresh dealing
/// (3070 + ⌈log₂ Δ⌉ ≤ 3115 bits) or many refreshes need, and low enough that a
/// proof's nonce and response stay a few hundred bytes.
pub const MAX_SHARE_BOUND: u16 = 8192;

/// The Feldman part of version-2 verification data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitments {
    /// S: every share is below 2^S.
    bound: u16,
    /// C_1..C_{t−1}.
    values: Vec<BigUint>,
}

/// ⌈log₂ Δ⌉: the bits a share gains by being a multiple of Δ.
pub fn delta_bits(params: &Params) -> u64 {
    (params.delta() - 1u8).bits()
}

/// S of a fresh dealing for `modulus`: shares s_i = Δ·g_i with g_i < m < N/4 are
/// below 2^{bits(N) − 2 + ⌈log₂ Δ⌉}.
pub fn fresh_share_bound(modulus: &BigUint, params: &Params) -> u16 {
    u16::try_from(modulus.bits() - 2 + delta_bits(params)).unwrap_or(u16::MAX)
}

impl Commitments {
    /// Checks the bound (at least bits(N) − 2, at most [`MAX_SHARE_BOUND`]) and that
    /// there are t − 1 commitments, each a unit in [2, N).
    pub fn new(
        modulus: &BigUint,
        params: &Params,
        bound: u16,
        values: Vec<BigUint>,
    ) -> Result<Self, Shoup3Error> {
        if u64::from(bound) < modulus.bits().saturating_sub(2) || bound > MAX_SHARE_BOUND {
            return Err(Shoup3Error::Malformed("share bound"));
        }
        if values.len() + 1 != usize::from(params.scheme().threshold()) {
            return Err(Shoup3Error::Malformed("list of commitments"));
        }
        for c in &values {
            arith::is_unit(c, modulus, "commitment")?;
        }
        Ok(Commitments { bound, values })
    }

    pub fn bound(&self) -> u16 {
        self.bound
    }
    pub fn values(&self) -> &[BigUint] {
        &self.values
    }

    /// v_1..v_n from `h_two_delta` = h^{2Δ} = v^{f(0)}: v_j = h^{2Δ}·∏_k C_k^{j^k}.
    pub fn derive_keys(
        &self,
        modulus: &BigUint,
        params: &Params,
        h_two_delta: &BigUint,
    ) -> Result<Vec<BigUint>, Shoup3Error> {
        let mut keys = Vec::with_capacity(usize::from(params.scheme().parties()));
        for j in 1..=params.scheme().parties() {
            let mut acc = h_two_delta.clone();
            let mut power = BigUint::one();
            for c in &self.values {
                power *= j;
                acc = acc * pow(c, &power, modulus)? % modulus;
            }
            keys.push(acc);
        }
        Ok(keys)
    }

    /// `S (u16) ‖ C_1 ‖ … ‖ C_{t−1}`, each commitment as many bytes as N.
    pub fn write(&self, out: &mut Vec<u8>, width: usize) {
        out.extend_from_slice(&self.bound.to_be_bytes());
        for c in &self.values {
            arith::push_fixed(out, c, width);
        }
    }
}

#[cfg(test)]
#[path = "commitments_tests.rs"]
mod tests;
