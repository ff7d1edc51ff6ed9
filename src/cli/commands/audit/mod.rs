//! `mpcegosign audit …` (verify and show are in `read`; roster here), the
//! `--audit-log` / `--no-audit-log` flags, and the [`Recorder`] that keygen and
//! sign use to write their record.
//!
//! When a record is written: a signer writes its record before it sends its answer
//! (if the log cannot be written, nothing is sent); the initiator writes its record
//! after the signed output is verified and written (the record holds the output's
//! SHA-256); keygen writes after the share is saved. The log is checked before every
//! ceremony starts, so a late failure is rare; if it happens, the command fails and
//! prints the record on stderr, so it can be appended by hand: nothing is lost.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Subcommand};
use mpcegosign::audit::build::{self, Outcome};
use mpcegosign::audit::record::{sha256_hex, Event, Ignored, Output, SvnRollbackEvent};
use mpcegosign::audit::{log, LOG_FILE_NAME};
use mpcegosign::audit::{reshare, roster};
use mpcegosign::ceremony::sign::{Progress, SignError};
use mpcegosign::fsutil::{self, PUBLIC_MODE};
use mpcegosign::key::to_fixed_be;
use mpcegosign::protocol::Message;
use mpcegosign::sanitize::sanitize;
use mpcegosign::share::KeyShare;

use crate::cli::error::CliError;
use crate::cli::io::terminal::passphrase::PassphraseArgs;
use read::{load_share, show_cmd, verify_cmd};

mod batch;
mod read;

