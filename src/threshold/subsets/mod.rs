//! `subsets`: the reference tool's scheme. For every t-subset S of the n parties the
//! dealer draws an independent additive sharing d = Σ_{i∈S} d_{S,i} (mod λ); each
//! party holds one sub-share per t-subset it belongs to ([`Share`]). Any t parties
//! find their common subset; each raises the message to its sub-share
//! ([`partial_sign`]), and the product of the t partials is m^d mod N ([`combine`]).
//! There is no verification data: a wrong partial shows only when its subset fails
//! to combine, so the initiator's [`Collector`] plans subsets and tries combinations.
//!
//! [`rebuild`] gives the whole key back from the shares of one t-subset (`recover`);
//! `refresh` gives new sub-shares of the same key (a split of zero per subset, with
//! commitments g^r everyone checks).
//!
//! Flow: [`deal`] → [`Share`]s → [`partial_sign`] → [`Collector`] → [`combine`].

mod collect;
mod combine;
mod dealer;
mod partial;
mod rebuild;
pub mod refresh;
mod share;

pub use collect::{Collector, Feed};
pub use combine::combine;
pub use dealer::{deal, EXTRA_BITS, MAX_SUB_SHARE_BITS};
pub use partial::{partial_sign, PartialSignature, SubShares};
pub use rebuild::rebuild;
pub use share::{Share, MAX_REFRESHED_SUB_SHARE_BITS};
