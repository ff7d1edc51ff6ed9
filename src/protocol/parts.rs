//! Long messages as numbered parts, each one line of at most [`MAX_PART_LINE`]
//! characters, so that every part fits one chat message (Discord: 2,000 characters,
//! Telegram: 4,096) and one terminal line (Linux keeps 4,095 bytes, macOS 1,024).
//!
//! A part line is `mpcegosign2-part:<id>:<k>/<n>:<chunk>`:
//! - `<id>`: 12 lowercase hex digits, the first 6 bytes of the SHA-256 of the message
//!   bytes: it names the message the part belongs to;
//! - `<k>/<n>`: the part's place, decimal without leading zeros, `1 <= k <= n`,
//!   `2 <= n <= MAX_PARTS`;
//! - `<chunk>`: the next [`CHUNK_LEN`] characters of the one-line form's body (the
//!   base64url text after `mpcegosign2:`, checksum included); every part but the last
//!   carries exactly [`CHUNK_LEN`] characters, the last 1 to [`CHUNK_LEN`].
//!
//! A message whose one-line form has at most [`MAX_PART_LINE`] characters is written
//! as that one line. The [`Assembler`] collects parts in any order, ignores repeats,
//! and delivers a message once all its parts are in, its checksum verifies and its
//! bytes hash to its id. Everything it holds is bounded: at most [`MAX_PENDING`]
//! messages and [`MAX_PENDING_CHARS`] characters; the oldest message is dropped first.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use sha2::{Digest, Sha256};

use super::text;

/// The start of every part line.
pub const PART_PREFIX: &str = "mpcegosign2-part:";
/// The longest line this tool writes: a part, or a short message's one line.
pub const MAX_PART_LINE: usize = 1000;
/// The body characters a part carries (every part but the last carries exactly this).
pub const CHUNK_LEN: usize = 940;
/// Length of a message id in bytes (12 hex digits).
pub const ID_LEN: usize = 6;
/// The most characters a one-line body can have: the largest message and its checksum.
pub const MAX_BODY_LEN: usize = (4 * (super::MAX_MESSAGE_LEN + 4)).div_ceil(3);
/// The most parts any message has; a part claiming more is refused.
pub const MAX_PARTS: usize = MAX_BODY_LEN.div_ceil(CHUNK_LEN);
/// The most messages collected at once; a new one drops the oldest.
pub const MAX_PENDING: usize = 8;
/// The most characters held in collected parts at once (twice the largest message);
/// beyond it the oldest messages are dropped.
pub const MAX_PENDING_CHARS: usize = 2 * MAX_BODY_LEN;

/// The id that names a message's parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub [u8; ID_LEN]);

impl MessageId {
    pub fn of(message: &[u8]) -> Self {
        let h = Sha256::digest(message);
        let mut id = [0u8; ID_LEN];
        id.copy_from_slice(&h[..ID_LEN]);
        MessageId(id)
    }
}

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// What is wrong with a part, or with the message its parts make.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PartError {
    #[error("a damaged part line ({0}); copy that part again")]
    Malformed(&'static str),
    #[error("a part claims its message has {0} parts, more than any message has ({MAX_PARTS} at most); ignored it")]
    AbsurdCount(usize),
    #[error("part {index} of message {id} arrived twice with different contents (or with another part count); dropped all its parts: paste that message's parts again, from its sender")]
    Conflict { id: MessageId, index: usize },
    #[error("message {id}: its {count} parts put together do not verify (altered or mixed up); dropped them: paste that message's parts again, from its sender")]
    Checksum { id: MessageId, count: usize },
}

/// One parsed part line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub id: MessageId,
    /// 1-based place.
    pub index: usize,
    pub count: usize,
    pub chunk: String,
}

/// The lines a message is written as: its one-line form if that has at most
/// [`MAX_PART_LINE`] characters, otherwise its numbered parts in order.
pub fn split(message: &[u8]) -> Vec<String> {
    let line = text::encode(message);
    if line.len() <= MAX_PART_LINE {
        return vec![line];
    }
    let id = MessageId::of(message);
    let body = &line[text::PREFIX.len()..];
    // base64url is ASCII: every byte offset is a character boundary.
    let chunks: Vec<&str> = body
        .as_bytes()
        .chunks(CHUNK_LEN)
        .map(|c| std::str::from_utf8(c).unwrap_or_default())
        .collect();
    let n = chunks.len();
    chunks
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{PART_PREFIX}{id}:{}/{n}:{c}", i + 1))
        .collect()
}

/// Whether a line (ignoring whitespace a chat client inserts) claims to be a part.
pub fn is_part(line: &str) -> bool {
    let start: String = line
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(PART_PREFIX.len())
        .collect();
    start == PART_PREFIX
}

/// Parses a part line; whitespace inside it is ignored (chat clients wrap lines).
pub fn parse(line: &str) -> Result<Part, PartError> {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let rest = compact
        .strip_prefix(PART_PREFIX)
        .ok_or(PartError::Malformed(
            "it does not start with the part prefix",
        ))?;
    let mut fields = rest.splitn(3, ':');
    let (id, place, chunk) = match (fields.next(), fields.next(), fields.next()) {
        (Some(i), Some(p), Some(c)) => (i, p, c),
        _ => return Err(PartError::Malformed("a field is missing")),
    };
    let id = parse_id(id)?;
    let (index, count) = place
        .split_once('/')
        .ok_or(PartError::Malformed("its place is not k/n"))?;
    let count = parse_number(count)?;
    if count > MAX_PARTS {
        return Err(PartError::AbsurdCount(count));
    }
    let index = parse_number(index)?;
    if count < 2 || index == 0 || index > count {
        return Err(PartError::Malformed(
            "its place is not k/n with 1 <= k <= n, n >= 2",
        ));
    }
    if !chunk
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(PartError::Malformed(
            "it has characters that cannot be part of a message",
        ));
    }
    let full = chunk.len() == CHUNK_LEN;
    let last_ok = index == count && (1..=CHUNK_LEN).contains(&chunk.len());
    if !(full || last_ok) {
        return Err(PartError::Malformed("it is cut short"));
    }
    Ok(Part {
        id,
        index,
        count,
        chunk: chunk.to_string(),
    })
}

