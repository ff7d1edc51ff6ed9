//! UR texts of type `bytes` (BCR-2020-005 and -006): the message as a CBOR byte
//! string, in one single-part UR (`ur:bytes/<bytewords>`) or cut into fountain-coded
//! multipart frames (`ur:bytes/SEQ-COUNT/<bytewords>`).

use crate::Error;

/// The only UR type we read and write.
pub const UR_TYPE: &str = "bytes";
/// The largest number of fragments accepted in a frame (a 5-of-9 FINALIZE needs ~500).
pub const MAX_FRAGMENTS: usize = 1 << 16;
/// The largest message accepted, in bytes: bounds what a forged frame can make us hold.
pub const MAX_MESSAGE: usize = 16 << 20;

/// `message` as a CBOR byte string (major type 2, shortest length header).
pub fn to_cbor(message: &[u8]) -> Vec<u8> {
    let n = message.len();
    let mut out = Vec::with_capacity(n + 9);
    if n < 24 {
        out.push(0x40 | n as u8);
    } else if n <= 0xff {
        out.extend([0x58, n as u8]);
    } else if n <= 0xffff {
        out.push(0x59);
        out.extend((n as u16).to_be_bytes());
    } else if n <= 0xffff_ffff {
        out.push(0x5a);
        out.extend((n as u32).to_be_bytes());
    } else {
        out.push(0x5b);
        out.extend((n as u64).to_be_bytes());
    }
    out.extend_from_slice(message);
    out
}

/// The content of a CBOR byte string that fills `payload` exactly, if it is one.
pub fn from_cbor(payload: &[u8]) -> Option<&[u8]> {
    let (&first, rest) = payload.split_first()?;
    if first >> 5 != 2 {
        return None;
    }
    let (len, body) = match first & 0x1f {
        n @ 0..=23 => (u64::from(n), rest),
        24 => (u64::from(*rest.first()?), rest.get(1..)?),
        25 => (
            u64::from(u16::from_be_bytes(rest.get(..2)?.try_into().ok()?)),
            rest.get(2..)?,
        ),
        26 => (
            u64::from(u32::from_be_bytes(rest.get(..4)?.try_into().ok()?)),
            rest.get(4..)?,
        ),
        27 => (
            u64::from_be_bytes(rest.get(..8)?.try_into().ok()?),
            rest.get(8..)?,
        ),
        _ => return None,
    };
    (body.len() as u64 == len).then_some(body)
}

/// Bytes of a CBOR unsigned integer of this value (for size estimates).
pub fn cbor_uint_len(v: u64) -> usize {
    match v {
        0..=23 => 1,
        24..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xffff_ffff => 5,
        _ => 9,
    }
}

/// One fountain part, checked for consistency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub sequence: u32,
    pub count: usize,
    /// Length of the whole UR payload (the CBOR byte string), in bytes.
    pub payload_len: usize,
    /// CRC-32 of the whole payload.
    pub checksum: u32,
    /// The fragments XORed into `data`, by index.
    pub indexes: Vec<usize>,
    pub data: Vec<u8>,
}

/// What one frame text holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A whole message (single-part UR), already taken out of its CBOR byte string.
    Single(Vec<u8>),
    /// One part of a multipart UR.
    Part(Part),
}

fn damaged(why: impl std::fmt::Display) -> Error {
    Error::Damaged(why.to_string())
}

