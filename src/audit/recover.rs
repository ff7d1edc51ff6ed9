//! The check of a `recover` record ([`RecoverEvent`], in `record`: shares given to
//! one holder, who wrote the whole key; written by the receiver and by each giver)
//! against a roster: the GIVE-INIT signed by the receiver, each GIVE by its giver,
//! all of one session and for this roster's keygen and key.

use super::record::{Recorded, RecoverEvent};
use super::roster::Roster;
use crate::protocol::Message;

/// How one recorded message is decoded and its signature checked (`verify`'s).
pub type CheckMessage = fn(usize, &Recorded, &str, &Roster, &mut Vec<String>) -> Option<Message>;

/// What the check of a record found: its problems, one line each, and, when there
/// are none, what it proves.
#[derive(Debug, Default)]
pub struct Found {
    pub problems: Vec<String>,
    pub summary: String,
}

/// Checks a recover record: every message signed by its sender's roster key, the
/// GIVE-INIT for this roster's keygen and key, a GIVE from every giver named.
pub fn check(e: &RecoverEvent, roster: &Roster, check_message: CheckMessage) -> Found {
    let mut c = Found::default();
    let mut gave = Vec::new();
    for (i, m) in e.messages.iter().enumerate() {
        match check_message(i, m, &e.session, roster, &mut c.problems) {
            Some(Message::GiveInit(gi)) => {
                if gi.receiver != e.receiver {
                    c.problems.push(format!(
                        "the GIVE-INIT is party {}'s, not the recorded receiver {}'s",
                        gi.receiver, e.receiver
                    ));
                }
                if gi.roster_transcript != roster.transcript || gi.mrsigner != roster.mrsigner() {
                    c.problems
                        .push("the GIVE-INIT names another keygen or key than the roster".into());
                }
            }
            Some(Message::Give(g)) => gave.push(g.party),
            Some(other) => c.problems.push(format!(
                "a {} has no place in a recover record",
                other.kind()
            )),
            None => {}
        }
    }
    let missing: Vec<String> = e
        .givers
        .iter()
        .filter(|p| !gave.contains(p))
        .map(u8::to_string)
        .collect();
    if !missing.is_empty() {
        c.problems.push(format!(
            "no signed GIVE from parties {} in the record",
            missing.join(", ")
        ));
    }
    if c.problems.is_empty() {
        c.summary = format!(
            "recover (session {}): party {} received the shares of parties {} as {}{}",
            e.session.chars().take(8).collect::<String>(),
            e.receiver,
            e.givers
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            e.role,
            e.output
                .as_ref()
                .map(|o| format!(", and wrote the whole key to {}", o.path))
                .unwrap_or_default()
        );
    }
    c
}
