//! `mpcegosign refresh`: every holder gets a new share of the same key, and the old
//! shares stop working together with the new ones. One holder starts it (`--start`:
//! the REFRESH-INIT and its own JOIN); every other holder reviews the INIT and joins.
//! Each party then sends its REFRESH-DEAL (over QR, one view per recipient) and, once
//! every contribution checked, its REFRESH-CONFIRM. Only when all n parties confirmed
//! the same key code is anything written: the new share (the next generation) to
//! `--out`, never over a file, then the old share marked retired in place. The old
//! file is deleted only with `--delete-retired` (the person's word). Audited.

use std::path::{Path, PathBuf};

use clap::Args;

use mpcegosign::audit::refresh::{refresh_event, RefreshFacts};
use mpcegosign::ceremony::refresh::{
    start, Invitation, Outgoing, Party, Phase, RefreshCeremonyError,
};
use mpcegosign::fsutil;
use mpcegosign::protocol::Message;
use mpcegosign::secret::SecretString;
use mpcegosign::share::rewrite::{self, rewrite_in_place};
use mpcegosign::share::KeyShare;
use mpcegosign::transport::Transport;

use crate::cli::commands::audit::{AuditLogArgs, Recorder};
use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::console::{ask, receive_loop, Step};
use crate::cli::io::terminal::passphrase::PassphraseArgs;
use crate::cli::io::transport::args::{TransportArgs, TransportKind};
use crate::cli::io::transport::open_transport;

#[derive(Args, Debug)]
pub struct RefreshArgs {
    /// This holder's share (share_N.json.age or share_N.json). It is marked retired
    /// (rewritten in place) once every party confirmed the new shares.
    #[arg(long, value_name = "FILE")]
    pub share: PathBuf,
    /// Where to write the new share (the next generation), encrypted with the same
    /// passphrase as the old one (plain if the old one is plain). Never replaced.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Start the refresh (this holder coordinates): print the REFRESH-INIT.
    #[arg(long)]
    pub start: bool,
    /// Join without the question (automation); the INIT is still checked and shown.
    #[arg(long)]
    pub yes: bool,
    /// Once every party confirmed and the new share is saved, delete the retired old
    /// share file (else it is kept, marked retired, for you to delete).
    #[arg(long)]
    pub delete_retired: bool,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub audit: AuditLogArgs,
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::new(e.to_string())
}

pub fn run(args: RefreshArgs) -> Result<(), CliError> {
    // Everything that can fail locally fails before anyone is asked anything.
    if std::fs::symlink_metadata(&args.out).is_ok() {
        return Err(CliError::new(format!(
            "{} exists; refresh never replaces a file. Choose another --out; nothing was sent",
            args.out.display()
        )));
    }
    let dir = match args.out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fsutil::check_writable(&dir).map_err(fail)?;
    let path = args.share.as_path();
    let what = path.display().to_string();
    let (share, pass) = share_io::open_keeping_passphrase(path, &args.passphrase)?;
    share_io::refuse_retired(&share, path, "refresh")?;
    let audit = Recorder::open(&args.audit, path, &share)?;
    let qr = args.transport.transport == TransportKind::Qr;
    let mut transport = open_transport(&args.transport)?;
    let generation = share.generation();
    let gen_ref = (generation.number, generation.id);
    let mut log = Vec::new();
    let mut party = if args.start {
        let (party, msgs) = start(&share, gen_ref).map_err(fail)?;
        announce(&party, &share);
        for (label, msg) in ["REFRESH-INIT", "REFRESH-JOIN"].iter().zip(&msgs) {
            send(transport.as_mut(), label, msg, &mut log)?;
        }
        party
    } else {
        let invitation = receive_loop(
            transport.as_mut(),
            "the REFRESH-INIT message",
            |bytes| {
                let inv = Invitation::review(&share, gen_ref, bytes)?;
                log.push(("received", bytes.to_vec()));
                Ok::<_, RefreshCeremonyError>(Step::Done(inv))
            },
            |e| e.verdict().keeps_waiting(),
        )?;
        confirm_join(&invitation, args.yes)?;
        let (party, join) = invitation.join(&share).map_err(fail)?;
        announce(&party, &share);
        send(transport.as_mut(), "REFRESH-JOIN", &join, &mut log)?;
        party
    };
    exchange(&mut party, transport.as_mut(), qr, &mut log)?;
    let (secret, outcome) = party.finish().map_err(fail)?;
    let new_share = share
        .next_generation(secret, outcome.session, outcome.transcript)
        .map_err(fail)?;
    write_new_share(&new_share, &args.out, pass.as_ref())?;
    eprintln!(
        "Every party confirmed key code {}. Saved the new share (generation {}) to {}.",
        outcome.key_code,
        outcome.generation,
        args.out.display()
    );
    let mut retired = share;
    retired.mark_retired(outcome.transcript);
    rewrite_in_place(path, &retired, pass.as_ref(), share_io::work_factor()?).map_err(|e| {
        CliError::new(format!(
            "the new share {} is saved, but marking {what} retired failed: {e}; run `mpcegosign share retire --share {what} --by {}`",
            args.out.display(),
            hex::encode(outcome.transcript)
        ))
    })?;
    let messages: Vec<(&str, &[u8])> = log.iter().map(|(d, b)| (*d, b.as_slice())).collect();
    let event = refresh_event(&RefreshFacts {
        session: outcome.session.0,
        roster_transcript: retired.auth().map(|a| a.transcript).unwrap_or_default(),
        old: gen_ref,
        new: (outcome.generation, outcome.transcript),
        key_code: &outcome.key_code,
        messages: &messages,
    })
    .map_err(fail)?;
    audit.refresh(event).map_err(|e| {
        CliError::new(format!(
            "the new share {} is saved and {what} retired, but {e}",
            args.out.display()
        ))
    })?;
    if args.delete_retired {
        std::fs::remove_file(path).map_err(|e| io_error("delete the retired share", path, &e))?;
        eprintln!("Deleted the retired share {what}.");
    } else {
        eprintln!("{what} is marked retired: it signs nothing now. Delete it (`shred -u {what}`) once the new share has signed.");
    }
    Ok(())
}

