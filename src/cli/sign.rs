//! `mpcegosign sign`: the initiator (`--config`) or a signer (`--share` only).

use std::path::{Path, PathBuf};

use mpcegosign::ceremony::sign::{
    self, review, Initiator, Origin, Progress, Review, SignError, SignPolicy,
};
use mpcegosign::ceremony::MessageError;
use mpcegosign::ego::flow::{self, EgoError, Measured, Prepared};
use mpcegosign::ego::locate::EgoInstall;
use mpcegosign::ego::oesign::Oesign;
use mpcegosign::fsutil;
use mpcegosign::key::PublicKey;
use mpcegosign::protocol::{Message, SessionId};
use mpcegosign::sanitize::sanitize;
use mpcegosign::sgx::{Date, Sigstruct};
use mpcegosign::share::KeyShare;
use mpcegosign::threshold::Subset;
use mpcegosign::transport::Transport;
use num_bigint::BigUint;

use super::console::{confirm, receive_loop, Step};
use super::error::io_error;
use super::{open_transport, share_io, CliError, SignArgs};

pub fn run(args: SignArgs) -> Result<(), CliError> {
    if args.config.is_some() || args.sigstruct.is_some() {
        return initiator(&args);
    }
    for (given, flag) in [
        (args.out.is_some(), "--out"),
        (args.ego.is_some(), "--ego"),
        (args.signers.is_some(), "--signers"),
    ] {
        if given {
            return Err(CliError::new(format!(
                "{flag} is for the initiator; add --config enclave.json to start a signing ceremony"
            )));
        }
    }
    signer(&args)
}

fn send(transport: &mut dyn Transport, label: &str, msg: &Message) -> Result<(), CliError> {
    transport
        .send(label, &msg.encode())
        .map_err(|e| CliError::new(e.to_string()))
}

fn parse_signers(list: Option<&str>, share: &KeyShare) -> Result<Subset, CliError> {
    let n = share.scheme().parties();
    let Some(list) = list else {
        return Subset::from_parties(&(1..=n).collect::<Vec<_>>())
            .map_err(|e| CliError::new(e.to_string()));
    };
    let mut parties = Vec::new();
    for part in list.split(',').map(str::trim) {
        let p: u8 = part.parse().map_err(|_| {
            CliError::new(format!("--signers: `{part}` is not a party number"))
                .hint("write e.g. --signers 1,2,4")
        })?;
        if p == 0 || p > n {
            return Err(CliError::new(format!(
                "--signers: party {p} is not in 1..={n}"
            )));
        }
        parties.push(p);
    }
    Subset::from_parties(&parties).map_err(|e| CliError::new(e.to_string()))
}

