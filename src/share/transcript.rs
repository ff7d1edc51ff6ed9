//! The keygen transcript: one hash over everything public that a keygen decides —
//! scheme, n, t, session, every party's X25519 and identity keys in party order, the
//! modulus and the public exponent. Every sealed share is bound to it (HKDF info and
//! AEAD associated data), the dealer signs it in KEYGEN-FINALIZE, and every party
//! shows the **key code** derived from it and from MRSIGNER, to be compared out of
//! band before anything is saved. A party whose view differs in any byte (a swapped
//! modulus, a swapped roster entry, a dealer key replaced in the INIT) sees another
//! key code, and cannot open its share.
//!
//! The dealer's **nonce**, 32 fresh random bytes drawn after every JOIN is in and
//! sent in the KEYGEN-FINALIZE, ends the hash. Nobody knows it while the roster can
//! still be chosen, so a man in the middle who grinds JOIN keys cannot aim two
//! transcripts at one key code (a birthday search, ~2^32 per side, when the modulus
//! of an imported key is known before the joins): it must hit the code the dealer's
//! nonce fixed, one 2^-64 chance per try. Ceremonies from before the nonce have
//! none (`nonce: None`, their hash unchanged), so their share files still load.
//!
//! It lives beside the share because every version-3 share is checked against it;
//! the keygen ceremony (`ceremony::keygen`) builds it, re-exported as
//! `ceremony::transcript`.

use sha2::{Digest, Sha256};

use crate::key::{PublicKey, PUBLIC_EXPONENT};
use crate::protocol::{PartyKeys, SessionId, Shoup3Public};

/// Upper-case hex in groups of four, joined by dashes (the codes humans compare).
pub(crate) fn groups(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The public facts of one keygen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    pub session: SessionId,
    pub roster: Vec<PartyKeys>,
    pub modulus: [u8; 384],
    /// `shoup3`: the public verification data (seed of v, and v_1..v_n or S and the
    /// commitments); `None` for `subsets`, whose hash is unchanged from before
    /// `shoup3` existed.
    pub verification: Option<Shoup3Public>,
    /// The dealer's fresh nonce from the KEYGEN-FINALIZE; `None` only for keygens
    /// made before it existed (their hash is unchanged).
    pub nonce: Option<[u8; 32]>,
}

/// Bytes of the dealer's keygen nonce.
pub const NONCE_LEN: usize = 32;

/// A fresh dealer nonce, from the operating system's generator.
pub fn fresh_nonce() -> [u8; NONCE_LEN] {
    let mut nonce = [0u8; NONCE_LEN];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut nonce);
    nonce
}

impl Transcript {
    /// SHA-256 of the length-fixed encoding of every field, domain-separated.
    pub fn hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"mpcegosign/v2/keygen transcript\0");
        h.update([self.scheme, self.parties, self.threshold]);
        h.update(self.session.0);
        h.update([self.roster.len() as u8]);
        for k in &self.roster {
            h.update(k.x25519);
            h.update(k.identity.0);
        }
        h.update(self.modulus);
        h.update(PUBLIC_EXPONENT.to_be_bytes());
        match self.verification.as_ref().map(|v| (v, &v.feldman)) {
            Some((v, None)) => {
                h.update(b"shoup3 verification\0");
                h.update(v.seed);
                h.update([v.keys.len() as u8]);
                for k in &v.keys {
                    h.update(k);
                }
            }
            Some((v, Some(f))) => {
                // Dealing version 2: S and the commitments, under their own label.
                h.update(b"shoup3 feldman\0");
                h.update(v.seed);
                h.update(f.bound.to_be_bytes());
                h.update([f.commitments.len() as u8]);
                for c in &f.commitments {
                    h.update(c);
                }
            }
            None => {}
        }
        if let Some(nonce) = &self.nonce {
            h.update(b"dealer nonce\0");
            h.update(nonce);
        }
        h.finalize().into()
    }
}

