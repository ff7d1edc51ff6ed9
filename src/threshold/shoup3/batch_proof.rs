//! One party's partials over several digests with ONE proof of correctness for all of
//! them (batch signing): a random linear combination, proved with `proof.rs`.
//!
//! For digests D_1..D_k (messages M_j = PKCS#1(D_j)) and partials x_j = M_j^{2Δ s_i},
//! the coefficients c_1..c_k (128 bits each) are SHA-256 of the whole statement (tag,
//! n, t, party, context, N, v, v_i, k, every M_j and x_j). With M* = Π M_j^{c_j} and
//! X = Π x_j^{c_j}, X = M*^{2Δ s_i}, so the ordinary proof for (M*, X) shows
//! log_v(v_i) = log_{x̃*}(X²), x̃* = M*^{4Δ}. A wrong x_j makes X² wrong except with
//! probability about 2^−128 over the c_j (the argument is in docs/shoup3.md, "Batched
//! proof"). A failed batch names the party; the whole batch is refused.

use num_bigint::BigUint;
use sha2::{Digest, Sha256};

use super::arith::{self, pow};
use super::partial::{partial_for_message, VerifiedPartial, MAX_Z_BYTES};
use super::proof::{Proof, Statement, CHALLENGE_BYTES};
use super::share::Share;
use super::vkeys::VerificationKeys;
use super::Shoup3Error;
use crate::key::{pkcs1, MODULUS_BYTES};

const VERSION: u8 = 1;
/// The layout for keys whose proof responses do not fit 417 bytes (dealing version 2
/// from n = 6): z's length (u16) after k, then z in that many bytes.
const VERSION_WIDE: u8 = 2;
/// Version 2's bytes before the partials: version, party, k, z's length.
const WIDE_HEAD: usize = 5;
/// The most digests one batch carries.
pub const MAX_BATCH: usize = 16;
/// Bytes of z for a 3072-bit modulus (as in `partial.rs`).
const Z_BYTES: usize = 417;
/// Bytes of the coefficients c_j.
const COEFF_BYTES: usize = 16;
const TAG: &[u8] = b"mpcegosign/shoup3/batch-coefficients/v1";

/// Encoded size of a batch of `k` partials: version, party, k, x_1..x_k (384 each),
/// c (16), z (417).
pub fn batch_partial_bytes(k: usize) -> usize {
    3 + k * MODULUS_BYTES + CHALLENGE_BYTES + Z_BYTES
}

/// Encoded size of the batch whose encoding starts with `bytes` (its version, k and,
/// for version 2, z's length); what a reader takes off the wire before parsing.
pub fn batch_encoded_len(bytes: &[u8]) -> usize {
    match bytes {
        [VERSION_WIDE, _, k, hi, lo, ..] => {
            WIDE_HEAD
                + usize::from(*k) * MODULUS_BYTES
                + CHALLENGE_BYTES
                + usize::from(u16::from_be_bytes([*hi, *lo]))
        }
        [_, _, k, ..] => batch_partial_bytes(usize::from(*k)),
        _ => batch_partial_bytes(1),
    }
}

/// The one layout of a key's batches: version 1 (z in 417 bytes) when its proof range
/// fits there, else version 2 with z in the range's own width (as `partial.rs` does).
fn layout(keys: &VerificationKeys) -> (u8, usize) {
    match keys.proof_range().z_bytes() {
        z if z <= Z_BYTES => (VERSION, Z_BYTES),
        z => (VERSION_WIDE, z),
    }
}

/// One party's partials over k digests with one batched proof.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchPartial {
    party: u8,
    values: Vec<BigUint>,
    proof: Proof,
    /// The encoding's version and the bytes of z in it.
    version: u8,
    z_bytes: usize,
}

/// The c_j: SHA-256 over the statement, then one 128-bit coefficient per index.
fn coefficients(
    keys: &VerificationKeys,
    party: u8,
    context: &[u8],
    messages: &[BigUint],
    values: &[BigUint],
) -> Result<Vec<BigUint>, Shoup3Error> {
    let n = keys.modulus();
    let w = arith::width(n);
    let scheme = keys.scheme();
    let mut h = Sha256::new();
    h.update((TAG.len() as u32).to_be_bytes());
    h.update(TAG);
    h.update([scheme.parties(), scheme.threshold(), party]);
    h.update((context.len() as u32).to_be_bytes());
    h.update(context);
    h.update((messages.len() as u32).to_be_bytes());
    let fixed = |x: &BigUint| arith::to_fixed(x, w).ok_or(Shoup3Error::Malformed("partial"));
    for x in [n, keys.v(), keys.key(party)?] {
        h.update(fixed(x)?);
    }
    for (m, x) in messages.iter().zip(values) {
        h.update(fixed(m)?);
        h.update(fixed(x)?);
    }
    let seed = h.finalize();
    Ok((0..messages.len() as u32)
        .map(|j| {
            let mut hj = Sha256::new();
            hj.update(seed);
            hj.update(j.to_be_bytes());
            BigUint::from_bytes_be(&hj.finalize()[..COEFF_BYTES])
        })
        .collect())
}

/// Π bases_j^{c_j} mod N.
fn combination(bases: &[BigUint], coeffs: &[BigUint], n: &BigUint) -> Result<BigUint, Shoup3Error> {
    let mut acc = BigUint::from(1u8);
    for (b, c) in bases.iter().zip(coeffs) {
        acc = acc * pow(b, c, n)? % n;
    }
    Ok(acc)
}

fn check_count(k: usize) -> Result<(), Shoup3Error> {
    if k == 0 || k > MAX_BATCH {
        return Err(Shoup3Error::Malformed("number of digests in a batch"));
    }
    Ok(())
}

