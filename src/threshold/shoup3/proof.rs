//! Shoup's proof that a partial is correct: log_v(v_i) = log_x̃(x_i²) with x̃ = M^{4Δ}
//! (both equal s_i), made non-interactive with SHA-256 (Fiat–Shamir).
//!
//! Prover: r ← [0, 2^B), v′ = v^r, x′ = x̃^r, c = H(…, v′, x′) (L1 = 128 bits),
//! z = s_i·c + r. Verifier: c = H(…, v^z·v_i^{−c}, x̃^z·x_i^{−2c}). The hash is
//! domain-separated and binds N, the scheme, the party, v, M, v_i and x_i.
//!
//! The range is per dealing ([`ProofRange`], from the verification data): version 1
//! keeps B = L(N) + 2·L1 and accepts z of up to 8·417 bits, exactly as before;
//! version 2 takes B = S + 2·L1 for the share bound S and accepts 0 ≤ z < 2^{B+1}.

use num_bigint::BigUint;
use openssl::bn::{BigNum, BigNumContext, MsbOption};
use sha2::{Digest, Sha256};

use super::arith::{self, inverse, pow};
use super::range::L1;
use super::vkeys::VerificationKeys;
use super::Shoup3Error;
use crate::key::modexp::mod_exp_secret;
use crate::secret::{bn_to_biguint, SecretBn};

/// Bytes of the challenge c.
pub const CHALLENGE_BYTES: usize = (L1 / 8) as usize;
const TAG: &[u8] = b"mpcegosign/shoup3/partial-proof/v1";

/// The proof (c, z).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    pub(super) c: [u8; CHALLENGE_BYTES],
    pub(super) z: BigUint,
}

fn ossl(e: openssl::error::ErrorStack) -> Shoup3Error {
    Shoup3Error::Arithmetic(e.to_string())
}

/// The statement: party, M and x_i against the verification data.
pub(super) struct Statement<'a> {
    pub keys: &'a VerificationKeys,
    pub party: u8,
    pub message: &'a BigUint,
    pub value: &'a BigUint,
}

impl Statement<'_> {
    fn x_tilde(&self) -> Result<BigUint, Shoup3Error> {
        let four_delta = self.keys.params().delta() * 4u8;
        pow(self.message, &four_delta, self.keys.modulus())
    }

    fn challenge(
        &self,
        v_i: &BigUint,
        v_prime: &BigUint,
        x_prime: &BigUint,
    ) -> [u8; CHALLENGE_BYTES] {
        let n = self.keys.modulus();
        let w = arith::width(n);
        let scheme = self.keys.scheme();
        let mut h = Sha256::new();
        h.update((TAG.len() as u32).to_be_bytes());
        h.update(TAG);
        h.update([scheme.parties(), scheme.threshold(), self.party]);
        for x in [
            n,
            self.keys.v(),
            self.message,
            v_i,
            self.value,
            v_prime,
            x_prime,
        ] {
            h.update(arith::to_fixed(x, w).unwrap_or_default());
        }
        let digest = h.finalize();
        let mut c = [0u8; CHALLENGE_BYTES];
        c.copy_from_slice(&digest[..CHALLENGE_BYTES]);
        c
    }

    /// Proves the statement with the secret s_i (exponentiations in constant time).
    pub fn prove(&self, s: &SecretBn) -> Result<Proof, Shoup3Error> {
        let n = self.keys.modulus();
        let v_i = self.keys.key(self.party)?;
        let bits = i32::try_from(self.keys.proof_range().nonce_bits)
            .map_err(|_| Shoup3Error::Malformed("share bound"))?;
        let mut r = BigNum::new_secure().map_err(ossl)?;
        r.rand(bits, MsbOption::MAYBE_ZERO, false).map_err(ossl)?;
        let r = SecretBn::new(r);
        let v_prime = mod_exp_secret(self.keys.v(), &r, n);
        let x_prime = mod_exp_secret(&self.x_tilde()?, &r, n);
        let c = self.challenge(v_i, &v_prime, &x_prime);
        let mut ctx = BigNumContext::new_secure().map_err(ossl)?;
        let mut sc = BigNum::new_secure().map_err(ossl)?;
        let c_bn = BigNum::from_slice(&c).map_err(ossl)?;
        sc.checked_mul(s.expose(), &c_bn, &mut ctx).map_err(ossl)?;
        let sc = SecretBn::new(sc);
        let mut z = BigNum::new_secure().map_err(ossl)?;
        z.checked_add(sc.expose(), r.expose()).map_err(ossl)?;
        let z = SecretBn::new(z);
        Ok(Proof {
            c,
            z: bn_to_biguint(z.expose()),
        })
    }

    /// Checks a proof; `Ok(false)` when it does not verify.
    pub fn verify(&self, proof: &Proof) -> Result<bool, Shoup3Error> {
        let n = self.keys.modulus();
        if !self.keys.proof_range().accepts(&proof.z) {
            return Ok(false);
        }
        let v_i = self.keys.key(self.party)?;
        let c = BigUint::from_bytes_be(&proof.c);
        // v′ = v^z · v_i^{−c},  x′ = x̃^z · x_i^{−2c}
        let v_prime = pow(self.keys.v(), &proof.z, n)? * pow(&inverse(v_i, n)?, &c, n)? % n;
        let x_prime = pow(&self.x_tilde()?, &proof.z, n)?
            * pow(&inverse(self.value, n)?, &(&c * 2u8), n)?
            % n;
        Ok(self.challenge(v_i, &v_prime, &x_prime) == proof.c)
    }
}
