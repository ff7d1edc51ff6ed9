//! A log read through the chain check: [`scan`] hands its caller every intact
//! record and every problem in file order, as soon as each is known, with the
//! memory of one line ([`super::lines`]) and the bounded state of the check
//! ([`super::chain::Checker`]); [`check`] does the same for bytes in memory.

use std::io::BufRead;
use std::ops::ControlFlow;

use super::chain::{ChainProblem, Checker, Line, Summary};
use super::lines::LineReader;

/// What [`scan`] hands its caller, in file order.
pub enum Item {
    Record(Box<Line>),
    Problem(ChainProblem),
}

/// Reads a log through the chain check, handing every intact record and every
/// problem to `on` as soon as it is known. Stops early when the check gives up, or
/// when `on` breaks (then `stopped_at` is the line it broke on).
pub fn scan<R: BufRead>(
    reader: &mut LineReader<R>,
    anchor: Option<&str>,
    mut on: impl FnMut(Item) -> ControlFlow<()>,
) -> std::io::Result<Summary> {
    let mut checker = Checker::new(anchor);
    while !checker.stopped() {
        let empty = reader.skip_newlines()?;
        checker.push_empty(reader.number() + 1 - empty, empty);
        let (more, record) = match checker.stopped() {
            true => (false, None),
            false => match reader.next_line()? {
                Some(raw) => (true, checker.push(raw)),
                None => (false, None),
            },
        };
        let number = reader.number();
        let mut items: Vec<Item> = checker
            .take_problems()
            .into_iter()
            .map(Item::Problem)
            .collect();
        items.extend(record.map(|l| Item::Record(Box::new(l))));
        for item in items {
            if on(item).is_break() {
                let mut summary = checker.summary();
                summary.stopped_at = Some(number);
                return Ok(summary);
            }
        }
        if !more {
            break;
        }
    }
    let summary = checker.finish();
    for p in checker.take_problems() {
        if on(Item::Problem(p)).is_break() {
            break;
        }
    }
    Ok(summary)
}

/// What the chain check of a whole file in memory found (fuzzing and tests).
#[derive(Debug, Default)]
pub struct ChainReport {
    pub lines: Vec<Line>,
    pub problems: Vec<ChainProblem>,
    pub summary: Summary,
}

/// Checks a whole file held in memory: [`scan`] over its bytes.
pub fn check(bytes: &[u8], anchor: Option<&str>) -> ChainReport {
    let mut report = ChainReport::default();
    let mut reader = LineReader::new(bytes);
    // Reading a slice cannot fail.
    if let Ok(summary) = scan(&mut reader, anchor, |item| {
        match item {
            Item::Record(l) => report.lines.push(*l),
            Item::Problem(p) => report.problems.push(p),
        }
        ControlFlow::Continue(())
    }) {
        report.summary = summary;
    }
    report
}
