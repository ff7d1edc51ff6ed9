//! Pasted text: each outgoing message is one line on stdout (data), every prompt and
//! note goes to stderr; incoming messages are read a line at a time from stdin.
//!
//! Input is hostile: a line is read with a bound ([`MAX_LINE_LEN`]), so an endless
//! line never sits in memory, and a line that is too long or not UTF-8 is reported as
//! unreadable (one line on stderr) while the ceremony goes on.

use std::io::{BufRead, Read, Write};

use mpcegosign::protocol::text;
use mpcegosign::protocol::SESSION_LEN;
use mpcegosign::threshold::MAX_PARTIES;
use mpcegosign::transport::{Transport, TransportError};

/// Bytes of an RSA-3072 modulus or sub-share in a message.
const NUMBER_LEN: usize = 384;

/// n choose k, for the sub-share counts (n ≤ 16, so no overflow).
const fn binomial(n: usize, k: usize) -> usize {
    let mut r = 1;
    let mut i = 0;
    while i < k {
        r = r * (n - i) / (i + 1);
        i += 1;
    }
    r
}

/// Binary length of a KEYGEN-FINALIZE for `n` parties and threshold `t`: header
/// (version, type, session), parties, threshold, modulus, n X25519 keys, the count,
/// then per joiner its party, nonce, u32 length and AES-GCM ciphertext (the compact
/// share: party, u16 count, then per sub-share a u16 subset and 384 value bytes; and
/// the 16-byte tag). Mirrors `protocol::messages` and `ceremony::seal`.
pub const fn finalize_len(n: usize, t: usize) -> usize {
    let sealed = 3 + binomial(n - 1, t - 1) * (2 + NUMBER_LEN) + 16;
    2 + SESSION_LEN + 2 + NUMBER_LEN + 32 * n + 1 + (n - 1) * (1 + 12 + 4 + sealed)
}

/// The largest legal message: a KEYGEN-FINALIZE, the biggest over every scheme.
/// With 16 parties and threshold 8 or 9, each joiner holds C(15, 7) = 6435 sub-shares:
/// about 37 MB in binary.
pub const MAX_MESSAGE_LEN: usize = {
    let n = MAX_PARTIES as usize;
    let mut best = 0;
    let mut t = 2;
    while t <= n {
        let len = finalize_len(n, t);
        if len > best {
            best = len;
        }
        t += 1;
    }
    best
};

/// The longest accepted line: the largest message in text form (prefix, base64url of
/// the message and its 4-byte checksum) plus an eighth for the spaces a chat client
/// may insert, and room for a line ending.
pub const MAX_LINE_LEN: usize = {
    let text_len = text::PREFIX.len() + (4 * (MAX_MESSAGE_LEN + 4)).div_ceil(3);
    text_len + text_len / 8 + 64
};

/// One line of input, read with a bound.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line of text, without its line ending.
    Text(String),
    /// The line was longer than the bound; it was read and thrown away.
    TooLong,
    /// The line was not UTF-8 text.
    NotText,
    /// The input ended.
    End,
}

/// Reads one line of at most `max` bytes. A longer line is consumed to its end in
/// small pieces and reported as [`Line::TooLong`]: memory stays bounded by `max`.
pub fn read_bounded_line(input: &mut dyn BufRead, max: usize) -> std::io::Result<Line> {
    let mut line = Vec::new();
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let n = input.take(limit).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(Line::End);
    }
    if line.last() != Some(&b'\n') && line.len() > max {
        drop(line);
        skip_rest_of_line(input)?;
        return Ok(Line::TooLong);
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(match String::from_utf8(line) {
        Ok(s) => Line::Text(s),
        Err(_) => Line::NotText,
    })
}

/// Consumes input up to and including the next newline, 64 KiB at a time.
fn skip_rest_of_line(input: &mut dyn BufRead) -> std::io::Result<()> {
    let mut scratch = Vec::with_capacity(64 * 1024);
    loop {
        scratch.clear();
        let n = input.take(64 * 1024).read_until(b'\n', &mut scratch)?;
        if n == 0 || scratch.last() == Some(&b'\n') {
            return Ok(());
        }
    }
}

