//! The envelope every message shares: the [`Message`] enum with its header (version,
//! wire type, session), its identity signature and the dispatch of encoding and
//! decoding to each family (`keygen`, `sign`, `batch`, `lifecycle`, `refresh`); and ABORT, the one message of no
//! ceremony in particular.

use super::batch::{SignInitBatch, SignPartialBatch, WIRE_SIGN_INIT_BATCH_GENERATION};
use super::codec::{Reader, Writer};
use super::fields::{read_optional_signature, read_party, read_scheme, Sig, SCHEME_SUBSETS};
use super::keygen::{
    KeygenFinalize, KeygenInit, KeygenJoin, WIRE_KEYGEN_FINALIZE_FELDMAN,
    WIRE_KEYGEN_FINALIZE_NONCED, WIRE_KEYGEN_INIT_RESHARE,
};
use super::lifecycle::{Give, GiveInit};
use super::refresh::{RefreshConfirm, RefreshDeal, RefreshInit, RefreshJoin};
use super::sign::{
    PartialBody, SignInit, SignPartial, WIRE_SIGN_INIT_GENERATION, WIRE_SIGN_INIT_SCHEMED,
    WIRE_SIGN_PARTIAL_SCHEMED,
};
use super::{MessageType, ProtocolError, SessionId, SESSION_LEN, VERSION};
use crate::identity::{IdentityKey, IdentityPublic};

/// ABORT: a party declines or stops the ceremony, with a reason for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abort {
    pub session: SessionId,
    pub party: u8,
    pub reason: String,
    pub signature: Option<Sig>,
}

/// The longest ABORT reason, in bytes.
pub const MAX_REASON: usize = 500;

// A KEYGEN-FINALIZE carries its modulus inline and is one message per ceremony;
// boxing it would change every constructor for no gain.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    KeygenInit(KeygenInit),
    KeygenJoin(KeygenJoin),
    KeygenFinalize(KeygenFinalize),
    SignInit(SignInit),
    SignPartial(SignPartial),
    Abort(Abort),
    GiveInit(GiveInit),
    Give(Give),
    SignInitBatch(SignInitBatch),
    SignPartialBatch(SignPartialBatch),
    RefreshInit(RefreshInit),
    RefreshJoin(RefreshJoin),
    RefreshDeal(RefreshDeal),
    RefreshConfirm(RefreshConfirm),
}

/// The context string under which message signatures are made.
const SIGNATURE_CONTEXT: &str = "message";

impl Message {
    pub fn kind(&self) -> MessageType {
        match self {
            Message::KeygenInit(_) => MessageType::KeygenInit,
            Message::KeygenJoin(_) => MessageType::KeygenJoin,
            Message::KeygenFinalize(_) => MessageType::KeygenFinalize,
            Message::SignInit(_) => MessageType::SignInit,
            Message::SignPartial(_) => MessageType::SignPartial,
            Message::Abort(_) => MessageType::Abort,
            Message::GiveInit(_) => MessageType::GiveInit,
            Message::Give(_) => MessageType::Give,
            Message::SignInitBatch(_) => MessageType::SignInitBatch,
            Message::SignPartialBatch(_) => MessageType::SignPartialBatch,
            Message::RefreshInit(_) => MessageType::RefreshInit,
            Message::RefreshJoin(_) => MessageType::RefreshJoin,
            Message::RefreshDeal(_) => MessageType::RefreshDeal,
            Message::RefreshConfirm(_) => MessageType::RefreshConfirm,
        }
    }

    pub fn session(&self) -> SessionId {
        match self {
            Message::KeygenInit(m) => m.session,
            Message::KeygenJoin(m) => m.session,
            Message::KeygenFinalize(m) => m.session,
            Message::SignInit(m) => m.session,
            Message::SignPartial(m) => m.session,
            Message::Abort(m) => m.session,
            Message::GiveInit(m) => m.session,
            Message::Give(m) => m.session,
            Message::SignInitBatch(m) => m.session,
            Message::SignPartialBatch(m) => m.session,
            Message::RefreshInit(m) => m.session,
            Message::RefreshJoin(m) => m.session,
            Message::RefreshDeal(m) => m.session,
            Message::RefreshConfirm(m) => m.session,
        }
    }

