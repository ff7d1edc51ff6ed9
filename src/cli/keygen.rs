//! `mpcegosign keygen`: the dealer (`--parties N`) or a joiner (no flags).

use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use mpcegosign::ceremony::keygen::{Dealer, Joiner, KeygenError, RosterEntry};
use mpcegosign::key::{self, KeygenEvent, PrivateKey};
use mpcegosign::threshold::Scheme;

use super::console::{confirm, receive_loop, Step};
use super::share_io::OutputPlan;
use super::{open_transport, CliError, KeygenArgs};

pub fn run(args: KeygenArgs) -> Result<(), CliError> {
    match args.parties {
        Some(n) => {
            // Parameters and the key to import first, before any question is asked.
            let t = args.threshold.unwrap_or(n);
            let scheme = Scheme::new(n, t).map_err(|e| CliError::new(e.to_string()))?;
            let imported = args.import.as_deref().map(load_private_key).transpose()?;
            let plan = OutputPlan::prepare(&args)?;
            dealer(&args, scheme, imported, plan)
        }
        None => {
            let plan = OutputPlan::prepare(&args)?;
            joiner(&args, plan)
        }
    }
}

/// Join errors that leave the dealer waiting for the genuine join.
fn recoverable(e: &KeygenError) -> bool {
    matches!(
        e,
        KeygenError::Message(_)
            | KeygenError::DuplicateJoin(_)
            | KeygenError::DealerKeyJoin
            | KeygenError::Full(_)
            | KeygenError::WeakJoinKey
            | KeygenError::JoinIdentity(_)
            | KeygenError::BadJoinSignature
    )
}

/// Asks every party to compare the key code out of band before anything is saved.
fn confirm_key_code(args: &KeygenArgs, key_code: &str) -> Result<(), CliError> {
    eprintln!("Key code: {key_code}");
    eprintln!(
        "Every party's screen now shows a key code. Compare them out of band (voice, in person):"
    );
    eprintln!("the same code everywhere means everyone holds a share of the same key, dealt to the same roster.");
    if !args.yes && !confirm(&format!("Does every party show key code {key_code}?"))? {
        return Err(CliError::new(
            "the key codes were not confirmed; nothing was written. Tell the group to stop: someone may have altered the keygen messages",
        ));
    }
    Ok(())
}

fn print_roster(roster: &[RosterEntry], me: u8) {
    for r in roster {
        let who = if r.party == me {
            " (you)"
        } else if r.party == 1 {
            " (dealer)"
        } else {
            ""
        };
        eprintln!("  party {:>2}{who:<9} {}", r.party, r.fingerprint);
    }
}

fn dealer(
    args: &KeygenArgs,
    scheme: Scheme,
    imported: Option<PrivateKey>,
    plan: OutputPlan,
) -> Result<(), CliError> {
    let (n, t) = (scheme.parties(), scheme.threshold());
    let mut transport = open_transport(&args.transport)?;
    let (mut dealer, init) = Dealer::start(
        scheme,
        mpcegosign::protocol::SCHEME_SUBSETS,
        imported.as_ref().map(PrivateKey::public),
    )
    .map_err(|e| CliError::new(e.to_string()))?;
    eprintln!(
        "Keygen {t}-of-{n}: you are party 1, the dealer. Session code: {}",
        dealer.session_code()
    );
    if let Some(k) = &imported {
        eprintln!(
            "Dealing the imported key, MRSIGNER {}",
            hex::encode(k.public().mrsigner())
        );
    }
    transport
        .send("KEYGEN-INIT", &init.encode())
        .map_err(|e| CliError::new(e.to_string()))?;
    eprintln!("Waiting for {} KEYGEN-JOIN messages.", n - 1);
    receive_loop(
        transport.as_mut(),
        "a KEYGEN-JOIN message",
        |bytes| {
            let entry = dealer.accept_join(bytes)?;
            eprintln!(
                "Party {} joined, fingerprint {}",
                entry.party, entry.fingerprint
            );
            Ok(if dealer.is_complete() {
                Step::Done(())
            } else {
                Step::More
            })
        },
        recoverable,
    )?;
    eprintln!("All {n} parties joined. Each party must confirm, by voice or another channel,");
    eprintln!(
        "the session code {} and its own fingerprint:",
        dealer.session_code()
    );
    print_roster(&dealer.roster(), 1);
    if !args.yes && !confirm("Did every party confirm its fingerprint?")? {
        return Err(CliError::new(
            "keygen stopped before dealing: the fingerprints were not confirmed; nothing was written",
        ));
    }
    let key = match imported {
        Some(k) => k,
        None => generate_key()?,
    };
    let dealt = dealer
        .deal(&key)
        .map_err(|e| CliError::new(e.to_string()))?;
    drop(key);
    // Our own files on disk first (under temporary names): if they cannot be
    // written, no one receives a share.
    let staged = plan.stage(&dealt.share)?;
    transport
        .send("KEYGEN-FINALIZE", &dealt.finalize.encode())
        .map_err(|e| CliError::new(e.to_string()))?;
    confirm_key_code(args, &dealt.key_code)?;
    let written = staged.commit()?;
    eprintln!("{written}");
    Ok(())
}

