//! Fields that several message families share: the identity signature type, the
//! threshold scheme byte and its names, the parties/threshold check, the party number
//! of SIGN-PARTIAL and ABORT, the optional signature trailer of SIGN-INIT,
//! SIGN-PARTIAL and ABORT, and the key generation a SIGN-INIT of a refreshed key names.

use super::codec::{Reader, Writer};
use super::{MessageType, ProtocolError};
use crate::identity::SIGNATURE_LEN;
use crate::threshold::{is_party_number, Scheme};

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

pub(super) fn read_scheme(r: &mut Reader<'_>, kind: MessageType) -> Result<u8, ProtocolError> {
    match r.u8()? {
        s @ (SCHEME_SUBSETS | SCHEME_SHOUP3) => Ok(s),
        other => Err(ProtocolError::Scheme {
            kind,
            scheme: other,
        }),
    }
}

/// The generation of the key a SIGN-INIT (type 14) or SIGN-INIT-BATCH (type 15) is
/// for: its number (u32, at least 1: generation 0 has the older types, without these
/// fields) and id (32 bytes, the refresh's transcript hash).
pub(super) fn write_generation(w: &mut Writer, number: u32, id: &[u8; 32]) {
    w.bytes(&number.to_be_bytes()).bytes(id);
}

pub(super) fn read_generation(
    r: &mut Reader<'_>,
    kind: MessageType,
) -> Result<(u32, [u8; 32]), ProtocolError> {
    let number = u32::from_be_bytes(r.array()?);
    if number == 0 {
        // Generation 0 is written without these fields (one encoding per message).
        return Err(ProtocolError::Field {
            kind,
            field: "generation",
        });
    }
    Ok((number, r.array()?))
}

pub(super) fn read_optional_signature(
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

/// Whether `threshold` of `parties` is a scheme this tool deals: the threshold
/// module's rule ([`Scheme::new`]).
pub(super) fn check_scheme(parties: u8, threshold: u8) -> Result<Scheme, ()> {
    Scheme::new(parties, threshold).map_err(|_| ())
}

/// The party number of a message that names its sender (SIGN-PARTIAL, ABORT):
/// 1 to [`crate::threshold::MAX_PARTIES`].
pub(super) fn read_party(r: &mut Reader<'_>, kind: MessageType) -> Result<u8, ProtocolError> {
    let party = r.u8()?;
    if !is_party_number(party) {
        return Err(ProtocolError::Field {
            kind,
            field: "party",
        });
    }
    Ok(party)
}
