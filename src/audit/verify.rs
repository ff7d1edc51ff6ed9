//! Every record's messages checked against a roster. For a signing it proves, from
//! signed messages alone, that the initiator asked for this SIGSTRUCT (its signed
//! SIGN-INIT, whose content must equal the record's enclave fields) and which parties
//! approved it (a SIGN-PARTIAL signed by party i for that session and bound to that
//! SIGN-INIT's digest, see `pairing`) or declined (a signed ABORT). The RSA
//! signature, when recorded, is checked over the SIGN-INIT's SIGSTRUCT with the
//! roster's key. A record holds at most [`MAX_MESSAGES`] messages.

use num_bigint::BigUint;

use super::build::{enclave_of, sender};
use super::chain::Line;
use super::pairing::{binding, Binding};
use super::record::{Enclave, Event, InitiatorEvent, KeygenEvent, Recorded, SignerEvent};
use super::roster::{check_keygen, Roster};
use crate::protocol::{text, Message, SignInit, SignPartial};
use crate::sgx::SignedRegions;

/// What was found about one record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordCheck {
    pub line: usize,
    /// What the record proves, for humans (remote text not yet sanitised).
    pub summary: String,
    /// Each broken signature or mismatch, one line each.
    pub problems: Vec<String>,
    /// What does not count but is no forgery (a partial of an older version that
    /// names no digest), one line each.
    pub notes: Vec<String>,
    /// Why the record was not checked (another key).
    pub skipped: Option<String>,
    /// For a signing: the parties proven to have approved, and to have declined.
    pub approved: Vec<u8>,
    pub declined: Vec<u8>,
}

/// The most messages a record may hold: a SIGN-INIT, and per other party (15 at
/// most) up to `ceremony::sign::MAX_CANDIDATES` answers and an ABORT.
pub const MAX_MESSAGES: usize =
    1 + (crate::threshold::MAX_PARTIES as usize - 1) * (crate::ceremony::sign::MAX_CANDIDATES + 1);

/// The first 8 characters (a session's short form); a hostile log may hold any text.
fn short(s: &str) -> String {
    s.chars().take(8).collect()
}

fn short16(s: &str) -> String {
    s.chars().take(16).collect()
}

fn list(v: &[u8]) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
}

/// A recorded message decoded and checked: kind and sender as recorded, the
/// session, and its signature by the sender's roster key.
fn check_message(
    i: usize,
    m: &Recorded,
    session: &str,
    roster: &Roster,
    problems: &mut Vec<String>,
) -> Option<Message> {
    let what = format!("message {} ({} from party {})", i + 1, m.kind, m.from);
    let msg = match text::decode(&m.text).and_then(|b| Message::decode(&b)) {
        Ok(msg) => msg,
        Err(e) => {
            problems.push(format!("{what} is unreadable: {e}"));
            return None;
        }
    };
    if msg.kind().name() != m.kind || sender(&msg) != m.from {
        problems.push(format!(
            "{what} is really a {} from party {}",
            msg.kind(),
            sender(&msg)
        ));
        return None;
    }
    if hex::encode(msg.session().0) != session {
        problems.push(format!(
            "{what} belongs to session {}, not {}",
            msg.session().short(),
            short(session)
        ));
        return None;
    }
    let Some(key) = roster.identity(m.from) else {
        problems.push(format!("{what}: party {} is not in the roster", m.from));
        return None;
    };
    match msg.signature() {
        None => {
            problems.push(format!(
                "{what} is unsigned: nothing proves party {} sent it",
                m.from
            ));
            None
        }
        Some(_) if !msg.is_signed_by(key) => {
            problems.push(format!(
                "{what} is not signed by party {}'s identity key: forged or altered",
                m.from
            ));
            None
        }
        Some(_) => Some(msg),
    }
}

/// The record's enclave fields against those of a signed SIGN-INIT.
fn same_enclave(recorded: &Enclave, init: &Message, problems: &mut Vec<String>) {
    let Message::SignInit(si) = init else { return };
    match enclave_of(&si.regions, &si.mrsigner) {
        Ok(e) if &e == recorded => {}
        Ok(e) => problems.push(format!(
            "the record's enclave fields differ from its signed SIGN-INIT (MRENCLAVE {} date {} in the message)",
            e.mrenclave, e.date
        )),
        Err(e) => problems.push(format!("the signed SIGN-INIT is unusable: {e}")),
    }
}

