//! The signer's policy gate: the policy in force (`--policy FILE`, else
//! `policy.toml` beside the share, else none) and the SVN anti-rollback history
//! (the audit log, checked first), judged on one SIGN-INIT. Used by the signer
//! (`sign --share`) and by `policy check`; `share info` and `selftest` show it.

use std::path::{Path, PathBuf};

use mpcegosign::audit::svn::{self, Rollback, SvnHistory};
use mpcegosign::audit::LOG_FILE_NAME;
use mpcegosign::ceremony::sign::Origin;
use mpcegosign::policy::{self, Broken, Facts, Policy, POLICY_FILE_NAME};
use mpcegosign::protocol::{Message, SignInit};
use mpcegosign::sgx::{Date, SignedRegions};
use mpcegosign::share::KeyShare;

use crate::cli::error::CliError;

/// The policy file in force: `--policy FILE`, else `policy.toml` beside the share
/// when there is one.
pub fn policy_path(flag: Option<&Path>, share: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    let beside = share?
        .parent()
        .unwrap_or(Path::new(""))
        .join(POLICY_FILE_NAME);
    beside.exists().then_some(beside)
}

/// Reads the policy in force; `None` when there is none.
pub fn load_policy(
    flag: Option<&Path>,
    share: Option<&Path>,
) -> Result<Option<(PathBuf, Policy)>, CliError> {
    let Some(path) = policy_path(flag, share) else {
        return Ok(None);
    };
    let p = policy::load(&path).map_err(|e| {
        CliError::new(e.to_string()).hint("fix the file (docs/policy.md gives the format)")
    })?;
    Ok(Some((path, p)))
}

/// The audit log the SVN check reads: `--audit-log FILE`, else the one beside the
/// share. `--no-audit-log` writes no record, but the log is still read.
pub fn log_path(flag: Option<&Path>, share: &Path) -> PathBuf {
    flag.map(Path::to_path_buf)
        .unwrap_or_else(|| share.parent().unwrap_or(Path::new("")).join(LOG_FILE_NAME))
}

/// What the SVN check knows.
pub enum Svn {
    /// No log at this path: nothing signed is on record.
    NoLog(PathBuf),
    /// The log's history, its chain checked.
    History(PathBuf, SvnHistory),
}

/// The policy and SVN history of one signer.
pub struct Gate {
    pub policy: Option<(PathBuf, Policy)>,
    pub svn: Svn,
}

/// What the gate says of one request.
pub struct Judgement {
    /// Every broken policy rule.
    pub broken: Vec<Broken>,
    /// The request rolls back the ISVSVN.
    pub rollback: Option<Rollback>,
}

impl Gate {
    /// With `policy` ([`load_policy`]), reads the log (its chain checked: a broken
    /// log is refused).
    pub fn open(
        policy: Option<(PathBuf, Policy)>,
        log: &Path,
        mrsigner: &[u8; 32],
    ) -> Result<Gate, CliError> {
        let svn = match svn::history(log, mrsigner) {
            Ok(Some(h)) => Svn::History(log.to_path_buf(), h),
            Ok(None) => Svn::NoLog(log.to_path_buf()),
            Err(e) => {
                return Err(CliError::new(e.to_string()).hint(
                    "nothing is signed on a log that cannot be trusted; restore the log from a backup, or point --audit-log at the right one",
                ))
            }
        };
        Ok(Gate { policy, svn })
    }

    /// Lines saying what is in force, for the signer, `share info` and `selftest`.
    pub fn describe(&self) -> Vec<String> {
        let mut out = describe_policy(self.policy.as_ref());
        match &self.svn {
            Svn::NoLog(p) => out.push(format!(
                "SVN anti-rollback: no audit log at {}: no earlier signing is on record, so every ISVSVN passes this check",
                p.display()
            )),
            Svn::History(p, h) => {
                let list: Vec<String> = h
                    .products()
                    .map(|(id, hi)| format!("ISVPRODID {id} ≥ ISVSVN {}", hi.isv_svn))
                    .collect();
                out.push(format!(
                    "SVN anti-rollback: on, from {} ({})",
                    p.display(),
                    if list.is_empty() {
                        "nothing signed yet".to_string()
                    } else {
                        list.join(", ")
                    }
                ));
            }
        }
        out
    }

