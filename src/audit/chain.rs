//! The hash chain of a log file, checked as a stream: one line at a time, with
//! memory bounded whatever the file holds. Each kind of damage has its own report:
//! an altered line (its own checksum fails), a line changed and re-hashed (the next
//! line holds another hash of it), deleted lines (record numbers missing), lines
//! re-ordered (a record number going back), a copied line (a number twice), an
//! incomplete last line, and a missing anchor.
//!
//! What is kept across lines is bounded: the previous line's record number and
//! hash, and the record numbers seen as runs of consecutive numbers on consecutive
//! lines (one run for a sound log; at most [`MAX_RUNS`]). Consecutive damaged lines
//! of one kind are one report ("lines 2 to 9000 are not records"); a file whose
//! first line is not a record is refused in one line, and the check stops after
//! [`MAX_PROBLEMS`] problems or [`MAX_RUNS`] runs: such a file is no audit log.
//! `scan` drives this check over a file.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::lines::{RawLine, MAX_RECORD_LEN};
use super::record::{LineError, Record, GENESIS, RECORD_VERSION};
use crate::hex32;

/// The most problems listed before the check gives up on a file.
pub const MAX_PROBLEMS: usize = 64;
/// The most runs of record numbers kept before the check gives up on a file.
pub const MAX_RUNS: usize = 4096;

/// What is wrong with a line that is not an intact record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Damage {
    Empty,
    TooLong,
    Altered(LineError),
}

/// Damage of one kind, for merging consecutive lines into one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    NotRecord,
    Checksum,
    Version(u32),
}

impl Damage {
    fn class(&self) -> Class {
        match self {
            Damage::Empty | Damage::TooLong => Class::NotRecord,
            Damage::Altered(LineError::NoChecksum | LineError::Json(_)) => Class::NotRecord,
            Damage::Altered(LineError::Checksum) => Class::Checksum,
            Damage::Altered(LineError::Version(v)) => Class::Version(*v),
        }
    }

    fn one(&self, line: usize) -> String {
        match self {
            Damage::Empty => format!("line {line} is empty: a line was altered or inserted"),
            Damage::TooLong => format!(
                "line {line} is longer than any audit record ({} MiB): it is not one",
                MAX_RECORD_LEN >> 20
            ),
            Damage::Altered(why) => format!("line {line} was altered: {why}"),
        }
    }

    fn many(&self, first: usize, last: usize) -> String {
        match self.class() {
            Class::NotRecord => format!(
                "lines {first} to {last} are not records (empty, too long or not a record's JSON): lines were altered or inserted"
            ),
            Class::Checksum => format!(
                "lines {first} to {last} were altered: their contents do not match their own checksums"
            ),
            Class::Version(v) => format!(
                "lines {first} to {last} are records of format version {v}; this tool reads version {RECORD_VERSION}"
            ),
        }
    }
}

/// One problem found in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainProblem {
    #[error("this is not an mpcegosign audit log: {}", damage.one(1))]
    NotALog { damage: Damage },
    #[error("{}", if first == last { damage.one(*first) } else { damage.many(*first, *last) })]
    Damaged {
        first: usize,
        last: usize,
        damage: Damage,
    },
    #[error("the last line ({line}) is incomplete (no newline): it was cut short or altered")]
    Incomplete { line: usize },
    #[error("line {line} was changed after line {next} was written (line {next} holds another hash of it): the chain is broken")]
    Rewritten { line: usize, next: usize },
    #[error(
        "line {line} is record 1 but does not start a chain (its prev is not the genesis value)"
    )]
    BadGenesis { line: usize },
    #[error("{} missing before line {line}: lines were deleted", records(*first, *last))]
    Deleted { line: usize, first: u64, last: u64 },
    #[error("lines were re-ordered: line {line} holds record {seq}, but line {earlier} before it holds record {earlier_seq}")]
    Reordered {
        line: usize,
        seq: u64,
        earlier: usize,
        earlier_seq: u64,
    },
    #[error("line {line} repeats record {seq} of line {first}: a line was copied")]
    Copied { line: usize, seq: u64, first: usize },
    #[error("no line of the log has the anchored hash {anchor}: the log was truncated or rewritten after it was anchored")]
    AnchorMissing { anchor: String },
    #[error("more than {MAX_PROBLEMS} problems by line {line}: this is no sound audit log; not read further")]
    TooManyProblems { line: usize },
    #[error("by line {line} the record numbers are out of order in more than {MAX_RUNS} places: this is no sound audit log; not read further")]
    Scattered { line: usize },
}

fn records(first: u64, last: u64) -> String {
    if first == last {
        format!("record {first} is")
    } else {
        format!("records {first} to {last} are")
    }
}

/// A line that passed its own checks.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number in the file.
    pub number: usize,
    /// SHA-256 (hex) of the line.
    pub hash: String,
    pub record: Record,
}

/// Record numbers seen, as runs of consecutive numbers on consecutive lines:
/// start → (end, line of start).
#[derive(Debug, Default)]
struct Runs {
    map: BTreeMap<u64, (u64, usize)>,
    /// The run the last insertion went to.
    current: Option<u64>,
}

