//! Shared by both schemes: the t-of-n [`Scheme`] and sets of parties ([`Subset`]), as
//! bitmasks over party numbers 1..=n (signer lists, and the `subsets` scheme's t-subsets),
//! and the party-range rule, written once: [`is_party_number`] (1..=16) and
//! [`Scheme::has_party`] (1..=n).

use std::fmt;

use super::ThresholdError;

/// Parties are numbered 1..=MAX_PARTIES.
pub const MAX_PARTIES: u8 = 16;

/// Whether `party` is a party number at all (1..=[`MAX_PARTIES`]): the one place
/// this rule is written; a key's own range is [`Scheme::has_party`].
pub fn is_party_number(party: u8) -> bool {
    (1..=MAX_PARTIES).contains(&party)
}

/// A t-of-n threshold scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scheme {
    n: u8,
    t: u8,
}

impl Scheme {
    pub fn new(n: u8, t: u8) -> Result<Self, ThresholdError> {
        if t < 2 || t > n || n > MAX_PARTIES {
            return Err(ThresholdError::BadScheme { n, t });
        }
        Ok(Scheme { n, t })
    }
    pub fn parties(&self) -> u8 {
        self.n
    }
    pub fn threshold(&self) -> u8 {
        self.t
    }
    /// Whether `party` is one of this scheme's parties (1..=n): the one place this
    /// rule is written; callers that word the error their own way ask this.
    pub fn has_party(&self, party: u8) -> bool {
        (1..=self.n).contains(&party)
    }
    pub fn check_party(&self, party: u8) -> Result<(), ThresholdError> {
        if !self.has_party(party) {
            return Err(ThresholdError::PartyOutOfRange { party, n: self.n });
        }
        Ok(())
    }
    /// Every t-subset of 1..=n, in increasing bitmask order.
    pub fn subsets(&self) -> Vec<Subset> {
        (1u32..(1u32 << self.n))
            .filter(|m| m.count_ones() == u32::from(self.t))
            .map(|m| Subset(m as u16))
            .collect()
    }
    /// The t-subsets a party belongs to (the sub-shares it holds).
    pub fn subsets_of(&self, party: u8) -> Vec<Subset> {
        self.subsets()
            .into_iter()
            .filter(|s| s.contains(party))
            .collect()
    }
    /// The t-subsets drawn from `present` that contain all of `required`.
    pub fn subsets_within(&self, present: Subset, required: Subset) -> Vec<Subset> {
        self.subsets()
            .into_iter()
            .filter(|s| s.is_within(present) && required.is_within(*s))
            .collect()
    }
    /// Is `s` one of this scheme's t-subsets?
    pub fn is_subset(&self, s: Subset) -> bool {
        s.len() == self.t && s.max_party() <= self.n
    }
}

/// A set of parties, bit i-1 for party i.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subset(u16);

impl Subset {
    pub fn from_bits(bits: u16) -> Self {
        Subset(bits)
    }
    pub fn bits(&self) -> u16 {
        self.0
    }
    pub fn from_parties(parties: &[u8]) -> Result<Self, ThresholdError> {
        let mut bits = 0u16;
        for &p in parties {
            if !is_party_number(p) {
                return Err(ThresholdError::PartyOutOfRange {
                    party: p,
                    n: MAX_PARTIES,
                });
            }
            bits |= 1 << (p - 1);
        }
        Ok(Subset(bits))
    }
    pub fn contains(&self, party: u8) -> bool {
        is_party_number(party) && self.0 & (1 << (party - 1)) != 0
    }
    pub fn len(&self) -> u8 {
        self.0.count_ones() as u8
    }
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
    pub fn is_within(&self, other: Subset) -> bool {
        self.0 & !other.0 == 0
    }
    pub fn with(&self, party: u8) -> Subset {
        Subset(self.0 | (1 << (party - 1)))
    }
    pub fn parties(&self) -> Vec<u8> {
        (1..=MAX_PARTIES).filter(|&p| self.contains(p)).collect()
    }
    fn max_party(&self) -> u8 {
        16 - self.0.leading_zeros() as u8
    }
}

impl fmt::Display for Subset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.parties().iter().map(u8::to_string).collect();
        f.write_str(&parts.join(","))
    }
}

impl std::str::FromStr for Subset {
    type Err = ThresholdError;
    /// Parses the share file's canonical form: ascending numbers, commas, no spaces.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ThresholdError::BadSubset(s.to_string());
        let mut last = 0u8;
        let mut parties = Vec::new();
        for part in s.split(',') {
            if part.is_empty()
                || part.len() > 2
                || !part.bytes().all(|b| b.is_ascii_digit())
                || part.starts_with('0')
            {
                return Err(bad());
            }
            let p: u8 = part.parse().map_err(|_| bad())?;
            if p <= last || !is_party_number(p) {
                return Err(bad());
            }
            last = p;
            parties.push(p);
        }
        Subset::from_parties(&parties)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binom(n: u64, k: u64) -> u64 {
        (0..k).fold(1, |acc, i| acc * (n - i) / (i + 1))
    }

    #[test]
    fn subset_counts_match_the_reference_table() {
        // (t, n, sub-shares per party, total share sets)
        for (t, n, per_party, total) in [(2, 3, 2, 3), (3, 5, 6, 10), (4, 5, 4, 5), (5, 5, 1, 1)] {
            let s = Scheme::new(n, t).unwrap();
            assert_eq!(s.subsets().len(), total, "{t}-of-{n}");
            for p in 1..=n {
                assert_eq!(s.subsets_of(p).len(), per_party, "{t}-of-{n} party {p}");
            }
        }
        let s = Scheme::new(9, 5).unwrap();
        assert_eq!(s.subsets().len() as u64, binom(9, 5));
    }

    #[test]
    fn schemes_out_of_range_are_refused() {
        assert!(Scheme::new(3, 1).is_err());
        assert!(Scheme::new(3, 4).is_err());
        assert!(Scheme::new(17, 2).is_err());
        assert!(Scheme::new(16, 16).is_ok());
    }

    #[test]
    fn subset_text_form() {
        let s: Subset = "1,3".parse().unwrap();
        assert_eq!(s.parties(), vec![1, 3]);
        assert_eq!(s.to_string(), "1,3");
        assert_eq!("10,12".parse::<Subset>().unwrap().to_string(), "10,12");
        for bad in ["", "3,1", "1,1", "1, 3", "0,1", "1,17", "a", "1,,2", "01,2"] {
            assert!(bad.parse::<Subset>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn subsets_within_the_present_parties() {
        let s = Scheme::new(5, 3).unwrap();
        let present = Subset::from_parties(&[1, 2, 4, 5]).unwrap();
        let req = Subset::from_parties(&[1, 4]).unwrap();
        let got: Vec<String> = s
            .subsets_within(present, req)
            .iter()
            .map(|x| x.to_string())
            .collect();
        assert_eq!(got, vec!["1,2,4", "1,4,5"]);
    }
}
