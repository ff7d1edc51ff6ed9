//! `mpcegosign keygen`: the dealer (`--parties N`) or a joiner (no flags). Beside it:
//! generating a fresh key (`new_key`), the output directory (`output`),
//! `keygen --resume` (`resume`) and, in test builds, a corrupt dealer
//! (`test_corruption`). A reshare's keygen ([`deal_rebuilt`]) is this dealer with a
//! KEYGEN-INIT that names the old roster.

use std::path::Path;

use mpcegosign::ceremony::keygen::{Dealer, Dealt, Joiner, KeygenError, RosterEntry};
use mpcegosign::key::{PrivateKey, PublicKey};
use mpcegosign::protocol::{scheme_name, SCHEME_SHOUP3, SCHEME_SUBSETS};
use mpcegosign::share::KeyShare;
use mpcegosign::threshold::shoup3::{self, SafePrimeKey, Shoup3Error};
use mpcegosign::threshold::Scheme;

use crate::cli::commands::audit::Recorder;
use crate::cli::error::CliError;
use crate::cli::io::terminal::console::{self, confirm, receive_loop, Step};
use crate::cli::io::transport::args::TransportKind;
use crate::cli::io::transport::open_transport;
mod args;
pub use args::{KeygenArgs, SchemeArg};
use new_key::{generate_key, generate_safe_key};
use output::OutputPlan;

mod new_key;
mod output;
pub mod resume;

/// The key the dealer will deal, of the ceremony's scheme.
enum KeyToDeal {
    /// `subsets`: an imported key, or a fresh ordinary one.
    Subsets(Option<PrivateKey>),
    /// `shoup3`: an imported safe-prime key, or a fresh one.
    Shoup3(Option<SafePrimeKey>),
}

impl KeyToDeal {
    fn kind(&self) -> u8 {
        match self {
            KeyToDeal::Subsets(_) => SCHEME_SUBSETS,
            KeyToDeal::Shoup3(_) => SCHEME_SHOUP3,
        }
    }
    fn imported(&self) -> Option<&PublicKey> {
        match self {
            KeyToDeal::Subsets(k) => k.as_ref().map(PrivateKey::public),
            KeyToDeal::Shoup3(k) => k.as_ref().map(SafePrimeKey::public),
        }
    }
}

pub fn run(args: KeygenArgs) -> Result<(), CliError> {
    match args.parties {
        Some(n) => {
            // Parameters and the key to import first, before any question is asked.
            let t = args.threshold.unwrap_or(n);
            let scheme = Scheme::new(n, t).map_err(|e| CliError::new(e.to_string()))?;
            let key = key_to_deal(&args)?;
            let plan = OutputPlan::prepare(&args)?;
            dealer(&args, scheme, key, plan, None)
        }
        None => {
            let plan = OutputPlan::prepare(&args)?;
            joiner(&args, plan)
        }
    }
}

/// Checks, before anything else happens, that a keygen with `args` could write its
/// share (`reshare` asks it before any share is given).
pub fn check_out_dir(args: &KeygenArgs) -> Result<(), CliError> {
    OutputPlan::prepare(args).map(|_| ())
}

/// What `reshare` adds to its keygen: the old roster's keygen transcript, which the
/// KEYGEN-INIT names (wire type 22), and what to do once the new share is saved
/// (given the new share and the signed KEYGEN-INIT), before the keygen record.
pub struct Reshare<'a> {
    pub old_roster: [u8; 32],
    pub saved: OnSaved<'a>,
}

/// Run with the new share and the signed KEYGEN-INIT once the share is saved.
pub type OnSaved<'a> = Box<dyn FnOnce(&KeyShare, &[u8]) -> Result<(), CliError> + 'a>;

