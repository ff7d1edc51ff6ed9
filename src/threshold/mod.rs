//! t-of-n threshold RSA with e = 3, in two schemes behind one interface.
//!
//! - **`shoup3`** (the default; [`shoup3`]): Shoup's threshold RSA adapted to e = 3.
//!   Each party holds one share of a polynomial over Z_{p′q′} (safe primes); a
//!   partial carries a proof of correctness against public verification keys, so the
//!   initiator checks every partial on arrival and any t valid partials combine.
//!   Needs a key with safe primes; see docs/shoup3.md for its security argument.
//! - **`subsets`** (the reference tool's; [`subsets`]): one independent additive
//!   sharing of d per t-subset of the parties. Works with any key, but publishes no
//!   verification data: a wrong partial shows only when its subset fails to combine.
//!
//! [`SchemeShare`] is the one interface ceremonies, share files and the dry run use:
//! it holds either scheme's share and answers, whatever the scheme, who the party
//! is, which scheme it is ([`SchemeKind`]), the partial over a digest with whatever
//! proof the scheme has ([`SchemeShare::partial`] → [`Partial`]), and the dry run's
//! check ([`selftest`]), and the whole key back from t shares
//! ([`SchemeShare::rebuild`], N factored in `factor`, for `recover`), and a refresh:
//! new shares of the same key from every party's [`RefreshContribution`]
//! ([`SchemeShare::refresh_contribution`] → check → [`SchemeShare::apply_refresh`],
//! `refresh.rs`, each scheme's `refresh.rs`). Each scheme's
//! folder holds its dealer, partial, checks and
//! combiner; `subsets::Collector` plans subsets for an initiator, `shoup3`'s
//! [`shoup3::PartialWithProof::verify`] checks a partial on arrival. Shared by both:
//! the t-of-n [`Scheme`], sets of parties ([`Subset`]) and the party-range rule.

mod contribution;
mod error;
mod factor;
mod interface;
mod refresh;
pub mod selftest;
pub mod shoup3;
mod subset;
pub mod subsets;

pub use contribution::{RefreshContribution, RefreshError};
pub use error::ThresholdError;
pub use factor::RebuildError;
pub use interface::{Partial, PartialError, SchemeKind, SchemeShare};
pub use subset::{is_party_number, Scheme, Subset, MAX_PARTIES};
pub use subsets::{combine, deal, partial_sign, PartialSignature, EXTRA_BITS, MAX_SUB_SHARE_BITS};
