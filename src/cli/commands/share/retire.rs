//! `mpcegosign share retire --share FILE --by HEX32`: an old holder marks its share
//! retired after a reshare (or a refresh) replaced it. The share file is rewritten in
//! place, atomically, with the same passphrase and the same secret; from then on it
//! signs nothing (it still opens for `share info` and for a disaster `recover`).
//! Confirmed by typing `RETIRE` and the first 8 hex digits of MRSIGNER (or
//! `--confirm-mrsigner`), and recorded in the audit log.

use std::path::{Path, PathBuf};

use clap::Args;

use mpcegosign::audit::record::sha256_hex;
use mpcegosign::audit::retire::RetireEvent;
use mpcegosign::fsutil;
use mpcegosign::hex32;
use mpcegosign::share::rewrite::rewrite_in_place;
use mpcegosign::share::KeyShare;

use crate::cli::commands::audit::{AuditLogArgs, Recorder};
use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::console::ask;
use crate::cli::io::terminal::passphrase::PassphraseArgs;

#[derive(Args, Debug)]
pub struct RetireArgs {
    /// The share to retire (share_N.json.age or share_N.json); rewritten in place.
    #[arg(long, value_name = "FILE")]
    pub share: PathBuf,
    /// What replaced it: the new roster's keygen transcript hash (64 hex digits),
    /// which the reshare's keygen prints at its end (or a refresh's transcript hash).
    #[arg(long, value_name = "HEX32")]
    pub by: String,
    /// The typed confirmation, given ahead (automation): the first 8 hex digits of the
    /// key's MRSIGNER. Without it the question is asked on the terminal.
    #[arg(long, value_name = "HEX8")]
    pub confirm_mrsigner: Option<String>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub audit: AuditLogArgs,
}

pub fn run(args: &RetireArgs) -> Result<(), CliError> {
    let path = args.share.as_path();
    let what = path.display().to_string();
    // Everything the arguments alone can refuse, before any passphrase is asked.
    let by = hex32::parse(&args.by)
        .filter(|b| *b != [0; 32])
        .ok_or_else(|| {
            CliError::new("--by needs the 64 hex digits of the new roster's keygen transcript hash (not all zero)")
                .hint("the reshare's keygen prints it at its end; `mpcegosign share info` on a new share shows it too")
        })?;
    let (share, pass) = share_io::open_keeping_passphrase(path, &args.passphrase)?;
    check_retirable(&share, path, &by)?;
    let audit = Recorder::open(&args.audit, path, &share)?;
    let mrsigner = share.public().mrsigner();
    let prefix = hex::encode(&mrsigner[..4]);
    let generation = share.generation();
    eprintln!(
        "RETIRE {what}: party {} of a {}-of-{} key, MRSIGNER {}, {}, replaced by {}.\nA retired share signs nothing any more (it still opens for `share info`, and for a `recover` if the group ever needs the old shares). Do this only once the shares that replaced it work.",
        share.party(),
        share.scheme().threshold(),
        share.scheme().parties(),
        hex::encode(mrsigner),
        generation.describe(),
        hex::encode(by),
    );
    let typed = match args.confirm_mrsigner.as_deref() {
        Some(given) => given.trim().to_ascii_lowercase(),
        None => ask(&format!(
            "To go on, type RETIRE {prefix} (anything else stops): "
        ))?
        .trim()
        .trim_start_matches("RETIRE")
        .trim()
        .to_ascii_lowercase(),
    };
    if typed != prefix {
        return Err(CliError::new(format!(
            "not confirmed (the answer must be RETIRE {prefix}, the first 8 hex digits of MRSIGNER); {what} is unchanged"
        )));
    }
    let mut retired = share;
    retired.mark_retired(by);
    rewrite_in_place(path, &retired, pass.as_ref(), share_io::work_factor()?)
        .map_err(|e| CliError::new(format!("{e}")))?;
    let written = fsutil::read_secret(path).map_err(|e| io_error("read back", path, &e))?;
    let ev = RetireEvent {
        keygen_transcript: retired
            .auth()
            .map(|a| hex::encode(a.transcript))
            .unwrap_or_default(),
        generation: generation.number,
        generation_id: hex::encode(generation.id),
        by: hex::encode(by),
        file_sha256: sha256_hex(&written),
    };
    audit.retire(ev).map_err(|e| {
        CliError::new(format!(
            "{what} is retired, but the audit record failed: {e}"
        ))
    })?;
    eprintln!("Retired {what} (replaced by {}): it no longer signs. Keep it or destroy it (`shred -u`) as your group agreed.", &hex::encode(by)[..8]);
    Ok(())
}

/// Refuses what cannot or need not be retired, in one line: an already retired
/// share (nothing changes), a reference-format share (its file has no place for the
/// mark), and a `--by` that is this share's own keygen or generation.
fn check_retirable(share: &KeyShare, path: &Path, by: &[u8; 32]) -> Result<(), CliError> {
    let what = path.display();
    if let Some(old) = share.retired() {
        return Err(CliError::new(format!(
            "{what} is already retired (replaced by {}); nothing was changed",
            hex::encode(old)
        )));
    }
    let Some(auth) = share.auth() else {
        return Err(CliError::new(format!(
            "{what} is a reference-format share (version 1 or 2): its file cannot record that it is retired"
        ))
        .hint("destroy it (`shred -u`) once the shares that replaced it work"));
    };
    if *by == auth.transcript || *by == share.generation().id {
        return Err(CliError::new(format!(
            "--by is {what}'s own keygen or generation: give the transcript hash of what REPLACED it (the new roster's keygen transcript)"
        )));
    }
    Ok(())
}
