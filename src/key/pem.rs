//! PEM import and export through OpenSSL (PKCS#1, PKCS#8, PKIX).

use openssl::bn::{BigNum, BigNumContext};
use openssl::pkey::PKey;
use openssl::rsa::Rsa;

use super::{bn, KeyError, PrivateKey, PublicKey, PUBLIC_EXPONENT};
use crate::secret::{bn_to_biguint, SecretBn, SecretBytes};

fn pem_err(e: openssl::error::ErrorStack) -> KeyError {
    let reason = e
        .errors()
        .first()
        .and_then(|x| x.reason().map(str::to_owned))
        .unwrap_or_else(|| "unreadable".into());
    KeyError::Pem(reason)
}

fn check_exponent(e: &openssl::bn::BigNumRef) -> Result<(), KeyError> {
    if e.num_bits() > 32 || e.to_vec() != [PUBLIC_EXPONENT as u8] {
        return Err(KeyError::Exponent(
            e.to_dec_str().map(|s| s.to_string()).unwrap_or_default(),
        ));
    }
    Ok(())
}

/// Whether `needle` occurs in `text`, without copying `text` (it may be a private key:
/// a lossy UTF-8 conversion would copy it into a buffer that is not wiped).
fn contains(text: &[u8], needle: &[u8]) -> bool {
    text.windows(needle.len()).any(|w| w == needle)
}

/// A PEM file has a `-----BEGIN` line; without it OpenSSL's reason is unhelpful.
fn require_pem(text: &[u8]) -> Result<(), KeyError> {
    if !contains(text, b"-----BEGIN ") {
        return Err(KeyError::Pem("no -----BEGIN line".into()));
    }
    Ok(())
}

pub(super) fn public_from_pem(pem: &str) -> Result<PublicKey, KeyError> {
    let bytes = pem.as_bytes();
    require_pem(bytes)?;
    let rsa = if pem.contains("BEGIN RSA PUBLIC KEY") {
        Rsa::public_key_from_pem_pkcs1(bytes)
    } else {
        Rsa::public_key_from_pem(bytes)
    }
    .map_err(pem_err)?;
    check_exponent(rsa.e())?;
    PublicKey::from_modulus(bn_to_biguint(rsa.n()))
}

pub(super) fn public_to_pem(key: &PublicKey) -> String {
    let build = || -> Result<String, openssl::error::ErrorStack> {
        let rsa = Rsa::from_public_components(bn(key.modulus()), BigNum::from_u32(3)?)?;
        Ok(String::from_utf8_lossy(&rsa.public_key_to_pem()?).into_owned())
    };
    // Encoding a valid public key only fails if OpenSSL cannot allocate.
    build().unwrap_or_else(|_| std::alloc::handle_alloc_error(std::alloc::Layout::new::<u8>()))
}

pub(super) fn private_from_pem(pem: &[u8]) -> Result<PrivateKey, KeyError> {
    require_pem(pem)?;
    // A callback that refuses, so that OpenSSL never prompts on the terminal for an
    // encrypted key.
    let pkey = PKey::private_key_from_pem_callback(pem, |_| Ok(0)).map_err(|e| {
        if contains(pem, b"ENCRYPTED") {
            KeyError::Pem("the key is encrypted; decrypt it with `openssl pkey` first".into())
        } else {
            pem_err(e)
        }
    })?;
    let rsa = pkey
        .rsa()
        .map_err(|_| KeyError::Pem("not an RSA key".into()))?;
    check_exponent(rsa.e())?;
    if rsa.n().num_bits() as u64 != super::MODULUS_BITS {
        return Err(KeyError::ModulusSize(rsa.n().num_bits() as u64));
    }
    let (p, q) = match (rsa.p(), rsa.q()) {
        (Some(p), Some(q)) => (p, q),
        _ => return Err(KeyError::Pem("the key has no primes".into())),
    };
    let p = SecretBn::new(p.to_owned().map_err(pem_err)?);
    let q = SecretBn::new(q.to_owned().map_err(pem_err)?);
    let key = PrivateKey::from_primes(p, q)?;
    if key.public().modulus() != &bn_to_biguint(rsa.n()) {
        return Err(KeyError::Inconsistent("n is not p*q"));
    }
    Ok(key)
}

pub(super) fn private_to_pem(key: &PrivateKey) -> Result<SecretBytes, KeyError> {
    let ossl = |e: openssl::error::ErrorStack| KeyError::Generate(e.to_string());
    let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
    let one = BigNum::from_u32(1).map_err(ossl)?;
    let copy = |x: &SecretBn| x.expose().to_owned().map_err(ossl);
    let mut pm1 = BigNum::new_secure().map_err(ossl)?;
    pm1.checked_sub(key.p.expose(), &one).map_err(ossl)?;
    let mut qm1 = BigNum::new_secure().map_err(ossl)?;
    qm1.checked_sub(key.q.expose(), &one).map_err(ossl)?;
    let (pm1, qm1) = (SecretBn::new(pm1), SecretBn::new(qm1));
    let mut dmp1 = BigNum::new_secure().map_err(ossl)?;
    dmp1.nnmod(key.d.expose(), pm1.expose(), &mut ctx)
        .map_err(ossl)?;
    let mut dmq1 = BigNum::new_secure().map_err(ossl)?;
    dmq1.nnmod(key.d.expose(), qm1.expose(), &mut ctx)
        .map_err(ossl)?;
    let mut iqmp = BigNum::new_secure().map_err(ossl)?;
    iqmp.mod_inverse(key.q.expose(), key.p.expose(), &mut ctx)
        .map_err(ossl)?;
    let rsa = Rsa::from_private_components(
        bn(key.public().modulus()),
        BigNum::from_u32(PUBLIC_EXPONENT).map_err(ossl)?,
        copy(&key.d)?,
        copy(&key.p)?,
        copy(&key.q)?,
        dmp1,
        dmq1,
        iqmp,
    )
    .map_err(ossl)?;
    // RSA_free clears the private components; the PEM text is wiped by SecretBytes.
    Ok(SecretBytes::new(rsa.private_key_to_pem().map_err(ossl)?))
}
