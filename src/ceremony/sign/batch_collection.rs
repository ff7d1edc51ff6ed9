//! The scheme side of batch signing: the signer's SIGN-PARTIAL-BATCH body, and the
//! initiator's collection of every enclave's partials. `shoup3`: one batched proof per
//! party (threshold/shoup3/batch_proof.rs) bound to the session, checked on arrival;
//! any t valid answers combine every enclave. `subsets`: each enclave goes through the
//! single signing's [`Collection`] (subset planning, digest and range checks).

use std::collections::BTreeMap;

use num_bigint::BigUint;

use super::collection::{partial_body, Collected, Collection};
use super::review::Review;
use super::SignError;
use crate::protocol::{BatchBody, PartialBody, SessionId};
use crate::threshold::shoup3::{self, BatchPartial, VerifiedPartial};
use crate::threshold::{SchemeShare, Subset};

/// The signer's body for the reviewed enclaves, in order: `shoup3` one batched proof
/// bound to `session`; `subsets` each enclave's partials as a single signing makes them.
pub(super) fn batch_body(
    share: &SchemeShare,
    reviews: &[&Review],
    session: SessionId,
) -> Result<BatchBody, SignError> {
    match share {
        SchemeShare::Shoup3(s) => {
            let digests: Vec<[u8; 32]> = reviews.iter().map(|r| r.digest).collect();
            let batch = shoup3::batch_sign(s, &digests, &session.0)?;
            Ok(BatchBody::Shoup3(batch.to_bytes()))
        }
        SchemeShare::Subsets(_) => {
            let mut lists = Vec::with_capacity(reviews.len());
            for r in reviews {
                match partial_body(share.partial(&r.digest, &r.subsets)?, r.digest) {
                    PartialBody::Subsets { digest, partials } => lists.push((digest, partials)),
                    _ => unreachable!("a subsets share makes subsets partials"),
                }
            }
            Ok(BatchBody::Subsets(lists))
        }
    }
}

/// The batch initiator's collected partials.
#[derive(Debug)]
pub(super) enum BatchCollection {
    Shoup3 {
        keys: Box<shoup3::VerificationKeys>,
        session: SessionId,
        digests: Vec<[u8; 32]>,
        valid: BTreeMap<u8, Vec<VerifiedPartial>>,
    },
    Subsets {
        modulus: BigUint,
        /// Per enclave: its digest, its collection, and its signature once verified.
        enclaves: Vec<([u8; 32], Collection, Option<BigUint>)>,
    },
}

impl BatchCollection {
    /// Starts with the initiator's own partials (checked like any other).
    pub(super) fn start(
        share: &SchemeShare,
        signers: Subset,
        digests: &[[u8; 32]],
        session: SessionId,
    ) -> Result<Self, SignError> {
        Ok(match share {
            SchemeShare::Shoup3(s) => {
                let mine = shoup3::batch_sign(s, digests, &session.0)?.verify(
                    s.keys(),
                    digests,
                    &session.0,
                )?;
                BatchCollection::Shoup3 {
                    keys: Box::new(s.keys().clone()),
                    session,
                    digests: digests.to_vec(),
                    valid: BTreeMap::from([(s.party(), mine)]),
                }
            }
            SchemeShare::Subsets(s) => BatchCollection::Subsets {
                modulus: s.public().modulus().clone(),
                enclaves: digests
                    .iter()
                    .map(|d| Ok((*d, Collection::start(share, signers, *d)?, None)))
                    .collect::<Result<_, SignError>>()?,
            },
        })
    }

    /// Checks `party`'s answer for every enclave and keeps it.
    pub(super) fn keep(&mut self, party: u8, body: &BatchBody) -> Result<(), SignError> {
        match (self, body) {
            (
                BatchCollection::Shoup3 {
                    keys,
                    session,
                    digests,
                    valid,
                },
                BatchBody::Shoup3(bytes),
            ) => {
                let checked = BatchPartial::from_bytes(bytes)
                    .and_then(|b| b.verify(keys, digests, &session.0));
                match checked {
                    Ok(v) if v.iter().all(|p| p.party() == party) => {
                        valid.insert(party, v);
                        Ok(())
                    }
                    Ok(_) => Err(SignError::BadPartial {
                        party,
                        reason: "it is made by another party".into(),
                    }),
                    Err(e) => Err(SignError::BadPartial {
                        party,
                        reason: e.to_string(),
                    }),
                }
            }
            (BatchCollection::Subsets { modulus, enclaves }, BatchBody::Subsets(lists)) => {
                if lists.len() != enclaves.len() {
                    return Err(SignError::BadPartial {
                        party,
                        reason: format!(
                            "it answers for {} enclaves, the batch has {}",
                            lists.len(),
                            enclaves.len()
                        ),
                    });
                }
                if lists
                    .iter()
                    .zip(enclaves.iter())
                    .any(|((d, _), (e, _, _))| d != e)
                {
                    return Err(SignError::BadPartial {
                        party,
                        reason: "it signs another request (its digests are not this batch's)"
                            .into(),
                    });
                }
                // All enclaves or none: checked into copies, kept only if all pass.
                let mut kept = Vec::with_capacity(enclaves.len());
                for ((digest, partials), (own, c, _)) in lists.iter().zip(enclaves.iter()) {
                    let body = PartialBody::Subsets {
                        digest: *digest,
                        partials: partials.clone(),
                    };
                    let mut c = c.clone();
                    c.keep(party, &body, own, modulus)?;
                    kept.push(c);
                }
                for ((_, c, _), k) in enclaves.iter_mut().zip(kept) {
                    *c = k;
                }
                Ok(())
            }
            _ => Err(SignError::WrongScheme(party)),
        }
    }

    /// Every enclave's verified signature once all can complete, else `None`.
    pub(super) fn try_complete(&mut self) -> Result<Option<Vec<BigUint>>, SignError> {
        match self {
            BatchCollection::Shoup3 {
                keys,
                digests,
                valid,
                ..
            } => {
                let need = usize::from(keys.scheme().threshold());
                if valid.len() < need {
                    return Ok(None);
                }
                let chosen: Vec<&Vec<VerifiedPartial>> = valid.values().take(need).collect();
                let mut out = Vec::with_capacity(digests.len());
                for (j, d) in digests.iter().enumerate() {
                    let parts: Vec<VerifiedPartial> = chosen.iter().map(|v| v[j].clone()).collect();
                    out.push(shoup3::combine(keys, d, &parts)?);
                }
                Ok(Some(out))
            }
            BatchCollection::Subsets { enclaves, .. } => {
                for (digest, c, done) in enclaves.iter_mut() {
                    if done.is_none() {
                        if let Collected::Complete { signature, .. } = c.try_complete(digest)? {
                            *done = Some(signature);
                        }
                    }
                }
                Ok(enclaves.iter().map(|(_, _, s)| s.clone()).collect())
            }
        }
    }
}
