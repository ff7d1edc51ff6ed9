//! `public-roster.json`: the public half of a keygen, what `audit verify` checks
//! signatures against. It holds nothing secret: the scheme, n, t, the keygen session
//! and transcript hash, the key code, MRSIGNER, the modulus, and every party's
//! X25519 and identity public keys (and, since it exists, the dealer's keygen
//! nonce). It checks itself: the transcript hash is
//! recomputed from its fields, and the key code from that (compare the key code with
//! the one every party confirmed at keygen).

use serde::{Deserialize, Serialize};

use super::record::{KeygenEvent, RosterKeys, VerificationHex};
use super::AuditError;
use crate::ceremony::transcript::{key_code, Transcript};
use crate::identity::IdentityPublic;
use crate::key::PublicKey;
use crate::protocol::{PartyKeys, SessionId, SCHEME_SHOUP3, SCHEME_SUBSETS};
use crate::share::{verification_keys, KeyShare};
use crate::threshold::shoup3::VerificationKeys;
use crate::threshold::Scheme;

/// The `format` member of a public roster file.
pub const ROSTER_FORMAT: &str = "mpcegosign-public-roster";

/// The file form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicRosterFile {
    pub format: String,
    pub version: u32,
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    pub session: String,
    pub transcript: String,
    pub key_code: String,
    pub mrsigner: String,
    /// RSA modulus, big-endian hex (public exponent 3).
    pub modulus: String,
    pub roster: Vec<RosterKeys>,
    /// `shoup3` keys: the public verification data (in the transcript).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<VerificationHex>,
    /// The dealer's keygen nonce (hex, in the transcript); absent for keygens from
    /// before it existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// A checked roster.
#[derive(Debug, Clone)]
pub struct Roster {
    pub parties: u8,
    pub threshold: u8,
    pub public: PublicKey,
    pub transcript: [u8; 32],
    pub key_code: String,
    pub identities: Vec<IdentityPublic>,
    /// `shoup3` keys: the verification data, to check a partial's proof against
    /// the digest of the SIGN-INIT it is recorded with.
    pub shoup3: Option<VerificationKeys>,
    /// The share generation `shoup3` is of (0: as keygen dealt it; a refresh replaces
    /// the verification data, so a partial of another generation cannot be checked
    /// against it).
    pub generation: u32,
}

impl Roster {
    pub fn from_share(share: &KeyShare) -> Result<Roster, AuditError> {
        let auth = share.auth().ok_or(AuditError::NoRoster)?;
        Ok(Roster {
            parties: share.scheme().parties(),
            threshold: share.scheme().threshold(),
            public: share.public().clone(),
            transcript: auth.transcript,
            key_code: share.key_code().unwrap_or_default(),
            identities: auth.roster.iter().map(|k| k.identity).collect(),
            shoup3: share.shoup3().map(|s| s.keys().clone()),
            generation: share.generation().number,
        })
    }

    /// The identity key of `party` (1-based).
    pub fn identity(&self, party: u8) -> Option<&IdentityPublic> {
        self.identities.get(usize::from(party).checked_sub(1)?)
    }

    pub fn mrsigner(&self) -> [u8; 32] {
        self.public.mrsigner()
    }
}

/// The file form of a share's roster.
pub fn file_of(share: &KeyShare) -> Result<PublicRosterFile, AuditError> {
    let ev = super::build::keygen_event(share, share.party() == 1)?;
    Ok(PublicRosterFile {
        format: ROSTER_FORMAT.into(),
        version: 1,
        scheme: ev.scheme,
        parties: ev.parties,
        threshold: ev.threshold,
        session: ev.session,
        transcript: ev.transcript,
        key_code: ev.key_code,
        mrsigner: hex::encode(share.public().mrsigner()),
        modulus: ev.modulus,
        roster: ev.roster,
        verification: ev.verification,
        nonce: ev.nonce,
    })
}

fn hex32(s: &str, what: &str) -> Result<[u8; 32], AuditError> {
    hex::decode(s)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AuditError::Roster(format!("{what} is not 64 hex digits")))
}

/// The public facts of a keygen as a roster file or a keygen record spells them.
pub struct KeygenFacts<'a> {
    pub scheme: u8,
    pub parties: u8,
    pub threshold: u8,
    pub session: &'a str,
    pub modulus: &'a str,
    pub roster: &'a [RosterKeys],
    pub verification: Option<&'a VerificationHex>,
    /// The dealer's keygen nonce (hex); `None` for keygens from before it existed.
    pub nonce: Option<&'a str>,
}

