//! A key followed from one roster to the next through a reshare. Two records say
//! so, each built and checked here:
//! - every party of a reshare's keygen keeps, in its keygen record, the `reshare`
//!   member ([`origin`]): the dealer's signed KEYGEN-INIT (wire type 22), which names
//!   the old roster's keygen transcript and the key. Checked against the new roster:
//!   the INIT is of that keygen (session, parameters, the dealer's keys as party 1)
//!   and signed by its dealer ([`check_origin`]).
//! - the dealer writes, in its old roster's log, a `reshare` record ([`event`]): the
//!   new keygen's public facts (its keygen record) and a link signed with its old
//!   identity key over MRSIGNER, the old and new transcripts and the giving
//!   session. Checked against the old roster ([`check`]), it yields the new roster,
//!   which `audit verify` then follows.

use super::record::{KeygenEvent, ReshareEvent, ReshareOrigin};
use super::roster::{self, Roster};
use super::AuditError;
use crate::hex32;
use crate::identity::IdentityKey;
use crate::protocol::{text, KeygenInit, Message};
use crate::share::KeyShare;

/// The context of the link signature.
const LINK_CONTEXT: &str = "reshare link";

/// What the dealer's link signature covers: `"mpcegosign/v2/reshare link" ‖ 00`,
/// MRSIGNER, the old roster's keygen transcript, the new keygen's transcript, and
/// the giving session.
pub fn link_bytes(mrsigner: &[u8; 32], from: &[u8; 32], to: &[u8; 32], give: &[u8; 16]) -> Vec<u8> {
    let mut b = b"mpcegosign/v2/reshare link\0".to_vec();
    for part in [&mrsigner[..], &from[..], &to[..], &give[..]] {
        b.extend_from_slice(part);
    }
    b
}

/// The `reshare` member of the keygen record of the keygen `init` opened (the
/// KEYGEN-INIT as sent or received): `None` unless it is a reshare's (type 22).
pub fn origin(init: &[u8]) -> Result<Option<ReshareOrigin>, AuditError> {
    let msg = Message::decode(init).map_err(|e| AuditError::Message(e.to_string()))?;
    Ok(match msg {
        Message::KeygenInit(KeygenInit {
            reshare_of: Some(from),
            ..
        }) => Some(ReshareOrigin {
            from: hex::encode(from),
            init: text::encode(init),
        }),
        _ => None,
    })
}

/// A keygen record's event (`build::keygen_event`) with its `reshare` member when
/// `init`, the keygen's KEYGEN-INIT as sent or received, is a reshare's.
pub fn keygen_event(
    share: &KeyShare,
    dealer: bool,
    init: &[u8],
) -> Result<KeygenEvent, AuditError> {
    let mut ev = super::build::keygen_event(share, dealer)?;
    ev.reshare = origin(init)?;
    Ok(ev)
}

/// The `reshare` record's event, made by the dealer once its new share is saved:
/// `to` is its keygen record of the new keygen (with the `reshare` member),
/// `identity` its identity key of the old roster, whose transcript is `from`.
pub fn event(
    identity: &IdentityKey,
    mrsigner: &[u8; 32],
    give_session: &[u8; 16],
    from: &[u8; 32],
    to: KeygenEvent,
) -> Result<ReshareEvent, AuditError> {
    let new = hex32::parse(&to.transcript).ok_or(AuditError::Missing("new keygen transcript"))?;
    let link = identity.sign(
        LINK_CONTEXT,
        &link_bytes(mrsigner, from, &new, give_session),
    );
    Ok(ReshareEvent {
        give_session: hex::encode(give_session),
        from: hex::encode(from),
        to,
        link: hex::encode(link),
    })
}

