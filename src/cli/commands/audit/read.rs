//! `mpcegosign audit verify` and `audit show`: a log read as a stream
//! (`audit::scan`), each record printed as soon as it is checked. A file that is no
//! audit log is refused in one line; `verify` stops after [`MAX_FAILED_LINES`].

use std::io::Write;
use std::ops::ControlFlow;
use std::path::Path;

use mpcegosign::audit::chain::ChainProblem;
use mpcegosign::audit::follow::Follow;
use mpcegosign::audit::roster::{self, Roster};
use mpcegosign::audit::scan::{self, Item};
use mpcegosign::audit::{log, show, verify};
use mpcegosign::fsutil;
use mpcegosign::hex32;
use mpcegosign::sanitize::sanitize;
use mpcegosign::share::KeyShare;

use crate::cli::error::CliError;
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::passphrase::{self, PassphraseArgs, Purpose};

/// The most FAILED lines `audit verify` prints before it stops reading.
const MAX_FAILED_LINES: usize = 100;

/// A file that is no audit log, in one line.
fn not_a_log_error(file: &Path, why: &str) -> CliError {
    CliError::new(format!("{}: {why}", file.display()))
        .hint("check the file name (a party's log is mpcegosign-audit.jsonl beside its share)")
}

pub(super) fn load_share(path: &Path, args: &PassphraseArgs) -> Result<KeyShare, CliError> {
    let bytes = fsutil::read_secret(path)
        .map_err(|e| crate::cli::error::io_error("read the share", path, &e))?;
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
        if hex32::parse(a).is_none() {
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
                fsutil::read_secret(r).map_err(|e| crate::cli::error::io_error("read", r, &e))?;
            Some(
                roster::parse(&bytes)
                    .map_err(|e| CliError::new(format!("{}: {e}", r.display())))?,
            )
        }
        (None, None) => None,
    };
    let mut reader = log::open(file).map_err(|e| CliError::new(e.to_string()))?;
    let mut out = Out::default();
    let mut failures = 0usize;
    let mut started = false;
    // Follows the key from roster to roster (reshares) and generation to generation.
    let mut follow = roster.clone().map(Follow::new);
    let mut not_a_log = None;
    let summary = scan::scan(&mut reader, anchor, |item| {
        if let Item::Problem(p @ ChainProblem::NotALog { .. }) = &item {
            not_a_log = Some(p.to_string());
            return ControlFlow::Break(());
        }
        if !started {
            started = true;
            if let Some(r) = &roster {
                out.line(format_args!(
                    "Roster: {}-of-{}, MRSIGNER {}, key code {} (compare it with the one confirmed at keygen)",
                    r.threshold,
                    r.parties,
                    hex::encode(r.mrsigner()),
                    r.key_code
                ))?;
            }
        }
        match item {
            Item::Problem(p) => {
                failures += 1;
                out.line(format_args!("chain: FAILED: {p}"))?;
            }
            Item::Record(line) => match &mut follow {
                None => out.line(format_args!(
                    "line {}: intact (signatures not checked)",
                    line.number
                ))?,
                Some(f) => failures += print_check(&mut out, &f.check(&line))?,
            },
        }
        if failures > MAX_FAILED_LINES {
            out.line(format_args!(
                "more than {MAX_FAILED_LINES} problems: not read further"
            ))?;
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    })
    .map_err(|e| crate::cli::error::io_error("read", file, &e))?;
    if let Some(why) = not_a_log {
        return Err(not_a_log_error(file, &why));
    }
    let _ = match summary.stopped_at {
        Some(at) => out.line(format_args!("stopped at line {at}")),
        None => out.line(format_args!(
            "{} line(s); head (publish it to anchor the log): {}",
            summary.line_count,
            summary.head.as_deref().unwrap_or("none (empty log)")
        )),
    };
    if roster.is_none() {
        let _ = out.line(
            "Message signatures NOT checked: pass --share FILE or --roster public-roster.json",
        );
    }
    if out.closed {
        return Err(CliError::new(format!(
            "{}: the output was closed before the whole log was read: nothing was verified",
            file.display()
        )));
    }
    if failures > 0 {
        return Err(CliError::mismatch(format!(
            "{}: {failures} problem(s) found (listed above)",
            file.display()
        )));
    }
    let _ = if roster.is_some() {
        out.line(format_args!("{}: verified", file.display()))
    } else {
        out.line(format_args!(
            "{}: chain intact; signatures not checked",
            file.display()
        ))
    };
    Ok(())
}

/// Standard output for a report as long as the log. A closed pipe (`audit verify
/// FILE | head`) stops the reading (`closed`) instead of a panic.
#[derive(Default)]
struct Out {
    closed: bool,
}

impl Out {
    fn line(&mut self, text: impl std::fmt::Display) -> ControlFlow<()> {
        if !self.closed && writeln!(std::io::stdout().lock(), "{text}").is_err() {
            self.closed = true;
        }
        match self.closed {
            true => ControlFlow::Break(()),
            false => ControlFlow::Continue(()),
        }
    }
}

/// Prints what was found about one record; returns the number of FAILED lines.
fn print_check(out: &mut Out, c: &verify::RecordCheck) -> ControlFlow<(), usize> {
    if let Some(why) = &c.skipped {
        out.line(format_args!("line {}: SKIPPED: {}", c.line, sanitize(why)))?;
        return ControlFlow::Continue(0);
    }
    if c.problems.is_empty() {
        out.line(format_args!(
            "line {}: OK: {}",
            c.line,
            sanitize(&c.summary)
        ))?;
        return ControlFlow::Continue(0);
    }
    for p in c.problems.iter().take(MAX_FAILED_LINES + 1) {
        out.line(format_args!("line {}: FAILED: {}", c.line, sanitize(p)))?;
    }
    ControlFlow::Continue(c.problems.len())
}

pub(super) fn show_cmd(file: &Path) -> Result<(), CliError> {
    let mut reader = log::open(file).map_err(|e| CliError::new(e.to_string()))?;
    let mut out = Out::default();
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
                        out.line(show::header().trim_end())?;
                    }
                    out.line(row.trim_end())?;
                }
            }
        }
        ControlFlow::Continue(())
    })
    .map_err(|e| crate::cli::error::io_error("read", file, &e))?;
    if let Some(why) = not_a_log {
        return Err(not_a_log_error(file, &why));
    }
    if out.closed {
        // The reader of the table has seen enough (`| head`).
        return Ok(());
    }
    if !header {
        let _ = out.line(show::header().trim_end());
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