/// Where a ceremony's audit record goes.
#[derive(Args, Debug, Clone)]
pub struct AuditLogArgs {
    /// Append this ceremony's audit record to FILE. Default: mpcegosign-audit.jsonl beside the share.
    #[arg(long, value_name = "FILE", conflicts_with = "no_audit_log")]
    pub audit_log: Option<PathBuf>,
    /// Write no audit record.
    #[arg(long)]
    pub no_audit_log: bool,
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: AuditCommand,
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Check a log's hash chain and every message signature against the roster.
    Verify {
        /// The audit log (mpcegosign-audit.jsonl).
        file: PathBuf,
        /// Take the roster from this share (plain, or encrypted: asks its passphrase).
        #[arg(long, value_name = "FILE", conflicts_with = "roster")]
        share: Option<PathBuf>,
        /// Take the roster from a public-roster.json (`audit roster` writes one).
        #[arg(long, value_name = "FILE")]
        roster: Option<PathBuf>,
        /// A line hash published earlier (`audit verify` prints the head): it must still be in the log.
        #[arg(long, value_name = "HEX")]
        anchor: Option<String>,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Print a table of the signings in a log (what the records say; `verify` proves it).
    Show {
        /// The audit log.
        file: PathBuf,
    },
    /// Write a share's public roster (public-roster.json) for auditors: no secret in it.
    Roster {
        /// The share (plain, or encrypted: asks its passphrase).
        #[arg(long, value_name = "FILE")]
        share: PathBuf,
        /// Where to write it. Default: stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing output.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
}

pub fn run(args: AuditArgs) -> Result<(), CliError> {
    match args.command {
        AuditCommand::Verify {
            file,
            share,
            roster,
            anchor,
            passphrase,
        } => verify_cmd(
            &file,
            share.as_deref(),
            roster.as_deref(),
            anchor.as_deref(),
            &passphrase,
        ),
        AuditCommand::Show { file } => show_cmd(&file),
        AuditCommand::Roster {
            share,
            out,
            force,
            passphrase,
        } => roster_cmd(&share, out.as_deref(), force, &passphrase),
    }
}

fn audit_error(e: mpcegosign::audit::AuditError) -> CliError {
    CliError::new(e.to_string())
}

fn roster_cmd(
    share: &Path,
    out: Option<&Path>,
    force: bool,
    pass: &PassphraseArgs,
) -> Result<(), CliError> {
    let s = load_share(share, pass)?;
    let file =
        roster::file_of(&s).map_err(|e| CliError::new(format!("{}: {e}", share.display())))?;
    let mut json = serde_json::to_string_pretty(&file)
        .map_err(|e| CliError::new(format!("cannot encode the roster: {e}")))?;
    json.push('\n');
    match out {
        None => print!("{json}"),
        Some(path) => {
            fsutil::write_new(path, json.as_bytes(), PUBLIC_MODE, force)
                .map_err(|e| CliError::new(e.to_string()))?;
            eprintln!("Wrote {} (key code {})", path.display(), file.key_code);
        }
    }
    Ok(())
}

/// At most this many refused messages are listed in a record.
const MAX_IGNORED: usize = 64;

/// Collects what a ceremony sent and accepted, and writes its record at the end.
/// A disabled recorder (`--no-audit-log`) does nothing.
pub struct Recorder {
    path: Option<PathBuf>,
    party: u8,
    mrsigner: [u8; 32],
    sent_init: Option<Vec<u8>>,
    accepted: Vec<Vec<u8>>,
    ignored: Vec<Ignored>,
    signature: Option<(Vec<u8>, Vec<u8>)>,
    reviewed: Vec<u8>,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn log_path(args: &AuditLogArgs, beside: &Path) -> Option<PathBuf> {
    if args.no_audit_log {
        return None;
    }
    Some(
        args.audit_log
            .clone()
            .unwrap_or_else(|| beside.join(LOG_FILE_NAME)),
    )
}

impl Recorder {
    /// For a signing with `share` (read from `share_path`): checks the log can be
    /// appended to before the ceremony starts.
    pub fn open(
        args: &AuditLogArgs,
        share_path: &Path,
        share: &KeyShare,
    ) -> Result<Self, CliError> {
        let dir = share_path.parent().unwrap_or(Path::new(""));
        Self::at(
            log_path(args, dir),
            share.party(),
            share.public().mrsigner(),
        )
    }

    /// For a keygen writing into `out_dir`.
    pub fn open_keygen(args: &AuditLogArgs, out_dir: &Path) -> Result<Self, CliError> {
        Self::at(log_path(args, out_dir), 0, [0; 32])
    }

    fn at(path: Option<PathBuf>, party: u8, mrsigner: [u8; 32]) -> Result<Self, CliError> {
        if let Some(p) = &path {
            log::preflight(p).map_err(|e| {
                CliError::new(e.to_string())
                    .hint("or choose another --audit-log FILE (--no-audit-log writes none)")
            })?;
        }
        Ok(Recorder {
            path,
            party,
            mrsigner,
            sent_init: None,
            accepted: Vec::new(),
            ignored: Vec::new(),
            signature: None,
            reviewed: Vec::new(),
        })
    }

    /// Initiator: the SIGN-INIT it sent.
    pub fn sent(&mut self, msg: &Message) {
        self.sent_init = Some(msg.encode());
    }

    /// Initiator: notes what became of one received message, and passes the result on.
    pub fn saw(
        &mut self,
        bytes: &[u8],
        r: Result<Progress, SignError>,
    ) -> Result<Progress, SignError> {
        match &r {
            Ok(p) => {
                self.accepted.push(bytes.to_vec());
                if let Progress::Complete { signature, subset } = p {
                    self.signature = Some((to_fixed_be(signature).to_vec(), subset.parties()));
                }
            }
            Err(e) if self.ignored.len() < MAX_IGNORED => self.ignored.push(Ignored {
                sha256: sha256_hex(bytes),
                reason: e.to_string(),
            }),
            Err(_) => {}
        }
        r
    }

    /// Signer: the message being reviewed (the last one is the one answered).
    pub fn reviewing<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        self.reviewed = bytes.to_vec();
        bytes
    }

    fn write(&self, event: Event) -> Result<(), CliError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let record = build::record(self.party, &self.mrsigner, now(), event);
        log::append(path, record.clone()).map(|_| ()).map_err(|e| {
            // The record is public: show it, so that it can be appended by hand.
            if let Ok(line) = record.to_line() {
                eprintln!("mpcegosign: the audit record that could not be written (seq and prev are filled in when appended):");
                eprintln!("{}", sanitize(&line));
            }
            CliError::new(format!("the audit record could not be written: {e}"))
        })
    }

    /// Signer: the SIGN-INIT being answered, as received.
    pub fn reviewed(&self) -> &[u8] {
        &self.reviewed
    }

    /// Signer: records an SVN rollback override, before the signing it allows.
    pub fn svn_rollback(&self, ev: SvnRollbackEvent) -> Result<(), CliError> {
        self.write(Event::SvnRollback(ev))
            .map_err(|e| CliError::new(format!("{e}; nothing was signed")))
    }

    /// Signer: writes the record of its answer, before the answer is sent.
    pub fn answer(&self, answer: &Message) -> Result<(), CliError> {
        if self.path.is_none() {
            return Ok(());
        }
        let ev = build::signer_event(&self.reviewed, &answer.encode()).map_err(audit_error)?;
        self.write(Event::SignSigner(ev))
            .map_err(|e| CliError::new(format!("{e}; nothing was sent to the initiator")))
    }

    /// Initiator: the ceremony failed with `e`; records that (when the SIGN-INIT went
    /// out) and passes the error on.
    pub fn failed(&self, e: CliError) -> CliError {
        let Some(init) = &self.sent_init else {
            return e;
        };
        if self.path.is_none() {
            return e;
        }
        let ev = build::initiator_event(
            init,
            &self.accepted,
            self.ignored.clone(),
            Outcome::Failed(e.to_string()),
        );
        match ev
            .map_err(audit_error)
            .and_then(|ev| self.write(Event::SignInitiator(ev)))
        {
            Ok(()) => e,
            Err(w) => CliError::new(format!("{e}; and {w}")),
        }
    }

    /// Initiator: the signed output was written to `out`.
    pub fn signed(&self, out: &Path) -> Result<(), CliError> {
        if self.path.is_none() {
            return Ok(());
        }
        let (Some(init), Some((signature, subset))) = (&self.sent_init, &self.signature) else {
            return Err(CliError::new(
                "the audit record lacks the SIGN-INIT or the signature",
            ));
        };
        let bytes =
            std::fs::read(out).map_err(|e| crate::cli::error::io_error("read back", out, &e))?;
        let output = Output {
            path: out.display().to_string(),
            sha256: sha256_hex(&bytes),
        };
        let ev = build::initiator_event(
            init,
            &self.accepted,
            self.ignored.clone(),
            Outcome::Signed {
                signature: signature.clone(),
                subset: subset.clone(),
                output,
            },
        )
        .map_err(audit_error)?;
        self.write(Event::SignInitiator(ev)).map_err(|e| {
            CliError::new(format!(
                "{} was written and verified, but {e}",
                out.display()
            ))
        })
    }

    /// Recover (receiver or giver): the record of what was given, and written.
    pub fn recover(&self, ev: mpcegosign::audit::record::RecoverEvent) -> Result<(), CliError> {
        self.write(Event::Recover(ev))
    }

    /// `refresh`: the new generation was saved and the old share retired.
    pub fn refresh(&self, ev: mpcegosign::audit::record::RefreshEvent) -> Result<(), CliError> {
        self.write(Event::Refresh(ev))
    }

    /// `share retire`: the share was marked retired.
    pub fn retire(&self, ev: mpcegosign::audit::retire::RetireEvent) -> Result<(), CliError> {
        self.write(Event::Retire(ev))
    }

    /// A reshare's dealer, in its old roster's log: the link to the new keygen.
    pub fn reshare(&self, ev: mpcegosign::audit::record::ReshareEvent) -> Result<(), CliError> {
        self.write(Event::Reshare(ev))
    }

    /// Whether a record will be written (no `--no-audit-log`).
    pub fn enabled(&self) -> bool {
        self.path.is_some()
    }

    /// Keygen: the share was saved. `init` is the KEYGEN-INIT as sent or received
    /// (a reshare's is kept in the record); `None` for `keygen --resume`.
    pub fn keygen(
        mut self,
        share: &KeyShare,
        dealer: bool,
        init: Option<&[u8]>,
    ) -> Result<(), CliError> {
        if self.path.is_none() {
            return Ok(());
        }
        self.party = share.party();
        self.mrsigner = share.public().mrsigner();
        let ev = match init {
            Some(init) => reshare::keygen_event(share, dealer, init),
            None => build::keygen_event(share, dealer),
        }
        .map_err(audit_error)?;
        self.write(Event::Keygen(ev))
            .map_err(|e| CliError::new(format!("the share was saved, but {e}")))
    }
}
