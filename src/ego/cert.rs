//! The two files `ego-oesign sign -x CERT -d SIG` reads: an X.509 certificate that
//! carries the threshold public key (oesign takes the key from it and does not check
//! the certificate's own signature, so a throwaway issuer key signs it), and the
//! signature as 384 raw big-endian bytes (oesign reverses them into the SIGSTRUCT).

use num_bigint::BigUint;
use openssl::asn1::Asn1Time;
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::{X509Builder, X509NameBuilder};

use crate::key::{to_fixed_be, PublicKey, MODULUS_BYTES, PUBLIC_EXPONENT};

#[derive(Debug, thiserror::Error)]
#[error("cannot build the certificate for oesign: {0}")]
pub struct CertError(#[from] openssl::error::ErrorStack);

/// A self-describing PEM certificate holding `key`, signed by a fresh P-256 key that
/// is thrown away. Valid from now for one day (oesign does not check validity).
pub fn certificate_pem(key: &PublicKey) -> Result<String, CertError> {
    let n = BigNum::from_slice(&key.modulus_be())?;
    let e = BigNum::from_u32(PUBLIC_EXPONENT)?;
    let subject_key = PKey::from_rsa(Rsa::from_public_components(n, e)?)?;
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    let issuer_key = PKey::from_ec_key(EcKey::generate(&group)?)?;

    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_nid(Nid::COMMONNAME, "mpcegosign threshold signing key")?;
    let name = name.build();
    let mut serial = BigNum::new()?;
    serial.rand(64, MsbOption::MAYBE_ZERO, false)?;

    let mut b = X509Builder::new()?;
    b.set_version(2)?;
    let serial = serial.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    let not_before = Asn1Time::days_from_now(0)?;
    let not_after = Asn1Time::days_from_now(1)?;
    b.set_not_before(&not_before)?;
    b.set_not_after(&not_after)?;
    b.set_pubkey(&subject_key)?;
    b.sign(&issuer_key, MessageDigest::sha256())?;
    let pem = b.build().to_pem()?;
    Ok(String::from_utf8_lossy(&pem).into_owned())
}

/// The `-d` file: the RSA signature as 384 big-endian bytes.
pub fn signature_file(sig: &BigUint) -> [u8; MODULUS_BYTES] {
    to_fixed_be(sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::x509::X509;

    #[test]
    fn certificate_carries_the_key() {
        let n: BigUint = (BigUint::from(1u8) << 3071usize) + BigUint::from(12345u32);
        let key = PublicKey::from_modulus(n.clone()).unwrap();
        let pem = certificate_pem(&key).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let cert = X509::from_pem(pem.as_bytes()).unwrap();
        let rsa = cert.public_key().unwrap().rsa().unwrap();
        assert_eq!(BigUint::from_bytes_be(&rsa.n().to_vec()), n);
        assert_eq!(rsa.e().to_vec(), vec![3]);
        assert_eq!(signature_file(&BigUint::from(258u32))[382..], [1, 2]);
    }
}