fn refuse_existing(out: &Path, force: bool) -> Result<(), CliError> {
    if out.exists() && !force {
        return Err(CliError::new(format!(
            "{} already exists; choose another --out or pass --force",
            out.display()
        )));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fsutil::check_writable(dir).map_err(|e| CliError::new(e.to_string()))
}

/// What the initiator signs, and where the result goes.
enum Target {
    /// An unsigned SIGSTRUCT file (1808 bytes); the signed SIGSTRUCT is written.
    Sigstruct {
        unsigned: Sigstruct,
        out: PathBuf,
        force: bool,
    },
    /// An EGo executable, prepared and measured as `ego sign` does.
    Ego(Box<EgoTarget>),
}

struct EgoTarget {
    prepared: Prepared,
    measured: Measured,
    oesign: Oesign,
    work: tempfile::TempDir,
    out: PathBuf,
    mode: u32,
    force: bool,
}

fn ego_error(e: EgoError) -> CliError {
    CliError::new(e.to_string())
}

impl Target {
    fn sigstruct_file(path: &Path, out: Option<&Path>, force: bool) -> Result<Self, CliError> {
        let bytes = std::fs::read(path).map_err(|e| io_error("read the SIGSTRUCT", path, &e))?;
        let unsigned = Sigstruct::from_bytes(&bytes)
            .map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
        let out = out
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(format!("{}.signed", path.display())));
        refuse_existing(&out, force)?;
        Ok(Target::Sigstruct {
            unsigned,
            out,
            force,
        })
    }

    /// Prepares the executable as `ego sign` does and measures it with ego-oesign.
    fn ego(
        config: &Path,
        ego_dir: Option<&Path>,
        out: Option<&Path>,
        force: bool,
    ) -> Result<Self, CliError> {
        let install = EgoInstall::locate(ego_dir).map_err(|e| CliError::new(e.to_string()))?;
        let prepared = flow::prepare(config, &install).map_err(|e| match e {
            EgoError::Config(c) => CliError::new(format!("{}: {c}", config.display())),
            other => ego_error(other),
        })?;
        for w in &prepared.warnings.0 {
            eprintln!("Warning: {w}");
        }
        let exe = PathBuf::from(&prepared.config.exe);
        let out = out
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(format!("{}.signed", exe.display())));
        refuse_existing(&out, force)?;
        let mode = std::fs::metadata(&exe)
            .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o7777)
            .unwrap_or(0o755);
        let work = tempfile::Builder::new()
            .prefix("mpcegosign-")
            .tempdir()
            .map_err(|e| CliError::new(format!("cannot create a work directory: {e}")))?;
        let measure_dir = work.path().join("measure");
        std::fs::create_dir(&measure_dir).map_err(|e| io_error("create", &measure_dir, &e))?;
        let oesign = Oesign::from_install(&install);
        eprintln!(
            "Measuring {} with {} …",
            exe.display(),
            oesign.program().display()
        );
        let measured = flow::measure(&prepared, &oesign, &measure_dir).map_err(ego_error)?;
        Ok(Target::Ego(Box::new(EgoTarget {
            prepared,
            measured,
            oesign,
            work,
            out,
            mode,
            force,
        })))
    }

    fn unsigned(&self) -> &Sigstruct {
        match self {
            Target::Sigstruct { unsigned, .. } => unsigned,
            Target::Ego(e) => &e.measured.sigstruct,
        }
    }

    /// Stores the signature, verifies the result, and only then writes the output.
    fn finish(self, public: &PublicKey, signature: &BigUint) -> Result<PathBuf, CliError> {
        match self {
            Target::Sigstruct {
                unsigned,
                out,
                force,
            } => {
                let mut signed = unsigned;
                signed.set_signature(public, signature);
                signed.verify(Some(public)).map_err(|e| {
                    CliError::new(format!(
                        "the combined signature failed its final check: {e}"
                    ))
                })?;
                fsutil::write_new(&out, signed.as_bytes(), fsutil::PUBLIC_MODE, force)
                    .map_err(|e| CliError::new(e.to_string()))?;
                Ok(out)
            }
            Target::Ego(t) => {
                let t = *t;
                let day = t
                    .measured
                    .sigstruct
                    .regions()
                    .date()
                    .map_err(|e| CliError::new(e.to_string()))?;
                let final_dir = t.work.path().join("final");
                std::fs::create_dir(&final_dir).map_err(|e| io_error("create", &final_dir, &e))?;
                let measure_dir = t.work.path().join("measure");
                let direct = || {
                    flow::apply_signature_directly(
                        &t.measured,
                        &t.oesign,
                        &measure_dir,
                        &final_dir,
                        public,
                        signature,
                    )
                    .map_err(ego_error)
                };
                let bytes = if Date::today_utc() != day {
                    eprintln!("The UTC day changed since the enclave was measured ({day}); storing the signed SIGSTRUCT of {day} directly.");
                    direct()?
                } else {
                    match flow::apply_signature(
                        &t.prepared,
                        &t.measured,
                        &t.oesign,
                        &final_dir,
                        public,
                        signature,
                    ) {
                        Ok(b) => b,
                        Err(e) => {
                            eprintln!("ego-oesign did not store the signature ({e}); storing the signed SIGSTRUCT of {day} directly.");
                            direct()?
                        }
                    }
                };
                fsutil::write_new(&t.out, &bytes, t.mode, t.force)
                    .map_err(|e| CliError::new(e.to_string()))?;
                Ok(t.out)
            }
        }
    }
}

