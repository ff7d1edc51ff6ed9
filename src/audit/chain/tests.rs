//! The chain check: each kind of damage told apart, and hostile files refused in
//! one line with bounded state.

use super::super::record::sha256_hex;
use super::super::record::tests::sample;
use super::super::scan::check;
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

fn one(first: usize, last: usize, damage: Damage) -> ChainProblem {
    ChainProblem::Damaged {
        first,
        last,
        damage,
    }
}

#[test]
fn an_intact_log_has_no_problem() {
    let lines = log(4);
    let r = check(&join(&lines), None);
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.lines.len(), 4);
    assert_eq!(r.summary.head.unwrap(), sha256_hex(lines[3].as_bytes()));
    assert_eq!(r.summary.line_count, 4);
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
    let p = check(&join(&edited), None).problems;
    assert_eq!(p, vec![one(2, 2, Damage::Altered(LineError::Checksum))]);
    assert_eq!(
        p[0].to_string(),
        "line 2 was altered: its content does not match its own checksum"
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
    // An empty line inserted: it stands for nothing deleted.
    let mut inserted = lines.clone();
    inserted.insert(2, String::new());
    let p = check(&join(&inserted), None).problems;
    assert_eq!(p, vec![one(3, 3, Damage::Empty)]);
    assert_eq!(
        p[0].to_string(),
        "line 3 is empty: a line was altered or inserted"
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

#[test]
fn a_file_that_is_no_log_is_refused_in_one_line() {
    let newlines = vec![b'\n'; 100_000];
    let r = check(&newlines, None);
    assert_eq!(
        r.problems,
        vec![ChainProblem::NotALog {
            damage: Damage::Empty
        }]
    );
    assert_eq!(
        r.problems[0].to_string(),
        "this is not an mpcegosign audit log: line 1 is empty: a line was altered or inserted"
    );
    // It stopped at once, at line 1.
    assert_eq!(r.summary.stopped_at, Some(1));
    for garbage in [
        &b"\0\0\0\xff\xfe\n{}\n"[..],
        b"PK\x03\x04 not a log",
        b"{\"version\":1}\n",
        b"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1e999999999]]]}",
    ] {
        let r = check(garbage, None);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert!(matches!(r.problems[0], ChainProblem::NotALog { .. }));
    }
}

#[test]
fn damaged_runs_are_one_report_and_too_many_problems_stop_the_check() {
    let lines = log(3);
    // A genuine line, then thousands of garbage lines, then the rest.
    let mut l = vec![lines[0].clone()];
    l.extend((0..5000).map(|i| {
        if i % 7 == 0 {
            String::new()
        } else {
            format!("junk {i}")
        }
    }));
    l.extend_from_slice(&lines[1..]);
    let r = check(&join(&l), None);
    assert_eq!(
        r.problems,
        vec![one(2, 5001, Damage::Empty)],
        "{:?}",
        r.problems
    );
    assert_eq!(
        r.problems[0].to_string(),
        "lines 2 to 5001 are not records (empty, too long or not a record's JSON): lines were altered or inserted"
    );
    assert_eq!(r.lines.len(), 3);
    // Garbage interleaved with genuine lines: many reports, then the check stops.
    let mut l = Vec::new();
    for i in 0..1000 {
        l.push(lines[0].clone());
        l.push(format!("junk {i}"));
    }
    let r = check(&join(&l), None);
    assert_eq!(r.problems.len(), MAX_PROBLEMS + 1, "{:?}", r.problems);
    assert!(matches!(
        r.problems.last(),
        Some(ChainProblem::TooManyProblems { .. })
    ));
    assert!(r.summary.stopped_at.is_some());
}

#[test]
fn scattered_record_numbers_stop_the_check() {
    // Intact lines whose numbers jump about: each is a run of its own.
    let mut l = Vec::new();
    let mut prev = GENESIS.to_string();
    for i in 0..(MAX_RUNS as u64 + 10) {
        let line = sample(1 + 2 * i, &prev).to_line().unwrap();
        prev = sha256_hex(line.as_bytes());
        l.push(line);
    }
    let r = check(&join(&l), None);
    assert_eq!(
        r.problems,
        vec![ChainProblem::Scattered { line: MAX_RUNS + 1 }],
        "{:?}",
        &r.problems
    );
}

#[test]
fn run_bookkeeping() {
    let mut runs = Runs::default();
    for (seq, line) in [(1, 1), (2, 2), (3, 3), (10, 4), (11, 5), (4, 7)] {
        assert!(runs.insert(seq, line).is_ok());
    }
    assert_eq!(runs.map.len(), 3);
    assert_eq!(runs.line_of(2), Some(2));
    assert_eq!(runs.line_of(11), Some(5));
    assert_eq!(runs.line_of(4), Some(7));
    assert_eq!(runs.line_of(5), None);
    assert_eq!(runs.line_of(0), None);
    assert_eq!(runs.line_of(u64::MAX), None);
}

proptest::proptest! {
    /// Any mix of genuine, copied, re-ordered, empty and garbage lines: no panic, at
    /// most MAX_PROBLEMS problems and the line saying so, only real lines as records,
    /// and a sound log (the genuine lines in order) has no problem.
    #[test]
    fn any_mix_of_lines_is_checked_with_bounded_reports(
        picks in proptest::collection::vec((0u8..6, 0usize..8, proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40)), 0..200),
        tail in proptest::prelude::any::<bool>(),
    ) {
        let genuine = log(8);
        let mut bytes = Vec::new();
        let mut lines = 0usize;
        for (kind, i, junk) in &picks {
            match kind {
                0..=2 => bytes.extend_from_slice(genuine[*i].as_bytes()),
                3 => {}
                4 => bytes.extend(junk.iter().filter(|b| **b != b'\n')),
                _ => bytes.extend_from_slice(&genuine[*i].as_bytes()[..junk.len().min(10)]),
            }
            bytes.push(b'\n');
            lines += 1;
        }
        if tail {
            bytes.extend_from_slice(b"{\"cut");
            lines += 1;
        }
        let r = check(&bytes, None);
        proptest::prop_assert!(r.problems.len() <= MAX_PROBLEMS + 1);
        proptest::prop_assert!(r.lines.len() <= lines);
        proptest::prop_assert!(r.lines.iter().all(|l| l.number >= 1 && l.number <= lines));
        let sound = genuine.join("\n") + "\n";
        proptest::prop_assert!(check(sound.as_bytes(), None).problems.is_empty());
    }
}
