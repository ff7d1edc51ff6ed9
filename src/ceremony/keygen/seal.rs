//! Shares in transit: X25519 between the dealer's and the party's ceremony keys,
//! HKDF-SHA256 bound to the keygen transcript (session, scheme, every party's keys,
//! the modulus) and the party number, AES-256-GCM with the transcript hash in the
//! associated data. A share opens only for a party whose view of the keygen is the
//! dealer's, byte for byte.
//!
//! The plaintext is a compact binary share: party (u8), count (u16 BE), then per
//! sub-share its subset bitmask (u16 BE), its sign (u8: 0 positive, 1 negative), the
//! length of its magnitude (u16 BE) and the magnitude (big-endian).

use std::collections::BTreeMap;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use x25519_dalek::{PublicKey as XPublic, StaticSecret};
use zeroize::Zeroizing;

use crate::key::PublicKey;
use crate::protocol::{SealedShare, SessionId};
use crate::secret::SecretBn;
use crate::share::{KeyShare, ShareError};
use crate::threshold::shoup3::SecretShare;
use crate::threshold::subsets::MAX_REFRESHED_SUB_SHARE_BITS;
use crate::threshold::{Scheme, Subset};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    #[error("a participant's X25519 key is invalid (low-order point)")]
    WeakKey,
    #[error("the share for party {0} does not open under this keygen's transcript: the KEYGEN-FINALIZE was altered (modulus, roster or session) or was not sealed for this machine")]
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

    /// Whether `peer` is a usable X25519 key for us: not a low-order point, so that
    /// the shared secret depends on both keys. Checked when a key arrives.
    pub fn accepts_peer(&self, peer: &[u8; 32]) -> bool {
        self.secret
            .diffie_hellman(&XPublic::from(*peer))
            .was_contributory()
    }
}

fn aad(transcript: &[u8; 32], party: u8) -> [u8; 26 + 32 + 1] {
    let mut a = [0u8; 26 + 32 + 1];
    a[..26].copy_from_slice(b"mpcegosign/v2/sealed-share");
    a[26..58].copy_from_slice(transcript);
    a[58] = party;
    a
}

/// The channel of one keygen between this machine's ceremony key and a peer's: a
/// share sealed or opened on it is bound to the session, the transcript hash and the
/// party it is for. The dealer seals on the channel to each joiner; a joiner opens on
/// the channel to the dealer.
pub struct Channel<'a> {
    pub own: &'a CeremonyKey,
    pub peer: &'a [u8; 32],
    pub session: &'a SessionId,
    pub transcript: &'a [u8; 32],
}

