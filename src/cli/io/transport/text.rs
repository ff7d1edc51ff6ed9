//! Pasted text: each outgoing message goes to stdout (data) as one line, or as
//! numbered parts of at most 1,000 characters when it is longer (`protocol::parts`);
//! every prompt and note goes to stderr. Incoming lines are read from stdin through
//! the one reader (`io::terminal::input`); when stdin is a terminal it is read in
//! non-canonical mode (`io::terminal::tty`), so no line length limit of the terminal
//! applies.
//!
//! Input is hostile: a line is read with a bound ([`MAX_LINE_LEN`]), so an endless
//! line never sits in memory, and a line that is too long or not UTF-8 is reported as
//! unreadable (one line on stderr) while the ceremony goes on. Parts are collected
//! by a bounded [`Assembler`]; chatter between them gets a one-line note.

use std::io::Write;

use mpcegosign::protocol::parts::{self, Assembler, Fed, MAX_PART_LINE};
use mpcegosign::protocol::text;
use mpcegosign::transport::{Transport, TransportError};

use crate::cli::io::terminal::bounded_line::Line;
use crate::cli::io::terminal::{input, tty};

/// The longest accepted line: the largest message in text form, with room for the
/// spaces a chat client may insert (see `protocol::text::MAX_LINE_LEN`).
pub use mpcegosign::protocol::text::MAX_LINE_LEN;

#[derive(Default)]
pub struct TextTransport {
    parts: Assembler,
    /// Puts the terminal back as it was when the transport goes away.
    terminal: Option<tty::Restore>,
    /// Whether changing the terminal's mode failed once (said once).
    terminal_failed: bool,
    /// The prompt last shown, while only unreadable lines came after it (chatter
    /// between parts does not repeat the prompt).
    prompted: Option<String>,
}

impl TextTransport {
    pub fn new() -> Self {
        Self::default()
    }

    /// Turns the terminal's line limit off, once, if stdin is a terminal.
    fn read_terminal_whole_lines(&mut self) {
        match tty::enter_noncanonical() {
            Ok(true) if self.terminal.is_none() => self.terminal = Some(tty::Restore),
            Ok(_) => {}
            Err(e) if !self.terminal_failed => {
                self.terminal_failed = true;
                eprintln!("mpcegosign: cannot change the terminal's mode ({e}); a pasted line longer than 4,095 bytes may arrive cut");
            }
            Err(_) => {}
        }
    }

    /// Takes one part line: the whole message when it completes one.
    fn part(&mut self, line: &str) -> Result<Option<Vec<u8>>, TransportError> {
        let fed = parts::parse(line).and_then(|p| self.parts.feed(p));
        for id in self.parts.take_evicted() {
            eprintln!("mpcegosign: dropped the parts of message {id} collected so far: too many messages at once; paste them again");
        }
        let fed = fed.map_err(|e| TransportError::Unreadable(e.to_string()))?;
        let again = if matches!(fed, Fed::Repeat { .. }) {
            " again (already in)"
        } else {
            ""
        };
        match fed {
            Fed::Whole { id, message } => {
                eprintln!("Message {id} is whole and its checksum verifies.");
                Ok(Some(message))
            }
            Fed::Progress {
                id,
                index,
                count,
                have,
            }
            | Fed::Repeat {
                id,
                index,
                count,
                have,
            } => {
                eprintln!(
                    "Part {index} of {count} of message {id}{again}; {} to go.",
                    count - have
                );
                Ok(None)
            }
        }
    }
}

impl Transport for TextTransport {
    fn send(&mut self, label: &str, message: &[u8]) -> Result<(), TransportError> {
        let lines = parts::split(message);
        if lines.len() == 1 {
            eprintln!("Post this {label} message to the group (one line):");
        } else {
            eprintln!(
                "Post this {label} message to the group as {} parts: each line below is one chat message (at most {} characters); post every part, in any order.",
                lines.len(),
                MAX_PART_LINE
            );
        }
        let mut out = std::io::stdout().lock();
        lines
            .iter()
            .try_for_each(|l| writeln!(out, "{l}"))
            .and_then(|_| out.flush())
            .map_err(|e| TransportError::Failed(format!("cannot write to standard output: {e}")))
    }

    fn receive(&mut self, expecting: &str) -> Result<Vec<u8>, TransportError> {
        self.read_terminal_whole_lines();
        if self.prompted.as_deref() != Some(expecting) {
            eprintln!("Paste {expecting} (all its parts, if it has several):");
            self.prompted = Some(expecting.to_string());
        }
        let got = self.receive_line();
        if !matches!(got, Err(TransportError::Unreadable(_))) {
            self.prompted = None;
        }
        got
    }
}

impl TextTransport {
    /// Reads lines until one is a message, completes one, or is unreadable.
    fn receive_line(&mut self) -> Result<Vec<u8>, TransportError> {
        loop {
            let line = input::read_line(MAX_LINE_LEN)
                .map_err(|e| TransportError::Failed(format!("cannot read standard input: {e}")))?;
            return match line {
                Line::End => Err(TransportError::Closed),
                Line::Text(t) if t.trim().is_empty() => continue,
                Line::Text(t) if parts::is_part(&t) => match self.part(&t)? {
                    Some(message) => Ok(message),
                    None => continue,
                },
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
    use crate::cli::io::terminal::bounded_line::read_bounded_line;

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
}
