//! `mpcegosign reshare`: the same key to a new roster and/or a new threshold. The
//! dealer (a current holder) gathers t shares as `recover` does (the other holders
//! run `recover --give`; the GIVE-INIT names the new t′-of-n′), rebuilds the key in
//! wiped memory, and deals it through keygen's dealer to the new parties, who run
//! the ordinary `keygen` joiner and are told it is a reshare of MRSIGNER … from the
//! old roster (the KEYGEN-INIT names the old keygen transcript, signed). The key is
//! wiped when dealing ends; the old shares are not retired by this command. Once
//! its new share is saved, the dealer writes a `reshare` record in its old roster's
//! log: the new keygen, linked to the old roster with its old identity key.

use std::path::PathBuf;

use clap::Args;

use mpcegosign::audit::record::RecoverEvent;
use mpcegosign::audit::reshare as audit_reshare;
use mpcegosign::protocol::Purpose;
use mpcegosign::threshold::Scheme;

use crate::cli::commands::audit::{AuditLogArgs, Recorder};
use crate::cli::commands::keygen::KeygenArgs;
use crate::cli::commands::keygen::{check_out_dir, deal_rebuilt, Reshare};
use crate::cli::commands::recover::{confirm_risk, gather};
use crate::cli::error::CliError;
use crate::cli::io::files::shares::load_share;
use crate::cli::io::terminal::passphrase::PassphraseArgs;
use crate::cli::io::transport::args::TransportArgs;
use crate::cli::io::transport::open_transport;

#[derive(Args, Debug)]
pub struct ReshareArgs {
    /// This holder's share of the key (it becomes party 1, the dealer, of the new roster).
    #[arg(long, value_name = "FILE")]
    pub share: PathBuf,
    /// Parties of the new roster.
    #[arg(long, value_name = "N")]
    pub parties: u8,
    /// Threshold of the new roster. Default: N.
    #[arg(long, value_name = "T")]
    pub threshold: Option<u8>,
    /// Directory to save this party's new share and public key in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// The typed confirmation, given ahead (automation): the first 8 hex digits of the
    /// key's MRSIGNER. Without it the question is asked on the terminal.
    #[arg(long, value_name = "HEX8")]
    pub confirm_mrsigner: Option<String>,
    /// Skip the new keygen's fingerprint and key-code confirmations (automation only).
    #[arg(long)]
    pub yes: bool,
    /// Write the new share as plain JSON instead of age-encrypted.
    #[arg(long)]
    pub plaintext_share: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub audit: AuditLogArgs,
}

pub fn run(args: ReshareArgs) -> Result<(), CliError> {
    let t = args.threshold.unwrap_or(args.parties);
    Scheme::new(args.parties, t).map_err(|e| CliError::new(e.to_string()))?;
    let keygen = KeygenArgs {
        parties: Some(args.parties),
        threshold: Some(t),
        out_dir: args.out_dir.clone(),
        import: None,
        scheme: None,
        yes: args.yes,
        plaintext_share: args.plaintext_share,
        force: false,
        resume: None,
        passphrase: PassphraseArgs {
            passphrase_file: args.passphrase.passphrase_file.clone(),
        },
        transport: args.transport.clone(),
        audit: AuditLogArgs {
            audit_log: args.audit.audit_log.clone(),
            no_audit_log: args.audit.no_audit_log,
        },
    };
    // Everything that can fail locally fails before anyone gives a share.
    check_out_dir(&keygen)?;
    let share = load_share(&args.share, &args.passphrase)?;
    crate::cli::io::files::shares::refuse_retired(&share, &args.share, "reshare")?;
    let audit = Recorder::open(&args.audit, &args.share, &share)?;
    let mrsigner = share.public().mrsigner();
    let me = share.party();
    let Some(auth) = share.auth() else {
        return Err(CliError::new(
            "this share has no roster of identity keys (a reference-format share): reshare needs a share made by mpcegosign keygen",
        ));
    };
    let (old_roster, old_identity) = (auth.transcript, auth.identity.try_clone());
    confirm_risk(
        args.confirm_mrsigner.as_deref(),
        &mrsigner,
        &format!(
            "RESHARE rebuilds the WHOLE private key of MRSIGNER {} on this machine, then deals it to a new {t}-of-{} roster and wipes it. Do this only on an air-gapped machine; the old shares keep working until their holders retire them (`share retire`) or delete them.",
            hex::encode(mrsigner),
            args.parties
        ),
    )?;
    let purpose = Purpose::Reshare {
        parties: args.parties,
        threshold: t,
    };
    let mut transport = open_transport(&args.transport)?;
    let gathered = gather(share, purpose, transport.as_mut())?;
    drop(transport);
    audit.recover(RecoverEvent {
        role: "receiver".into(),
        session: hex::encode(gathered.session.0),
        purpose: purpose.name().into(),
        receiver: me,
        givers: gathered.givers,
        messages: gathered.messages,
        output: None,
    })?;
    eprintln!(
        "Dealing MRSIGNER {} to the new roster: each new party runs `mpcegosign keygen --out-dir DIR` and sees this MRSIGNER announced.",
        hex::encode(mrsigner)
    );
    let give_session = gathered.session.0;
    let link = move |new: &mpcegosign::share::KeyShare, init: &[u8]| {
        let transcript = new.auth().map(|a| a.transcript).unwrap_or_default();
        eprintln!(
            "The new roster's keygen transcript is {} (old holders name it in `share retire --by`).",
            hex::encode(transcript)
        );
        if !audit.enabled() {
            return Ok(());
        }
        let to = audit_reshare::keygen_event(new, true, init)
            .and_then(|to| {
                audit_reshare::event(&old_identity, &mrsigner, &give_session, &old_roster, to)
            })
            .map_err(|e| {
                CliError::new(format!(
                    "the new share was saved, but the reshare record could not be made: {e}"
                ))
            })?;
        audit
            .reshare(to)
            .map_err(|e| CliError::new(format!("the new share was saved, but {e}")))
    };
    deal_rebuilt(
        &keygen,
        gathered.key,
        Reshare {
            old_roster,
            saved: Box::new(link),
        },
    )
}
