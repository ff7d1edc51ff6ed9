//! A party's partial signature x_i = M^{2Δ s_i} mod N, its proof, and its encodings:
//! layout 1 (z in 417 bytes: every dealing whose proof range fits, version 1 and a
//! fresh version 2 up to n = 5) and layout 2 (z in ⌈(S + 257)/8⌉ bytes, its length
//! written in the partial, for larger share bounds). Each key has exactly one.

use num_bigint::BigUint;

use super::arith::{self, pow};
use super::proof::{Proof, Statement, CHALLENGE_BYTES};
use super::share::Share;
use super::vkeys::VerificationKeys;
use super::Shoup3Error;
use crate::key::modexp::mod_exp_secret;
use crate::key::{pkcs1, MODULUS_BYTES};

const VERSION: u8 = 1;
const VERSION_FELDMAN: u8 = super::commitments::VERSION_FELDMAN;
/// Bytes of z for a 3072-bit modulus: (3072 + 256 + 1) bits.
const Z_BYTES: usize = 417;
/// Encoded size of version 1: version, party, x_i (384), c (16), z (417).
pub const PARTIAL_BYTES: usize = 2 + MODULUS_BYTES + CHALLENGE_BYTES + Z_BYTES;
/// Version 2's fixed part: version, party, z length (u16), x_i, c.
const V2_HEAD: usize = 4 + MODULUS_BYTES + CHALLENGE_BYTES;
/// The longest z of version 2: S ≤ `MAX_SHARE_BOUND`.
pub(super) const MAX_Z_BYTES: usize =
    (super::commitments::MAX_SHARE_BOUND as usize + 257).div_ceil(8);

/// The length of the encoded partial that `bytes` begins with (for a message reader):
/// version 2 says its z length, anything else is read as version 1's 819 bytes (and
/// refused by [`PartialWithProof::from_bytes`] if it is not one).
pub fn partial_encoded_len(bytes: &[u8]) -> usize {
    match bytes {
        [VERSION_FELDMAN, _, hi, lo, ..] => V2_HEAD + usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => PARTIAL_BYTES,
    }
}

/// A partial signature with its proof, as sent to the initiator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialWithProof {
    pub(super) party: u8,
    pub(super) value: BigUint,
    pub(super) proof: Proof,
    /// The encoding's version (the dealing's) and the bytes of z in it.
    pub(super) version: u8,
    pub(super) z_bytes: usize,
}

/// A partial whose proof was checked against the verification data, for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPartial {
    pub(super) party: u8,
    pub(super) value: BigUint,
    pub(super) message: BigUint,
}

impl VerifiedPartial {
    pub fn party(&self) -> u8 {
        self.party
    }
}

/// x_i = (M^{2Δ})^{s_i} mod N: M^{2Δ} is public, the secret exponent goes through the
/// constant-time modexp.
pub(super) fn partial_for_message(
    share: &Share,
    message: &BigUint,
) -> Result<BigUint, Shoup3Error> {
    let n = share.modulus();
    let two_delta = share.keys().params().delta() * 2u8;
    let base = pow(message, &two_delta, n)?;
    Ok(mod_exp_secret(&base, share.secret().value(), n))
}

/// The partial without its proof (what the benchmark compares with one modexp).
pub fn partial_value(share: &Share, digest: &[u8; 32]) -> Result<BigUint, Shoup3Error> {
    partial_for_message(share, &pkcs1::encode_sha256(digest))
}

/// The partial signature over the PKCS#1 v1.5 encoding of `digest`, with its proof.
pub fn partial_sign(share: &Share, digest: &[u8; 32]) -> Result<PartialWithProof, Shoup3Error> {
    sign_message(share, &pkcs1::encode_sha256(digest))
}

/// The one layout of a key's partials: 1 with z in 417 bytes when its proof range
/// fits there (so a partial stays 819 bytes, two QR frames in a SIGN-PARTIAL), else 2
/// with z in the range's own width.
fn layout(keys: &VerificationKeys) -> (u8, usize) {
    match keys.proof_range().z_bytes() {
        z if z <= Z_BYTES => (VERSION, Z_BYTES),
        z => (VERSION_FELDMAN, z),
    }
}

pub(super) fn sign_message(
    share: &Share,
    message: &BigUint,
) -> Result<PartialWithProof, Shoup3Error> {
    let value = partial_for_message(share, message)?;
    let proof = Statement {
        keys: share.keys(),
        party: share.party(),
        message,
        value: &value,
    }
    .prove(share.secret().value())?;
    let (version, z_bytes) = layout(share.keys());
    Ok(PartialWithProof {
        party: share.party(),
        value,
        proof,
        version,
        z_bytes,
    })
}

