//! The partials an initiator collects, behind the scheme: the one file of the
//! signing ceremony that knows both schemes' SIGN-PARTIAL bodies.
//!
//! - `subsets`: the initiator's subset planning and combination tries live in
//!   [`subsets::Collector`]; here each party's body is checked to name this
//!   request's digest, exactly the subsets expected of it, values in range.
//! - `shoup3`: each partial's proof is checked on arrival against the verification
//!   keys; a bad one is named and ignored, and any t valid partials combine.
//!
//! [`partial_body`] is the other direction: the signer's partial as a body.

use std::collections::{BTreeMap, BTreeSet};

use num_bigint::BigUint;

use super::{list_or_none, SignError};
use crate::key::to_fixed_be;
use crate::protocol::PartialBody;
use crate::threshold::shoup3::{self, PartialWithProof, VerifiedPartial};
use crate::threshold::subsets::{self, Feed};
use crate::threshold::{Partial, SchemeShare, Subset};

/// The SIGN-PARTIAL body of a signer's partial over `digest`.
pub(super) fn partial_body(partial: Partial, digest: [u8; 32]) -> PartialBody {
    match partial {
        Partial::Shoup3(p) => PartialBody::Shoup3(p.to_bytes()),
        Partial::Subsets(ps) => PartialBody::Subsets {
            digest,
            partials: ps
                .iter()
                .map(|p| (p.subset.bits(), to_fixed_be(&p.value)))
                .collect(),
        },
    }
}

/// What a kept partial led to.
pub(super) enum Collected {
    /// A verified signature.
    Complete { signature: BigUint, subset: Subset },
    /// `subsets`: no subset completed; `failed` were tried and did not verify. The
    /// initiator then asks whether any can still complete.
    Tried { failed: Vec<Subset> },
    /// `shoup3`: the partial counts towards the t needed.
    Counted,
}

/// Who has answered so far, as the initiator knows it.
pub(super) struct Answers<'a> {
    /// Parties that declined, and whether provably.
    pub declined: &'a BTreeMap<u8, (String, bool)>,
    /// Parties that sent a partial (whether or not it was kept).
    pub answered: &'a dyn Fn(u8) -> bool,
    /// Parties still awaited.
    pub waiting: Vec<u8>,
}

/// The initiator's collected partials, of its share's scheme.
#[derive(Debug, Clone)]
pub(super) enum Collection {
    Subsets(subsets::Collector),
    Shoup3(Shoup3Collection),
}

/// The initiator's `shoup3` state: any t valid partials (its own included) complete.
#[derive(Debug, Clone)]
pub(super) struct Shoup3Collection {
    keys: shoup3::VerificationKeys,
    valid: BTreeMap<u8, VerifiedPartial>,
    bad: BTreeSet<u8>,
}

impl Collection {
    /// Starts with the initiator's own partial(s) over `digest`; for `shoup3` its
    /// own is checked like any other before it is counted.
    pub(super) fn start(
        share: &SchemeShare,
        signers: Subset,
        digest: [u8; 32],
    ) -> Result<Self, SignError> {
        Ok(match share {
            SchemeShare::Shoup3(s) => {
                let mine = shoup3::partial_sign(s, &digest)?.verify(s.keys(), &digest)?;
                Collection::Shoup3(Shoup3Collection {
                    keys: s.keys().clone(),
                    valid: BTreeMap::from([(s.party(), mine)]),
                    bad: BTreeSet::new(),
                })
            }
            SchemeShare::Subsets(s) => {
                Collection::Subsets(subsets::Collector::new(s, signers, digest)?)
            }
        })
    }

    /// Whether `party` sent a partial that failed its proof (`shoup3` only).
    pub(super) fn is_bad(&self, party: u8) -> bool {
        matches!(self, Collection::Shoup3(s) if s.bad.contains(&party))
    }

    /// Checks `party`'s body and keeps it (after the initiator's duplicate checks);
    /// a refusal keeps nothing (`shoup3`: the party is named as bad).
    pub(super) fn keep(
        &mut self,
        party: u8,
        body: &PartialBody,
        digest: &[u8; 32],
        modulus: &BigUint,
    ) -> Result<(), SignError> {
        match (self, body) {
            (Collection::Shoup3(state), PartialBody::Shoup3(value)) => {
                state.keep(party, value, digest)
            }
            (Collection::Subsets(c), PartialBody::Subsets { digest: d, partials }) => {
                if d != digest {
                    return Err(SignError::BadPartial {
                        party,
                        reason: "it signs another request (its digest is not this SIGN-INIT's)"
                            .into(),
                    });
                }
                keep_subsets(c, party, partials, modulus)
            }
            (Collection::Subsets(_), PartialBody::SubsetsUnbound(_)) => {
                Err(SignError::BadPartial {
                    party,
                    reason: "it does not name the digest it signs (an older mpcegosign made it; use the same version on every machine)".into(),
                })
            }
            _ => Err(SignError::WrongScheme(party)),
        }
    }

