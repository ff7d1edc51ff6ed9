//! The signing ceremony. The initiator sends SIGN-INIT with the SIGSTRUCT's signed
//! regions; each signer rebuilds the digest itself, checks what it is asked to sign,
//! and answers with SIGN-PARTIAL (or ABORT). The initiator checks every partial on
//! arrival, combines the first complete subset, verifies the signature, and moves on
//! to another subset if one fails.

use std::collections::{BTreeMap, BTreeSet};

use num_bigint::BigUint;

use super::{expect_message, MessageError};
use crate::key::{to_fixed_be, PublicKey};
use crate::protocol::{Abort, Message, MessageType, SessionId, SignInit, SignPartial};
use crate::sgx::{Date, SignedRegions, Sigstruct, SigstructError};
use crate::share::KeyShare;
use crate::threshold::{combine, partial_sign, PartialSignature, Subset, ThresholdError};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error("the SIGN-INIT is for a {found} key set, but this share is {own}")]
    SchemeMismatch { found: String, own: String },
    #[error(
        "the SIGN-INIT asks for key MRSIGNER {asked}, but this share belongs to {own}: refusing"
    )]
    ForeignKey { asked: String, own: String },
    #[error("the SIGN-INIT claims MRENCLAVE {claimed}, but the SIGSTRUCT it carries has {actual}: refusing")]
    MrenclaveMismatch { claimed: String, actual: String },
    #[error("the SIGSTRUCT in the SIGN-INIT is not what oesign makes: {0}")]
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
    #[error("a SIGN-PARTIAL from party {0}, who was not asked to sign; ignored")]
    UnexpectedParty(u8),
    #[error("party {0}'s partial was already received; ignored")]
    Duplicate(u8),
    #[error("party {party} sent partials for subsets {got}, expected {expected}; ignored")]
    WrongSubsets {
        party: u8,
        got: String,
        expected: String,
    },
    #[error("party {0}'s partial signature is out of range; ignored")]
    OutOfRange(u8),
    #[error("no subset of the parties can produce a valid signature any more (failed: {failed}; declined: {declined}). Suspected bad partials from: {suspects}")]
    NoValidSubset {
        failed: String,
        declined: String,
        suspects: String,
    },
    #[error(transparent)]
    Threshold(#[from] ThresholdError),
}

/// What a signer may agree to sign.
#[derive(Debug, Clone, Default)]
pub struct SignPolicy {
    pub allow_debug: bool,
    pub expect_mrenclave: Option<[u8; 32]>,
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
    /// The subsets this party will sign for: within the signers, with the initiator.
    pub subsets: Vec<Subset>,
    party: u8,
}

/// The subsets a party signs for: all t-subsets of `signers` that hold both the
/// initiator and `party` (only those the initiator can use).
fn usable_subsets(share: &KeyShare, signers: Subset, initiator: u8, party: u8) -> Vec<Subset> {
    let required = Subset::from_bits(0).with(initiator).with(party);
    share.scheme().subsets_within(signers, required)
}

/// Signer: checks a SIGN-INIT against its share and its policy.
pub fn review(share: &KeyShare, bytes: &[u8], policy: &SignPolicy) -> Result<Review, SignError> {
    let msg = expect_message(bytes, &[MessageType::SignInit], None)?;
    let Message::SignInit(init) = msg else {
        unreachable!("expect_message checked the type")
    };
    let scheme = share.scheme();
    if init.parties != scheme.parties() || init.threshold != scheme.threshold() {
        return Err(SignError::SchemeMismatch {
            found: format!("{}-of-{}", init.threshold, init.parties),
            own: format!("{}-of-{}", scheme.threshold(), scheme.parties()),
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
    regions.validate()?;
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
        date: regions.date()?,
        digest: regions.digest(),
        subsets: usable_subsets(share, signers, init.initiator, party),
        party,
    })
}

impl Review {
    /// Computes this party's partials; consumes the review.
    pub fn sign(self, share: &KeyShare) -> Result<Message, SignError> {
        let mut partials = Vec::with_capacity(self.subsets.len());
        for subset in &self.subsets {
            let p = partial_sign(share, *subset, &self.digest)?;
            partials.push((subset.bits(), to_fixed_be(&p.value)));
        }
        Ok(Message::SignPartial(SignPartial {
            session: self.session,
            party: self.party,
            partials,
        }))
    }

    /// An ABORT telling the initiator why this party does not sign.
    pub fn decline(&self, reason: &str) -> Message {
        decline(self.session, self.party, reason)
    }
}

/// An ABORT for a session (the reason is cut to the protocol's limit).
pub fn decline(session: SessionId, party: u8, reason: &str) -> Message {
    let mut reason = reason.to_string();
    while reason.len() > crate::protocol::MAX_REASON {
        reason.pop();
    }
    Message::Abort(Abort {
        session,
        party,
        reason,
    })
}

/// What the initiator learned from one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A party's partials were accepted; `failed` lists subsets that were tried
    /// with them and did not verify.
    Accepted { party: u8, failed: Vec<Subset> },
    /// A party declined, with its reason.
    Declined { party: u8, reason: String },
    /// A verified signature.
    Complete { signature: BigUint, subset: Subset },
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
    partials: Vec<PartialSignature>,
    received: BTreeMap<u8, Vec<u8>>,
    declined: BTreeMap<u8, String>,
    failed: BTreeSet<Subset>,
}

