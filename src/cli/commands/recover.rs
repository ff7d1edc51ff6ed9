//! `mpcegosign recover`: the way out of the threshold. The receiver (a holder, with
//! `--out`) asks the others for their shares; each giver (`--give`) checks the
//! request, sees who asks and for what, and gives its share sealed to the receiver's
//! fresh key. The receiver rebuilds the whole key in wiped memory and writes it as an
//! age-encrypted PEM (a plain PEM only with `--plain-pem-i-understand`), never over an
//! existing file. Both sides confirm by typing the key's MRSIGNER prefix, and both
//! write an audit record.

use std::path::{Path, PathBuf};

use clap::Args;

use mpcegosign::audit::build::recorded;
use mpcegosign::audit::record::RecoverEvent;
use mpcegosign::audit::record::{sha256_hex, Output};
use mpcegosign::ceremony::fingerprint::key_fingerprint;
use mpcegosign::ceremony::reshare::{GiveRequest, Receiver, ReshareError};
use mpcegosign::fsutil::{self, SECRET_MODE};
use mpcegosign::key::PrivateKey;
use mpcegosign::protocol::{Message, PartyKeys, Purpose};
use mpcegosign::share::{encrypted, KeyShare};

use crate::cli::commands::audit::{AuditLogArgs, Recorder};
use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::shares::{load_share, seal_bytes};
use crate::cli::io::terminal::console::{ask, receive_loop, Step};
use crate::cli::io::terminal::passphrase::{self, PassphraseArgs, Purpose as Pass};
use crate::cli::io::transport::args::TransportArgs;
use crate::cli::io::transport::open_transport;

#[derive(Args, Debug)]
pub struct RecoverArgs {
    /// This holder's share (share_N.json or share_N.json.age).
    #[arg(long, value_name = "FILE")]
    pub share: PathBuf,
    /// Give this share to the holder who asks (its GIVE-INIT), instead of receiving.
    #[arg(long, conflicts_with_all = ["out", "plain_pem_i_understand", "out_passphrase_file"])]
    pub give: bool,
    /// Receiver: where to write the whole private key (age-encrypted PEM, e.g.
    /// key.pem.age). Never replaced if it exists.
    #[arg(long, value_name = "FILE", required_unless_present = "give")]
    pub out: Option<PathBuf>,
    /// Receiver: write the key as a plain, unencrypted PEM (for `ego sign` or an HSM
    /// import on this air-gapped machine; wipe it after).
    #[arg(long)]
    pub plain_pem_i_understand: bool,
    /// Receiver: read the new passphrase of the key file from the first line of FILE
    /// (else $MPCEGOSIGN_PASSPHRASE, else the terminal, asked twice).
    #[arg(long, value_name = "FILE")]
    pub out_passphrase_file: Option<PathBuf>,
    /// The typed confirmation, given ahead (automation): the first 8 hex digits of the
    /// key's MRSIGNER. Without it the question is asked on the terminal.
    #[arg(long, value_name = "HEX8")]
    pub confirm_mrsigner: Option<String>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub audit: AuditLogArgs,
}

pub fn run(args: RecoverArgs) -> Result<(), CliError> {
    match &args.out {
        Some(out) if !args.give => receiver(&args, out),
        _ => giver(&args),
    }
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::new(e.to_string())
}

fn keeps_waiting(e: &ReshareError) -> bool {
    e.verdict().keeps_waiting()
}

/// The typed confirmation: `RECOVER` and the first 8 hex digits of MRSIGNER, typed
/// after the risk is shown (or given with `--confirm-mrsigner`). `--yes` is not
/// enough: what is typed names the key that leaves the threshold.
pub(super) fn confirm_risk(
    given: Option<&str>,
    mrsigner: &[u8; 32],
    risk: &str,
) -> Result<(), CliError> {
    let prefix = hex::encode(&mrsigner[..4]);
    eprintln!("{risk}");
    let typed = match given {
        Some(given) => given.trim().to_ascii_lowercase(),
        None => ask(&format!(
            "To go on, type RECOVER {prefix} (anything else stops): "
        ))?
        .trim()
        .trim_start_matches("RECOVER")
        .trim()
        .to_ascii_lowercase(),
    };
    if typed != prefix {
        return Err(CliError::new(format!(
            "not confirmed (the answer must be RECOVER {prefix}, the first 8 hex digits of MRSIGNER); nothing was given or written"
        )));
    }
    Ok(())
}