/// The key code: 64 bits of SHA-256(transcript hash ‖ MRSIGNER), as
/// `XXXX-XXXX-XXXX-XXXX`. Equal key codes on every machine mean every party holds a
/// share of the same key, dealt to the same roster, in the same ceremony.
pub fn key_code(transcript_hash: &[u8; 32], public: &PublicKey) -> String {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/key code\0");
    h.update(transcript_hash);
    h.update(public.mrsigner());
    groups(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::IdentityPublic;

    fn sample() -> Transcript {
        Transcript {
            scheme: 1,
            parties: 2,
            threshold: 2,
            session: SessionId([7; 16]),
            roster: vec![
                PartyKeys {
                    x25519: [1; 32],
                    identity: IdentityPublic([2; 32]),
                },
                PartyKeys {
                    x25519: [3; 32],
                    identity: IdentityPublic([4; 32]),
                },
            ],
            modulus: [0xc3; 384],
            verification: None,
            nonce: None,
        }
    }

    fn sample_shoup3() -> Transcript {
        Transcript {
            scheme: 2,
            verification: Some(Shoup3Public {
                seed: [0x5d; 32],
                keys: vec![[0x71; 384], [0x72; 384]],
                feldman: None,
            }),
            ..sample()
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = sample().hash();
        let mut variants = Vec::new();
        let mut t = sample();
        t.scheme = 2;
        variants.push(t);
        let mut t = sample();
        t.parties = 3;
        variants.push(t);
        let mut t = sample();
        t.threshold = 1;
        variants.push(t);
        let mut t = sample();
        t.session.0[15] ^= 1;
        variants.push(t);
        let mut t = sample();
        t.roster[1].x25519[0] ^= 1;
        variants.push(t);
        let mut t = sample();
        t.roster[0].identity.0[31] ^= 1;
        variants.push(t);
        let mut t = sample();
        t.roster.swap(0, 1);
        variants.push(t);
        let mut t = sample();
        t.modulus[383] ^= 1;
        variants.push(t);
        for v in variants {
            assert_ne!(v.hash(), base, "{v:?}");
        }
        // shoup3: the scheme and every byte of the verification data count.
        let base3 = sample_shoup3().hash();
        assert_ne!(base3, base);
        let mut t = sample_shoup3();
        t.verification.as_mut().unwrap().seed[0] ^= 1;
        assert_ne!(t.hash(), base3);
        let mut t = sample_shoup3();
        t.verification.as_mut().unwrap().keys[1][383] ^= 1;
        assert_ne!(t.hash(), base3);
        let mut t = sample_shoup3();
        t.verification.as_mut().unwrap().keys.swap(0, 1);
        assert_ne!(t.hash(), base3);
    }

    #[test]
    fn the_nonce_ends_the_hash_and_every_byte_counts() {
        let old = sample().hash();
        let with = Transcript {
            nonce: Some([0x9e; 32]),
            ..sample()
        };
        assert_ne!(with.hash(), old);
        let mut other = with.clone();
        other.nonce.as_mut().unwrap()[31] ^= 1;
        assert_ne!(other.hash(), with.hash());
        assert_ne!(fresh_nonce(), fresh_nonce());
    }

    #[test]
    fn frozen_vector_with_nonce() {
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/keygen transcript\0"
        //   + bytes([1,2,2]) + bytes([7]*16) + bytes([2]) + bytes([1]*32) + bytes([2]*32)
        //   + bytes([3]*32) + bytes([4]*32) + bytes([0xc3]*384) + (3).to_bytes(4,"big")
        //   + b"dealer nonce\0" + bytes([0x9e]*32)).hexdigest())'
        let t = Transcript {
            nonce: Some([0x9e; 32]),
            ..sample()
        };
        assert_eq!(
            hex::encode(t.hash()),
            "281169cf4e0a91793ba598d6dc1fa6a2b760fef484c26dbb2dbc009a45ac02ec"
        );
        // shoup3: the nonce comes after the verification data.
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/keygen transcript\0"
        //   + bytes([2,2,2]) + bytes([7]*16) + bytes([2]) + bytes([1]*32) + bytes([2]*32)
        //   + bytes([3]*32) + bytes([4]*32) + bytes([0xc3]*384) + (3).to_bytes(4,"big")
        //   + b"shoup3 verification\0" + bytes([0x5d]*32) + bytes([2]) + bytes([0x71]*384)
        //   + bytes([0x72]*384) + b"dealer nonce\0" + bytes([0x9e]*32)).hexdigest())'
        let t = Transcript {
            nonce: Some([0x9e; 32]),
            ..sample_shoup3()
        };
        assert_eq!(
            hex::encode(t.hash()),
            "563e5035113e700851e03401e4ea2a63533025401230ec0daf6618288b079948"
        );
    }

    #[test]
    fn frozen_vector_shoup3() {
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/keygen transcript\0"
        //   + bytes([2,2,2]) + bytes([7]*16) + bytes([2]) + bytes([1]*32) + bytes([2]*32)
        //   + bytes([3]*32) + bytes([4]*32) + bytes([0xc3]*384) + (3).to_bytes(4,"big")
        //   + b"shoup3 verification\0" + bytes([0x5d]*32) + bytes([2]) + bytes([0x71]*384)
        //   + bytes([0x72]*384)).hexdigest())'
        assert_eq!(
            hex::encode(sample_shoup3().hash()),
            "8c0473aed7a838bc062a714e1366412e95eecc5eba42855e44b93a1aa0a249ab"
        );
    }

    #[test]
    fn frozen_vector() {
        // SHA-256 over the documented layout (docs/protocol.md), computed independently:
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/keygen transcript\0"
        //   + bytes([1,2,2]) + bytes([7]*16) + bytes([2]) + bytes([1]*32) + bytes([2]*32)
        //   + bytes([3]*32) + bytes([4]*32) + bytes([0xc3]*384) + (3).to_bytes(4,"big")).hexdigest())'
        assert_eq!(
            hex::encode(sample().hash()),
            "0fb7e6d03da47c84ff6bf31d00925ad2a3542f2d8b136521c19137d47f0e79d4"
        );
    }
}
