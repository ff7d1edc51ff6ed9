//! The demo's keygen: a 2-of-3 `subsets` keygen of a fresh throwaway key, driven
//! through the real ceremony state machines (`ceremony::keygen`: `Dealer`, `Joiner`)
//! with every message passed as the text a party would paste, and each party's screen
//! shown in turn: session code, fingerprints, the KEYGEN-FINALIZE, the key code.

use std::time::Instant;

use mpcegosign::ceremony::keygen::{Dealer, Joiner, RosterEntry};
use mpcegosign::key::{self, PrivateKey};
use mpcegosign::protocol::SCHEME_SUBSETS;
use mpcegosign::share::KeyShare;
use mpcegosign::threshold::Scheme;

use super::screen::{Chat, Screen, ALICE, BOB, CAROL};
use crate::cli::error::CliError;

/// What the keygen leaves: every party's share (in memory only) and the whole key, which a real dealer forgets once it is dealt and the
/// demo keeps only to compare the final signature with a one-key signature.
pub struct Keyed {
    pub shares: Vec<KeyShare>,
    pub whole_key: PrivateKey,
}

fn fail(step: &str) -> impl Fn(mpcegosign::ceremony::keygen::KeygenError) -> CliError + '_ {
    move |e| CliError::new(format!("demo: {step}: {e}"))
}

fn roster_lines(screen: &mut Screen, roster: &[RosterEntry], me: u8) -> Result<(), CliError> {
    for r in roster {
        let who = if r.party == me {
            " (you)"
        } else if r.party == 1 {
            " (dealer)"
        } else {
            ""
        };
        screen.shows(&format!("  party {}{who:<9} {}", r.party, r.fingerprint))?;
    }
    Ok(())
}

/// The key code question as the real tool asks it, answered with the last group.
fn confirm_key_code(screen: &mut Screen, key_code: &str) -> Result<(), CliError> {
    screen.shows(&format!("Key code: {key_code}"))?;
    let last = key_code.rsplit('-').next().unwrap_or(key_code);
    screen.answers(
        &format!(
            "Does every party show key code {key_code}? If so, type its last group (4 characters):"
        ),
        last,
    )?;
    screen.shows(
        "Saved the share (age-encrypted, mode 0600) and public.pem.  [demo: kept in memory only]",
    )
}

