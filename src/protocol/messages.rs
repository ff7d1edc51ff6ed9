//! The message structs and their byte layout (see `docs/protocol.md`).

use super::codec::{Reader, Writer};
use super::{MessageType, ProtocolError, SessionId, SESSION_LEN, VERSION};
use crate::identity::{IdentityKey, IdentityPublic, SIGNATURE_LEN};
use crate::threshold::shoup3::PARTIAL_BYTES as SHOUP3_PARTIAL_BYTES;
use crate::threshold::shoup3::SECRET_SHARE_BYTES as SHOUP3_SECRET_SHARE_BYTES;
use crate::threshold::MAX_PARTIES;
use sha2::{Digest, Sha256};

/// A 64-byte Ed25519 signature.
pub type Sig = [u8; SIGNATURE_LEN];

/// The threshold scheme of a keygen, as its byte in KEYGEN-INIT and KEYGEN-FINALIZE:
/// the reference's redundant additive sharing (one sub-share per t-subset).
pub const SCHEME_SUBSETS: u8 = 1;
/// `shoup3`: Shoup's threshold RSA adapted to e = 3 (one share per party, verifiable
/// dealing, partials with proofs). See `docs/shoup3.md`.
pub const SCHEME_SHOUP3: u8 = 2;

/// The name of a scheme byte, as humans and share files spell it.
pub fn scheme_name(scheme: u8) -> &'static str {
    match scheme {
        SCHEME_SHOUP3 => "shoup3",
        _ => "subsets",
    }
}

/// Wire type of a SIGN-INIT that carries a scheme byte (every scheme but `subsets`,
/// whose SIGN-INIT keeps type 4 and its version-2 layout byte for byte).
const WIRE_SIGN_INIT_SCHEMED: u8 = 7;
/// Wire type of a SIGN-PARTIAL that carries a scheme byte: every SIGN-PARTIAL this
/// version writes. Type 5 is the older `subsets` SIGN-PARTIAL without the digest,
/// still read ([`PartialBody::SubsetsUnbound`]) so that old audit logs stay readable.
const WIRE_SIGN_PARTIAL_SCHEMED: u8 = 8;

/// Wire type of a KEYGEN-FINALIZE with the dealer's nonce (the only one this version
/// writes or reads; type 3, from before the nonce, is refused).
const WIRE_KEYGEN_FINALIZE_NONCED: u8 = 9;

/// Bytes of a number mod N (RSA-3072) in a message.
const NUMBER_BYTES: usize = 384;

/// Bytes of a sealed `shoup3` share: the secret-share encoding and the GCM tag.
pub const SHOUP3_SEALED_BYTES: usize = SHOUP3_SECRET_SHARE_BYTES + 16;

/// The public verification data of a `shoup3` dealing: the seed from which v is
/// derived and v_1..v_n (N is the FINALIZE's modulus).
///
/// A KEYGEN-FINALIZE carries only v_1..v_n: the seed of a ceremony's v is
/// [`shoup3_seed`] of its session, which the decoder fills in and the encoder
/// leaves out (the dealer refuses to deal a v from any other seed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shoup3Public {
    pub seed: [u8; 32],
    /// v_i for parties 1..=n, each 384 bytes big-endian.
    pub keys: Vec<[u8; NUMBER_BYTES]>,
}

/// The seed of v in the `shoup3` keygen of `session`: SHA-256 of
/// `"mpcegosign/v2/shoup3 seed" ‖ 00 ‖ session id`. Nobody picks v by hand, and no
/// message needs to carry it.
pub fn shoup3_seed(session: &SessionId) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"mpcegosign/v2/shoup3 seed\0");
    h.update(session.0);
    h.finalize().into()
}

