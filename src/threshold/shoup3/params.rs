//! The public constants of a t-of-n shoup3 key: Δ = n!, 4Δ² = 2^k · r with r odd,
//! a and b with a · 2^k + 3b = 1, and the Δ-multiplied Lagrange coefficients.

use num_bigint::{BigInt, BigUint};
use num_integer::Integer;
use num_traits::{One, Zero};

use super::Shoup3Error;
use crate::threshold::Scheme;

/// Constants derived from the scheme alone (all public).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    scheme: Scheme,
    delta: BigUint,
    k: u64,
    r: BigUint,
    a: BigInt,
    b: BigInt,
}

impl Params {
    pub fn new(scheme: Scheme) -> Self {
        let delta: BigUint = (1..=u32::from(scheme.parties()))
            .map(BigUint::from)
            .product();
        let four_delta_sq = &delta * &delta * 4u8;
        // 4Δ² > 0, so it has a lowest set bit.
        let k = four_delta_sq.trailing_zeros().unwrap_or(0);
        let r = &four_delta_sq >> k;
        // 2^k ≡ 1 (mod 3) for even k and ≡ 2 for odd k, so |a| = 1 always works.
        let two_k = BigInt::one() << k;
        let (a, b) = if k % 2 == 0 {
            (BigInt::one(), (BigInt::one() - &two_k) / 3)
        } else {
            (-BigInt::one(), (BigInt::one() + &two_k) / 3)
        };
        Params {
            scheme,
            delta,
            k,
            r,
            a,
            b,
        }
    }

    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// Δ = n!.
    pub fn delta(&self) -> &BigUint {
        &self.delta
    }

    /// The power of two in 4Δ².
    pub fn k(&self) -> u64 {
        self.k
    }

    /// The odd part of 4Δ² (every odd prime ≤ n, moved into the shared secret).
    pub fn r(&self) -> &BigUint {
        &self.r
    }

    /// a and b with a · 2^k + 3b = 1.
    pub fn bezout(&self) -> (&BigInt, &BigInt) {
        (&self.a, &self.b)
    }

    /// Δ · ∏_{j∈set, j≠i} (x − j)/(i − j): the integer coefficient of f(i) when
    /// interpolating Δ·f(x) from the points in `set` (distinct parties, `i` among them).
    pub fn lagrange(&self, set: &[u8], i: u8, x: u8) -> Result<BigInt, Shoup3Error> {
        for (pos, &j) in set.iter().enumerate() {
            if set[pos + 1..].contains(&j) {
                return Err(Shoup3Error::DuplicateParty { party: j });
            }
        }
        if !set.contains(&i) {
            return Err(Shoup3Error::PartyOutOfRange {
                party: i,
                n: self.scheme.parties(),
            });
        }
        let mut num = BigInt::from(self.delta.clone());
        let mut den = BigInt::one();
        for &j in set.iter().filter(|&&j| j != i) {
            num *= i64::from(x) - i64::from(j);
            den *= i64::from(i) - i64::from(j);
        }
        let (q, rem) = num.div_rem(&den);
        if !rem.is_zero() {
            // Cannot happen for points in 0..=n (Shoup, Lemma 1); refuse rather than round.
            return Err(Shoup3Error::PartyOutOfRange {
                party: i,
                n: self.scheme.parties(),
            });
        }
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_satisfy_their_equations() {
        for n in 2..=16u8 {
            for t in 2..=n {
                let p = Params::new(Scheme::new(n, t).unwrap());
                let four_delta_sq = p.delta() * p.delta() * 4u8;
                assert_eq!((BigUint::one() << p.k()) * p.r(), four_delta_sq);
                assert!(p.r().is_odd());
                let (a, b) = p.bezout();
                assert_eq!(a * (BigInt::one() << p.k()) + b * 3, BigInt::one());
                // 3 divides Δ once n ≥ 3: the reason plain Shoup fails for e = 3.
                assert_eq!((p.delta() % 3u8).is_zero(), n >= 3);
            }
        }
        assert_eq!(
            *Params::new(Scheme::new(16, 2).unwrap()).delta(),
            BigUint::from(20_922_789_888_000u64)
        );
    }

    #[test]
    fn lagrange_interpolates_polynomials_times_delta() {
        // f(x) = 7 + 3x + 5x² over the integers; Δ·f(x) = Σ λ_{x,i} f(i) for any 3 points.
        let p = Params::new(Scheme::new(6, 3).unwrap());
        let f = |x: i64| BigInt::from(7 + 3 * x + 5 * x * x);
        for set in [[1u8, 2, 3], [2, 4, 6], [1, 5, 6]] {
            for x in 0..=6u8 {
                let sum: BigInt = set
                    .iter()
                    .map(|&i| p.lagrange(&set, i, x).unwrap() * f(i64::from(i)))
                    .sum();
                assert_eq!(sum, BigInt::from(p.delta().clone()) * f(i64::from(x)));
            }
        }
        assert!(p.lagrange(&[1, 1, 2], 1, 0).is_err());
    }
}
