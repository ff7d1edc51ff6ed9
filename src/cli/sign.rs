//! `mpcegosign sign`: the initiator (`--config`) or a signer (`--share` only).

use mpcegosign::ceremony::sign::{
    self, review, Initiator, Progress, Review, SignError, SignPolicy,
};
use mpcegosign::ceremony::MessageError;
use mpcegosign::protocol::{Message, SessionId};
use mpcegosign::share::KeyShare;
use mpcegosign::threshold::Subset;
use mpcegosign::transport::Transport;

use super::console::{confirm, receive_loop, Step};
use super::enclave_target::Target;
use super::{open_transport, share_io, CliError, SignArgs};

pub fn run(args: SignArgs) -> Result<(), CliError> {
    if let Some(module) = &args.pkcs11.pkcs11_module {
        return super::sign_hsm::run(&args, module);
    }
    if args.share.as_os_str().is_empty() {
        return Err(CliError::new(
            "--share FILE is required (or --pkcs11-module LIB.so with --key-label for one-key signing)",
        ));
    }
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
            Progress::Declined { party, reason } => {
                eprintln!("Party {party} declined: {reason}");
                report_waiting(&ini);
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
        "  Signers    {} (you are party {}; {} partial(s) to compute)",
        r.signers,
        share.party(),
        r.subsets.len()
    );
}

fn signer(args: &SignArgs) -> Result<(), CliError> {
    let share = share_io::load_share(&args.share, &args.passphrase)?;
    let policy = SignPolicy {
        allow_debug: args.allow_debug,
        expect_mrenclave: args
            .expect_mrenclave
            .as_deref()
            .map(parse_mrenclave)
            .transpose()?,
    };
    let mut transport = open_transport(&args.transport)?;
    // A refusal still answers the initiator with an ABORT, so it does not wait in vain.
    let outcome: Result<Review, (SignError, SessionId)> = receive_loop(
        transport.as_mut(),
        "the SIGN-INIT message",
        |bytes| match review(&share, bytes, &policy) {
            Ok(r) => Ok(Step::Done(Ok(r))),
            Err(SignError::Message(e)) => Err(e),
            Err(e) => match Message::decode(bytes) {
                Ok(m) => Ok(Step::Done(Err((e, m.session())))),
                Err(p) => Err(MessageError::Protocol(p)),
            },
        },
        |_: &MessageError| true,
    )?;
    let r = match outcome {
        Ok(r) => r,
        Err((e, session)) => {
            let abort = sign::decline(session, share.party(), &e.to_string());
            send(transport.as_mut(), "ABORT", &abort)?;
            return Err(CliError::new(e.to_string()));
        }
    };
    show_review(&r, &share);
    if !args.yes && !confirm("Sign this enclave?")? {
        let abort = r.decline(&format!("party {} declined to sign", share.party()));
        send(transport.as_mut(), "ABORT", &abort)?;
        return Err(CliError::new(
            "you declined to sign; an ABORT message tells the initiator",
        ));
    }
    let partial = r.sign(&share).map_err(|e| CliError::new(e.to_string()))?;
    send(transport.as_mut(), "SIGN-PARTIAL", &partial)?;
    Ok(())
}
