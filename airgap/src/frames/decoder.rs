//! The decoder of frame texts: rebuilds messages from frames in any order, several
//! at once (single-part URs and fountain parts from any standard encoder, solved
//! completely by [`crate::fountain`]), and says what it knows of each unfinished one.

use std::collections::{HashSet, VecDeque};

use crate::format::{self, Frame, Part};
use crate::fountain::Solver;
use crate::Error;

/// What one received frame did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A new frame of an unfinished message; `percent` is the share of it known.
    Frame { frames: usize, percent: u8 },
    /// A frame already seen, or one that tells nothing new.
    Duplicate,
    /// A frame of a message completed before: ignored.
    Finished,
    /// A message is complete and its checksum verified.
    Complete(Vec<u8>),
}

/// Identifies one multipart message among several being scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageId {
    count: usize,
    payload_len: usize,
    checksum: u32,
    fragment_len: usize,
}

impl MessageId {
    /// The message's CRC-32, as every frame carries it: a short name for it.
    pub fn checksum(&self) -> u32 {
        self.checksum
    }
}

struct Pending {
    id: MessageId,
    solver: Solver,
    sequences: HashSet<u32>,
    /// When it last grew, in frames received by the decoder.
    touched: u64,
}

/// Unfinished messages held at once; the stalest is dropped beyond this.
const MAX_PENDING: usize = 8;
/// Completed messages remembered, so that their late frames are ignored.
const MAX_DONE: usize = 64;

/// Rebuilds messages from frames in any order, several at once. A completed message
/// leaves room for the next one; frames that are damaged or of another UR type are
/// errors that change nothing.
#[derive(Default)]
pub struct Decoder {
    pending: Vec<Pending>,
    done: VecDeque<MessageId>,
    received: u64,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one frame's text (as scanned, any case).
    pub fn receive(&mut self, text: &str) -> Result<Progress, Error> {
        let part = match format::parse(text)? {
            Frame::Single(message) => {
                let id = MessageId {
                    count: 0,
                    payload_len: message.len(),
                    checksum: crc32fast::hash(&message),
                    fragment_len: 0,
                };
                if self.done.contains(&id) {
                    return Ok(Progress::Finished);
                }
                self.finish(id);
                return Ok(Progress::Complete(message));
            }
            Frame::Part(p) => p,
        };
        self.received += 1;
        let id = MessageId {
            count: part.count,
            payload_len: part.payload_len,
            checksum: part.checksum,
            fragment_len: part.data.len(),
        };
        if self.done.contains(&id) {
            return Ok(Progress::Finished);
        }
        let at = match self.pending.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => self.start(id),
        };
        let p = &mut self.pending[at];
        if !p.sequences.insert(part.sequence) {
            return Ok(Progress::Duplicate);
        }
        let Part { indexes, data, .. } = part;
        if !p.solver.add(&indexes, &data) {
            return Ok(Progress::Duplicate);
        }
        p.touched = self.received;
        if !p.solver.is_complete() {
            return Ok(Progress::Frame {
                frames: p.sequences.len(),
                percent: percent(&p.solver),
            });
        }
        let p = self.pending.remove(at);
        let payload = p.solver.joined(id.payload_len).unwrap_or_default();
        if crc32fast::hash(&payload) != id.checksum {
            return Err(Error::Checksum);
        }
        self.finish(id);
        // Frames of the previous format carried the raw message without the CBOR
        // byte string header; they are still read for one release.
        Ok(Progress::Complete(match format::from_cbor(&payload) {
            Some(m) => m.to_vec(),
            None => payload,
        }))
    }

    fn start(&mut self, id: MessageId) -> usize {
        if self.pending.len() >= MAX_PENDING {
            if let Some((i, _)) = self
                .pending
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| p.touched)
            {
                self.pending.remove(i);
            }
        }
        self.pending.push(Pending {
            id,
            solver: Solver::new(id.count, id.fragment_len),
            sequences: HashSet::new(),
            touched: self.received,
        });
        self.pending.len() - 1
    }

    fn finish(&mut self, id: MessageId) {
        if self.done.len() >= MAX_DONE {
            self.done.pop_front();
        }
        self.done.push_back(id);
    }

    /// Frames seen and share known of the most advanced unfinished message.
    pub fn status(&self) -> Option<(usize, u8)> {
        self.pending
            .iter()
            .max_by_key(|p| (p.solver.known() * 1000 / p.solver.count().max(1), p.touched))
            .map(|p| (p.sequences.len(), percent(&p.solver)))
    }

    /// Distinct frames received of unfinished messages.
    pub fn frames_seen(&self) -> usize {
        self.pending.iter().map(|p| p.sequences.len()).sum()
    }

    /// Each unfinished message on its own, the most advanced first.
    pub fn statuses(&self) -> Vec<MessageStatus> {
        let mut out: Vec<MessageStatus> = self
            .pending
            .iter()
            .map(|p| MessageStatus {
                id: p.id,
                frames: p.sequences.len(),
                known: p.solver.known(),
                fragments: p.solver.count(),
            })
            .collect();
        out.sort_by_key(|s| {
            (
                std::cmp::Reverse(s.known * 1000 / s.fragments.max(1)),
                s.id.checksum,
            )
        });
        out
    }
}

/// The message a frame text belongs to, if it is a multipart frame.
pub fn message_of(text: &str) -> Option<MessageId> {
    match format::parse(text).ok()? {
        Frame::Part(p) => Some(MessageId {
            count: p.count,
            payload_len: p.payload_len,
            checksum: p.checksum,
            fragment_len: p.data.len(),
        }),
        Frame::Single(_) => None,
    }
}

/// What the decoder knows of one unfinished message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStatus {
    pub id: MessageId,
    /// Distinct frames received (by sequence number).
    pub frames: usize,
    /// Independent frames among them: fragments' worth of information.
    pub known: usize,
    /// Fragments of the message: the fewest frames that can rebuild it.
    pub fragments: usize,
}

impl MessageStatus {
    /// Frames still needed at the very least (each new frame adds one fragment's
    /// worth at most).
    pub fn missing(&self) -> usize {
        self.fragments - self.known.min(self.fragments)
    }

    /// About how many distinct frames the message takes in all, from what is known.
    pub fn about_needed(&self) -> usize {
        self.frames + self.missing()
    }
}

fn percent(s: &Solver) -> u8 {
    ((s.known() * 100 / s.count().max(1)).min(99)) as u8
}