impl Initiator {
    /// Starts a signing ceremony for an unsigned SIGSTRUCT; returns the SIGN-INIT.
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
        regions.validate()?;
        let session = SessionId::random();
        let digest = regions.digest();
        let candidates = scheme.subsets_within(signers, Subset::from_bits(0).with(party));
        let mut partials = Vec::new();
        for subset in &candidates {
            partials.push(partial_sign(share, *subset, &digest)?);
        }
        let init = SignInit {
            session,
            initiator: party,
            signers: signers.bits(),
            parties: scheme.parties(),
            threshold: scheme.threshold(),
            mrsigner: share.public().mrsigner(),
            mrenclave: regions.mrenclave(),
            regions: *regions.as_bytes(),
        };
        let me = Initiator {
            session,
            party,
            public: share.public().clone(),
            digest,
            signers,
            candidates,
            partials,
            received: BTreeMap::new(),
            declined: BTreeMap::new(),
            failed: BTreeSet::new(),
        };
        Ok((me, Message::SignInit(init)))
    }

    pub fn session(&self) -> SessionId {
        self.session
    }
    pub fn digest(&self) -> [u8; 32] {
        self.digest
    }

    /// Parties asked to sign that have neither answered nor declined.
    pub fn waiting_for(&self) -> Vec<u8> {
        self.signers
            .parties()
            .into_iter()
            .filter(|p| {
                *p != self.party && !self.received.contains_key(p) && !self.declined.contains_key(p)
            })
            .collect()
    }

    /// Handles one received message (SIGN-PARTIAL or ABORT).
    pub fn accept(&mut self, bytes: &[u8]) -> Result<Progress, SignError> {
        let msg = expect_message(
            bytes,
            &[MessageType::SignPartial, MessageType::Abort],
            Some(self.session),
        )?;
        match msg {
            Message::Abort(a) => {
                if !self.signers.contains(a.party) || a.party == self.party {
                    return Err(SignError::UnexpectedParty(a.party));
                }
                if self.received.contains_key(&a.party) || self.declined.contains_key(&a.party) {
                    return Err(SignError::Duplicate(a.party));
                }
                self.declined.insert(a.party, a.reason.clone());
                self.check_still_possible()?;
                Ok(Progress::Declined {
                    party: a.party,
                    reason: a.reason,
                })
            }
            Message::SignPartial(p) => self.accept_partial(p, bytes),
            _ => unreachable!("expect_message checked the type"),
        }
    }

    fn accept_partial(&mut self, p: SignPartial, bytes: &[u8]) -> Result<Progress, SignError> {
        let party = p.party;
        if !self.signers.contains(party) || party == self.party {
            return Err(SignError::UnexpectedParty(party));
        }
        if self.received.contains_key(&party) || self.declined.contains_key(&party) {
            return Err(SignError::Duplicate(party));
        }
        let expected: Vec<Subset> = self
            .candidates
            .iter()
            .copied()
            .filter(|s| s.contains(party))
            .collect();
        let got: Vec<Subset> = p
            .partials
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
        let mut new = Vec::with_capacity(got.len());
        for (subset, value) in &p.partials {
            let value = BigUint::from_bytes_be(value);
            if value <= BigUint::from(1u8) || &value >= self.public.modulus() {
                return Err(SignError::OutOfRange(party));
            }
            new.push(PartialSignature {
                party,
                subset: Subset::from_bits(*subset),
                value,
            });
        }
        self.partials.extend(new);
        self.received.insert(party, bytes.to_vec());
        let mut failed = Vec::new();
        for subset in self.complete_untried() {
            match combine(&self.public, subset, &self.partials, &self.digest) {
                Ok(signature) => return Ok(Progress::Complete { signature, subset }),
                Err(ThresholdError::InvalidCombination { .. }) => {
                    self.failed.insert(subset);
                    failed.push(subset);
                }
                Err(e) => return Err(e.into()),
            }
        }
        self.check_still_possible()?;
        Ok(Progress::Accepted { party, failed })
    }

    /// Candidate subsets whose members have all answered and that were not tried.
    fn complete_untried(&self) -> Vec<Subset> {
        self.candidates
            .iter()
            .copied()
            .filter(|s| !self.failed.contains(s))
            .filter(|s| {
                s.parties()
                    .iter()
                    .all(|p| *p == self.party || self.received.contains_key(p))
            })
            .collect()
    }

    /// Fails when every candidate subset has failed or holds a party that declined.
    fn check_still_possible(&self) -> Result<(), SignError> {
        let open = self.candidates.iter().any(|s| {
            !self.failed.contains(s) && s.parties().iter().all(|p| !self.declined.contains_key(p))
        });
        if open {
            return Ok(());
        }
        let list = |v: Vec<String>| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        Err(SignError::NoValidSubset {
            failed: list(self.failed.iter().map(|s| format!("{{{s}}}")).collect()),
            declined: list(self.declined.keys().map(u8::to_string).collect()),
            suspects: list(self.suspects().iter().map(u8::to_string).collect()),
        })
    }

    /// Parties other than the initiator that are in a failed subset and in no subset
    /// that could still succeed.
    pub fn suspects(&self) -> Vec<u8> {
        let in_failed: BTreeSet<u8> = self
            .failed
            .iter()
            .flat_map(|s| s.parties())
            .filter(|p| *p != self.party)
            .collect();
        in_failed
            .into_iter()
            .filter(|p| {
                self.candidates
                    .iter()
                    .filter(|s| s.contains(*p))
                    .all(|s| self.failed.contains(s))
            })
            .collect()
    }

    /// A suspects line for one failed subset, for humans.
    pub fn describe_failure(&self, subset: Subset) -> String {
        let others: Vec<String> = subset
            .parties()
            .into_iter()
            .filter(|p| *p != self.party)
            .map(|p| p.to_string())
            .collect();
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
