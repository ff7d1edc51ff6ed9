//! Batch signing: several enclaves with one key in one ceremony. The initiator sends
//! one SIGN-INIT-BATCH; each signer runs the single review's checks on every enclave
//! ([`super::review`]'s `check_request`: fits the key, frameworks, MRENCLAVE equals the
//! regions', DEBUG, policy) and approves all of them or declines the batch; its
//! SIGN-PARTIAL-BATCH carries one partial per enclave (`shoup3`: with one batched
//! proof). The initiator checks each answer for every enclave at once and completes
//! when every enclave has a verified signature. The scheme-specific bodies are in
//! `batch_collection`.

use std::collections::BTreeMap;

use num_bigint::BigUint;

use super::batch_collection::{batch_body, BatchCollection};
use super::review::{
    authenticate, check_generation, check_not_retired, check_request, check_signature,
    wire_generation, Origin, Review, SignPolicy,
};
use super::signer::signed_by;
use super::SignError;
use crate::ceremony::expect_message;
use crate::identity::IdentityPublic;
use crate::protocol::{
    BatchEnclave, Message, MessageType, SessionId, SignInitBatch, SignPartialBatch,
    MAX_BATCH_ENCLAVES, MAX_ENCLAVE_NAME,
};
use crate::sanitize::sanitize;
use crate::sgx::Sigstruct;
use crate::share::KeyShare;
use crate::threshold::Subset;

/// One enclave of a reviewed batch: its name (sanitised for display) and the single
/// review of its SIGSTRUCT.
#[derive(Debug, Clone)]
pub struct BatchItem {
    pub name: String,
    pub review: Review,
}

/// A checked SIGN-INIT-BATCH: the common fields and one review per enclave, in the
/// request's order. The signer approves all or declines the batch.
#[derive(Debug, Clone)]
pub struct BatchReview {
    pub session: SessionId,
    pub initiator: u8,
    pub signers: Subset,
    pub mrsigner: [u8; 32],
    pub origin: Origin,
    pub enclaves: Vec<BatchItem>,
    party: u8,
}

/// Signer: checks a SIGN-INIT-BATCH: its signature first (as [`super::review`]), then
/// every enclave with the single review's checks; the first enclave that fails
/// refuses the batch, named. `expect` (from `--expect-mrenclave`, repeatable): each
/// must be the MRENCLAVE of some enclave of the batch; the policy's single expected
/// MRENCLAVE is not used for a batch.
pub fn review_batch(
    share: &KeyShare,
    bytes: &[u8],
    policy: &SignPolicy,
    expect: &[[u8; 32]],
) -> Result<BatchReview, SignError> {
    check_not_retired(share)?;
    let msg = expect_message(bytes, &[MessageType::SignInitBatch], None)?;
    let Message::SignInitBatch(init) = &msg else {
        unreachable!("expect_message checked the type")
    };
    let origin = authenticate(share, &msg, init.initiator, policy.accept_unsigned)?;
    // The generation once for the whole batch, before any enclave (each enclave's
    // review checks it again, and finds it the same).
    if init.mrsigner == share.public().mrsigner() {
        check_generation(share, init.generation, init.generation_id).map_err(|error| {
            error.unless_proven(
                origin == Origin::Authenticated,
                MessageType::SignInitBatch,
                init.initiator,
            )
        })?;
    }
    let per_enclave = SignPolicy {
        expect_mrenclave: None,
        ..policy.clone()
    };
    let mut enclaves = Vec::with_capacity(init.enclaves.len());
    for (i, e) in init.enclaves.iter().enumerate() {
        let name = sanitize(&e.name);
        let one = init.single_for(e);
        let review = check_request(share, &one, &per_enclave, origin).map_err(|error| {
            match error {
                // Unproven stays outermost: nothing proves the batch's origin.
                SignError::Unproven { kind, party, error } => SignError::Unproven {
                    kind,
                    party,
                    error: Box::new(SignError::InBatch {
                        index: i + 1,
                        name: name.clone(),
                        error,
                    }),
                },
                error => SignError::InBatch {
                    index: i + 1,
                    name: name.clone(),
                    error: Box::new(error),
                },
            }
        })?;
        enclaves.push(BatchItem { name, review });
    }
    for expected in expect {
        if !enclaves.iter().any(|e| e.review.mrenclave == *expected) {
            return Err(SignError::ExpectedNotInBatch {
                expected: hex::encode(expected),
            });
        }
    }
    let first = &enclaves[0].review;
    Ok(BatchReview {
        session: init.session,
        initiator: init.initiator,
        signers: first.signers,
        mrsigner: init.mrsigner,
        origin,
        party: share.party(),
        enclaves,
    })
}

