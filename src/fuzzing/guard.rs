//! Keeps the `share_age` target fast: an age header whose scrypt work factor lies
//! between the fuzzing limit and the tool's limit would cost up to seconds and
//! gigabytes per input, which says nothing new about our code. Such inputs are
//! skipped; every other input (no scrypt stanza, a small work factor, or one above the
//! tool's limit, which age refuses before any work) goes through.

use std::io::Read;

/// The armored form's first line.
const ARMOR_BEGIN: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// Whether decrypting `bytes` costs at most a work factor of `cheap` (or is refused
/// for exceeding `limit`). Conservative: a scrypt stanza it cannot read is not cheap.
pub(super) fn cheap_scrypt(bytes: &[u8], cheap: u8, limit: u8) -> bool {
    if bytes.trim_ascii_start().starts_with(ARMOR_BEGIN) {
        // What age will parse is the armor's contents: check those.
        let mut plain = Vec::new();
        let mut reader = age::armor::ArmoredReader::new(bytes);
        let mut buf = [0u8; 1024];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => plain.extend_from_slice(&buf[..n]),
            }
        }
        return header_is_cheap(&plain, cheap, limit);
    }
    header_is_cheap(bytes, cheap, limit)
}

/// Whether decrypting `bytes` may reach an scrypt stanza (armored files: maybe).
pub(super) fn mentions_scrypt(bytes: &[u8]) -> bool {
    bytes.trim_ascii_start().starts_with(ARMOR_BEGIN) || bytes.windows(6).any(|w| w == b"scrypt")
}

fn header_is_cheap(bytes: &[u8], cheap: u8, limit: u8) -> bool {
    bytes
        .split(|b| *b == b'\n')
        .filter(|line| line.windows(6).any(|w| w == b"scrypt"))
        .all(|line| line_is_cheap(line, cheap, limit))
}

/// A stanza line `-> scrypt SALT WORK`: WORK must be small, or above the limit.
fn line_is_cheap(line: &[u8], cheap: u8, limit: u8) -> bool {
    let mut tokens = line.split(|b| *b == b' ');
    if !tokens.any(|t| t == b"scrypt") {
        // "scrypt" inside another token: age does not read it as an scrypt stanza,
        // but stay on the safe side.
        return false;
    }
    let _salt = tokens.next();
    let Some(work) = tokens.next() else {
        // Too few arguments: age refuses the stanza before deriving anything.
        return true;
    };
    if work.is_empty() || work.len() > 3 || !work.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n: u32 = work.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0'));
    n <= u32::from(cheap) || n > u32::from(limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_factors() {
        let file = |w: &str| format!("age-encryption.org/v1\n-> scrypt c2FsdA {w}\nAAAA\n--- x\n");
        assert!(cheap_scrypt(file("2").as_bytes(), 2, 22));
        assert!(!cheap_scrypt(file("3").as_bytes(), 2, 22));
        assert!(!cheap_scrypt(file("22").as_bytes(), 2, 22));
        assert!(cheap_scrypt(file("23").as_bytes(), 2, 22));
        assert!(!cheap_scrypt(file("x2").as_bytes(), 2, 22));
        assert!(!cheap_scrypt(file("0022").as_bytes(), 2, 22));
        assert!(cheap_scrypt(
            b"age-encryption.org/v1\n-> X25519 abc\n",
            2,
            22
        ));
        assert!(!cheap_scrypt(b"-> xscrypt a 30\n", 2, 22));
    }
}
