//! The keygen messages and their byte layout (see `docs/protocol.md`): KEYGEN-INIT
//! (wire type 22 when it opens a reshare's keygen: it names the old roster's keygen
//! transcript), KEYGEN-JOIN and KEYGEN-FINALIZE, with the roster entries, sealed shares and the
//! `shoup3` public verification data a FINALIZE carries: v_1..v_n (dealing version 1,
//! wire type 9) or the share bound S and Feldman commitments C_1..C_{t−1} (dealing
//! version 2, wire type 10).

use super::codec::{Reader, Writer};
use super::fields::{check_scheme, read_scheme, Sig, SCHEME_SHOUP3};
use super::{MessageType, ProtocolError, SessionId};
use crate::identity::IdentityPublic;
use crate::threshold::shoup3::SECRET_SHARE_BYTES as SHOUP3_SECRET_SHARE_BYTES;
use crate::threshold::shoup3::{secret_share_bytes_v2, MAX_SHARE_BOUND};
use sha2::{Digest, Sha256};

/// Wire type of a KEYGEN-FINALIZE with the dealer's nonce (the only one this version
/// writes or reads; type 3, from before the nonce, is refused).
pub(super) const WIRE_KEYGEN_FINALIZE_NONCED: u8 = 9;
/// Wire type of a `shoup3` KEYGEN-FINALIZE of dealing version 2 (commitments and the
/// share bound instead of v_1..v_n); otherwise laid out as type 9.
pub(super) const WIRE_KEYGEN_FINALIZE_FELDMAN: u8 = 10;

/// Wire type of the KEYGEN-INIT of a reshare: type 1's layout, with the key's
/// MRSIGNER always present, followed by the transcript hash of the keygen whose
/// roster held the key until now. Only a reshare writes it, so every other
/// KEYGEN-INIT keeps type 1's bytes.
pub(super) const WIRE_KEYGEN_INIT_RESHARE: u8 = 22;

/// Bytes of a number mod N (RSA-3072) in a message.
const NUMBER_BYTES: usize = 384;

/// Bytes of a sealed `shoup3` share: the secret-share encoding and the GCM tag.
pub const SHOUP3_SEALED_BYTES: usize = SHOUP3_SECRET_SHARE_BYTES + 16;

/// The public verification data of a `shoup3` dealing: the seed from which v is
/// derived and v_1..v_n (dealing version 1) or the share bound and commitments
/// (version 2); N is the FINALIZE's modulus.
///
/// A KEYGEN-FINALIZE does not carry the seed: the seed of a ceremony's v is
/// [`shoup3_seed`] of its session, which the decoder fills in and the encoder
/// leaves out (the dealer refuses to deal a v from any other seed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shoup3Public {
    pub seed: [u8; 32],
    /// Version 1: v_i for parties 1..=n, each 384 bytes big-endian. Empty in version 2.
    pub keys: Vec<[u8; NUMBER_BYTES]>,
    /// Version 2: the share bound and the commitments.
    pub feldman: Option<Box<FeldmanPublic>>,
}

/// Dealing version 2's verification data: S and C_1..C_{t−1} (v_j are derived).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeldmanPublic {
    /// S: every share is below 2^S.
    pub bound: u16,
    /// C_k = v^{a_k} for k = 1..t−1, each 384 bytes big-endian.
    pub commitments: Vec<[u8; NUMBER_BYTES]>,
}

