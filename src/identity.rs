//! Party identity keys (Ed25519): every party makes one at keygen, the roster of
//! public keys is bound into the keygen transcript and kept in every share file,
//! and from then on every signing message is signed by its sender.
//!
//! Signatures are domain-separated: what is signed is
//! `"mpcegosign/v2/" ‖ context ‖ 0x00 ‖ bytes`, so a signature made for one kind of
//! message can never be replayed as another.
//!
//! The secret seed lives in one locked page ([`LockedSeed`]) from the moment it is
//! drawn or read until it is dropped; the key holds only a pointer to it, so moving
//! the key copies nothing secret. Signing builds the Ed25519 key from the seed for
//! one signature and then wipes the stack it used.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::locked::{wipe_stack, LockedSeed};

/// Length of an identity public key and of a secret seed.
pub const IDENTITY_LEN: usize = 32;
/// Length of a signature.
pub const SIGNATURE_LEN: usize = 64;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdentityError {
    #[error("the identity key is not a valid Ed25519 public key")]
    InvalidKey,
    #[error("the identity key is a weak (small-order) Ed25519 key")]
    WeakKey,
}

fn signed_bytes(context: &str, bytes: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(16 + context.len() + bytes.len());
    m.extend_from_slice(b"mpcegosign/v2/");
    m.extend_from_slice(context.as_bytes());
    m.push(0);
    m.extend_from_slice(bytes);
    m
}

/// A party's identity secret key, wiped on drop; `Debug` shows only the public key.
pub struct IdentityKey {
    seed: LockedSeed,
    public: VerifyingKey,
}

impl std::fmt::Debug for IdentityKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "IdentityKey(public={}, secret=<redacted>)",
            hex::encode(self.public.to_bytes())
        )
    }
}

impl IdentityKey {
    pub fn generate() -> Self {
        Self::with_seed(LockedSeed::random())
    }

    /// From the 32-byte secret seed (as stored in a share file; the caller wipes its
    /// own copy).
    pub fn from_seed(seed: &[u8; IDENTITY_LEN]) -> Self {
        Self::with_seed(LockedSeed::from_bytes(seed))
    }

    fn with_seed(seed: LockedSeed) -> Self {
        let public = public_of(seed.expose());
        wipe_stack();
        IdentityKey { seed, public }
    }

    /// The same key in another locked page (no copy of the seed on the way).
    pub fn try_clone(&self) -> Self {
        IdentityKey {
            seed: self.seed.try_clone(),
            public: self.public,
        }
    }

    /// The secret seed itself, where it lives (to write it into a share file).
    pub fn expose_seed(&self) -> &[u8; IDENTITY_LEN] {
        self.seed.expose()
    }

    /// A copy of the secret seed, wiped on drop. Prefer [`Self::expose_seed`] and
    /// [`Self::try_clone`], which make no copy outside the locked page.
    pub fn seed(&self) -> Zeroizing<[u8; IDENTITY_LEN]> {
        Zeroizing::new(*self.seed.expose())
    }

    pub fn public(&self) -> IdentityPublic {
        IdentityPublic(self.public.to_bytes())
    }

    /// Signs `bytes` for `context` (e.g. "message").
    pub fn sign(&self, context: &str, bytes: &[u8]) -> [u8; SIGNATURE_LEN] {
        let signature = sign_with(self.seed.expose(), &signed_bytes(context, bytes));
        wipe_stack();
        signature
    }
}

/// The public key of `seed`. Not inlined, so that the copies of the seed its frames
/// leave (the signing key, the SHA-512 block) lie where `wipe_stack` reaches.
#[inline(never)]
fn public_of(seed: &[u8; IDENTITY_LEN]) -> VerifyingKey {
    SigningKey::from_bytes(seed).verifying_key()
}

/// One signature with a signing key built from `seed` and dropped (wiped) at once.
/// Not inlined, for the same reason as [`public_of`].
#[inline(never)]
fn sign_with(seed: &[u8; IDENTITY_LEN], message: &[u8]) -> [u8; SIGNATURE_LEN] {
    SigningKey::from_bytes(seed).sign(message).to_bytes()
}

/// A party's identity public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdentityPublic(pub [u8; IDENTITY_LEN]);

impl IdentityPublic {
    /// Refuses encodings that are not a point, and small-order points (which would
    /// let anyone forge signatures that verify under them).
    pub fn check(&self) -> Result<(), IdentityError> {
        let key = VerifyingKey::from_bytes(&self.0).map_err(|_| IdentityError::InvalidKey)?;
        if key.is_weak() {
            return Err(IdentityError::WeakKey);
        }
        Ok(())
    }

    /// Whether `signature` is this key's signature of `bytes` for `context`
    /// (strict verification: no malleable or small-order signatures).
    pub fn verify(&self, context: &str, bytes: &[u8], signature: &[u8; SIGNATURE_LEN]) -> bool {
        let Ok(key) = VerifyingKey::from_bytes(&self.0) else {
            return false;
        };
        if key.is_weak() {
            return false;
        }
        let sig = Signature::from_bytes(signature);
        key.verify_strict(&signed_bytes(context, bytes), &sig)
            .is_ok()
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_with_domain_separation() {
        let k = IdentityKey::generate();
        let p = k.public();
        p.check().unwrap();
        let sig = k.sign("message", b"hello");
        assert!(p.verify("message", b"hello", &sig));
        assert!(!p.verify("finalize", b"hello", &sig));
        assert!(!p.verify("message", b"hellO", &sig));
        let other = IdentityKey::generate().public();
        assert!(!other.verify("message", b"hello", &sig));
        let mut bad = sig;
        bad[10] ^= 1;
        assert!(!p.verify("message", b"hello", &bad));
    }

    #[test]
    fn seed_round_trip_and_redacted_debug() {
        let k = IdentityKey::generate();
        let k2 = IdentityKey::from_seed(&k.seed());
        assert_eq!(k.public(), k2.public());
        let k3 = k.try_clone();
        assert_eq!(k3.public(), k.public());
        assert_eq!(k3.expose_seed(), k.expose_seed());
        assert_ne!(k3.expose_seed().as_ptr(), k.expose_seed().as_ptr());
        assert_eq!(k3.sign("message", b"x"), k.sign("message", b"x"));
        // The public key is the one Ed25519 derives from the seed.
        let reference = SigningKey::from_bytes(k.expose_seed()).verifying_key();
        assert_eq!(k.public().0, reference.to_bytes());
        let dbg = format!("{k:?}");
        assert!(!dbg.contains(&hex::encode(*k.seed())));
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn weak_keys_are_refused() {
        // The identity point (small order) and an invalid encoding.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            IdentityPublic(identity).check(),
            Err(IdentityError::WeakKey)
        );
        assert!(!IdentityPublic(identity).verify("message", b"", &[0; 64]));
        let zero = IdentityPublic([0u8; 32]);
        assert!(zero.check().is_err());
    }
}