/// `reshare`: deals a key rebuilt from given shares to a new roster (`args.parties`,
/// `args.threshold`), as an imported key is dealt: `shoup3` when its primes are
/// safe, else `subsets` (said on screen). The key is wiped when dealing ends.
pub fn deal_rebuilt(args: &KeygenArgs, key: PrivateKey, reshare: Reshare) -> Result<(), CliError> {
    let n = args
        .parties
        .ok_or_else(|| CliError::new("reshare needs --parties"))?;
    let scheme =
        Scheme::new(n, args.threshold.unwrap_or(n)).map_err(|e| CliError::new(e.to_string()))?;
    let pem = key
        .to_pkcs1_pem()
        .map_err(|e| CliError::new(e.to_string()))?;
    let key = match SafePrimeKey::from_pem(pem.expose()) {
        // The rebuilt key is wiped now: only its shoup3 form is dealt (and dropped
        // when dealt), so no copy of p, q or d waits for the key-code question.
        Ok(k) => {
            drop(key);
            KeyToDeal::Shoup3(Some(k))
        }
        Err(Shoup3Error::NotSafePrimes) => {
            eprintln!("The key's primes are not safe primes: it is dealt with the subsets scheme.");
            KeyToDeal::Subsets(Some(key))
        }
        Err(e) => return Err(CliError::new(e.to_string())),
    };
    drop(pem);
    let plan = OutputPlan::prepare(args)?;
    dealer(args, scheme, key, plan, Some(reshare))
}

/// Receive errors that leave the dealer or a joiner waiting: everything received
/// (see [`KeygenError::verdict`]); only the dealer's own state ends a keygen.
fn recoverable(e: &KeygenError) -> bool {
    e.verdict().keeps_waiting()
}