impl KeygenFinalize {
    /// Whether this is a `shoup3` FINALIZE of dealing version 2 (wire type 10).
    pub fn is_feldman(&self) -> bool {
        self.verification
            .as_ref()
            .is_some_and(|v| v.feldman.is_some())
    }
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
    /// A reshare (wire type 22): the keygen transcript hash of the roster that held
    /// the key (`imported_mrsigner`, which a reshare always names) until now.
    pub reshare_of: Option<[u8; 32]>,
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

impl KeygenInit {
    pub(super) fn write_body(&self, w: &mut Writer) {
        let m = self;
        w.u8(m.scheme)
            .u8(m.parties)
            .u8(m.threshold)
            .bytes(&m.dealer_key)
            .bytes(&m.dealer_identity.0);
        match &m.imported_mrsigner {
            Some(s) => w.u8(1).bytes(s),
            None => w.u8(0),
        };
        if let Some(t) = &m.reshare_of {
            // The decoder refuses a reshare that names no key: never build one.
            debug_assert!(m.imported_mrsigner.is_some());
            w.bytes(t);
        }
    }

    /// `reshare`: the wire type is 22 (the old roster's transcript follows).
    pub(super) fn read_body(
        r: &mut Reader<'_>,
        session: SessionId,
        reshare: bool,
    ) -> Result<Self, ProtocolError> {
        let kind = MessageType::KeygenInit;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let scheme = read_scheme(r, kind)?;
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
        let reshare_of = match (reshare, imported_mrsigner) {
            (false, _) => None,
            (true, Some(_)) => Some(r.array()?),
            (true, None) => return Err(bad("reshare without the key's MRSIGNER")),
        };
        Ok(KeygenInit {
            session,
            scheme,
            parties,
            threshold,
            dealer_key,
            dealer_identity,
            imported_mrsigner,
            reshare_of,
            signature: r.array()?,
        })
    }
}

impl KeygenJoin {
    pub(super) fn write_body(&self, w: &mut Writer) {
        let m = self;
        w.bytes(&m.party_key).bytes(&m.identity.0);
    }

    pub(super) fn read_body(r: &mut Reader<'_>, session: SessionId) -> Result<Self, ProtocolError> {
        Ok(KeygenJoin {
            session,
            party_key: r.array()?,
            identity: IdentityPublic(r.array()?),
            signature: r.array()?,
        })
    }
}

impl KeygenFinalize {
    pub(super) fn write_body(&self, w: &mut Writer) {
        let m = self;
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
                match &v.feldman {
                    Some(f) => {
                        w.u16(f.bound);
                        for c in &f.commitments {
                            w.bytes(c);
                        }
                    }
                    None => {
                        for key in &v.keys {
                            w.bytes(key);
                        }
                    }
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

    /// `feldman`: the wire type is 10 (dealing version 2).
    pub(super) fn read_body(
        r: &mut Reader<'_>,
        session: SessionId,
        feldman: bool,
    ) -> Result<Self, ProtocolError> {
        let kind = MessageType::KeygenFinalize;
        let bad = |field: &'static str| ProtocolError::Field { kind, field };
        let scheme = read_scheme(r, kind)?;
        if feldman && scheme != SCHEME_SHOUP3 {
            return Err(bad("scheme"));
        }
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
            let roster = read_roster(r, listed)?;
            let mut keys = Vec::with_capacity(usize::from(parties));
            let mut sealed_len = SHOUP3_SEALED_BYTES;
            let feldman = if feldman {
                let bound = r.u16()?;
                if bound > MAX_SHARE_BOUND || usize::from(bound) < 8 * NUMBER_BYTES - 2 {
                    return Err(bad("share bound"));
                }
                let mut commitments = Vec::with_capacity(usize::from(threshold - 1));
                for _ in 1..threshold {
                    commitments.push(r.array()?);
                }
                sealed_len = secret_share_bytes_v2(bound) + 16;
                Some(Box::new(FeldmanPublic { bound, commitments }))
            } else {
                for _ in 0..parties {
                    keys.push(r.array()?);
                }
                None
            };
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
                    ciphertext: r.take(sealed_len)?.to_vec(),
                });
            }
            let verification = Shoup3Public {
                seed,
                keys,
                feldman,
            };
            (view, roster, Some(verification), shares)
        } else {
            let roster = read_roster(r, parties)?;
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
        Ok(KeygenFinalize {
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
}
