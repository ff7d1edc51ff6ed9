//! The batch signing messages (see `docs/protocol.md`, "Batch signing"): SIGN-INIT-BATCH
//! (several enclaves to sign with one key in one ceremony) and SIGN-PARTIAL-BATCH (one
//! party's partials for all of them; for `shoup3` with one batched proof). A batch
//! holds 2 to [`MAX_BATCH_ENCLAVES`] enclaves: one enclave keeps SIGN-INIT and
//! SIGN-PARTIAL (one encoding per message). A refreshed key's SIGN-INIT-BATCH names
//! the generation (wire type 15). Every count and length is checked against its bound
//! before anything is allocated.

use super::codec::{Reader, Writer};
use super::fields::{
    read_generation, read_optional_signature, read_party, read_scheme, write_generation, Sig,
    SCHEME_SHOUP3,
};
use super::sign::{read_partials, read_signers, write_partials, SignInit};
use super::{MessageType, ProtocolError, SessionId};
use crate::threshold::shoup3::{batch_encoded_len, MAX_BATCH};

/// The most enclaves one batch names (the `shoup3` batched proof's bound).
pub const MAX_BATCH_ENCLAVES: usize = MAX_BATCH;
/// Wire type of a SIGN-INIT-BATCH for a key share of generation ≥ 1: the scheme byte,
/// the generation (number, id), then the fields of type 11 after its scheme byte.
/// Generation 0 keeps type 11, byte for byte.
pub(super) const WIRE_SIGN_INIT_BATCH_GENERATION: u8 = 15;
/// The longest enclave name, in bytes of UTF-8 (shown sanitised, never trusted).
pub const MAX_ENCLAVE_NAME: usize = 64;

/// One enclave of a SIGN-INIT-BATCH: what a single SIGN-INIT would carry for it, and
/// a name for the review table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEnclave {
    /// A label chosen by the initiator (may be empty); display it sanitised.
    pub name: String,
    /// The MRENCLAVE the initiator claims; must equal the one inside `regions`.
    pub mrenclave: [u8; 32],
    /// SIGSTRUCT bytes 0..128 followed by 900..1028.
    pub regions: [u8; 256],
}

/// SIGN-INIT-BATCH: several enclaves to sign with one key, approved all or none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInitBatch {
    pub session: SessionId,
    /// The key's threshold scheme.
    pub scheme: u8,
    pub initiator: u8,
    /// Bitmask of the parties asked to sign (bit i-1 = party i), initiator included.
    pub signers: u16,
    pub parties: u8,
    pub threshold: u8,
    /// The key that must sign: SHA-256 of its little-endian modulus.
    pub mrsigner: [u8; 32],
    /// 2 to [`MAX_BATCH_ENCLAVES`] enclaves, in the order of every answer.
    pub enclaves: Vec<BatchEnclave>,
    /// The generation of the key's shares that must sign (as in [`SignInit`]): 0 on
    /// type 11, g ≥ 1 on type 15.
    pub generation: u32,
    /// The generation's id; zero (and not sent) for generation 0.
    pub generation_id: [u8; 32],
    pub signature: Option<Sig>,
}

/// SIGN-PARTIAL-BATCH: one party's answer to a SIGN-INIT-BATCH, the enclaves in the
/// request's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignPartialBatch {
    pub session: SessionId,
    pub party: u8,
    pub body: BatchBody,
    pub signature: Option<Sig>,
}

/// One enclave's `subsets` partials: (subset bitmask, partial as 384 bytes) each.
pub type SubsetsPartials = Vec<(u16, [u8; 384])>;

/// What a SIGN-PARTIAL-BATCH carries, by scheme, for 2 to [`MAX_BATCH_ENCLAVES`]
/// enclaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchBody {
    /// `subsets`: per enclave, the SIGSTRUCT digest signed (as in a single `subsets`
    /// SIGN-PARTIAL) and per usable subset (bitmask, partial as 384 bytes).
    Subsets(Vec<([u8; 32], SubsetsPartials)>),
    /// `shoup3`: the partials with one proof, as `BatchPartial::to_bytes` writes it
    /// (its party byte and count must equal the message's). No digests: the batched
    /// proof holds only for the digests the verifier computes from the request.
    Shoup3(Vec<u8>),
}

impl BatchBody {
    pub fn scheme(&self) -> u8 {
        match self {
            BatchBody::Subsets(_) => super::SCHEME_SUBSETS,
            BatchBody::Shoup3(_) => SCHEME_SHOUP3,
        }
    }

    /// How many enclaves the body answers for.
    pub fn count(&self) -> usize {
        match self {
            BatchBody::Subsets(lists) => lists.len(),
            BatchBody::Shoup3(bytes) => bytes.get(2).map_or(0, |&k| usize::from(k)),
        }
    }
}

