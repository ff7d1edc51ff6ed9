//! The signing messages and their byte layout (see `docs/protocol.md`): SIGN-INIT
//! (what to sign, with which key and which generation of its shares) and SIGN-PARTIAL
//! (a party's partial signatures, by scheme), with the wire types that carry a scheme
//! byte (7, 8) and a generation (14: a refreshed key's SIGN-INIT).

use super::codec::{Reader, Writer};
use super::fields::{
    check_scheme, read_generation, read_optional_signature, read_party, write_generation, Sig,
    SCHEME_SHOUP3, SCHEME_SUBSETS,
};
use super::{MessageType, ProtocolError, SessionId};
use crate::threshold::shoup3::partial_encoded_len;

/// Wire type of a SIGN-INIT that carries a scheme byte (every scheme but `subsets`,
/// whose SIGN-INIT keeps type 4 and its version-2 layout byte for byte).
pub(super) const WIRE_SIGN_INIT_SCHEMED: u8 = 7;
/// Wire type of a SIGN-INIT for a key share of generation ≥ 1 (made by a refresh), of
/// either scheme: the scheme byte, then the generation (number, id), then the fields
/// of type 7. Generation 0 keeps types 4 and 7, byte for byte.
pub(super) const WIRE_SIGN_INIT_GENERATION: u8 = 14;
/// Wire type of a SIGN-PARTIAL that carries a scheme byte: every SIGN-PARTIAL this
/// version writes. Type 5 is the older `subsets` SIGN-PARTIAL without the digest,
/// still read ([`PartialBody::SubsetsUnbound`]) so that old audit logs stay readable.
pub(super) const WIRE_SIGN_PARTIAL_SCHEMED: u8 = 8;

/// SIGN-INIT: what to sign (the SIGSTRUCT's signed regions) and with which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInit {
    pub session: SessionId,
    /// The key's threshold scheme ([`SCHEME_SUBSETS`] or [`SCHEME_SHOUP3`]).
    pub scheme: u8,
    pub initiator: u8,
    /// Bitmask of the parties asked to sign (bit i-1 = party i), initiator included.
    pub signers: u16,
    pub parties: u8,
    pub threshold: u8,
    /// The key that must sign: SHA-256 of its little-endian modulus.
    pub mrsigner: [u8; 32],
    /// The MRENCLAVE the initiator claims; must equal the one inside `regions`.
    pub mrenclave: [u8; 32],
    /// SIGSTRUCT bytes 0..128 followed by 900..1028.
    pub regions: [u8; 256],
    /// The generation of the key's shares that must sign: 0 for dealt shares (types 4
    /// and 7, which do not carry it), g ≥ 1 after the g-th refresh (type 14).
    pub generation: u32,
    /// The generation's id (the refresh's transcript hash); not sent for generation
    /// 0, where it reads as zero (write it as zero).
    pub generation_id: [u8; 32],
    /// The initiator's identity signature; `None` from a reference-format share.
    pub signature: Option<Sig>,
}

/// SIGN-PARTIAL: one party's partial signatures: for `subsets`, one per usable
/// subset, with the digest they sign; for `shoup3`, one partial with its proof of
/// correctness (which holds for one digest only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignPartial {
    pub session: SessionId,
    pub party: u8,
    pub body: PartialBody,
    pub signature: Option<Sig>,
}

/// What a SIGN-PARTIAL carries, by scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartialBody {
    /// `subsets`: the SIGSTRUCT digest the partials sign (the SIGN-INIT's, which the
    /// message's signature thus covers), and per subset (bitmask, partial signature
    /// as 384 bytes big-endian).
    Subsets {
        digest: [u8; 32],
        partials: Vec<(u16, [u8; 384])>,
    },
    /// A `subsets` SIGN-PARTIAL of an earlier version (wire type 5), which does not
    /// name its digest: still read, from old audit logs, but nothing ties it to a
    /// request, so it never counts as an approval.
    SubsetsUnbound(Vec<(u16, [u8; 384])>),
    /// A `shoup3` partial with its proof, as `PartialWithProof::to_bytes` writes it
    /// (its own party byte must equal the message's).
    Shoup3(Vec<u8>),
}

impl PartialBody {
    /// The scheme byte of this body.
    pub fn scheme(&self) -> u8 {
        match self {
            PartialBody::Subsets { .. } | PartialBody::SubsetsUnbound(_) => SCHEME_SUBSETS,
            PartialBody::Shoup3(_) => SCHEME_SHOUP3,
        }
    }
}

impl SignInit {
    pub(super) fn write_body(&self, w: &mut Writer) {
        let m = self;
        if m.scheme != SCHEME_SUBSETS || m.generation != 0 {
            w.u8(m.scheme);
        }
        if m.generation != 0 {
            write_generation(w, m.generation, &m.generation_id);
        }
        w.u8(m.initiator)
            .u16(m.signers)
            .u8(m.parties)
            .u8(m.threshold)
            .bytes(&m.mrsigner)
            .bytes(&m.mrenclave)
            .bytes(&m.regions);
    }

