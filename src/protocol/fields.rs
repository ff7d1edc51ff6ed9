//! Fields that several message families share: the identity signature type, the
//! threshold scheme byte and its names, the parties/threshold check, the party number
//! of SIGN-PARTIAL and ABORT, and the optional signature trailer of SIGN-INIT,
//! SIGN-PARTIAL and ABORT.

use super::codec::Reader;
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
