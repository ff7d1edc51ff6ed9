//! The hash chain of a whole log file. Each kind of damage has its own report:
//! an altered line (its own checksum fails), a line changed and re-hashed (the next
//! line holds another hash of it), deleted lines (record numbers missing), lines
//! re-ordered (a record number going back), a copied line (a number twice), an
//! incomplete last line, and a missing anchor.

use super::record::{sha256_hex, LineError, Record, GENESIS};

/// One problem found in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainProblem {
    #[error("line {line} was altered: {why}")]
    Altered { line: usize, why: LineError },
    #[error("line {line} is empty: a line was altered or inserted")]
    Empty { line: usize },
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

/// What the chain check found.
#[derive(Debug, Default)]
pub struct ChainReport {
    pub lines: Vec<Line>,
    pub problems: Vec<ChainProblem>,
    /// Number of lines in the file.
    pub line_count: usize,
    /// SHA-256 of the last line: publish it to anchor the log.
    pub head: Option<String>,
}

/// Checks the whole file. `anchor`: a line hash published earlier, which must still
/// be in the file.
pub fn check(bytes: &[u8], anchor: Option<&str>) -> ChainReport {
    let mut report = ChainReport::default();
    if bytes.is_empty() {
        return report;
    }
    let complete = bytes.ends_with(b"\n");
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let raw: Vec<&[u8]> = body.split(|b| *b == b'\n').collect();
    report.line_count = raw.len();
    report.head = raw.last().map(|l| sha256_hex(l));
    if !complete {
        report
            .problems
            .push(ChainProblem::Incomplete { line: raw.len() });
    }
    // Per line: the record if the line is intact, and the record number it stands for
    // (an altered line stands for one more than the line before it).
    let mut intact: Vec<Option<Record>> = Vec::with_capacity(raw.len());
    let mut numbers: Vec<u64> = Vec::with_capacity(raw.len());
    for (i, line) in raw.iter().enumerate() {
        let number = i + 1;
        let last_complete = complete || number < raw.len();
        let parsed = if line.is_empty() {
            report.problems.push(ChainProblem::Empty { line: number });
            None
        } else {
            match Record::from_line(line) {
                Ok(r) => Some(r),
                Err(why) => {
                    if last_complete {
                        report
                            .problems
                            .push(ChainProblem::Altered { line: number, why });
                    }
                    None
                }
            }
        };
        let guess = numbers.last().map_or(1, |n| n + 1);
        numbers.push(parsed.as_ref().map_or(guess, |r| r.seq));
        intact.push(parsed);
    }
    // Copies and re-orderings, in file order.
    let mut seen: std::collections::BTreeMap<u64, usize> = Default::default();
    let mut highest: Option<(u64, usize)> = None;
    for (i, r) in intact.iter().enumerate() {
        let Some(r) = r else { continue };
        let number = i + 1;
        if let Some(first) = seen.get(&r.seq) {
            report.problems.push(ChainProblem::Copied {
                line: number,
                seq: r.seq,
                first: *first,
            });
            continue;
        }
        seen.insert(r.seq, number);
        match highest {
            Some((h, at)) if r.seq < h => report.problems.push(ChainProblem::Reordered {
                line: number,
                seq: r.seq,
                earlier: at,
                earlier_seq: h,
            }),
            _ => highest = Some((r.seq, number)),
        }
    }
    // Deleted records: numbers missing from the whole file.
    let mut present: Vec<(u64, usize)> = numbers
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, i + 1))
        .collect();
    present.sort_unstable();
    present.dedup_by_key(|p| p.0);
    let mut expected = 1u64;
    for (n, line) in present {
        if n > expected {
            report.problems.push(ChainProblem::Deleted {
                line,
                first: expected,
                last: n - 1,
            });
        }
        expected = expected.max(n.saturating_add(1));
    }
    // The hash links between neighbouring intact records.
    for i in 0..raw.len() {
        let Some(r) = &intact[i] else { continue };
        if i == 0 {
            if r.seq == 1 && r.prev != GENESIS {
                report.problems.push(ChainProblem::BadGenesis { line: 1 });
            }
            continue;
        }
        let Some(before) = &intact[i - 1] else {
            continue;
        };
        if r.seq == before.seq.wrapping_add(1) && r.prev != sha256_hex(raw[i - 1]) {
            report.problems.push(ChainProblem::Rewritten {
                line: i,
                next: i + 1,
            });
        }
    }
    if let Some(a) = anchor {
        let a = a.trim().to_ascii_lowercase();
        if !raw.iter().any(|l| sha256_hex(l) == a) {
            report
                .problems
                .push(ChainProblem::AnchorMissing { anchor: a });
        }
    }
    report.lines = intact
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.map(|record| Line {
                number: i + 1,
                hash: sha256_hex(raw[i]),
                record,
            })
        })
        .collect();
    report
}

