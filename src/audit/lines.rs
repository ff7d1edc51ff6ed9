//! A log read line by line with bounded memory: one line at a time, never more than
//! [`MAX_RECORD_LEN`] bytes of it. A longer line is skipped without being kept, so a
//! file of any content (one line of a gigabyte, NUL bytes, invalid UTF-8) costs at
//! most one record's worth of memory.

use std::io::{self, BufRead, Read};

/// The longest line that can be a record, in bytes (without its newline).
///
/// The largest record this tool writes is an initiator's: its SIGN-INIT and every
/// SIGN-PARTIAL and ABORT it accepted, in text form (base64, 4/3 of the bytes). All
/// the partials of one signing are at most the shares of the other parties, which
/// keygen caps with the whole KEYGEN-FINALIZE at 8 MiB (`protocol::MAX_MESSAGE_LEN`),
/// so about 11 MiB of text plus the record's own fields. A longer line is refused
/// as "not a record", and [`super::log::append`] never writes one.
pub const MAX_RECORD_LEN: usize = 16 << 20;

/// One line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLine {
    /// 1-based line number.
    pub number: usize,
    /// The line without its newline; empty when it is [`Self::too_long`].
    pub bytes: Vec<u8>,
    /// More than [`MAX_RECORD_LEN`] bytes: skipped, not kept.
    pub too_long: bool,
    /// Whether a newline ended it (only the file's last line may lack one).
    pub complete: bool,
}

/// Reads lines of at most [`MAX_RECORD_LEN`] bytes from `R`.
pub struct LineReader<R> {
    inner: R,
    number: usize,
    limit: usize,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self::with_limit(inner, MAX_RECORD_LEN)
    }

    /// With another line limit (tests use a small one).
    pub fn with_limit(inner: R, limit: usize) -> Self {
        LineReader {
            inner,
            number: 0,
            limit,
        }
    }

    /// The next line, or `None` at the end of the file.
    pub fn next_line(&mut self) -> io::Result<Option<RawLine>> {
        let mut bytes = Vec::new();
        let cap = u64::try_from(self.limit).unwrap_or(u64::MAX).saturating_add(1);
        let n = (&mut self.inner).take(cap).read_until(b'\n', &mut bytes)?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        if bytes.last() == Some(&b'\n') {
            bytes.pop();
            return Ok(Some(RawLine {
                number: self.number,
                bytes,
                too_long: false,
                complete: true,
            }));
        }
        if bytes.len() <= self.limit {
            // The end of the file, without a newline.
            return Ok(Some(RawLine {
                number: self.number,
                bytes,
                too_long: false,
                complete: false,
            }));
        }
        // Too long: skip to the next newline in small pieces, keeping nothing.
        drop(bytes);
        let mut scratch = Vec::with_capacity(64 << 10);
        let complete = loop {
            scratch.clear();
            let n = (&mut self.inner)
                .take(64 << 10)
                .read_until(b'\n', &mut scratch)?;
            if n == 0 {
                break false;
            }
            if scratch.last() == Some(&b'\n') {
                break true;
            }
        };
        Ok(Some(RawLine {
            number: self.number,
            bytes: Vec::new(),
            too_long: true,
            complete,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8], limit: usize) -> Vec<RawLine> {
        let mut r = LineReader::with_limit(input, limit);
        let mut out = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            out.push(l);
        }
        out
    }

    fn line(number: usize, bytes: &[u8], too_long: bool, complete: bool) -> RawLine {
        RawLine {
            number,
            bytes: bytes.to_vec(),
            too_long,
            complete,
        }
    }

    #[test]
    fn lines_and_their_ends() {
        assert_eq!(all(b"", 8), vec![]);
        assert_eq!(
            all(b"ab\n\ncd", 8),
            vec![
                line(1, b"ab", false, true),
                line(2, b"", false, true),
                line(3, b"cd", false, false)
            ]
        );
        // Exactly the limit is a line; one more byte is too long, and the rest of
        // that line is skipped up to its newline.
        assert_eq!(
            all(b"12345678\n123456789abc\nx\n123456789", 8),
            vec![
                line(1, b"12345678", false, true),
                line(2, b"", true, true),
                line(3, b"x", false, true),
                line(4, b"", true, false)
            ]
        );
        // NUL bytes and invalid UTF-8 are bytes like any other.
        assert_eq!(all(b"\0\xff\n", 8), vec![line(1, b"\0\xff", false, true)]);
    }

    #[test]
    fn a_long_line_is_skipped_across_many_reads() {
        let mut input = vec![b'a'; 300_000];
        input.push(b'\n');
        input.extend_from_slice(b"ok\n");
        let got = all(&input, 1000);
        assert_eq!(
            got,
            vec![line(1, b"", true, true), line(2, b"ok", false, true)]
        );
    }
}