fn announce(party: &Party<'_>, share: &KeyShare) {
    eprintln!(
        "Refresh, session {}: you are party {} of {}; session code {} (compare it with every party by voice).",
        party.session().short(),
        party.party(),
        share.scheme().parties(),
        party.session_code()
    );
}

/// Shows what the INIT asks and asks whether to join (unless `yes`); a no stops
/// here: nothing is sent, nothing changes.
fn confirm_join(inv: &Invitation, yes: bool) -> Result<(), CliError> {
    eprintln!(
        "Party {} asks every holder to REFRESH the shares of MRSIGNER {} (generation {} to {}), session code {}.\nThe key stays the same; every holder must take part, and your old share stops working with the new ones.",
        inv.coordinator(),
        hex::encode(inv.mrsigner()),
        inv.generation(),
        u64::from(inv.generation()) + 1,
        inv.session_code
    );
    if yes {
        return Ok(());
    }
    let answer = ask("Join this refresh? [y/N] ")?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err(CliError::new(
            "refresh declined; nothing was sent or written",
        ))
    }
}

fn send(
    transport: &mut dyn Transport,
    label: &str,
    msg: &Message,
    log: &mut Vec<(&'static str, Vec<u8>)>,
) -> Result<(), CliError> {
    let bytes = msg.encode();
    transport.send(label, &bytes).map_err(fail)?;
    log.push(("sent", bytes));
    Ok(())
}

/// JOINs, DEALs and CONFIRMs until every party confirmed. A check that fails stops
/// the refresh: the signed ABORT goes out and nothing is written.
fn exchange(
    party: &mut Party<'_>,
    transport: &mut dyn Transport,
    qr: bool,
    log: &mut Vec<(&'static str, Vec<u8>)>,
) -> Result<(), CliError> {
    let mut outgoing: Vec<Outgoing> = Vec::new();
    let mut fatal: Option<Message> = None;
    let result = receive_loop(
        transport,
        "the other parties' REFRESH messages",
        |bytes| {
            let progress = match party.receive(bytes) {
                Ok(p) => p,
                Err(e) => {
                    if !e.verdict().keeps_waiting() {
                        fatal = Some(party.abort(&e));
                    }
                    return Err(e);
                }
            };
            log.push(("received", bytes.to_vec()));
            for note in &progress.notes {
                eprintln!("mpcegosign: {}", mpcegosign::sanitize::sanitize(note));
            }
            eprintln!(
                "{} from party {}; waiting for {}.",
                progress.kind,
                progress.from,
                describe_missing(&party.missing())
            );
            outgoing.extend(progress.send);
            Ok::<_, RefreshCeremonyError>(if party.phase() == Phase::Done || !outgoing.is_empty() {
                Step::Done(())
            } else {
                Step::More
            })
        },
        |e| e.verdict().keeps_waiting(),
    );
    if let Err(err) = result {
        if let Some(abort) = fatal {
            if transport.send("ABORT", &abort.encode()).is_ok() {
                eprintln!("Sent a signed ABORT: every party stops; nothing was written.");
            }
        }
        return Err(err);
    }
    for out in outgoing {
        match out {
            Outgoing::Deal { whole, views } => {
                if qr && !views.is_empty() {
                    for (to, view) in &views {
                        send(
                            transport,
                            &format!("REFRESH-DEAL for party {to}"),
                            view,
                            log,
                        )?;
                    }
                } else {
                    send(transport, "REFRESH-DEAL", &whole, log)?;
                }
            }
            Outgoing::Confirm(msg) => {
                if let Some(code) = party.key_code() {
                    eprintln!("Every contribution checked. New key code: {code}");
                }
                send(transport, "REFRESH-CONFIRM", &msg, log)?;
            }
        }
    }
    if party.phase() == Phase::Done {
        return Ok(());
    }
    exchange(party, transport, qr, log)
}

fn describe_missing(missing: &[u8]) -> String {
    if missing.is_empty() {
        return "nothing".into();
    }
    let list: Vec<String> = missing.iter().map(|p| p.to_string()).collect();
    format!("party {}", list.join(", "))
}

/// Writes the new share (encrypted with `pass` when the old one was), never over a
/// file, then reads it back from the disk and checks it is the same share.
fn write_new_share(
    share: &KeyShare,
    out: &Path,
    pass: Option<&SecretString>,
) -> Result<(), CliError> {
    rewrite::write_new(out, share, pass, share_io::work_factor()?).map_err(|e| {
        CliError::new(format!(
            "{e}; the new share was not written and the old one is unchanged (every other party has its new share: keep this run's messages and ask for a reshare)"
        ))
    })?;
    let back = fsutil::read_secret(out).map_err(|e| io_error("read back", out, &e))?;
    let what = out.display().to_string();
    let reread = share_io::open_bytes(&back, &what, &mut || {
        pass.cloned()
            .ok_or_else(|| CliError::new("no passphrase for an encrypted share"))
    })?;
    if !reread.same_share(share) {
        return Err(CliError::new(format!(
            "{what} did not read back intact; check the disk"
        )));
    }
    Ok(())
}