/// KEYGEN-INIT: the dealer (party 1) opens a keygen ceremony. Signed by the dealer's
/// new identity key (which proves it holds that key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeygenInit {
    pub session: SessionId,
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    /// The dealer's X25519 public key for this ceremony.
    pub dealer_key: [u8; 32],
    /// The dealer's Ed25519 identity key.
    pub dealer_identity: IdentityPublic,
    /// MRSIGNER of an imported key, so joiners know which key they will share.
    pub imported_mrsigner: Option<[u8; 32]>,
    pub signature: Sig,
}

/// KEYGEN-JOIN: a joiner's X25519 ceremony key and Ed25519 identity key, signed by
/// that identity key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeygenJoin {
    pub session: SessionId,
    pub party_key: [u8; 32],
    pub identity: IdentityPublic,
    pub signature: Sig,
}

/// A party's public keys in the roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartyKeys {
    pub x25519: [u8; 32],
    pub identity: IdentityPublic,
}

/// One party's share, encrypted to its X25519 key (AES-256-GCM).
///
/// A `shoup3` FINALIZE carries only the ciphertext ([`SHOUP3_SEALED_BYTES`]): the
/// party follows from its place and the nonce is zero (each key seals one share).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedShare {
    pub party: u8,
    pub nonce: [u8; 12],
    pub ciphertext: Vec<u8>,
}

/// KEYGEN-FINALIZE: the public key, the roster, every joiner's sealed share, and the
/// dealer's signature over all of it.
///
/// For `shoup3` it also carries the public verification data once, and it may be one
/// joiner's own view instead (`view`): that joiner's sealed share alone, which the
/// dealer signs separately (a QR air gap shows each joiner only its part). A `shoup3`
/// roster leaves out what the receiver knows: the dealer's keys (they are in the
/// KEYGEN-INIT) and, in a view, the joiner's own; [`Self::full_roster`] puts them back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeygenFinalize {
    pub session: SessionId,
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    /// RSA modulus, 384 bytes big-endian.
    pub modulus: [u8; 384],
    /// The dealer's fresh nonce, drawn after every JOIN was in and bound into the
    /// transcript (the same in every view).
    pub nonce: [u8; 32],
    /// `shoup3` only: the joiner whose own view this is; `None` for every joiner's
    /// share (and always for `subsets`).
    pub view: Option<u8>,
    /// The roster as the message carries it ([`Self::wire_roster`]): for `subsets`
    /// parties 1..=n; for `shoup3` parties 2..=n, without the view's joiner.
    pub roster: Vec<PartyKeys>,
    /// `shoup3` only (and always there for it): seed of v and v_1..v_n.
    pub verification: Option<Shoup3Public>,
    /// Sealed shares of parties 2..=n, in party order; for a `shoup3` view, the sealed
    /// share of its joiner.
    pub shares: Vec<SealedShare>,
    pub signature: Sig,
}

impl KeygenFinalize {
    /// What a FINALIZE of `scheme` carries of the whole roster `full` (parties
    /// 1..=n): all of it for `subsets`; for `shoup3`, all but the dealer and `view`.
    pub fn wire_roster(scheme: u8, full: &[PartyKeys], view: Option<u8>) -> Vec<PartyKeys> {
        if scheme != SCHEME_SHOUP3 {
            return full.to_vec();
        }
        full.iter()
            .zip(1u8..)
            .filter(|(_, party)| *party != 1 && Some(*party) != view)
            .map(|(k, _)| *k)
            .collect()
    }

    /// The party number of `roster[index]`.
    pub fn roster_party(&self, index: usize) -> u8 {
        let mut party = index as u8 + 1;
        if self.scheme == SCHEME_SHOUP3 {
            party += 1;
            if matches!(self.view, Some(v) if party >= v) {
                party += 1;
            }
        }
        party
    }

