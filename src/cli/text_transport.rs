//! Pasted text: each outgoing message is one line on stdout (data), every prompt and
//! note goes to stderr; incoming messages are read a line at a time from stdin.

use std::io::{BufRead, Write};

use mpcegosign::protocol::text;
use mpcegosign::transport::{Transport, TransportError};

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
            let mut line = String::new();
            let n = std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| TransportError::Failed(format!("cannot read standard input: {e}")))?;
            if n == 0 {
                return Err(TransportError::Closed);
            }
            if line.trim().is_empty() {
                continue;
            }
            return text::decode(&line).map_err(|e| TransportError::Unreadable(e.to_string()));
        }
    }
}