pub struct TextTransport;

impl Transport for TextTransport {
    fn send(&mut self, label: &str, message: &[u8]) -> Result<(), TransportError> {
        eprintln!("Post this {label} message to the group (one line):");
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", text::encode(message))
            .and_then(|_| out.flush())
            .map_err(|e| TransportError::Failed(format!("cannot write to standard output: {e}")))
    }

    fn receive(&mut self, expecting: &str) -> Result<Vec<u8>, TransportError> {
        loop {
            eprintln!("Paste {expecting}:");
            let line = read_bounded_line(&mut std::io::stdin().lock(), MAX_LINE_LEN)
                .map_err(|e| TransportError::Failed(format!("cannot read standard input: {e}")))?;
            return match line {
                Line::End => Err(TransportError::Closed),
                Line::Text(t) if t.trim().is_empty() => continue,
                Line::Text(t) => {
                    text::decode(&t).map_err(|e| TransportError::Unreadable(e.to_string()))
                }
                Line::TooLong => Err(TransportError::Unreadable(format!(
                    "unreadable line: it is longer than {MAX_LINE_LEN} bytes, more than any \
                     message; ignored it, paste the message again"
                ))),
                Line::NotText => Err(TransportError::Unreadable(
                    "unreadable line: it is not UTF-8 text; ignored it, paste the message again"
                        .into(),
                )),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use mpcegosign::protocol::{KeygenFinalize, Message, SealedShare, SessionId};

    use super::*;

    fn finalize(n: u8, t: u8) -> Vec<u8> {
        let count = binomial(usize::from(n) - 1, usize::from(t) - 1);
        Message::KeygenFinalize(KeygenFinalize {
            session: SessionId([7; SESSION_LEN]),
            parties: n,
            threshold: t,
            modulus: [1; NUMBER_LEN],
            party_keys: vec![[2; 32]; usize::from(n)],
            shares: (2..=n)
                .map(|party| SealedShare {
                    party,
                    nonce: [3; 12],
                    ciphertext: vec![4; 3 + count * (2 + NUMBER_LEN) + 16],
                })
                .collect(),
        })
        .encode()
    }

    #[test]
    fn the_bound_is_the_largest_finalize() {
        assert_eq!(binomial(15, 7), 6435);
        for (n, t) in [(2, 2), (3, 2), (5, 3), (7, 4)] {
            assert_eq!(finalize(n, t).len(), finalize_len(n.into(), t.into()));
        }
        let largest = finalize(16, 8);
        assert_eq!(largest.len(), MAX_MESSAGE_LEN);
        assert!(largest.len() > 30_000_000, "{}", largest.len());
        let line = text::encode(&largest);
        assert!(line.len() < MAX_LINE_LEN);
        // The largest legal line, read through the bounded reader, decodes.
        let mut input = Cursor::new(format!("{line}\r\n").into_bytes());
        match read_bounded_line(&mut input, MAX_LINE_LEN).unwrap() {
            Line::Text(t) => assert_eq!(text::decode(&t).unwrap(), largest),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn long_and_binary_lines_are_reported_and_skipped() {
        let mut data = vec![b'A'; 100_000];
        data.push(b'\n');
        data.extend_from_slice(b"\xff\xfe bad\n");
        data.extend_from_slice(b"exactly10!\n");
        data.extend_from_slice(b"elevenbytes\n");
        data.extend_from_slice(b"last line without newline");
        let mut input = std::io::BufReader::with_capacity(4096, Cursor::new(data));
        let mut read = || read_bounded_line(&mut input, 11).unwrap();
        assert_eq!(read(), Line::TooLong);
        assert_eq!(read(), Line::NotText);
        assert_eq!(read(), Line::Text("exactly10!".into()));
        assert_eq!(read(), Line::Text("elevenbytes".into()));
        assert_eq!(read(), Line::TooLong);
        assert_eq!(read(), Line::End);
    }
}
