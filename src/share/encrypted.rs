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
/// The largest scrypt work factor (log2 N) accepted when decrypting, and used when
/// encrypting: 2^20 iterations take 1 GiB of memory and a few seconds. A file asking
/// for more is refused from its header, before any scrypt work: a work factor of 22
/// already costs 4 GiB and 15 s, and 30 would never finish.
pub const MAX_WORK_FACTOR: u8 = 20;
/// The most header bytes read when looking for the work factor (a passphrase file's
/// header is one stanza, about 120 bytes).
const HEADER_LIMIT: u64 = 4096;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AtRestError {
    #[error("wrong passphrase for this share file")]
    WrongPassphrase,
    #[error("the share file is not encrypted with a passphrase (it is for an age key); decrypt it with `age -d -i KEY` first")]
    NotPassphraseEncrypted,
    #[error("the encrypted share file is truncated or corrupted; restore it from a backup")]
    Corrupted,
    #[error("the share file asks for scrypt work factor {required}, above this tool's limit of {limit}; if the file is genuine, re-encrypt it with `age` using a work factor of at most {limit}")]
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

/// The scrypt work factor a passphrase-encrypted age file asks for, read from its
/// header without any key derivation. `None` when the header has no scrypt stanza or
/// cannot be read (age itself then reports the file as damaged or not for a passphrase).
pub fn header_work_factor(bytes: &[u8]) -> Option<u8> {
    let mut header = Vec::with_capacity(HEADER_LIMIT as usize);
    let reader = age::armor::ArmoredReader::new(bytes);
    // A read error (bad armor) leaves what was read so far; age reports the rest.
    let _ = reader.take(HEADER_LIMIT).read_to_end(&mut header);
    header
        .split(|&b| b == b'\n')
        .skip(1)
        .take_while(|line| !line.starts_with(b"---"))
        .filter_map(|line| {
            let line = std::str::from_utf8(line).ok()?;
            let mut args = line.strip_prefix("-> scrypt ")?.split(' ');
            let _salt = args.next()?;
            let log_n = args.next()?;
            if args.next().is_some() || !log_n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Too many digits to be a u8 is certainly too much work.
            Some(log_n.parse::<u8>().unwrap_or(u8::MAX))
        })
        .max()
}

/// Encrypts with a passphrase. `work_factor` overrides age's calibration (about one
/// second on this machine) when set; either is capped at [`MAX_WORK_FACTOR`] so that
/// the file always opens again.
pub fn encrypt(
    plain: &SecretBytes,
    passphrase: &SecretString,
    work_factor: Option<u8>,
) -> Result<Vec<u8>, AtRestError> {
    let out = encrypt_with(plain, passphrase, work_factor)?;
    // age's calibration targets one second: on a fast machine that can exceed the
    // limit, and the file would not open again. Then encrypt again at the limit.
    match header_work_factor(&out) {
        Some(n) if n > MAX_WORK_FACTOR => encrypt_with(plain, passphrase, Some(MAX_WORK_FACTOR)),
        _ => Ok(out),
    }
}

fn encrypt_with(
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

/// Decrypts a passphrase-encrypted age file (binary or armored). The work factor is
/// checked from the header first: a file asking for more than [`MAX_WORK_FACTOR`] is
/// refused before any scrypt work.
pub fn decrypt(bytes: &[u8], passphrase: &SecretString) -> Result<SecretBytes, AtRestError> {
    if let Some(required) = header_work_factor(bytes).filter(|&n| n > MAX_WORK_FACTOR) {
        return Err(AtRestError::WorkFactorTooHigh {
            required,
            limit: MAX_WORK_FACTOR,
        });
    }
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
    // The plaintext is shorter than the file (header, tags), so this buffer never
    // grows: no freed copy of the share is left behind.
    let mut plain = zeroize::Zeroizing::new(vec![0u8; bytes.len()]);
    let mut filled = 0;
    loop {
        let room = plain.get_mut(filled..).ok_or(AtRestError::Corrupted)?;
        if room.is_empty() {
            return Err(AtRestError::Corrupted);
        }
        match r.read(room) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return Err(AtRestError::Corrupted),
        }
    }
    plain.truncate(filled);
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

    /// The file with its scrypt stanza's work factor 10 rewritten (the work factor is
    /// checked before the header MAC, so the rest still parses).
    fn with_work_factor(enc: &[u8], n: u8) -> Vec<u8> {
        let text = String::from_utf8_lossy(enc);
        assert!(
            text.contains(" 10\n"),
            "the stanza ends with the work factor"
        );
        text.replacen(" 10\n", &format!(" {n}\n"), 1).into_bytes()
    }

    #[test]
    fn excessive_work_is_refused_from_the_header() {
        let plain = SecretBytes::new(b"x".to_vec());
        let enc = encrypt(&plain, &pass("p"), Some(10)).unwrap();
        assert_eq!(header_work_factor(&enc), Some(10));
        for n in [21, 22, 30, 63] {
            let bad = with_work_factor(&enc, n);
            assert_eq!(header_work_factor(&bad), Some(n));
            let err = decrypt(&bad, &pass("p")).unwrap_err();
            assert_eq!(
                err,
                AtRestError::WorkFactorTooHigh {
                    required: n,
                    limit: MAX_WORK_FACTOR
                }
            );
            assert!(err.to_string().contains("limit of 20"), "{err}");
        }
        // A number too large for a byte is refused the same way.
        let huge = String::from_utf8_lossy(&enc)
            .replacen(" 10\n", " 999\n", 1)
            .into_bytes();
        assert_eq!(header_work_factor(&huge), Some(u8::MAX));
        assert!(matches!(
            decrypt(&huge, &pass("p")),
            Err(AtRestError::WorkFactorTooHigh { .. })
        ));
        // At the limit, the file is not refused for its work factor (here the MAC
        // fails, since the header was edited).
        let at_limit = with_work_factor(&enc, MAX_WORK_FACTOR);
        assert_eq!(header_work_factor(&at_limit), Some(MAX_WORK_FACTOR));
    }

    #[test]
    fn the_work_factor_is_found_in_armored_files() {
        let plain = SecretBytes::new(b"x".to_vec());
        let enc = with_work_factor(&encrypt(&plain, &pass("p"), Some(10)).unwrap(), 30);
        let mut armored = Vec::new();
        let mut w =
            age::armor::ArmoredWriter::wrap_output(&mut armored, age::armor::Format::AsciiArmor)
                .unwrap();
        w.write_all(&enc).unwrap();
        w.finish().unwrap();
        assert!(armored.starts_with(ARMOR_MAGIC));
        assert_eq!(header_work_factor(&armored), Some(30));
        assert!(matches!(
            decrypt(&armored, &pass("p")),
            Err(AtRestError::WorkFactorTooHigh { required: 30, .. })
        ));
        assert_eq!(header_work_factor(b"{\"version\":2}"), None);
    }
}