impl PartialWithProof {
    pub fn party(&self) -> u8 {
        self.party
    }

    /// Checks the proof for `digest`; a tampered value, or a valid partial for another
    /// message, fails with [`Shoup3Error::BadProof`] naming the party.
    pub fn verify(
        &self,
        keys: &VerificationKeys,
        digest: &[u8; 32],
    ) -> Result<VerifiedPartial, Shoup3Error> {
        self.verify_message(keys, &pkcs1::encode_sha256(digest))
    }

    pub(super) fn verify_message(
        &self,
        keys: &VerificationKeys,
        message: &BigUint,
    ) -> Result<VerifiedPartial, Shoup3Error> {
        let party = self.party;
        keys.scheme().check_party(party)?;
        if arith::is_unit(&self.value, keys.modulus(), "partial").is_err() {
            return Err(Shoup3Error::BadProof { party });
        }
        // One encoding per key: a partial in another layout is refused.
        if (self.version, self.z_bytes) != layout(keys) {
            return Err(Shoup3Error::BadProof { party });
        }
        let ok = Statement {
            keys,
            party,
            message,
            value: &self.value,
        }
        .verify(&self.proof)?;
        if !ok {
            return Err(Shoup3Error::BadProof { party });
        }
        Ok(VerifiedPartial {
            party,
            value: self.value.clone(),
            message: message.clone(),
        })
    }

