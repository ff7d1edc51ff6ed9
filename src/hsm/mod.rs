//! Signing with a key held in a PKCS#11 token (an HSM, a YubiHSM, SoftHSM, a smart
//! card), through the `cryptoki` crate. This module knows RSA keys and SHA-256
//! PKCS#1 v1.5 signatures; it knows nothing of SGX.
//!
//! The key must be RSA-3072 with e = 3; anything else is refused with what was found.
//! Signing uses `CKM_SHA256_RSA_PKCS` over the message when the token offers it, and
//! otherwise `CKM_RSA_PKCS` over the DER `DigestInfo` of the message's SHA-256 (the
//! same signature). Every signature is verified with the public key before it is
//! returned.

use std::path::{Path, PathBuf};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use num_bigint::BigUint;
use sha2::{Digest, Sha256};

use crate::key::pkcs1::digest_info_sha256;
use crate::key::{PublicKey, MODULUS_BITS, MODULUS_BYTES, PUBLIC_EXPONENT};
use crate::sanitize::{sanitize, sanitize_bytes};
use crate::secret::SecretString;

#[derive(Debug, thiserror::Error)]
pub enum HsmError {
    #[error("cannot load the PKCS#11 module {module}: {reason}")]
    Module { module: PathBuf, reason: String },
    #[error("the PKCS#11 module has no token{}", listed(.0))]
    NoToken(Vec<String>),
    /// `wanted` is "labelled `X`" or "in slot N".
    #[error("no token {wanted}{}", listed(.found))]
    NoSuchToken { wanted: String, found: Vec<String> },
    #[error("several tokens{}; choose one with --token-label or --slot", listed(.0))]
    SeveralTokens(Vec<String>),
    #[error("the PIN for token `{0}` is wrong")]
    WrongPin(String),
    #[error("the user PIN of token `{0}` is locked; unlock it with the token's tools (e.g. softhsm2-util or pkcs11-tool --init-pin)")]
    PinLocked(String),
    #[error("token `{token}` has no private key labelled `{label}`{}", listed(.found))]
    NoKey {
        token: String,
        label: String,
        found: Vec<String>,
    },
    #[error(
        "token `{token}` has {count} private keys labelled `{label}`; give the key a unique label"
    )]
    SeveralKeys {
        token: String,
        label: String,
        count: usize,
    },
    #[error("the key `{label}` is {found}; SGX needs RSA-3072 with e = 3")]
    WrongKey { label: String, found: String },
    #[error("the token does not offer {0}")]
    Mechanism(&'static str),
    #[error("the token's signature does not verify with the key's public part ({0})")]
    BadSignature(String),
    #[error("PKCS#11 {step} failed: {reason}")]
    Pkcs11 { step: &'static str, reason: String },
}

fn listed(items: &[String]) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!(" (found: {})", items.join(", "))
    }
}

fn ck(step: &'static str) -> impl FnOnce(CkError) -> HsmError {
    move |e| HsmError::Pkcs11 {
        step,
        reason: match e {
            CkError::Pkcs11(rv, _) => format!("{rv:?}"),
            other => other.to_string(),
        },
    }
}

/// Which token to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenChoice {
    /// The only token present.
    Only,
    Label(String),
    Slot(u64),
}

/// Which signing mechanism to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MechanismChoice {
    /// `CKM_SHA256_RSA_PKCS` if offered, else `CKM_RSA_PKCS`.
    Auto,
    Sha256RsaPkcs,
    RsaPkcs,
}

/// The mechanism a signature was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Used {
    Sha256RsaPkcs,
    RsaPkcs,
}

impl std::fmt::Display for Used {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Used::Sha256RsaPkcs => "CKM_SHA256_RSA_PKCS",
            Used::RsaPkcs => "CKM_RSA_PKCS over the DigestInfo",
        })
    }
}

/// An open, logged-in session with one RSA-3072/e=3 private key found.
pub struct Pkcs11Key {
    // The session borrows nothing, but must close before the context finalizes:
    // fields drop in declaration order.
    session: Session,
    _ctx: Pkcs11,
    slot: Slot,
    key: ObjectHandle,
    public: PublicKey,
    token: String,
    label: String,
}

impl std::fmt::Debug for Pkcs11Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Key")
            .field("token", &self.token)
            .field("label", &self.label)
            .finish()
    }
}

/// A token's label without the padding PKCS#11 adds.
fn token_label(ctx: &Pkcs11, slot: Slot) -> Result<String, HsmError> {
    // Shown on the terminal: control characters are made visible.
    Ok(sanitize(
        ctx.get_token_info(slot)
            .map_err(ck("C_GetTokenInfo"))?
            .label()
            .trim_end(),
    ))
}

