//! The range of a partial's proof, per dealing: where the prover draws its nonce r
//! and which responses z a verifier accepts. Dealing version 1 keeps the fixed range
//! of before (r < 2^{L(N)+2·L1}, z in 417 bytes); version 2 takes it from the share
//! bound S (r < 2^{S+2·L1}, z < 2^{S+2·L1+1}).

use num_bigint::BigUint;

/// Bits of the challenge c.
pub const L1: u64 = 128;

/// Bits of r and of the statistical slack: L(N) + 2·L1 (dealing version 1).
fn r_bits(modulus: &BigUint) -> u64 {
    modulus.bits() + 2 * L1
}

/// Bytes that hold any honest z = s·c + r < 2^{L(N)+L1} + 2^{L(N)+2L1} (version 1).
pub fn z_bytes(modulus: &BigUint) -> usize {
    (r_bits(modulus) + 1).div_ceil(8) as usize
}

/// The nonce range of a proof and the responses a verifier accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProofRange {
    /// r is drawn from [0, 2^nonce_bits).
    pub nonce_bits: u64,
    /// z is accepted when 0 ≤ z < 2^z_bits.
    pub z_bits: u64,
}

impl ProofRange {
    /// Dealing version 1: r < 2^{L(N)+2·L1}, z in the 417 bytes of its encoding.
    pub fn legacy(modulus: &BigUint) -> Self {
        ProofRange {
            nonce_bits: r_bits(modulus),
            z_bits: 8 * z_bytes(modulus) as u64,
        }
    }

    /// Dealing version 2 with share bound S: r < 2^{S+2·L1}, z < 2^{S+2·L1+1}.
    pub fn for_bound(bound: u16) -> Self {
        let nonce_bits = u64::from(bound) + 2 * L1;
        ProofRange {
            nonce_bits,
            z_bits: nonce_bits + 1,
        }
    }

    /// Whether a verifier takes `z`: 0 ≤ z < 2^z_bits.
    pub fn accepts(&self, z: &BigUint) -> bool {
        z.bits() <= self.z_bits
    }

    /// Bytes of z in a partial's encoding.
    pub fn z_bytes(&self) -> usize {
        self.z_bits.div_ceil(8) as usize
    }
}
