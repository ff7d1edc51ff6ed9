//! The one sanitiser for text that came from another party (an ABORT reason, a
//! field of a file or image someone else made) before it reaches a terminal.
//!
//! Control characters (C0, DEL, C1), and the Unicode characters that reorder or hide
//! text (bidirectional overrides and isolates, zero-width joiners, line and paragraph
//! separators), are shown as `\u{XXXX}` escapes, so a forged message can neither move
//! the cursor, clear a line, nor print a fake line of its own.

use std::fmt::Write;

/// Whether `c` must not reach a terminal as it is.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}'   // zero-width characters, LRM/RLM
            | '\u{2028}' | '\u{2029}' // line and paragraph separators
            | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{FEFF}'              // zero-width no-break space
        )
}

/// `text` with every unsafe character escaped; a backslash is doubled so that an
/// escape in the output always comes from this function.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\\' {
            out.push_str("\\\\");
        } else if is_unsafe(c) {
            // Writing to a String cannot fail.
            let _ = write!(out, "\\u{{{:04X}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Like [`sanitize`], for bytes that may not be UTF-8: invalid sequences become
/// `\u{FFFD}`-free `\xNN` escapes.
pub fn sanitize_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(&sanitize(chunk.valid()));
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped() {
        let evil = "ok\x1b[2K\rVerified and wrote /tmp/x\nnext\u{7f}\u{9b}";
        let s = sanitize(evil);
        assert!(!s.chars().any(|c| c.is_control()), "{s}");
        assert_eq!(
            s,
            "ok\\u{001B}[2K\\u{000D}Verified and wrote /tmp/x\\u{000A}next\\u{007F}\\u{009B}"
        );
    }

    #[test]
    fn reordering_characters_are_escaped() {
        assert_eq!(sanitize("a\u{202E}b\u{2066}c"), "a\\u{202E}b\\u{2066}c");
        assert_eq!(sanitize("é ü 日本"), "é ü 日本");
        // A backslash cannot fake an escape.
        assert_eq!(sanitize("\\u{001B}"), "\\\\u{001B}");
    }

    #[test]
    fn invalid_utf8_is_shown_as_bytes() {
        assert_eq!(sanitize_bytes(b"ab\xff\x1bc"), "ab\\xFF\\u{001B}c");
    }
}
