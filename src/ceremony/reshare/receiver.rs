//! The receiver: a holder that asks the others for their shares (GIVE-INIT, with a
//! fresh X25519 key), takes each GIVE only from a roster party of this session with
//! a valid signature, checks the share it opens against the roster's public data
//! (`shoup3`: v_i; `subsets`: the share's structure, then the subset's sum), and
//! rebuilds the key once t shares (its own included) are in.

use super::ReshareError;
use crate::ceremony::keygen::seal::{CeremonyKey, Channel};
use crate::ceremony::{expect_message, MessageError};
use crate::key::PrivateKey;
use crate::protocol::{GiveInit, Message, MessageType, Purpose, SessionId};
use crate::share::KeyShare;
use crate::threshold::{shoup3, SchemeShare};

/// The receiving side of one giving session. Holds the shares given so far (wiped
/// on drop) and the session's X25519 secret.
pub struct Receiver {
    own: KeyShare,
    key: CeremonyKey,
    init: GiveInit,
    transcript: [u8; 32],
    given: Vec<KeyShare>,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("party", &self.own.party())
            .field("given", &self.given.len())
            .finish()
    }
}

impl Receiver {
    /// Opens a session for `purpose` with our own share (which counts as one of the
    /// t): returns the receiver and the signed GIVE-INIT to send. For a reshare the
    /// new (t′, n′) are in the GIVE-INIT, hence in every share's transcript.
    pub fn start(own: KeyShare, purpose: Purpose) -> Result<(Self, Message), ReshareError> {
        let auth = own.auth().ok_or(ReshareError::NoRoster)?;
        let key = CeremonyKey::generate();
        let init = GiveInit {
            session: SessionId::random(),
            purpose,
            receiver: own.party(),
            mrsigner: own.public().mrsigner(),
            roster_transcript: auth.transcript,
            receiver_key: key.public(),
            signature: [0; 64],
        };
        let mut msg = Message::GiveInit(init.clone());
        msg.sign(&auth.identity);
        let mut init = init;
        if let Some(sig) = msg.signature() {
            init.signature = *sig;
        }
        let transcript = init.transcript_hash();
        Ok((
            Receiver {
                own,
                key,
                init,
                transcript,
                given: Vec::new(),
            },
            msg,
        ))
    }

    pub fn session(&self) -> SessionId {
        self.init.session
    }
    pub fn party(&self) -> u8 {
        self.own.party()
    }
    pub fn public(&self) -> &crate::key::PublicKey {
        self.own.public()
    }
    /// Shares still needed (besides our own and those given).
    pub fn missing(&self) -> usize {
        usize::from(self.own.scheme().threshold()).saturating_sub(1 + self.given.len())
    }
    pub fn is_complete(&self) -> bool {
        self.missing() == 0
    }

    /// Takes one received GIVE: returns the giver's party number.
    pub fn accept_give(&mut self, bytes: &[u8]) -> Result<u8, ReshareError> {
        let msg = expect_message(bytes, &[MessageType::Give], Some(self.init.session))?;
        let Message::Give(give) = &msg else {
            return Err(ReshareError::Message(MessageError::WrongType {
                got: msg.kind(),
                expected: "GIVE".into(),
            }));
        };
        let party = give.party;
        let kind = "GIVE";
        let identity = self
            .own
            .identity_of(party)
            .ok_or(ReshareError::OutsideRoster { kind, party })?;
        if !msg.is_signed_by(&identity) {
            return Err(ReshareError::BadSignature { kind, party });
        }
        if party == self.own.party() {
            return Err(ReshareError::OwnGive(party));
        }
        if self.given.iter().any(|g| g.party() == party) {
            return Err(ReshareError::Duplicate(party));
        }
        let wrong = |why: String| ReshareError::WrongShare { party, why };
        let channel = Channel {
            own: &self.key,
            peer: &give.giver_key,
            session: &self.init.session,
            transcript: &self.transcript,
        };
        let share = match self.own.secret() {
            SchemeShare::Shoup3(mine) => {
                let secret = channel
                    .open_shoup3(&give.sealed)
                    .map_err(|e| wrong(e.to_string()))?;
                if secret.party() != party {
                    return Err(wrong("it is another party's share".into()));
                }
                let checked = shoup3::Share::accept(secret, mine.keys().clone())
                    .map_err(|e| wrong(e.to_string()))?;
                KeyShare::from_shoup3(checked).map_err(|e| wrong(e.to_string()))?
            }
            SchemeShare::Subsets(mine) => {
                let opened = channel
                    .open(&give.sealed, mine.scheme(), mine.public())
                    .map_err(|e| wrong(e.to_string()))?;
                if opened.party() != party {
                    return Err(wrong("it is another party's share".into()));
                }
                opened
            }
        };
        self.given.push(share);
        Ok(party)
    }

    /// The whole key from our share and the given ones, checked (p·q = N, MRSIGNER)
    /// before it is returned. Every given share is wiped when this returns.
    pub fn rebuild(self) -> Result<PrivateKey, ReshareError> {
        let mut all: Vec<&SchemeShare> = vec![self.own.secret()];
        all.extend(self.given.iter().map(KeyShare::secret));
        let key = SchemeShare::rebuild(&all).map_err(ReshareError::Rebuild)?;
        if key.public() != self.own.public() {
            return Err(ReshareError::Rebuild(
                crate::threshold::RebuildError::OtherKey,
            ));
        }
        Ok(key)
    }
}