fn initiator(args: &SignArgs) -> Result<(), CliError> {
    let share = share_io::load_share(&args.share, &args.passphrase)?;
    let signers = parse_signers(args.signers.as_deref(), &share)?;
    let target = match (&args.sigstruct, &args.config) {
        (Some(path), _) => Target::sigstruct_file(path, args.out.as_deref(), args.force)?,
        (None, Some(config)) => {
            Target::ego(config, args.ego.as_deref(), args.out.as_deref(), args.force)?
        }
        (None, None) => return Err(CliError::new("the initiator needs --config enclave.json")),
    };
    let mut transport = open_transport(&args.transport)?;
    let (mut ini, init) = Initiator::start(&share, target.unsigned(), signers)
        .map_err(|e| CliError::new(e.to_string()))?;
    if !ini.authenticates() {
        eprintln!("Warning: your share is of the reference format (version 2 or 1): it has no roster of identity keys, so the messages of this ceremony cannot be authenticated. Every candidate partial is kept and tried, and a forged ABORT cannot end the ceremony, but check who you hear from.");
    }
    let regions = target.unsigned().regions();
    eprintln!(
        "Signing as party {} with signers {signers} (session {}):",
        share.party(),
        ini.session().short()
    );
    eprintln!("  MRENCLAVE {}", hex::encode(regions.mrenclave()));
    eprintln!("  MRSIGNER  {}", hex::encode(share.public().mrsigner()));
    eprintln!(
        "  ISVPRODID {}  ISVSVN {}  DEBUG {}",
        regions.isv_prod_id(),
        regions.isv_svn(),
        if regions.is_debug() { "yes" } else { "no" }
    );
    send(transport.as_mut(), "SIGN-INIT", &init)?;
    let signature = receive_loop(
        transport.as_mut(),
        "a SIGN-PARTIAL message",
        |bytes| match ini.accept(bytes)? {
            Progress::Accepted { party, failed } => {
                eprintln!("Party {party}'s partial signature accepted.");
                for subset in failed {
                    eprintln!(
                        "mpcegosign: {}; trying another subset",
                        ini.describe_failure(subset)
                    );
                }
                report_waiting(&ini);
                Ok(Step::More)
            }
            Progress::Declined {
                party,
                reason,
                authenticated,
            } => {
                let how = if authenticated {
                    ""
                } else {
                    " (unauthenticated: a later partial from it is still accepted)"
                };
                eprintln!("Party {party} declined{how}: {}", sanitize(&reason));
                ini.check_still_possible()?;
                report_waiting(&ini);
                Ok(Step::More)
            }
            Progress::Stuck { suspects } => {
                let list: Vec<String> = suspects.iter().map(u8::to_string).collect();
                eprintln!(
                    "No subset can complete with the partials received so far (suspects: {}); waiting for more.",
                    if list.is_empty() { "none".to_string() } else { list.join(", ") }
                );
                Ok(Step::More)
            }
            Progress::Complete { signature, subset } => {
                eprintln!("Parties {subset} produced a valid signature.");
                Ok(Step::Done(signature))
            }
        },
        |e: &SignError| !matches!(e, SignError::NoValidSubset { .. } | SignError::Threshold(_)),
    )?;
    let out = target.finish(share.public(), &signature)?;
    eprintln!("Verified and wrote {}", out.display());
    Ok(())
}

fn report_waiting(ini: &Initiator) {
    let waiting = ini.waiting_for();
    if !waiting.is_empty() {
        let list: Vec<String> = waiting.iter().map(u8::to_string).collect();
        eprintln!("Waiting for parties {}.", list.join(", "));
    }
}

fn parse_mrenclave(hex_text: &str) -> Result<[u8; 32], CliError> {
    let bytes = hex::decode(hex_text.trim()).ok().filter(|b| b.len() == 32);
    bytes
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| CliError::new("--expect-mrenclave needs 64 hexadecimal digits"))
}

fn show_review(r: &Review, share: &KeyShare) {
    eprintln!(
        "Signing request from party {} (session {}):",
        r.initiator,
        r.session.short()
    );
    eprintln!("  MRENCLAVE  {}", hex::encode(r.mrenclave));
    eprintln!("  MRSIGNER   {} (your key)", hex::encode(r.mrsigner));
    eprintln!("  ISVPRODID  {}", r.isv_prod_id);
    eprintln!("  ISVSVN     {}", r.isv_svn);
    eprintln!(
        "  DEBUG      {}",
        if r.debug {
            "YES: the host can read the enclave's memory"
        } else {
            "no"
        }
    );
    eprintln!("  Date       {}", r.date);
    eprintln!(
        "  Origin     {}",
        match r.origin {
            Origin::Authenticated => format!("signed by party {}'s identity key", r.initiator),
            Origin::UnsignedAllowed => format!(
                "UNSIGNED: nothing proves it comes from party {} (--accept-unsigned-init)",
                r.initiator
            ),
            Origin::NoRoster => "unknown: your share has no roster (reference format)".to_string(),
        }
    );
    eprintln!(
        "  Signers    {} (you are party {}; {} partial(s) to compute)",
        r.signers,
        share.party(),
        r.subsets.len()
    );
}