/// What a checked record changes for the records after it (`audit::follow`).
#[derive(Debug)]
pub enum Effect {
    /// A reshare: the key is also held by this new roster from here on.
    NewRoster(Box<Roster>),
    /// A refresh: this roster's shares are at this generation from here on.
    Generation(u32, [u8; 32]),
}

/// Checks one intact line against the roster.
pub fn check_record(line: &Line, roster: &Roster) -> RecordCheck {
    check_in(line, roster, None).0
}

/// Checks one intact line against the roster, whose shares are at `generation`
/// (`None`: not known, when a record is checked alone); returns what it changes.
pub fn check_in(
    line: &Line,
    roster: &Roster,
    generation: Option<(u32, [u8; 32])>,
) -> (RecordCheck, Option<Effect>) {
    let r = &line.record;
    let mut effect = None;
    let mut c = RecordCheck {
        line: line.number,
        ..Default::default()
    };
    if r.mrsigner != hex::encode(roster.mrsigner()) {
        c.skipped = Some(format!(
            "a record for another key (MRSIGNER {}); not checked against this roster",
            r.mrsigner
        ));
        return (c, None);
    }
    let messages = match &r.event {
        Event::Keygen(_) => 0,
        Event::SignInitiator(e) => e.messages.len(),
        Event::SignSigner(e) => e.messages.len(),
        Event::SvnRollback(_) | Event::Retire(_) => 0,
        Event::Recover(e) => e.messages.len(),
        Event::Reshare(_) => 0,
        Event::Refresh(e) => e.messages.len(),
    };
    if messages > MAX_MESSAGES {
        c.problems.push(format!(
            "the record holds {messages} messages, more than any signing has ({MAX_MESSAGES}): it is not one; not checked"
        ));
        return (c, None);
    }
    match &r.event {
        Event::Keygen(k) => keygen(k, roster, &mut c),
        Event::SignInitiator(e) => initiator(r.party, e, roster, &mut c),
        Event::SignSigner(e) => signer(r.party, e, roster, &mut c),
        Event::Recover(e) => {
            let found = super::recover::check(e, roster, check_message);
            c.problems.extend(found.problems);
            c.summary = found.summary;
        }
        // The holder's own statement, as below.
        Event::Retire(e) => match super::retire::check(r.party, e, &roster.transcript) {
            Ok(summary) => c.summary = summary,
            Err(other) => c.skipped = Some(other),
        },
        Event::Reshare(e) => {
            let found = super::reshare::check(r.party, e, roster);
            (c.problems, c.summary, c.skipped) = (found.problems, found.summary, found.skipped);
            effect = found.next.map(|n| Effect::NewRoster(Box::new(n)));
        }
        Event::Refresh(e) => {
            let found = super::refresh::check(e, roster, generation, check_message);
            (c.problems, c.summary, c.skipped) = (found.problems, found.summary, found.skipped);
            effect = found.reached.map(|(n, id)| Effect::Generation(n, id));
        }
        // The signer's own statement: no message to check; the chain vouches for it.
        Event::SvnRollback(e) => {
            c.summary = format!(
                "party {} overrode the SVN anti-rollback check: ISVSVN {} below {} for ISVPRODID {} (session {})",
                r.party, e.isv_svn, e.highest, e.isv_prod_id, e.session
            )
        }
    }
    (c, effect)
}

fn keygen(k: &KeygenEvent, roster: &Roster, c: &mut RecordCheck) {
    match check_keygen(k) {
        Err(e) => c.problems.push(e.to_string()),
        Ok(t) if t != roster.transcript => {
            c.skipped = Some(format!(
                "a keygen of the same key dealt to another roster (key code {}); not this roster's",
                k.key_code
            ));
        }
        Ok(_) => {
            c.summary = format!(
                "keygen {}-of-{} as {}: transcript and key code {} match the roster",
                k.threshold, k.parties, k.role, k.key_code
            );
            if let Some(o) = &k.reshare {
                match super::reshare::check_origin(k, o, &roster.mrsigner()) {
                    Ok(from) => c.summary.push_str(&format!(
                        "; a reshare of the key held until then by the roster of keygen {}, as the dealer's signed KEYGEN-INIT says",
                        short16(&hex::encode(from))
                    )),
                    Err(why) => c.problems.push(why),
                }
            }
        }
    }
}