impl BatchReview {
    /// The digests of the enclaves, in the request's order.
    pub fn digests(&self) -> Vec<[u8; 32]> {
        self.enclaves.iter().map(|e| e.review.digest).collect()
    }

    /// This party's partials for every enclave in one SIGN-PARTIAL-BATCH.
    pub fn sign(self, share: &KeyShare) -> Result<Message, SignError> {
        let reviews: Vec<&Review> = self.enclaves.iter().map(|e| &e.review).collect();
        let body = batch_body(share.secret(), &reviews, self.session)?;
        Ok(signed_by(
            share,
            Message::SignPartialBatch(SignPartialBatch {
                session: self.session,
                party: self.party,
                body,
                signature: None,
            }),
        ))
    }

    /// An ABORT declining the whole batch (signed only for an authenticated request).
    pub fn decline(&self, share: &KeyShare, reason: &str) -> Message {
        super::decline_request(share, self.session, reason, self.origin)
    }
}

/// One enclave the initiator asks to sign: a name for the table and its SIGSTRUCT.
pub struct BatchTarget<'a> {
    pub name: &'a str,
    pub unsigned: &'a Sigstruct,
}

/// What the batch initiator learned from one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchProgress {
    /// A party's partials for every enclave were accepted.
    Accepted { party: u8 },
    /// A party declined the batch (its ABORT is signed by its identity key).
    Declined { party: u8, reason: String },
    /// Every enclave has a verified signature, in the request's order.
    Complete { signatures: Vec<BigUint> },
}

/// The initiator of a batch while answers arrive.
#[derive(Debug)]
pub struct BatchInitiator {
    session: SessionId,
    party: u8,
    signers: Subset,
    /// Valid answers needed, the initiator's own included (t).
    need: usize,
    roster: Vec<IdentityPublic>,
    /// Parties that answered: `true` with valid partials, `false` declined.
    answered: BTreeMap<u8, bool>,
    collection: BatchCollection,
}

