//! `mpcegosign sign`: the initiator (`--config`) or a signer (`--share` only). Beside
//! it: one-key signing with a PKCS#11 token (`hsm`) and the signer's `--timeout`
//! (`time_limit`).

use mpcegosign::ceremony::sign::{
    self, review, review_batch, BatchReview, Initiator, Origin, Progress, Review, SignError,
    SignPolicy,
};
use std::collections::BTreeSet;
use std::time::Duration;

use mpcegosign::ceremony::verdict::Verdict;
use mpcegosign::hex32;
use mpcegosign::protocol::{Message, SessionId};
use mpcegosign::sanitize::sanitize;
use mpcegosign::sgx::frameworks::Details;
use mpcegosign::sgx::Date;
use mpcegosign::share::KeyShare;
use mpcegosign::threshold::Subset;
use mpcegosign::transport::Transport;

use crate::cli::commands::audit::Recorder;
use crate::cli::error::CliError;
use crate::cli::io::files::enclave_target::Target;
use crate::cli::io::files::policy::Gate;
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::console::{confirm, receive_loop, Step};
use crate::cli::io::transport::open_transport;
mod args;
pub use args::{Pkcs11Mechanism, SignArgs};
use policy::Screened;
use time_limit::{answering, TimeLimit};

mod batch_initiator;
mod batch_signer;
mod hsm;
pub mod policy;
pub mod time_limit;

