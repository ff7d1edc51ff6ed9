//! The one interface over both schemes: [`SchemeShare`] holds a party's share of
//! either scheme, [`Partial`] what it contributes to a signing. Callers ask these
//! instead of matching on the scheme.

use super::shoup3::{self, PartialWithProof, Shoup3Error};
use super::subsets::{self, partial_sign, PartialSignature};
use super::{RebuildError, Scheme, Subset, ThresholdError};
use crate::key::{PrivateKey, PublicKey};
use crate::secret::subtle_eq::ct_eq_bytes;

/// Which scheme a share or message is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeKind {
    Subsets,
    Shoup3,
}

impl SchemeKind {
    /// The name share files, messages and humans use.
    pub fn name(self) -> &'static str {
        match self {
            SchemeKind::Subsets => "subsets",
            SchemeKind::Shoup3 => "shoup3",
        }
    }
}

/// A party's share of either scheme (the `shoup3` one already through its dealing
/// checks). Secrets are wiped on drop; `Debug` shows none.
#[derive(Debug)]
pub enum SchemeShare {
    Subsets(subsets::Share),
    Shoup3(shoup3::Share),
}

/// One party's contribution to a signing over one digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Partial {
    /// One partial per t-subset asked for, in that order.
    Subsets(Vec<PartialSignature>),
    /// The one partial with its proof of correctness.
    Shoup3(PartialWithProof),
}

/// Why a partial could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PartialError {
    #[error(transparent)]
    Subsets(#[from] ThresholdError),
    #[error(transparent)]
    Shoup3(#[from] Shoup3Error),
}

impl SchemeShare {
    pub fn kind(&self) -> SchemeKind {
        match self {
            SchemeShare::Subsets(_) => SchemeKind::Subsets,
            SchemeShare::Shoup3(_) => SchemeKind::Shoup3,
        }
    }
    pub fn party(&self) -> u8 {
        match self {
            SchemeShare::Subsets(s) => s.party(),
            SchemeShare::Shoup3(s) => s.party(),
        }
    }
    pub fn scheme(&self) -> Scheme {
        match self {
            SchemeShare::Subsets(s) => s.scheme(),
            SchemeShare::Shoup3(s) => s.keys().scheme(),
        }
    }
    /// The RSA public key the shares sign for.
    pub fn public_key(&self) -> Result<PublicKey, Shoup3Error> {
        match self {
            SchemeShare::Subsets(s) => Ok(s.public().clone()),
            SchemeShare::Shoup3(s) => s.keys().public_key(),
        }
    }
    pub fn as_subsets(&self) -> Option<&subsets::Share> {
        match self {
            SchemeShare::Subsets(s) => Some(s),
            SchemeShare::Shoup3(_) => None,
        }
    }
    pub fn as_shoup3(&self) -> Option<&shoup3::Share> {
        match self {
            SchemeShare::Shoup3(s) => Some(s),
            SchemeShare::Subsets(_) => None,
        }
    }

    /// The t-subsets this party signs for when `signers` are asked and `initiator`
    /// combines: those within the signers holding both (only those the initiator can
    /// use); empty for `shoup3`, where one partial serves any t signers.
    pub fn signing_subsets(&self, signers: Subset, initiator: u8) -> Vec<Subset> {
        match self {
            SchemeShare::Shoup3(_) => Vec::new(),
            SchemeShare::Subsets(s) => s.scheme().subsets_within(
                signers,
                Subset::from_bits(0).with(initiator).with(s.party()),
            ),
        }
    }

    /// This party's partial over `digest`: for `subsets` one per subset of
    /// `subsets` (see [`Self::signing_subsets`]), for `shoup3` the one partial with
    /// its proof.
    pub fn partial(&self, digest: &[u8; 32], subsets: &[Subset]) -> Result<Partial, PartialError> {
        match self {
            SchemeShare::Shoup3(s) => Ok(Partial::Shoup3(shoup3::partial_sign(s, digest)?)),
            SchemeShare::Subsets(s) => Ok(Partial::Subsets(
                subsets
                    .iter()
                    .map(|subset| partial_sign(s, *subset, digest))
                    .collect::<Result<_, _>>()?,
            )),
        }
    }

    /// What this party holds, for `share info`: a label and its value.
    pub fn holding(&self) -> (&'static str, String) {
        match self {
            SchemeShare::Shoup3(s) => (
                "share:",
                format!("one (s_{}), with the verification data", s.party()),
            ),
            SchemeShare::Subsets(s) => ("sub-shares:", s.sub_share_count().to_string()),
        }
    }

    /// What signing asks of this party, for the signer's review: `subsets` is the
    /// number of subsets it signs for ([`Self::signing_subsets`]).
    pub fn signing_work(&self, subsets: usize) -> String {
        match self {
            SchemeShare::Shoup3(s) => format!(
                "one partial with its proof; any {} valid partials sign",
                s.keys().scheme().threshold()
            ),
            SchemeShare::Subsets(_) => format!("{subsets} partial(s) to compute"),
        }
    }

    /// What the joiner's checks of its dealing proved, when the scheme has any
    /// (`shoup3`'s dealing checks; `subsets` publishes nothing to check against).
    pub fn dealing_checked(&self) -> Option<String> {
        match self {
            SchemeShare::Shoup3(s) if s.keys().commitments().is_some() => Some(format!(
                "The dealing checks passed: your share matches v_{}, derived from the dealer's commitments, which fix one polynomial sharing the key's secret exponent.",
                s.party()
            )),
            SchemeShare::Shoup3(s) => Some(format!(
                "The dealing checks passed: your share matches v_{}, all verification keys lie on one polynomial, and they share the key's secret exponent.",
                s.party()
            )),
            SchemeShare::Subsets(_) => None,
        }
    }

    /// The whole private key from t shares of one key (this one among them or
    /// not), in wiped memory; p·q = N and MRSIGNER are checked before it is returned.
    pub fn rebuild(shares: &[&SchemeShare]) -> Result<PrivateKey, RebuildError> {
        let first = shares
            .first()
            .ok_or(RebuildError::NotEnough { have: 0, need: 2 })?;
        match first {
            SchemeShare::Shoup3(_) => {
                let all: Vec<&shoup3::Share> = shares
                    .iter()
                    .map(|s| {
                        s.as_shoup3()
                            .ok_or(RebuildError::Mixed { party: s.party() })
                    })
                    .collect::<Result<_, _>>()?;
                shoup3::rebuild(&all)
            }
            SchemeShare::Subsets(_) => {
                let all: Vec<&subsets::Share> = shares
                    .iter()
                    .map(|s| {
                        s.as_subsets()
                            .ok_or(RebuildError::Mixed { party: s.party() })
                    })
                    .collect::<Result<_, _>>()?;
                subsets::rebuild(&all)
            }
        }
    }

    /// Whether `other` holds the same secret and verification data (secrets compared
    /// in constant time).
    pub fn same_secret(&self, other: &SchemeShare) -> bool {
        match (self, other) {
            (SchemeShare::Shoup3(a), SchemeShare::Shoup3(b)) => {
                a.keys() == b.keys()
                    && ct_eq_bytes(
                        a.secret().to_bytes().expose(),
                        b.secret().to_bytes().expose(),
                    )
            }
            (SchemeShare::Subsets(a), SchemeShare::Subsets(b)) => a.same_secret(b),
            _ => false,
        }
    }
}

impl AsRef<SchemeShare> for SchemeShare {
    fn as_ref(&self) -> &SchemeShare {
        self
    }
}

#[cfg(test)]
#[path = "interface_tests.rs"]
mod tests;
