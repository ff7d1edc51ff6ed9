//! A whole shoup3 key before dealing: RSA-3072, e = 3, from two safe primes.
//!
//! Fresh keys search both primes at once, one thread each, and report progress
//! through [`SafeKeygenEvent`]s on the caller's thread. An imported key is accepted
//! only if both its primes are safe.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

use openssl::bn::BigNum;
use openssl::pkey::PKey;

use super::primes::{is_safe_prime, safe_prime, small_primes, SIEVE_BOUND};
use super::Shoup3Error;
use crate::key::{PrivateKey, PublicKey, MODULUS_BITS};
use crate::secret::SecretBn;

/// Bits of each prime.
const PRIME_BITS: u32 = (MODULUS_BITS / 2) as u32;

/// What safe-prime key generation reports while it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SafeKeygenEvent {
    /// Both prime searches started (on two threads).
    Searching,
    /// Search `index` (1 or 2) has looked at `candidates` numbers so far.
    Progress { index: u8, candidates: u64 },
    /// Safe prime `index` was found.
    FoundPrime { index: u8 },
    /// The primes were too close together; searching again.
    Retry,
    /// The key passed its checks.
    Done,
}

/// An RSA-3072, e = 3 key whose primes are safe (p = 2p′+1, q = 2q′+1).
pub struct SafePrimeKey {
    key: PrivateKey,
    p: SecretBn,
    q: SecretBn,
}

impl std::fmt::Debug for SafePrimeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SafePrimeKey")
            .field("public", self.key.public())
            .field("secret", &"<redacted>")
            .finish()
    }
}

fn ossl(e: openssl::error::ErrorStack) -> Shoup3Error {
    Shoup3Error::Keygen(e.to_string())
}

impl SafePrimeKey {
    /// Generates a key: two 1536-bit safe primes searched in parallel. Setting `cancel`
    /// stops both searches within one window and returns [`Shoup3Error::Cancelled`];
    /// nothing of the half-done search survives (every candidate is a wiped `SecretBn`).
    pub fn generate(
        progress: &mut dyn FnMut(SafeKeygenEvent),
        cancel: &AtomicBool,
    ) -> Result<Self, Shoup3Error> {
        let primes = small_primes(SIEVE_BOUND);
        loop {
            progress(SafeKeygenEvent::Searching);
            let (p, q) = two_safe_primes(&primes, progress, cancel)?;
            if !far_apart(&p, &q)? {
                progress(SafeKeygenEvent::Retry);
                continue;
            }
            let key = Self::from_safe_primes(p, q)?;
            progress(SafeKeygenEvent::Done);
            return Ok(key);
        }
    }

    /// Reads a PKCS#1 or PKCS#8 PEM key and accepts it only if both primes are safe.
    pub fn from_pem(pem: &[u8]) -> Result<Self, Shoup3Error> {
        let key = PrivateKey::from_pem(pem).map_err(|e| Shoup3Error::Import(e.to_string()))?;
        // PrivateKey::from_pem has validated the PEM; read the primes from it again.
        // A refusing passphrase callback: OpenSSL must never prompt on the terminal.
        let pkey = PKey::private_key_from_pem_callback(pem, |_| Ok(0))
            .map_err(|_| Shoup3Error::Import("unreadable key".into()))?;
        let rsa = pkey
            .rsa()
            .map_err(|_| Shoup3Error::Import("not an RSA key".into()))?;
        let (p, q) = match (rsa.p(), rsa.q()) {
            (Some(p), Some(q)) => (p, q),
            _ => return Err(Shoup3Error::Import("the key has no primes".into())),
        };
        let p = SecretBn::new(p.to_owned().map_err(ossl)?);
        let q = SecretBn::new(q.to_owned().map_err(ossl)?);
        if !is_safe_prime(&p)? || !is_safe_prime(&q)? {
            return Err(Shoup3Error::NotSafePrimes);
        }
        drop(key);
        Self::from_safe_primes(p, q)
    }

    fn from_safe_primes(p: SecretBn, q: SecretBn) -> Result<Self, Shoup3Error> {
        let key = PrivateKey::from_primes(p.try_clone(), q.try_clone())
            .map_err(|e| Shoup3Error::Keygen(e.to_string()))?;
        Ok(SafePrimeKey { key, p, q })
    }

    pub fn public(&self) -> &PublicKey {
        self.key.public()
    }