pub fn run(args: SignArgs) -> Result<(), CliError> {
    if let Some(module) = &args.pkcs11.pkcs11_module {
        return hsm::run(&args, module);
    }
    if args.share.as_os_str().is_empty() {
        return Err(CliError::new(
            "--share FILE is required (or --pkcs11-module LIB.so with --key-label for one-key signing)",
        ));
    }
    if !args.config.is_empty() || args.sigstruct.is_some() || args.batch.is_some() {
        if args.timeout.is_some() {
            return Err(CliError::new(
                "--timeout is for a signer; the initiator waits until t valid partials came or too few can still come",
            ));
        }
        if args.policy.is_some() || args.allow_svn_rollback {
            return Err(CliError::new(
                "--policy and --allow-svn-rollback are for a signer; the initiator chose the request it sends",
            ));
        }
        if args.config.len() > 1 || args.batch.is_some() {
            return batch_initiator::run(&args);
        }
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

/// Records and sends this party's signed ABORT (within the time limit), then says
/// why on the terminal: how a single request and a batch are declined alike.
fn send_decline(
    abort: &Message,
    audit: &Recorder,
    transport: &mut dyn Transport,
    limit: Option<&TimeLimit>,
    message: &str,
) -> Result<Answer, CliError> {
    answering(limit, || {
        audit.answer(abort)?;
        send(transport, "ABORT", abort)
    })?;
    eprintln!("mpcegosign: {message}");
    Ok(Answer::Declined)
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
        if !share.scheme().has_party(p) {
            return Err(CliError::new(format!(
                "--signers: party {p} is not in 1..={n}"
            )));
        }
        parties.push(p);
    }
    Subset::from_parties(&parties).map_err(|e| CliError::new(e.to_string()))
}

fn initiator(args: &SignArgs) -> Result<(), CliError> {
    let share = share_io::load_signing_share(&args.share, &args.passphrase)?;
    let mut audit = Recorder::open(&args.audit, &args.share, &share)?;
    let signers = parse_signers(args.signers.as_deref(), &share)?;
    let target = match (&args.sigstruct, args.config.first()) {
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
    for (name, value) in Details::if_other(&regions).iter().flat_map(|d| d.lines()) {
        eprintln!("  {name:<9} {value}");
    }
    send(transport.as_mut(), "SIGN-INIT", &init)?;
    audit.sent(&init);
    let signature = receive_loop(
        transport.as_mut(),
        "a SIGN-PARTIAL message",
        |bytes| match audit.saw(bytes, ini.accept(bytes)) {
            // shoup3: a partial whose proof fails is named and ignored; the others
            // may still complete the signature.
            Err(e @ SignError::BadPartial { .. }) => {
                eprintln!("mpcegosign: {e}");
                ini.check_still_possible()?;
                report_waiting(&ini);
                Ok(Step::More)
            }
            Err(e) => Err(e),
            Ok(Progress::Accepted { party, failed }) => {
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
            Ok(Progress::Declined {
                party,
                reason,
                authenticated,
            }) => {
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
            Ok(Progress::Stuck { suspects }) => {
                let list: Vec<String> = suspects.iter().map(u8::to_string).collect();
                eprintln!(
                    "No subset can complete with the partials received so far (suspects: {}); waiting for more.",
                    if list.is_empty() { "none".to_string() } else { list.join(", ") }
                );
                Ok(Step::More)
            }
            Ok(Progress::Complete { signature, subset }) => {
                eprintln!("Parties {subset} produced a valid signature.");
                Ok(Step::Done(signature))
            }
        },
        // Only conclusions from authenticated messages end the signing.
        |e: &SignError| e.verdict().keeps_waiting(),
    )
    .map_err(|e| audit.failed(e))?;
    let out = target
        .finish(share.public(), &signature)
        .map_err(|e| audit.failed(e))?;
    eprintln!("Verified and wrote {}", out.display());
    audit.signed(&out)
}

fn report_waiting(ini: &Initiator) {
    let waiting = ini.waiting_for();
    if !waiting.is_empty() {
        let list: Vec<String> = waiting.iter().map(u8::to_string).collect();
        eprintln!("Waiting for parties {}.", list.join(", "));
    }
}

fn parse_mrenclave(hex_text: &str) -> Result<[u8; 32], CliError> {
    hex32::parse(hex_text)
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
    for (name, value) in r.framework.iter().flat_map(|d| d.lines()) {
        eprintln!("  {name:<10} {value}");
    }
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
        "  Signers    {} (you are party {}; {})",
        r.signers,
        share.party(),
        share.secret().signing_work(r.subsets.len())
    );
}

/// How one SIGN-INIT ended for the signer.
enum Answer {
    /// Signed: the SIGN-PARTIAL went out; the signer is done.
    Signed,
    /// Declined with an ABORT (a flag, the policy or the person refused it): the
    /// signer waits for the next SIGN-INIT.
    Declined,
}

fn signer(args: &SignArgs) -> Result<(), CliError> {
    if args.yes && args.expect_mrenclave.is_empty() {
        return Err(CliError::new(
            "--yes signs without asking, so it needs --expect-mrenclave HEX to say what may be signed",
        ));
    }
    let expect = args
        .expect_mrenclave
        .iter()
        .map(|h| parse_mrenclave(h))
        .collect::<Result<Vec<_>, _>>()?;
    // One value is the single review's check; several are for a batch (a single
    // request must then be one of them, checked after its review).
    let expect_mrenclave = match expect.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let share = share_io::load_signing_share(&args.share, &args.passphrase)?;
    let mut audit = Recorder::open(&args.audit, &args.share, &share)?;
    let gate = policy::open(args, &share)?;
    if share.auth().is_none() {
        eprintln!("Warning: your share is of the reference format (version 2 or 1): it has no roster, so nothing proves who sent the SIGN-INIT. Check every field before you sign.");
    }
    let policy = SignPolicy {
        allow_debug: args.allow_debug,
        expect_mrenclave,
        accept_unsigned: args.accept_unsigned_init,
    };
    let mut transport = open_transport(&args.transport)?;
    let limit = args.timeout.map(|minutes| {
        TimeLimit::start(
            Duration::from_secs_f64(minutes * 60.0),
            format!("nothing was signed within {minutes} minute(s) (--timeout); stopped"),
        )
    });
    // Sessions this signer answered: a replay of one is ignored.
    let mut answered: BTreeSet<[u8; 16]> = BTreeSet::new();
    loop {
        let request = next_request(
            transport.as_mut(),
            &share,
            (&policy, &expect),
            &mut audit,
            &answered,
        )?;
        let (session, origin) = match &request {
            Ok(Request::Single(r)) => (r.session, r.origin),
            Ok(Request::Batch(b)) => (b.session, b.origin),
            Err((_, session, origin)) => (*session, *origin),
        };
        // Only an authenticated request closes its session: a forged one copying the
        // live session id must not make the genuine request be ignored.
        if origin == Origin::Authenticated {
            answered.insert(session.0);
        }
        let answer = match request {
            Ok(Request::Single(r)) => answer_request(
                args,
                &share,
                &gate,
                &audit,
                transport.as_mut(),
                limit.as_ref(),
                (&expect, r),
            )?,
            Ok(Request::Batch(b)) => batch_signer::answer_batch(
                args,
                &share,
                &gate,
                &audit,
                transport.as_mut(),
                limit.as_ref(),
                (&expect, b),
            )?,
            // A refusal still answers the initiator with an ABORT, so it does not
            // wait in vain.
            Err((e, session, origin)) => {
                let abort = sign::decline_request(&share, session, &e.to_string(), origin);
                answering(limit.as_ref(), || {
                    audit.answer(&abort)?;
                    send(transport.as_mut(), "ABORT", &abort)
                })?;
                eprintln!("mpcegosign: {}", sanitize(&e.to_string()));
                Answer::Declined
            }
        };
        match answer {
            Answer::Signed => return Ok(()),
            Answer::Declined => eprintln!(
                "Declined session {} (an ABORT message tells the initiator). Waiting for the next SIGN-INIT; end the input (Ctrl-D) or press Ctrl-C to stop.",
                session.short()
            ),
        }
    }
}

/// A reviewed request: one enclave or a batch.
enum Request {
    Single(Review),
    Batch(BatchReview),
}

/// Waits for a SIGN-INIT or SIGN-INIT-BATCH this signer may act on: one it reviewed
/// (`Ok`), or one from its initiator that it refuses (`Err`, with the session to
/// decline). Anything not provably from its initiator is reported in one line and
/// changes nothing ([`Verdict::Ignore`]), and so is a session already answered.
fn next_request(
    transport: &mut dyn Transport,
    share: &KeyShare,
    (policy, expect): (&SignPolicy, &[[u8; 32]]),
    audit: &mut Recorder,
    answered: &BTreeSet<[u8; 16]>,
) -> Result<Result<Request, (SignError, SessionId, Origin)>, CliError> {
    receive_loop(
        transport,
        "the SIGN-INIT message",
        |bytes| {
            let bytes = audit.reviewing(bytes);
            let is_batch = matches!(Message::decode(bytes), Ok(Message::SignInitBatch(_)));
            let result = if is_batch {
                review_batch(share, bytes, policy, expect).map(Request::Batch)
            } else {
                review(share, bytes, policy).map(Request::Single)
            };
            let result = match result {
                Err(e) if e.verdict() != Verdict::Refuse => return Err(e),
                other => other,
            };
            let (session, origin) = match &result {
                Ok(Request::Single(r)) => (r.session, r.origin),
                Ok(Request::Batch(b)) => (b.session, b.origin),
                Err(_) => sign::request_origin(share, bytes)?,
            };
            if answered.contains(&session.0) {
                return Err(SignError::AlreadyAnswered {
                    session: session.short(),
                });
            }
            Ok(Step::Done(result.map_err(|e| (e, session, origin))))
        },
        |e: &SignError| e.verdict() == Verdict::Ignore,
    )
}

/// Shows a reviewed request, asks what the flags do not settle, and signs or
/// declines it.
fn answer_request(
    args: &SignArgs,
    share: &KeyShare,
    gate: &Gate,
    audit: &Recorder,
    transport: &mut dyn Transport,
    limit: Option<&TimeLimit>,
    (expect, r): (&[[u8; 32]], Review),
) -> Result<Answer, CliError> {
    show_review(&r, share);
    let decline = |transport: &mut dyn Transport, reason: &str, message: &str| {
        send_decline(&r.decline(share, reason), audit, transport, limit, message)
    };
    if expect.len() > 1 && !expect.contains(&r.mrenclave) {
        let hex = hex::encode(r.mrenclave);
        return decline(
            transport,
            &format!(
                "party {} expects another MRENCLAVE than {hex}",
                share.party()
            ),
            &format!("MRENCLAVE {hex} is none of the --expect-mrenclave values"),
        );
    }
    // The policy and SVN anti-rollback first: a refused request asks nothing.
    let rollback = match policy::screen(args, share, gate, &r, audit)? {
        Screened::Pass(rollback) => rollback,
        Screened::Decline { reason, message } => return decline(transport, &reason, &message),
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
            return decline(
                transport,
                &format!("party {} refused a SIGSTRUCT dated {}", share.party(), r.date),
                "the SIGSTRUCT is not dated today (UTC, ±1 day) and that was not confirmed (--allow-any-date)",
            );
        }
    }
    if !args.yes && !confirm("Sign this enclave?")? {
        return decline(
            transport,
            &format!("party {} declined to sign", share.party()),
            "you declined to sign",
        );
    }
    answering(limit, || {
        if let Some(ev) = rollback {
            audit.svn_rollback(ev)?;
        }
        let partial = r.sign(share).map_err(|e| CliError::new(e.to_string()))?;
        audit.answer(&partial)?;
        send(transport, "SIGN-PARTIAL", &partial)
    })?;
    Ok(Answer::Signed)
}