    /// The body after the header; `scheme` is the one the header gave, and
    /// `with_generation` whether the wire type carries the generation (type 14).
    pub(super) fn read_body(
        r: &mut Reader<'_>,
        session: SessionId,
        scheme: u8,
        with_generation: bool,
    ) -> Result<Self, ProtocolError> {
        let kind = MessageType::SignInit;
        let (generation, generation_id) = if with_generation {
            read_generation(r, kind)?
        } else {
            (0, [0; 32])
        };
        let (initiator, signers, parties, threshold) = read_signers(r, kind)?;
        Ok(SignInit {
            session,
            scheme,
            initiator,
            signers,
            parties,
            threshold,
            mrsigner: r.array()?,
            mrenclave: r.array()?,
            regions: r.array()?,
            generation,
            generation_id,
            signature: read_optional_signature(r, kind)?,
        })
    }
}

impl SignPartial {
    pub(super) fn write_body(&self, w: &mut Writer) {
        let m = self;
        match &m.body {
            PartialBody::Subsets { digest, partials } => {
                w.u8(SCHEME_SUBSETS).u8(m.party).bytes(digest);
                write_partials(w, partials);
            }
            PartialBody::SubsetsUnbound(partials) => {
                w.u8(m.party);
                write_partials(w, partials);
            }
            PartialBody::Shoup3(bytes) => {
                w.u8(SCHEME_SHOUP3).u8(m.party).bytes(bytes);
            }
        }
    }

    /// The body after the header: `scheme` is the one the header gave, `schemed`
    /// whether the wire type carries a scheme byte.
    pub(super) fn read_body(
        r: &mut Reader<'_>,
        session: SessionId,
        scheme: u8,
        schemed: bool,
    ) -> Result<Self, ProtocolError> {
        let kind = MessageType::SignPartial;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let party = read_party(r, kind)?;
        if scheme == SCHEME_SHOUP3 {
            // 819 bytes (dealing version 1), or as long as a version-2 partial says.
            let value = r.take(partial_encoded_len(r.peek()))?;
            if value[1] != party {
                return Err(bad("party of the partial"));
            }
            return Ok(SignPartial {
                session,
                party,
                body: PartialBody::Shoup3(value.to_vec()),
                signature: read_optional_signature(r, kind)?,
            });
        }
        let body = if schemed {
            let digest = r.array()?;
            let partials = read_partials(r, kind)?;
            PartialBody::Subsets { digest, partials }
        } else {
            PartialBody::SubsetsUnbound(read_partials(r, kind)?)
        };
        Ok(SignPartial {
            session,
            party,
            body,
            signature: read_optional_signature(r, kind)?,
        })
    }
}

/// Initiator, signers bitmask, parties and threshold of a SIGN-INIT (single or batch),
/// checked: a dealt scheme, the initiator among the parties and the signers, at least
/// `threshold` signers and none outside the parties.
pub(super) fn read_signers(
    r: &mut Reader<'_>,
    kind: MessageType,
) -> Result<(u8, u16, u8, u8), ProtocolError> {
    let bad = |field: &'static str| ProtocolError::Field { kind, field };
    let initiator = r.u8()?;
    let signers = r.u16()?;
    let parties = r.u8()?;
    let threshold = r.u8()?;
    let t_of_n = check_scheme(parties, threshold).map_err(|_| bad("parties/threshold"))?;
    if !t_of_n.has_party(initiator) {
        return Err(bad("initiator"));
    }
    let all = if parties == 16 {
        u16::MAX
    } else {
        (1u16 << parties) - 1
    };
    if signers & !all != 0
        || signers & (1 << (initiator - 1)) == 0
        || (signers.count_ones() as u8) < threshold
    {
        return Err(bad("signers"));
    }
    Ok((initiator, signers, parties, threshold))
}

/// A `subsets` SIGN-PARTIAL's list: count (u16, at least 1), then per partial the
/// subset bitmask (u16) and the value (384 bytes).
pub(super) fn write_partials(w: &mut Writer, partials: &[(u16, [u8; 384])]) {
    w.u16(partials.len() as u16);
    for (subset, value) in partials {
        w.u16(*subset).bytes(value);
    }
}

pub(super) fn read_partials(
    r: &mut Reader<'_>,
    kind: MessageType,
) -> Result<Vec<(u16, [u8; 384])>, ProtocolError> {
    let count = r.u16()?;
    if count == 0 {
        return Err(ProtocolError::Field {
            kind,
            field: "number of partials",
        });
    }
    // Bounded by what the remaining bytes can hold, not by the claim.
    let room = r.remaining() / 386;
    let mut partials = Vec::with_capacity(usize::from(count).min(room));
    for _ in 0..count {
        let subset = r.u16()?;
        partials.push((subset, r.array()?));
    }
    Ok(partials)
}
