//! SVN anti-rollback: the highest ISVSVN this party has signed for each ISVPRODID
//! under one MRSIGNER, read from its own audit log after the log's hash chain is
//! checked. A log with any chain problem is refused, never read around.
//!
//! What counts as signed: a signer's record answered "signed", and an initiator's
//! record with outcome "signed", for the MRSIGNER asked about. Both record kinds
//! have carried ISVPRODID and ISVSVN (in `enclave`) since format version 1, so
//! every record ever written counts. A signer record whose SIGN-INIT was unreadable
//! has no enclave; such a request was never signed.
//! A signer record that signed a SIGN-INIT-BATCH counts every enclave of the
//! batch, read from the request it holds. An override record
//! ([`super::record::SvnRollbackEvent`]) counts for nothing itself: the signing it
//! allowed has its own record, and the highest ISVSVN stays what it was.

use std::collections::BTreeMap;
use std::fmt;
use std::io::BufRead;
use std::ops::ControlFlow;
use std::path::Path;

use super::build::batch_enclaves;
use super::lines::LineReader;
use super::record::{Enclave, Event};
use super::scan::{scan, Item};
use super::AuditError;

/// Why the signing history cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum SvnError {
    #[error("the SVN anti-rollback check cannot trust the audit log {path}: {problem}; run `mpcegosign audit verify` on it")]
    Broken { path: String, problem: String },
    #[error("the SVN anti-rollback check cannot read the audit log: {0}")]
    Audit(#[from] AuditError),
}

/// Where the highest ISVSVN of a product was signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highest {
    pub isv_svn: u16,
    /// The log line of the record.
    pub line: usize,
}

/// The highest ISVSVN signed per ISVPRODID under one MRSIGNER.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SvnHistory {
    highest: BTreeMap<u16, Highest>,
}

/// A request that would roll back: ISVSVN below the highest signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rollback {
    pub isv_prod_id: u16,
    pub isv_svn: u16,
    pub highest: Highest,
}

impl fmt::Display for Rollback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ISVSVN {} is below ISVSVN {}, already signed for ISVPRODID {} with this key (audit log line {})",
            self.isv_svn, self.highest.isv_svn, self.isv_prod_id, self.highest.line
        )
    }
}

impl SvnHistory {
    /// The highest ISVSVN signed for `isv_prod_id`, if any.
    pub fn highest(&self, isv_prod_id: u16) -> Option<Highest> {
        self.highest.get(&isv_prod_id).copied()
    }

    /// Every product signed, with its highest ISVSVN.
    pub fn products(&self) -> impl Iterator<Item = (u16, Highest)> + '_ {
        self.highest.iter().map(|(p, h)| (*p, *h))
    }

    /// `Err` when signing `isv_svn` for `isv_prod_id` would roll back. Equal is
    /// allowed: a rebuild of a release signs the same ISVSVN again.
    pub fn check(&self, isv_prod_id: u16, isv_svn: u16) -> Result<(), Rollback> {
        match self.highest(isv_prod_id) {
            Some(h) if isv_svn < h.isv_svn => Err(Rollback {
                isv_prod_id,
                isv_svn,
                highest: h,
            }),
            _ => Ok(()),
        }
    }

    fn note(&mut self, e: &Enclave, line: usize) {
        let slot = self.highest.entry(e.isv_prod_id).or_insert(Highest {
            isv_svn: e.isv_svn,
            line,
        });
        if e.isv_svn >= slot.isv_svn {
            *slot = Highest {
                isv_svn: e.isv_svn,
                line,
            };
        }
    }
}

/// The history in the log at `path` for `mrsigner`; `Ok(None)` when there is no
/// file at `path` (the caller says so in one line: it is no pass).
pub fn history(path: &Path, mrsigner: &[u8; 32]) -> Result<Option<SvnHistory>, SvnError> {
    match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        _ => {}
    }
    let mut reader = super::log::open(path)?;
    read(&mut reader, &path.display().to_string(), mrsigner).map(Some)
}

/// The history of a log read from `reader` (`path` names it in errors).
pub fn read<R: BufRead>(
    reader: &mut LineReader<R>,
    path: &str,
    mrsigner: &[u8; 32],
) -> Result<SvnHistory, SvnError> {
    let ours = hex::encode(mrsigner);
    let mut history = SvnHistory::default();
    let mut problem = None;
    let summary = scan(reader, None, |item| match item {
        Item::Problem(p) => {
            problem = Some(p.to_string());
            ControlFlow::Break(())
        }
        Item::Record(l) => {
            let r = &l.record;
            if r.mrsigner == ours {
                let signed = match &r.event {
                    Event::SignSigner(e) if e.answer == "signed" => e.enclave.as_ref(),
                    Event::SignInitiator(e) if e.outcome == "signed" => Some(&e.enclave),
                    _ => None,
                };
                if let Some(e) = signed.filter(|e| e.mrsigner == ours) {
                    history.note(e, l.number);
                }
                // A batch: every enclave of the SIGN-INIT-BATCH it signed.
                if let Event::SignSigner(e) = &r.event {
                    if e.answer == "signed" {
                        for en in batch_enclaves(e).iter().filter(|e| e.mrsigner == ours) {
                            history.note(en, l.number);
                        }
                    }
                }
            }
            ControlFlow::Continue(())
        }
    })
    .map_err(|e| {
        SvnError::Audit(AuditError::Io {
            what: "read",
            path: path.to_string(),
            reason: e.to_string(),
        })
    })?;
    if let Some(problem) = problem {
        return Err(SvnError::Broken {
            path: path.to_string(),
            problem,
        });
    }
    if summary.stopped_at.is_some() {
        return Err(SvnError::Broken {
            path: path.to_string(),
            problem: "the chain check gave up on it".into(),
        });
    }
    Ok(history)
}

#[cfg(test)]
#[path = "svn_tests.rs"]
mod tests;