fn joiner(args: &KeygenArgs, plan: OutputPlan) -> Result<(), CliError> {
    let mut transport = open_transport(&args.transport)?;
    let (joiner, join) = receive_loop(
        transport.as_mut(),
        "the KEYGEN-INIT message",
        |bytes| Joiner::join(bytes).map(Step::Done),
        |_: &KeygenError| true,
    )?;
    eprintln!(
        "Joining a {}-of-{} keygen. Session code: {} (the dealer's must be the same)",
        joiner.threshold(),
        joiner.parties(),
        joiner.session_code()
    );
    if let Some(m) = joiner.imported_mrsigner() {
        eprintln!(
            "The dealer will share an existing key, MRSIGNER {}",
            hex::encode(m)
        );
    }
    eprintln!("Dealer fingerprint: {}", joiner.dealer_fingerprint());
    eprintln!(
        "Your fingerprint:   {}  (read it to the dealer)",
        joiner.own_fingerprint()
    );
    transport
        .send("KEYGEN-JOIN", &join.encode())
        .map_err(|e| CliError::new(e.to_string()))?;
    // Whatever is wrong with a FINALIZE (forged, altered, foreign), the genuine one
    // may still come: say why in one line and keep waiting.
    let joined = receive_loop(
        transport.as_mut(),
        "the KEYGEN-FINALIZE message",
        |bytes| joiner.finish(bytes).map(Step::Done),
        |_: &KeygenError| true,
    )?;
    let me = joined.share.party();
    eprintln!("You are party {me}. Participants:");
    print_roster(&joined.roster, me);
    let staged = plan.stage(&joined.share)?;
    confirm_key_code(args, &joined.key_code)?;
    let written = staged.commit()?;
    eprintln!("{written}");
    Ok(())
}

fn load_private_key(path: &Path) -> Result<PrivateKey, CliError> {
    // Into one wiped buffer of the file's size: a growing read would leave freed
    // copies of the primes behind.
    let pem = mpcegosign::fsutil::read_secret(path)
        .map_err(|e| super::error::io_error("read the key", path, &e))?;
    PrivateKey::from_pem(&pem).map_err(|e| {
        CliError::new(format!("cannot import {}: {e}", path.display()))
            .hint("it must be an RSA-3072 key with e = 3, as `openssl genrsa -3 3072` writes")
    })
}

fn generate_key() -> Result<PrivateKey, CliError> {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar.set_message("Generating an RSA-3072 key (e = 3)");
    let key = key::generate(&mut |ev| match ev {
        KeygenEvent::SearchingPrime { index } => {
            bar.set_message(format!("Searching for prime {index} of 2"))
        }
        KeygenEvent::FoundPrime { index } => bar.println(format!("Found prime {index} of 2")),
        KeygenEvent::Retry => {
            bar.println("Primes rejected (modulus size or distance); searching again")
        }
        KeygenEvent::Done => {}
    });
    bar.finish_and_clear();
    key.map_err(|e| CliError::new(e.to_string()))
}
