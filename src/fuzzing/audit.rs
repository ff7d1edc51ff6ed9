//! Fuzz target body for the audit log readers: the chain check of a whole file, the
//! table of `audit show`, and the public roster parser.

use crate::audit::{chain, roster, show};

/// `audit::chain::check` and `audit::show::table` on the input as a log file, and
/// `audit::roster::parse` on it as a roster. Accepted: a log with at least one
/// record and no problem.
pub fn audit_log(data: &[u8]) -> bool {
    let report = chain::check(data, None);
    let lines = data.split(|b| *b == b'\n').count();
    assert!(report.lines.len() <= lines, "more records than lines");
    for l in &report.lines {
        assert!(
            l.number >= 1 && l.number <= report.line_count,
            "line number"
        );
    }
    let table = show::table(&report.lines);
    assert!(
        !table.chars().any(|c| c.is_control() && c != '\n'),
        "the table lets a control character through"
    );
    let _ = roster::parse(data);
    report.problems.is_empty() && !report.lines.is_empty()
}
