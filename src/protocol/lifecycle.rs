//! The giving messages of `recover` (and, later, `reshare`): GIVE-INIT, sent by the
//! receiving holder, and GIVE, one from each holder that gives its share (see
//! `docs/protocol.md`). Both are signed with the sender's identity key from the
//! roster of the keygen that made the shares.

use sha2::{Digest, Sha256};

use super::codec::{Reader, Writer};
use super::fields::{check_scheme, read_party, Sig};
use super::keygen::SealedShare;
use super::{MessageType, ProtocolError, SessionId};

/// What the receiver will do with the shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Write the whole key, encrypted, on the receiving machine.
    Recover,
    /// Deal the key again, to a new roster with `threshold` of `parties`.
    Reshare { parties: u8, threshold: u8 },
}

impl Purpose {
    /// The word humans see: "recover" or "reshare".
    pub fn name(self) -> &'static str {
        match self {
            Purpose::Recover => "recover",
            Purpose::Reshare { .. } => "reshare",
        }
    }
}

/// The longest sealed share a GIVE carries: a `subsets` share of 16 parties at 8-of-16
/// holds C(15, 7) = 6,435 sub-shares of at most 3,204 bits (401 bytes) each, with
/// their 5-byte headers, the 3-byte share header and the 16-byte tag.
pub const MAX_SEALED_LEN: usize = 3 + 6_435 * (5 + 401) + 16;

/// GIVE-INIT: a holder asks the others to give it their shares, for `purpose`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiveInit {
    pub session: SessionId,
    pub purpose: Purpose,
    /// The receiver's party number in the roster.
    pub receiver: u8,
    /// MRSIGNER of the key whose shares are asked for.
    pub mrsigner: [u8; 32],
    /// The transcript hash of the keygen that made the shares (it names the roster).
    pub roster_transcript: [u8; 32],
    /// The receiver's fresh X25519 key for this session: shares are sealed to it.
    pub receiver_key: [u8; 32],
    /// By the receiver's identity key.
    pub signature: Sig,
}

/// GIVE: one holder's share, sealed to the receiver's fresh key under
/// [`GiveInit::transcript_hash`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Give {
    pub session: SessionId,
    /// The giver's party number in the roster.
    pub party: u8,
    /// The giver's fresh X25519 key for this one share.
    pub giver_key: [u8; 32],
    /// The share, sealed (its `party` is the giver's).
    pub sealed: SealedShare,
    /// By the giver's identity key.
    pub signature: Sig,
}

const PURPOSE_RECOVER: u8 = 1;
const PURPOSE_RESHARE: u8 = 2;

impl GiveInit {
    /// What every share of this session is sealed under: SHA-256 of
    /// `"mpcegosign/v2/give transcript" ‖ 00`, the session, the purpose (byte, n′, t′),
    /// the receiver, MRSIGNER, the keygen transcript hash and the receiver's key.
    pub fn transcript_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"mpcegosign/v2/give transcript\0");
        h.update(self.session.0);
        let mut w = Writer::default();
        self.write_purpose(&mut w);
        h.update(w.finish());
        h.update([self.receiver]);
        h.update(self.mrsigner);
        h.update(self.roster_transcript);
        h.update(self.receiver_key);
        h.finalize().into()
    }

    fn write_purpose(&self, w: &mut Writer) {
        match self.purpose {
            Purpose::Recover => w.u8(PURPOSE_RECOVER).u8(0).u8(0),
            Purpose::Reshare { parties, threshold } => {
                w.u8(PURPOSE_RESHARE).u8(parties).u8(threshold)
            }
        };
    }

    pub(super) fn write_body(&self, w: &mut Writer) {
        self.write_purpose(w);
        w.u8(self.receiver)
            .bytes(&self.mrsigner)
            .bytes(&self.roster_transcript)
            .bytes(&self.receiver_key);
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        let kind = MessageType::GiveInit;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let (byte, parties, threshold) = (r.u8()?, r.u8()?, r.u8()?);
        let purpose = match byte {
            PURPOSE_RECOVER if parties == 0 && threshold == 0 => Purpose::Recover,
            PURPOSE_RESHARE => {
                check_scheme(parties, threshold).map_err(|_| bad("new threshold"))?;
                Purpose::Reshare { parties, threshold }
            }
            _ => return Err(bad("purpose")),
        };
        Ok(GiveInit {
            session,
            purpose,
            receiver: read_party(r, kind)?,
            mrsigner: r.array()?,
            roster_transcript: r.array()?,
            receiver_key: r.array()?,
            signature: r.array()?,
        })
    }
}

impl Give {
    pub(super) fn write_body(&self, w: &mut Writer) {
        w.u8(self.party)
            .bytes(&self.giver_key)
            .bytes(&self.sealed.nonce)
            .var(&self.sealed.ciphertext);
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        let kind = MessageType::Give;
        let party = read_party(r, kind)?;
        let giver_key = r.array()?;
        let nonce = r.array()?;
        let ciphertext = r.var()?;
        if ciphertext.len() < 16 || ciphertext.len() > MAX_SEALED_LEN {
            return Err(ProtocolError::Field {
                kind,
                field: "sealed share length",
            });
        }
        Ok(Give {
            session,
            party,
            giver_key,
            sealed: SealedShare {
                party,
                nonce,
                ciphertext: ciphertext.to_vec(),
            },
            signature: r.array()?,
        })
    }
}