/// Review errors that leave the signer waiting for the genuine SIGN-INIT: the
/// message is unreadable, foreign, or does not come from the initiator it names.
fn ignorable(e: &SignError) -> bool {
    matches!(
        e,
        SignError::Message(_) | SignError::BadSignature { .. } | SignError::Unsigned { .. }
    )
}

fn signer(args: &SignArgs) -> Result<(), CliError> {
    if args.yes && args.expect_mrenclave.is_none() {
        return Err(CliError::new(
            "--yes signs without asking, so it needs --expect-mrenclave HEX to say what may be signed",
        ));
    }
    let expect_mrenclave = args
        .expect_mrenclave
        .as_deref()
        .map(parse_mrenclave)
        .transpose()?;
    let share = share_io::load_share(&args.share, &args.passphrase)?;
    if share.auth().is_none() {
        eprintln!("Warning: your share is of the reference format (version 2 or 1): it has no roster, so nothing proves who sent the SIGN-INIT. Check every field before you sign.");
    }
    let policy = SignPolicy {
        allow_debug: args.allow_debug,
        expect_mrenclave,
        accept_unsigned: args.accept_unsigned_init,
    };
    let mut transport = open_transport(&args.transport)?;
    // A refusal still answers the initiator with an ABORT, so it does not wait in vain.
    let outcome: Result<Review, (SignError, SessionId)> = receive_loop(
        transport.as_mut(),
        "the SIGN-INIT message",
        |bytes| match review(&share, bytes, &policy) {
            Ok(r) => Ok(Step::Done(Ok(r))),
            Err(e) if ignorable(&e) => Err(e),
            Err(e) => match Message::decode(bytes) {
                Ok(m) => Ok(Step::Done(Err((e, m.session())))),
                Err(p) => Err(SignError::Message(MessageError::Protocol(p))),
            },
        },
        ignorable,
    )?;
    let r = match outcome {
        Ok(r) => r,
        Err((e, session)) => {
            let abort = sign::decline(&share, session, &e.to_string());
            send(transport.as_mut(), "ABORT", &abort)?;
            return Err(CliError::new(e.to_string()));
        }
    };
    show_review(&r, &share);
    let refuse = |transport: &mut dyn Transport, reason: &str, message: &str| {
        let abort = r.decline(&share, reason);
        send(transport, "ABORT", &abort)?;
        Err(CliError::new(message.to_string()))
    };
    let today = Date::today_utc();
    let days = r.days_from(today);
    if days.abs() > 1 {
        eprintln!(
            "Warning: the SIGSTRUCT is dated {}, {} day(s) {} today ({today} UTC). A request with another date may be replayed or prepared in advance.",
            r.date,
            days.abs(),
            if days < 0 { "before" } else { "after" }
        );
        let agreed = if args.yes {
            args.allow_any_date
        } else {
            args.allow_any_date || confirm(&format!("Sign an enclave dated {}?", r.date))?
        };
        if !agreed {
            return refuse(
                transport.as_mut(),
                &format!("party {} refused a SIGSTRUCT dated {}", share.party(), r.date),
                "the SIGSTRUCT is not dated today (UTC, ±1 day) and that was not confirmed (--allow-any-date); an ABORT message tells the initiator",
            );
        }
    }
    if !args.yes && !confirm("Sign this enclave?")? {
        return refuse(
            transport.as_mut(),
            &format!("party {} declined to sign", share.party()),
            "you declined to sign; an ABORT message tells the initiator",
        );
    }
    let partial = r.sign(&share).map_err(|e| CliError::new(e.to_string()))?;
    send(transport.as_mut(), "SIGN-PARTIAL", &partial)?;
    Ok(())
}
