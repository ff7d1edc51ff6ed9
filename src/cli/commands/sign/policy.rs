//! The signer's policy step: the gate opened before any request is read (the
//! policy parsed, the audit log's chain checked), and each reviewed request
//! screened by it before anything is asked or signed. A refused request is
//! declined with the reasons (one line each here, all in the signed ABORT); an
//! SVN rollback is signed only with `--allow-svn-rollback` and a typed
//! confirmation, and is recorded in the audit log before the partial.

use mpcegosign::audit::record::SvnRollbackEvent;
use mpcegosign::ceremony::sign::Review;
use mpcegosign::share::KeyShare;

use super::SignArgs;
use crate::cli::commands::audit::Recorder;
use crate::cli::error::CliError;
use crate::cli::io::files::policy::{facts_of, load_policy, log_path, sign_init, Gate};
use crate::cli::io::terminal::console::ask;

/// Opens the gate of a signer and says what is in force.
pub fn open(args: &SignArgs, share: &KeyShare) -> Result<Gate, CliError> {
    if args.allow_svn_rollback && args.audit.no_audit_log {
        return Err(CliError::new(
            "--allow-svn-rollback records the override in the audit log: drop --no-audit-log",
        ));
    }
    let log = log_path(args.audit.audit_log.as_deref(), &args.share);
    let policy = load_policy(args.policy.as_deref(), Some(&args.share))?;
    let gate = Gate::open(policy, &log, &share.public().mrsigner())?;
    for line in gate.describe() {
        eprintln!("{line}");
    }
    Ok(gate)
}

/// What the gate decided for one request.
pub enum Screened {
    /// Go on (to the date check and the question); with an override to record
    /// before the partial.
    Pass(Option<SvnRollbackEvent>),
    /// Decline with this reason (sent, signed) and this line (shown).
    Decline { reason: String, message: String },
}

/// Screens the reviewed request `r` (its SIGN-INIT is the one `audit` holds).
pub fn screen(
    args: &SignArgs,
    share: &KeyShare,
    gate: &Gate,
    r: &Review,
    audit: &Recorder,
) -> Result<Screened, CliError> {
    let init = sign_init(audit.reviewed())?;
    let facts = facts_of(Some(share), &init, r.origin)?;
    let judgement = gate.judge(&facts);
    let overridable = judgement.broken.is_empty() && args.allow_svn_rollback;
    match judgement.rollback {
        Some(rollback) if overridable => {
            eprintln!("Warning: SVN rollback: {rollback}. An enclave with a lower ISVSVN can unseal what later versions sealed: signing it lets an attacker run the old, perhaps vulnerable, version.");
            let word = format!("rollback {}", facts.isv_svn);
            let typed = ask(&format!(
                "To sign ISVSVN {} anyway (--allow-svn-rollback), type `{word}`; anything else declines: ",
                facts.isv_svn
            ))?;
            if typed.split_whitespace().collect::<Vec<_>>().join(" ") != word {
                return Ok(Screened::Decline {
                    reason: format!(
                        "party {} refused an SVN rollback: {rollback}",
                        share.party()
                    ),
                    message: "the SVN rollback was not confirmed".into(),
                });
            }
            Ok(Screened::Pass(Some(SvnRollbackEvent {
                session: hex::encode(r.session.0),
                isv_prod_id: facts.isv_prod_id,
                isv_svn: facts.isv_svn,
                highest: rollback.highest.isv_svn,
                mrenclave: hex::encode(facts.mrenclave),
            })))
        }
        _ => {
            let lines = judgement.lines();
            if lines.is_empty() {
                return Ok(Screened::Pass(None));
            }
            for l in &lines {
                eprintln!("mpcegosign: {l}");
            }
            let hint = if judgement.rollback.is_some() && judgement.broken.is_empty() {
                " (--allow-svn-rollback offers to sign it after a typed confirmation)"
            } else {
                ""
            };
            Ok(Screened::Decline {
                reason: judgement.reason(share.party()),
                message: format!(
                    "declined: {} reason(s), sent to the initiator{hint}",
                    lines.len()
                ),
            })
        }
    }
}