/// Asks every party to compare the key code out of band before anything is saved.
pub(super) fn confirm_key_code(args: &KeygenArgs, key_code: &str) -> Result<(), CliError> {
    eprintln!("Key code: {key_code}");
    eprintln!(
        "Every party's screen now shows a key code. Compare them out of band (voice, in person):"
    );
    eprintln!("the same code everywhere means everyone holds a share of the same key, dealt to the same roster.");
    if !args.yes && !console::confirm_key_code(key_code)? {
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

/// Chooses the scheme and reads the key to import, if any (see `--scheme`).
fn key_to_deal(args: &KeygenArgs) -> Result<KeyToDeal, CliError> {
    let Some(path) = args.import.as_deref() else {
        return Ok(match args.scheme {
            Some(SchemeArg::Subsets) => KeyToDeal::Subsets(None),
            Some(SchemeArg::Shoup3) | None => KeyToDeal::Shoup3(None),
        });
    };
    let pem = read_key_file(path)?;
    if args.scheme == Some(SchemeArg::Subsets) {
        return Ok(KeyToDeal::Subsets(Some(parse_private_key(path, &pem)?)));
    }
    match SafePrimeKey::from_pem(&pem) {
        Ok(k) => Ok(KeyToDeal::Shoup3(Some(k))),
        Err(Shoup3Error::NotSafePrimes) if args.scheme.is_none() => {
            let key = parse_private_key(path, &pem)?;
            eprintln!(
                "{}: its primes are not safe primes, so it is dealt with the subsets scheme (shoup3 needs safe primes; pass --scheme subsets to say so)",
                path.display()
            );
            Ok(KeyToDeal::Subsets(Some(key)))
        }
        Err(Shoup3Error::NotSafePrimes) => Err(CliError::new(format!(
            "cannot deal {} with --scheme shoup3: its primes are not safe primes (p = 2p'+1 with p' prime); deal it with --scheme subsets",
            path.display()
        ))),
        // Not a usable key at all: the same message as for any import.
        Err(_) => Err(parse_private_key(path, &pem).err().unwrap_or_else(|| {
            CliError::new(format!("cannot import {}: unreadable key", path.display()))
        })),
    }
}

fn dealer(
    args: &KeygenArgs,
    scheme: Scheme,
    key: KeyToDeal,
    plan: OutputPlan,
    reshare: Option<Reshare>,
) -> Result<(), CliError> {
    let (n, t) = (scheme.parties(), scheme.threshold());
    let audit = Recorder::open_keygen(&args.audit, &args.out_dir)?;
    let mut transport = open_transport(&args.transport)?;
    let (mut dealer, init) = match (&reshare, key.imported()) {
        (Some(r), Some(public)) => Dealer::start_reshare(scheme, key.kind(), public, r.old_roster),
        _ => Dealer::start(scheme, key.kind(), key.imported()),
    }
    .map_err(|e| CliError::new(e.to_string()))?;
    eprintln!(
        "Keygen {t}-of-{n} ({} scheme): you are party 1, the dealer. Session code: {}",
        scheme_name(key.kind()),
        dealer.session_code()
    );
    if let (Some(k), None) = (key.imported(), &reshare) {
        eprintln!(
            "Dealing the imported key, MRSIGNER {}",
            hex::encode(k.mrsigner())
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
    let qr = args.transport.transport == TransportKind::Qr;
    let session_code = dealer.session_code();
    let dealt = match deal(dealer, scheme, key)? {
        Dealing::Honest(d) => *d,
        #[cfg(feature = "test-export")]
        Dealing::Corrupt { finalize, views } => {
            send_finalize(transport.as_mut(), qr, &finalize, &views)?;
            return Err(CliError::new(
                "test corruption: a corrupt dealing was sent; no share was saved",
            ));
        }
    };
    // Our own share on disk first (under its unconfirmed name): if it cannot be
    // written, no one receives a share; once the FINALIZE is out, an interruption
    // cannot lose it.
    let staged = plan.stage(&dealt.share, &session_code)?;
    // Over an air gap each joiner scans only its own part: the public data and its
    // one sealed share.
    send_finalize(transport.as_mut(), qr, &dealt.finalize, &dealt.views)
        .map_err(|e| staged.kept_error(e))?;
    if let Err(e) = confirm_key_code(args, &dealt.key_code) {
        staged.discard();
        return Err(e);
    }
    let written = staged.commit()?;
    eprintln!("{written}");
    let init = init.encode();
    if let Some(r) = reshare {
        (r.saved)(&dealt.share, &init)?;
    }
    audit.keygen(&dealt.share, true, Some(&init))
}

fn joiner(args: &KeygenArgs, plan: OutputPlan) -> Result<(), CliError> {
    let audit = Recorder::open_keygen(&args.audit, &args.out_dir)?;
    let mut transport = open_transport(&args.transport)?;
    let (joiner, join) = receive_loop(
        transport.as_mut(),
        "the KEYGEN-INIT message",
        |bytes| Joiner::join(bytes).map(Step::Done),
        recoverable,
    )?;
    eprintln!(
        "Joining a {}-of-{} keygen ({} scheme). Session code: {} (the dealer's must be the same)",
        joiner.threshold(),
        joiner.parties(),
        scheme_name(joiner.scheme_byte()),
        joiner.session_code()
    );
    match (joiner.reshare_of(), joiner.imported_mrsigner()) {
        (Some(old), Some(m)) => eprintln!(
            "This keygen is a reshare of MRSIGNER {}: the dealer deals that existing key, held until now by the roster of keygen {}, to a new roster.",
            hex::encode(m),
            hex::encode(old)
        ),
        (_, Some(m)) => eprintln!(
            "The dealer will share an existing key, MRSIGNER {}",
            hex::encode(m)
        ),
        _ => {}
    }
    let session_code = joiner.session_code();
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
        recoverable,
    )?;
    let me = joined.share.party();
    if let Some(checked) = joined.share.secret().dealing_checked() {
        eprintln!("{checked}");
    }
    eprintln!("You are party {me}. Participants:");
    print_roster(&joined.roster, me);
    // Kept under its unconfirmed name before the question: the dealer's FINALIZE
    // cannot be opened again, so an interruption here must not lose the share.
    let staged = plan.stage(&joined.share, &session_code)?;
    if let Err(e) = confirm_key_code(args, &joined.key_code) {
        staged.discard();
        return Err(e);
    }
    let written = staged.commit()?;
    eprintln!("{written}");
    audit.keygen(&joined.share, false, Some(joiner.init_bytes()))
}

/// What dealing produced.
enum Dealing {
    Honest(Box<Dealt>),
    /// Test-only (`test-export`): a corrupt dealing's messages, to send and stop.
    #[cfg(feature = "test-export")]
    Corrupt {
        finalize: Box<mpcegosign::protocol::Message>,
        views: Vec<(u8, mpcegosign::protocol::Message)>,
    },
}

/// Sends the FINALIZE: over QR each joiner's own view, announced by party number
/// (each its own animated QR code, or its own PNG folder with --qr-out); otherwise
/// the whole message.
fn send_finalize(
    transport: &mut dyn mpcegosign::transport::Transport,
    qr: bool,
    finalize: &mpcegosign::protocol::Message,
    views: &[(u8, mpcegosign::protocol::Message)],
) -> Result<(), CliError> {
    if qr && !views.is_empty() {
        eprintln!("Each joiner now scans its own KEYGEN-FINALIZE, announced by party number.");
        for (party, view) in views {
            transport
                .send(
                    &format!("KEYGEN-FINALIZE for party {party}"),
                    &view.encode(),
                )
                .map_err(|e| CliError::new(e.to_string()))?;
        }
        Ok(())
    } else {
        transport
            .send("KEYGEN-FINALIZE", &finalize.encode())
            .map_err(|e| CliError::new(e.to_string()))
    }
}

/// Generates (or takes) the key and deals it.
fn deal(dealer: Dealer, scheme: Scheme, key: KeyToDeal) -> Result<Dealing, CliError> {
    let fail = |e: KeygenError| CliError::new(e.to_string());
    match key {
        KeyToDeal::Subsets(key) => {
            let key = match key {
                Some(k) => k,
                None => generate_key()?,
            };
            dealer
                .deal(&key)
                .map(|d| Dealing::Honest(Box::new(d)))
                .map_err(fail)
        }
        KeyToDeal::Shoup3(key) => {
            let key = match key {
                Some(k) => k,
                None => generate_safe_key()?,
            };
            let seed = dealer.shoup3_seed();
            #[cfg(feature = "test-export")]
            let dealing = if test_corruption::wrong_secret() {
                shoup3::deal_wrong_secret_for_tests(key, scheme, &seed)
            } else if test_corruption::active() {
                // The corruptions edit v_1..v_n: they exercise dealing version 1's checks.
                shoup3::deal_seeded_version(key, scheme, &seed, 1)
            } else {
                shoup3::deal_seeded(key, scheme, &seed)
            };
            #[cfg(not(feature = "test-export"))]
            let dealing = shoup3::deal_seeded(key, scheme, &seed);
            let dealing = dealing.map_err(|e| CliError::new(e.to_string()))?;
            let (keys, secrets) = dealing.into_shares();
            #[cfg(feature = "test-export")]
            if test_corruption::active() {
                let (keys, secrets) = test_corruption::apply(keys, secrets)?;
                let (finalize, views) = dealer
                    .corrupt_finalize_for_tests(keys, secrets)
                    .map_err(fail)?;
                return Ok(Dealing::Corrupt {
                    finalize: Box::new(finalize),
                    views,
                });
            }
            dealer
                .deal_shoup3(keys, secrets)
                .map(|d| Dealing::Honest(Box::new(d)))
                .map_err(fail)
        }
    }
}

/// Test-only (`test-export`): a corrupt dealer, to see every joiner refuse its dealing.
#[cfg(feature = "test-export")]
mod test_corruption;

/// The key file to import, read once.
fn read_key_file(path: &Path) -> Result<zeroize::Zeroizing<Vec<u8>>, CliError> {
    // Into one wiped buffer of the file's size: a growing read would leave freed
    // copies of the primes behind.
    mpcegosign::fsutil::read_secret(path)
        .map_err(|e| crate::cli::error::io_error("read the key", path, &e))
}

/// An ordinary RSA-3072 (e = 3) key from the PEM read from `path`.
fn parse_private_key(path: &Path, pem: &[u8]) -> Result<PrivateKey, CliError> {
    PrivateKey::from_pem(pem).map_err(|e| {
        CliError::new(format!("cannot import {}: {e}", path.display()))
            .hint("it must be an RSA-3072 key with e = 3, as `openssl genrsa -3 3072` writes")
    })
}
