//! RSA-3072 keys with public exponent 3, as SGX requires.
//!
//! Public arithmetic uses `num-bigint`; secret values stay in [`SecretBn`].

mod generate;
pub mod modexp;
mod pem;
pub mod pkcs1;

use num_bigint::BigUint;
use openssl::bn::{BigNum, BigNumContext};
use sha2::{Digest, Sha256};

pub use generate::{generate, KeygenEvent};

use crate::secret::{biguint_to_bn, SecretBn};

/// Modulus size in bits.
pub const MODULUS_BITS: u64 = 3072;
/// Modulus size in bytes.
pub const MODULUS_BYTES: usize = 384;
/// The only public exponent SGX accepts.
pub const PUBLIC_EXPONENT: u32 = 3;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the modulus has {0} bits; SGX needs exactly 3072")]
    ModulusSize(u64),
    #[error("the public exponent is {0}; SGX needs e = 3")]
    Exponent(String),
    #[error("not an RSA key in PEM form ({0})")]
    Pem(String),
    #[error("the private key is inconsistent: {0}")]
    Inconsistent(&'static str),
    #[error("key generation failed: {0}")]
    Generate(String),
}

/// An RSA-3072 public key with e = 3.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    n: BigUint,
}

impl PublicKey {
    /// Validates that `n` has exactly 3072 bits and is odd.
    pub fn from_modulus(n: BigUint) -> Result<Self, KeyError> {
        if n.bits() != MODULUS_BITS {
            return Err(KeyError::ModulusSize(n.bits()));
        }
        if !n.bit(0) {
            return Err(KeyError::Inconsistent("the modulus is even"));
        }
        Ok(PublicKey { n })
    }

    /// From a 384-byte little-endian modulus, as stored in a SIGSTRUCT.
    pub fn from_modulus_le(le: &[u8]) -> Result<Self, KeyError> {
        Self::from_modulus(BigUint::from_bytes_le(le))
    }

    pub fn modulus(&self) -> &BigUint {
        &self.n
    }

    /// The modulus as 384 big-endian bytes.
    pub fn modulus_be(&self) -> [u8; MODULUS_BYTES] {
        to_fixed_be(&self.n)
    }

    /// The modulus as 384 little-endian bytes (SIGSTRUCT layout).
    pub fn modulus_le(&self) -> [u8; MODULUS_BYTES] {
        let mut b = self.modulus_be();
        b.reverse();
        b
    }

    /// MRSIGNER: SHA-256 of the little-endian modulus.
    pub fn mrsigner(&self) -> [u8; 32] {
        Sha256::digest(self.modulus_le()).into()
    }

    /// `sig^3 mod n`.
    pub fn raw_public(&self, sig: &BigUint) -> BigUint {
        sig.modpow(&BigUint::from(PUBLIC_EXPONENT), &self.n)
    }

    /// RSASSA-PKCS1-v1_5 / SHA-256 verification of a signature over a 32-byte digest.
    pub fn verify_digest(&self, digest: &[u8; 32], sig: &BigUint) -> bool {
        if sig >= &self.n {
            return false;
        }
        self.raw_public(sig) == pkcs1::encode_sha256(digest)
    }

    /// PKIX "PUBLIC KEY" PEM, as `openssl rsa -pubout` writes.
    pub fn to_pem(&self) -> String {
        pem::public_to_pem(self)
    }

    /// Reads a PKIX "PUBLIC KEY" (or PKCS#1 "RSA PUBLIC KEY") PEM.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        pem::public_from_pem(pem)
    }
}