    /// The whole roster (parties 1..=n): for `shoup3`, the carried entries with the
    /// dealer's keys (from the KEYGEN-INIT) and, in a view, its joiner's keys put back.
    pub fn full_roster(&self, dealer: PartyKeys, joiner: PartyKeys) -> Vec<PartyKeys> {
        if self.scheme != SCHEME_SHOUP3 {
            return self.roster.clone();
        }
        let mut full = Vec::with_capacity(self.roster.len() + 2);
        full.push(dealer);
        full.extend_from_slice(&self.roster);
        if let Some(view) = self.view {
            let at = usize::from(view - 1).min(full.len());
            full.insert(at, joiner);
        }
        full
    }
}

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    KeygenInit(KeygenInit),
    KeygenJoin(KeygenJoin),
    KeygenFinalize(KeygenFinalize),
    SignInit(SignInit),
    SignPartial(SignPartial),
    Abort(Abort),
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
            | Message::KeygenFinalize(KeygenFinalize { signature, .. }) => {
                w.bytes(signature);
            }
            Message::SignInit(SignInit { signature, .. })
            | Message::SignPartial(SignPartial { signature, .. })
            | Message::Abort(Abort { signature, .. }) => {
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
    /// have their own type (with a scheme byte after the session).
    fn wire_type(&self) -> u8 {
        match self {
            Message::SignInit(m) if m.scheme != SCHEME_SUBSETS => WIRE_SIGN_INIT_SCHEMED,
            Message::SignPartial(SignPartial {
                body: PartialBody::SubsetsUnbound(_),
                ..
            }) => MessageType::SignPartial as u8,
            Message::SignPartial(_) => WIRE_SIGN_PARTIAL_SCHEMED,
            Message::KeygenFinalize(_) => WIRE_KEYGEN_FINALIZE_NONCED,
            other => other.kind() as u8,
        }
    }

    fn write_body(&self, w: &mut Writer) {
        w.u8(VERSION).u8(self.wire_type()).bytes(&self.session().0);
        match self {
            Message::KeygenInit(m) => {
                w.u8(m.scheme)
                    .u8(m.parties)
                    .u8(m.threshold)
                    .bytes(&m.dealer_key)
                    .bytes(&m.dealer_identity.0);
                match &m.imported_mrsigner {
                    Some(s) => w.u8(1).bytes(s),
                    None => w.u8(0),
                };
            }
            Message::KeygenJoin(m) => {
                w.bytes(&m.party_key).bytes(&m.identity.0);
            }
            Message::KeygenFinalize(m) => {
                w.u8(m.scheme)
                    .u8(m.parties)
                    .u8(m.threshold)
                    .bytes(&m.modulus)
                    .bytes(&m.nonce);
                match &m.verification {
                    Some(v) if m.scheme == SCHEME_SHOUP3 => {
                        // One layout for shoup3; the seed and nonces are implied.
                        debug_assert_eq!(v.seed, shoup3_seed(&m.session));
                        w.u8(m.view.unwrap_or(0));
                        for k in &m.roster {
                            w.bytes(&k.x25519).bytes(&k.identity.0);
                        }
                        for key in &v.keys {
                            w.bytes(key);
                        }
                        for s in &m.shares {
                            debug_assert_eq!(s.nonce, [0; 12]);
                            w.bytes(&s.ciphertext);
                        }
                    }
                    _ => {
                        for k in &m.roster {
                            w.bytes(&k.x25519).bytes(&k.identity.0);
                        }
                        w.u8(m.shares.len() as u8);
                        for s in &m.shares {
                            w.u8(s.party).bytes(&s.nonce).var(&s.ciphertext);
                        }
                    }
                }
            }
            Message::SignInit(m) => {
                if m.scheme != SCHEME_SUBSETS {
                    w.u8(m.scheme);
                }
                w.u8(m.initiator)
                    .u16(m.signers)
                    .u8(m.parties)
                    .u8(m.threshold)
                    .bytes(&m.mrsigner)
                    .bytes(&m.mrenclave)
                    .bytes(&m.regions);
            }
            Message::SignPartial(m) => match &m.body {
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
            },
            Message::Abort(m) => {
                w.u8(m.party).var(m.reason.as_bytes());
            }
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
            WIRE_SIGN_INIT_SCHEMED => (MessageType::SignInit, true),
            WIRE_SIGN_PARTIAL_SCHEMED => (MessageType::SignPartial, true),
            WIRE_KEYGEN_FINALIZE_NONCED => (MessageType::KeygenFinalize, false),
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
        // A schemed `subsets` SIGN-PARTIAL is the one bound to its digest.
        let sign_scheme = if schemed {
            match read_scheme(&mut r, kind)? {
                SCHEME_SUBSETS if kind == MessageType::SignInit => return Err(bad("scheme")),
                other => other,
            }
        } else {
            SCHEME_SUBSETS
        };
        let msg = match kind {
            MessageType::KeygenInit => {
                let scheme = read_scheme(&mut r, kind)?;
                let parties = r.u8()?;
                let threshold = r.u8()?;
                check_scheme(parties, threshold).map_err(|_| bad("parties/threshold"))?;
                let dealer_key = r.array()?;
                let dealer_identity = IdentityPublic(r.array()?);
                let imported_mrsigner = match r.u8()? {
                    0 => None,
                    1 => Some(r.array()?),
                    _ => return Err(bad("imported key flag")),
                };
                Message::KeygenInit(KeygenInit {
                    session,
                    scheme,
                    parties,
                    threshold,
                    dealer_key,
                    dealer_identity,
                    imported_mrsigner,
                    signature: r.array()?,
                })
            }
            MessageType::KeygenJoin => Message::KeygenJoin(KeygenJoin {
                session,
                party_key: r.array()?,
                identity: IdentityPublic(r.array()?),
                signature: r.array()?,
            }),
            MessageType::KeygenFinalize => {
                let scheme = read_scheme(&mut r, kind)?;
                let parties = r.u8()?;
                let threshold = r.u8()?;
                check_scheme(parties, threshold).map_err(|_| bad("parties/threshold"))?;
                let modulus = r.array()?;
                let nonce = r.array()?;
                let read_roster = |r: &mut Reader<'_>, count: u8| {
                    let mut roster = Vec::with_capacity(usize::from(count));
                    for _ in 0..count {
                        roster.push(PartyKeys {
                            x25519: r.array()?,
                            identity: IdentityPublic(r.array()?),
                        });
                    }
                    Ok::<_, ProtocolError>(roster)
                };
                let (view, roster, verification, shares) = if scheme == SCHEME_SHOUP3 {
                    // 00: every joiner's share; else the one joiner whose view it is.
                    let view = match r.u8()? {
                        0 => None,
                        v if (2..=parties).contains(&v) => Some(v),
                        _ => return Err(bad("view")),
                    };
                    let listed = parties - 1 - u8::from(view.is_some());
                    let roster = read_roster(&mut r, listed)?;
                    let mut keys = Vec::with_capacity(usize::from(parties));
                    for _ in 0..parties {
                        keys.push(r.array()?);
                    }
                    let seed = shoup3_seed(&session);
                    let owners: Vec<u8> = match view {
                        Some(v) => vec![v],
                        None => (2..=parties).collect(),
                    };
                    let mut shares = Vec::with_capacity(owners.len());
                    for party in owners {
                        shares.push(SealedShare {
                            party,
                            nonce: [0; 12],
                            ciphertext: r.take(SHOUP3_SEALED_BYTES)?.to_vec(),
                        });
                    }
                    (view, roster, Some(Shoup3Public { seed, keys }), shares)
                } else {
                    let roster = read_roster(&mut r, parties)?;
                    let count = r.u8()?;
                    if count != parties - 1 {
                        return Err(bad("number of sealed shares"));
                    }
                    let mut shares = Vec::with_capacity(usize::from(count));
                    for i in 0..count {
                        let party = r.u8()?;
                        if party != i + 2 {
                            return Err(bad("sealed share party order"));
                        }
                        let nonce = r.array()?;
                        let ciphertext = r.var()?.to_vec();
                        shares.push(SealedShare {
                            party,
                            nonce,
                            ciphertext,
                        });
                    }
                    (None, roster, None, shares)
                };
                Message::KeygenFinalize(KeygenFinalize {
                    session,
                    scheme,
                    parties,
                    threshold,
                    modulus,
                    nonce,
                    view,
                    roster,
                    verification,
                    shares,
                    signature: r.array()?,
                })
            }
            MessageType::SignInit => {
                let initiator = r.u8()?;
                let signers = r.u16()?;
                let parties = r.u8()?;
                let threshold = r.u8()?;
                check_scheme(parties, threshold).map_err(|_| bad("parties/threshold"))?;
                if initiator == 0 || initiator > parties {
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
                Message::SignInit(SignInit {
                    session,
                    scheme: sign_scheme,
                    initiator,
                    signers,
                    parties,
                    threshold,
                    mrsigner: r.array()?,
                    mrenclave: r.array()?,
                    regions: r.array()?,
                    signature: read_optional_signature(&mut r, kind)?,
                })
            }
            MessageType::SignPartial if sign_scheme == SCHEME_SHOUP3 => {
                let party = r.u8()?;
                if party == 0 || party > MAX_PARTIES {
                    return Err(bad("party"));
                }
                let value = r.take(SHOUP3_PARTIAL_BYTES)?;
                if value[1] != party {
                    return Err(bad("party of the partial"));
                }
                Message::SignPartial(SignPartial {
                    session,
                    party,
                    body: PartialBody::Shoup3(value.to_vec()),
                    signature: read_optional_signature(&mut r, kind)?,
                })
            }
            MessageType::SignPartial => {
                let party = r.u8()?;
                if party == 0 || party > MAX_PARTIES {
                    return Err(bad("party"));
                }
                let body = if schemed {
                    let digest = r.array()?;
                    let partials = read_partials(&mut r, kind)?;
                    PartialBody::Subsets { digest, partials }
                } else {
                    PartialBody::SubsetsUnbound(read_partials(&mut r, kind)?)
                };
                Message::SignPartial(SignPartial {
                    session,
                    party,
                    body,
                    signature: read_optional_signature(&mut r, kind)?,
                })
            }
            MessageType::Abort => {
                let party = r.u8()?;
                if party == 0 || party > MAX_PARTIES {
                    return Err(bad("party"));
                }
                let reason = r.var()?;
                if reason.len() > MAX_REASON {
                    return Err(bad("reason length"));
                }
                let reason = std::str::from_utf8(reason).map_err(|_| bad("reason"))?;
                Message::Abort(Abort {
                    session,
                    party,
                    reason: reason.to_string(),
                    signature: read_optional_signature(&mut r, kind)?,
                })
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

fn read_scheme(r: &mut Reader<'_>, kind: MessageType) -> Result<u8, ProtocolError> {
    match r.u8()? {
        s @ (SCHEME_SUBSETS | SCHEME_SHOUP3) => Ok(s),
        other => Err(ProtocolError::Scheme {
            kind,
            scheme: other,
        }),
    }
}

/// A `subsets` SIGN-PARTIAL's list: count (u16, at least 1), then per partial the
/// subset bitmask (u16) and the value (384 bytes).
fn write_partials(w: &mut Writer, partials: &[(u16, [u8; 384])]) {
    w.u16(partials.len() as u16);
    for (subset, value) in partials {
        w.u16(*subset).bytes(value);
    }
}

fn read_partials(
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

fn read_optional_signature(
    r: &mut Reader<'_>,
    kind: MessageType,
) -> Result<Option<Sig>, ProtocolError> {
    match r.u8()? {
        0 => Ok(None),
        1 => Ok(Some(r.array()?)),
        _ => Err(ProtocolError::Field {
            kind,
            field: "signature flag",
        }),
    }
}

fn check_scheme(parties: u8, threshold: u8) -> Result<(), ()> {
    if threshold < 2 || threshold > parties || parties > MAX_PARTIES {
        return Err(());
    }
    Ok(())
}
