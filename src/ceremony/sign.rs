//! The signing ceremony. The initiator sends SIGN-INIT with the SIGSTRUCT's signed
//! regions; each signer rebuilds the digest itself, checks what it is asked to sign,
//! and answers with SIGN-PARTIAL (or ABORT). The initiator checks every partial on
//! arrival, combines the first complete subset, verifies the signature, and moves on
//! to another subset if one fails.
//!
//! Every message is signed with its sender's identity key when the sender's share
//! has one (file version 3), and checked against the receiver's roster. A message
//! that claims a party's name without its signature is ignored with one line and
//! leaves no trace, so a forged partial or ABORT sent first cannot stop the genuine
//! one. A share without a roster (the reference's formats) cannot authenticate:
//! such an initiator keeps every candidate partial of a party and tries each.

use std::collections::{BTreeMap, BTreeSet};

use num_bigint::BigUint;

use super::verdict::Verdict;
use super::{expect_message, MessageError};
use crate::identity::IdentityPublic;
use crate::key::{to_fixed_be, PublicKey};
use crate::protocol::{Abort, Message, MessageType, PartialBody, SessionId, SignInit, SignPartial};
use crate::sgx::{Date, SignedRegions, Sigstruct, SigstructError};
use crate::share::KeyShare;
use crate::threshold::shoup3::{self, PartialWithProof, Shoup3Error, VerifiedPartial};
use crate::threshold::{combine, partial_sign, PartialSignature, Subset, ThresholdError};

/// The most distinct candidate messages kept per party (only an unauthenticated
/// initiator ever holds more than one).
pub const MAX_CANDIDATES: usize = 4;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("that {kind} claims to come from party {party} but is not signed by party {party}'s identity key: it is forged or altered; ignored")]
    BadSignature { kind: MessageType, party: u8 },
    #[error("that {kind} from party {party} is unsigned, but your share knows party {party}'s identity key: ignored (a forgery, or party {party} used a reference-format share{hint})")]
    Unsigned {
        kind: MessageType,
        party: u8,
        hint: &'static str,
    },
    #[error("that {kind} names party {party}, but this key has parties 1 to {parties} only: ignored, still waiting")]
    OutsideRoster {
        kind: MessageType,
        party: u8,
        parties: u8,
    },
    #[error("{error} (nothing proves that this {kind} comes from party {party}: it changes nothing; still waiting)")]
    Unproven {
        kind: MessageType,
        party: u8,
        error: Box<SignError>,
    },
    #[error("session {session} was already answered (a replay, or a second request under its id): ignored, still waiting for a new SIGN-INIT")]
    AlreadyAnswered { session: String },
    #[error("party {0} has sent {MAX_CANDIDATES} different answers already; this one is ignored")]
    TooManyCandidates(u8),
    #[error("the SIGN-INIT is for a {found} key set, but this share is {own}")]
    SchemeMismatch { found: String, own: String },
    #[error(
        "the SIGN-INIT asks for key MRSIGNER {asked}, but this share belongs to {own}: refusing"
    )]
    ForeignKey { asked: String, own: String },
    #[error("the SIGN-INIT claims MRENCLAVE {claimed}, but the SIGSTRUCT it carries has {actual}: refusing")]
    MrenclaveMismatch { claimed: String, actual: String },
    #[error("the SIGSTRUCT in the SIGN-INIT is not what SGX signing tools make: {0}")]
    Regions(#[from] SigstructError),
    #[error("party {0} is not among the signers this SIGN-INIT asks for")]
    NotASigner(u8),
    #[error("the enclave has the DEBUG attribute (its memory is readable by the host); refusing. Pass --allow-debug to sign it anyway")]
    DebugRefused,
    #[error("the enclave's MRENCLAVE is {actual}, not the expected {expected}: refusing")]
    UnexpectedMrenclave { actual: String, expected: String },
    #[error("signers {signers} are fewer than the threshold {threshold}")]
    TooFewSigners { signers: String, threshold: u8 },
    #[error("the initiator must be among the signers")]
    InitiatorNotSigner,
    #[error("a message from party {0}, who was not asked to sign; ignored")]
    UnexpectedParty(u8),
    #[error("party {0}'s message was already received; ignored")]
    Duplicate(u8),
    #[error("party {party} sent partials for subsets {got}, expected {expected}; ignored")]
    WrongSubsets {
        party: u8,
        got: String,
        expected: String,
    },
    #[error("party {0}'s partial signature is out of range; ignored")]
    OutOfRange(u8),
    #[error(
        "party {0} sent a partial signature of another threshold scheme than this key's; ignored"
    )]
    WrongScheme(u8),
    #[error("party {party}'s partial signature is refused: {reason}; ignored, the ceremony goes on with the other parties")]
    BadPartial { party: u8, reason: String },
    #[error("too few valid partial signatures can still arrive: {valid} valid, {need} needed (declined: {declined}; bad partials from: {bad}; waiting for: {waiting})")]
    NotEnoughPartials {
        valid: usize,
        need: usize,
        declined: String,
        bad: String,
        waiting: String,
    },
    #[error(transparent)]
    Shoup3(#[from] Shoup3Error),
    #[error("no subset of the parties can produce a valid signature any more (failed: {failed}; declined: {declined}). Suspected bad partials from: {suspects}")]
    NoValidSubset {
        failed: String,
        declined: String,
        suspects: String,
    },
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
}

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
    party: u8,
}