/// Parses one scanned text (any case).
pub fn parse(text: &str) -> Result<Frame, Error> {
    let text = text.trim().to_ascii_lowercase();
    let rest = text.strip_prefix("ur:").ok_or(Error::NotUr)?;
    let (ur_type, rest) = rest.split_once('/').ok_or(Error::NotUr)?;
    if ur_type != UR_TYPE {
        let shown: String = ur_type
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .take(40)
            .collect();
        return Err(Error::OtherType(shown));
    }
    match rest.rsplit_once('/') {
        None => {
            let payload =
                ur::bytewords::decode(rest, ur::bytewords::Style::Minimal).map_err(damaged)?;
            from_cbor(&payload)
                .map(|m| Frame::Single(m.to_vec()))
                .ok_or(Error::NotCborBytes)
        }
        Some((indices, words)) => {
            let (seq, count) = indices
                .split_once('-')
                .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<usize>().ok()?)))
                .ok_or_else(|| damaged("bad SEQ-COUNT"))?;
            let cbor =
                ur::bytewords::decode(words, ur::bytewords::Style::Minimal).map_err(damaged)?;
            let part = parse_part(&cbor)?;
            if part.sequence != seq || part.count != count {
                return Err(damaged("SEQ-COUNT differs from the part inside"));
            }
            Ok(Frame::Part(part))
        }
    }
}

fn parse_part(cbor: &[u8]) -> Result<Part, Error> {
    let mut d = minicbor::Decoder::new(cbor);
    let header = (|| -> Result<_, minicbor::decode::Error> {
        if d.array()? != Some(5) {
            return Err(minicbor::decode::Error::message("not a 5-item array"));
        }
        Ok((d.u32()?, d.u32()?, d.u32()?, d.u32()?, d.bytes()?.to_vec()))
    })();
    let (sequence, count, payload_len, checksum, data) = header.map_err(damaged)?;
    let (count, payload_len) = (count as usize, payload_len as usize);
    let frag = data.len();
    if sequence == 0
        || count == 0
        || count > MAX_FRAGMENTS
        || frag == 0
        || payload_len == 0
        || payload_len > MAX_MESSAGE
        || payload_len > count * frag
        || payload_len <= (count - 1) * frag
    {
        return Err(damaged("inconsistent part header"));
    }
    // The fragment choice is the reference algorithm's (Xoshiro256 seeded from the
    // sequence number and checksum), computed by the `ur` crate.
    let indexes = minicbor::decode::<ur::fountain::Part>(cbor)
        .map_err(damaged)?
        .indexes();
    if indexes.iter().any(|&i| i >= count) {
        return Err(damaged("fragment index out of range"));
    }
    Ok(Part {
        sequence,
        count,
        payload_len,
        checksum,
        indexes,
        data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbor_byte_strings_round_trip_at_every_header_size() {
        for n in [0usize, 1, 23, 24, 255, 256, 65_535, 65_536] {
            let m: Vec<u8> = (0..n).map(|i| i as u8).collect();
            let c = to_cbor(&m);
            assert_eq!(from_cbor(&c), Some(&m[..]), "{n}");
            if n > 0 {
                assert_eq!(from_cbor(&c[..c.len() - 1]), None, "truncated {n}");
            }
        }
        assert_eq!(to_cbor(b"data"), b"\x44data");
        assert_eq!(
            from_cbor(b"\x01\x02"),
            None,
            "a raw message is not CBOR bytes"
        );
        assert_eq!(from_cbor(b"\x45data"), None, "length must match");
    }

    #[test]
    fn other_types_and_garbage_are_named() {
        assert!(matches!(parse("hello"), Err(Error::NotUr)));
        assert!(matches!(parse("UR:CYTES/1-3/LPADAX"), Err(Error::OtherType(t)) if t == "cytes"));
        assert!(
            matches!(parse("ur:crypto-psbt/aeadae"), Err(Error::OtherType(t)) if t == "crypto-psbt")
        );
        // ur:bytes/<"data" as raw bytes, no CBOR header>: not a byte string.
        let raw = ur::ur::encode(b"\x01\x02\x03", &ur::Type::Bytes);
        assert!(matches!(parse(&raw), Err(Error::NotCborBytes)));
        let ok = ur::ur::encode(&to_cbor(b"\x01\x02\x03"), &ur::Type::Bytes);
        assert_eq!(
            parse(&ok.to_uppercase()).unwrap(),
            Frame::Single(vec![1, 2, 3])
        );
        assert!(matches!(
            parse("ur:bytes/1-2/lpadao"),
            Err(Error::Damaged(_))
        ));
    }
}
