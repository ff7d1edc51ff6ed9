//! `mpcegosign audit verify` and `audit show`: a log read as a stream
//! (`audit::scan`), each record printed as soon as it is checked. A file that is no
//! audit log is refused in one line; `verify` stops after [`MAX_FAILED_LINES`].

use std::ops::ControlFlow;
use std::path::Path;

use mpcegosign::audit::chain::ChainProblem;
use mpcegosign::audit::roster::{self, Roster};
use mpcegosign::audit::scan::{self, Item};
use mpcegosign::audit::{log, show, verify};
use mpcegosign::fsutil;
use mpcegosign::sanitize::sanitize;
use mpcegosign::share::KeyShare;

use super::passphrase::{self, Purpose};
use super::{share_io, CliError, PassphraseArgs};

/// The most FAILED lines `audit verify` prints before it stops reading.
const MAX_FAILED_LINES: usize = 100;

/// A file that is no audit log, in one line.
fn not_a_log_error(file: &Path, why: &str) -> CliError {
    CliError::new(format!("{}: {why}", file.display()))
        .hint("check the file name (a party's log is mpcegosign-audit.jsonl beside its share)")
}

pub(super) fn load_share(path: &Path, args: &PassphraseArgs) -> Result<KeyShare, CliError> {
    let bytes = fsutil::read_secret(path)
        .map_err(|e| super::error::io_error("read the share", path, &e))?;
    let what = path.display().to_string();
    share_io::open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })
}

pub(super) fn verify_cmd(
    file: &Path,
    share: Option<&Path>,
    roster_file: Option<&Path>,
    anchor: Option<&str>,
    pass: &PassphraseArgs,
) -> Result<(), CliError> {
    if let Some(a) = anchor {
        let ok = a.trim().len() == 64 && a.trim().chars().all(|c| c.is_ascii_hexdigit());
        if !ok {
            return Err(CliError::new(
                "--anchor needs the 64 hex digits of a line hash",
            ));
        }
    }
    let roster: Option<Roster> = match (share, roster_file) {
        (Some(s), _) => Some(
            Roster::from_share(&load_share(s, pass)?)
                .map_err(|e| CliError::new(format!("{}: {e}", s.display())))?,
        ),
        (None, Some(r)) => {
            // Bounded, and (with fsutil's checks) a FIFO or device is refused.
            let bytes =
                fsutil::read_secret(r).map_err(|e| super::error::io_error("read", r, &e))?;
            Some(
                roster::parse(&bytes)
                    .map_err(|e| CliError::new(format!("{}: {e}", r.display())))?,
            )
        }
        (None, None) => None,
    };
    let mut reader = log::open(file).map_err(|e| CliError::new(e.to_string()))?;
    let mut failures = 0usize;
    let mut started = false;
    let mut not_a_log = None;
    let summary = scan::scan(&mut reader, anchor, |item| {
        if let Item::Problem(p @ ChainProblem::NotALog { .. }) = &item {
            not_a_log = Some(p.to_string());
            return ControlFlow::Break(());
        }
        if !started {
            started = true;
            if let Some(r) = &roster {
                println!(
                    "Roster: {}-of-{}, MRSIGNER {}, key code {} (compare it with the one confirmed at keygen)",
                    r.threshold,
                    r.parties,
                    hex::encode(r.mrsigner()),
                    r.key_code
                );
            }
        }
        match item {
            Item::Problem(p) => {
                failures += 1;
                println!("chain: FAILED: {p}");
            }
            Item::Record(line) => match &roster {
                None => println!("line {}: intact (signatures not checked)", line.number),
                Some(r) => failures += print_check(&verify::check_record(&line, r)),
            },
        }
        if failures > MAX_FAILED_LINES {
            println!("more than {MAX_FAILED_LINES} problems: not read further");
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    })
    .map_err(|e| super::error::io_error("read", file, &e))?;
    if let Some(why) = not_a_log {
        return Err(not_a_log_error(file, &why));
    }
    match summary.stopped_at {
        Some(at) => println!("stopped at line {at}"),
        None => println!(
            "{} line(s); head (publish it to anchor the log): {}",
            summary.line_count,
            summary.head.as_deref().unwrap_or("none (empty log)")
        ),
    }
    if roster.is_none() {
        println!(
            "Message signatures NOT checked: pass --share FILE or --roster public-roster.json"
        );
    }
    if failures > 0 {
        return Err(CliError::mismatch(format!(
            "{}: {failures} problem(s) found (listed above)",
            file.display()
        )));
    }
    if roster.is_some() {
        println!("{}: verified", file.display());
    } else {
        println!("{}: chain intact; signatures not checked", file.display());
    }
    Ok(())
}

/// Prints what was found about one record; returns the number of FAILED lines.
fn print_check(c: &verify::RecordCheck) -> usize {
    if let Some(why) = &c.skipped {
        println!("line {}: SKIPPED: {}", c.line, sanitize(why));
        return 0;
    }
    if c.problems.is_empty() {
        println!("line {}: OK: {}", c.line, sanitize(&c.summary));
        return 0;
    }
    for p in c.problems.iter().take(MAX_FAILED_LINES + 1) {
        println!("line {}: FAILED: {}", c.line, sanitize(p));
    }
    c.problems.len()
}

pub(super) fn show_cmd(file: &Path) -> Result<(), CliError> {
    let mut reader = log::open(file).map_err(|e| CliError::new(e.to_string()))?;
    let mut problems = 0usize;
    let mut not_a_log = None;
    let mut header = false;
    let summary = scan::scan(&mut reader, None, |item| {
        match item {
            Item::Problem(p @ ChainProblem::NotALog { .. }) => {
                not_a_log = Some(p.to_string());
                return ControlFlow::Break(());
            }
            Item::Problem(_) => problems += 1,
            Item::Record(line) => {
                if let Some(row) = show::row(&line) {
                    if !header {
                        header = true;
                        print!("{}", show::header());
                    }
                    print!("{row}");
                }
            }
        }
        ControlFlow::Continue(())
    })
    .map_err(|e| super::error::io_error("read", file, &e))?;
    if let Some(why) = not_a_log {
        return Err(not_a_log_error(file, &why));
    }
    if !header {
        print!("{}", show::header());
    }
    if problems > 0 || summary.stopped_at.is_some() {
        eprintln!(
            "mpcegosign: warning: {problems} problem(s) in the log's chain{} (damaged lines are not shown); run `mpcegosign audit verify {}`",
            summary
                .stopped_at
                .map(|at| format!(", not read past line {at}"))
                .unwrap_or_default(),
            file.display()
        );
    }
    Ok(())
}