#[cfg(test)]
mod tests {
    use super::super::record::tests::sample;
    use super::*;

    fn log(n: u64) -> Vec<String> {
        let mut prev = GENESIS.to_string();
        let mut out = Vec::new();
        for seq in 1..=n {
            let line = sample(seq, &prev).to_line().unwrap();
            prev = sha256_hex(line.as_bytes());
            out.push(line);
        }
        out
    }

    fn join(lines: &[String]) -> Vec<u8> {
        let mut s = lines.join("\n");
        s.push('\n');
        s.into_bytes()
    }

    #[test]
    fn an_intact_log_has_no_problem() {
        let lines = log(4);
        let r = check(&join(&lines), None);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!(r.lines.len(), 4);
        assert_eq!(r.head.unwrap(), sha256_hex(lines[3].as_bytes()));
        assert!(check(b"", None).problems.is_empty());
    }

    #[test]
    fn every_changed_byte_is_detected() {
        let bytes = join(&log(3));
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x20;
            let r = check(&b, None);
            assert!(!r.problems.is_empty(), "byte {i} changed unnoticed");
        }
    }

    #[test]
    fn each_kind_of_damage_has_its_own_report() {
        let lines = log(5);
        // One byte of line 2's content.
        let mut edited = lines.clone();
        edited[1] = edited[1].replacen("declined", "declinee", 1);
        assert_eq!(
            check(&join(&edited), None).problems,
            vec![ChainProblem::Altered {
                line: 2,
                why: LineError::Checksum
            }]
        );
        // Line 2 changed and given a fresh checksum: line 3 tells.
        let mut rehashed = lines.clone();
        let mut r = Record::from_line(lines[1].as_bytes()).unwrap();
        r.party = 9;
        rehashed[1] = r.to_line().unwrap();
        assert_eq!(
            check(&join(&rehashed), None).problems,
            vec![ChainProblem::Rewritten { line: 2, next: 3 }]
        );
        // Line 3 deleted.
        let mut deleted = lines.clone();
        deleted.remove(2);
        assert_eq!(
            check(&join(&deleted), None).problems,
            vec![ChainProblem::Deleted {
                line: 3,
                first: 3,
                last: 3
            }]
        );
        // The first line deleted.
        assert_eq!(
            check(&join(&lines[1..]), None).problems,
            vec![ChainProblem::Deleted {
                line: 1,
                first: 1,
                last: 1
            }]
        );
        // Lines 2 and 3 swapped.
        let mut swapped = lines.clone();
        swapped.swap(1, 2);
        assert_eq!(
            check(&join(&swapped), None).problems,
            vec![ChainProblem::Reordered {
                line: 3,
                seq: 2,
                earlier: 2,
                earlier_seq: 3
            }]
        );
        // A line copied.
        let mut copied = lines.clone();
        copied.insert(4, lines[1].clone());
        assert_eq!(
            check(&join(&copied), None).problems,
            vec![ChainProblem::Copied {
                line: 5,
                seq: 2,
                first: 2
            }]
        );
        // Cut in the middle of the last line.
        let mut cut = join(&lines);
        cut.truncate(cut.len() - 10);
        assert_eq!(
            check(&cut, None).problems,
            vec![ChainProblem::Incomplete { line: 5 }]
        );
        // A first record whose prev is not the genesis value.
        let fake = sample(1, &"11".repeat(32)).to_line().unwrap();
        assert_eq!(
            check(&join(&[fake]), None).problems,
            vec![ChainProblem::BadGenesis { line: 1 }]
        );
    }

    #[test]
    fn an_anchor_detects_a_cut_tail() {
        let lines = log(4);
        let anchor = sha256_hex(lines[3].as_bytes());
        assert!(check(&join(&lines), Some(&anchor)).problems.is_empty());
        // The last line removed: the chain alone cannot tell, the anchor can.
        assert!(check(&join(&lines[..3]), None).problems.is_empty());
        assert_eq!(
            check(&join(&lines[..3]), Some(&anchor)).problems,
            vec![ChainProblem::AnchorMissing { anchor }]
        );
    }
}