    /// The signature, if the message carries one.
    pub fn signature(&self) -> Option<&Sig> {
        match self {
            Message::KeygenInit(m) => Some(&m.signature),
            Message::KeygenJoin(m) => Some(&m.signature),
            Message::KeygenFinalize(m) => Some(&m.signature),
            Message::SignInit(m) => m.signature.as_ref(),
            Message::SignPartial(m) => m.signature.as_ref(),
            Message::Abort(m) => m.signature.as_ref(),
            Message::GiveInit(m) => Some(&m.signature),
            Message::Give(m) => Some(&m.signature),
            Message::SignInitBatch(m) => m.signature.as_ref(),
            Message::SignPartialBatch(m) => m.signature.as_ref(),
            Message::RefreshInit(m) => Some(&m.signature),
            Message::RefreshJoin(m) => Some(&m.signature),
            Message::RefreshDeal(m) => Some(&m.signature),
            Message::RefreshConfirm(m) => Some(&m.signature),
        }
    }

    fn signature_slot(&mut self) -> SignatureSlot<'_> {
        match self {
            Message::KeygenInit(m) => SignatureSlot::Required(&mut m.signature),
            Message::KeygenJoin(m) => SignatureSlot::Required(&mut m.signature),
            Message::KeygenFinalize(m) => SignatureSlot::Required(&mut m.signature),
            Message::SignInit(m) => SignatureSlot::Optional(&mut m.signature),
            Message::SignPartial(m) => SignatureSlot::Optional(&mut m.signature),
            Message::Abort(m) => SignatureSlot::Optional(&mut m.signature),
            Message::GiveInit(m) => SignatureSlot::Required(&mut m.signature),
            Message::Give(m) => SignatureSlot::Required(&mut m.signature),
            Message::SignInitBatch(m) => SignatureSlot::Optional(&mut m.signature),
            Message::SignPartialBatch(m) => SignatureSlot::Optional(&mut m.signature),
            Message::RefreshInit(m) => SignatureSlot::Required(&mut m.signature),
            Message::RefreshJoin(m) => SignatureSlot::Required(&mut m.signature),
            Message::RefreshDeal(m) => SignatureSlot::Required(&mut m.signature),
            Message::RefreshConfirm(m) => SignatureSlot::Required(&mut m.signature),
        }
    }

    /// Signs the message with `key` (replacing any signature).
    pub fn sign(&mut self, key: &IdentityKey) {
        let sig = key.sign(SIGNATURE_CONTEXT, &self.signed_part());
        match self.signature_slot() {
            SignatureSlot::Required(s) => *s = sig,
            SignatureSlot::Optional(s) => *s = Some(sig),
        }
    }

    /// Whether the message carries a valid signature by `key`.
    pub fn is_signed_by(&self, key: &IdentityPublic) -> bool {
        match self.signature() {
            Some(sig) => key.verify(SIGNATURE_CONTEXT, &self.signed_part(), sig),
            None => false,
        }
    }

    /// The bytes a signature covers: the whole encoding up to the signature trailer
    /// (header included, so a signature binds the message type and session).
    pub fn signed_part(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.write_body(&mut w);
        w.finish()
    }

    /// The binary encoding: header (version, type, session), the body, then the
    /// signature trailer.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        self.write_body(&mut w);
        match self {
            Message::KeygenInit(KeygenInit { signature, .. })
            | Message::KeygenJoin(KeygenJoin { signature, .. })
            | Message::KeygenFinalize(KeygenFinalize { signature, .. })
            | Message::GiveInit(GiveInit { signature, .. })
            | Message::Give(Give { signature, .. })
            | Message::RefreshInit(RefreshInit { signature, .. })
            | Message::RefreshJoin(RefreshJoin { signature, .. })
            | Message::RefreshDeal(RefreshDeal { signature, .. })
            | Message::RefreshConfirm(RefreshConfirm { signature, .. }) => {
                w.bytes(signature);
            }
            Message::SignInit(SignInit { signature, .. })
            | Message::SignPartial(SignPartial { signature, .. })
            | Message::Abort(Abort { signature, .. })
            | Message::SignInitBatch(SignInitBatch { signature, .. })
            | Message::SignPartialBatch(SignPartialBatch { signature, .. }) => {
                match signature {
                    Some(s) => w.u8(1).bytes(s),
                    None => w.u8(0),
                };
            }
        }
        w.finish()
    }

    /// The type byte on the wire: the [`MessageType`], except for a SIGN-INIT of a
    /// scheme other than `subsets` and every SIGN-PARTIAL but the unbound one, which
    /// have their own type (with a scheme byte after the session), and a SIGN-INIT or
    /// SIGN-INIT-BATCH of a refreshed key (generation ≥ 1), which names it.
    fn wire_type(&self) -> u8 {
        match self {
            Message::SignInit(m) if m.generation != 0 => WIRE_SIGN_INIT_GENERATION,
            Message::SignInitBatch(m) if m.generation != 0 => WIRE_SIGN_INIT_BATCH_GENERATION,
            Message::SignInit(m) if m.scheme != SCHEME_SUBSETS => WIRE_SIGN_INIT_SCHEMED,
            Message::SignPartial(SignPartial {
                body: PartialBody::SubsetsUnbound(_),
                ..
            }) => MessageType::SignPartial as u8,
            Message::SignPartial(_) => WIRE_SIGN_PARTIAL_SCHEMED,
            Message::KeygenFinalize(m) if m.is_feldman() => WIRE_KEYGEN_FINALIZE_FELDMAN,
            Message::KeygenFinalize(_) => WIRE_KEYGEN_FINALIZE_NONCED,
            Message::KeygenInit(m) if m.reshare_of.is_some() => WIRE_KEYGEN_INIT_RESHARE,
            other => other.kind() as u8,
        }
    }

    fn write_body(&self, w: &mut Writer) {
        w.u8(VERSION).u8(self.wire_type()).bytes(&self.session().0);
        match self {
            Message::KeygenInit(m) => m.write_body(w),
            Message::KeygenJoin(m) => m.write_body(w),
            Message::KeygenFinalize(m) => m.write_body(w),
            Message::SignInit(m) => m.write_body(w),
            Message::SignPartial(m) => m.write_body(w),
            Message::Abort(m) => m.write_body(w),
            Message::GiveInit(m) => m.write_body(w),
            Message::Give(m) => m.write_body(w),
            Message::SignInitBatch(m) => m.write_body(w),
            Message::SignPartialBatch(m) => m.write_body(w),
            Message::RefreshInit(m) => m.write_body(w),
            Message::RefreshJoin(m) => m.write_body(w),
            Message::RefreshDeal(m) => m.write_body(w),
            Message::RefreshConfirm(m) => m.write_body(w),
        }
    }

    /// Decodes and checks a message; rejects unknown versions, types and bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, ProtocolError> {
        if bytes.len() > super::MAX_MESSAGE_LEN {
            return Err(ProtocolError::TooLong);
        }
        let mut r = Reader::new(bytes);
        let version = r.u8()?;
        if version != VERSION {
            return Err(ProtocolError::Version(version));
        }
        let type_byte = r.u8()?;
        let (kind, schemed) = match type_byte {
            WIRE_SIGN_INIT_SCHEMED | WIRE_SIGN_INIT_GENERATION => (MessageType::SignInit, true),
            WIRE_SIGN_INIT_BATCH_GENERATION => (MessageType::SignInitBatch, false),
            WIRE_SIGN_PARTIAL_SCHEMED => (MessageType::SignPartial, true),
            WIRE_KEYGEN_FINALIZE_NONCED | WIRE_KEYGEN_FINALIZE_FELDMAN => {
                (MessageType::KeygenFinalize, false)
            }
            WIRE_KEYGEN_INIT_RESHARE => (MessageType::KeygenInit, false),
            t if t == MessageType::KeygenFinalize as u8 => {
                return Err(ProtocolError::FinalizeWithoutNonce)
            }
            other => (
                MessageType::from_u8(other).ok_or(ProtocolError::UnknownType(other))?,
                false,
            ),
        };
        let session = SessionId(r.array::<SESSION_LEN>()?);
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        // The scheme of a SIGN-INIT or SIGN-PARTIAL: `subsets` for the plain types,
        // and never `subsets` for the schemed SIGN-INIT (one encoding per message).
        // A schemed `subsets` SIGN-PARTIAL is the one bound to its digest, and a
        // SIGN-INIT naming a generation carries any scheme.
        let with_generation = matches!(
            type_byte,
            WIRE_SIGN_INIT_GENERATION | WIRE_SIGN_INIT_BATCH_GENERATION
        );
        let sign_scheme = if schemed {
            match read_scheme(&mut r, kind)? {
                SCHEME_SUBSETS if type_byte == WIRE_SIGN_INIT_SCHEMED => return Err(bad("scheme")),
                other => other,
            }
        } else {
            SCHEME_SUBSETS
        };
        let msg = match kind {
            MessageType::KeygenInit => Message::KeygenInit(KeygenInit::read_body(
                &mut r,
                session,
                type_byte == WIRE_KEYGEN_INIT_RESHARE,
            )?),
            MessageType::KeygenJoin => Message::KeygenJoin(KeygenJoin::read_body(&mut r, session)?),
            MessageType::KeygenFinalize => Message::KeygenFinalize(KeygenFinalize::read_body(
                &mut r,
                session,
                type_byte == WIRE_KEYGEN_FINALIZE_FELDMAN,
            )?),
            MessageType::SignInit => Message::SignInit(SignInit::read_body(
                &mut r,
                session,
                sign_scheme,
                with_generation,
            )?),
            MessageType::SignPartial => Message::SignPartial(SignPartial::read_body(
                &mut r,
                session,
                sign_scheme,
                schemed,
            )?),
            MessageType::Abort => Message::Abort(Abort::read_body(&mut r, session)?),
            MessageType::GiveInit => Message::GiveInit(GiveInit::read_body(&mut r, session)?),
            MessageType::Give => Message::Give(Give::read_body(&mut r, session)?),
            MessageType::SignInitBatch => {
                Message::SignInitBatch(SignInitBatch::read_body(&mut r, session, with_generation)?)
            }
            MessageType::SignPartialBatch => {
                Message::SignPartialBatch(SignPartialBatch::read_body(&mut r, session)?)
            }
            MessageType::RefreshInit => {
                Message::RefreshInit(RefreshInit::read_body(&mut r, session)?)
            }
            MessageType::RefreshJoin => {
                Message::RefreshJoin(RefreshJoin::read_body(&mut r, session)?)
            }
            MessageType::RefreshDeal => {
                Message::RefreshDeal(RefreshDeal::read_body(&mut r, session)?)
            }
            MessageType::RefreshConfirm => {
                Message::RefreshConfirm(RefreshConfirm::read_body(&mut r, session)?)
            }
        };
        if !r.is_empty() {
            return Err(ProtocolError::TrailingBytes(kind));
        }
        Ok(msg)
    }
}

enum SignatureSlot<'a> {
    Required(&'a mut Sig),
    Optional(&'a mut Option<Sig>),
}

impl Abort {
    fn write_body(&self, w: &mut Writer) {
        let m = self;
        w.u8(m.party).var(m.reason.as_bytes());
    }

    fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        let kind = MessageType::Abort;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let party = read_party(r, kind)?;
        let reason = r.var()?;
        if reason.len() > MAX_REASON {
            return Err(bad("reason length"));
        }
        let reason = std::str::from_utf8(reason).map_err(|_| bad("reason"))?;
        Ok(Abort {
            session,
            party,
            reason: reason.to_string(),
            signature: read_optional_signature(r, kind)?,
        })
    }
}
