//! Shares at rest: the share file's JSON inside an age file encrypted with a
//! passphrase (scrypt). The binary age format is written, which the `age` CLI
//! decrypts with `age -d`; armored files are read too.

use std::io::{Read, Write};

use age::secrecy::SecretString as AgeSecret;

use crate::secret::{SecretBytes, SecretString};

/// The first line of a binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1\n";
/// The first line of an armored age file.
const ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";
/// The largest scrypt work factor (log2 N) accepted when decrypting: about 16 s on a
/// current machine. Larger values could be a denial of service.
pub const MAX_WORK_FACTOR: u8 = 22;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AtRestError {
    #[error("wrong passphrase for this share file")]
    WrongPassphrase,
    #[error("the share file is not encrypted with a passphrase (it is for an age key); decrypt it with `age -d -i KEY` first")]
    NotPassphraseEncrypted,
    #[error("the encrypted share file is truncated or corrupted; restore it from a backup")]
    Corrupted,
    #[error("the share file needs scrypt work factor {required}, above the limit {limit}; re-encrypt it with `mpcegosign share passwd` on a machine that can open it")]
    WorkFactorTooHigh { required: u8, limit: u8 },
    #[error("encryption failed: {0}")]
    Encrypt(String),
}

/// Does this file look like an age file (binary or armored)?
pub fn is_age(bytes: &[u8]) -> bool {
    bytes.starts_with(AGE_MAGIC) || bytes.trim_ascii_start().starts_with(ARMOR_MAGIC)
}

fn age_secret(p: &SecretString) -> AgeSecret {
    AgeSecret::from(p.expose().to_string())
}

/// Encrypts with a passphrase. `work_factor` overrides age's calibration (about one
/// second on this machine) when set.
pub fn encrypt(
    plain: &SecretBytes,
    passphrase: &SecretString,
    work_factor: Option<u8>,
) -> Result<Vec<u8>, AtRestError> {
    let mut recipient = age::scrypt::Recipient::new(age_secret(passphrase));
    if let Some(n) = work_factor {
        recipient.set_work_factor(n.clamp(1, MAX_WORK_FACTOR));
    }
    let err = |e: &dyn std::fmt::Display| AtRestError::Encrypt(e.to_string());
    let encryptor =
        age::Encryptor::with_recipients(std::iter::once(&recipient as &dyn age::Recipient))
            .map_err(|e| err(&e))?;
    let mut out = Vec::with_capacity(plain.len() + 256);
    let mut w = encryptor.wrap_output(&mut out).map_err(|e| err(&e))?;
    w.write_all(plain.expose()).map_err(|e| err(&e))?;
    w.finish().map_err(|e| err(&e))?;
    Ok(out)
}

/// Decrypts a passphrase-encrypted age file (binary or armored).
pub fn decrypt(bytes: &[u8], passphrase: &SecretString) -> Result<SecretBytes, AtRestError> {
    let reader = age::armor::ArmoredReader::new(bytes);
    let decryptor = age::Decryptor::new(reader).map_err(map_decrypt_error)?;
    if !decryptor.is_scrypt() {
        return Err(AtRestError::NotPassphraseEncrypted);
    }
    let mut identity = age::scrypt::Identity::new(age_secret(passphrase));
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    let mut r = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(map_decrypt_error)?;
    let mut plain = zeroize::Zeroizing::new(Vec::new());
    r.read_to_end(&mut plain)
        .map_err(|_| AtRestError::Corrupted)?;
    Ok(SecretBytes::from(plain))
}

fn map_decrypt_error(e: age::DecryptError) -> AtRestError {
    match e {
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
            AtRestError::WrongPassphrase
        }
        age::DecryptError::ExcessiveWork { required, .. } => AtRestError::WorkFactorTooHigh {
            required,
            limit: MAX_WORK_FACTOR,
        },
        age::DecryptError::NoMatchingKeys => AtRestError::NotPassphraseEncrypted,
        _ => AtRestError::Corrupted,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> SecretString {
        SecretString::new(s.into())
    }

    #[test]
    fn round_trip_and_failures() {
        let plain = SecretBytes::new(b"{\"version\":2}".to_vec());
        let enc = encrypt(&plain, &pass("correct horse"), Some(10)).unwrap();
        assert!(is_age(&enc));
        assert!(!is_age(b"{\"version\":2}"));
        assert_eq!(
            decrypt(&enc, &pass("correct horse")).unwrap().expose(),
            plain.expose()
        );
        assert_eq!(
            decrypt(&enc, &pass("wrong")).unwrap_err(),
            AtRestError::WrongPassphrase
        );
        assert_eq!(
            decrypt(&enc[..enc.len() - 10], &pass("correct horse")).unwrap_err(),
            AtRestError::Corrupted
        );
        assert_eq!(
            decrypt(&enc[..40], &pass("correct horse")).unwrap_err(),
            AtRestError::Corrupted
        );
        let mut flipped = enc.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(
            decrypt(&flipped, &pass("correct horse")).unwrap_err(),
            AtRestError::Corrupted
        );
    }

    #[test]
    fn excessive_work_is_refused() {
        let plain = SecretBytes::new(b"x".to_vec());
        let mut enc = encrypt(&plain, &pass("p"), Some(10)).unwrap();
        // Rewrite the stanza's work factor 10 to 30 (the work factor is checked before
        // the header MAC).
        let text = String::from_utf8_lossy(&enc).replacen(" 10\n", " 30\n", 1);
        enc = text.into_bytes();
        assert_eq!(
            decrypt(&enc, &pass("p")).unwrap_err(),
            AtRestError::WorkFactorTooHigh {
                required: 30,
                limit: MAX_WORK_FACTOR
            }
        );
    }
}
