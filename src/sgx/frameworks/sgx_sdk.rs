//! The Intel SGX SDK's two-step signing: `sgx_sign gendata` writes the 256 signed
//! bytes (the SIGSTRUCT's HEADER, 128 bytes, then its BODY, 128 bytes: exactly the
//! signed regions); `sgx_sign catsig` takes back the signature and the public key.
//!
//! What catsig reads (sdk/sign_tool/SignTool/sign_tool.cpp, `create_css_signature`
//! and `parse_key_file`): `-sig` a file of exactly 384 bytes, the RSASSA-PKCS1-v1_5
//! SHA-256 signature of the 256 bytes as a big-endian integer (what `openssl dgst
//! -sha256 -sign` writes; catsig reverses it into the SIGSTRUCT); `-key` the public
//! key as a PKIX "PUBLIC KEY" PEM (`PEM_read_bio_PUBKEY`).

use num_bigint::BigUint;

use crate::key::{to_fixed_be, MODULUS_BYTES};
use crate::sgx::sigstruct::{SignedRegions, SigstructError, HEADER, REGIONS_LEN};

/// The length of a gendata file.
pub const GENDATA_LEN: usize = REGIONS_LEN;

/// Whether `bytes` look like `sgx_sign gendata` output: 256 bytes opening with the
/// SIGSTRUCT header.
pub fn looks_like_gendata(bytes: &[u8]) -> bool {
    bytes.len() == GENDATA_LEN && bytes.starts_with(&HEADER)
}

/// The signed regions held in a gendata file.
pub fn read_gendata(bytes: &[u8]) -> Result<SignedRegions, SigstructError> {
    SignedRegions::from_bytes(bytes)
}

/// The `-sig` file for `sgx_sign catsig`: 384 big-endian bytes.
pub fn catsig_signature(sig: &BigUint) -> [u8; MODULUS_BYTES] {
    to_fixed_be(sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sgx::sigstruct::{Sigstruct, SigstructFields};
    use crate::sgx::Date;

    #[test]
    fn gendata_is_the_regions_and_the_signature_is_big_endian() {
        let s = Sigstruct::build(&SigstructFields {
            date: Date::from_bcd(0x2026_1201).unwrap(),
            debug: false,
            mrenclave: [7; 32],
            isv_prod_id: 1,
            isv_svn: 2,
        });
        let bytes = s.regions().as_bytes().to_vec();
        assert!(looks_like_gendata(&bytes));
        assert_eq!(read_gendata(&bytes).unwrap(), s.regions());
        assert!(!looks_like_gendata(&bytes[..255]));
        let mut other = bytes.clone();
        other[0] = 7;
        assert!(!looks_like_gendata(&other));
        let sig = catsig_signature(&BigUint::from(0x0102u32));
        assert_eq!(&sig[MODULUS_BYTES - 2..], &[1, 2]);
        assert!(sig[..MODULUS_BYTES - 2].iter().all(|&b| b == 0));
    }
}
