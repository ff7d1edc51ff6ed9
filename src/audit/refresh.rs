//! The `refresh` record ([`RefreshEvent`]: a roster's shares of generation g
//! replaced by those of generation g + 1, same key, same roster), built from plain
//! values ([`refresh_record`], for the `refresh` command) and checked against the
//! roster ([`check`]): the roster named is this one, the generations follow each
//! other (and, when the log is read in order, the one refreshed is the last one this
//! log reached), and every recorded message is a REFRESH message of the session,
//! signed by its sender's identity key in the roster. The new generation's id and
//! the key code are the refresh ceremony's own: they are shown, not recomputed.

use super::build::{record, recorded};
use super::record::{GenerationHex, Record, RefreshEvent};
use super::recover::CheckMessage;
use super::roster::Roster;
use super::AuditError;
use crate::hex32;

/// What a refresh decided, as plain values.
#[derive(Debug, Clone, Copy)]
pub struct RefreshFacts<'a> {
    /// The refresh session.
    pub session: [u8; 16],
    /// The keygen transcript hash of the roster.
    pub roster_transcript: [u8; 32],
    /// The generation replaced (number, id) and the new one.
    pub old: (u32, [u8; 32]),
    pub new: (u32, [u8; 32]),
    /// The new key code every party confirmed.
    pub key_code: &'a str,
    /// The signed REFRESH messages, each `("sent" | "received", bytes)`, exactly as
    /// sent and received.
    pub messages: &'a [(&'a str, &'a [u8])],
}

fn generation((number, id): (u32, [u8; 32])) -> GenerationHex {
    GenerationHex {
        number,
        id: hex::encode(id),
    }
}

/// The event of a refresh record.
pub fn refresh_event(f: &RefreshFacts<'_>) -> Result<RefreshEvent, AuditError> {
    Ok(RefreshEvent {
        session: hex::encode(f.session),
        roster: hex::encode(f.roster_transcript),
        from: generation(f.old),
        to: generation(f.new),
        key_code: f.key_code.to_string(),
        messages: f
            .messages
            .iter()
            .map(|(dir, bytes)| recorded(dir, bytes))
            .collect::<Result<_, _>>()?,
    })
}

/// The record a refresh's party `party` appends (numbered and chained by `log`).
pub fn refresh_record(
    party: u8,
    mrsigner: &[u8; 32],
    unix_secs: u64,
    f: &RefreshFacts<'_>,
) -> Result<Record, AuditError> {
    Ok(record(
        party,
        mrsigner,
        unix_secs,
        super::record::Event::Refresh(refresh_event(f)?),
    ))
}

/// What the check of a refresh record found.
#[derive(Debug, Default)]
pub struct Checked {
    pub problems: Vec<String>,
    pub summary: String,
    pub skipped: Option<String>,
    /// The generation this roster's shares are at after it, when it checks.
    pub reached: Option<(u32, [u8; 32])>,
}

/// Checks a refresh record against `roster`. `current` is the generation this
/// roster's shares were at before it, as the log read so far shows (generation 0,
/// the keygen transcript, at first); `None` when the record is checked alone.
pub fn check(
    e: &RefreshEvent,
    roster: &Roster,
    current: Option<(u32, [u8; 32])>,
    check_message: CheckMessage,
) -> Checked {
    let mut c = Checked::default();
    if e.roster != hex::encode(roster.transcript) {
        c.skipped = Some("a refresh of another roster's shares; not this roster's".into());
        return c;
    }
    let (Some(from), Some(to)) = (hex32::parse(&e.from.id), hex32::parse(&e.to.id)) else {
        c.problems
            .push("a generation id is not 64 hex digits".into());
        return c;
    };
    if e.from.number.checked_add(1) != Some(e.to.number) || from == to {
        c.problems.push(format!(
            "generation {} does not follow generation {}",
            e.to.number, e.from.number
        ));
    }
    if let Some((number, id)) = current {
        if (number, id) != (e.from.number, from) {
            c.problems.push(format!(
                "the record refreshes generation {} ({}), but this log's shares are at generation {number} ({}): a refresh record is missing, or this one is forged",
                e.from.number,
                short(&e.from.id),
                short(&hex::encode(id))
            ));
        }
    }
    let mut senders = Vec::new();
    for (i, m) in e.messages.iter().enumerate() {
        let Some(msg) = check_message(i, m, &e.session, roster, &mut c.problems) else {
            continue;
        };
        if !msg.kind().name().starts_with("REFRESH-") {
            c.problems
                .push(format!("a {} has no place in a refresh record", msg.kind()));
        } else if !senders.contains(&m.from) {
            senders.push(m.from);
        }
    }
    if c.problems.is_empty() {
        senders.sort_unstable();
        let from_parties = senders
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        c.summary = format!(
            "refresh (session {}): generation {} ({}) to {} ({}), key code {}; {}",
            short(&e.session),
            e.from.number,
            short(&e.from.id),
            e.to.number,
            short(&e.to.id),
            e.key_code,
            if senders.is_empty() {
                "no signed message recorded: only the chain vouches for it".to_string()
            } else {
                format!(
                    "{} signed REFRESH message(s) from parties {from_parties}; the new generation's id and key code are as recorded (not recomputed)",
                    e.messages.len()
                )
            }
        );
        c.reached = Some((e.to.number, to));
    }
    c
}

/// The first 16 characters (a hostile log may hold any text).
fn short(s: &str) -> String {
    s.chars().take(16).collect()
}
