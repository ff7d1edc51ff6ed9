//! A whole refresh in memory, every party driven through its real state machine
//! with every message encoded and decoded: for the tests, and for the sizes bench,
//! which reports [`Received`] (the bytes one party receives) from a real run. The
//! chat way (whole DEALs) also passes every message through the text transport (one
//! line, or numbered parts reassembled), as a group chat carries it.

use std::collections::VecDeque;

use super::invitation::{start, Invitation};
use super::party::{Outgoing, Party};
use super::{GenerationRef, RefreshCeremonyError as E, RefreshOutcome};
use crate::protocol::{parts, text, MessageType};
use crate::share::KeyShare;
use crate::threshold::SchemeShare;

/// The bytes one party received in a refresh, by message kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Received {
    pub party: u8,
    /// The REFRESH-INIT (0 for the coordinator, who wrote it).
    pub init: usize,
    /// The other parties' REFRESH-JOINs.
    pub joins: usize,
    /// The other parties' REFRESH-DEALs (or their views for this party).
    pub deals: usize,
    /// The other parties' REFRESH-CONFIRMs.
    pub confirms: usize,
}

impl Received {
    pub fn total(&self) -> usize {
        self.init + self.joins + self.deals + self.confirms
    }
}

impl InMemoryRefresh {
    /// The party that received the most bytes, and what it received.
    pub fn most_received(&self) -> Received {
        self.received
            .iter()
            .copied()
            .max_by_key(Received::total)
            .unwrap_or_default()
    }
}

/// A message as a group chat carries it: its lines (one, or numbered parts), read
/// back and reassembled. `None` if the text transport lost it.
fn through_chat(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut assembler = parts::Assembler::new();
    for line in parts::split(bytes) {
        if !parts::is_part(&line) {
            return text::decode(&line).ok();
        }
        let part = parts::parse(&line).ok()?;
        if let Ok(parts::Fed::Whole { message, .. }) = assembler.feed(part) {
            return Some(message);
        }
    }
    None
}

/// A finished in-memory refresh.
#[derive(Debug)]
pub struct InMemoryRefresh {
    /// Each party's new share, parties 1..=n in order.
    pub shares: Vec<SchemeShare>,
    pub outcomes: Vec<RefreshOutcome>,
    pub received: Vec<Received>,
}

/// Refreshes `shares` (every party's, in party order, of generation `generation`)
/// with `coordinator` opening it; each DEAL goes to each recipient as its own view
/// (`views`, the QR way) or whole, every message through the text transport (the
/// chat way). For a bench: `run_in_memory(&shares, (0, keygen transcript), 1,
/// true)?.most_received()`.
pub fn run_in_memory(
    shares: &[KeyShare],
    generation: GenerationRef,
    coordinator: u8,
    views: bool,
) -> Result<InMemoryRefresh, E> {
    let first = shares
        .iter()
        .find(|s| s.party() == coordinator)
        .ok_or(E::NotDone(format!("no share of party {coordinator}")))?;
    let (lead, opening) = start(first, generation)?;
    let mut opening = opening.into_iter();
    let init = opening.next().map(|m| m.encode()).unwrap_or_default();
    let mut received: Vec<Received> = shares
        .iter()
        .map(|s| Received {
            party: s.party(),
            ..Received::default()
        })
        .collect();
    // (to, bytes): FIFO, as a chat delivers.
    let mut queue: VecDeque<(u8, Vec<u8>)> = VecDeque::new();
    let mut parties: Vec<Party<'_>> = Vec::with_capacity(shares.len());
    let everyone: Vec<u8> = shares.iter().map(KeyShare::party).collect();
    let broadcast = |queue: &mut VecDeque<(u8, Vec<u8>)>, from: u8, bytes: Vec<u8>| {
        for &to in everyone.iter().filter(|&&p| p != from) {
            queue.push_back((to, bytes.clone()));
        }
    };
    for share in shares {
        if share.party() == coordinator {
            continue;
        }
        let (party, join) = Invitation::review(share, generation, &init)?.join(share)?;
        received[usize::from(share.party()) - 1].init = init.len();
        broadcast(&mut queue, share.party(), join.encode());
        parties.push(party);
    }
    for join in opening {
        broadcast(&mut queue, coordinator, join.encode());
    }
    parties.push(lead);
    parties.sort_by_key(Party::party);
    while let Some((to, bytes)) = queue.pop_front() {
        let bytes = match views {
            true => bytes,
            false => through_chat(&bytes)
                .ok_or(E::NotDone("the text transport lost a message".into()))?,
        };
        let index = usize::from(to) - 1;
        let progress = parties[index].receive(&bytes)?;
        let r = &mut received[index];
        match progress.kind {
            MessageType::RefreshJoin => r.joins += bytes.len(),
            MessageType::RefreshDeal => r.deals += bytes.len(),
            MessageType::RefreshConfirm => r.confirms += bytes.len(),
            _ => {}
        }
        for out in progress.send {
            match out {
                Outgoing::Deal { whole, views: own } if views => {
                    for (recipient, view) in own {
                        queue.push_back((recipient, view.encode()));
                    }
                    drop(whole);
                }
                Outgoing::Deal { whole, .. } => broadcast(&mut queue, to, whole.encode()),
                Outgoing::Confirm(confirm) => broadcast(&mut queue, to, confirm.encode()),
            }
        }
    }
    let mut new_shares = Vec::with_capacity(parties.len());
    let mut outcomes = Vec::with_capacity(parties.len());
    for party in parties {
        let (share, outcome) = party.finish()?;
        new_shares.push(share);
        outcomes.push(outcome);
    }
    Ok(InMemoryRefresh {
        shares: new_shares,
        outcomes,
        received,
    })
}
