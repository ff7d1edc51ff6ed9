//! The signer's review of a SIGN-INIT: who sent it (its signature against the
//! roster), whether it fits this share (scheme, key, generation, regions, signers;
//! a retired share refuses every request), and the signer's policy (DEBUG, expected
//! MRENCLAVE). What passes is a [`Review`] for the human to read before anything is
//! signed.

use super::SignError;
use crate::ceremony::{expect_message, MessageError};
use crate::identity::IdentityPublic;
use crate::protocol::{Message, MessageType, SessionId, SignInit};
use crate::sgx::{Date, SignedRegions};
use crate::share::{Generation, KeyShare};
use crate::threshold::Subset;

/// How far a SIGN-INIT's origin is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Signed by the initiator's identity key in this share's roster.
    Authenticated,
    /// Unsigned, and accepted only because the signer allowed it (the initiator uses
    /// a reference-format share).
    UnsignedAllowed,
    /// This share has no roster (reference format): nothing can be checked.
    NoRoster,
}

/// What a signer may agree to sign.
#[derive(Debug, Clone, Default)]
pub struct SignPolicy {
    pub allow_debug: bool,
    pub expect_mrenclave: Option<[u8; 32]>,
    /// Accept an unsigned SIGN-INIT although the roster knows the initiator's key
    /// (for an initiator whose share is of the reference format).
    pub accept_unsigned: bool,
}

/// A checked SIGN-INIT, for the signer to review before it signs.
#[derive(Debug, Clone)]
pub struct Review {
    pub session: SessionId,
    pub initiator: u8,
    pub signers: Subset,
    pub mrenclave: [u8; 32],
    pub mrsigner: [u8; 32],
    pub isv_prod_id: u16,
    pub isv_svn: u16,
    pub debug: bool,
    pub date: Date,
    pub digest: [u8; 32],
    /// The fields another framework's tooling chose (Gramine, the Intel SDK, Open
    /// Enclave with KSS or EXINFO); `None` when they are oesign's fixed values.
    pub framework: Option<crate::sgx::frameworks::Details>,
    /// The subsets this party will sign for: within the signers, with the initiator
    /// (`subsets`); empty for `shoup3`, where one partial serves any t signers.
    pub subsets: Vec<Subset>,
    /// Whether the request provably comes from the initiator it names.
    pub origin: Origin,
    pub(super) party: u8,
}

impl Review {
    /// Days between the SIGSTRUCT's date and `today` (positive: dated in the future).
    pub fn days_from(&self, today: Date) -> i64 {
        self.date.days_from(today)
    }
}

/// Checks that `msg` from `party` is signed by that party's identity key in the
/// share's roster. `Origin::NoRoster`: the share has no roster, nothing can be checked.
/// A share with a roster refuses a party it does not list (`OutsideRoster`): "no
/// roster" means the share has none, never that the party is missing from it.
pub(super) fn authenticate(
    share: &KeyShare,
    msg: &Message,
    party: u8,
    accept_unsigned: bool,
) -> Result<Origin, SignError> {
    if share.auth().is_none() {
        return Ok(Origin::NoRoster);
    }
    let Some(key) = share.identity_of(party) else {
        return Err(SignError::OutsideRoster {
            kind: msg.kind(),
            party,
            parties: share.scheme().parties(),
        });
    };
    check_signature(&key, msg, party, accept_unsigned)
}

pub(super) fn check_signature(
    key: &IdentityPublic,
    msg: &Message,
    party: u8,
    accept_unsigned: bool,
) -> Result<Origin, SignError> {
    match msg.signature() {
        Some(_) if msg.is_signed_by(key) => Ok(Origin::Authenticated),
        Some(_) => Err(SignError::BadSignature {
            kind: msg.kind(),
            party,
        }),
        None if accept_unsigned => Ok(Origin::UnsignedAllowed),
        None => Err(SignError::Unsigned {
            kind: msg.kind(),
            party,
            hint: if msg.kind() == MessageType::SignInit {
                "; if so, pass --accept-unsigned-init"
            } else {
                ""
            },
        }),
    }
}

/// Signer: checks a SIGN-INIT against its share and its policy. Its signature is
/// checked first: a forged request is ignored (`BadSignature`, `Unsigned`,
/// `OutsideRoster`) rather than refused, so it cannot make the signer give up before
/// the genuine one. A request that does not fit this key (scheme, key, regions,
/// signers, generation) is refused only when it is authenticated; otherwise it is
/// `Unproven` and ignored. A retired share refuses everything. The policy (DEBUG, expected MRENCLAVE) refuses any request shown.
/// [`SignError::verdict`] says which is which.
pub fn review(share: &KeyShare, bytes: &[u8], policy: &SignPolicy) -> Result<Review, SignError> {
    check_not_retired(share)?;
    let msg = expect_message(bytes, &[MessageType::SignInit], None)?;
    let origin = match &msg {
        Message::SignInit(init) => {
            authenticate(share, &msg, init.initiator, policy.accept_unsigned)?
        }
        _ => unreachable!("expect_message checked the type"),
    };
    let Message::SignInit(init) = msg else {
        unreachable!("expect_message checked the type")
    };
    check_request(share, &init, policy, origin)
}

