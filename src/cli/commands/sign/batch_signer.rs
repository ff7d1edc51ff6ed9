//! The signer's side of a batch (SIGN-INIT-BATCH): the enclaves shown as one table
//! fitted to the terminal, the policy and SVN anti-rollback run on every enclave (one
//! broken rule of one enclave declines the batch, named), and one question for all.

use mpcegosign::ceremony::sign::{BatchReview, Origin};
use mpcegosign::protocol::{Message, SignInitBatch};
use mpcegosign::sgx::{Date, SignedRegions};
use mpcegosign::share::KeyShare;
use mpcegosign::transport::Transport;

use super::time_limit::{answering, TimeLimit};
use super::SignArgs;
use super::{send, send_decline, Answer};
use crate::cli::commands::audit::Recorder;
use crate::cli::error::CliError;
use crate::cli::io::files::policy::{facts_of, Gate};
use crate::cli::io::terminal::console::confirm;

/// The SIGN-INIT-BATCH being answered, as the recorder holds it.
fn batch_init(audit: &Recorder) -> Result<SignInitBatch, CliError> {
    match Message::decode(audit.reviewed()) {
        Ok(Message::SignInitBatch(init)) => Ok(init),
        _ => Err(CliError::new(
            "the reviewed request is not a readable SIGN-INIT-BATCH",
        )),
    }
}

/// The rows of the table: a header and one row per enclave.
pub fn table_rows(b: &BatchReview, init: &SignInitBatch) -> Vec<[String; 7]> {
    let mut rows = vec![[
        "name",
        "MRENCLAVE",
        "ISVPRODID",
        "ISVSVN",
        "debug",
        "attributes",
        "date",
    ]
    .map(String::from)];
    for (item, e) in b.enclaves.iter().zip(&init.enclaves) {
        let r = &item.review;
        let flags = SignedRegions::from_bytes(&e.regions)
            .map(|g| format!("{:#x}", g.attributes_flags()))
            .unwrap_or_else(|_| "?".into());
        rows.push([
            item.name.clone(),
            format!("{}…", &hex::encode(r.mrenclave)[..16]),
            r.isv_prod_id.to_string(),
            r.isv_svn.to_string(),
            if r.debug { "YES" } else { "no" }.to_string(),
            flags,
            r.date.to_string(),
        ]);
    }
    rows
}

/// The table aligned in columns, the name column cut (with `…`) so that every line
/// fits `width` characters.
pub fn format_table(rows: &[[String; 7]], width: usize) -> Vec<String> {
    let chars = |s: &str| s.chars().count();
    let mut widths = [0usize; 7];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(chars(cell));
        }
    }
    // Two spaces of indent and two between columns.
    let others: usize = widths[1..].iter().sum::<usize>() + 2 + 2 * 6;
    widths[0] = widths[0].min(width.saturating_sub(others).max(6));
    rows.iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, w)| {
                    let cut: String = if chars(cell) > w {
                        cell.chars().take(w - 1).chain(['…']).collect()
                    } else {
                        cell.clone()
                    };
                    format!("{cut:<w$}")
                })
                .collect();
            format!("  {}", cells.join("  ").trim_end())
        })
        .collect()
}

fn show(b: &BatchReview, init: &SignInitBatch, share: &KeyShare) {
    eprintln!(
        "Batch signing request from party {} (session {}): {} enclaves, all or none:",
        b.initiator,
        b.session.short(),
        b.enclaves.len()
    );
    let width = terminal_size::terminal_size_of(std::io::stderr())
        .map(|(w, _)| usize::from(w.0))
        .unwrap_or(100);
    for line in format_table(&table_rows(b, init), width) {
        eprintln!("{line}");
    }
    for item in &b.enclaves {
        eprintln!(
            "  {} MRENCLAVE {}",
            item.name,
            hex::encode(item.review.mrenclave)
        );
        for (name, value) in item.review.framework.iter().flat_map(|d| d.lines()) {
            eprintln!("    {name:<10} {value}");
        }
    }
    eprintln!("  MRSIGNER  {} (your key)", hex::encode(b.mrsigner));
    eprintln!(
        "  Origin    {}",
        match b.origin {
            Origin::Authenticated => format!("signed by party {}'s identity key", b.initiator),
            _ => "UNSIGNED".to_string(),
        }
    );
    eprintln!(
        "  Signers   {} (you are party {})",
        b.signers,
        share.party()
    );
}

