//! The initiator's collection of `subsets` partials: which t-subsets can complete
//! (those within the signers that hold the initiator), the initiator's own partials
//! for them, every candidate answer of each party, and the combinations of
//! candidates tried so far. With no verification data, a bad partial shows only as
//! a subset that fails to combine; the collector names who is then suspect.

use std::collections::{BTreeMap, BTreeSet};

use num_bigint::BigUint;

use super::{combine, partial_sign, PartialSignature, Share};
use crate::key::PublicKey;
use crate::threshold::{Subset, ThresholdError};

/// What the combinations tried after an answer led to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Feed {
    /// A subset combined into a verified signature.
    Complete { signature: BigUint, subset: Subset },
    /// No subset completed; `failed` lists the subsets tried and not verified.
    Pending { failed: Vec<Subset> },
}

/// The initiator's `subsets` state while partials arrive.
#[derive(Debug, Clone)]
pub struct Collector {
    party: u8,
    public: PublicKey,
    digest: [u8; 32],
    candidates: Vec<Subset>,
    own: BTreeMap<Subset, BigUint>,
    /// Every distinct answer of each party: its partial per subset.
    received: BTreeMap<u8, Vec<BTreeMap<Subset, BigUint>>>,
    /// Combinations tried: a subset and the candidate index of each other member.
    tried: BTreeSet<(Subset, Vec<usize>)>,
}

impl Collector {
    /// Plans the subsets the initiator (`share`'s party) can complete with `signers`
    /// and makes its own partials for them over `digest`.
    pub fn new(share: &Share, signers: Subset, digest: [u8; 32]) -> Result<Self, ThresholdError> {
        let party = share.party();
        let candidates = share
            .scheme()
            .subsets_within(signers, Subset::from_bits(0).with(party));
        let mut own = BTreeMap::new();
        for subset in &candidates {
            let PartialSignature { value, .. } = partial_sign(share, *subset, &digest)?;
            own.insert(*subset, value);
        }
        Ok(Collector {
            party,
            public: share.public().clone(),
            digest,
            candidates,
            own,
            received: BTreeMap::new(),
            tried: BTreeSet::new(),
        })
    }

    /// The subsets `party` must send partials for, in order.
    pub fn expected(&self, party: u8) -> Vec<Subset> {
        self.candidates
            .iter()
            .copied()
            .filter(|s| s.contains(party))
            .collect()
    }

    /// Whether `party` has answered with partials.
    pub fn has_answered(&self, party: u8) -> bool {
        self.received.contains_key(&party)
    }

    /// Keeps one answer of `party`: its partials for exactly [`Self::expected`], each
    /// checked in range by the caller.
    pub fn keep(&mut self, party: u8, values: BTreeMap<Subset, BigUint>) {
        self.received.entry(party).or_default().push(values);
    }

    /// Tries every combination of candidates not tried yet; the first that verifies
    /// completes.
    pub fn try_combine(&mut self) -> Result<Feed, ThresholdError> {
        let mut failed = Vec::new();
        for subset in self.candidates.clone() {
            for combo in self.untried_combinations(subset) {
                let partials = self.partials_of(subset, &combo);
                self.tried.insert((subset, combo));
                match combine(&self.public, subset, &partials, &self.digest) {
                    Ok(signature) => return Ok(Feed::Complete { signature, subset }),
                    Err(ThresholdError::InvalidCombination { .. }) => {
                        if !failed.contains(&subset) {
                            failed.push(subset);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(Feed::Pending { failed })
    }

    /// The other members of `subset`, in order.
    pub fn others(&self, subset: Subset) -> Vec<u8> {
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
                .and_then(|c| c.get(&subset))
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
    pub fn has_failed(&self, subset: Subset) -> bool {
        let others = self.others(subset);
        others.iter().all(|p| self.received.contains_key(p))
            && self.untried_combinations(subset).is_empty()
    }

    /// A subset is dead when it failed, or holds a party that provably declined
    /// (`declined_proven`) and sent no partial.
    fn is_dead(&self, subset: Subset, declined_proven: &dyn Fn(u8) -> bool) -> bool {
        self.has_failed(subset)
            || self
                .others(subset)
                .iter()
                .any(|p| declined_proven(*p) && !self.received.contains_key(p))
    }

    /// Whether some candidate subset can still complete.
    pub fn still_possible(&self, declined_proven: &dyn Fn(u8) -> bool) -> bool {
        self.candidates
            .iter()
            .any(|s| !self.is_dead(*s, declined_proven))
    }

    /// The candidate subsets that failed.
    pub fn failed(&self) -> Vec<Subset> {
        self.candidates
            .iter()
            .copied()
            .filter(|s| self.has_failed(*s))
            .collect()
    }

    /// Parties other than the initiator that are in a failed subset and in no subset
    /// that could still succeed.
    pub fn suspects(&self) -> Vec<u8> {
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
}

#[cfg(test)]
#[path = "collect_tests.rs"]
mod tests;
