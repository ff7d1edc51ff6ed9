//! Records made from the raw messages of a ceremony: what was sent and accepted is
//! kept byte for byte (in text form); every other field is read from those messages,
//! so the record cannot claim what its messages do not say.

use super::record::{
    format_time, Decline, Enclave, Event, Ignored, InitiatorEvent, KeygenEvent, Output, Record,
    Recorded, RosterKeys, SignerEvent, VerificationHex, RECORD_VERSION,
};
use super::AuditError;
use crate::protocol::{text, Message};
use crate::sgx::SignedRegions;
use crate::share::KeyShare;

/// The party a message names as its sender (0 for keygen messages, which name none).
pub fn sender(msg: &Message) -> u8 {
    match msg {
        Message::SignInit(m) => m.initiator,
        Message::SignInitBatch(m) => m.initiator,
        Message::SignPartial(m) => m.party,
        Message::SignPartialBatch(m) => m.party,
        Message::Abort(m) => m.party,
        Message::KeygenInit(_) => 1,
        Message::KeygenJoin(_) | Message::KeygenFinalize(_) => 0,
        Message::GiveInit(m) => m.receiver,
        Message::Give(m) => m.party,
        Message::RefreshInit(m) => m.coordinator,
        Message::RefreshJoin(m) => m.party,
        Message::RefreshDeal(m) => m.party,
        Message::RefreshConfirm(m) => m.party,
    }
}

fn decode(bytes: &[u8]) -> Result<Message, AuditError> {
    Message::decode(bytes).map_err(|e| AuditError::Message(e.to_string()))
}

/// A message in its recorded form.
pub fn recorded(dir: &str, bytes: &[u8]) -> Result<Recorded, AuditError> {
    let msg = decode(bytes)?;
    Ok(Recorded {
        dir: dir.to_string(),
        kind: msg.kind().name().to_string(),
        from: sender(&msg),
        text: text::encode(bytes),
    })
}

/// The enclave facts of a SIGN-INIT's regions.
pub fn enclave_of(regions: &[u8; 256], mrsigner: &[u8; 32]) -> Result<Enclave, AuditError> {
    let r = SignedRegions::from_bytes(regions).map_err(|e| AuditError::Message(e.to_string()))?;
    let date = r.date().map_err(|e| AuditError::Message(e.to_string()))?;
    Ok(Enclave {
        mrenclave: hex::encode(r.mrenclave()),
        mrsigner: hex::encode(mrsigner),
        isv_prod_id: r.isv_prod_id(),
        isv_svn: r.isv_svn(),
        debug: r.is_debug(),
        date: date.to_string(),
    })
}

/// A record around `event`, before it is numbered and chained (`seq`, `prev`).
pub fn record(party: u8, mrsigner: &[u8; 32], unix_secs: u64, event: Event) -> Record {
    Record {
        version: RECORD_VERSION,
        seq: 0,
        prev: String::new(),
        time: format_time(unix_secs),
        tool: format!("mpcegosign {}", env!("CARGO_PKG_VERSION")),
        party,
        mrsigner: hex::encode(mrsigner),
        event,
    }
}

/// How a signing ended, for the initiator's record.
pub enum Outcome {
    /// The signature, the subset that made it, and the file written.
    Signed {
        signature: Vec<u8>,
        subset: Vec<u8>,
        output: Output,
    },
    Failed(String),
}

/// The initiator's event: `init` is the SIGN-INIT it sent, `accepted` every message
/// it accepted (as received), `ignored` what it refused.
pub fn initiator_event(
    init: &[u8],
    accepted: &[Vec<u8>],
    ignored: Vec<Ignored>,
    outcome: Outcome,
) -> Result<InitiatorEvent, AuditError> {
    initiator_event_at(init, 0, accepted, ignored, outcome)
}