fn receiver(args: &RecoverArgs, out: &Path) -> Result<(), CliError> {
    // Everything that can fail locally fails before anyone is asked for a share.
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(CliError::new(format!(
            "{} exists; recover never replaces a file. Choose another --out; nothing was asked",
            out.display()
        )));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fsutil::check_writable(&dir).map_err(fail)?;
    let share = load_share(&args.share, &args.passphrase)?;
    let audit = Recorder::open(&args.audit, &args.share, &share)?;
    let mrsigner = share.public().mrsigner();
    let t = share.scheme().threshold();
    confirm_risk(
        args.confirm_mrsigner.as_deref(),
        &mrsigner,
        &format!(
            "RECOVER writes the WHOLE private key of MRSIGNER {} to {}.\nWhoever holds that file (and its passphrase) can sign any enclave as this key, alone: the {t}-of-{} threshold no longer protects that copy. Do this only on an air-gapped machine, to move the key into an HSM or back to `ego sign`, and wipe the file after.",
            hex::encode(mrsigner),
            out.display(),
            share.scheme().parties()
        ),
    )?;
    let what = out.display().to_string();
    let pass = if args.plain_pem_i_understand {
        eprintln!("Warning: --plain-pem-i-understand: the key will be written unencrypted.");
        None
    } else {
        Some(passphrase::obtain_from(
            args.out_passphrase_file.as_deref(),
            Pass::New,
            &what,
        )?)
    };
    let me = share.party();
    let mut transport = open_transport(&args.transport)?;
    let gathered = gather(share, Purpose::Recover, transport.as_mut())?;
    let key = gathered.key;
    let sha = write_key(&key, out, pass.as_ref())?;
    drop(key);
    audit
        .recover(RecoverEvent {
            role: "receiver".into(),
            session: hex::encode(gathered.session.0),
            purpose: Purpose::Recover.name().into(),
            receiver: me,
            givers: gathered.givers,
            messages: gathered.messages,
            output: Some(Output {
                path: what.clone(),
                sha256: sha,
            }),
        })
        .map_err(|e| CliError::new(format!("{what} was written, but {e}")))?;
    eprintln!(
        "Wrote the whole private key to {what}{}. Move it where it must go (HSM, `ego sign`), then wipe it.",
        if pass.is_some() { " (age-encrypted)" } else { " (PLAIN)" }
    );
    Ok(())
}

/// What the receiving side of a giving session ends with.
pub(super) struct Gathered {
    pub key: PrivateKey,
    pub session: mpcegosign::protocol::SessionId,
    pub givers: Vec<u8>,
    /// The GIVE-INIT sent and the GIVEs taken, for the audit record.
    pub messages: Vec<mpcegosign::audit::record::Recorded>,
}

/// The receiving side, for `purpose`: sends the GIVE-INIT, takes GIVEs until t shares
/// (ours included) are in, and rebuilds the key (checked: p·q = N, MRSIGNER).
pub(super) fn gather(
    share: KeyShare,
    purpose: Purpose,
    transport: &mut dyn mpcegosign::transport::Transport,
) -> Result<Gathered, CliError> {
    let me = share.party();
    let identity = share
        .auth()
        .map(|a| a.identity.public())
        .ok_or_else(|| fail(ReshareError::NoRoster))?;
    let (mut rx, init) = Receiver::start(share, purpose).map_err(fail)?;
    let Message::GiveInit(gi) = &init else {
        return Err(fail("internal: the receiver made no GIVE-INIT"));
    };
    let fingerprint = key_fingerprint(
        &gi.session,
        &PartyKeys {
            x25519: gi.receiver_key,
            identity,
        },
    );
    let init_bytes = init.encode();
    let mut messages = vec![recorded("sent", &init_bytes).map_err(fail)?];
    eprintln!(
        "{}, session {}: you are party {me}; {} other holder(s) must give their shares.",
        if purpose == Purpose::Recover {
            "Recover"
        } else {
            "Reshare"
        },
        rx.session().short(),
        rx.missing()
    );
    eprintln!("Your fingerprint: {fingerprint} (each giver sees it: read it to them)");
    transport.send("GIVE-INIT", &init_bytes).map_err(fail)?;
    let mut givers = Vec::new();
    receive_loop(
        transport,
        "a GIVE message",
        |bytes| {
            let party = rx.accept_give(bytes)?;
            givers.push(party);
            if let Ok(r) = recorded("received", bytes) {
                messages.push(r);
            }
            eprintln!(
                "Party {party} gave its share; {} still needed.",
                rx.missing()
            );
            Ok(if rx.is_complete() {
                Step::Done(())
            } else {
                Step::More
            })
        },
        keeps_waiting,
    )?;
    let session = rx.session();
    let key = rx.rebuild().map_err(fail)?;
    eprintln!(
        "The key is rebuilt: p·q = N and MRSIGNER {} checked.",
        hex::encode(key.public().mrsigner())
    );
    Ok(Gathered {
        key,
        session,
        givers,
        messages,
    })
}