    /// Judges `facts`.
    pub fn judge(&self, facts: &Facts) -> Judgement {
        let broken = self
            .policy
            .as_ref()
            .map(|(_, p)| policy::evaluate(p, facts))
            .unwrap_or_default();
        let rollback = match &self.svn {
            Svn::History(_, h) => h.check(facts.isv_prod_id, facts.isv_svn).err(),
            Svn::NoLog(_) => None,
        };
        Judgement { broken, rollback }
    }
}

/// The policy in force, in lines.
pub fn describe_policy(policy: Option<&(PathBuf, Policy)>) -> Vec<String> {
    match policy {
        None => vec![format!(
            "policy: none (no --policy, no {POLICY_FILE_NAME} beside the share)"
        )],
        Some((path, p)) => {
            let mut out = vec![format!("policy: {}", path.display())];
            out.extend(p.summary().into_iter().map(|l| format!("  {l}")));
            out
        }
    }
}

impl Judgement {
    /// One line per broken rule and for a rollback.
    pub fn lines(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .broken
            .iter()
            .map(|b| format!("refused by the policy: {b}"))
            .collect();
        if let Some(r) = &self.rollback {
            out.push(format!("refused by SVN anti-rollback: {r}"));
        }
        out
    }

    /// The reason a decline sends: short, with the stable rule codes first.
    pub fn reason(&self, party: u8) -> String {
        let mut codes: Vec<&str> = self.broken.iter().map(|b| b.rule).collect();
        if self.rollback.is_some() {
            codes.push("svn-rollback");
        }
        let mut details: Vec<String> = self.broken.iter().map(|b| b.detail.clone()).collect();
        if let Some(r) = &self.rollback {
            details.push(r.to_string());
        }
        format!(
            "party {party}'s policy refuses [{}]: {}",
            codes.join(", "),
            details.join("; ")
        )
    }
}

/// The facts of a SIGN-INIT that `review` accepted, as `share` sees it.
pub fn facts_of(
    share: Option<&KeyShare>,
    init: &SignInit,
    origin: Origin,
) -> Result<Facts, CliError> {
    let regions = SignedRegions::from_bytes(&init.regions)
        .map_err(|e| CliError::new(format!("the SIGN-INIT's SIGSTRUCT: {e}")))?;
    let key = match (share, origin) {
        (Some(s), Origin::Authenticated) => s.identity_of(init.initiator).map(|k| k.0),
        _ => None,
    };
    Facts::of(&regions, init.initiator, key, Date::today_utc())
        .map_err(|e| CliError::new(format!("the SIGN-INIT's SIGSTRUCT: {e}")))
}

/// The SIGN-INIT in `bytes`.
pub fn sign_init(bytes: &[u8]) -> Result<SignInit, CliError> {
    match Message::decode(bytes) {
        Ok(Message::SignInit(init)) => Ok(init),
        Ok(other) => Err(CliError::new(format!(
            "this is a {} message, not a SIGN-INIT",
            other.kind()
        ))),
        Err(e) => Err(CliError::new(format!("the SIGN-INIT cannot be read: {e}"))),
    }
}

/// The SIGN-INITs a request asks to sign, each with its label: one unlabelled for a
/// SIGN-INIT, one per enclave ("enclave 2 (worker)") for a SIGN-INIT-BATCH, whose
/// enclaves a signer screens one by one.
pub fn requested(bytes: &[u8]) -> Result<Vec<(Option<String>, SignInit)>, CliError> {
    match Message::decode(bytes) {
        Ok(Message::SignInitBatch(batch)) => Ok((0..batch.enclaves.len())
            .filter_map(|i| {
                let label = format!(
                    "enclave {} ({})",
                    i + 1,
                    mpcegosign::sanitize::sanitize(&batch.enclaves[i].name)
                );
                batch.single(i).map(|init| (Some(label), init))
            })
            .collect()),
        _ => Ok(vec![(None, sign_init(bytes)?)]),
    }
}

/// What a signer with the share at `share_path` would have in force (the default
/// policy file and log beside it), for `share info` and `selftest`: a file that
/// cannot be read is a line saying so, not an error of the command.
pub fn in_force(share_path: &Path, mrsigner: &[u8; 32]) -> Result<Vec<String>, String> {
    load_policy(None, Some(share_path))
        .and_then(|p| Gate::open(p, &log_path(None, share_path), mrsigner))
        .map(|g| g.describe())
        .map_err(|e| e.to_string())
}