fn choose_slot(ctx: &Pkcs11, choice: &TokenChoice) -> Result<(Slot, String), HsmError> {
    let slots = ctx
        .get_slots_with_initialized_token()
        .map_err(ck("C_GetSlotList"))?;
    let mut tokens = Vec::new();
    for s in &slots {
        tokens.push((*s, token_label(ctx, *s)?));
    }
    let names = || {
        tokens
            .iter()
            .map(|(s, l)| format!("`{l}` in slot {}", s.id()))
            .collect::<Vec<_>>()
    };
    let found = match choice {
        TokenChoice::Only => match tokens.len() {
            0 => return Err(HsmError::NoToken(vec![])),
            1 => tokens.first().cloned(),
            _ => return Err(HsmError::SeveralTokens(names())),
        },
        TokenChoice::Label(want) => tokens.iter().find(|(_, l)| l == want).cloned(),
        TokenChoice::Slot(id) => tokens.iter().find(|(s, _)| s.id() == *id).cloned(),
    };
    found.ok_or_else(|| {
        let wanted = match choice {
            TokenChoice::Label(l) => format!("labelled `{}`", sanitize(l)),
            TokenChoice::Slot(id) => format!("in slot {id} (0x{id:x})"),
            TokenChoice::Only => String::new(),
        };
        if tokens.is_empty() {
            HsmError::NoToken(vec![])
        } else {
            HsmError::NoSuchToken {
                wanted,
                found: names(),
            }
        }
    })
}

fn labels(session: &Session, class: ObjectClass) -> Vec<String> {
    let Ok(objects) = session.find_objects(&[Attribute::Class(class)]) else {
        return vec![];
    };
    objects
        .into_iter()
        .filter_map(|o| session.get_attributes(o, &[AttributeType::Label]).ok())
        .flat_map(|attrs| attrs.into_iter())
        .filter_map(|a| match a {
            Attribute::Label(l) => Some(format!("`{}`", sanitize_bytes(&l))),
            _ => None,
        })
        .collect()
}

/// Modulus and public exponent of `object`, if it exposes them.
fn rsa_public(session: &Session, object: ObjectHandle) -> Option<(BigUint, BigUint)> {
    let attrs = session
        .get_attributes(
            object,
            &[AttributeType::Modulus, AttributeType::PublicExponent],
        )
        .ok()?;
    let mut n = None;
    let mut e = None;
    for a in attrs {
        match a {
            Attribute::Modulus(v) if !v.is_empty() => n = Some(BigUint::from_bytes_be(&v)),
            Attribute::PublicExponent(v) if !v.is_empty() => e = Some(BigUint::from_bytes_be(&v)),
            _ => {}
        }
    }
    Some((n?, e?))
}

fn key_type(session: &Session, object: ObjectHandle) -> Option<KeyType> {
    session
        .get_attributes(object, &[AttributeType::KeyType])
        .ok()?
        .into_iter()
        .find_map(|a| match a {
            Attribute::KeyType(t) => Some(t),
            _ => None,
        })
}

/// The RSA public key of a PKCS#11 key, checked to be RSA-3072 with e = 3.
pub fn check_rsa(label: &str, n: &BigUint, e: &BigUint) -> Result<PublicKey, HsmError> {
    let wrong = || HsmError::WrongKey {
        label: label.to_owned(),
        found: format!("RSA-{} with e = {e}", n.bits()),
    };
    if n.bits() != MODULUS_BITS || e != &BigUint::from(PUBLIC_EXPONENT) {
        return Err(wrong());
    }
    PublicKey::from_modulus(n.clone()).map_err(|_| wrong())
}

