//! Whether a SIGN-PARTIAL recorded with a SIGN-INIT is an approval of that very
//! request. A record pairs them, but a record can be forged: the initiator could
//! pair a genuine partial with another SIGN-INIT of the same session (a DEBUG
//! enclave, signed by itself). So a partial counts only when it is bound to the
//! SIGN-INIT's digest: a `subsets` partial names the digest it signed (and its
//! Ed25519 signature covers it), and a `shoup3` partial's proof holds for the
//! PKCS#1 encoding of one digest only, checked with the key's verification data.

use super::record::Recorded;
use crate::protocol::{text, Message, PartialBody, SignInit, SignPartial};
use crate::sgx::SignedRegions;
use crate::threshold::shoup3::{PartialWithProof, VerificationKeys};

/// How a partial relates to the SIGN-INIT it is paired with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binding {
    /// Made for this SIGN-INIT's digest: an approval of it.
    Bound,
    /// Made for another digest: another request, not this one.
    OtherDigest,
    /// A `subsets` partial of an earlier version, which names no digest.
    Unbound,
    /// A `shoup3` partial with no verification data at hand to check its proof.
    Unchecked,
    /// A partial of another threshold scheme than the SIGN-INIT's.
    OtherScheme,
}

impl Binding {
    /// Whether the partial counts as an approval of the SIGN-INIT.
    pub fn approves(self) -> bool {
        self == Binding::Bound
    }

    /// Why it does not count, for a report line about `party`'s partial.
    pub fn why_not(self, party: u8) -> Option<String> {
        let why = match self {
            Binding::Bound => return None,
            Binding::OtherDigest => format!(
                "party {party}'s SIGN-PARTIAL signs another SIGSTRUCT digest than this record's SIGN-INIT: it is paired with the wrong request, not counted as an approval"
            ),
            Binding::Unbound => format!(
                "party {party}'s SIGN-PARTIAL is of an older version and not bound to a digest: not counted as an approval"
            ),
            Binding::Unchecked => format!(
                "party {party}'s shoup3 SIGN-PARTIAL cannot be checked against this record's SIGN-INIT without the key's verification data: not counted as an approval"
            ),
            Binding::OtherScheme => format!(
                "party {party}'s SIGN-PARTIAL is of another threshold scheme than the SIGN-INIT: not counted as an approval"
            ),
        };
        Some(why)
    }
}

/// The binding of `partial` to `init`; `keys`: the `shoup3` verification data of
/// the key, when known.
pub fn binding(init: &SignInit, partial: &SignPartial, keys: Option<&VerificationKeys>) -> Binding {
    let digest = match SignedRegions::from_bytes(&init.regions) {
        Ok(r) => r.digest(),
        Err(_) => return Binding::OtherDigest,
    };
    if partial.body.scheme() != init.scheme {
        return Binding::OtherScheme;
    }
    match &partial.body {
        PartialBody::Subsets { digest: d, .. } if *d == digest => Binding::Bound,
        PartialBody::Subsets { .. } => Binding::OtherDigest,
        PartialBody::SubsetsUnbound(_) => Binding::Unbound,
        PartialBody::Shoup3(bytes) => {
            let Some(keys) = keys else {
                return Binding::Unchecked;
            };
            match PartialWithProof::from_bytes(bytes).and_then(|p| p.verify(keys, &digest)) {
                Ok(v) if v.party() == partial.party => Binding::Bound,
                _ => Binding::OtherDigest,
            }
        }
    }
}

/// The bindings of the SIGN-PARTIALs among recorded `messages` to the first
/// SIGN-INIT among them: decoded, not authenticated, and without verification
/// data (`audit show` has no roster; there a `shoup3` partial is `Unchecked`).
pub fn recorded_bindings(messages: &[Recorded]) -> Vec<(u8, Binding)> {
    let decoded: Vec<Message> = messages
        .iter()
        .filter_map(|m| Message::decode(&text::decode(&m.text).ok()?).ok())
        .collect();
    let Some(init) = decoded.iter().find_map(|m| match m {
        Message::SignInit(si) => Some(si),
        _ => None,
    }) else {
        return Vec::new();
    };
    decoded
        .iter()
        .filter_map(|m| match m {
            Message::SignPartial(p) => Some((p.party, binding(init, p, None))),
            _ => None,
        })
        .collect()
}
