//! The parts of Go's `encoding/json` that EGo's config goes through: decoding with
//! Go's rules (member order kept, last duplicate wins, case-insensitive names, invalid
//! UTF-8 replaced byte by byte) and encoding strings as `json.Marshal` does.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value whose objects keep their members in file order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// A number, as its literal text (Go decides per target type how to read it).
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "bool",
            Json::Number(_) => "number",
            Json::String(_) => "string",
            Json::Array(_) => "array",
            Json::Object(_) => "object",
        }
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(Json::Number(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        // A float literal: mark it so that integer fields refuse it, as Go does.
        Ok(Json::Number(format!("{v:?}")))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Json>()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut members = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, Json>()? {
            members.push((k, v));
        }
        Ok(Json::Object(members))
    }
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

/// Parses JSON bytes as Go's decoder sees them: each byte of invalid UTF-8 becomes
/// U+FFFD first.
///
/// Numbers keep their literal text (`1e3` stays `1e3`, a 20-digit integer keeps its
/// digits), so errors can quote what the file says.
pub(crate) fn parse(bytes: &[u8]) -> Result<Json, serde_json::Error> {
    let text = go_lossy_utf8(bytes);
    let mut json: Json = serde_json::from_str(&text)?;
    let literals = number_literals(&text);
    let mut count = 0;
    count_numbers(&json, &mut count);
    // serde_json visits values in document order, so the n-th number is the n-th
    // literal; the counts agree for every document serde_json accepts.
    if count == literals.len() {
        let mut it = literals.into_iter();
        restore_literals(&mut json, &mut it);
    }
    Ok(json)
}

/// The number literals of a JSON text, in order (strings skipped).
fn number_literals(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            '-' | '0'..='9' => {
                let mut lit = String::from(c);
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_digit() || matches!(n, '.' | 'e' | 'E' | '+' | '-') {
                        lit.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push(lit);
            }
            _ => {}
        }
    }
    out
}

fn count_numbers(j: &Json, n: &mut usize) {
    match j {
        Json::Number(_) => *n += 1,
        Json::Array(items) => items.iter().for_each(|i| count_numbers(i, n)),
        Json::Object(members) => members.iter().for_each(|(_, v)| count_numbers(v, n)),
        _ => {}
    }
}

fn restore_literals(j: &mut Json, lits: &mut impl Iterator<Item = String>) {
    match j {
        Json::Number(v) => {
            if let Some(l) = lits.next() {
                *v = l;
            }
        }
        Json::Array(items) => items.iter_mut().for_each(|i| restore_literals(i, lits)),
        Json::Object(members) => members
            .iter_mut()
            .for_each(|(_, v)| restore_literals(v, lits)),
        _ => {}
    }
}

/// Replaces every byte that does not start a valid UTF-8 sequence with U+FFFD, one
/// replacement per byte, as Go's `utf8.DecodeRune` loop does.
pub(crate) fn go_lossy_utf8(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                out.push('\u{fffd}');
                bytes = rest.get(1..).unwrap_or_default();
            }
        }
    }
}

/// Go's `bytes.EqualFold`-style comparison of a JSON member name with a field name.
pub(crate) fn name_matches(member: &str, field: &str) -> bool {
    fn fold(c: char) -> char {
        match c {
            '\u{212a}' => 'k', // KELVIN SIGN folds to k
            '\u{17f}' => 's',  // LATIN SMALL LETTER LONG S folds to s
            c => c.to_lowercase().next().unwrap_or(c),
        }
    }
    member.chars().count() == field.chars().count()
        && member
            .chars()
            .zip(field.chars())
            .all(|(a, b)| fold(a) == fold(b))
}

/// Appends `s` as a JSON string the way Go's `json.Marshal` writes it (HTML escaping on).
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(s: &str) -> String {
        let mut o = String::new();
        write_string(&mut o, s);
        o
    }

    #[test]
    fn strings_escape_like_go() {
        assert_eq!(enc("a<b>&c"), r#""a\u003cb\u003e\u0026c""#);
        assert_eq!(enc("q\"\\/"), r#""q\"\\/""#);
        assert_eq!(enc("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
        assert_eq!(enc("\u{0}\u{1f}\u{7f}"), "\"\\u0000\\u001f\u{7f}\"");
        assert_eq!(enc("x\u{2028}y\u{2029}"), r#""x\u2028y\u2029""#);
        assert_eq!(enc("é😀"), "\"é😀\"");
    }

    #[test]
    fn invalid_utf8_becomes_one_replacement_per_byte() {
        assert_eq!(go_lossy_utf8(b"a\xe2\x82b"), "a\u{fffd}\u{fffd}b");
        assert_eq!(go_lossy_utf8(b"\xff"), "\u{fffd}");
        assert_eq!(go_lossy_utf8("ok€".as_bytes()), "ok€");
    }

    #[test]
    fn objects_keep_order_and_duplicates() {
        let j = parse(br#"{"b":1,"a":[true,null,"x"],"b":2.5}"#).unwrap();
        let Json::Object(m) = j else {
            panic!("not an object")
        };
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].0, "b");
        assert_eq!(m[2].1, Json::Number("2.5".into()));
    }

    #[test]
    fn numbers_keep_their_literal_text() {
        let j = parse(br#"{"s":"1e5 \" 7","a":[1e3,-0.50,100000000000000000000,2E+2]}"#).unwrap();
        let Json::Object(m) = j else {
            panic!("not an object")
        };
        let Json::Array(a) = &m[1].1 else {
            panic!("not an array")
        };
        let lits: Vec<_> = a
            .iter()
            .map(|v| match v {
                Json::Number(n) => n.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(lits, ["1e3", "-0.50", "100000000000000000000", "2E+2"]);
    }

    #[test]
    fn names_fold_case() {
        assert!(name_matches("HEAPSIZE", "heapSize"));
        assert!(name_matches("\u{212a}ey", "key"));
        assert!(!name_matches("keys", "key"));
    }
}