pub fn run(screen: &mut Screen, chat: &mut Chat) -> Result<Keyed, CliError> {
    let scheme = Scheme::new(3, 2).map_err(|e| CliError::new(e.to_string()))?;
    screen.title("Keygen: one key, three shares; any two parties sign")?;

    screen.party(ALICE)?;
    screen.explain(
        "Alice deals. She opens the ceremony and posts a KEYGEN-INIT to the group chat.",
    )?;
    screen.types("mpcegosign keygen --parties 3 --threshold 2 --scheme subsets")?;
    let (mut dealer, init) =
        Dealer::start(scheme, SCHEME_SUBSETS, None).map_err(fail("starting the keygen"))?;
    screen.shows(&format!(
        "Keygen 2-of-3 (subsets scheme): you are party 1, the dealer. Session code: {}",
        dealer.session_code()
    ))?;
    let init_post = chat.post(screen, ALICE, "KEYGEN-INIT", &init.encode())?;

    let mut joiners = Vec::new();
    for who in [BOB, CAROL] {
        screen.party(who)?;
        screen.explain(&format!(
            "{} joins: the tool makes a one-time X25519 key (its share will be sealed to it) and an Ed25519 identity key that signs all its later messages.",
            who.name
        ))?;
        screen.types("mpcegosign keygen")?;
        let bytes = chat.paste(screen, init_post)?;
        let (joiner, join) = Joiner::join(&bytes).map_err(fail("joining"))?;
        screen.shows(&format!(
            "Joining a 2-of-3 keygen (subsets scheme). Session code: {} (the dealer's must be the same)",
            joiner.session_code()
        ))?;
        screen.shows(&format!(
            "Dealer fingerprint: {}",
            joiner.dealer_fingerprint()
        ))?;
        screen.shows(&format!(
            "Your fingerprint:   {}  (read it to the dealer)",
            joiner.own_fingerprint()
        ))?;
        let post = chat.post(screen, who, "KEYGEN-JOIN", &join.encode())?;
        joiners.push((who, joiner, post));
    }

    screen.party(ALICE)?;
    screen
        .explain("Alice pastes each KEYGEN-JOIN; parties are numbered in the order they arrive.")?;
    for (_, _, post) in &joiners {
        let bytes = chat.paste(screen, *post)?;
        let entry = dealer.accept_join(&bytes).map_err(fail("taking a join"))?;
        screen.shows(&format!(
            "Party {} joined, fingerprint {}",
            entry.party, entry.fingerprint
        ))?;
    }
    let roster = dealer.roster();
    screen.explain("On a call, Alice reads out the session code and every fingerprint; each party checks its own. This stops someone in the chat from joining in a party's place.")?;
    screen.shows(&format!(
        "All 3 parties joined. Each party must confirm the session code {} and its own fingerprint:",
        dealer.session_code()
    ))?;
    roster_lines(screen, &roster, 1)?;
    // The comparison the people make on the call, made here for real.
    for (who, joiner, _) in &joiners {
        let listed = roster.iter().find(|r| r.party == who.number);
        if listed.map(|r| r.fingerprint.as_str()) != Some(joiner.own_fingerprint().as_str())
            || joiner.session_code() != dealer.session_code()
        {
            return Err(CliError::new(format!(
                "demo: {}'s fingerprint or session code differs from the dealer's list",
                who.name
            )));
        }
    }
    screen.answers(
        "Did every party confirm its fingerprint? [y/N]",
        "y   (Bob and Carol each heard their own)",
    )?;
    screen.explain("Alice's tool generates the key and deals it: each party gets its sub-shares, sealed to its one-time key and bound to the whole keygen's transcript. The KEYGEN-FINALIZE is long, so it goes as numbered parts.")?;
    let started = Instant::now();
    let whole_key = key::generate(&mut |_| {}).map_err(|e| CliError::new(e.to_string()))?;
    screen.shows(&format!(
        "Generated a fresh RSA-3072 key (e = 3) in {} ms: a throwaway key, for this demo only.",
        started.elapsed().as_millis()
    ))?;
    let dealt = dealer.deal(&whole_key).map_err(fail("dealing"))?;
    let fin_post = chat.post(screen, ALICE, "KEYGEN-FINALIZE", &dealt.finalize.encode())?;
    screen.explain("Every party's screen now shows a key code, derived from the whole keygen. They read it out on the call: the same code everywhere means the same key, dealt to the same roster.")?;
    confirm_key_code(screen, &dealt.key_code)?;

    let mut shares = vec![dealt.share];
    for (who, joiner, _) in &joiners {
        screen.party(*who)?;
        screen.explain(&format!(
            "{} pastes the KEYGEN-FINALIZE: the tool checks the dealer's signature, opens its own share and checks it against the public key.",
            who.name
        ))?;
        let bytes = chat.paste(screen, fin_post)?;
        let joined = joiner.finish(&bytes).map_err(fail("opening the share"))?;
        screen.shows(&format!(
            "You are party {}. Participants:",
            joined.share.party()
        ))?;
        roster_lines(screen, &joined.roster, joined.share.party())?;
        if joined.key_code != dealt.key_code {
            return Err(CliError::new(format!(
                "demo: {}'s key code {} differs from the dealer's {}",
                who.name, joined.key_code, dealt.key_code
            )));
        }
        confirm_key_code(screen, &joined.key_code)?;
        shares.push(joined.share);
    }
    let mrsigner = hex::encode(whole_key.public().mrsigner());
    screen.explain(&format!(
        "Each party now holds share_N.json.age and the same public.pem; MRSIGNER {mrsigner}. In a real keygen no one holds the whole key any more: the dealer's tool forgets it once dealt (this demo keeps it in memory for one comparison at the end)."
    ))?;
    Ok(Keyed { shares, whole_key })
}
