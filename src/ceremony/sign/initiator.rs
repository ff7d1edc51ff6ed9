//! The initiator: starts a signing with SIGN-INIT, then takes each answer
//! (SIGN-PARTIAL or ABORT), checks who sent it against the roster, and feeds the
//! partials to its [`Collection`] until a verified signature completes or no
//! signature can complete any more.

use std::collections::BTreeMap;

use num_bigint::BigUint;

use super::collection::{Answers, Collected, Collection};
use super::review::{check_not_retired, check_signature, wire_generation};
use super::signer::signed_by;
use super::{SignError, MAX_CANDIDATES};
use crate::ceremony::expect_message;
use crate::ceremony::verdict::Verdict;
use crate::identity::IdentityPublic;
use crate::key::PublicKey;
use crate::protocol::{Message, MessageType, SessionId, SignInit, SignPartial};
use crate::sgx::Sigstruct;
use crate::share::KeyShare;
use crate::threshold::Subset;

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

/// The initiator's state while partials arrive.
#[derive(Debug)]
pub struct Initiator {
    session: SessionId,
    party: u8,
    public: PublicKey,
    digest: [u8; 32],
    signers: Subset,
    /// Identity keys of the roster, when the share has one.
    roster: Option<Vec<IdentityPublic>>,
    /// Every distinct SIGN-PARTIAL kept from each party, as received.
    received: BTreeMap<u8, Vec<Vec<u8>>>,
    declined: BTreeMap<u8, (String, bool)>,
    /// The partials collected, behind the scheme.
    collection: Collection,
}

impl Initiator {
    /// Starts a signing ceremony for an unsigned SIGSTRUCT; returns the SIGN-INIT,
    /// signed with the share's identity key when it has one.
    pub fn start(
        share: &KeyShare,
        unsigned: &Sigstruct,
        signers: Subset,
    ) -> Result<(Self, Message), SignError> {
        check_not_retired(share)?;
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
        let collection = Collection::start(share.secret(), signers, digest)?;
        let (generation, generation_id) = wire_generation(share);
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
                generation,
                generation_id,
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
            roster,
            received: BTreeMap::new(),
            declined: BTreeMap::new(),
            collection,
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
                    && !self.collection.is_bad(*p)
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

    fn accept_partial(&mut self, p: SignPartial, bytes: &[u8]) -> Result<Progress, SignError> {
        let party = p.party;
        let known = self.received.get(&party).map(Vec::as_slice).unwrap_or(&[]);
        if known.iter().any(|c| c == bytes) {
            return Err(SignError::Duplicate(party));
        }
        if known.len() >= MAX_CANDIDATES {
            return Err(SignError::TooManyCandidates(party));
        }
        self.collection
            .keep(party, &p.body, &self.digest, self.public.modulus())?;
        self.received.entry(party).or_default().push(bytes.to_vec());
        let failed = match self.collection.try_complete(&self.digest)? {
            Collected::Complete { signature, subset } => {
                return Ok(Progress::Complete { signature, subset })
            }
            Collected::Counted => Vec::new(),
            Collected::Tried { failed } => {
                if let Err(e) = self.check_still_possible() {
                    if self.authenticates() {
                        return Err(e);
                    }
                    return Ok(Progress::Stuck {
                        suspects: self.suspects(),
                    });
                }
                failed
            }
        };
        Ok(Progress::Accepted { party, failed })
    }

    /// Fails when no signature can complete any more (only provable declines and
    /// failed combinations or bad partials count).
    pub fn check_still_possible(&self) -> Result<(), SignError> {
        let answered = |p: u8| self.received.contains_key(&p);
        self.collection.check_still_possible(&Answers {
            declined: &self.declined,
            answered: &answered,
            waiting: self.waiting_for(),
        })
    }

    /// Parties other than the initiator that are in a failed subset and in no subset
    /// that could still succeed (`shoup3`: those that sent a bad partial).
    pub fn suspects(&self) -> Vec<u8> {
        self.collection.suspects()
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
