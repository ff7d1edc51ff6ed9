//! Fuzz target body for the audit log readers: the chain check of a whole file, the
//! checks of every record against a roster, the table of `audit show`, and the
//! public roster parser.

use std::sync::OnceLock;

use crate::audit::roster::{self, Roster};
use crate::audit::{scan, show, verify};

/// The roster of the keygen whose logs are the seeds (`fuzz/seeds/audit_log/`), so
/// that mutated seeds reach the signature checks.
fn seed_roster() -> Option<&'static Roster> {
    static ROSTER: OnceLock<Option<Roster>> = OnceLock::new();
    ROSTER
        .get_or_init(|| {
            roster::parse(include_bytes!("../../fuzz/seeds/audit_log/public-roster")).ok()
        })
        .as_ref()
}

/// `audit::scan::check` (the chain check) and `audit::show::table` on the input as a log file, every
/// intact record through `audit::verify::check_record`, and `audit::roster::parse`
/// on the input as a roster. Accepted: a log with at least one record, no chain
/// problem, and no failed record.
pub fn audit_log(data: &[u8]) -> bool {
    let report = scan::check(data, None);
    // Bounded output whatever the input: at most MAX_PROBLEMS and the line saying so.
    assert!(
        report.problems.len() <= crate::audit::chain::MAX_PROBLEMS + 1,
        "unbounded problems"
    );
    let lines = data.split(|b| *b == b'\n').count();
    assert!(report.lines.len() <= lines, "more records than lines");
    for l in &report.lines {
        assert!(
            l.number >= 1 && l.number <= report.summary.line_count,
            "line number"
        );
    }
    let table = show::table(&report.lines);
    assert!(
        !table.chars().any(|c| c.is_control() && c != '\n'),
        "the table lets a control character through"
    );
    let mut failed = false;
    if let Some(roster) = seed_roster() {
        for l in &report.lines {
            let c = verify::check_record(l, roster);
            failed |= !c.problems.is_empty();
            // Approvals are only ever proven for parties of the roster.
            assert!(
                c.approved
                    .iter()
                    .chain(&c.declined)
                    .all(|p| roster.identity(*p).is_some()),
                "a party outside the roster was proven"
            );
        }
    }
    let _ = roster::parse(data);
    report.problems.is_empty() && !report.lines.is_empty() && !failed
}