/// Whether `p` approves `si`: a partial bound to another request is a problem, one
/// that names no digest a note.
fn approves(si: &SignInit, p: &SignPartial, roster: &Roster, c: &mut RecordCheck) -> bool {
    // The verification data at hand is of the roster's share generation: a partial of
    // another generation (before a refresh) cannot be checked against it.
    let keys = roster
        .shoup3
        .as_ref()
        .filter(|_| si.generation == roster.generation);
    let b = binding(si, p, keys);
    match (b, b.why_not(p.party)) {
        (_, None) => true,
        (Binding::Unbound | Binding::Unchecked, Some(why)) => {
            c.notes.push(why);
            false
        }
        (_, Some(why)) => {
            c.problems.push(why);
            false
        }
    }
}

fn initiator(party: u8, e: &InitiatorEvent, roster: &Roster, c: &mut RecordCheck) {
    let mut init: Option<SignInit> = None;
    let mut partials = Vec::new();
    let mut batch_partials = Vec::new();
    let mut declined: Vec<(u8, String)> = Vec::new();
    for (i, m) in e.messages.iter().enumerate() {
        let Some(msg) = check_message(i, m, &e.session, roster, &mut c.problems) else {
            continue;
        };
        match msg {
            Message::SignInit(si) if m.from == party && init.is_none() => init = Some(si),
            // A batch's record is of one of its enclaves: the one the record names.
            Message::SignInitBatch(b) if m.from == party && init.is_none() => {
                init = (0..b.enclaves.len())
                    .filter_map(|i| b.single(i))
                    .find(|si| hex::encode(si.mrenclave) == e.enclave.mrenclave);
            }
            Message::SignPartialBatch(p) => batch_partials.push(p.party),
            Message::SignPartial(p) => partials.push(p),
            Message::Abort(a) => declined.push((a.party, a.reason)),
            _ => c.problems.push(format!(
                "message {} ({} from party {}) does not belong in an initiator's record",
                i + 1,
                m.kind,
                m.from
            )),
        }
    }
    let Some(si) = init else {
        c.problems.push(format!(
            "no SIGN-INIT signed by party {party} (the initiator): nothing proves what was asked"
        ));
        return;
    };
    same_enclave(&e.enclave, &Message::SignInit(si.clone()), &mut c.problems);
    // Only partials bound to this SIGN-INIT's digest are approvals of it. A party
    // whose partial is not gets one line (a note or a problem), and no second one
    // about the record's claim.
    let mut approved = Vec::new();
    let mut told = Vec::new();
    for p in &partials {
        if approves(&si, p, roster, c) {
            approved.push(p.party);
        } else {
            told.push(p.party);
        }
    }
    for p in batch_partials {
        c.notes.push(format!(
            "party {p}'s SIGN-PARTIAL-BATCH is not checked against the batch's digests here"
        ));
        told.push(p);
    }
    let unbound = told;
    let invited = crate::threshold::Subset::from_bits(si.signers).parties();
    if invited != e.invited {
        c.problems.push(format!(
            "the record says parties {} were invited, the signed SIGN-INIT says {}",
            list(&e.invited),
            list(&invited)
        ));
    }
    approved.push(party);
    approved.sort_unstable();
    approved.dedup();
    for p in &e.approved {
        // An older partial's claim is neither proven nor false: its note says so.
        if !approved.contains(p) && !unbound.contains(p) {
            c.problems.push(format!(
                "the record says party {p} approved, but no SIGN-PARTIAL signed by party {p} backs it"
            ));
        }
    }
    for d in &e.declined {
        if !declined
            .iter()
            .any(|(p, r)| *p == d.party && *r == d.reason)
        {
            c.problems.push(format!(
                "the record says party {} declined, but no ABORT signed by party {} with that reason backs it",
                d.party, d.party
            ));
        }
    }
    let mut signature_note = String::new();
    if e.outcome == "signed" {
        let regions = SignedRegions::from_bytes(&si.regions).ok();
        let sig = e.signature.as_deref().and_then(|s| hex::decode(s).ok());
        match (regions, sig) {
            (Some(r), Some(s))
                if roster
                    .public
                    .verify_digest(&r.digest(), &BigUint::from_bytes_be(&s)) =>
            {
                signature_note = "; the RSA signature verifies over this SIGSTRUCT".into();
            }
            _ => c.problems.push(
                "the recorded RSA signature does not verify over the signed SIGN-INIT's SIGSTRUCT with the roster's key".into(),
            ),
        }
        for p in &e.subset {
            if !approved.contains(p) && !unbound.contains(p) {
                c.problems.push(format!(
                    "party {p} is in the signing subset but did not provably approve"
                ));
            }
        }
    }
    let mut declined_parties: Vec<u8> = declined.iter().map(|(p, _)| *p).collect();
    declined_parties.sort_unstable();
    declined_parties.dedup();
    let reasons: Vec<String> = declined
        .iter()
        .map(|(p, r)| format!("party {p}: \"{r}\""))
        .collect();
    c.summary = format!(
        "signing ({}, session {}) started by party {party}: MRENCLAVE {} dated {}; {}; approved by parties {}; declined by {}{}{}{}{}",
        e.outcome,
        short(&e.session),
        e.enclave.mrenclave,
        e.enclave.date,
        if e.enclave.debug { "DEBUG" } else { "not debug" },
        list(&approved),
        list(&declined_parties),
        if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join("; ")) },
        signature_note,
        c.notes.iter().map(|n| format!("; {n}")).collect::<String>(),
        e.output
            .as_ref()
            .map(|o| format!("; output SHA-256 {}", o.sha256))
            .unwrap_or_default(),
    );
    c.approved = approved;
    c.declined = declined_parties;
}