fn parse_id(s: &str) -> Result<MessageId, PartError> {
    let bad = PartError::Malformed("its message id is not 12 lowercase hex digits");
    if s.len() != 2 * ID_LEN || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(bad);
    }
    let bytes = hex::decode(s).map_err(|_| bad)?;
    let mut id = [0u8; ID_LEN];
    id.copy_from_slice(&bytes);
    Ok(MessageId(id))
}

/// A decimal number without leading zeros; more than 9 digits is absurd anyway.
fn parse_number(s: &str) -> Result<usize, PartError> {
    let bad = PartError::Malformed("its place is not a number");
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad);
    }
    if s.len() > 9 {
        return Err(PartError::AbsurdCount(usize::MAX));
    }
    s.parse().map_err(|_| bad)
}

/// What feeding one part did.
#[derive(Debug, PartialEq, Eq)]
pub enum Fed {
    /// The part was new; `have` of `count` parts of message `id` are in.
    Progress {
        id: MessageId,
        index: usize,
        count: usize,
        have: usize,
    },
    /// The part was already in, with the same contents: nothing changed.
    Repeat {
        id: MessageId,
        index: usize,
        count: usize,
        have: usize,
    },
    /// That part completed its message, which verified: here are its bytes.
    Whole { id: MessageId, message: Vec<u8> },
}

/// A message whose parts are being collected.
struct Pending {
    id: MessageId,
    count: usize,
    chunks: BTreeMap<usize, String>,
    chars: usize,
}

/// Collects parts of several messages at once, with bounded memory.
#[derive(Default)]
pub struct Assembler {
    /// Oldest first.
    pending: VecDeque<Pending>,
    chars: usize,
    evicted: Vec<MessageId>,
}

impl Assembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Messages dropped to make room since the last call (oldest first).
    pub fn take_evicted(&mut self) -> Vec<MessageId> {
        std::mem::take(&mut self.evicted)
    }

    /// How many characters the collected parts hold.
    pub fn pending_chars(&self) -> usize {
        self.chars
    }

    /// How many messages have parts waiting.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Takes one part. A conflicting repeat or a message that does not verify drops
    /// that message's parts and says so.
    pub fn feed(&mut self, part: Part) -> Result<Fed, PartError> {
        let pos = match self.pending.iter().position(|p| p.id == part.id) {
            Some(pos) => pos,
            None => {
                if self.pending.len() >= MAX_PENDING {
                    self.evict(0);
                }
                self.pending.push_back(Pending {
                    id: part.id,
                    count: part.count,
                    chunks: BTreeMap::new(),
                    chars: 0,
                });
                self.pending.len() - 1
            }
        };
        let entry = &self.pending[pos];
        let (id, index, count) = (part.id, part.index, part.count);
        let conflict =
            entry.count != count || entry.chunks.get(&index).is_some_and(|c| *c != part.chunk);
        if conflict {
            self.remove(pos);
            return Err(PartError::Conflict { id, index });
        }
        if entry.chunks.contains_key(&index) {
            return Ok(Fed::Repeat {
                id,
                index,
                count,
                have: entry.chunks.len(),
            });
        }
        let len = part.chunk.len();
        self.pending[pos].chunks.insert(index, part.chunk);
        self.pending[pos].chars += len;
        self.chars += len;
        let have = self.pending[pos].chunks.len();
        if have == count {
            let done = self.remove(pos).ok_or(PartError::Conflict { id, index })?;
            return assemble(done).map(|message| Fed::Whole { id, message });
        }
        // Over the bound: drop the oldest other messages first.
        while self.chars > MAX_PENDING_CHARS && self.pending.len() > 1 {
            let oldest = usize::from(self.pending[0].id == id);
            self.evict(oldest);
        }
        Ok(Fed::Progress {
            id,
            index,
            count,
            have,
        })
    }

    /// Drops the message at `pos` (oldest first) and notes it as evicted.
    fn evict(&mut self, pos: usize) {
        if let Some(gone) = self.remove(pos) {
            self.evicted.push(gone.id);
        }
    }

    fn remove(&mut self, pos: usize) -> Option<Pending> {
        let p = self.pending.remove(pos)?;
        self.chars -= p.chars;
        Some(p)
    }
}

/// The message from all its parts: the one-line body's checksum and the id must
/// both verify.
fn assemble(p: Pending) -> Result<Vec<u8>, PartError> {
    let bad = PartError::Checksum {
        id: p.id,
        count: p.count,
    };
    let mut line = String::with_capacity(text::PREFIX.len() + p.chars);
    line.push_str(text::PREFIX);
    for c in p.chunks.values() {
        line.push_str(c);
    }
    let message = text::decode(&line).map_err(|_| bad.clone())?;
    if MessageId::of(&message) != p.id {
        return Err(bad);
    }
    Ok(message)
}

#[cfg(test)]
#[path = "parts_tests.rs"]
mod tests;
