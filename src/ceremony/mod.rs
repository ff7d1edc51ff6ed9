//! Ceremony state machines, free of I/O: what each party holds, what it accepts next,
//! and what it sends. The CLI feeds them messages from a transport.
//!
//! `keygen/`, `sign/`, `reshare/` (giving shares to one holder, for `recover`) and
//! `refresh/` (new shares of the same key, every holder taking part) hold one file
//! per role or step; `fingerprint` the codes humans
//! compare; `verdict` how each rejection is classified. `seal` (in `keygen/`) and
//! `transcript` (in `share/`) are re-exported under their old paths.

pub mod fingerprint;
pub mod keygen;
pub use keygen::seal;
pub mod refresh;
pub mod reshare;
pub mod sign;
pub use crate::share::transcript;
pub mod verdict;

use crate::protocol::{Message, MessageType, ProtocolError, SessionId};

/// Decodes a received message and checks that it is of the expected type and session.
pub fn expect_message(
    bytes: &[u8],
    expected: &[MessageType],
    session: Option<SessionId>,
) -> Result<Message, MessageError> {
    let msg = Message::decode(bytes)?;
    if let Some(s) = session {
        if msg.session() != s {
            return Err(MessageError::OtherSession {
                kind: msg.kind(),
                session: msg.session().short(),
            });
        }
    }
    if !expected.contains(&msg.kind()) {
        return Err(MessageError::WrongType {
            got: msg.kind(),
            expected: expected
                .iter()
                .map(|k| k.name())
                .collect::<Vec<_>>()
                .join(" or "),
        });
    }
    Ok(msg)
}

/// Problems with a received message that leave the ceremony able to go on.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MessageError {
    #[error(transparent)]
    Protocol(#[from] ProtocolError),
    #[error("that {kind} message belongs to another ceremony (session {session}); ignored")]
    OtherSession { kind: MessageType, session: String },
    #[error("that is a {got} message; this step needs {expected}")]
    WrongType { got: MessageType, expected: String },
}

#[cfg(test)]
mod attack_tests;
#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod generation_tests;
#[cfg(test)]
pub(crate) mod tests;
#[cfg(test)]
mod verdict_tests;