    /// Version 1: `1 ‖ party ‖ x_i (384) ‖ c (16) ‖ z (417)`, 819 bytes for a 3072-bit
    /// N. Version 2: `2 ‖ party ‖ z length (u16) ‖ x_i ‖ c ‖ z`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(V2_HEAD + self.z_bytes);
        out.push(self.version);
        out.push(self.party);
        if self.version == VERSION_FELDMAN {
            out.extend_from_slice(&(self.z_bytes as u16).to_be_bytes());
        }
        arith::push_fixed(&mut out, &self.value, MODULUS_BYTES);
        out.extend_from_slice(&self.proof.c);
        arith::push_fixed(&mut out, &self.proof.z, self.z_bytes);
        out
    }

    /// Reads [`Self::to_bytes`]; ranges are checked by [`Self::verify`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Shoup3Error> {
        let what = "partial signature";
        if bytes.first() == Some(&VERSION_FELDMAN) {
            let want = partial_encoded_len(bytes);
            if bytes.len() < V2_HEAD || bytes.len() != want {
                return Err(Shoup3Error::Length {
                    what,
                    got: bytes.len(),
                    want,
                });
            }
            let z_bytes = want - V2_HEAD;
            if z_bytes > MAX_Z_BYTES {
                return Err(Shoup3Error::Malformed(what));
            }
            let (x, rest) = bytes[4..].split_at(MODULUS_BYTES);
            let (c, z) = rest.split_at(CHALLENGE_BYTES);
            let mut ch = [0u8; CHALLENGE_BYTES];
            ch.copy_from_slice(c);
            return Ok(PartialWithProof {
                party: bytes[1],
                value: BigUint::from_bytes_be(x),
                proof: Proof {
                    c: ch,
                    z: BigUint::from_bytes_be(z),
                },
                version: VERSION_FELDMAN,
                z_bytes,
            });
        }
        if bytes.len() != PARTIAL_BYTES {
            return Err(Shoup3Error::Length {
                what,
                got: bytes.len(),
                want: PARTIAL_BYTES,
            });
        }
        if bytes[0] != VERSION {
            return Err(Shoup3Error::Version {
                what,
                version: bytes[0],
            });
        }
        let (x, rest) = bytes[2..].split_at(MODULUS_BYTES);
        let (c, z) = rest.split_at(CHALLENGE_BYTES);
        let mut ch = [0u8; CHALLENGE_BYTES];
        ch.copy_from_slice(c);
        Ok(PartialWithProof {
            party: bytes[1],
            value: BigUint::from_bytes_be(x),
            proof: Proof {
                c: ch,
                z: BigUint::from_bytes_be(z),
            },
            version: VERSION,
            z_bytes: Z_BYTES,
        })
    }

    #[cfg(test)]
    pub(super) fn with_value(&self, value: BigUint) -> Self {
        PartialWithProof {
            value,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::shoup3::deal::accept_all;
    use crate::threshold::shoup3::deal::tests::fixture_dealing;
    use crate::threshold::shoup3::range::z_bytes;

    const VECTOR_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shoup3");

    fn read_hex(name: &str) -> Vec<u8> {
        let text = std::fs::read_to_string(format!("{VECTOR_DIR}/{name}")).unwrap();
        hex::decode(text.trim()).unwrap()
    }

    #[test]
    fn encoding_round_trips_and_proofs_reject_wrong_partials() {
        let shares = accept_all(fixture_dealing(3, 3, 2)).unwrap();
        let keys = shares[0].keys();
        assert_eq!(PARTIAL_BYTES, 819);
        assert_eq!(z_bytes(keys.modulus()), Z_BYTES);
        let digest = [0x42u8; 32];
        let p = partial_sign(&shares[1], &digest).unwrap();
        assert_eq!(
            p.value,
            partial_value(&shares[1], &digest).unwrap(),
            "the proof is over the same value"
        );
        let bytes = p.to_bytes();
        assert_eq!(bytes.len(), PARTIAL_BYTES);
        let back = PartialWithProof::from_bytes(&bytes).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.verify(keys, &digest).unwrap().party(), 2);
        // Tampered value, tampered proof, another message, another party: all refused.
        let n = keys.modulus();
        let twice = p.with_value(&p.value * &p.value % n);
        assert_eq!(
            twice.verify(keys, &digest).err(),
            Some(Shoup3Error::BadProof { party: 2 })
        );
        for pos in [2usize, 2 + 384, PARTIAL_BYTES - 1] {
            let mut bad = bytes.clone();
            bad[pos] ^= 1;
            let bad = PartialWithProof::from_bytes(&bad).unwrap();
            assert_eq!(
                bad.verify(keys, &digest).err(),
                Some(Shoup3Error::BadProof { party: 2 })
            );
        }
        assert_eq!(
            p.verify(keys, &[0x43u8; 32]).err(),
            Some(Shoup3Error::BadProof { party: 2 })
        );
        let mut moved = bytes.clone();
        moved[1] = 1;
        let moved = PartialWithProof::from_bytes(&moved).unwrap();
        assert_eq!(
            moved.verify(keys, &digest).err(),
            Some(Shoup3Error::BadProof { party: 1 })
        );
        let mut outside = bytes.clone();
        outside[1] = 4;
        let outside = PartialWithProof::from_bytes(&outside).unwrap();
        assert!(matches!(
            outside.verify(keys, &digest),
            Err(Shoup3Error::Scheme(_))
        ));
        assert!(matches!(
            PartialWithProof::from_bytes(&bytes[..PARTIAL_BYTES - 1]),
            Err(Shoup3Error::Length { .. })
        ));
        let mut v3 = bytes;
        v3[0] = 3;
        assert!(matches!(
            PartialWithProof::from_bytes(&v3),
            Err(Shoup3Error::Version { version: 3, .. })
        ));
    }

    /// The frozen vector: verification data, a digest and a partial with its proof,
    /// made once by `write_frozen_vector`. A change to the encoding, the hash or the
    /// proof's equations breaks this test.
    #[test]
    fn frozen_vector_still_verifies() {
        let keys_bytes = read_hex("vkeys-3of5.hex");
        let partial_bytes = read_hex("partial-3of5-party4.hex");
        let digest: [u8; 32] = read_hex("digest.hex").try_into().unwrap();
        let keys = VerificationKeys::from_bytes(&keys_bytes).unwrap();
        assert_eq!(keys.to_bytes(), keys_bytes);
        keys.check_polynomial().unwrap();
        assert!(keys.secret_matches().unwrap());
        let p = PartialWithProof::from_bytes(&partial_bytes).unwrap();
        assert_eq!(p.to_bytes(), partial_bytes);
        assert_eq!(p.verify(&keys, &digest).unwrap().party(), 4);
        let mut other = digest;
        other[0] ^= 1;
        assert!(p.verify(&keys, &other).is_err());
    }

    /// Writes the frozen vector (run once, by hand):
    /// `cargo test --lib shoup3::partial::tests::write_frozen_vector -- --ignored`.
    #[test]
    #[ignore]
    fn write_frozen_vector() {
        let shares = accept_all(fixture_dealing(1, 5, 3)).unwrap();
        let digest: [u8; 32] = std::array::from_fn(|i| i as u8);
        let p = partial_sign(&shares[3], &digest).unwrap();
        std::fs::create_dir_all(VECTOR_DIR).unwrap();
        let write = |name: &str, b: &[u8]| {
            std::fs::write(format!("{VECTOR_DIR}/{name}"), hex::encode(b) + "\n").unwrap()
        };
        write("vkeys-3of5.hex", &shares[0].keys().to_bytes());
        write("partial-3of5-party4.hex", &p.to_bytes());
        write("digest.hex", &digest);
    }
}
