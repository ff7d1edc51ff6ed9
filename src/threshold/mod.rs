//! t-of-n threshold RSA by redundant additive sharing.
//!
//! Shoup's threshold RSA needs gcd(e, n!) = 1, which fails for e = 3 once n >= 3.
//! Instead, for every t-subset S of the n parties the dealer draws an independent
//! additive sharing d = Σ_{i∈S} d_{S,i} (mod λ). Any t parties find their common
//! subset; each raises the message to its sub-share, and the product of the t
//! partials is m^d mod N.

mod combine;
mod dealer;
mod partial;
pub mod selftest;
pub mod shoup3;
mod subset;

pub use combine::combine;
pub use dealer::{deal, EXTRA_BITS, MAX_SUB_SHARE_BITS};
pub use partial::{partial_sign, PartialSignature};
pub use subset::{Scheme, Subset, MAX_PARTIES};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ThresholdError {
    #[error("threshold {t} of {n} parties is not allowed: need 2 <= t <= n <= {max}", max = MAX_PARTIES)]
    BadScheme { n: u8, t: u8 },
    #[error("party {party} is not in 1..={n}")]
    PartyOutOfRange { party: u8, n: u8 },
    #[error("`{0}` is not a subset like \"1,3\" (ascending party numbers, comma-separated)")]
    BadSubset(String),
    #[error("party {party} holds no sub-share for subset {subset}")]
    NoSubShare { party: u8, subset: Subset },
    #[error("subset {subset} needs a partial from parties {missing}")]
    MissingPartials { subset: Subset, missing: String },
    #[error("party {party}'s partial signature is out of range")]
    PartialOutOfRange { party: u8 },
    #[error("the partials of subset {subset} do not combine into a valid signature")]
    InvalidCombination { subset: Subset },
    #[error("dealing failed: {0}")]
    Deal(String),
}
