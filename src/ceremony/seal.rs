//! Shares in transit: X25519 between the dealer's and the party's ceremony keys,
//! HKDF-SHA256 bound to the session, both keys and the party number, AES-256-GCM.
//!
//! The plaintext is a compact binary share: party (u8), count (u16 BE), then per
//! sub-share its subset bitmask (u16 BE) and value (384 bytes BE).

use std::collections::BTreeMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use x25519_dalek::{PublicKey as XPublic, StaticSecret};
use zeroize::Zeroizing;

use crate::key::PublicKey;
use crate::protocol::{SealedShare, SessionId};
use crate::secret::{SecretBn, SecretBytes};
use crate::share::{KeyShare, ShareError};
use crate::threshold::{Scheme, Subset};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("a participant's X25519 key is invalid (low-order point)")]
    WeakKey,
    #[error("the share for party {0} cannot be decrypted with this machine's ceremony key: it was not sealed for us, or it was altered")]
    Open(u8),
    #[error("the decrypted share is malformed")]
    Malformed,
    #[error("the decrypted share is invalid: {0}")]
    Share(#[from] ShareError),
}

/// A party's ceremony key pair (X25519), wiped on drop.
pub struct CeremonyKey {
    secret: StaticSecret,
    public: [u8; 32],
}

impl std::fmt::Debug for CeremonyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CeremonyKey(public={}, secret=<redacted>)",
            hex::encode(self.public)
        )
    }
}

impl CeremonyKey {
    pub fn generate() -> Self {
        let secret = StaticSecret::random_from_rng(rand::rngs::OsRng);
        let public = XPublic::from(&secret).to_bytes();
        CeremonyKey { secret, public }
    }
    pub fn public(&self) -> [u8; 32] {
        self.public
    }

    fn derive(
        &self,
        peer: &[u8; 32],
        session: &SessionId,
        dealer: &[u8; 32],
        party_key: &[u8; 32],
        party: u8,
    ) -> Result<Zeroizing<[u8; 32]>, SealError> {
        let shared = self.secret.diffie_hellman(&XPublic::from(*peer));
        if !shared.was_contributory() {
            return Err(SealError::WeakKey);
        }
        let hk = Hkdf::<Sha256>::new(Some(&session.0), shared.as_bytes());
        let mut info = b"mpcegosign/v1/share".to_vec();
        info.extend_from_slice(dealer);
        info.extend_from_slice(party_key);
        info.push(party);
        let mut key = Zeroizing::new([0u8; 32]);
        hk.expand(&info, key.as_mut())
            .map_err(|_| SealError::WeakKey)?;
        Ok(key)
    }
}

fn aad(session: &SessionId, party: u8) -> Vec<u8> {
    let mut a = b"mpcegosign/v1/sealed-share".to_vec();
    a.extend_from_slice(&session.0);
    a.push(party);
    a
}

/// The dealer seals `share` for `party`, whose ceremony key is `party_key`.
pub fn seal(
    dealer: &CeremonyKey,
    party_key: &[u8; 32],
    session: &SessionId,
    share: &KeyShare,
) -> Result<SealedShare, SealError> {
    let party = share.party();
    let key = dealer.derive(party_key, session, &dealer.public, party_key, party)?;
    let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| SealError::WeakKey)?;
    let mut nonce = [0u8; 12];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let plain = encode_share(share);
    let ciphertext = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain.expose(),
                aad: &aad(session, party),
            },
        )
        .map_err(|_| SealError::Malformed)?;
    Ok(SealedShare {
        party,
        nonce,
        ciphertext,
    })
}

/// A party opens its sealed share.
pub fn open(
    own: &CeremonyKey,
    dealer_key: &[u8; 32],
    session: &SessionId,
    sealed: &SealedShare,
    scheme: Scheme,
    public: &PublicKey,
) -> Result<KeyShare, SealError> {
    let key = own.derive(dealer_key, session, dealer_key, &own.public, sealed.party)?;
    let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| SealError::WeakKey)?;
    let plain = SecretBytes::new(
        cipher
            .decrypt(
                Nonce::from_slice(&sealed.nonce),
                Payload {
                    msg: &sealed.ciphertext,
                    aad: &aad(session, sealed.party),
                },
            )
            .map_err(|_| SealError::Open(sealed.party))?,
    );
    let share = decode_share(plain.expose(), scheme, public)?;
    if share.party() != sealed.party {
        return Err(SealError::Malformed);
    }
    Ok(share)
}

fn encode_share(share: &KeyShare) -> SecretBytes {
    let mut out = Zeroizing::new(Vec::with_capacity(3 + share.sub_share_count() * 386));
    out.push(share.party());
    out.extend_from_slice(&(share.sub_share_count() as u16).to_be_bytes());
    for subset in share.subsets() {
        out.extend_from_slice(&subset.bits().to_be_bytes());
        if let Some(v) = share.sub_share(subset) {
            out.extend_from_slice(v.to_be_bytes_padded(384).expose());
        }
    }
    SecretBytes::from(out)
}

fn decode_share(b: &[u8], scheme: Scheme, public: &PublicKey) -> Result<KeyShare, SealError> {
    if b.len() < 3 {
        return Err(SealError::Malformed);
    }
    let party = b[0];
    let count = usize::from(u16::from_be_bytes([b[1], b[2]]));
    if b.len() != 3 + count * 386 {
        return Err(SealError::Malformed);
    }
    let mut subs = BTreeMap::new();
    for chunk in b[3..].chunks_exact(386) {
        let subset = Subset::from_bits(u16::from_be_bytes([chunk[0], chunk[1]]));
        if subs
            .insert(subset, SecretBn::from_be_bytes(&chunk[2..]))
            .is_some()
        {
            return Err(SealError::Malformed);
        }
    }
    Ok(KeyShare::new(party, scheme, public.clone(), subs)?)
}
