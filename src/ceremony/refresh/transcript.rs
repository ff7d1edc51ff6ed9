//! The hashes a refresh is bound by, each SHA-256 under its own label:
//!
//! - the **setup**: the INIT's hash and every party's JOIN key in party order (every
//!   DEAL names it, so a DEAL made for other JOINs is told apart);
//! - each **part's channel transcript**: the setup, sender, recipient and the hash of
//!   the sender's public part (a part opens only for its recipient, from its sender,
//!   with the commitments it was dealt with: a swapped JOIN key, a part moved to
//!   another recipient or put under other commitments does not open);
//! - the **refresh transcript**: the setup and every party's public part in party
//!   order (the new generation's id);
//! - the **key code**: the refresh transcript, MRSIGNER and the new public
//!   verification data; its first 64 bits are what humans see, all 256 bits are in
//!   every REFRESH-CONFIRM.

use sha2::{Digest, Sha256};

use crate::share::transcript::groups;

/// The setup hash: `"mpcegosign/v2/refresh setup" ‖ 00 ‖ INIT hash ‖ n ‖` then for
/// each party in order `party ‖ JOIN key`.
pub fn setup_hash(init_hash: &[u8; 32], keys: &[(u8, [u8; 32])]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/refresh setup\0");
    h.update(init_hash);
    h.update([keys.len() as u8]);
    for (party, key) in keys {
        h.update([*party]);
        h.update(key);
    }
    h.finalize().into()
}

/// What one part is sealed under: `"mpcegosign/v2/refresh part" ‖ 00 ‖ setup ‖
/// sender ‖ recipient ‖ SHA-256(public part)`.
pub fn part_transcript(setup: &[u8; 32], sender: u8, recipient: u8, public: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/refresh part\0");
    h.update(setup);
    h.update([sender, recipient]);
    h.update(Sha256::digest(public));
    h.finalize().into()
}

/// The refresh transcript: `"mpcegosign/v2/refresh transcript" ‖ 00 ‖ setup ‖ n ‖`
/// then for each party in order `party ‖ length (u32 BE) ‖ public part`.
pub fn refresh_transcript(setup: &[u8; 32], publics: &[(u8, &[u8])]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/refresh transcript\0");
    h.update(setup);
    h.update([publics.len() as u8]);
    for (party, public) in publics {
        h.update([*party]);
        h.update((public.len() as u32).to_be_bytes());
        h.update(public);
    }
    h.finalize().into()
}

/// The key code's hash: `"mpcegosign/v2/refresh key code" ‖ 00 ‖ refresh transcript
/// ‖ MRSIGNER ‖ new verification data` (empty for `subsets`, whose public data is
/// the key and the commitments already in the transcript).
pub fn key_code_hash(transcript: &[u8; 32], mrsigner: &[u8; 32], verification: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/refresh key code\0");
    h.update(transcript);
    h.update(mrsigner);
    h.update(verification);
    h.finalize().into()
}

/// The key code humans compare: the hash's first 64 bits as `XXXX-XXXX-XXXX-XXXX`.
pub fn key_code(hash: &[u8; 32]) -> String {
    groups(&hash[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frozen_vectors() {
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/refresh setup\0"
        //   + bytes([1]*32) + bytes([2, 1]) + bytes([0xa1]*32) + bytes([2]) + bytes([0xa2]*32)).hexdigest())'
        let setup = setup_hash(&[1; 32], &[(1, [0xa1; 32]), (2, [0xa2; 32])]);
        assert_eq!(
            hex::encode(setup),
            "68f42fe7fdd220c3f5a2a131a85d3e14c5fb9c9b48c17aa954ef1d15a6dccf1b"
        );
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/refresh part\0"
        //   + bytes([3]*32) + bytes([2, 5]) + hashlib.sha256(b"pub").digest()).hexdigest())'
        assert_eq!(
            hex::encode(part_transcript(&[3; 32], 2, 5, b"pub")),
            "12784ef2b7abeb47d620c41505b6eb7316c4887075dbb4caf35caebb85977f37"
        );
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/refresh transcript\0"
        //   + bytes([3]*32) + bytes([2, 1]) + (2).to_bytes(4,"big") + b"ab" + bytes([2])
        //   + (1).to_bytes(4,"big") + b"c").hexdigest())'
        assert_eq!(
            hex::encode(refresh_transcript(&[3; 32], &[(1, b"ab"), (2, b"c")])),
            "160c1c4614a6ab0815b10e48928354b0936fff47fca9ca96c2d9c507e3f41291"
        );
        // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/refresh key code\0"
        //   + bytes([4]*32) + bytes([9]*32) + b"v").hexdigest())'
        let code = key_code_hash(&[4; 32], &[9; 32], b"v");
        assert_eq!(
            hex::encode(code),
            "e2609c5711d5d0988b2e1ef57cd59bc0ee8f79f6d4107d9911b429ee1049174f"
        );
        assert_eq!(key_code(&code), "E260-9C57-11D5-D098");
    }

    #[test]
    fn every_input_counts() {
        let s = setup_hash(&[1; 32], &[(1, [0xa1; 32]), (2, [0xa2; 32])]);
        assert_ne!(s, setup_hash(&[1; 32], &[(1, [0xa2; 32]), (2, [0xa1; 32])]));
        assert_ne!(s, setup_hash(&[2; 32], &[(1, [0xa1; 32]), (2, [0xa2; 32])]));
        let p = part_transcript(&s, 1, 2, b"x");
        assert_ne!(p, part_transcript(&s, 2, 1, b"x"));
        assert_ne!(p, part_transcript(&s, 1, 2, b"y"));
        let t = refresh_transcript(&s, &[(1, b"ab"), (2, b"c")]);
        // The lengths keep the boundary between public parts.
        assert_ne!(t, refresh_transcript(&s, &[(1, b"a"), (2, b"bc")]));
        assert_ne!(t, refresh_transcript(&s, &[(2, b"c"), (1, b"ab")]));
        let k = key_code_hash(&t, &[9; 32], b"v");
        assert_ne!(k, key_code_hash(&t, &[9; 32], b"w"));
        assert_ne!(k, key_code_hash(&t, &[8; 32], b"v"));
        assert_eq!(key_code(&k).len(), 19);
    }
}