/// Checks a keygen record's `reshare` member. `k` must already be checked
/// (`roster::check_keygen`: its roster is the one its transcript covers), and its
/// key is `mrsigner`. The KEYGEN-INIT must be a reshare's naming `o.from` and the
/// key, of the record's session and parameters, carry the keys of the record's
/// party 1 (the dealer) and be signed by it. Returns the old roster's transcript.
pub fn check_origin(
    k: &KeygenEvent,
    o: &ReshareOrigin,
    mrsigner: &[u8; 32],
) -> Result<[u8; 32], String> {
    let msg = text::decode(&o.init)
        .and_then(|b| Message::decode(&b))
        .map_err(|e| format!("the reshare's KEYGEN-INIT is unreadable: {e}"))?;
    let Message::KeygenInit(init) = &msg else {
        return Err(format!("the reshare's KEYGEN-INIT is a {}", msg.kind()));
    };
    let Some(from) = init.reshare_of else {
        return Err("the recorded KEYGEN-INIT is not a reshare's".into());
    };
    if hex::encode(from) != o.from {
        return Err(format!(
            "the record says the key came from the roster of keygen {}, its signed KEYGEN-INIT says {}",
            short(&o.from),
            short(&hex::encode(from))
        ));
    }
    let dealer = k.roster.first();
    if hex::encode(init.session.0) != k.session
        || (init.scheme, init.parties, init.threshold) != (k.scheme, k.parties, k.threshold)
        || dealer.map(|d| (d.identity.as_str(), d.x25519.as_str()))
            != Some((
                &init.dealer_identity.to_hex(),
                &hex::encode(init.dealer_key),
            ))
    {
        return Err("the reshare's KEYGEN-INIT is not this keygen's (session, parameters or dealer keys differ)".into());
    }
    if init.imported_mrsigner != Some(*mrsigner) {
        return Err("the reshare's KEYGEN-INIT names another key".into());
    }
    if !msg.is_signed_by(&init.dealer_identity) {
        return Err("the reshare's KEYGEN-INIT is not signed by the dealer's identity key: forged or altered".into());
    }
    Ok(from)
}

/// What the check of a `reshare` record found.
#[derive(Debug, Default)]
pub struct Checked {
    pub problems: Vec<String>,
    pub summary: String,
    /// Why it was not checked (a reshare of another roster).
    pub skipped: Option<String>,
    /// The new roster, when the record checks.
    pub next: Option<Roster>,
}

/// Checks a `reshare` record written by `party` against the old roster: the new
/// keygen's facts recompute its transcript and key code, its KEYGEN-INIT names this
/// roster and key and is signed by its dealer, and the link is signed by `party`'s
/// identity key of this roster.
pub fn check(party: u8, e: &ReshareEvent, old: &Roster) -> Checked {
    let mut c = Checked::default();
    if e.from != hex::encode(old.transcript) {
        c.skipped = Some(format!(
            "a reshare from the roster of keygen {}; not this roster's",
            short(&e.from)
        ));
        return c;
    }
    let new = match roster::check_keygen(&e.to).and_then(|_| roster::of_keygen(&e.to)) {
        Ok(r) => r,
        Err(e) => {
            c.problems.push(format!("the new keygen's facts: {e}"));
            return c;
        }
    };
    let mrsigner = old.mrsigner();
    if new.mrsigner() != mrsigner {
        c.problems
            .push("the new keygen deals another key than this roster's".into());
    }
    match &e.to.reshare {
        None => c
            .problems
            .push("the new keygen's record has no reshare KEYGEN-INIT".into()),
        Some(o) if o.from != e.from => c
            .problems
            .push("the new keygen's KEYGEN-INIT names another roster than the record".into()),
        Some(o) => {
            if let Err(why) = check_origin(&e.to, o, &mrsigner) {
                c.problems.push(why);
            }
        }
    }
    let link = hex::decode(&e.link).ok().and_then(|b| b.try_into().ok());
    let give = hex::decode(&e.give_session)
        .ok()
        .and_then(|b| b.try_into().ok());
    let signed = match (link, give, old.identity(party)) {
        (Some(sig), Some(give), Some(key)) => key.verify(
            LINK_CONTEXT,
            &link_bytes(&mrsigner, &old.transcript, &new.transcript, &give),
            &sig,
        ),
        _ => false,
    };
    if !signed {
        c.problems.push(format!(
            "the link to the new keygen is not signed by party {party}'s identity key: forged or altered"
        ));
    }
    if c.problems.is_empty() {
        c.summary = format!(
            "reshare (giving session {}): party {party} dealt this key to the {}-of-{} roster of keygen {} (key code {}); the link is signed by party {party}, and that keygen's KEYGEN-INIT, signed by its dealer, names this roster",
            short(&e.give_session),
            new.threshold,
            new.parties,
            short(&hex::encode(new.transcript)),
            new.key_code
        );
        c.next = Some(new);
    }
    c
}

/// The first 16 characters (a hostile log may hold any text).
fn short(s: &str) -> String {
    s.chars().take(16).collect()
}
