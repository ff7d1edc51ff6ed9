//! Types that hold secret values: zeroized on drop, redacted in `Debug`.
//!
//! Secret integers live in OpenSSL `BIGNUM`s so that arithmetic on them (dealing,
//! constant-time exponentiation) never copies them into allocations we cannot wipe;
//! the wrapper clears the limbs (`BN_clear`) before freeing.

use std::fmt;

use num_bigint::BigUint;
use openssl::bn::{BigNum, BigNumRef};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// A secret big integer, cleared on drop and flagged for constant-time use by OpenSSL.
pub struct SecretBn(BigNum);

impl SecretBn {
    /// Takes ownership of `bn`, marking it constant-time.
    pub fn new(mut bn: BigNum) -> Self {
        bn.set_const_time();
        SecretBn(bn)
    }

    /// From big-endian bytes (the caller keeps responsibility for wiping `bytes`).
    pub fn from_be_bytes(bytes: &[u8]) -> Self {
        // BN_bin2bn cannot fail for well-formed slices except on allocation failure.
        Self::new(BigNum::from_slice(bytes).unwrap_or_else(|_| alloc_failure()))
    }

    /// Minimal big-endian bytes, in a buffer that is wiped on drop.
    pub fn to_be_bytes(&self) -> SecretBytes {
        SecretBytes::new(self.0.to_vec())
    }

    /// Big-endian bytes left-padded to `len` (the minimal bytes if the number is
    /// longer). OpenSSL writes straight into one buffer of the final size
    /// (`BN_bn2binpad`): no temporary copy of the secret is left behind.
    pub fn to_be_bytes_padded(&self, len: usize) -> SecretBytes {
        let padded = i32::try_from(len)
            .ok()
            .and_then(|l| self.0.to_vec_padded(l).ok());
        match padded {
            Some(v) => SecretBytes::new(v),
            None => self.to_be_bytes(),
        }
    }

    /// Whether the value is below zero (sub-shares drawn over the integers can be).
    pub fn is_negative(&self) -> bool {
        self.0.is_negative()
    }

    /// |self|, as a new secret.
    pub fn magnitude(&self) -> Self {
        let mut m = self.try_clone();
        m.0.set_negative(false);
        m
    }

    /// Bits of |self|.
    pub fn num_bits(&self) -> u64 {
        self.0.num_bits().max(0) as u64
    }

    pub fn expose(&self) -> &BigNumRef {
        &self.0
    }

    /// A copy, sign included.
    pub fn try_clone(&self) -> Self {
        let bytes = self.to_be_bytes();
        let mut c = Self::from_be_bytes(bytes.expose());
        c.0.set_negative(self.0.is_negative());
        c
    }

    /// Negates the value in place.
    pub fn negate(&mut self) {
        let neg = !self.0.is_negative();
        self.0.set_negative(neg);
    }

    /// Whether two secrets are equal (used by tests and consistency checks).
    pub fn ct_eq(&self, other: &SecretBn) -> bool {
        use subtle_eq::ct_eq_bytes;
        ct_eq_bytes(
            self.to_be_bytes_padded(512).expose(),
            other.to_be_bytes_padded(512).expose(),
        )
    }
}

impl Drop for SecretBn {
    fn drop(&mut self) {
        self.0.clear();
    }
}

impl fmt::Debug for SecretBn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBn(<redacted>)")
    }
}

/// Secret bytes (decrypted share files, plaintexts, passphrases): wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretBytes(Vec<u8>);

impl SecretBytes {
    pub fn new(v: Vec<u8>) -> Self {
        SecretBytes(v)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Zeroizing<Vec<u8>>> for SecretBytes {
    fn from(mut z: Zeroizing<Vec<u8>>) -> Self {
        SecretBytes(std::mem::take(&mut *z))
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<redacted, {} bytes>)", self.0.len())
    }
}

/// A passphrase or other secret text: wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: String) -> Self {
        SecretString(s)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

/// Public big integer from an OpenSSL number.
pub fn bn_to_biguint(bn: &BigNumRef) -> BigUint {
    BigUint::from_bytes_be(&bn.to_vec())
}

/// OpenSSL number from a public big integer.
pub fn biguint_to_bn(x: &BigUint) -> BigNum {
    BigNum::from_slice(&x.to_bytes_be()).unwrap_or_else(|_| alloc_failure())
}

/// OpenSSL only fails these conversions when it cannot allocate; so does Rust's allocator.
fn alloc_failure() -> ! {
    std::alloc::handle_alloc_error(std::alloc::Layout::new::<[u64; 64]>())
}

pub(crate) mod subtle_eq {
    /// Constant-time equality of two equal-length byte strings.
    pub fn ct_eq_bytes(a: &[u8], b: &[u8]) -> bool {
        if a.len() != b.len() {
            return false;
        }
        let mut acc = 0u8;
        for (x, y) in a.iter().zip(b) {
            acc |= x ^ y;
        }
        acc == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let s = SecretBn::from_be_bytes(&[0x12, 0x34, 0x56]);
        let d = format!("{s:?}");
        assert!(!d.contains("1193046") && !d.contains("123456"));
        assert!(d.contains("redacted"));
        let b = SecretBytes::new(b"hunter2".to_vec());
        assert!(!format!("{b:?}").contains("hunter2"));
        let p = SecretString::new("hunter2".into());
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn padded_bytes_round_trip() {
        let s = SecretBn::from_be_bytes(&[0, 0, 1, 2]);
        assert_eq!(s.to_be_bytes().expose(), &[1, 2]);
        assert_eq!(s.to_be_bytes_padded(4).expose(), &[0, 0, 1, 2]);
        assert_eq!(s.to_be_bytes_padded(2).expose(), &[1, 2]);
        // Too short a length gives the minimal bytes rather than cutting the number.
        assert_eq!(s.to_be_bytes_padded(1).expose(), &[1, 2]);
        assert!(s.ct_eq(&s.try_clone()));
    }
}
