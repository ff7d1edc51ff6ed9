//! The refresh messages (see `docs/protocol.md`): REFRESH-INIT from the coordinator,
//! then from every party (the coordinator too) a REFRESH-JOIN with a fresh X25519
//! key, a REFRESH-DEAL with its contribution (public part for everyone, one sealed
//! part per other party, or one recipient's view of it), and a REFRESH-CONFIRM with
//! the hash the new key code is made from. All four are signed with the sender's
//! identity key from the roster of the keygen that made the shares. The public part
//! and the parts are the threshold scheme's bytes, carried as they are.

use sha2::{Digest, Sha256};

use super::codec::{Reader, Writer};
use super::fields::{check_scheme, read_party, read_scheme, Sig};
use super::keygen::SealedShare;
use super::{MessageType, ProtocolError, SessionId, MAX_MESSAGE_LEN};
use crate::threshold::subsets::MAX_REFRESHED_SUB_SHARE_BITS;
use crate::threshold::{shoup3::MAX_SHARE_BOUND, MAX_PARTIES};

/// REFRESH-INIT: the coordinator (a holder) opens a refresh of its key's current
/// generation. Signed by the coordinator's identity key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshInit {
    pub session: SessionId,
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    /// The coordinator's party number.
    pub coordinator: u8,
    /// MRSIGNER of the key (it never changes).
    pub mrsigner: [u8; 32],
    /// The transcript hash of the keygen that made the shares (it names the roster).
    pub roster_transcript: [u8; 32],
    /// The generation being refreshed: its number (0 for what keygen dealt)…
    pub generation: u32,
    /// …and its id (the keygen transcript for 0, else the last refresh's transcript).
    pub generation_id: [u8; 32],
    pub signature: Sig,
}

/// REFRESH-JOIN: a party's fresh X25519 key for this refresh (never a stored one),
/// bound to the INIT by its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshJoin {
    pub session: SessionId,
    pub party: u8,
    /// [`RefreshInit::hash`] of the INIT this party answers.
    pub init_hash: [u8; 32],
    /// The party's fresh X25519 key for this refresh.
    pub key: [u8; 32],
    pub signature: Sig,
}

/// REFRESH-DEAL: one party's contribution. `parts` are sealed from the sender's JOIN
/// key to each recipient's (one per other party, ascending; their `party` field is
/// the recipient and their nonce zero). A view (`view: Some(j)`) carries recipient
/// j's part alone, signed on its own, for a QR air gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshDeal {
    pub session: SessionId,
    pub party: u8,
    /// The setup hash: the INIT and every party's JOIN key, in party order.
    pub setup: [u8; 32],
    /// The scheme's public part (commitments), the same in the DEAL and every view.
    pub public: Vec<u8>,
    /// `None`: every other party's part; `Some(j)`: party j's view.
    pub view: Option<u8>,
    pub parts: Vec<SealedShare>,
    pub signature: Sig,
}

/// REFRESH-CONFIRM: the hash a party's new key code is made from (the new public
/// verification data and the refresh transcript). Nothing is saved until every party
/// confirmed the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshConfirm {
    pub session: SessionId,
    pub party: u8,
    pub key_code: [u8; 32],
    pub signature: Sig,
}

/// The longest sealed part a REFRESH-DEAL carries, tag included: a `subsets` part
/// for one recipient at 16 parties holds one piece per t-subset with both sender and
/// recipient, at most C(14, 7) = 3,432, each a sign byte and a magnitude 4 bits wider
/// than the widest draw (below [`MAX_REFRESHED_SUB_SHARE_BITS`]); a `shoup3` part
/// (z_i(j) below 2^(S + 128 + 61) for S ≤ [`MAX_SHARE_BOUND`]) is far smaller.
pub const MAX_REFRESH_PART_LEN: usize = {
    let subsets = 3_432 * (1 + (MAX_REFRESHED_SUB_SHARE_BITS as usize + 4).div_ceil(8)) + 16;
    let shoup3 = (MAX_SHARE_BOUND as usize + 128 + 64).div_ceil(8) + 16;
    if subsets > shoup3 {
        subsets
    } else {
        shoup3
    }
};

/// The longest public part: bounded only by the message itself (a `subsets`
/// contribution at large n needs C(n−1, t−1)·t commitments of 384 bytes, more than
/// any message may have; the ceremony refuses those keys before anything is sent).
pub const MAX_REFRESH_PUBLIC_LEN: usize = MAX_MESSAGE_LEN;

impl RefreshInit {
    /// What every JOIN answers and the setup hash starts from: SHA-256 of
    /// `"mpcegosign/v2/refresh init" ‖ 00`, the session and the body (every field but
    /// the signature, as laid out on the wire).
    pub fn hash(&self) -> [u8; 32] {
        let mut w = Writer::default();
        self.write_body(&mut w);
        let mut h = Sha256::new();
        h.update(b"mpcegosign/v2/refresh init\0");
        h.update(self.session.0);
        h.update(w.finish());
        h.finalize().into()
    }

