//! A giver: reviews a GIVE-INIT against its own share (the receiver is another party
//! of its roster and signed it; same key, same roster), shows what it would give and
//! to whom, and, once the person agreed, seals its share in a GIVE.

use super::ReshareError;
use crate::ceremony::fingerprint::key_fingerprint;
use crate::ceremony::keygen::seal::{CeremonyKey, Channel};
use crate::ceremony::{expect_message, MessageError};
use crate::protocol::{Give, GiveInit, Message, MessageType, PartyKeys, Purpose, SessionId};
use crate::share::KeyShare;
use crate::threshold::SchemeShare;

/// A checked GIVE-INIT: what the giver is asked, for the person to confirm.
#[derive(Debug, Clone)]
pub struct GiveRequest {
    init: GiveInit,
    /// The receiver's fingerprint (its fresh key and identity key, in this session).
    pub fingerprint: String,
}

/// What a giver sent.
#[derive(Debug)]
pub struct Given {
    pub give: Message,
    pub session: SessionId,
}

impl GiveRequest {
    /// Checks a received GIVE-INIT against `share`: authenticated by a roster party
    /// other than this one, for this share's key and keygen.
    pub fn review(share: &KeyShare, bytes: &[u8]) -> Result<Self, ReshareError> {
        let auth = share.auth().ok_or(ReshareError::NoRoster)?;
        let msg = expect_message(bytes, &[MessageType::GiveInit], None)?;
        let Message::GiveInit(init) = &msg else {
            return Err(ReshareError::Message(MessageError::WrongType {
                got: msg.kind(),
                expected: "GIVE-INIT".into(),
            }));
        };
        let kind = "GIVE-INIT";
        let identity = share
            .identity_of(init.receiver)
            .ok_or(ReshareError::OutsideRoster {
                kind,
                party: init.receiver,
            })?;
        if !msg.is_signed_by(&identity) {
            return Err(ReshareError::BadSignature {
                kind,
                party: init.receiver,
            });
        }
        if init.receiver == share.party() {
            return Err(ReshareError::OwnInit(init.receiver));
        }
        let own = share.public().mrsigner();
        if init.mrsigner != own {
            return Err(ReshareError::OtherKey {
                found: hex::encode(init.mrsigner),
                own: hex::encode(own),
            });
        }
        if init.roster_transcript != auth.transcript {
            return Err(ReshareError::OtherRoster);
        }
        if !CeremonyKey::generate().accepts_peer(&init.receiver_key) {
            return Err(ReshareError::WeakKey);
        }
        let fingerprint = key_fingerprint(
            &init.session,
            &PartyKeys {
                x25519: init.receiver_key,
                identity,
            },
        );
        Ok(GiveRequest {
            init: init.clone(),
            fingerprint,
        })
    }

    pub fn receiver(&self) -> u8 {
        self.init.receiver
    }
    pub fn purpose(&self) -> Purpose {
        self.init.purpose
    }
    pub fn session(&self) -> SessionId {
        self.init.session
    }
    pub fn mrsigner(&self) -> [u8; 32] {
        self.init.mrsigner
    }

    /// Seals `share` (the one reviewed against) to the receiver's key with a fresh
    /// key of our own, and signs the GIVE with our identity key.
    pub fn give(&self, share: &KeyShare) -> Result<Given, ReshareError> {
        let auth = share.auth().ok_or(ReshareError::NoRoster)?;
        let ours = CeremonyKey::generate();
        let transcript = self.init.transcript_hash();
        let channel = Channel {
            own: &ours,
            peer: &self.init.receiver_key,
            session: &self.init.session,
            transcript: &transcript,
        };
        let sealed = match share.secret() {
            SchemeShare::Shoup3(s) => channel.seal_shoup3(s.secret()),
            SchemeShare::Subsets(_) => channel.seal(share),
        }
        .map_err(ReshareError::Seal)?;
        let mut give = Message::Give(Give {
            session: self.init.session,
            party: share.party(),
            giver_key: ours.public(),
            sealed,
            signature: [0; 64],
        });
        give.sign(&auth.identity);
        Ok(Given {
            give,
            session: self.init.session,
        })
    }
}