impl Channel<'_> {
    /// The AES-256 key of `party`'s share.
    fn key(&self, party: u8) -> Result<Zeroizing<[u8; 32]>, SealError> {
        let shared = self.own.secret.diffie_hellman(&XPublic::from(*self.peer));
        if !shared.was_contributory() {
            return Err(SealError::WeakKey);
        }
        let hk = Hkdf::<Sha256>::new(Some(&self.session.0), shared.as_bytes());
        let mut info = [0u8; 19 + 32 + 1];
        info[..19].copy_from_slice(b"mpcegosign/v2/share");
        info[19..51].copy_from_slice(self.transcript);
        info[51] = party;
        let mut key = Zeroizing::new([0u8; 32]);
        hk.expand(&info, key.as_mut())
            .map_err(|_| SealError::WeakKey)?;
        Ok(key)
    }

    /// Seals a `subsets` share, under a random nonce.
    pub fn seal(&self, share: &KeyShare) -> Result<SealedShare, SealError> {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        self.seal_plaintext(share.party(), nonce, encode_share(share))
    }

    /// Seals a `shoup3` secret share (its own encoding: version, party, s_i).
    pub fn seal_shoup3(&self, share: &SecretShare) -> Result<SealedShare, SealError> {
        let bytes = share.to_bytes();
        let mut buf = Zeroizing::new(Vec::with_capacity(bytes.expose().len() + 16));
        buf.extend_from_slice(bytes.expose());
        // A zero nonce: the key is derived for this one share (its party and the
        // transcript, which fixes s_i through v_i = v^{s_i}), so it never seals
        // anything else, and the FINALIZE need not carry a nonce.
        self.seal_plaintext(share.party(), [0; 12], buf)
    }

    /// Seals secret bytes for `party` under a zero nonce. Only for a channel whose
    /// transcript names one message (a refresh part: sender, recipient and the
    /// sender's public part), so that its key never seals anything else.
    pub fn seal_bytes(&self, party: u8, plaintext: &[u8]) -> Result<SealedShare, SealError> {
        let mut buf = Zeroizing::new(Vec::with_capacity(plaintext.len() + 16));
        buf.extend_from_slice(plaintext);
        self.seal_plaintext(party, [0; 12], buf)
    }

    /// Opens what [`Self::seal_bytes`] sealed, into a buffer wiped on drop.
    pub fn open_bytes(&self, sealed: &SealedShare) -> Result<Zeroizing<Vec<u8>>, SealError> {
        self.open_plaintext(sealed)
    }

    /// `buf` must have room for the 16-byte tag, so that it is never reallocated.
    fn seal_plaintext(
        &self,
        party: u8,
        nonce: [u8; 12],
        mut buf: Zeroizing<Vec<u8>>,
    ) -> Result<SealedShare, SealError> {
        let key = self.key(party)?;
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| SealError::WeakKey)?;
        cipher
            .encrypt_in_place(
                Nonce::from_slice(&nonce),
                &aad(self.transcript, party),
                &mut *buf,
            )
            .map_err(|_| SealError::Malformed)?;
        Ok(SealedShare {
            party,
            nonce,
            ciphertext: std::mem::take(&mut *buf),
        })
    }

    /// Opens a sealed `subsets` share.
    pub fn open(
        &self,
        sealed: &SealedShare,
        scheme: Scheme,
        public: &PublicKey,
    ) -> Result<KeyShare, SealError> {
        let buf = self.open_plaintext(sealed)?;
        let share = decode_share(&buf, scheme, public)?;
        if share.party() != sealed.party {
            return Err(SealError::Malformed);
        }
        Ok(share)
    }

    /// Opens a sealed `shoup3` secret share; the dealing checks come after.
    pub fn open_shoup3(&self, sealed: &SealedShare) -> Result<SecretShare, SealError> {
        let buf = self.open_plaintext(sealed)?;
        let share = SecretShare::from_bytes(&buf).map_err(|_| SealError::Malformed)?;
        if share.party() != sealed.party {
            return Err(SealError::Malformed);
        }
        Ok(share)
    }

    fn open_plaintext(&self, sealed: &SealedShare) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let key = self.key(sealed.party)?;
        let cipher = Aes256Gcm::new_from_slice(key.as_ref()).map_err(|_| SealError::WeakKey)?;
        let mut buf = Zeroizing::new(sealed.ciphertext.clone());
        cipher
            .decrypt_in_place(
                Nonce::from_slice(&sealed.nonce),
                &aad(self.transcript, sealed.party),
                &mut *buf,
            )
            .map_err(|_| SealError::Open(sealed.party))?;
        Ok(buf)
    }
}

/// The plaintext, in a buffer sized in advance for the tag that sealing appends, so
/// it never reallocates (which would leave a freed copy behind).
fn encode_share(share: &KeyShare) -> Zeroizing<Vec<u8>> {
    let values: Vec<(Subset, &SecretBn)> = share
        .subsets()
        .filter_map(|s| share.sub_share(s).map(|v| (s, v)))
        .collect();
    let len: usize = 3 + values
        .iter()
        .map(|(_, v)| 5 + (v.num_bits() as usize).div_ceil(8))
        .sum::<usize>();
    let mut out = Zeroizing::new(Vec::with_capacity(len + 16));
    out.push(share.party());
    out.extend_from_slice(&(values.len() as u16).to_be_bytes());
    for (subset, value) in values {
        let bytes = value.to_be_bytes();
        out.extend_from_slice(&subset.bits().to_be_bytes());
        out.push(u8::from(value.is_negative()));
        out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
        out.extend_from_slice(bytes.expose());
    }
    out
}

fn decode_share(b: &[u8], scheme: Scheme, public: &PublicKey) -> Result<KeyShare, SealError> {
    // A refreshed share (given in a recover or reshare) may be wider than a dealing's.
    let max_len = (MAX_REFRESHED_SUB_SHARE_BITS as usize).div_ceil(8);
    let (&party, rest) = b.split_first().ok_or(SealError::Malformed)?;
    let (count, mut rest) = take_u16(rest)?;
    let mut subs = BTreeMap::new();
    for _ in 0..count {
        let (bits, r) = take_u16(rest)?;
        let (&sign, r) = r.split_first().ok_or(SealError::Malformed)?;
        let (len, r) = take_u16(r)?;
        let len = usize::from(len);
        if sign > 1 || len > max_len || r.len() < len {
            return Err(SealError::Malformed);
        }
        let mut value = SecretBn::from_be_bytes(&r[..len]);
        if sign == 1 {
            value.negate();
        }
        if subs.insert(Subset::from_bits(bits), value).is_some() {
            return Err(SealError::Malformed);
        }
        rest = &r[len..];
    }
    if !rest.is_empty() {
        return Err(SealError::Malformed);
    }
    Ok(KeyShare::new(party, scheme, public.clone(), subs)?)
}

fn take_u16(b: &[u8]) -> Result<(u16, &[u8]), SealError> {
    match b {
        [hi, lo, rest @ ..] => Ok((u16::from_be_bytes([*hi, *lo]), rest)),
        _ => Err(SealError::Malformed),
    }
}