/// An RSA-3072, e = 3 private key. Secret parts are wiped on drop.
pub struct PrivateKey {
    public: PublicKey,
    p: SecretBn,
    q: SecretBn,
    /// d = 3^-1 mod λ.
    d: SecretBn,
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PrivateKey")
            .field("public", &self.public)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl PrivateKey {
    /// Builds and checks a key from its primes: n = pq has 3072 bits, gcd(3, λ) = 1.
    pub fn from_primes(p: SecretBn, q: SecretBn) -> Result<Self, KeyError> {
        let ossl = |e: openssl::error::ErrorStack| KeyError::Generate(e.to_string());
        let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
        if p.expose() == q.expose() {
            return Err(KeyError::Inconsistent("p equals q"));
        }
        let mut n = BigNum::new().map_err(ossl)?;
        n.checked_mul(p.expose(), q.expose(), &mut ctx)
            .map_err(ossl)?;
        let public = PublicKey::from_modulus(crate::secret::bn_to_biguint(&n))?;
        let lambda = lambda_of(&p, &q)?;
        let three = BigNum::from_u32(PUBLIC_EXPONENT).map_err(ossl)?;
        let mut d = BigNum::new_secure().map_err(ossl)?;
        d.mod_inverse(&three, lambda.expose(), &mut ctx)
            .map_err(|_| KeyError::Inconsistent("3 is not invertible modulo λ(n)"))?;
        let key = PrivateKey {
            public,
            p,
            q,
            d: SecretBn::new(d),
        };
        key.self_test()?;
        Ok(key)
    }

    /// Signs a random value and checks it with the public key (fault check).
    fn self_test(&self) -> Result<(), KeyError> {
        let m = BigUint::from_bytes_be(&[0x5a; 300]);
        let s = modexp::mod_exp_secret(&m, &self.d, self.public.modulus());
        if self.public.raw_public(&s) != m {
            return Err(KeyError::Inconsistent("d does not invert e = 3"));
        }
        Ok(())
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    pub(crate) fn d(&self) -> &SecretBn {
        &self.d
    }

    /// λ(n) = lcm(p − 1, q − 1): the dealer shares d modulo it.
    pub(crate) fn lambda(&self) -> Result<SecretBn, KeyError> {
        lambda_of(&self.p, &self.q)
    }

    #[cfg(test)]
    pub(crate) fn primes(&self) -> (&SecretBn, &SecretBn) {
        (&self.p, &self.q)
    }

    /// Reads a PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY") PEM and validates it.
    pub fn from_pem(pem: &[u8]) -> Result<Self, KeyError> {
        pem::private_from_pem(pem)
    }

    /// PKCS#1 "RSA PRIVATE KEY" PEM, as `openssl genrsa` writes.
    pub fn to_pkcs1_pem(&self) -> Result<crate::secret::SecretBytes, KeyError> {
        pem::private_to_pem(self)
    }

    /// Ordinary single-key RSASSA-PKCS1-v1_5 / SHA-256 signature over a digest.
    pub fn sign_digest(&self, digest: &[u8; 32]) -> BigUint {
        let m = pkcs1::encode_sha256(digest);
        modexp::mod_exp_secret(&m, &self.d, self.public.modulus())
    }
}

/// `x` as exactly 384 big-endian bytes (x < 2^3072).
pub fn to_fixed_be(x: &BigUint) -> [u8; MODULUS_BYTES] {
    let v = x.to_bytes_be();
    let mut out = [0u8; MODULUS_BYTES];
    let start = MODULUS_BYTES.saturating_sub(v.len());
    out[start..].copy_from_slice(&v[v.len().saturating_sub(MODULUS_BYTES)..]);
    out
}

pub(crate) fn bn(x: &BigUint) -> BigNum {
    biguint_to_bn(x)
}

/// λ = (p − 1)(q − 1) / gcd(p − 1, q − 1), every intermediate in secure, wiped memory.
fn lambda_of(p: &SecretBn, q: &SecretBn) -> Result<SecretBn, KeyError> {
    let ossl = |e: openssl::error::ErrorStack| KeyError::Generate(e.to_string());
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    let one = BigNum::from_u32(1).map_err(ossl)?;
    let mut p1 = BigNum::new_secure().map_err(ossl)?;
    p1.checked_sub(p.expose(), &one).map_err(ossl)?;
    let p1 = SecretBn::new(p1);
    let mut q1 = BigNum::new_secure().map_err(ossl)?;
    q1.checked_sub(q.expose(), &one).map_err(ossl)?;
    let q1 = SecretBn::new(q1);
    let mut g = BigNum::new_secure().map_err(ossl)?;
    g.gcd(p1.expose(), q1.expose(), &mut ctx).map_err(ossl)?;
    let g = SecretBn::new(g);
    let mut prod = BigNum::new_secure().map_err(ossl)?;
    prod.checked_mul(p1.expose(), q1.expose(), &mut ctx)
        .map_err(ossl)?;
    let prod = SecretBn::new(prod);
    let mut lambda = BigNum::new_secure().map_err(ossl)?;
    lambda
        .checked_div(prod.expose(), g.expose(), &mut ctx)
        .map_err(ossl)?;
    Ok(SecretBn::new(lambda))
}