impl Pkcs11Key {
    /// Loads `module`, picks the token, logs in with `pin` (when the token needs a
    /// login) and finds the private key labelled `label`.
    pub fn open(
        module: &Path,
        token: &TokenChoice,
        label: &str,
        pin: impl FnOnce(&str) -> Result<Option<SecretString>, HsmError>,
    ) -> Result<Self, HsmError> {
        let ctx = Pkcs11::new(module).map_err(|e| HsmError::Module {
            module: module.to_owned(),
            reason: e.to_string(),
        })?;
        ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .map_err(ck("C_Initialize"))?;
        let (slot, token) = choose_slot(&ctx, token)?;
        let session = ctx.open_ro_session(slot).map_err(ck("C_OpenSession"))?;
        let info = ctx.get_token_info(slot).map_err(ck("C_GetTokenInfo"))?;
        if info.login_required() {
            let pin = pin(&token)?;
            let auth = pin.map(|p| AuthPin::from(p.expose()));
            session
                .login(UserType::User, auth.as_ref())
                .or_else(|e| match e {
                    CkError::Pkcs11(RvError::UserAlreadyLoggedIn, _) => Ok(()),
                    other => Err(other),
                })
                .map_err(|e| match e {
                    CkError::Pkcs11(
                        RvError::PinIncorrect | RvError::PinInvalid | RvError::PinLenRange,
                        _,
                    ) => HsmError::WrongPin(token.clone()),
                    CkError::Pkcs11(RvError::PinLocked, _) => HsmError::PinLocked(token.clone()),
                    other => ck("C_Login")(other),
                })?;
        }
        let keys = session
            .find_objects(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Label(label.as_bytes().to_vec()),
            ])
            .map_err(ck("C_FindObjects"))?;
        let key = match keys.as_slice() {
            [k] => *k,
            [] => {
                return Err(HsmError::NoKey {
                    token,
                    label: label.to_owned(),
                    found: labels(&session, ObjectClass::PRIVATE_KEY),
                })
            }
            many => {
                return Err(HsmError::SeveralKeys {
                    token,
                    label: label.to_owned(),
                    count: many.len(),
                })
            }
        };
        match key_type(&session, key) {
            Some(KeyType::RSA) | None => {}
            Some(other) => {
                return Err(HsmError::WrongKey {
                    label: label.to_owned(),
                    found: format!("a {other} key"),
                })
            }
        }
        // The private key object usually carries n and e; if not, its public twin.
        let (n, e) = match rsa_public(&session, key) {
            Some(v) => v,
            None => session
                .find_objects(&[
                    Attribute::Class(ObjectClass::PUBLIC_KEY),
                    Attribute::Label(label.as_bytes().to_vec()),
                ])
                .ok()
                .and_then(|objs| objs.into_iter().find_map(|o| rsa_public(&session, o)))
                .ok_or_else(|| HsmError::Pkcs11 {
                    step: "C_GetAttributeValue",
                    reason: format!(
                        "the key `{label}` shows neither its modulus nor its public exponent"
                    ),
                })?,
        };
        let public = check_rsa(label, &n, &e)?;
        Ok(Pkcs11Key {
            session,
            _ctx: ctx,
            slot,
            key,
            public,
            token,
            label: label.to_owned(),
        })
    }

    pub fn public(&self) -> &PublicKey {
        &self.public
    }
    pub fn token(&self) -> &str {
        &self.token
    }

    fn offers(&self, m: MechanismType) -> bool {
        self._ctx
            .get_mechanism_list(self.slot)
            .map(|l| l.contains(&m))
            .unwrap_or(false)
    }

    /// RSASSA-PKCS1-v1_5 with SHA-256 over `message`: the signature as an integer
    /// (below the modulus), verified with the key's public part.
    pub fn sign_sha256(
        &self,
        message: &[u8],
        choice: MechanismChoice,
    ) -> Result<(BigUint, Used), HsmError> {
        let digest: [u8; 32] = Sha256::digest(message).into();
        let use_hash = match choice {
            MechanismChoice::Sha256RsaPkcs => true,
            MechanismChoice::RsaPkcs => false,
            MechanismChoice::Auto => self.offers(MechanismType::SHA256_RSA_PKCS),
        };
        let (sig, used) = if use_hash {
            if !self.offers(MechanismType::SHA256_RSA_PKCS) {
                return Err(HsmError::Mechanism("CKM_SHA256_RSA_PKCS"));
            }
            let s = self
                .session
                .sign(&Mechanism::Sha256RsaPkcs, self.key, message)
                .map_err(ck("C_Sign"))?;
            (s, Used::Sha256RsaPkcs)
        } else {
            if !self.offers(MechanismType::RSA_PKCS) {
                return Err(HsmError::Mechanism("CKM_RSA_PKCS"));
            }
            let s = self
                .session
                .sign(&Mechanism::RsaPkcs, self.key, &digest_info_sha256(&digest))
                .map_err(ck("C_Sign"))?;
            (s, Used::RsaPkcs)
        };
        if sig.len() != MODULUS_BYTES {
            return Err(HsmError::BadSignature(format!(
                "{} bytes, not {MODULUS_BYTES}",
                sig.len()
            )));
        }
        let sig = BigUint::from_bytes_be(&sig);
        if !self.public.verify_digest(&digest, &sig) {
            return Err(HsmError::BadSignature(used.to_string()));
        }
        Ok((sig, used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_checks_name_what_was_found() {
        let three = BigUint::from(3u8);
        let n2048 = (BigUint::from(1u8) << 2047usize) + 1u8;
        let err = check_rsa("k", &n2048, &three).unwrap_err().to_string();
        assert!(err.contains("RSA-2048 with e = 3"), "{err}");
        let n3072 = (BigUint::from(1u8) << 3071usize) + 1u8;
        let err = check_rsa("k", &n3072, &BigUint::from(65537u32))
            .unwrap_err()
            .to_string();
        assert!(err.contains("RSA-3072 with e = 65537"), "{err}");
        assert!(check_rsa("k", &n3072, &three).is_ok());
    }
}