struct Full;

impl Runs {
    /// The line where `seq` was seen, if it was.
    fn line_of(&self, seq: u64) -> Option<usize> {
        let (start, (end, line)) = self.map.range(..=seq).next_back()?;
        let offset = usize::try_from(seq - start).ok()?;
        (seq <= *end).then(|| line.saturating_add(offset))
    }

    /// Notes `seq` on `line` (nothing if it was seen already).
    fn insert(&mut self, seq: u64, line: usize) -> Result<(), Full> {
        if self.line_of(seq).is_some() {
            return Ok(());
        }
        self.insert_range(seq, seq, line)
    }

    /// Notes `first..=last` on consecutive lines from `line` (for the numbers that
    /// damaged lines stand for; a run may then overlap another, which the gap
    /// search allows).
    fn insert_range(&mut self, first: u64, last: u64, line: usize) -> Result<(), Full> {
        if let Some(start) = self.current {
            if let Some((end, at)) = self.map.get_mut(&start) {
                let next_line = usize::try_from(*end - start + 1)
                    .ok()
                    .and_then(|d| at.checked_add(d));
                if end.checked_add(1) == Some(first) && next_line == Some(line) {
                    *end = last;
                    return Ok(());
                }
            }
        }
        if self.map.len() >= MAX_RUNS {
            return Err(Full);
        }
        // From `insert`, no run starts at `first` (it was not seen): the run is `first..=last`.
        let end = self.map.get(&first).map_or(last, |(e, _)| last.max(*e));
        self.map.insert(first, (end, line));
        self.current = Some(first);
        Ok(())
    }
}

/// The end of a check: how far it read and the head.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Number of lines read.
    pub line_count: usize,
    /// SHA-256 of the last line: publish it to anchor the log.
    pub head: Option<String>,
    /// The check gave up here (the file is no sound log).
    pub stopped_at: Option<usize>,
}

/// The chain check, fed one line at a time.
pub struct Checker {
    anchor: Option<String>,
    /// The anchor as bytes (`None`: not 64 hex digits, so never found).
    anchor_bytes: Option<[u8; 32]>,
    anchor_seen: bool,
    /// SHA-256 of the last line read (hex only when asked for: most lines are no
    /// record).
    head: Option<[u8; 32]>,
    problems: Vec<ChainProblem>,
    reported: usize,
    run: Option<(usize, usize, Damage)>,
    intact: Runs,
    numbers: Runs,
    last_number: Option<u64>,
    highest: Option<(u64, usize)>,
    /// The previous line's record number and hash (hex), when it was intact.
    before: Option<(u64, String)>,
    summary: Summary,
}

impl Checker {
    /// `anchor`: a line hash published earlier, which must still be in the file.
    pub fn new(anchor: Option<&str>) -> Self {
        Checker {
            anchor: anchor.map(|a| a.trim().to_ascii_lowercase()),
            anchor_bytes: anchor.and_then(hex32::parse),
            anchor_seen: false,
            head: None,
            problems: Vec::new(),
            reported: 0,
            run: None,
            intact: Runs::default(),
            numbers: Runs::default(),
            last_number: None,
            highest: None,
            before: None,
            summary: Summary::default(),
        }
    }

    /// Whether the check gave up: read no further.
    pub fn stopped(&self) -> bool {
        self.summary.stopped_at.is_some()
    }

    /// The problems found since the last call.
    pub fn take_problems(&mut self) -> Vec<ChainProblem> {
        std::mem::take(&mut self.problems)
    }

    fn report(&mut self, p: ChainProblem, line: usize) {
        if self.stopped() {
            return;
        }
        self.reported += 1;
        self.problems.push(p);
        if self.reported >= MAX_PROBLEMS {
            self.problems.push(ChainProblem::TooManyProblems { line });
            self.summary.stopped_at = Some(line);
        }
    }

    fn flush_run(&mut self, line: usize) {
        if let Some((first, last, damage)) = self.run.take() {
            self.report(
                ChainProblem::Damaged {
                    first,
                    last,
                    damage,
                },
                line,
            );
        }
    }

    fn damaged(&mut self, number: usize, damage: Damage) {
        if number == 1 && damage.class() == Class::NotRecord {
            self.problems.push(ChainProblem::NotALog { damage });
            self.summary.stopped_at = Some(1);
            return;
        }
        match &mut self.run {
            Some((_, last, d)) if d.class() == damage.class() && *last + 1 == number => {
                *last = number;
            }
            _ => {
                self.flush_run(number);
                self.run = Some((number, number, damage));
            }
        }
    }

    fn note_number(&mut self, n: u64, line: usize) {
        self.last_number = Some(n);
        if self.numbers.insert(n, line).is_err() {
            self.scattered(line);
        }
    }

    fn scattered(&mut self, line: usize) {
        self.flush_run(line);
        if !self.stopped() {
            self.problems.push(ChainProblem::Scattered { line });
            self.summary.stopped_at = Some(line);
        }
    }

