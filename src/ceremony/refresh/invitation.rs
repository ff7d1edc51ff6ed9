//! Opening a refresh: the coordinator's REFRESH-INIT ([`start`], which also makes its
//! own JOIN), and a party's review of a received INIT ([`Invitation::review`]:
//! signed by a roster party other than this one, for this share's key, roster,
//! scheme and generation) before it joins with a fresh key ([`Invitation::join`]).

use super::party::Party;
use super::{GenerationRef, RefreshCeremonyError as E};
use crate::ceremony::expect_message;
use crate::ceremony::fingerprint::session_code;
use crate::protocol::{Message, MessageType, RefreshInit, SessionId, MAX_MESSAGE_LEN};
use crate::share::KeyShare;
use crate::threshold::RefreshContribution;

/// Starts a refresh of `share`'s key, of generation `generation`, as its coordinator:
/// the party and the messages to send, in order (the signed REFRESH-INIT, then this
/// party's own REFRESH-JOIN).
pub fn start<'a>(
    share: &'a KeyShare,
    generation: GenerationRef,
) -> Result<(Party<'a>, Vec<Message>), E> {
    let auth = share.auth().ok_or(E::NoRoster)?;
    let contribution = draw(share)?;
    let scheme = share.scheme();
    let mut init = RefreshInit {
        session: SessionId::random(),
        scheme: share.scheme_byte(),
        parties: scheme.parties(),
        threshold: scheme.threshold(),
        coordinator: share.party(),
        mrsigner: share.public().mrsigner(),
        roster_transcript: auth.transcript,
        generation: generation.0,
        generation_id: generation.1,
        signature: [0; 64],
    };
    let mut msg = Message::RefreshInit(init.clone());
    msg.sign(&auth.identity);
    if let Some(sig) = msg.signature() {
        init.signature = *sig;
    }
    let (party, join) = Party::new(share, init, contribution)?;
    Ok((party, vec![msg, join]))
}

/// A checked REFRESH-INIT: what a party is asked, for the person to confirm.
#[derive(Debug, Clone)]
pub struct Invitation {
    init: RefreshInit,
    /// The session code of the INIT (as keygen's), to compare out of band.
    pub session_code: String,
}

impl Invitation {
    /// Checks a received REFRESH-INIT against `share` (of generation `generation`):
    /// signed by its coordinator, a roster party other than this one; the same key,
    /// roster, scheme, t and n; the same generation.
    pub fn review(share: &KeyShare, generation: GenerationRef, bytes: &[u8]) -> Result<Self, E> {
        let auth = share.auth().ok_or(E::NoRoster)?;
        let msg = expect_message(bytes, &[MessageType::RefreshInit], None)?;
        let Message::RefreshInit(init) = &msg else {
            return Err(E::Message(crate::ceremony::MessageError::WrongType {
                got: msg.kind(),
                expected: "REFRESH-INIT".into(),
            }));
        };
        let kind = MessageType::RefreshInit;
        let party = init.coordinator;
        let identity = share
            .identity_of(party)
            .ok_or(E::OutsideRoster { kind, party })?;
        if !msg.is_signed_by(&identity) {
            return Err(E::BadSignature { kind, party });
        }
        if party == share.party() {
            return Err(E::OwnInit(party));
        }
        let own = share.public().mrsigner();
        if init.mrsigner != own {
            return Err(E::OtherKey {
                found: hex::encode(init.mrsigner),
                own: hex::encode(own),
            });
        }
        if init.roster_transcript != auth.transcript {
            return Err(E::OtherRoster);
        }
        let scheme = share.scheme();
        let describe =
            |s: u8, t: u8, n: u8| format!("{}-of-{} {}", t, n, crate::protocol::scheme_name(s));
        if (init.scheme, init.threshold, init.parties)
            != (share.scheme_byte(), scheme.threshold(), scheme.parties())
        {
            return Err(E::OtherScheme {
                found: describe(init.scheme, init.threshold, init.parties),
                own: describe(share.scheme_byte(), scheme.threshold(), scheme.parties()),
            });
        }
        if (init.generation, init.generation_id) != generation {
            return Err(E::OtherGeneration {
                found: init.generation,
                found_id: hex::encode(&init.generation_id[..8]),
                own: generation.0,
                own_id: hex::encode(&generation.1[..8]),
            });
        }
        Ok(Invitation {
            init: init.clone(),
            session_code: session_code(bytes),
        })
    }

    pub fn session(&self) -> SessionId {
        self.init.session
    }
    pub fn coordinator(&self) -> u8 {
        self.init.coordinator
    }
    /// The generation refreshed (the new one is this + 1).
    pub fn generation(&self) -> u32 {
        self.init.generation
    }
    pub fn mrsigner(&self) -> [u8; 32] {
        self.init.mrsigner
    }

    /// Joins with a fresh X25519 key: the party and its signed REFRESH-JOIN. `share`
    /// must be the share the INIT was reviewed against.
    pub fn join(self, share: &KeyShare) -> Result<(Party<'_>, Message), E> {
        let auth = share.auth().ok_or(E::NoRoster)?;
        if share.public().mrsigner() != self.init.mrsigner {
            return Err(E::OtherKey {
                found: hex::encode(self.init.mrsigner),
                own: hex::encode(share.public().mrsigner()),
            });
        }
        if auth.transcript != self.init.roster_transcript {
            return Err(E::OtherRoster);
        }
        let contribution = draw(share)?;
        Party::new(share, self.init, contribution)
    }
}

/// This party's contribution, drawn before anyone is asked to join (or it joins), so
/// that a share that cannot deal is refused first: a `shoup3` key of dealing version
/// 1, a key whose shares would outgrow their bound, or one whose REFRESH-DEAL would
/// exceed the longest message (measured on the contribution itself, so no formula
/// can drift from the real sizes). It does not depend on the JOINs: it is sealed to
/// them once they are all in.
fn draw(share: &KeyShare) -> Result<RefreshContribution, E> {
    let trial = share
        .secret()
        .refresh_contribution()
        .map_err(E::Threshold)?;
    // Header, party, view, setup, public part, count, then per other party its
    // number, length, part and tag; the signature.
    let size = 18
        + 2
        + 32
        + 4
        + trial.public.len()
        + 1
        + trial
            .parts
            .iter()
            .filter(|(p, _)| *p != share.party())
            .map(|(_, part)| 1 + 4 + part.len() + 16)
            .sum::<usize>()
        + 64;
    if size > MAX_MESSAGE_LEN {
        return Err(E::TooLarge { size });
    }
    Ok(trial)
}
