//! Pasted text: each outgoing message is one line on stdout (data), every prompt and
//! note goes to stderr; incoming messages are read a line at a time from stdin.
//!
//! Input is hostile: a line is read with a bound ([`MAX_LINE_LEN`]), so an endless
//! line never sits in memory, and a line that is too long or not UTF-8 is reported as
//! unreadable (one line on stderr) while the ceremony goes on.

use std::io::{BufRead, Read, Write};

use mpcegosign::protocol::text;
use mpcegosign::transport::{Transport, TransportError};

/// The longest accepted line: the largest message in text form, with room for the
/// spaces a chat client may insert (see `protocol::text::MAX_LINE_LEN`).
pub use mpcegosign::protocol::text::MAX_LINE_LEN;

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

    use super::*;

    #[test]
    fn the_largest_message_fits_the_bound() {
        let largest = vec![2u8; mpcegosign::protocol::MAX_MESSAGE_LEN];
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