    /// `count` empty lines from line `first` on (what [`LineReader::skip_newlines`]
    /// skipped): the same as pushing each, in one step.
    pub fn push_empty(&mut self, first: usize, count: usize) {
        if self.stopped() || count == 0 {
            return;
        }
        let last = first + count - 1;
        self.summary.line_count = last;
        let empty: [u8; 32] = Sha256::digest(b"").into();
        self.head = Some(empty);
        self.anchor_seen |= self.anchor_bytes == Some(empty);
        self.before = None;
        if first == 1 {
            self.damaged(1, Damage::Empty);
            return;
        }
        match &mut self.run {
            Some((_, end, d)) if d.class() == Class::NotRecord && *end + 1 == first => *end = last,
            _ => {
                self.flush_run(first);
                self.run = Some((first, last, Damage::Empty));
            }
        }
        let from = self.last_number.map_or(1, |n| n.saturating_add(1));
        let to = from.saturating_add(count as u64 - 1);
        self.last_number = Some(to);
        if self.numbers.insert_range(from, to, first).is_err() {
            self.scattered(first);
        }
    }

    /// Checks one line; returns its record when the line is intact.
    pub fn push(&mut self, raw: RawLine<'_>) -> Option<Line> {
        if self.stopped() {
            return None;
        }
        let number = raw.number;
        self.summary.line_count = number;
        let digest: Option<[u8; 32]> = (!raw.too_long).then(|| Sha256::digest(&raw.bytes).into());
        self.head = digest;
        if let (Some(a), Some(d)) = (&self.anchor_bytes, &digest) {
            self.anchor_seen |= a == d;
        }
        let parsed = if raw.too_long {
            Err(Damage::TooLong)
        } else if raw.bytes.is_empty() {
            Err(Damage::Empty)
        } else {
            Record::from_line_in(raw.bytes).map_err(Damage::Altered)
        };
        if !raw.complete {
            self.flush_run(number);
            match &parsed {
                // Not a record, and nothing else in the file: not a log at all.
                Err(damage) if number == 1 && damage.class() == Class::NotRecord => {
                    self.damaged(1, damage.clone());
                    return None;
                }
                _ => self.report(ChainProblem::Incomplete { line: number }, number),
            }
        }
        let before = self.before.take();
        let record = match parsed {
            Ok(r) => r,
            Err(damage) => {
                if raw.complete {
                    self.damaged(number, damage);
                }
                let guess = self.last_number.map_or(1, |n| n.saturating_add(1));
                self.note_number(guess, number);
                return None;
            }
        };
        self.flush_run(number);
        let hash = digest.map(hex::encode).unwrap_or_default();
        let seq = record.seq;
        if number == 1 && seq == 1 && record.prev != GENESIS {
            self.report(ChainProblem::BadGenesis { line: 1 }, number);
        }
        if let Some((before_seq, before_hash)) = &before {
            if seq == before_seq.wrapping_add(1) && record.prev != *before_hash {
                self.report(
                    ChainProblem::Rewritten {
                        line: number - 1,
                        next: number,
                    },
                    number,
                );
            }
        }
        if let Some(first) = self.intact.line_of(seq) {
            self.report(
                ChainProblem::Copied {
                    line: number,
                    seq,
                    first,
                },
                number,
            );
        } else {
            if self.intact.insert(seq, number).is_err() {
                self.scattered(number);
            }
            match self.highest {
                Some((h, at)) if seq < h => self.report(
                    ChainProblem::Reordered {
                        line: number,
                        seq,
                        earlier: at,
                        earlier_seq: h,
                    },
                    number,
                ),
                _ => self.highest = Some((seq, number)),
            }
        }
        self.note_number(seq, number);
        self.before = Some((seq, hash.clone()));
        if self.stopped() {
            return None;
        }
        Some(Line {
            number,
            hash,
            record,
        })
    }

    /// How far the check read, and the head.
    pub fn summary(&self) -> Summary {
        Summary {
            head: self.head.map(hex::encode),
            ..self.summary.clone()
        }
    }

    /// The end of the file: deleted records, the anchor, and the summary.
    pub fn finish(&mut self) -> Summary {
        if !self.stopped() {
            let end = self.summary.line_count;
            self.flush_run(end);
            let mut expected = 1u64;
            let gaps: Vec<ChainProblem> = self
                .numbers
                .map
                .iter()
                .filter_map(|(start, (last, line))| {
                    let gap = (*start > expected).then(|| ChainProblem::Deleted {
                        line: *line,
                        first: expected,
                        last: start - 1,
                    });
                    expected = expected.max(last.saturating_add(1));
                    gap
                })
                .collect();
            for g in gaps {
                self.report(g, end);
            }
            if let Some(a) = &self.anchor {
                if !self.anchor_seen && !self.stopped() {
                    let anchor = a.clone();
                    self.report(ChainProblem::AnchorMissing { anchor }, end);
                }
            }
        }
        self.summary()
    }
}

#[cfg(test)]
mod tests;
