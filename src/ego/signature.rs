//! An outside signer's RSA-3072 signature as `finish` reads it: 384 raw big-endian
//! bytes, hex, or base64 (standard or URL-safe, padded or not), as `openssl`, an HSM,
//! AWS KMS and Azure Key Vault write it.

use crate::key::MODULUS_BYTES;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the signature is {found}: expected {MODULUS_BYTES} raw bytes, 768 hex digits or base64 of {MODULUS_BYTES} bytes (a truncated or partial file?)")]
    Length { found: String },
    #[error("the signature is empty")]
    Empty,
}

/// How a signature file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureEncoding {
    Raw,
    Hex,
    Base64,
}

impl std::fmt::Display for SignatureEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureEncoding::Raw => "raw bytes",
            SignatureEncoding::Hex => "hex",
            SignatureEncoding::Base64 => "base64",
        })
    }
}

/// Reads an RSA-3072 signature written as 384 raw big-endian bytes, as hex (768
/// digits, whitespace and a `0x` prefix allowed), or as base64 (standard or URL-safe,
/// padded or not, as AWS KMS and Azure Key Vault return it).
pub fn decode_signature(
    bytes: &[u8],
) -> Result<([u8; MODULUS_BYTES], SignatureEncoding), SignatureError> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine;
    if bytes.is_empty() {
        return Err(SignatureError::Empty);
    }
    if let Ok(raw) = <[u8; MODULUS_BYTES]>::try_from(bytes) {
        return Ok((raw, SignatureEncoding::Raw));
    }
    let text: String = match std::str::from_utf8(bytes) {
        Ok(t) => t.chars().filter(|c| !c.is_whitespace()).collect(),
        Err(_) => {
            return Err(SignatureError::Length {
                found: format!("{} raw bytes", bytes.len()),
            })
        }
    };
    let text = text.strip_prefix("0x").unwrap_or(&text);
    if text.is_empty() {
        return Err(SignatureError::Empty);
    }
    if text.bytes().all(|b| b.is_ascii_hexdigit()) && text.len() % 2 == 0 {
        let v = hex::decode(text).unwrap_or_default();
        return <[u8; MODULUS_BYTES]>::try_from(v.as_slice())
            .map(|a| (a, SignatureEncoding::Hex))
            .map_err(|_| SignatureError::Length {
                found: format!("{} hex digits ({} bytes)", text.len(), v.len()),
            });
    }
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        if let Ok(v) = engine.decode(text) {
            return <[u8; MODULUS_BYTES]>::try_from(v.as_slice())
                .map(|a| (a, SignatureEncoding::Base64))
                .map_err(|_| SignatureError::Length {
                    found: format!("base64 of {} bytes", v.len()),
                });
        }
    }
    Err(SignatureError::Length {
        found: format!("{} bytes that are neither hex nor base64", bytes.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn signature_encodings() {
        let mut raw = [0u8; MODULUS_BYTES];
        for (i, b) in raw.iter_mut().enumerate() {
            *b = (i * 7 + 1) as u8;
        }
        assert_eq!(
            decode_signature(&raw).unwrap(),
            (raw, SignatureEncoding::Raw)
        );
        let hex_text = format!("{}\n", hex::encode_upper(raw));
        assert_eq!(
            decode_signature(hex_text.as_bytes()).unwrap(),
            (raw, SignatureEncoding::Hex)
        );
        for engine in [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let b64 = format!("{}\n", engine.encode(raw));
            assert_eq!(
                decode_signature(b64.as_bytes()).unwrap(),
                (raw, SignatureEncoding::Base64)
            );
        }
        let err = decode_signature(&raw[..383]).unwrap_err();
        assert!(err.to_string().contains("383 raw bytes"), "{err}");
        let err = decode_signature(hex::encode(&raw[..300]).as_bytes()).unwrap_err();
        assert!(err.to_string().contains("600 hex digits"), "{err}");
        let short_b64 = base64::engine::general_purpose::STANDARD.encode(&raw[..200]);
        let err = decode_signature(short_b64.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("base64 of 200 bytes"), "{err}");
        assert_eq!(decode_signature(b""), Err(SignatureError::Empty));
    }
}