/// Writes the key (encrypted unless `pass` is `None`), never over a file, then
/// reads it back and checks it is the same key. Returns the file's SHA-256.
fn write_key(
    key: &PrivateKey,
    out: &Path,
    pass: Option<&mpcegosign::secret::SecretString>,
) -> Result<String, CliError> {
    let pem = key.to_pkcs1_pem().map_err(fail)?;
    let bytes = match pass {
        Some(p) => zeroize::Zeroizing::new(seal_bytes(&pem, p)?),
        None => zeroize::Zeroizing::new(pem.expose().to_vec()),
    };
    fsutil::write_new(out, &bytes, SECRET_MODE, false).map_err(|e| {
        CliError::new(format!(
            "{e}; the key was not written (it is wiped from memory)"
        ))
    })?;
    let back = fsutil::read_secret(out).map_err(|e| io_error("read back", out, &e))?;
    let plain = match pass {
        Some(p) => encrypted::decrypt(&back, p).map_err(fail)?,
        None => mpcegosign::secret::SecretBytes::new(back.to_vec()),
    };
    let reread = PrivateKey::from_pem(plain.expose()).map_err(fail)?;
    if reread.public() != key.public() {
        return Err(CliError::new(format!(
            "{} did not read back intact; check the disk",
            out.display()
        )));
    }
    Ok(sha256_hex(&back))
}

/// A retired share is given to a `recover` only (the disaster path: the shares that
/// replaced it are lost, and the old holders get the key out), never to a reshare,
/// which would deal it again: see docs/lifecycle.md.
fn retired_gives_only_to_recover(
    share: &KeyShare,
    path: &Path,
    purpose: Purpose,
) -> Result<(), CliError> {
    let Some(by) = share.retired() else {
        return Ok(());
    };
    if !matches!(purpose, Purpose::Recover) {
        return crate::cli::io::files::shares::refuse_retired(share, path, "reshare");
    }
    eprintln!(
        "Note: your share is retired (replaced by {}). Give it only if the group agreed to recover the key from the retired shares (the shares that replaced them are lost).",
        hex::encode(&by[..4])
    );
    Ok(())
}

fn giver(args: &RecoverArgs) -> Result<(), CliError> {
    let share = load_share(&args.share, &args.passphrase)?;
    let audit = Recorder::open(&args.audit, &args.share, &share)?;
    if share.auth().is_none() {
        return Err(fail(ReshareError::NoRoster));
    }
    let mut transport = open_transport(&args.transport)?;
    let mut init_bytes = Vec::new();
    let req = receive_loop(
        transport.as_mut(),
        "the GIVE-INIT message",
        |bytes| {
            let r = GiveRequest::review(&share, bytes)?;
            init_bytes = bytes.to_vec();
            Ok::<_, ReshareError>(Step::Done(r))
        },
        keeps_waiting,
    )?;
    retired_gives_only_to_recover(&share, &args.share, req.purpose())?;
    let mrsigner = req.mrsigner();
    confirm_risk(
        args.confirm_mrsigner.as_deref(),
        &mrsigner,
        &format!(
            "Party {} (fingerprint {}) asks for your share (party {}) to {} the WHOLE private key of MRSIGNER {} (session {}).\nCompare the fingerprint with party {} by voice. Once given, party {} and {} other holder(s) can write the whole key: give only if the group agreed to this recover.",
            req.receiver(),
            req.fingerprint,
            share.party(),
            req.purpose().name().to_uppercase(),
            hex::encode(mrsigner),
            req.session().short(),
            req.receiver(),
            req.receiver(),
            share.scheme().threshold().saturating_sub(2),
        ),
    )?;
    let given = req.give(&share).map_err(fail)?;
    let give_bytes = given.give.encode();
    let messages = vec![
        recorded("received", &init_bytes).map_err(fail)?,
        recorded("sent", &give_bytes).map_err(fail)?,
    ];
    // The record first: nothing is given that is not recorded.
    audit
        .recover(RecoverEvent {
            role: "giver".into(),
            session: hex::encode(given.session.0),
            purpose: req.purpose().name().into(),
            receiver: req.receiver(),
            givers: vec![share.party()],
            messages,
            output: None,
        })
        .map_err(|e| CliError::new(format!("{e}; the share was not given")))?;
    transport
        .send(&format!("GIVE from party {}", share.party()), &give_bytes)
        .map_err(fail)?;
    eprintln!(
        "Your share was given to party {}, sealed to its key for this session only.",
        req.receiver()
    );
    Ok(())
}