/// The enclave count: 2 to [`MAX_BATCH_ENCLAVES`], refused before any allocation.
fn read_count(r: &mut Reader<'_>, kind: MessageType) -> Result<usize, ProtocolError> {
    let count = usize::from(r.u8()?);
    if !(2..=MAX_BATCH_ENCLAVES).contains(&count) {
        return Err(ProtocolError::Field {
            kind,
            field: "number of enclaves",
        });
    }
    Ok(count)
}

impl SignInitBatch {
    /// The single SIGN-INIT that enclave `index` stands for: its enclave fields and the
    /// batch's common ones, with no signature of its own (what the single review, the
    /// policy and the audit judge); `None` past the last enclave.
    pub fn single(&self, index: usize) -> Option<SignInit> {
        self.enclaves.get(index).map(|e| self.single_for(e))
    }

    /// The single SIGN-INIT `e` (one of this batch's enclaves) stands for.
    pub fn single_for(&self, e: &BatchEnclave) -> SignInit {
        SignInit {
            session: self.session,
            scheme: self.scheme,
            initiator: self.initiator,
            signers: self.signers,
            parties: self.parties,
            threshold: self.threshold,
            mrsigner: self.mrsigner,
            mrenclave: e.mrenclave,
            regions: e.regions,
            generation: self.generation,
            generation_id: self.generation_id,
            signature: None,
        }
    }

    pub(super) fn write_body(&self, w: &mut Writer) {
        let m = self;
        w.u8(m.scheme);
        if m.generation != 0 {
            write_generation(w, m.generation, &m.generation_id);
        }
        w.u8(m.initiator)
            .u16(m.signers)
            .u8(m.parties)
            .u8(m.threshold)
            .bytes(&m.mrsigner)
            .u8(m.enclaves.len() as u8);
        for e in &m.enclaves {
            w.u8(e.name.len() as u8)
                .bytes(e.name.as_bytes())
                .bytes(&e.mrenclave)
                .bytes(&e.regions);
        }
    }

    /// The body after the header; `with_generation`: the wire type is 15.
    pub(super) fn read_body(
        r: &mut Reader<'_>,
        session: SessionId,
        with_generation: bool,
    ) -> Result<Self, ProtocolError> {
        let kind = MessageType::SignInitBatch;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let scheme = read_scheme(r, kind)?;
        let (generation, generation_id) = if with_generation {
            read_generation(r, kind)?
        } else {
            (0, [0; 32])
        };
        let (initiator, signers, parties, threshold) = read_signers(r, kind)?;
        let mrsigner = r.array()?;
        let count = read_count(r, kind)?;
        let mut enclaves = Vec::with_capacity(count);
        for _ in 0..count {
            let len = usize::from(r.u8()?);
            if len > MAX_ENCLAVE_NAME {
                return Err(bad("enclave name length"));
            }
            let name = std::str::from_utf8(r.take(len)?).map_err(|_| bad("enclave name"))?;
            enclaves.push(BatchEnclave {
                name: name.to_string(),
                mrenclave: r.array()?,
                regions: r.array()?,
            });
        }
        Ok(SignInitBatch {
            session,
            scheme,
            initiator,
            signers,
            parties,
            threshold,
            mrsigner,
            enclaves,
            generation,
            generation_id,
            signature: read_optional_signature(r, kind)?,
        })
    }
}

impl SignPartialBatch {
    pub(super) fn write_body(&self, w: &mut Writer) {
        let m = self;
        w.u8(m.body.scheme()).u8(m.party).u8(m.body.count() as u8);
        match &m.body {
            BatchBody::Subsets(lists) => {
                for (digest, partials) in lists {
                    w.bytes(digest);
                    write_partials(w, partials);
                }
            }
            BatchBody::Shoup3(bytes) => {
                w.bytes(bytes);
            }
        }
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        let kind = MessageType::SignPartialBatch;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let scheme = read_scheme(r, kind)?;
        let party = read_party(r, kind)?;
        let count = read_count(r, kind)?;
        let body = if scheme == SCHEME_SHOUP3 {
            // The batch's own count must be the message's before its length (which
            // the count sets) is taken.
            if r.peek().get(2).is_some_and(|&k| usize::from(k) != count) {
                return Err(bad("number of partials"));
            }
            let value = r.take(batch_encoded_len(r.peek()))?;
            if value[1] != party {
                return Err(bad("party of the partials"));
            }
            BatchBody::Shoup3(value.to_vec())
        } else {
            let mut lists = Vec::with_capacity(count);
            for _ in 0..count {
                let digest = r.array()?;
                lists.push((digest, read_partials(r, kind)?));
            }
            BatchBody::Subsets(lists)
        };
        Ok(SignPartialBatch {
            session,
            party,
            body,
            signature: read_optional_signature(r, kind)?,
        })
    }
}
