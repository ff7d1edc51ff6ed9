//! The table of signings that `audit show` prints. Every cell is sanitised: a record
//! holds text from other parties (ABORT reasons) and the file itself may be hostile.

use super::chain::Line;
use super::record::Event;
use crate::sanitize::sanitize;

fn short(hex: &str) -> String {
    sanitize(&hex.chars().take(16).collect::<String>())
}

fn list(v: &[u8]) -> String {
    if v.is_empty() {
        return "-".into();
    }
    v.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

/// The table: a header and one row per signing record (initiator or signer).
/// What it shows is what the records say; `audit verify` proves it.
pub fn table(lines: &[Line]) -> String {
    let mut rows = vec![[
        "line".to_string(),
        "time (UTC)".into(),
        "role".into(),
        "date".into(),
        "MRENCLAVE".into(),
        "signed by".into(),
        "declined by".into(),
        "result".into(),
        "output SHA-256".into(),
    ]];
    for l in lines {
        let r = &l.record;
        match &r.event {
            Event::SignInitiator(e) => {
                let declined: Vec<u8> = e.declined.iter().map(|d| d.party).collect();
                rows.push([
                    l.number.to_string(),
                    sanitize(&r.time),
                    format!("initiator {}", r.party),
                    sanitize(&e.enclave.date),
                    short(&e.enclave.mrenclave),
                    list(&e.approved),
                    list(&declined),
                    sanitize(&e.outcome),
                    e.output
                        .as_ref()
                        .map(|o| short(&o.sha256))
                        .unwrap_or_else(|| "-".into()),
                ]);
            }
            Event::SignSigner(e) => {
                let me = [r.party];
                let (signed, declined): (&[u8], &[u8]) = if e.answer == "signed" {
                    (&me, &[])
                } else {
                    (&[], &me)
                };
                rows.push([
                    l.number.to_string(),
                    sanitize(&r.time),
                    format!("signer {}", r.party),
                    e.enclave
                        .as_ref()
                        .map(|en| sanitize(&en.date))
                        .unwrap_or_else(|| "-".into()),
                    e.enclave
                        .as_ref()
                        .map(|en| short(&en.mrenclave))
                        .unwrap_or_else(|| "-".into()),
                    list(signed),
                    list(declined),
                    sanitize(&e.answer),
                    "-".into(),
                ]);
            }
            Event::Keygen(_) => {}
        }
    }
    let widths: Vec<usize> = (0..9)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
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
    }
}