/// Every rule a batch breaks, one line each naming its enclave, from the policy,
/// SVN anti-rollback, `--yes` without every MRENCLAVE expected, and the date.
fn refusals(
    args: &SignArgs,
    share: &KeyShare,
    gate: &Gate,
    b: &BatchReview,
    init: &SignInitBatch,
    expect: &[[u8; 32]],
) -> Result<(Vec<String>, Vec<&'static str>), CliError> {
    let mut lines = Vec::new();
    let mut codes = Vec::new();
    let today = Date::today_utc();
    for (i, (item, e)) in b.enclaves.iter().zip(&init.enclaves).enumerate() {
        let one = init.single_for(e);
        let facts = facts_of(Some(share), &one, b.origin)?;
        let judgement = gate.judge(&facts);
        codes.extend(judgement.broken.iter().map(|x| x.rule));
        if judgement.rollback.is_some() {
            codes.push("svn-rollback");
        }
        for l in judgement.lines() {
            lines.push(format!("enclave {} ({}): {l}", i + 1, item.name));
        }
        if args.yes && !expect.contains(&item.review.mrenclave) {
            lines.push(format!(
                "enclave {} ({}): --yes signs a batch only when every MRENCLAVE is given with --expect-mrenclave",
                i + 1,
                item.name
            ));
        }
        if item.review.days_from(today).abs() > 1 && !args.allow_any_date {
            lines.push(format!(
                "enclave {} ({}): the SIGSTRUCT is dated {}, not today ({today} UTC, ±1 day); --allow-any-date signs it",
                i + 1,
                item.name,
                item.review.date
            ));
        }
    }
    codes.sort_unstable();
    codes.dedup();
    Ok((lines, codes))
}

/// Shows a reviewed batch, screens every enclave, asks once, and signs all or declines.
pub fn answer_batch(
    args: &SignArgs,
    share: &KeyShare,
    gate: &Gate,
    audit: &Recorder,
    transport: &mut dyn Transport,
    limit: Option<&TimeLimit>,
    (expect, b): (&[[u8; 32]], BatchReview),
) -> Result<Answer, CliError> {
    let init = batch_init(audit)?;
    show(&b, &init, share);
    let decline = |transport: &mut dyn Transport, reason: &str, message: &str| {
        send_decline(&b.decline(share, reason), audit, transport, limit, message)
    };
    let (lines, codes) = refusals(args, share, gate, &b, &init, expect)?;
    if !lines.is_empty() {
        for l in &lines {
            eprintln!("mpcegosign: {l}");
        }
        let codes = if codes.is_empty() {
            String::new()
        } else {
            format!(" [{}]", codes.join(", "))
        };
        let reason = format!(
            "party {} declines the batch{codes}: {}",
            share.party(),
            lines.join("; ")
        );
        let hint = if args.allow_svn_rollback {
            " (--allow-svn-rollback is for one enclave at a time: sign a rollback alone)"
        } else {
            ""
        };
        return decline(
            transport,
            &reason,
            &format!(
                "declined the batch: {} reason(s), sent to the initiator{hint}",
                lines.len()
            ),
        );
    }
    if !args.yes && !confirm(&format!("Sign all {} enclaves?", b.enclaves.len()))? {
        return decline(
            transport,
            &format!("party {} declined to sign the batch", share.party()),
            "you declined to sign",
        );
    }
    answering(limit, || {
        let partial = b.sign(share).map_err(|e| CliError::new(e.to_string()))?;
        audit.answer(&partial)?;
        send(transport, "SIGN-PARTIAL-BATCH", &partial)
    })?;
    Ok(Answer::Signed)
}

#[cfg(test)]
mod tests {
    use super::format_table;

    fn row(name: &str) -> [String; 7] {
        [
            name,
            "0123456789abcdef…",
            "1",
            "2",
            "no",
            "0x4",
            "2026-12-03",
        ]
        .map(String::from)
    }

    #[test]
    fn columns_align_and_long_names_are_cut_to_the_width() {
        let rows = [row("name"), row("a"), row(&"x".repeat(80))];
        let lines = format_table(&rows, 80);
        assert!(lines.iter().all(|l| l.chars().count() <= 80), "{lines:#?}");
        let col = |l: &str| l[..l.find("0123").unwrap()].chars().count();
        assert_eq!(col(&lines[1]), col(&lines[2]));
        assert!(lines[2].contains('…'));
        let wide = format_table(&rows, 200);
        assert!(wide[2].contains(&"x".repeat(80)));
    }
}