/// Like [`initiator_event`]; for a SIGN-INIT-BATCH, the event of its enclave `index`
/// (a batch initiator writes one record per enclave, each holding the whole batch).
pub fn initiator_event_at(
    init: &[u8],
    index: usize,
    accepted: &[Vec<u8>],
    ignored: Vec<Ignored>,
    outcome: Outcome,
) -> Result<InitiatorEvent, AuditError> {
    let si = match decode(init)? {
        Message::SignInit(si) => si,
        Message::SignInitBatch(b) => b
            .single(index)
            .ok_or(AuditError::Missing("enclave of the SIGN-INIT-BATCH"))?,
        _ => return Err(AuditError::Missing("SIGN-INIT")),
    };
    let mut messages = vec![recorded("sent", init)?];
    let mut approved = vec![si.initiator];
    let mut declined = Vec::new();
    for bytes in accepted {
        match decode(bytes)? {
            Message::SignPartial(p) => approved.push(p.party),
            Message::SignPartialBatch(p) => approved.push(p.party),
            Message::Abort(a) => declined.push(Decline {
                party: a.party,
                reason: a.reason,
            }),
            _ => {}
        }
        messages.push(recorded("received", bytes)?);
    }
    approved.sort_unstable();
    approved.dedup();
    let invited = crate::threshold::Subset::from_bits(si.signers).parties();
    let (outcome, error, signature, subset, output) = match outcome {
        Outcome::Signed {
            signature,
            subset,
            output,
        } => (
            "signed",
            None,
            Some(hex::encode(signature)),
            subset,
            Some(output),
        ),
        Outcome::Failed(e) => ("failed", Some(e), None, Vec::new(), None),
    };
    Ok(InitiatorEvent {
        session: hex::encode(si.session.0),
        outcome: outcome.to_string(),
        error,
        enclave: enclave_of(&si.regions, &si.mrsigner)?,
        invited,
        approved,
        declined,
        subset,
        signature,
        output,
        messages,
        ignored,
    })
}

/// The enclaves of a signer's record that answered a SIGN-INIT-BATCH, read from the
/// request it holds (received, as text); empty for any other record.
pub fn batch_enclaves(e: &super::record::SignerEvent) -> Vec<Enclave> {
    e.messages
        .iter()
        .filter(|m| m.dir == "received")
        .filter_map(|m| text::decode(&m.text).ok())
        .filter_map(|bytes| match Message::decode(&bytes) {
            Ok(Message::SignInitBatch(si)) => Some(si),
            _ => None,
        })
        .flat_map(|si| {
            let mrsigner = si.mrsigner;
            si.enclaves
                .into_iter()
                .filter_map(move |en| enclave_of(&en.regions, &mrsigner).ok())
        })
        .collect()
}

/// A signer's event: the SIGN-INIT (or SIGN-INIT-BATCH) it reviewed (as received) and its answer.
pub fn signer_event(init: &[u8], answer: &[u8]) -> Result<SignerEvent, AuditError> {
    // The SIGN-INIT may be one the signer refused as unreadable for its share; the
    // answer always is its own SIGN-PARTIAL or ABORT.
    let init_msg = Message::decode(init).ok();
    let (answer_kind, reason, session) = match decode(answer)? {
        Message::SignPartial(p) => ("signed", None, p.session),
        Message::SignPartialBatch(p) => ("signed", None, p.session),
        Message::Abort(a) => ("declined", Some(a.reason), a.session),
        _ => return Err(AuditError::Missing("SIGN-PARTIAL or ABORT answer")),
    };
    let (initiator, enclave) = match &init_msg {
        Some(Message::SignInit(si)) => (si.initiator, enclave_of(&si.regions, &si.mrsigner).ok()),
        // A batch names no single enclave: its enclaves are read from the recorded
        // SIGN-INIT-BATCH ([`batch_enclaves`]).
        Some(Message::SignInitBatch(si)) => (si.initiator, None),
        _ => (0, None),
    };
    let mut messages = Vec::new();
    if init_msg.is_some() {
        messages.push(recorded("received", init)?);
    }
    messages.push(recorded("sent", answer)?);
    Ok(SignerEvent {
        session: hex::encode(session.0),
        initiator,
        enclave,
        answer: answer_kind.to_string(),
        reason,
        messages,
    })
}

/// A keygen event from the share it produced (version 3: with roster).
pub fn keygen_event(share: &KeyShare, dealer: bool) -> Result<KeygenEvent, AuditError> {
    let auth = share.auth().ok_or(AuditError::NoRoster)?;
    let scheme = share.scheme();
    Ok(KeygenEvent {
        role: if dealer { "dealer" } else { "joiner" }.to_string(),
        scheme: share.scheme_byte(),
        parties: scheme.parties(),
        threshold: scheme.threshold(),
        session: hex::encode(auth.session.0),
        transcript: hex::encode(auth.transcript),
        key_code: share.key_code().unwrap_or_default(),
        modulus: hex::encode(share.public().modulus_be()),
        roster: auth
            .roster
            .iter()
            .enumerate()
            .map(|(i, k)| RosterKeys {
                party: (i + 1) as u8,
                x25519: hex::encode(k.x25519),
                identity: k.identity.to_hex(),
            })
            .collect(),
        verification: share
            .shoup3()
            .map(|s| VerificationHex::of(&crate::share::shoup3_public(s.keys()))),
        nonce: auth.nonce.map(hex::encode),
        reshare: None,
    })
}
