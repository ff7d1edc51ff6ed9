//! `shoup3`: Shoup's threshold RSA ("Practical Threshold Signatures", Eurocrypt 2000),
//! adapted to e = 3 (see docs/shoup3.md).
//!
//! Each party holds one share s_i = f(i) of a polynomial of degree t − 1 over Z_m
//! (m = p′q′ for safe primes p = 2p′+1, q = 2q′+1) with f(0) = d · r⁻¹, where
//! 4Δ² = 2^k · r, Δ = n!, d = 3⁻¹ mod m. Any t partials x_i = M^{2Δ s_i} combine into
//! the ordinary RSA signature M^d mod N; each partial carries a proof of correctness
//! against the public verification keys v_i = v^{s_i}. Dealing version 2 (what `deal`
//! makes now) publishes Feldman commitments C_k = v^{a_k} and a share bound S instead
//! of v_1..v_n, and deals shares that are multiples of Δ; version 1 keys still load,
//! check and sign.
//!
//! Files: `params`, `primes`, `key` (safe-prime keys), `deal`, `vkeys` (verification
//! data and the dealing checks), `commitments` (version 2's C_k and S), `range` (the
//! proof's range per dealing),
//! `secret_share` (s_i) and `share` (the checked share), `partial`, `proof`,
//! `batch_proof` (one proof for a party's partials over several digests), `combine`,
//! `arith`, `rebuild` (the whole key back from t shares, for
//! `recover`), and `refresh` (new shares of the same key: Feldman-checked random
//! polynomials without constant term, the share bound growing by about 137 bits for
//! 3-of-5 per refresh; a refreshed share is ≡ 0 mod j rather than a multiple of Δ).
//!
//! Flow: [`SafePrimeKey`] → [`deal`] → ([`VerificationKeys`], [`SecretShare`]s) →
//! each joiner's [`Share::accept`] (the dealing checks) → [`partial_sign`] →
//! [`PartialWithProof::verify`] → [`combine`].

mod arith;
mod batch_proof;
mod combine;
mod commitments;
mod deal;
mod key;
mod params;
mod partial;
mod primes;
mod proof;
mod range;
mod rebuild;
pub mod refresh;
mod secret_share;
mod share;
mod vkeys;

pub use batch_proof::{
    batch_encoded_len, batch_partial_bytes, batch_sign, BatchPartial, MAX_BATCH,
};
pub use combine::{combine, combine_any, Combined};
pub use commitments::{fresh_share_bound, Commitments, MAX_SHARE_BOUND, VERSION_FELDMAN};
pub use deal::{accept_all, deal, deal_seeded, deal_seeded_version, Dealing};
#[cfg(any(test, feature = "test-export"))]
pub use deal::{deal_wrong_secret_for_tests, keys_under_other_base_for_tests};
pub use key::{SafeKeygenEvent, SafePrimeKey};
pub use params::Params;
pub use partial::{
    partial_encoded_len, partial_sign, partial_value, PartialWithProof, VerifiedPartial,
    PARTIAL_BYTES,
};
pub use proof::Proof;
pub use range::ProofRange;
pub use rebuild::rebuild;
pub use refresh::{bound_after_refreshes, next_bound};
pub use secret_share::{secret_share_bytes_v2, SecretShare, SECRET_SHARE_BYTES};
pub use share::Share;
pub use vkeys::{derive_v, VerificationKeys};

use super::ThresholdError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Shoup3Error {
    #[error(transparent)]
    Scheme(#[from] ThresholdError),
    #[error("party {party} is not in 1..={n}")]
    PartyOutOfRange { party: u8, n: u8 },
    #[error("party {party} appears twice")]
    DuplicateParty { party: u8 },
    #[error("the {0} is malformed or out of range")]
    Malformed(&'static str),
    #[error("the {what} has {got} bytes; expected {want}")]
    Length {
        what: &'static str,
        got: usize,
        want: usize,
    },
    #[error("unsupported {what} version {version}; update mpcegosign")]
    Version { what: &'static str, version: u8 },
    #[error("a public value shares a factor with the modulus")]
    NotInvertible,
    #[error("big-number arithmetic failed: {0}")]
    Arithmetic(String),
    #[error("safe-prime key generation failed: {0}")]
    Keygen(String),
    #[error("key generation was cancelled")]
    Cancelled,
    #[error("cannot use this key: {0}")]
    Import(String),
    #[error("the key's primes are not safe primes (p = 2p'+1 with p' prime); shoup3 needs such a key, use --scheme subsets for this one")]
    NotSafePrimes,
    #[error("the dealer sent party {party} a share that does not match its verification key v_{party}; refuse this dealing and have the dealer deal again")]
    WrongShare { party: u8 },
    #[error("party {party}'s share is not of its dealing's form (below 2^S and a multiple of Delta, or of its party number once refreshed); refuse this dealing and have the dealer deal again")]
    ShareForm { party: u8 },
    #[error("verification key v_{party} is not on one polynomial of degree t-1 with the others; the dealing is corrupt, refuse it")]
    InconsistentKeys { party: u8 },
    #[error("the dealt shares do not encode d/r for this modulus (V^(3r) != v^Delta); the dealing is corrupt, refuse it")]
    WrongSecret,
    #[error("the verification base v does not match the verification keys or this party's share; the dealing is corrupt, refuse it")]
    WrongBase,
    #[error("party {party}'s partial signature fails its proof of correctness (tampered, or made for another message)")]
    BadProof { party: u8 },
    #[error("party {party}'s partial signature is for another message")]
    OtherMessage { party: u8 },
    #[error("only {valid} valid partial signatures, {need} needed{culprits}")]
    NotEnoughPartials {
        valid: usize,
        need: usize,
        culprits: String,
    },
    #[error("the partial signatures do not combine into a valid signature")]
    InvalidCombination,
}
