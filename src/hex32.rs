//! A 32-byte value (MRENCLAVE, MRSIGNER, an identity key, a line hash) as a person
//! types it: 64 hexadecimal digits, either case, with spaces around them allowed. The
//! one parser of that form; each caller words its own error.

/// The 32 bytes written as 64 hex digits in `text` (trimmed), or `None`.
pub fn parse(text: &str) -> Option<[u8; 32]> {
    hex::decode(text.trim()).ok()?.try_into().ok()
}

#[cfg(test)]
#[path = "hex32_tests.rs"]
mod tests;
