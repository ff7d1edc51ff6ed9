//! A log read line by line with bounded memory: one line at a time, into one
//! buffer reused for every line, never more than [`MAX_RECORD_LEN`] bytes of it. A
//! longer line is skipped without being kept, so a file of any content (one line of
//! a gigabyte, NUL bytes, invalid UTF-8) costs at most one record's worth of memory.

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

/// One line of the file, in the reader's buffer (the next line replaces it).
#[derive(Debug, PartialEq, Eq)]
pub struct RawLine<'a> {
    /// 1-based line number.
    pub number: usize,
    /// The line without its newline; empty when it is [`Self::too_long`]. The
    /// caller may change it (a record is parsed in place).
    pub bytes: &'a mut Vec<u8>,
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
    buf: Vec<u8>,
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
            buf: Vec::new(),
        }
    }

    /// The number of the last line read.
    pub fn number(&self) -> usize {
        self.number
    }

    /// Consumes the empty lines that come next (a run of newlines) without
    /// handing them out one by one; returns how many there were.
    pub fn skip_newlines(&mut self) -> io::Result<usize> {
        let mut count = 0usize;
        loop {
            let buf = self.inner.fill_buf()?;
            let len = buf.len();
            let k = buf.iter().position(|b| *b != b'\n').unwrap_or(len);
            self.inner.consume(k);
            count += k;
            if k == 0 || k < len {
                break;
            }
        }
        self.number += count;
        Ok(count)
    }

    /// The next line, or `None` at the end of the file.
    pub fn next_line(&mut self) -> io::Result<Option<RawLine<'_>>> {
        self.buf.clear();
        let cap = u64::try_from(self.limit)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let n = (&mut self.inner)
            .take(cap)
            .read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.number += 1;
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
            return Ok(Some(RawLine {
                number: self.number,
                bytes: &mut self.buf,
                too_long: false,
                complete: true,
            }));
        }
        if self.buf.len() <= self.limit {
            // The end of the file, without a newline.
            return Ok(Some(RawLine {
                number: self.number,
                bytes: &mut self.buf,
                too_long: false,
                complete: false,
            }));
        }
        // Too long: skip to the next newline in small pieces, keeping nothing.
        self.buf.clear();
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
            bytes: &mut self.buf,
            too_long: true,
            complete,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Owned = (usize, Vec<u8>, bool, bool);

    fn all(input: &[u8], limit: usize) -> Vec<Owned> {
        let mut r = LineReader::with_limit(input, limit);
        let mut out = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            out.push((l.number, l.bytes.clone(), l.too_long, l.complete));
        }
        out
    }

    fn line(number: usize, bytes: &[u8], too_long: bool, complete: bool) -> Owned {
        (number, bytes.to_vec(), too_long, complete)
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
    fn runs_of_newlines_are_counted_not_handed_out() {
        let mut input = vec![b'\n'; 200_000];
        input.extend_from_slice(b"ab\n\n");
        let mut r = LineReader::with_limit(std::io::BufReader::with_capacity(1000, &input[..]), 8);
        assert_eq!(r.skip_newlines().unwrap(), 200_000);
        assert_eq!(r.skip_newlines().unwrap(), 0);
        let l = r.next_line().unwrap().unwrap();
        assert_eq!((l.number, l.bytes.as_slice()), (200_001, &b"ab"[..]));
        assert_eq!(r.skip_newlines().unwrap(), 1);
        assert_eq!(r.number(), 200_002);
        assert!(r.next_line().unwrap().is_none());
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
