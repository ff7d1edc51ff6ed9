//! One line of input read with a bound: a line longer than the bound is consumed
//! in small pieces and reported, so an endless line never sits in memory.

use std::io::{BufRead, Read};

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

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;

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
