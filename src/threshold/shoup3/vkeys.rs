//! The public verification data: v (a random square, derived from a seed) and
//! v_i = v^{s_i}, carried as v_1..v_n (dealing version 1) or derived from Feldman
//! commitments and the share bound S (version 2, `commitments.rs`); its encodings,
//! the proof range it implies, and the checks a joiner runs on a dealing.

use num_bigint::{BigInt, BigUint};
use num_traits::One;
use sha2::{Digest, Sha256};

use super::arith::{self, pow, pow_signed};
use super::commitments::{Commitments, VERSION_FELDMAN};
use super::params::Params;
use super::range::ProofRange;
use super::secret_share::SecretShare;
use super::Shoup3Error;
use crate::key::modexp::mod_exp_secret;
use crate::key::{PublicKey, MODULUS_BYTES};
use crate::threshold::Scheme;

const VERSION: u8 = 1;
const SEED_BYTES: usize = 32;
const V_TAG: &[u8] = b"mpcegosign/shoup3/v/v1";

/// v = h^{2·3r·Δ} mod N, where h is SHA-256 in counter mode over (tag, n, t, N, seed),
/// 16 bytes longer than N and reduced mod N. v is a uniformly random square (x ↦ x²
/// maps Z_N^* onto QR_N, and 3rΔ is coprime to |QR_N| = m) that nobody picked by hand.
/// The fixed exponent 3rΔ is what lets the security proof's simulator program h
/// uniformly and still compute every v_i (docs/shoup3.md).
pub fn derive_v(
    modulus: &BigUint,
    params: &Params,
    seed: &[u8; SEED_BYTES],
) -> Result<BigUint, Shoup3Error> {
    let h = derive_h(modulus, params, seed)?;
    let exponent = params.r() * params.delta() * 6u8;
    let v = pow(&h, &exponent, modulus)?;
    if v == BigUint::one() {
        return Err(Shoup3Error::Malformed("verification base v"));
    }
    Ok(v)
}

/// h, the unit v is derived from (v = h^{6rΔ}).
fn derive_h(
    modulus: &BigUint,
    params: &Params,
    seed: &[u8; SEED_BYTES],
) -> Result<BigUint, Shoup3Error> {
    let w = arith::width(modulus);
    let scheme = params.scheme();
    let mut bytes = Vec::with_capacity(w + 16 + 32);
    let mut counter = 0u32;
    while bytes.len() < w + 16 {
        let mut h = Sha256::new();
        h.update((V_TAG.len() as u32).to_be_bytes());
        h.update(V_TAG);
        h.update([scheme.parties(), scheme.threshold()]);
        h.update(arith::to_fixed(modulus, w).unwrap_or_default());
        h.update(seed);
        h.update(counter.to_be_bytes());
        bytes.extend_from_slice(&h.finalize());
        counter += 1;
    }
    bytes.truncate(w + 16);
    let h = BigUint::from_bytes_be(&bytes) % modulus;
    arith::is_unit(&h, modulus, "verification base v")?;
    Ok(h)
}

/// Everything public about a shoup3 key: N, the scheme, v and v_1..v_n (in version 2
/// derived from the commitments, which it keeps with the share bound S).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationKeys {
    params: Params,
    modulus: BigUint,
    seed: [u8; SEED_BYTES],
    v: BigUint,
    keys: Vec<BigUint>,
    feldman: Option<Box<Commitments>>,
}

impl VerificationKeys {
    /// Checks ranges and derives v; the consistency checks are [`Self::check`].
    pub fn new(
        modulus: BigUint,
        scheme: Scheme,
        seed: [u8; SEED_BYTES],
        keys: Vec<BigUint>,
    ) -> Result<Self, Shoup3Error> {
        if keys.len() != usize::from(scheme.parties()) {
            return Err(Shoup3Error::Malformed("list of verification keys"));
        }
        for k in &keys {
            arith::is_unit(k, &modulus, "verification key")?;
        }
        let params = Params::new(scheme);
        let v = derive_v(&modulus, &params, &seed)?;
        Ok(VerificationKeys {
            params,
            modulus,
            seed,
            v,
            keys,
            feldman: None,
        })
    }

