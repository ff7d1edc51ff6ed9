//! The one-line text form: `mpcegosign2:` followed by unpadded base64url of the
//! message bytes and a 4-byte checksum (the first bytes of their SHA-256).
//! Whitespace inside a pasted line (chat clients wrap long lines) is ignored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::{ProtocolError, VERSION};

pub const PREFIX: &str = "mpcegosign2:";

/// The longest text line that can hold a message: the prefix, base64 of the largest
/// message and its checksum, an eighth more for the spaces and breaks a chat client
/// may insert, and room for a line ending.
pub const MAX_LINE_LEN: usize = {
    let text_len = PREFIX.len() + (4 * (super::MAX_MESSAGE_LEN + CHECKSUM_LEN)).div_ceil(3);
    text_len + text_len / 8 + 64
};
const CHECKSUM_LEN: usize = 4;

fn checksum(bytes: &[u8]) -> [u8; CHECKSUM_LEN] {
    let h = Sha256::digest(bytes);
    [h[0], h[1], h[2], h[3]]
}

/// Text form of an encoded message.
pub fn encode(message: &[u8]) -> String {
    let mut data = message.to_vec();
    data.extend_from_slice(&checksum(message));
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(data))
}

/// Message bytes from a pasted line; the checksum recognises truncation.
pub fn decode(line: &str) -> Result<Vec<u8>, ProtocolError> {
    if line.len() > MAX_LINE_LEN {
        return Err(ProtocolError::TooLong);
    }
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let body = match compact.strip_prefix(PREFIX) {
        Some(b) => b,
        None => {
            // `mpcegosignN:` from another format version.
            if let Some(rest) = compact.strip_prefix("mpcegosign") {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(v) = digits.parse::<u8>() {
                    if v != VERSION && rest[digits.len()..].starts_with(':') {
                        return Err(ProtocolError::Version(v));
                    }
                }
            }
            return Err(ProtocolError::NotAMessage);
        }
    };
    let data = URL_SAFE_NO_PAD.decode(body).map_err(|e| match e {
        // A character that base64url never uses: not a copy of a message.
        base64::DecodeError::InvalidByte(..) => ProtocolError::Encoding,
        // A length or final character that cannot end a message: cut short.
        _ => ProtocolError::Checksum,
    })?;
    if data.len() < CHECKSUM_LEN {
        return Err(ProtocolError::Checksum);
    }
    let (msg, sum) = data.split_at(data.len() - CHECKSUM_LEN);
    if sum != checksum(msg) {
        return Err(ProtocolError::Checksum);
    }
    Ok(msg.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_vector() {
        let t = encode(b"\x01\x02hello");
        // base64url of 01 02 'hello' + first 4 bytes of its SHA-256, frozen.
        assert_eq!(t, "mpcegosign2:AQJoZWxsb8DlUdg");
        assert_eq!(decode(&t).unwrap(), b"\x01\x02hello");
        // Wrapped by a chat client.
        assert_eq!(
            decode("mpcegosign2:AQJoZW\n xsb8DlUdg ").unwrap(),
            b"\x01\x02hello"
        );
    }

    #[test]
    fn damage_is_recognised() {
        let t = encode(&[7u8; 100]);
        assert_eq!(decode(&t[..t.len() - 3]), Err(ProtocolError::Checksum));
        assert_eq!(
            decode(&t[..t.len() - 1]).unwrap_err(),
            ProtocolError::Checksum
        );
        assert_eq!(decode("hello"), Err(ProtocolError::NotAMessage));
        assert_eq!(decode("mpcegosign1:AAAA"), Err(ProtocolError::Version(1)));
        assert_eq!(decode("mpcegosign3:AAAA"), Err(ProtocolError::Version(3)));
        assert_eq!(decode("mpcegosign2:AA*A"), Err(ProtocolError::Encoding));
        let mut flipped = t.clone().into_bytes();
        flipped[20] = if flipped[20] == b'A' { b'B' } else { b'A' };
        assert_eq!(
            decode(&String::from_utf8(flipped).unwrap()),
            Err(ProtocolError::Checksum)
        );
    }
}
