//! The sanitiser over every code point: what it escapes is exactly the categories
//! Cc, Cf, Co, Cs, Cn, Zl and Zp, everything else passes unchanged, and the output
//! reads back to the input.

use proptest::prelude::*;
use unicode_general_category::get_general_category;

use super::*;

/// The categories escaped, spelled as their abbreviations (independently of the
/// variant names `is_unsafe` matches).
const ESCAPED: [&str; 7] = ["Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"];

/// Reads a sanitised string back: `\\` is a backslash, `\u{HEX}` the character
/// HEX; anything else after a backslash is not something `sanitize` writes.
fn unescape(s: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '\\' => out.push('\\'),
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let hex: String = chars.by_ref().take_while(|c| *c != '}').collect();
                if hex.len() < 4 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return None;
                }
                let ch = char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?;
                // Only escaped characters are ever written as escapes.
                if !is_unsafe(ch) {
                    return None;
                }
                out.push(ch);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn all_chars() -> impl Iterator<Item = char> {
    (0..=u32::from(char::MAX)).filter_map(char::from_u32)
}

#[test]
fn every_code_point_is_escaped_by_its_category_alone() {
    let mut escaped = 0usize;
    let mut passed = 0usize;
    for c in all_chars() {
        let out = sanitize(c.encode_utf8(&mut [0; 4]));
        let category = get_general_category(c).abbreviation();
        if c == '\\' {
            assert_eq!(out, "\\\\");
        } else if ESCAPED.contains(&category) {
            assert_eq!(
                out,
                format!("\\u{{{:04X}}}", u32::from(c)),
                "{c:?} ({category})"
            );
            escaped += 1;
        } else {
            assert_eq!(
                out,
                c.to_string(),
                "U+{:04X} ({category}) was changed",
                u32::from(c)
            );
            passed += 1;
        }
        // No character of those categories ever reaches the output.
        assert!(
            out.chars()
                .all(|o| !ESCAPED.contains(&get_general_category(o).abbreviation())),
            "U+{:04X} gave {out:?}",
            u32::from(c)
        );
        assert_eq!(
            unescape(&out).as_deref(),
            Some(c.encode_utf8(&mut [0; 4]) as &str)
        );
        // std's own idea of a control character is included.
        if c.is_control() {
            assert!(is_unsafe(c), "{c:?}");
        }
    }
    // Both sides are large: the test looked at real categories, not an empty table.
    assert!(
        escaped > 900_000 && passed > 150_000,
        "{escaped} escaped, {passed} passed"
    );
    assert_eq!(UNICODE_VERSION, (16, 0, 0));
}

#[test]
fn the_characters_the_hand_list_missed_are_escaped() {
    let listed = [0x061C, 0x00AD, 0x180E]
        .into_iter()
        .chain(0x206A..=0x206F)
        .chain(0xFFF9..=0xFFFB)
        .chain(0xE0000..=0xE007F)
        // And those the hand list had.
        .chain([
            0x1B, 0x7F, 0x9B, 0x200B, 0x200F, 0x2028, 0x2029, 0x202E, 0x2066, 0xFEFF,
        ]);
    for u in listed {
        let c = char::from_u32(u).unwrap();
        assert_eq!(
            sanitize(&format!("a{c}b")),
            format!("a\\u{{{u:04X}}}b"),
            "U+{u:04X}"
        );
    }
    assert_eq!(sanitize("\u{E0041}"), "\\u{E0041}");
    assert_eq!(sanitize("\u{F8FF}\u{10FFFF}"), "\\u{F8FF}\\u{10FFFF}");
}

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
fn reordering_characters_are_escaped_and_text_is_kept() {
    assert_eq!(sanitize("a\u{202E}b\u{2066}c"), "a\\u{202E}b\\u{2066}c");
    assert_eq!(
        sanitize("é ü 日本 ١٢٣ 🙂 e\u{301}"),
        "é ü 日本 ١٢٣ 🙂 e\u{301}"
    );
    // A backslash cannot fake an escape.
    assert_eq!(sanitize("\\u{001B}"), "\\\\u{001B}");
    assert_eq!(
        unescape(&sanitize("\\u{001B}")).as_deref(),
        Some("\\u{001B}")
    );
}

#[test]
fn invalid_utf8_is_shown_as_bytes() {
    assert_eq!(sanitize_bytes(b"ab\xff\x1bc"), "ab\\xFF\\u{001B}c");
    assert_eq!(
        sanitize_bytes(b"\xe2\x80\xae\xed\xa0\x80"),
        "\\u{202E}\\xED\\xA0\\x80"
    );
}

proptest! {
    #[test]
    fn any_text_reads_back(s in any::<String>(), tail in "[\\\\u{}0-9A-F\u{202E}\u{E0001}]{0,16}") {
        let text = format!("{s}{tail}");
        let out = sanitize(&text);
        prop_assert!(!out.chars().any(is_unsafe));
        prop_assert_eq!(unescape(&out), Some(text));
    }
}
