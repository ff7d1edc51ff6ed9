//! The table of signings that `audit show` prints, one row per record as the log
//! is read, with a row where the key moved on: a reshare (the dealer's link to the
//! new roster, and the keygen of the new roster) and a refresh (a new generation) (fixed column widths, so no row waits for the others). Every cell is
//! sanitised and cut to [`MAX_CELL`] characters: a record holds text from other
//! parties (ABORT reasons) and the file itself may be hostile.

use super::chain::Line;
use super::pairing::{recorded_bindings, Binding};
use super::record::Event;
use crate::sanitize::sanitize;

/// The longest cell, in characters (a longer one ends with `…`).
pub const MAX_CELL: usize = 40;

/// The columns and their widths.
const COLUMNS: [(&str, usize); 9] = [
    ("line", 6),
    ("time (UTC)", 20),
    ("role", 12),
    ("date", 10),
    ("MRENCLAVE", 16),
    ("signed by", 10),
    ("declined by", 11),
    ("result", 8),
    ("output SHA-256", 16),
];

/// `text` sanitised and cut to `max` characters.
fn cell(text: &str, max: usize) -> String {
    let clean = sanitize(&text.chars().take(max + 1).collect::<String>());
    if clean.chars().count() <= max {
        return clean;
    }
    let mut cut: String = clean.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

fn short(hex: &str) -> String {
    cell(&hex.chars().take(16).collect::<String>(), 16)
}

fn list(v: &[u8]) -> String {
    if v.is_empty() {
        return "-".into();
    }
    v.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

fn format_row(cells: &[String; 9]) -> String {
    let mut out: Vec<String> = cells
        .iter()
        .zip(COLUMNS)
        .map(|(c, (_, w))| format!("{c:<w$}"))
        .collect();
    let last = out.len() - 1;
    out[last] = out[last].trim_end().to_string();
    let mut row = out.join("  ").trim_end().to_string();
    row.push('\n');
    row
}

/// The header row.
pub fn header() -> String {
    format_row(&COLUMNS.map(|(name, _)| name.to_string()))
}

/// What a result cell adds for partials that are not bound to the record's
/// SIGN-INIT (what `audit verify` reports in full).
fn pairing_note(bindings: &[(u8, Binding)]) -> String {
    let of = |b: fn(&Binding) -> bool| -> Vec<u8> {
        bindings
            .iter()
            .filter(|(_, x)| b(x))
            .map(|(p, _)| *p)
            .collect()
    };
    let mut note = String::new();
    let wrong = of(|b| matches!(b, Binding::OtherDigest | Binding::OtherScheme));
    if !wrong.is_empty() {
        note.push_str(&format!("; MISPAIRED partial from {}", list(&wrong)));
    }
    let unbound = of(|b| *b == Binding::Unbound);
    if !unbound.is_empty() {
        note.push_str(&format!("; unbound partial from {}", list(&unbound)));
    }
    note
}

/// A row of a record that is no signing: only its role and result cells.
fn lineage_row(l: &Line, role: String, result: String) -> [String; 9] {
    let none = || "-".to_string();
    [
        l.number.to_string(),
        cell(&l.record.time, MAX_CELL),
        role,
        none(),
        none(),
        none(),
        none(),
        cell(&result, MAX_CELL),
        none(),
    ]
}

/// The row of one record, for a signing (initiator or signer), a reshare (the
/// dealer's link, and a reshare's keygen) or a refresh; `None` for any other
/// keygen, a recover, or an SVN rollback override (the signing it allowed has its
/// own row).
/// What it shows is what the record says; `audit verify` proves it.
pub fn row(l: &Line) -> Option<String> {
    let r = &l.record;
    let cells = match &r.event {
        Event::SignInitiator(e) => {
            let declined: Vec<u8> = e.declined.iter().map(|d| d.party).collect();
            [
                l.number.to_string(),
                cell(&r.time, MAX_CELL),
                format!("initiator {}", r.party),
                cell(&e.enclave.date, MAX_CELL),
                short(&e.enclave.mrenclave),
                list(&e.approved),
                list(&declined),
                cell(&e.outcome, MAX_CELL) + &pairing_note(&recorded_bindings(&e.messages)),
                e.output
                    .as_ref()
                    .map(|o| short(&o.sha256))
                    .unwrap_or_else(|| "-".into()),
            ]
        }
        Event::SignSigner(e) => {
            let me = [r.party];
            let (signed, declined): (&[u8], &[u8]) = if e.answer == "signed" {
                (&me, &[])
            } else {
                (&[], &me)
            };
            [
                l.number.to_string(),
                cell(&r.time, MAX_CELL),
                format!("signer {}", r.party),
                e.enclave
                    .as_ref()
                    .map(|en| cell(&en.date, MAX_CELL))
                    .unwrap_or_else(|| "-".into()),
                e.enclave
                    .as_ref()
                    .map(|en| short(&en.mrenclave))
                    .unwrap_or_else(|| "-".into()),
                list(signed),
                list(declined),
                cell(&e.answer, MAX_CELL) + &pairing_note(&recorded_bindings(&e.messages)),
                "-".into(),
            ]
        }
        Event::Reshare(e) => lineage_row(
            l,
            format!("reshare {}", r.party),
            format!(
                "to {}-of-{} roster {}",
                e.to.threshold,
                e.to.parties,
                short(&e.to.transcript)
            ),
        ),
        Event::Keygen(k) => match &k.reshare {
            Some(o) => lineage_row(
                l,
                format!("keygen {}", r.party),
                format!("reshare from roster {}", short(&o.from)),
            ),
            None => return None,
        },
        Event::Refresh(e) => lineage_row(
            l,
            format!("refresh {}", r.party),
            format!("generation {} to {}", e.from.number, e.to.number),
        ),
        Event::SvnRollback(_) | Event::Recover(_) | Event::Retire(_) => return None,
    };
    Some(format_row(&cells))
}

/// The whole table of `lines`: the header and a row per signing.
pub fn table(lines: &[Line]) -> String {
    let mut out = header();
    for l in lines {
        if let Some(r) = row(l) {
            out.push_str(&r);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::chain::Line;
    use super::super::record::tests::sample;
    use super::super::record::GENESIS;
    use super::*;

    #[test]
    fn rows_are_sanitised() {
        let mut r = sample(1, GENESIS);
        r.time = "2026\u{1b}[2K".into();
        let t = table(&[Line {
            number: 1,
            hash: String::new(),
            record: r,
        }]);
        assert!(!t.contains('\u{1b}'), "{t}");
        assert!(t.contains("signer 1"));
        assert!(t.contains("declined"));
        // A huge hostile cell is cut.
        let mut r = sample(1, GENESIS);
        r.time = "9".repeat(1 << 20);
        let t = table(&[Line {
            number: 1,
            hash: String::new(),
            record: r,
        }]);
        assert!(t.len() < 400, "{}", t.len());
        assert!(t.contains(&format!("{}…", "9".repeat(MAX_CELL - 1))));
    }
}