    /// After a kept partial: combines what can be combined.
    pub(super) fn try_complete(&mut self, digest: &[u8; 32]) -> Result<Collected, SignError> {
        match self {
            Collection::Subsets(c) => Ok(match c.try_combine()? {
                Feed::Complete { signature, subset } => Collected::Complete { signature, subset },
                Feed::Pending { failed } => Collected::Tried { failed },
            }),
            Collection::Shoup3(state) => {
                let need = usize::from(state.keys.scheme().threshold());
                if state.valid.len() < need {
                    return Ok(Collected::Counted);
                }
                let chosen: Vec<VerifiedPartial> =
                    state.valid.values().take(need).cloned().collect();
                let used: Vec<u8> = chosen.iter().map(VerifiedPartial::party).collect();
                let signature = shoup3::combine(&state.keys, digest, &chosen)?;
                let subset = Subset::from_parties(&used)?;
                Ok(Collected::Complete { signature, subset })
            }
        }
    }

    /// Fails when no signature can complete any more (only provable declines and
    /// failed combinations or bad partials count).
    pub(super) fn check_still_possible(&self, answers: &Answers) -> Result<(), SignError> {
        let declined = || list_or_none(answers.declined.keys().map(u8::to_string).collect());
        match self {
            Collection::Subsets(c) => {
                let proven = |p: u8| answers.declined.get(&p).is_some_and(|(_, proven)| *proven);
                if c.still_possible(&proven) {
                    return Ok(());
                }
                Err(SignError::NoValidSubset {
                    failed: list_or_none(c.failed().iter().map(|s| format!("{{{s}}}")).collect()),
                    declined: declined(),
                    suspects: list_or_none(c.suspects().iter().map(u8::to_string).collect()),
                })
            }
            // t valid partials can still come when the valid ones plus the parties
            // still awaited (not provably declined, no bad partial yet) reach t.
            Collection::Shoup3(state) => {
                let need = usize::from(state.keys.scheme().threshold());
                // An unauthenticated decline may be forged: its party is still awaited.
                let unproven = answers
                    .declined
                    .iter()
                    .filter(|(p, (_, proven))| !proven && !(answers.answered)(**p))
                    .count();
                if state.valid.len() + answers.waiting.len() + unproven >= need {
                    return Ok(());
                }
                Err(SignError::NotEnoughPartials {
                    valid: state.valid.len(),
                    need,
                    declined: declined(),
                    bad: list_or_none(state.bad.iter().map(u8::to_string).collect()),
                    waiting: list_or_none(answers.waiting.iter().map(u8::to_string).collect()),
                })
            }
        }
    }

    /// Parties suspected of bad partials: in a failed subset and in no subset that
    /// could still succeed (`subsets`), or with a partial that failed its proof.
    pub(super) fn suspects(&self) -> Vec<u8> {
        match self {
            Collection::Subsets(c) => c.suspects(),
            Collection::Shoup3(state) => state.bad.iter().copied().collect(),
        }
    }
}

impl Shoup3Collection {
    fn keep(&mut self, party: u8, value: &[u8], digest: &[u8; 32]) -> Result<(), SignError> {
        if self.valid.contains_key(&party) {
            return Err(SignError::Duplicate(party));
        }
        let checked =
            match PartialWithProof::from_bytes(value).and_then(|p| p.verify(&self.keys, digest)) {
                Ok(v) if v.party() == party => Ok(v),
                Ok(_) => Err("it is made by another party".to_string()),
                Err(e) => Err(e.to_string()),
            };
        match checked {
            Ok(v) => {
                self.bad.remove(&party);
                self.valid.insert(party, v);
                Ok(())
            }
            Err(reason) => {
                self.bad.insert(party);
                Err(SignError::BadPartial { party, reason })
            }
        }
    }
}

/// `subsets`: exactly the subsets expected of `party`, each value in (1, N).
fn keep_subsets(
    c: &mut subsets::Collector,
    party: u8,
    partials: &[(u16, [u8; 384])],
    modulus: &BigUint,
) -> Result<(), SignError> {
    let expected = c.expected(party);
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
        if value <= BigUint::from(1u8) || &value >= modulus {
            return Err(SignError::OutOfRange(party));
        }
        values.insert(Subset::from_bits(*subset), value);
    }
    c.keep(party, values);
    Ok(())
}
