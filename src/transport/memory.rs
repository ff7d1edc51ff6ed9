//! An in-memory transport for tests: a queue of incoming messages and a log of sent ones.

use std::collections::VecDeque;

use super::{Transport, TransportError};

#[derive(Debug, Default)]
pub struct MemoryTransport {
    pub incoming: VecDeque<Vec<u8>>,
    pub sent: Vec<(String, Vec<u8>)>,
}

impl Transport for MemoryTransport {
    fn send(&mut self, label: &str, message: &[u8]) -> Result<(), TransportError> {
        self.sent.push((label.to_string(), message.to_vec()));
        Ok(())
    }
    fn receive(&mut self, _expecting: &str) -> Result<Vec<u8>, TransportError> {
        self.incoming.pop_front().ok_or(TransportError::Closed)
    }
}