    /// The primes, for dealing (consumes the key).
    pub(super) fn into_primes(self) -> (PublicKey, SecretBn, SecretBn) {
        (self.key.public().clone(), self.p, self.q)
    }

    /// Test-only: the whole key as a PKCS#1 PEM, to sign with `openssl pkeyutl` and
    /// compare. A shoup3 key is never exported otherwise.
    #[cfg(any(test, feature = "test-export"))]
    pub fn to_pkcs1_pem_for_tests(&self) -> Result<crate::secret::SecretBytes, Shoup3Error> {
        self.key
            .to_pkcs1_pem()
            .map_err(|e| Shoup3Error::Keygen(e.to_string()))
    }
}

/// Runs the two searches on two threads; events come back over a channel so that
/// `progress` is only ever called on this thread.
fn two_safe_primes(
    primes: &[u32],
    progress: &mut dyn FnMut(SafeKeygenEvent),
    cancel: &AtomicBool,
) -> Result<(SecretBn, SecretBn), Shoup3Error> {
    // Set when either search fails, so that the other one stops too.
    let failed = AtomicBool::new(false);
    let (tx, rx) = mpsc::channel::<SafeKeygenEvent>();
    std::thread::scope(|scope| {
        let search = |index: u8| {
            let tx = tx.clone();
            let failed = &failed;
            scope.spawn(move || {
                let stop = || cancel.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed);
                let result = safe_prime(PRIME_BITS, primes, &stop, &mut |candidates| {
                    let _ = tx.send(SafeKeygenEvent::Progress { index, candidates });
                });
                match &result {
                    Ok(_) => {
                        let _ = tx.send(SafeKeygenEvent::FoundPrime { index });
                    }
                    Err(_) => failed.store(true, Ordering::Relaxed),
                }
                result
            })
        };
        let h1 = search(1);
        let h2 = search(2);
        drop(tx);
        // Ends when both threads have dropped their senders.
        for event in rx {
            progress(event);
        }
        let join = |h: std::thread::ScopedJoinHandle<'_, Result<SecretBn, Shoup3Error>>| {
            h.join()
                .unwrap_or_else(|_| Err(Shoup3Error::Keygen("a prime search panicked".into())))
        };
        let (r1, r2) = (join(h1), join(h2));
        if cancel.load(Ordering::Relaxed) {
            return Err(Shoup3Error::Cancelled);
        }
        // A search stopped because the other failed reports `Cancelled`: report the cause.
        match (r1, r2) {
            (Ok(p), Ok(q)) => Ok((p, q)),
            (Err(Shoup3Error::Cancelled), Err(e)) | (Err(e), _) | (_, Err(e)) => Err(e),
        }
    })
}

/// |p − q| > 2^(1536−100) (FIPS 186-5, B.3.1).
fn far_apart(p: &SecretBn, q: &SecretBn) -> Result<bool, Shoup3Error> {
    let mut diff = BigNum::new_secure().map_err(ossl)?;
    diff.checked_sub(p.expose(), q.expose()).map_err(ossl)?;
    let diff = SecretBn::new(diff);
    Ok(diff.num_bits() > u64::from(PRIME_BITS - 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/keys/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn imports_only_keys_with_safe_primes() {
        let key = SafePrimeKey::from_pem(&fixture("safe1.pem")).unwrap();
        assert_eq!(key.public().modulus().bits(), 3072);
        assert!(format!("{key:?}").contains("redacted"));
        // An ordinary `openssl genrsa -3` key: its primes are not safe.
        assert_eq!(
            SafePrimeKey::from_pem(&fixture("key1.pem")).err(),
            Some(Shoup3Error::NotSafePrimes)
        );
        assert!(matches!(
            SafePrimeKey::from_pem(&fixture("bad-e65537.pem")),
            Err(Shoup3Error::Import(_))
        ));
    }

    #[test]
    fn cancelled_generation_returns_promptly() {
        let cancel = AtomicBool::new(true);
        let mut events = Vec::new();
        let t = std::time::Instant::now();
        let r = SafePrimeKey::generate(&mut |e| events.push(e), &cancel);
        assert_eq!(r.err(), Some(Shoup3Error::Cancelled));
        assert!(t.elapsed() < std::time::Duration::from_secs(30));
        assert!(!events.contains(&SafeKeygenEvent::Done));
    }
}
