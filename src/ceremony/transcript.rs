//! The keygen transcript: one hash over everything public that a keygen decides —
//! scheme, n, t, session, every party's X25519 and identity keys in party order, the
//! modulus and the public exponent. Every sealed share is bound to it (HKDF info and
//! AEAD associated data), the dealer signs it in KEYGEN-FINALIZE, and every party
//! shows the **key code** derived from it and from MRSIGNER, to be compared out of
//! band before anything is saved. A party whose view differs in any byte (a swapped
//! modulus, a swapped roster entry, a dealer key replaced in the INIT) sees another
//! key code, and cannot open its share.

use sha2::{Digest, Sha256};

use crate::key::{PublicKey, PUBLIC_EXPONENT};
use crate::protocol::{PartyKeys, SessionId, Shoup3Public};

use super::fingerprint::groups;

/// The public facts of one keygen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    pub session: SessionId,
    pub roster: Vec<PartyKeys>,
    pub modulus: [u8; 384],
    /// `shoup3`: the public verification data (seed of v, v_1..v_n); `None` for
    /// `subsets`, whose hash is unchanged from before `shoup3` existed.
    pub verification: Option<Shoup3Public>,
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
        if let Some(v) = &self.verification {
            h.update(b"shoup3 verification\0");
            h.update(v.seed);
            h.update([v.keys.len() as u8]);
            for k in &v.keys {
                h.update(k);
            }
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
        }
    }

    fn sample_shoup3() -> Transcript {
        Transcript {
            scheme: 2,
            verification: Some(Shoup3Public {
                seed: [0x5d; 32],
                keys: vec![[0x71; 384], [0x72; 384]],
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
