//! The dry run's partial (`mpcegosign selftest`): a partial signature over a dummy
//! digest, then whatever check the share's scheme allows. One function per scheme;
//! [`test_partial`] is the only place that dispatches (on [`SchemeShare`]).
//!
//! The dummy digest is SHA-256 of a fixed, domain-separated text. It is never the
//! hash of a SIGSTRUCT (that would take a SHA-256 preimage), so even all t test
//! partials together sign nothing an enclave could use; the partials are not shown.

use num_bigint::BigUint;
use num_traits::{One, Zero};
use sha2::{Digest, Sha256};

use super::shoup3::{self, Shoup3Error};
use super::subsets::{self, partial_sign};
use super::{SchemeShare, ThresholdError};

/// Why a test partial could not be made or did not check.
#[derive(Debug, thiserror::Error)]
pub enum SelftestError {
    #[error(transparent)]
    Subsets(#[from] ThresholdError),
    #[error(transparent)]
    Shoup3(#[from] Shoup3Error),
}

/// Domain separation of the dummy digest.
pub const DUMMY_DOMAIN: &[u8] = b"mpcegosign selftest v1: dummy digest, never a SIGSTRUCT\0";

/// The digest the test partials are made over, for one party.
pub fn dummy_digest(party: u8) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(DUMMY_DOMAIN);
    h.update([party]);
    h.finalize().into()
}

/// What the test partial showed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartialCheck {
    /// The partials were checked against the scheme's verification data.
    Verified { partials: usize },
    /// The partials were made and are well-formed, but the scheme has no data to
    /// check them against; `why` says so for the report.
    Unverifiable { partials: usize, why: &'static str },
}

/// Makes the test partial(s) of this share over the dummy digest and checks them
/// as far as the share's scheme allows.
pub fn test_partial(share: &impl AsRef<SchemeShare>) -> Result<PartialCheck, SelftestError> {
    match share.as_ref() {
        SchemeShare::Shoup3(s) => shoup3_partial(s),
        SchemeShare::Subsets(s) => Ok(subsets_partial(s)?),
    }
}

/// The shoup3 scheme: the party's one partial with its proof of correctness, checked
/// against the verification keys exactly as an initiator checks it (a wrong share
/// fails the proof; loading the file already ran the dealing checks).
fn shoup3_partial(share: &shoup3::Share) -> Result<PartialCheck, SelftestError> {
    let digest = dummy_digest(share.party());
    shoup3::partial_sign(share, &digest)?.verify(share.keys(), &digest)?;
    Ok(PartialCheck::Verified { partials: 1 })
}

/// The subsets scheme: one partial per t-subset the party belongs to. Each must be a
/// unit modulo N other than 0 and 1; without the other parties' sub-shares nothing
/// more can be checked (the scheme publishes no verification keys), so a wrong
/// sub-share shows only when a real signing combines.
fn subsets_partial(share: &subsets::Share) -> Result<PartialCheck, ThresholdError> {
    let digest = dummy_digest(share.party());
    let n = share.public().modulus();
    let mut count = 0;
    for subset in share.subsets() {
        let p = partial_sign(share, subset, &digest)?;
        if p.value.is_zero() || p.value.is_one() || &p.value >= n || !coprime(&p.value, n) {
            return Err(ThresholdError::PartialOutOfRange {
                party: share.party(),
            });
        }
        count += 1;
    }
    Ok(PartialCheck::Unverifiable {
        partials: count,
        why: "the subsets scheme has no verification data; a wrong sub-share shows only when a signing combines",
    })
}

fn coprime(a: &BigUint, n: &BigUint) -> bool {
    num_integer::Integer::gcd(a, n).is_one()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dummy_digests_are_domain_separated_per_party() {
        assert_ne!(dummy_digest(1), dummy_digest(2));
        let plain: [u8; 32] = Sha256::digest([1u8]).into();
        assert_ne!(dummy_digest(1), plain);
        let mut h = Sha256::new();
        h.update(DUMMY_DOMAIN);
        h.update([7u8]);
        let want: [u8; 32] = h.finalize().into();
        assert_eq!(dummy_digest(7), want);
    }

    #[test]
    fn every_share_makes_its_test_partials() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keys/key1.pem"
        ))
        .unwrap();
        let key = crate::key::PrivateKey::from_pem(&pem).unwrap();
        let shares =
            crate::threshold::deal(&key, crate::threshold::Scheme::new(3, 2).unwrap()).unwrap();
        for share in shares {
            match test_partial(&SchemeShare::Subsets(share)).unwrap() {
                // Party i is in C(2, 1) = 2 of the 2-subsets of 3 parties.
                PartialCheck::Unverifiable { partials, why } => {
                    assert_eq!(partials, 2);
                    assert!(why.contains("no verification data"));
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn a_shoup3_share_checks_its_partial_against_the_verification_keys() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/keys/safe1.pem"
        ))
        .unwrap();
        let key = shoup3::SafePrimeKey::from_pem(&pem).unwrap();
        let dealing = shoup3::deal(key, crate::threshold::Scheme::new(3, 2).unwrap()).unwrap();
        let shares = shoup3::accept_all(dealing).unwrap();
        for share in shares {
            assert_eq!(
                test_partial(&SchemeShare::Shoup3(share)).unwrap(),
                PartialCheck::Verified { partials: 1 }
            );
        }
    }
}
