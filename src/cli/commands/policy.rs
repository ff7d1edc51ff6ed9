//! `mpcegosign policy check`: runs the signer's policy and the SVN anti-rollback
//! check on a SIGN-INIT without signing: one line per broken rule, exit 1 if any.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use mpcegosign::ceremony::sign::{request_origin, Origin};
use mpcegosign::protocol::{parts, text};

use crate::cli::error::CliError;
use crate::cli::io::files::policy::{facts_of, load_policy, log_path, requested, Gate};
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::passphrase::PassphraseArgs;

#[derive(Args, Debug)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

#[derive(Subcommand, Debug)]
pub enum PolicyCommand {
    /// Judge a SIGN-INIT by a signer's policy and SVN history, without signing.
    Check {
        /// The policy. Default: policy.toml beside --share.
        #[arg(long, value_name = "FILE")]
        policy: Option<PathBuf>,
        /// The signer's share: its policy.toml and audit log, and its roster to tell
        /// who signed the request.
        #[arg(long, value_name = "FILE", required_unless_present = "policy")]
        share: Option<PathBuf>,
        /// The signer's audit log, for the SVN check. Default: the one beside --share.
        #[arg(long, value_name = "FILE")]
        audit_log: Option<PathBuf>,
        /// The SIGN-INIT (its text line, or its parts). Default: standard input.
        request: Option<PathBuf>,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
}

pub fn run(args: PolicyArgs) -> Result<(), CliError> {
    match args.command {
        PolicyCommand::Check {
            policy,
            share,
            audit_log,
            request,
            passphrase,
        } => check(
            policy.as_deref(),
            share.as_deref(),
            audit_log.as_deref(),
            request.as_deref(),
            &passphrase,
        ),
    }
}

/// The longest input read: a SIGN-INIT is well under this, in any form.
const MAX_INPUT: u64 = 1 << 20;

/// The message bytes in pasted text: one `mpcegosign2:` line, or its parts.
fn message_from_text(input: &str) -> Result<Vec<u8>, CliError> {
    let mut assembler = parts::Assembler::new();
    for line in input.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if parts::is_part(line) {
            let part = parts::parse(line).map_err(|e| CliError::new(e.to_string()))?;
            if let parts::Fed::Whole { message, .. } = assembler
                .feed(part)
                .map_err(|e| CliError::new(e.to_string()))?
            {
                return Ok(message);
            }
        } else if line.starts_with(text::PREFIX) {
            return text::decode(line).map_err(|e| CliError::new(format!("the SIGN-INIT: {e}")));
        }
    }
    Err(
        CliError::new("no SIGN-INIT in the input (a line starting mpcegosign2:, or all its parts)")
            .hint("paste the SIGN-INIT line the initiator sent, or give the file holding it"),
    )
}

fn read_input(request: Option<&Path>) -> Result<String, CliError> {
    let mut input = String::new();
    match request {
        Some(p) if p.as_os_str() != "-" => {
            let f = mpcegosign::fsutil::open_regular(p)
                .map_err(|e| crate::cli::error::io_error("read", p, &e))?;
            f.take(MAX_INPUT)
                .read_to_string(&mut input)
                .map_err(|e| crate::cli::error::io_error("read", p, &e))?;
        }
        _ => {
            std::io::stdin()
                .take(MAX_INPUT)
                .read_to_string(&mut input)
                .map_err(|e| CliError::new(format!("cannot read standard input: {e}")))?;
        }
    }
    Ok(input)
}

fn check(
    policy: Option<&Path>,
    share_path: Option<&Path>,
    audit_log: Option<&Path>,
    request: Option<&Path>,
    pass: &PassphraseArgs,
) -> Result<(), CliError> {
    // The policy first: a bad file is told before anything else is read.
    let policy_in_force = load_policy(policy, share_path)?;
    let share = share_path
        .map(|p| share_io::load_share(p, pass))
        .transpose()?;
    let bytes = message_from_text(&read_input(request)?)?;
    let inits = requested(&bytes)?;
    let init = &inits[0].1;
    // Who sent it: proven only through the share's roster.
    let origin = match &share {
        Some(s) => {
            request_origin(s, &bytes)
                .map_err(|e| CliError::new(format!("the SIGN-INIT: {e}")))?
                .1
        }
        None => Origin::NoRoster,
    };
    if origin == Origin::UnsignedAllowed {
        eprintln!(
            "Warning: this SIGN-INIT is not signed by party {}'s identity key: a signer with this share ignores it (unless --accept-unsigned-init); judged as unauthenticated.",
            init.initiator
        );
    }
    if let Some(s) = &share {
        if init.mrsigner != s.public().mrsigner() {
            return Err(CliError::new(format!(
                "the SIGN-INIT asks for MRSIGNER {}, not this share's key",
                hex::encode(init.mrsigner)
            )));
        }
    }
    let log = match (audit_log, share_path) {
        (Some(l), _) => l.to_path_buf(),
        (None, Some(s)) => log_path(None, s),
        (None, None) => {
            return Err(CliError::new(
                "the SVN anti-rollback check needs the signer's audit log: pass --audit-log FILE or --share FILE",
            ))
        }
    };
    let gate = Gate::open(policy_in_force, &log, &init.mrsigner)?;
    for line in gate.describe() {
        eprintln!("{line}");
    }
    let mut lines = Vec::new();
    for (label, init) in &inits {
        let facts = facts_of(share.as_ref(), init, origin)?;
        eprintln!(
            "{}Request from party {} ({}): MRENCLAVE {}, ISVPRODID {}, ISVSVN {}, DEBUG {}, dated {}",
            label.as_ref().map(|l| format!("{l}: ")).unwrap_or_default(),
            init.initiator,
            match origin {
                Origin::Authenticated => "signed by its identity key",
                _ => "not authenticated",
            },
            hex::encode(facts.mrenclave),
            facts.isv_prod_id,
            facts.isv_svn,
            if facts.debug() { "yes" } else { "no" },
            facts.date
        );
        for l in gate.judge(&facts).lines() {
            lines.push(match label {
                Some(label) => format!("{label}: {l}"),
                None => l,
            });
        }
    }
    if lines.is_empty() {
        println!("allowed: the policy and the SVN anti-rollback check accept this request");
        return Ok(());
    }
    for l in &lines {
        eprintln!("mpcegosign: {l}");
    }
    Err(CliError::new(format!(
        "{} reason(s) to refuse this request; a signer with this policy declines it",
        lines.len()
    )))
}
