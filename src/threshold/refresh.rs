//! The one refresh interface over both schemes, on [`SchemeShare`]: draw a
//! contribution, check a sender's public part (anyone) and its part for this party
//! (the recipient), and apply all n contributions into the refreshed share. The types
//! are in `contribution.rs`, the math in `shoup3/refresh.rs` and `subsets/refresh.rs`.

use super::contribution::{RefreshContribution, RefreshError};
use super::interface::SchemeShare;
use super::{shoup3, subsets};

impl SchemeShare {
    /// Draws this party's contribution (OsRng). Refuses a shoup3 dealing-version-1 key.
    pub fn refresh_contribution(&self) -> Result<RefreshContribution, RefreshError> {
        match self {
            SchemeShare::Shoup3(s) => shoup3::refresh::contribution(s),
            SchemeShare::Subsets(s) => subsets::refresh::contribution(s),
        }
    }

    /// Anyone: a sender's public part is well formed (sizes, counts, ranges; subsets:
    /// each subset's commitments multiply to 1).
    pub fn check_refresh_public(&self, sender: u8, public: &[u8]) -> Result<(), RefreshError> {
        match self {
            SchemeShare::Shoup3(s) => shoup3::refresh::check_public(s, sender, public).map(drop),
            SchemeShare::Subsets(s) => subsets::refresh::check_public(s, sender, public).map(drop),
        }
    }

    /// The recipient (this share's party): its part from `sender` matches `public`.
    pub fn check_refresh_part(
        &self,
        sender: u8,
        public: &[u8],
        part: &[u8],
    ) -> Result<(), RefreshError> {
        match self {
            SchemeShare::Shoup3(s) => {
                shoup3::refresh::check_part(s, sender, public, part).map(drop)
            }
            SchemeShare::Subsets(s) => {
                subsets::refresh::check_part(s, sender, public, part).map(drop)
            }
        }
    }

    /// All n contributions (sender, public, this party's part from it; own included):
    /// checks them all again, then returns the refreshed share (new secret and, for
    /// shoup3, the new verification data with the new bound S′).
    pub fn apply_refresh(&self, all: &[(u8, &[u8], &[u8])]) -> Result<SchemeShare, RefreshError> {
        match self {
            SchemeShare::Shoup3(s) => shoup3::refresh::apply(s, all).map(SchemeShare::Shoup3),
            SchemeShare::Subsets(s) => subsets::refresh::apply(s, all).map(SchemeShare::Subsets),
        }
    }
}