    /// Version 2: checks S and the commitments' ranges, derives v and every
    /// v_j = h^{2Δ}·∏_k C_k^{j^k} (so the keys lie on one polynomial whose secret is
    /// d·r⁻¹ by construction).
    pub fn with_commitments(
        modulus: BigUint,
        scheme: Scheme,
        seed: [u8; SEED_BYTES],
        bound: u16,
        commitments: Vec<BigUint>,
    ) -> Result<Self, Shoup3Error> {
        let params = Params::new(scheme);
        let feldman = Commitments::new(&modulus, &params, bound, commitments)?;
        let v = derive_v(&modulus, &params, &seed)?;
        let h = derive_h(&modulus, &params, &seed)?;
        let h_two_delta = pow(&h, &(params.delta() * 2u8), &modulus)?;
        let keys = feldman.derive_keys(&modulus, &params, &h_two_delta)?;
        for k in &keys {
            arith::is_unit(k, &modulus, "derived verification key")?;
        }
        Ok(VerificationKeys {
            params,
            modulus,
            seed,
            v,
            keys,
            feldman: Some(Box::new(feldman)),
        })
    }

    /// The dealing version: 1 (v_1..v_n) or 2 (commitments and S).
    pub fn version(&self) -> u8 {
        if self.feldman.is_some() {
            VERSION_FELDMAN
        } else {
            VERSION
        }
    }
    /// Version 2's commitments and share bound.
    pub fn commitments(&self) -> Option<&Commitments> {
        self.feldman.as_deref()
    }
    /// Bytes of s_i in a share's encodings: 384 in version 1, ⌈S/8⌉ in version 2.
    pub fn share_bytes(&self) -> usize {
        match &self.feldman {
            Some(c) => usize::from(c.bound()).div_ceil(8),
            None => MODULUS_BYTES,
        }
    }
    /// The range of a partial's proof: version 1's fixed one, or S + 2·128 bits.
    pub fn proof_range(&self) -> ProofRange {
        match &self.feldman {
            Some(c) => ProofRange::for_bound(c.bound()),
            None => ProofRange::legacy(&self.modulus),
        }
    }

    pub fn params(&self) -> &Params {
        &self.params
    }
    pub fn scheme(&self) -> Scheme {
        self.params.scheme()
    }
    pub fn modulus(&self) -> &BigUint {
        &self.modulus
    }
    /// The RSA public key (fails unless N has 3072 bits).
    pub fn public_key(&self) -> Result<PublicKey, Shoup3Error> {
        PublicKey::from_modulus(self.modulus.clone())
            .map_err(|e| Shoup3Error::Import(e.to_string()))
    }
    pub fn seed(&self) -> &[u8; SEED_BYTES] {
        &self.seed
    }
    pub fn v(&self) -> &BigUint {
        &self.v
    }
    /// v_party.
    pub fn key(&self, party: u8) -> Result<&BigUint, Shoup3Error> {
        self.scheme().check_party(party)?;
        Ok(&self.keys[usize::from(party - 1)])
    }

    /// Encoded size for n parties with a 3072-bit modulus.
    pub fn encoded_len(parties: u8) -> usize {
        3 + SEED_BYTES + MODULUS_BYTES * (usize::from(parties) + 1)
    }

    /// Encoded size of version 2 for threshold t with a 3072-bit modulus.
    pub fn encoded_len_feldman(threshold: u8) -> usize {
        3 + SEED_BYTES + MODULUS_BYTES + 2 + MODULUS_BYTES * usize::from(threshold - 1)
    }