impl Review {
    /// Days between the SIGSTRUCT's date and `today` (positive: dated in the future).
    pub fn days_from(&self, today: Date) -> i64 {
        self.date.to_unix_days() - today.to_unix_days()
    }
}

/// The subsets a party signs for: all t-subsets of `signers` that hold both the
/// initiator and `party` (only those the initiator can use).
fn usable_subsets(share: &KeyShare, signers: Subset, initiator: u8, party: u8) -> Vec<Subset> {
    if share.shoup3().is_some() {
        return Vec::new();
    }
    let required = Subset::from_bits(0).with(initiator).with(party);
    share.scheme().subsets_within(signers, required)
}

/// Checks that `msg` from `party` is signed by that party's identity key in the
/// share's roster. `Origin::NoRoster`: the share has no roster, nothing can be checked.
/// A share with a roster refuses a party it does not list (`OutsideRoster`): "no
/// roster" means the share has none, never that the party is missing from it.
fn authenticate(
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

fn check_signature(
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
/// signers) is refused only when it is authenticated; otherwise it is `Unproven`
/// and ignored. The policy (DEBUG, expected MRENCLAVE) refuses any request shown.
/// [`SignError::verdict`] says which is which.
pub fn review(share: &KeyShare, bytes: &[u8], policy: &SignPolicy) -> Result<Review, SignError> {
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
    let (regions, signers, date) = fits_key(share, &init).map_err(|error| {
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
        subsets: usable_subsets(share, signers, init.initiator, party),
        origin,
        party,
    })
}

impl SignError {
    /// This error as it is when `proven` (the message is authenticated as coming from
    /// `party`), else wrapped as [`SignError::Unproven`]: what went wrong with a
    /// message nobody can attribute changes nothing.
    fn unless_proven(self, proven: bool, kind: MessageType, party: u8) -> SignError {
        if proven {
            self
        } else {
            SignError::Unproven {
                kind,
                party,
                error: Box::new(self),
            }
        }
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

impl Review {
    /// Computes this party's partials and signs the SIGN-PARTIAL; consumes the review.
    pub fn sign(self, share: &KeyShare) -> Result<Message, SignError> {
        if let Some(s) = share.shoup3() {
            let p = shoup3::partial_sign(s, &self.digest)?;
            return Ok(signed_by(
                share,
                Message::SignPartial(SignPartial {
                    session: self.session,
                    party: self.party,
                    body: PartialBody::Shoup3(p.to_bytes()),
                    signature: None,
                }),
            ));
        }
        let mut partials = Vec::with_capacity(self.subsets.len());
        for subset in &self.subsets {
            let p = partial_sign(share, *subset, &self.digest)?;
            partials.push((subset.bits(), to_fixed_be(&p.value)));
        }
        Ok(signed_by(
            share,
            Message::SignPartial(SignPartial {
                session: self.session,
                party: self.party,
                body: PartialBody::Subsets {
                    digest: self.digest,
                    partials,
                },
                signature: None,
            }),
        ))
    }

    /// An ABORT telling the initiator why this party does not sign: signed only when
    /// the request was authenticated (see [`decline_request`]).
    pub fn decline(&self, share: &KeyShare, reason: &str) -> Message {
        decline_request(share, self.session, reason, self.origin)
    }
}

/// An ABORT answering a request of `origin`. Signed only for an authenticated
/// request: a signed ABORT is a proven decline that may end a signing, and a forged
/// request (unsigned, accepted with `--accept-unsigned-init`) copying the live session
/// id must not make this party end it. An initiator without a roster, the only one
/// that sends unsigned requests, reads the unsigned ABORT all the same.
pub fn decline_request(
    share: &KeyShare,
    session: SessionId,
    reason: &str,
    origin: Origin,
) -> Message {
    let mut abort = decline(share, session, reason);
    if origin != Origin::Authenticated {
        if let Message::Abort(a) = &mut abort {
            a.signature = None;
        }
    }
    abort
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

/// Signs `msg` with the share's identity key, if it has one.
fn signed_by(share: &KeyShare, mut msg: Message) -> Message {
    if let Some(auth) = share.auth() {
        msg.sign(&auth.identity);
    }
    msg
}

/// An ABORT for a session, signed when the share can (the reason is cut to the
/// protocol's limit).
pub fn decline(share: &KeyShare, session: SessionId, reason: &str) -> Message {
    let mut reason = reason.to_string();
    while reason.len() > crate::protocol::MAX_REASON {
        reason.pop();
    }
    signed_by(
        share,
        Message::Abort(Abort {
            session,
            party: share.party(),
            reason,
            signature: None,
        }),
    )
}

/// What the initiator learned from one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A party's partials were accepted; `failed` lists subsets that were tried
    /// with them and did not verify.
    Accepted { party: u8, failed: Vec<Subset> },
    /// A party declined, with its reason (`authenticated`: provably from it).
    Declined {
        party: u8,
        reason: String,
        authenticated: bool,
    },
    /// (Unauthenticated initiator only.) No subset can complete with what arrived so
    /// far; more partials may still change that.
    Stuck { suspects: Vec<u8> },
    /// A verified signature.
    Complete { signature: BigUint, subset: Subset },
}

/// One distinct SIGN-PARTIAL received from a party.
#[derive(Debug)]
struct Candidate {
    bytes: Vec<u8>,
    values: BTreeMap<Subset, BigUint>,
}

/// The initiator's state while partials arrive.
#[derive(Debug)]
pub struct Initiator {
    session: SessionId,
    party: u8,
    public: PublicKey,
    digest: [u8; 32],
    signers: Subset,
    candidates: Vec<Subset>,
    own: BTreeMap<Subset, BigUint>,
    /// Identity keys of the roster, when the share has one.
    roster: Option<Vec<IdentityPublic>>,
    received: BTreeMap<u8, Vec<Candidate>>,
    declined: BTreeMap<u8, (String, bool)>,
    /// Combinations tried: a subset and the candidate index of each other member.
    tried: BTreeSet<(Subset, Vec<usize>)>,
    /// `shoup3`: the partials whose proofs passed, and who sent bad ones.
    shoup3: Option<Shoup3Signing>,
}

/// The initiator's `shoup3` state: any t valid partials (its own included) complete.
#[derive(Debug)]
struct Shoup3Signing {
    keys: shoup3::VerificationKeys,
    valid: BTreeMap<u8, VerifiedPartial>,
    bad: BTreeSet<u8>,
}

impl Initiator {
    /// Starts a signing ceremony for an unsigned SIGSTRUCT; returns the SIGN-INIT,
    /// signed with the share's identity key when it has one.
    pub fn start(
        share: &KeyShare,
        unsigned: &Sigstruct,
        signers: Subset,
    ) -> Result<(Self, Message), SignError> {
        let scheme = share.scheme();
        let party = share.party();
        for p in signers.parties() {
            scheme.check_party(p)?;
        }
        if !signers.contains(party) {
            return Err(SignError::InitiatorNotSigner);
        }
        if signers.len() < scheme.threshold() {
            return Err(SignError::TooFewSigners {
                signers: signers.to_string(),
                threshold: scheme.threshold(),
            });
        }
        let regions = unsigned.regions();
        crate::sgx::frameworks::check(&regions)?;
        let session = SessionId::random();
        let digest = regions.digest();
        let mut own = BTreeMap::new();
        let (candidates, shoup3) = match share.shoup3() {
            Some(s) => {
                // Our own partial, checked like any other before it is counted.
                let mine = shoup3::partial_sign(s, &digest)?.verify(s.keys(), &digest)?;
                let mut valid = BTreeMap::new();
                valid.insert(party, mine);
                let state = Shoup3Signing {
                    keys: s.keys().clone(),
                    valid,
                    bad: BTreeSet::new(),
                };
                (Vec::new(), Some(state))
            }
            None => {
                let candidates = scheme.subsets_within(signers, Subset::from_bits(0).with(party));
                for subset in &candidates {
                    let PartialSignature { value, .. } = partial_sign(share, *subset, &digest)?;
                    own.insert(*subset, value);
                }
                (candidates, None)
            }
        };
        let init = signed_by(
            share,
            Message::SignInit(SignInit {
                session,
                scheme: share.scheme_byte(),
                initiator: party,
                signers: signers.bits(),
                parties: scheme.parties(),
                threshold: scheme.threshold(),
                mrsigner: share.public().mrsigner(),
                mrenclave: regions.mrenclave(),
                regions: *regions.as_bytes(),
                signature: None,
            }),
        );
        let roster = share
            .auth()
            .map(|a| a.roster.iter().map(|k| k.identity).collect());
        let me = Initiator {
            session,
            party,
            public: share.public().clone(),
            digest,
            signers,
            candidates,
            own,
            roster,
            received: BTreeMap::new(),
            declined: BTreeMap::new(),
            tried: BTreeSet::new(),
            shoup3,
        };
        Ok((me, init))
    }

    pub fn session(&self) -> SessionId {
        self.session
    }
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }
    /// Whether this initiator can tell genuine messages from forged ones.
    pub fn authenticates(&self) -> bool {
        self.roster.is_some()
    }

    /// Parties asked to sign that have neither answered nor declined.
    pub fn waiting_for(&self) -> Vec<u8> {
        self.signers
            .parties()
            .into_iter()
            .filter(|p| {
                *p != self.party
                    && !self.received.contains_key(p)
                    && !self.declined.contains_key(p)
                    && !self.shoup3.as_ref().is_some_and(|s| s.bad.contains(p))
            })
            .collect()
    }

    /// Handles one received message (SIGN-PARTIAL or ABORT). A message that fails its
    /// signature check is an error that changes nothing: the genuine one is still
    /// accepted afterwards.
    pub fn accept(&mut self, bytes: &[u8]) -> Result<Progress, SignError> {
        let msg = expect_message(
            bytes,
            &[MessageType::SignPartial, MessageType::Abort],
            Some(self.session),
        )?;
        let party = match &msg {
            Message::Abort(a) => a.party,
            Message::SignPartial(p) => p.party,
            _ => unreachable!("expect_message checked the type"),
        };
        if !self.signers.contains(party) || party == self.party {
            return Err(SignError::UnexpectedParty(party));
        }
        let authenticated = match &self.roster {
            Some(keys) => {
                let key = keys
                    .get(usize::from(party) - 1)
                    .ok_or(SignError::UnexpectedParty(party))?;
                check_signature(key, &msg, party, false)?;
                true
            }
            None => false,
        };
        let kind = msg.kind();
        // Without a roster nothing here is proven: what goes wrong changes nothing.
        let unproven = |error: SignError| {
            let ignored_anyway = error.verdict() == Verdict::Ignore;
            error.unless_proven(authenticated || ignored_anyway, kind, party)
        };
        match msg {
            Message::Abort(a) => {
                if self.declined.contains_key(&party) {
                    return Err(SignError::Duplicate(party));
                }
                self.declined
                    .insert(party, (a.reason.clone(), authenticated));
                // The caller reports the decline, then asks `check_still_possible`.
                Ok(Progress::Declined {
                    party,
                    reason: a.reason,
                    authenticated,
                })
            }
            Message::SignPartial(p) => self.accept_partial(p, bytes).map_err(unproven),
            _ => unreachable!("expect_message checked the type"),
        }
    }

    /// `shoup3` (after the duplicate checks of [`Self::accept_partial`]): the partial's
    /// proof is checked on arrival; a bad one is named and ignored, and any t valid
    /// partials complete the signature (checked, y³ = M).
    fn accept_shoup3(&mut self, p: SignPartial, bytes: &[u8]) -> Result<Progress, SignError> {
        let party = p.party;
        let PartialBody::Shoup3(value) = &p.body else {
            return Err(SignError::WrongScheme(party));
        };
        let Some(state) = self.shoup3.as_mut() else {
            return Err(SignError::WrongScheme(party));
        };
        if state.valid.contains_key(&party) {
            return Err(SignError::Duplicate(party));
        }
        let checked = match PartialWithProof::from_bytes(value)
            .and_then(|p| p.verify(&state.keys, &self.digest))
        {
            Ok(v) if v.party() == party => Ok(v),
            Ok(_) => Err("it is made by another party".to_string()),
            Err(e) => Err(e.to_string()),
        };
        let verified = match checked {
            Ok(v) => v,
            Err(reason) => {
                state.bad.insert(party);
                return Err(SignError::BadPartial { party, reason });
            }
        };
        state.bad.remove(&party);
        state.valid.insert(party, verified);
        self.received.entry(party).or_default().push(Candidate {
            bytes: bytes.to_vec(),
            values: BTreeMap::new(),
        });
        let need = usize::from(state.keys.scheme().threshold());
        if state.valid.len() >= need {
            let chosen: Vec<VerifiedPartial> = state.valid.values().take(need).cloned().collect();
            let used: Vec<u8> = chosen.iter().map(VerifiedPartial::party).collect();
            let signature = shoup3::combine(&state.keys, &self.digest, &chosen)?;
            let subset = Subset::from_parties(&used)?;
            return Ok(Progress::Complete { signature, subset });
        }
        Ok(Progress::Accepted {
            party,
            failed: Vec::new(),
        })
    }

    fn accept_partial(&mut self, p: SignPartial, bytes: &[u8]) -> Result<Progress, SignError> {
        let party = p.party;
        let known = self.received.get(&party).map(Vec::as_slice).unwrap_or(&[]);
        if known.iter().any(|c| c.bytes == bytes) {
            return Err(SignError::Duplicate(party));
        }
        if known.len() >= MAX_CANDIDATES {
            return Err(SignError::TooManyCandidates(party));
        }
        if self.shoup3.is_some() || matches!(p.body, PartialBody::Shoup3(_)) {
            return self.accept_shoup3(p, bytes);
        }
        let expected: Vec<Subset> = self
            .candidates
            .iter()
            .copied()
            .filter(|s| s.contains(party))
            .collect();
        // Only partials that name this request's digest (and are signed with it).
        let partials = match &p.body {
            PartialBody::Subsets { digest, partials } if *digest == self.digest => partials,
            PartialBody::Subsets { .. } => {
                return Err(SignError::BadPartial {
                    party,
                    reason: "it signs another request (its digest is not this SIGN-INIT's)".into(),
                })
            }
            PartialBody::SubsetsUnbound(_) => {
                return Err(SignError::BadPartial {
                    party,
                    reason: "it does not name the digest it signs (an older mpcegosign made it; use the same version on every machine)".into(),
                })
            }
            PartialBody::Shoup3(_) => return Err(SignError::WrongScheme(party)),
        };
        let got: Vec<Subset> = partials
            .iter()
            .map(|(s, _)| Subset::from_bits(*s))
            .collect();
        if got != expected {
            let list = |v: &[Subset]| {
                v.iter()
                    .map(|s| format!("{{{s}}}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            return Err(SignError::WrongSubsets {
                party,
                got: list(&got),
                expected: list(&expected),
            });
        }
        let mut values = BTreeMap::new();
        for (subset, value) in partials {
            let value = BigUint::from_bytes_be(value);
            if value <= BigUint::from(1u8) || &value >= self.public.modulus() {
                return Err(SignError::OutOfRange(party));
            }
            values.insert(Subset::from_bits(*subset), value);
        }
        self.received.entry(party).or_default().push(Candidate {
            bytes: bytes.to_vec(),
            values,
        });
        let mut failed = Vec::new();
        for subset in self.candidates.clone() {
            for combo in self.untried_combinations(subset) {
                let partials = self.partials_of(subset, &combo);
                self.tried.insert((subset, combo));
                match combine(&self.public, subset, &partials, &self.digest) {
                    Ok(signature) => return Ok(Progress::Complete { signature, subset }),
                    Err(ThresholdError::InvalidCombination { .. }) => {
                        if !failed.contains(&subset) {
                            failed.push(subset);
                        }
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        }
        if let Err(e) = self.check_still_possible() {
            if self.authenticates() {
                return Err(e);
            }
            return Ok(Progress::Stuck {
                suspects: self.suspects(),
            });
        }
        Ok(Progress::Accepted { party, failed })
    }

    /// The other members of `subset`, in order.
    fn others(&self, subset: Subset) -> Vec<u8> {
        subset
            .parties()
            .into_iter()
            .filter(|p| *p != self.party)
            .collect()
    }

    /// Every combination of the members' candidates for `subset` not tried yet.
    fn untried_combinations(&self, subset: Subset) -> Vec<Vec<usize>> {
        let counts: Vec<usize> = self
            .others(subset)
            .iter()
            .map(|p| self.received.get(p).map_or(0, Vec::len))
            .collect();
        if counts.contains(&0) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut combo = vec![0usize; counts.len()];
        loop {
            if !self.tried.contains(&(subset, combo.clone())) {
                out.push(combo.clone());
            }
            // Next combination (odometer order).
            let mut i = 0;
            loop {
                if i == combo.len() {
                    return out;
                }
                combo[i] += 1;
                if combo[i] < counts[i] {
                    break;
                }
                combo[i] = 0;
                i += 1;
            }
        }
    }

    fn partials_of(&self, subset: Subset, combo: &[usize]) -> Vec<PartialSignature> {
        let mut out = Vec::with_capacity(combo.len() + 1);
        if let Some(v) = self.own.get(&subset) {
            out.push(PartialSignature {
                party: self.party,
                subset,
                value: v.clone(),
            });
        }
        for (p, &i) in self.others(subset).iter().zip(combo) {
            if let Some(v) = self
                .received
                .get(p)
                .and_then(|c| c.get(i))
                .and_then(|c| c.values.get(&subset))
            {
                out.push(PartialSignature {
                    party: *p,
                    subset,
                    value: v.clone(),
                });
            }
        }
        out
    }

    /// A subset has failed when every member answered and every combination of
    /// their candidates was tried.
    fn has_failed(&self, subset: Subset) -> bool {
        let others = self.others(subset);
        others.iter().all(|p| self.received.contains_key(p))
            && self.untried_combinations(subset).is_empty()
    }

    /// A subset is dead when it failed, or holds a party that provably declined and
    /// sent no partial. (An unauthenticated ABORT may be forged: it kills nothing.)
    fn is_dead(&self, subset: Subset) -> bool {
        self.has_failed(subset)
            || self.others(subset).iter().any(|p| {
                self.declined.get(p).is_some_and(|(_, proven)| *proven)
                    && !self.received.contains_key(p)
            })
    }

    /// Fails when every candidate subset is dead (only provable declines and failed
    /// combinations count).
    pub fn check_still_possible(&self) -> Result<(), SignError> {
        if let Some(state) = &self.shoup3 {
            return self.shoup3_still_possible(state);
        }
        if self.candidates.iter().any(|s| !self.is_dead(*s)) {
            return Ok(());
        }
        Err(SignError::NoValidSubset {
            failed: list_or_none(
                self.candidates
                    .iter()
                    .filter(|s| self.has_failed(**s))
                    .map(|s| format!("{{{s}}}"))
                    .collect(),
            ),
            declined: list_or_none(self.declined.keys().map(u8::to_string).collect()),
            suspects: list_or_none(self.suspects().iter().map(u8::to_string).collect()),
        })
    }

    /// `shoup3`: t valid partials can still come when the valid ones plus the parties
    /// still awaited (not provably declined, no bad partial yet) reach t.
    fn shoup3_still_possible(&self, state: &Shoup3Signing) -> Result<(), SignError> {
        let need = usize::from(state.keys.scheme().threshold());
        let waiting = self.waiting_for();
        // An unauthenticated decline may be forged: its party is still awaited.
        let unproven = self
            .declined
            .iter()
            .filter(|(p, (_, proven))| !proven && !self.received.contains_key(p))
            .count();
        if state.valid.len() + waiting.len() + unproven >= need {
            return Ok(());
        }
        Err(SignError::NotEnoughPartials {
            valid: state.valid.len(),
            need,
            declined: list_or_none(self.declined.keys().map(u8::to_string).collect()),
            bad: list_or_none(state.bad.iter().map(u8::to_string).collect()),
            waiting: list_or_none(waiting.iter().map(u8::to_string).collect()),
        })
    }

    /// Parties other than the initiator that are in a failed subset and in no subset
    /// that could still succeed (`shoup3`: those that sent a bad partial).
    pub fn suspects(&self) -> Vec<u8> {
        if let Some(state) = &self.shoup3 {
            return state.bad.iter().copied().collect();
        }
        let in_failed: BTreeSet<u8> = self
            .candidates
            .iter()
            .filter(|s| self.has_failed(**s))
            .flat_map(|s| self.others(*s))
            .collect();
        in_failed
            .into_iter()
            .filter(|p| {
                self.candidates
                    .iter()
                    .filter(|s| s.contains(*p))
                    .all(|s| self.has_failed(*s))
            })
            .collect()
    }

    /// A suspects line for one failed subset, for humans.
    pub fn describe_failure(&self, subset: Subset) -> String {
        let others: Vec<String> = self.others(subset).iter().map(u8::to_string).collect();
        if others.len() == 1 {
            format!(
                "subset {{{subset}}} did not verify: party {} sent a bad partial",
                others[0]
            )
        } else {
            format!(
                "subset {{{subset}}} did not verify: a bad partial from one of parties {}",
                others.join(", ")
            )
        }
    }
}

/// "a, b, c", or "none" for an empty list (error messages).
fn list_or_none(v: Vec<String>) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}