impl BatchInitiator {
    /// Starts a batch: 2 to [`MAX_BATCH_ENCLAVES`] SIGSTRUCTs, each checked as a single
    /// signing would, in one SIGN-INIT-BATCH signed with the share's identity key.
    pub fn start(
        share: &KeyShare,
        targets: &[BatchTarget<'_>],
        signers: Subset,
    ) -> Result<(Self, Message), SignError> {
        check_not_retired(share)?;
        let scheme = share.scheme();
        if share.auth().is_none() {
            return Err(SignError::BatchNeedsRoster);
        }
        if !(2..=MAX_BATCH_ENCLAVES).contains(&targets.len()) {
            return Err(SignError::BatchSize {
                count: targets.len(),
            });
        }
        for p in signers.parties() {
            scheme.check_party(p)?;
        }
        if !signers.contains(share.party()) {
            return Err(SignError::InitiatorNotSigner);
        }
        if signers.len() < scheme.threshold() {
            return Err(SignError::TooFewSigners {
                signers: signers.to_string(),
                threshold: scheme.threshold(),
            });
        }
        let mut enclaves = Vec::with_capacity(targets.len());
        for t in targets {
            let regions = t.unsigned.regions();
            crate::sgx::frameworks::check(&regions)?;
            let mut name = t.name.to_string();
            while name.len() > MAX_ENCLAVE_NAME {
                name.pop();
            }
            enclaves.push(BatchEnclave {
                name,
                mrenclave: regions.mrenclave(),
                regions: *regions.as_bytes(),
            });
        }
        let session = SessionId::random();
        let digests: Vec<[u8; 32]> = targets
            .iter()
            .map(|t| t.unsigned.regions().digest())
            .collect();
        let collection = BatchCollection::start(share.secret(), signers, &digests, session)?;
        let (generation, generation_id) = wire_generation(share);
        let init = signed_by(
            share,
            Message::SignInitBatch(SignInitBatch {
                session,
                scheme: share.scheme_byte(),
                initiator: share.party(),
                signers: signers.bits(),
                parties: scheme.parties(),
                threshold: scheme.threshold(),
                mrsigner: share.public().mrsigner(),
                enclaves,
                generation,
                generation_id,
                signature: None,
            }),
        );
        let roster = share
            .auth()
            .map(|a| a.roster.iter().map(|k| k.identity).collect())
            .unwrap_or_default();
        Ok((
            BatchInitiator {
                session,
                party: share.party(),
                signers,
                need: usize::from(scheme.threshold()),
                roster,
                answered: BTreeMap::new(),
                collection,
            },
            init,
        ))
    }

    pub fn session(&self) -> SessionId {
        self.session
    }

    /// Parties asked to sign that have not answered.
    pub fn waiting_for(&self) -> Vec<u8> {
        self.signers
            .parties()
            .into_iter()
            .filter(|p| *p != self.party && !self.answered.contains_key(p))
            .collect()
    }

    /// Fails when t valid answers (the initiator's own included) can no longer come:
    /// too many parties declined.
    pub fn check_still_possible(&self) -> Result<(), SignError> {
        let valid = 1 + self.answered.values().filter(|ok| **ok).count();
        let waiting = self.waiting_for();
        if valid + waiting.len() >= self.need {
            return Ok(());
        }
        let list = |v: Vec<String>| super::list_or_none(v);
        Err(SignError::NotEnoughPartials {
            valid,
            need: self.need,
            declined: list(
                self.answered
                    .iter()
                    .filter(|(_, ok)| !**ok)
                    .map(|(p, _)| p.to_string())
                    .collect(),
            ),
            bad: "none".into(),
            waiting: list(waiting.iter().map(u8::to_string).collect()),
        })
    }

    /// Handles one SIGN-PARTIAL-BATCH or ABORT. A decline declines the batch; a bad
    /// partial for any enclave refuses the party's whole answer, named.
    pub fn accept(&mut self, bytes: &[u8]) -> Result<BatchProgress, SignError> {
        let msg = expect_message(
            bytes,
            &[MessageType::SignPartialBatch, MessageType::Abort],
            Some(self.session),
        )?;
        let party = match &msg {
            Message::Abort(a) => a.party,
            Message::SignPartialBatch(p) => p.party,
            _ => unreachable!("expect_message checked the type"),
        };
        if !self.signers.contains(party) || party == self.party {
            return Err(SignError::UnexpectedParty(party));
        }
        if self.answered.contains_key(&party) {
            return Err(SignError::Duplicate(party));
        }
        // Every answer must be signed by its party's identity key (a batch needs a
        // roster): a forged one is ignored and changes nothing.
        let key = self
            .roster
            .get(usize::from(party) - 1)
            .ok_or(SignError::UnexpectedParty(party))?;
        check_signature(key, &msg, party, false)?;
        match msg {
            Message::Abort(a) => {
                self.answered.insert(party, false);
                Ok(BatchProgress::Declined {
                    party,
                    reason: a.reason,
                })
            }
            Message::SignPartialBatch(p) => {
                self.collection.keep(party, &p.body)?;
                self.answered.insert(party, true);
                match self.collection.try_complete()? {
                    Some(signatures) => Ok(BatchProgress::Complete { signatures }),
                    None => Ok(BatchProgress::Accepted { party }),
                }
            }
            _ => unreachable!("expect_message checked the type"),
        }
    }
}