/// Recomputes a keygen's transcript hash from its public facts (a roster file or a
/// keygen record); returns it with the public key.
pub fn transcript_of(
    facts: KeygenFacts<'_>,
) -> Result<([u8; 32], PublicKey, Vec<IdentityPublic>), AuditError> {
    let KeygenFacts {
        scheme,
        parties,
        threshold,
        session,
        modulus,
        roster,
        verification,
        nonce,
    } = facts;
    let nonce = nonce.map(|n| hex32(n, "the keygen nonce")).transpose()?;
    let verification = match (scheme, verification) {
        (SCHEME_SUBSETS, None) => None,
        (SCHEME_SHOUP3, Some(v)) => Some(v.parse().ok_or_else(|| {
            AuditError::Roster("the shoup3 verification data is not hex of the right length".into())
        })?),
        (SCHEME_SUBSETS | SCHEME_SHOUP3, _) => {
            return Err(AuditError::Roster(
                "the verification data does not fit the threshold scheme".into(),
            ))
        }
        _ => {
            return Err(AuditError::Roster(format!(
                "threshold scheme {scheme} is not known to this version"
            )))
        }
    };
    let session: [u8; 16] = hex::decode(session)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AuditError::Roster("the session is not 32 hex digits".into()))?;
    let modulus_be: [u8; 384] = hex::decode(modulus)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| AuditError::Roster("the modulus is not 384 bytes of hex".into()))?;
    let public = PublicKey::from_modulus(num_bigint::BigUint::from_bytes_be(&modulus_be))
        .map_err(|e| AuditError::Roster(e.to_string()))?;
    if roster.len() != usize::from(parties) {
        return Err(AuditError::Roster(format!(
            "it lists {} parties, not {parties}",
            roster.len()
        )));
    }
    let mut keys = Vec::with_capacity(roster.len());
    for (i, k) in roster.iter().enumerate() {
        if usize::from(k.party) != i + 1 {
            return Err(AuditError::Roster(format!(
                "entry {} is for party {}",
                i + 1,
                k.party
            )));
        }
        let identity = IdentityPublic(hex32(&k.identity, "an identity key")?);
        identity
            .check()
            .map_err(|e| AuditError::Roster(format!("party {}: {e}", k.party)))?;
        keys.push(PartyKeys {
            x25519: hex32(&k.x25519, "an X25519 key")?,
            identity,
        });
    }
    let t = Transcript {
        scheme,
        parties,
        threshold,
        session: SessionId(session),
        roster: keys.clone(),
        modulus: modulus_be,
        verification,
        nonce,
    };
    Ok((t.hash(), public, keys.iter().map(|k| k.identity).collect()))
}

/// Reads and checks a `public-roster.json`.
pub fn parse(bytes: &[u8]) -> Result<Roster, AuditError> {
    let f: PublicRosterFile =
        serde_json::from_slice(bytes).map_err(|e| AuditError::Roster(e.to_string()))?;
    from_file(f)
}

/// The roster of the keygen a keygen record describes (a reshare record's new
/// keygen), checked as a roster file is.
pub fn of_keygen(ev: &KeygenEvent) -> Result<Roster, AuditError> {
    let modulus = hex::decode(&ev.modulus)
        .map_err(|_| AuditError::Roster("the modulus is not hex".into()))?;
    let public = PublicKey::from_modulus(num_bigint::BigUint::from_bytes_be(&modulus))
        .map_err(|e| AuditError::Roster(e.to_string()))?;
    from_file(PublicRosterFile {
        format: ROSTER_FORMAT.into(),
        version: 1,
        scheme: ev.scheme,
        parties: ev.parties,
        threshold: ev.threshold,
        session: ev.session.clone(),
        transcript: ev.transcript.clone(),
        key_code: ev.key_code.clone(),
        mrsigner: hex::encode(public.mrsigner()),
        modulus: ev.modulus.clone(),
        roster: ev.roster.clone(),
        verification: ev.verification.clone(),
        nonce: ev.nonce.clone(),
    })
}

fn from_file(f: PublicRosterFile) -> Result<Roster, AuditError> {
    if f.format != ROSTER_FORMAT || f.version != 1 {
        return Err(AuditError::Roster(format!(
            "it is not a {ROSTER_FORMAT} version 1 file"
        )));
    }
    let (transcript, public, identities) = transcript_of(KeygenFacts {
        scheme: f.scheme,
        parties: f.parties,
        threshold: f.threshold,
        session: &f.session,
        modulus: &f.modulus,
        roster: &f.roster,
        verification: f.verification.as_ref(),
        nonce: f.nonce.as_deref(),
    })?;
    if hex::encode(transcript) != f.transcript {
        return Err(AuditError::Roster(
            "its transcript hash does not match its keys, modulus and session: the file was altered".into(),
        ));
    }
    let code = key_code(&transcript, &public);
    if code != f.key_code || hex::encode(public.mrsigner()) != f.mrsigner {
        return Err(AuditError::Roster(
            "its key code or MRSIGNER does not match its contents: the file was altered".into(),
        ));
    }
    let shoup3 = match f.verification.as_ref().and_then(VerificationHex::parse) {
        Some(data) => {
            let scheme = Scheme::new(f.parties, f.threshold)
                .map_err(|e| AuditError::Roster(e.to_string()))?;
            Some(
                verification_keys(&public, scheme, &data)
                    .map_err(|e| AuditError::Roster(format!("its verification data: {e}")))?,
            )
        }
        None => None,
    };
    Ok(Roster {
        parties: f.parties,
        threshold: f.threshold,
        public,
        transcript,
        key_code: code,
        identities,
        shoup3,
        generation: 0,
    })
}

/// Checks a keygen record's own consistency; returns its transcript hash.
pub fn check_keygen(ev: &KeygenEvent) -> Result<[u8; 32], AuditError> {
    let (transcript, public, _) = transcript_of(KeygenFacts {
        scheme: ev.scheme,
        parties: ev.parties,
        threshold: ev.threshold,
        session: &ev.session,
        modulus: &ev.modulus,
        roster: &ev.roster,
        verification: ev.verification.as_ref(),
        nonce: ev.nonce.as_deref(),
    })?;
    if hex::encode(transcript) != ev.transcript {
        return Err(AuditError::Roster(
            "the recorded transcript hash does not match the recorded keys and modulus".into(),
        ));
    }
    if key_code(&transcript, &public) != ev.key_code {
        return Err(AuditError::Roster(
            "the recorded key code does not match the recorded transcript".into(),
        ));
    }
    Ok(transcript)
}