fn signer(party: u8, e: &SignerEvent, roster: &Roster, c: &mut RecordCheck) {
    let mut init: Option<Message> = None;
    let mut answer = None;
    for (i, m) in e.messages.iter().enumerate() {
        let Some(msg) = check_message(i, m, &e.session, roster, &mut c.problems) else {
            continue;
        };
        match (&msg, m.dir.as_str()) {
            (Message::SignInit(_) | Message::SignInitBatch(_), "received") => init = Some(msg),
            (
                Message::SignPartial(_) | Message::SignPartialBatch(_) | Message::Abort(_),
                "sent",
            ) if m.from == party => answer = Some(msg),
            _ => c.problems.push(format!(
                "message {} ({} from party {}) does not belong in a signer's record",
                i + 1,
                m.kind,
                m.from
            )),
        }
    }
    match (&answer, e.answer.as_str()) {
        (Some(Message::SignPartial(p)), "signed") => {
            let bound = match &init {
                Some(Message::SignInit(si)) => approves(si, p, roster, c),
                _ => {
                    c.problems.push(format!(
                        "party {party}'s SIGN-PARTIAL is recorded without the SIGN-INIT it answers: nothing shows what it approved"
                    ));
                    false
                }
            };
            if bound {
                c.approved = vec![party];
            }
        }
        // A batch: the answer is signed by the party and names the session; its
        // partials' binding to each enclave's digest is not checked here.
        (Some(Message::SignPartialBatch(_)), "signed") => match &init {
            Some(Message::SignInitBatch(_)) => c.notes.push(format!(
                "party {party}'s SIGN-PARTIAL-BATCH is not checked against the batch's digests here"
            )),
            _ => c.problems.push(format!(
                "party {party}'s SIGN-PARTIAL-BATCH is recorded without the SIGN-INIT-BATCH it answers"
            )),
        },
        (Some(Message::Abort(a)), "declined") if e.reason.as_deref() == Some(&a.reason) => {
            c.declined = vec![party]
        }
        (None, _) => c.problems.push(format!(
            "no answer signed by party {party} (the record's writer) backs it"
        )),
        _ => c.problems.push(format!(
            "the record says \"{}\", but party {party}'s signed answer says otherwise",
            e.answer
        )),
    }
    match (&init, &e.enclave) {
        (Some(i), Some(en)) => same_enclave(en, i, &mut c.problems),
        (None, Some(_)) => c.problems.push(
            "the record names an enclave, but holds no SIGN-INIT signed by the initiator".into(),
        ),
        _ => {}
    }
    let batch = super::build::batch_enclaves(e);
    let what = match (&e.enclave, batch.is_empty()) {
        (Some(en), _) => format!("MRENCLAVE {} dated {}", en.mrenclave, en.date),
        (None, false) => format!(
            "a batch of {} enclaves (MRENCLAVE {})",
            batch.len(),
            batch
                .iter()
                .map(|en| short(&en.mrenclave))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (None, true) => "an unreadable request".into(),
    };
    c.summary = format!(
        "party {party} {} {what} (session {}, request from party {}){}{}",
        e.answer,
        short(&e.session),
        e.initiator,
        e.reason
            .as_ref()
            .map(|r| format!(": \"{r}\""))
            .unwrap_or_default(),
        c.notes.iter().map(|n| format!("; {n}")).collect::<String>(),
    );
}
