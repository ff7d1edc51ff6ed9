//! The one sanitiser for text that came from another party (an ABORT reason, a
//! field of a file or image someone else made) before it reaches a terminal.
//!
//! A character is escaped by its Unicode general category, not by a hand list: every
//! character of the categories Cc (controls: C0, DEL, C1), Cf (format: bidirectional
//! overrides and isolates, zero-width characters, soft hyphen, Arabic letter mark,
//! Mongolian vowel separator, deprecated format characters, interlinear annotation,
//! tag characters…), Co (private use), Cs (surrogates), Cn (unassigned in the
//! table), Zl (line separator) and Zp (paragraph separator) is shown as a
//! `\u{XXXX}` escape (upper-case hex, at least 4 digits). So a forged message can
//! neither move the cursor, clear a line, hide or reorder text, nor print a fake
//! line of its own. Every other character passes unchanged, and a backslash is
//! doubled, so the output reads back to the input unambiguously: `\\` is a
//! backslash, `\u{…}` an escaped character, and nothing else starts with `\`.
//!
//! The category table is the `unicode-general-category` crate's, Unicode 16.0.0
//! ([`UNICODE_VERSION`]). A character assigned in a later Unicode version is Cn
//! there, so it is escaped until the table catches up (the safe direction).

use std::fmt::Write;

use unicode_general_category::{get_general_category, GeneralCategory};

/// The Unicode version of the category table (major, minor, update).
pub const UNICODE_VERSION: (u64, u64, u64) = unicode_general_category::UNICODE_VERSION;

/// Whether `c` must not reach a terminal as it is: its general category is Cc, Cf,
/// Co, Cs, Cn, Zl or Zp.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::Format
            | GeneralCategory::PrivateUse
            | GeneralCategory::Surrogate
            | GeneralCategory::Unassigned
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
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
mod tests;
