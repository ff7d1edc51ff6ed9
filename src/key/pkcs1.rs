//! EMSA-PKCS1-v1_5 encoding with SHA-256 (RFC 8017, section 9.2).

use num_bigint::BigUint;

use super::MODULUS_BYTES;

/// DER of `DigestInfo` for SHA-256, without the digest itself.
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Length of the DER `DigestInfo` of a SHA-256 digest.
pub const DIGEST_INFO_LEN: usize = 51;

/// The DER `DigestInfo` of a SHA-256 digest: what `CKM_RSA_PKCS` or
/// `openssl pkeyutl -sign` (without `-pkeyopt digest:`) signs as it is.
pub fn digest_info_sha256(digest: &[u8; 32]) -> [u8; DIGEST_INFO_LEN] {
    let mut out = [0u8; DIGEST_INFO_LEN];
    out[..SHA256_DIGEST_INFO.len()].copy_from_slice(&SHA256_DIGEST_INFO);
    out[SHA256_DIGEST_INFO.len()..].copy_from_slice(digest);
    out
}

/// `00 01 FF..FF 00 || DigestInfo || digest`, 384 bytes.
pub fn encode_sha256_bytes(digest: &[u8; 32]) -> [u8; MODULUS_BYTES] {
    let mut em = [0xffu8; MODULUS_BYTES];
    em[0] = 0x00;
    em[1] = 0x01;
    let t_len = SHA256_DIGEST_INFO.len() + digest.len();
    let sep = MODULUS_BYTES - t_len - 1;
    em[sep] = 0x00;
    em[sep + 1..sep + 1 + SHA256_DIGEST_INFO.len()].copy_from_slice(&SHA256_DIGEST_INFO);
    em[MODULUS_BYTES - 32..].copy_from_slice(digest);
    em
}

/// The encoded message as an integer, the value that is raised to d.
pub fn encode_sha256(digest: &[u8; 32]) -> BigUint {
    BigUint::from_bytes_be(&encode_sha256_bytes(digest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let d = [0xabu8; 32];
        let em = encode_sha256_bytes(&d);
        assert_eq!(&em[..2], &[0, 1]);
        // 384 - 3 - 19 - 32 = 330 bytes of padding.
        assert!(em[2..332].iter().all(|&b| b == 0xff));
        assert_eq!(em[332], 0);
        assert_eq!(&em[333..352], &SHA256_DIGEST_INFO);
        assert_eq!(&em[352..], &d);
        assert_eq!(&em[333..], &digest_info_sha256(&d));
    }
}