/// This party's partials over `digests` with one proof; `context` (the session) is
/// bound into the coefficients.
pub fn batch_sign(
    share: &Share,
    digests: &[[u8; 32]],
    context: &[u8],
) -> Result<BatchPartial, Shoup3Error> {
    check_count(digests.len())?;
    let messages: Vec<BigUint> = digests.iter().map(pkcs1::encode_sha256).collect();
    let values = messages
        .iter()
        .map(|m| partial_for_message(share, m))
        .collect::<Result<Vec<_>, _>>()?;
    let keys = share.keys();
    let n = keys.modulus();
    let coeffs = coefficients(keys, share.party(), context, &messages, &values)?;
    let message = combination(&messages, &coeffs, n)?;
    let value = combination(&values, &coeffs, n)?;
    let proof = Statement {
        keys,
        party: share.party(),
        message: &message,
        value: &value,
    }
    .prove(share.secret().value())?;
    let (version, z_bytes) = layout(keys);
    Ok(BatchPartial {
        party: share.party(),
        values,
        proof,
        version,
        z_bytes,
    })
}

impl BatchPartial {
    pub fn party(&self) -> u8 {
        self.party
    }

    /// How many digests this batch signs.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Always false: a batch holds at least one partial.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Checks the one proof for all `digests` (in order) under `context`; gives each
    /// digest's verified partial, ready for `combine`. Any wrong partial, a wrong
    /// count, another order or another context fails with `BadProof { party }`.
    pub fn verify(
        &self,
        keys: &VerificationKeys,
        digests: &[[u8; 32]],
        context: &[u8],
    ) -> Result<Vec<VerifiedPartial>, Shoup3Error> {
        let party = self.party;
        keys.scheme().check_party(party)?;
        check_count(digests.len())?;
        if digests.len() != self.values.len() {
            return Err(Shoup3Error::BadProof { party });
        }
        let n = keys.modulus();
        for x in &self.values {
            if arith::is_unit(x, n, "partial").is_err() {
                return Err(Shoup3Error::BadProof { party });
            }
        }
        let messages: Vec<BigUint> = digests.iter().map(pkcs1::encode_sha256).collect();
        let coeffs = coefficients(keys, party, context, &messages, &self.values)?;
        let message = combination(&messages, &coeffs, n)?;
        let value = combination(&self.values, &coeffs, n)?;
        let ok = arith::is_unit(&value, n, "partial").is_ok()
            && Statement {
                keys,
                party,
                message: &message,
                value: &value,
            }
            .verify(&self.proof)?;
        if !ok {
            return Err(Shoup3Error::BadProof { party });
        }
        Ok(messages
            .into_iter()
            .zip(&self.values)
            .map(|(message, value)| VerifiedPartial {
                party,
                value: value.clone(),
                message,
            })
            .collect())
    }

    /// Version 1: `01 ‖ party ‖ k ‖ x_1..x_k (384 each) ‖ c (16) ‖ z (417)`; version 2:
    /// `02 ‖ party ‖ k ‖ len(z) (u16) ‖ x_1..x_k ‖ c ‖ z (len)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let k = self.values.len();
        let mut out = Vec::with_capacity(WIDE_HEAD + k * MODULUS_BYTES + 16 + self.z_bytes);
        out.push(self.version);
        out.push(self.party);
        out.push(k as u8);
        if self.version == VERSION_WIDE {
            out.extend_from_slice(&(self.z_bytes as u16).to_be_bytes());
        }
        for x in &self.values {
            arith::push_fixed(&mut out, x, MODULUS_BYTES);
        }
        out.extend_from_slice(&self.proof.c);
        arith::push_fixed(&mut out, &self.proof.z, self.z_bytes);
        out
    }

    /// Reads [`Self::to_bytes`]: the count is checked (1..=[`MAX_BATCH`]) and the
    /// length must match it exactly before anything is allocated.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Shoup3Error> {
        let what = "batch of partial signatures";
        if bytes.len() < 3 {
            return Err(Shoup3Error::Length {
                what,
                got: bytes.len(),
                want: batch_partial_bytes(1),
            });
        }
        let version = bytes[0];
        if version != VERSION && version != VERSION_WIDE {
            return Err(Shoup3Error::Version { what, version });
        }
        let k = usize::from(bytes[2]);
        check_count(k)?;
        if version == VERSION_WIDE && bytes.len() < WIDE_HEAD {
            return Err(Shoup3Error::Malformed(what));
        }
        let want = batch_encoded_len(bytes);
        if bytes.len() != want {
            return Err(Shoup3Error::Length {
                what,
                got: bytes.len(),
                want,
            });
        }
        let (head, z_bytes) = if version == VERSION_WIDE {
            let z = usize::from(u16::from_be_bytes([bytes[3], bytes[4]]));
            if z > MAX_Z_BYTES {
                return Err(Shoup3Error::Malformed(what));
            }
            (WIDE_HEAD, z)
        } else {
            (3, Z_BYTES)
        };
        let (xs, rest) = bytes[head..].split_at(k * MODULUS_BYTES);
        let (c, z) = rest.split_at(CHALLENGE_BYTES);
        let mut ch = [0u8; CHALLENGE_BYTES];
        ch.copy_from_slice(c);
        Ok(BatchPartial {
            party: bytes[1],
            values: xs
                .chunks(MODULUS_BYTES)
                .map(BigUint::from_bytes_be)
                .collect(),
            proof: Proof {
                c: ch,
                z: BigUint::from_bytes_be(z),
            },
            version,
            z_bytes,
        })
    }

    #[cfg(test)]
    pub(super) fn with_value(&self, j: usize, value: BigUint) -> Self {
        let mut out = self.clone();
        out.values[j] = value;
        out
    }
}

#[cfg(test)]
#[path = "batch_proof_tests.rs"]
mod tests;