    pub(super) fn write_body(&self, w: &mut Writer) {
        w.u8(self.scheme)
            .u8(self.parties)
            .u8(self.threshold)
            .u8(self.coordinator)
            .bytes(&self.mrsigner)
            .bytes(&self.roster_transcript)
            .bytes(&self.generation.to_be_bytes())
            .bytes(&self.generation_id);
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        let kind = MessageType::RefreshInit;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let scheme = read_scheme(r, kind)?;
        let parties = r.u8()?;
        let threshold = r.u8()?;
        check_scheme(parties, threshold).map_err(|_| bad("parties/threshold"))?;
        let coordinator = read_party(r, kind)?;
        if coordinator > parties {
            return Err(bad("party"));
        }
        Ok(RefreshInit {
            session,
            scheme,
            parties,
            threshold,
            coordinator,
            mrsigner: r.array()?,
            roster_transcript: r.array()?,
            generation: u32::from_be_bytes(r.array()?),
            generation_id: r.array()?,
            signature: r.array()?,
        })
    }
}

impl RefreshJoin {
    pub(super) fn write_body(&self, w: &mut Writer) {
        w.u8(self.party).bytes(&self.init_hash).bytes(&self.key);
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        Ok(RefreshJoin {
            session,
            party: read_party(r, MessageType::RefreshJoin)?,
            init_hash: r.array()?,
            key: r.array()?,
            signature: r.array()?,
        })
    }
}

impl RefreshDeal {
    /// Recipient `recipient`'s view: the same public part with its part alone, unsigned
    /// (the sender signs it); `None` if this DEAL holds no part for it.
    pub fn view_for(&self, recipient: u8) -> Option<RefreshDeal> {
        let part = self.parts.iter().find(|p| p.party == recipient)?;
        Some(RefreshDeal {
            view: Some(recipient),
            parts: vec![part.clone()],
            signature: [0; 64],
            ..self.clone()
        })
    }

    /// The sealed part for `recipient`, if this DEAL or view carries one.
    pub fn part_for(&self, recipient: u8) -> Option<&SealedShare> {
        self.parts.iter().find(|p| p.party == recipient)
    }

    pub(super) fn write_body(&self, w: &mut Writer) {
        w.u8(self.party)
            .u8(self.view.unwrap_or(0))
            .bytes(&self.setup)
            .var(&self.public);
        if self.view.is_none() {
            w.u8(self.parts.len() as u8);
            for p in &self.parts {
                w.u8(p.party).var(&p.ciphertext);
            }
        } else {
            for p in &self.parts {
                w.var(&p.ciphertext);
            }
        }
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        let kind = MessageType::RefreshDeal;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let party = read_party(r, kind)?;
        let view = match r.u8()? {
            0 => None,
            v if v != party && v <= MAX_PARTIES => Some(v),
            _ => return Err(bad("view")),
        };
        let setup = r.array()?;
        let public = r.var()?;
        if public.is_empty() || public.len() > MAX_REFRESH_PUBLIC_LEN {
            return Err(bad("public part length"));
        }
        let read_part = |r: &mut Reader<'_>, recipient: u8| {
            let ciphertext = r.var()?;
            if ciphertext.len() <= 16 || ciphertext.len() > MAX_REFRESH_PART_LEN {
                return Err(bad("sealed part length"));
            }
            Ok(SealedShare {
                party: recipient,
                nonce: [0; 12],
                ciphertext: ciphertext.to_vec(),
            })
        };
        let parts = match view {
            Some(v) => vec![read_part(r, v)?],
            None => {
                let count = r.u8()?;
                if count == 0 || count >= MAX_PARTIES {
                    return Err(bad("number of sealed parts"));
                }
                let mut parts = Vec::with_capacity(usize::from(count));
                let mut last = 0u8;
                for _ in 0..count {
                    let recipient = read_party(r, kind)?;
                    if recipient <= last || recipient == party {
                        return Err(bad("sealed part order"));
                    }
                    last = recipient;
                    parts.push(read_part(r, recipient)?);
                }
                parts
            }
        };
        Ok(RefreshDeal {
            session,
            party,
            setup,
            public: public.to_vec(),
            view,
            parts,
            signature: r.array()?,
        })
    }
}

impl RefreshConfirm {
    pub(super) fn write_body(&self, w: &mut Writer) {
        w.u8(self.party).bytes(&self.key_code);
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        Ok(RefreshConfirm {
            session,
            party: read_party(r, MessageType::RefreshConfirm)?,
            key_code: r.array()?,
            signature: r.array()?,
        })
    }
}