    /// Version 1: `1 ‖ n ‖ t ‖ seed (32) ‖ N ‖ v_1 ‖ … ‖ v_n`; version 2:
    /// `2 ‖ n ‖ t ‖ seed ‖ N ‖ S (u16) ‖ C_1 ‖ … ‖ C_{t−1}`; each number as many bytes as N.
    pub fn to_bytes(&self) -> Vec<u8> {
        let w = arith::width(&self.modulus);
        let scheme = self.scheme();
        let mut out = vec![self.version(), scheme.parties(), scheme.threshold()];
        out.extend_from_slice(&self.seed);
        arith::push_fixed(&mut out, &self.modulus, w);
        match &self.feldman {
            Some(c) => c.write(&mut out, w),
            None => {
                for k in &self.keys {
                    arith::push_fixed(&mut out, k, w);
                }
            }
        }
        out
    }

    /// Reads [`Self::to_bytes`] for a 3072-bit modulus.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, Shoup3Error> {
        let what = "verification data";
        if bytes.len() < 3 {
            return Err(Shoup3Error::Length {
                what,
                got: bytes.len(),
                want: 3,
            });
        }
        if bytes[0] != VERSION && bytes[0] != VERSION_FELDMAN {
            return Err(Shoup3Error::Version {
                what,
                version: bytes[0],
            });
        }
        let scheme = Scheme::new(bytes[1], bytes[2])?;
        let want = if bytes[0] == VERSION_FELDMAN {
            Self::encoded_len_feldman(bytes[2])
        } else {
            Self::encoded_len(bytes[1])
        };
        if bytes.len() != want {
            return Err(Shoup3Error::Length {
                what,
                got: bytes.len(),
                want,
            });
        }
        let mut seed = [0u8; SEED_BYTES];
        seed.copy_from_slice(&bytes[3..3 + SEED_BYTES]);
        let (modulus, rest) = bytes[3 + SEED_BYTES..].split_at(MODULUS_BYTES);
        let modulus = PublicKey::from_modulus(BigUint::from_bytes_be(modulus))
            .map_err(|e| Shoup3Error::Import(e.to_string()))?
            .modulus()
            .clone();
        if bytes[0] == VERSION_FELDMAN {
            let (bound, rest) = rest.split_at(2);
            let commitments = rest
                .chunks_exact(MODULUS_BYTES)
                .map(|c| arith::unit(c, &modulus, "commitment"))
                .collect::<Result<Vec<_>, _>>()?;
            let bound = u16::from_be_bytes([bound[0], bound[1]]);
            return Self::with_commitments(modulus, scheme, seed, bound, commitments);
        }
        let keys = rest
            .chunks_exact(MODULUS_BYTES)
            .map(|c| arith::unit(c, &modulus, "verification key"))
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(modulus, scheme, seed, keys)
    }

    /// All v_i lie on one polynomial of degree t − 1: each v_j with j > t equals the
    /// Δ-multiplied interpolation from v_1..v_t, v_j^Δ = ∏_{i≤t} v_i^{λ_{j,i}}.
    pub fn check_polynomial(&self) -> Result<(), Shoup3Error> {
        let scheme = self.scheme();
        let base: Vec<u8> = (1..=scheme.threshold()).collect();
        for j in scheme.threshold() + 1..=scheme.parties() {
            let lhs = pow(self.key(j)?, self.params.delta(), &self.modulus)?;
            if lhs != self.interpolate(&base, j)? {
                return Err(Shoup3Error::InconsistentKeys { party: j });
            }
        }
        Ok(())
    }

    /// ∏_{i∈set} v_i^{λ_{x,i}} = v^{Δ·f(x)} for the polynomial through `set`.
    fn interpolate(&self, set: &[u8], x: u8) -> Result<BigUint, Shoup3Error> {
        let mut acc = BigUint::one();
        for &i in set {
            let lambda: BigInt = self.params.lagrange(set, i, x)?;
            acc = acc * pow_signed(self.key(i)?, &lambda, &self.modulus)? % &self.modulus;
        }
        Ok(acc)
    }

    /// The shared secret inverts e = 3: V = v^{Δ f(0)} from v_1..v_t, and V^{3r} = v^Δ.
    pub fn secret_matches(&self) -> Result<bool, Shoup3Error> {
        let base: Vec<u8> = (1..=self.scheme().threshold()).collect();
        let big_v = self.interpolate(&base, 0)?;
        let lhs = pow(&big_v, &(self.params.r() * 3u8), &self.modulus)?;
        Ok(lhs == pow(&self.v, self.params.delta(), &self.modulus)?)
    }

    /// v^{s_i} = v_i for the secret share (constant-time in s_i).
    pub fn share_matches(&self, share: &SecretShare) -> Result<bool, Shoup3Error> {
        let expected = self.key(share.party())?;
        Ok(&mod_exp_secret(&self.v, share.value(), &self.modulus) == expected)
    }

    /// The joiner's checks, each failure with its own error: the keys lie on one
    /// polynomial, and then of (own share matches v_i, secret matches v) a failure
    /// of the first alone is a wrong share, of the second alone a wrong secret, and of
    /// both a wrong base v.
    ///
    /// Version 2: the polynomial and secret hold by construction, so what is left is
    /// the party's own share against its derived v_j (a tampered commitment or share
    /// fails here); the share's form (a multiple of Δ below 2^S) is `Share::accept`'s.
    pub fn check_dealing(&self, share: &SecretShare) -> Result<(), Shoup3Error> {
        if self.feldman.is_some() {
            return match self.share_matches(share)? {
                true => Ok(()),
                false => Err(Shoup3Error::WrongShare {
                    party: share.party(),
                }),
            };
        }
        self.check_polynomial()?;
        match (self.share_matches(share)?, self.secret_matches()?) {
            (true, true) => Ok(()),
            (false, true) => Err(Shoup3Error::WrongShare {
                party: share.party(),
            }),
            (true, false) => Err(Shoup3Error::WrongSecret),
            (false, false) => Err(Shoup3Error::WrongBase),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threshold::shoup3::deal::tests::fixture_dealing;

    #[test]
    fn encoding_round_trips_and_refuses_bad_input() {
        let dealing = fixture_dealing(2, 5, 3);
        let keys = dealing.keys();
        let bytes = keys.to_bytes();
        assert_eq!(bytes.len(), VerificationKeys::encoded_len(5));
        assert_eq!(bytes.len(), 3 + 32 + 6 * 384);
        let back = VerificationKeys::from_bytes(&bytes).unwrap();
        assert_eq!(&back, keys);
        back.check_polynomial().unwrap();
        assert!(back.secret_matches().unwrap());

        let mut bad = bytes.clone();
        bad[0] = 3;
        assert!(matches!(
            VerificationKeys::from_bytes(&bad),
            Err(Shoup3Error::Version { version: 3, .. })
        ));
        assert!(matches!(
            VerificationKeys::from_bytes(&bytes[..bytes.len() - 1]),
            Err(Shoup3Error::Length { .. })
        ));
        let mut bad = bytes.clone();
        bad[2] = 6; // t > n
        assert!(matches!(
            VerificationKeys::from_bytes(&bad),
            Err(Shoup3Error::Scheme(_))
        ));
        // v_1 = 0 and v_1 = N are not group elements.
        let start = 3 + 32 + 384;
        let mut bad = bytes.clone();
        bad[start..start + 384].fill(0);
        assert_eq!(
            VerificationKeys::from_bytes(&bad).err(),
            Some(Shoup3Error::Malformed("verification key"))
        );
        let mut bad = bytes.clone();
        let n_bytes = bytes[3 + 32..start].to_vec();
        bad[start..start + 384].copy_from_slice(&n_bytes);
        assert!(VerificationKeys::from_bytes(&bad).is_err());
    }
}
