//! How ceremony messages travel between parties. The ceremony logic only sees this
//! trait; implementations do the I/O (pasted text on stdin/stdout, animated QR codes,
//! image files) and tests use an in-memory one.

pub mod memory;

/// What a transport can fail with.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// Something arrived but it is not a readable message (garbage, truncated paste,
    /// bad checksum). The ceremony says so in one line and asks again.
    #[error("{0}")]
    Unreadable(String),
    /// No more input will come (end of input, scanner closed).
    #[error("the input ended before the ceremony was complete")]
    Closed,
    /// The transport itself failed (terminal, camera, file system).
    #[error("{0}")]
    Failed(String),
}

/// Moves whole, integrity-checked messages (their binary encoding).
pub trait Transport {
    /// Shows or sends one outgoing message. `label` names it for humans,
    /// e.g. "KEYGEN-JOIN for party 1".
    fn send(&mut self, label: &str, message: &[u8]) -> Result<(), TransportError>;

    /// Waits for the next incoming message. `expecting` tells the human what to
    /// paste or show, e.g. "the SIGN-INIT message".
    fn receive(&mut self, expecting: &str) -> Result<Vec<u8>, TransportError>;
}