/// The checks of an authenticated (or allowed) SIGN-INIT: it fits the key (refused
/// only when proven, see [`review`]), then the policy (DEBUG, expected MRENCLAVE).
/// A batch runs them on each of its enclaves.
pub(super) fn check_request(
    share: &KeyShare,
    init: &SignInit,
    policy: &SignPolicy,
    origin: Origin,
) -> Result<Review, SignError> {
    let (regions, signers, date) = fits_key(share, init).map_err(|error| {
        error.unless_proven(
            origin == Origin::Authenticated,
            MessageType::SignInit,
            init.initiator,
        )
    })?;
    let party = share.party();
    if regions.is_debug() && !policy.allow_debug {
        return Err(SignError::DebugRefused);
    }
    if let Some(expected) = policy.expect_mrenclave {
        if expected != regions.mrenclave() {
            return Err(SignError::UnexpectedMrenclave {
                actual: hex::encode(regions.mrenclave()),
                expected: hex::encode(expected),
            });
        }
    }
    Ok(Review {
        session: init.session,
        initiator: init.initiator,
        signers,
        mrenclave: regions.mrenclave(),
        mrsigner: init.mrsigner,
        isv_prod_id: regions.isv_prod_id(),
        isv_svn: regions.isv_svn(),
        debug: regions.is_debug(),
        date,
        digest: regions.digest(),
        framework: crate::sgx::frameworks::Details::if_other(&regions),
        subsets: share.secret().signing_subsets(signers, init.initiator),
        origin,
        party,
    })
}

/// The generation a SIGN-INIT of this share names: (0, zero) for a dealt share, whose
/// SIGN-INIT keeps the older layouts, else the share's number and id.
pub(super) fn wire_generation(share: &KeyShare) -> (u32, [u8; 32]) {
    match share.generation() {
        g if g.number == 0 => (0, [0; 32]),
        g => (g.number, g.id),
    }
}

/// Refuses a request for another generation of the key than this share's (before
/// any partial is computed), naming both and what to do.
pub(super) fn check_generation(
    share: &KeyShare,
    number: u32,
    id: [u8; 32],
) -> Result<(), SignError> {
    let (own_number, own_id) = wire_generation(share);
    if (number, id) == (own_number, own_id) {
        return Ok(());
    }
    let asked = Generation { number, id };
    let own = share.generation();
    let advice = match number.cmp(&own_number) {
        std::cmp::Ordering::Greater => "you missed a refresh, or use your newest share file",
        std::cmp::Ordering::Less => {
            "the initiator signs with an older share file: it must use its newest one"
        }
        std::cmp::Ordering::Equal => {
            "the shares come from different refreshes; compare the refresh ids with the group"
        }
    };
    Err(SignError::GenerationMismatch {
        asked: asked.describe(),
        own: own.describe().replacen(" of the key", "", 1),
        party: share.party(),
        advice,
    })
}

/// Refuses a retired share: it is never used to sign.
pub fn check_not_retired(share: &KeyShare) -> Result<(), SignError> {
    match share.retired() {
        Some(by) => Err(SignError::RetiredShare {
            by: hex::encode(&by[..4]),
            next: u64::from(share.generation().number) + 1,
        }),
        None => Ok(()),
    }
}

/// Whether a SIGN-INIT fits this share: scheme, n, t, key, well-formed regions
/// whose MRENCLAVE is the claimed one, and this party among the signers.
fn fits_key(share: &KeyShare, init: &SignInit) -> Result<(SignedRegions, Subset, Date), SignError> {
    let scheme = share.scheme();
    if init.parties != scheme.parties()
        || init.threshold != scheme.threshold()
        || init.scheme != share.scheme_byte()
    {
        return Err(SignError::SchemeMismatch {
            found: format!(
                "{}-of-{} {}",
                init.threshold,
                init.parties,
                crate::protocol::scheme_name(init.scheme)
            ),
            own: format!(
                "{}-of-{} {}",
                scheme.threshold(),
                scheme.parties(),
                share.scheme_name()
            ),
        });
    }
    let own = share.public().mrsigner();
    if init.mrsigner != own {
        return Err(SignError::ForeignKey {
            asked: hex::encode(init.mrsigner),
            own: hex::encode(own),
        });
    }
    check_generation(share, init.generation, init.generation_id)?;
    let regions = SignedRegions::from_bytes(&init.regions)?;
    crate::sgx::frameworks::check(&regions)?;
    if regions.mrenclave() != init.mrenclave {
        return Err(SignError::MrenclaveMismatch {
            claimed: hex::encode(init.mrenclave),
            actual: hex::encode(regions.mrenclave()),
        });
    }
    let signers = Subset::from_bits(init.signers);
    let party = share.party();
    if !signers.contains(party) || party == init.initiator {
        return Err(SignError::NotASigner(party));
    }
    let date = regions.date()?;
    Ok((regions, signers, date))
}

/// The session and origin of a SIGN-INIT that [`review`] refused, so that the signer
/// can decline that session: authenticated when the roster's key for the initiator it
/// names signed it; otherwise accepted unsigned (no roster, or
/// `--accept-unsigned-init`, the only ways a refusal is reached without a signature).
pub fn request_origin(share: &KeyShare, bytes: &[u8]) -> Result<(SessionId, Origin), SignError> {
    let msg = Message::decode(bytes).map_err(|p| SignError::Message(MessageError::Protocol(p)))?;
    let signed = match &msg {
        Message::SignInit(init) => share
            .identity_of(init.initiator)
            .is_some_and(|k| msg.is_signed_by(&k)),
        Message::SignInitBatch(init) => share
            .identity_of(init.initiator)
            .is_some_and(|k| msg.is_signed_by(&k)),
        _ => false,
    };
    let origin = if signed {
        Origin::Authenticated
    } else if share.auth().is_none() {
        Origin::NoRoster
    } else {
        Origin::UnsignedAllowed
    };
    Ok((msg.session(), origin))
}
