//! The two-step signing request (`prepare` / `finish`): what an outside signer (an
//! offline `openssl`, an HSM, a cloud KMS) needs to sign, and what `finish` needs to
//! store its signature exactly as `ego sign` would have.
//!
//! The request is a JSON file. It holds the unsigned SIGSTRUCT (whose signed regions
//! carry MRENCLAVE and the date), the digest and its PKCS#1 v1.5 `DigestInfo`, the
//! oesign `.conf` text and runtime image kind, and the name and SHA-256 of the
//! prepared executable (the payload embedded, unsigned) kept beside it. Every derived
//! value is checked against the SIGSTRUCT when the request is read, so a request
//! edited after `prepare` is refused.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checks::Runtime;
use crate::key::pkcs1::{digest_info_sha256, DIGEST_INFO_LEN};
use crate::key::{PublicKey, MODULUS_BYTES};
use crate::sgx::sigstruct::{SignedRegions, Sigstruct, SigstructError, SIGSTRUCT_LEN};

/// The `format` member of every request file.
pub const FORMAT: &str = "mpcegosign-sign-request";
/// The only request version this build reads and writes.
pub const VERSION: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("not a signing request written by `mpcegosign prepare` ({0})")]
    NotRequest(String),
    #[error("request version {0} is not supported (this build reads version {VERSION})")]
    Version(u32),
    #[error("the request's {field} is malformed: {reason}")]
    Malformed { field: &'static str, reason: String },
    #[error("the request's {field} does not match its SIGSTRUCT ({found} vs {expected}); the request was edited after `prepare`: prepare it again")]
    Edited {
        field: &'static str,
        found: String,
        expected: String,
    },
    #[error("the request's SIGSTRUCT is not one oesign makes: {0}")]
    Sigstruct(#[from] SigstructError),
}

/// The JSON form, member by member.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestFile {
    format: String,
    version: u32,
    mrenclave: String,
    date: String,
    isvprodid: u16,
    isvsvn: u16,
    debug: bool,
    /// SHA-256 of the signed regions, hex.
    digest: String,
    /// DER DigestInfo of the digest, hex.
    digest_info: String,
    /// The unsigned SIGSTRUCT (1808 bytes), hex.
    sigstruct: String,
    /// The public key to verify the signature with (PKIX PEM), if known at prepare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    public_key: Option<String>,
    enclave: EnclaveFile,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct EnclaveFile {
    /// The prepared executable, relative to the request's directory.
    prepared: String,
    prepared_sha256: String,
    /// "standard" or "fips140".
    runtime: String,
    /// The `.conf` text oesign signs with.
    conf: String,
    /// Where `finish` writes the signed enclave by default.
    out: String,
    /// File mode of the original executable.
    mode: u32,
}

/// Where the enclave part of a request points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnclaveRef {
    /// File name of the prepared executable, relative to the request's directory.
    pub prepared: String,
    pub prepared_sha256: [u8; 32],
    pub runtime: Runtime,
    pub conf_text: String,
    pub out: String,
    pub mode: u32,
}

/// A checked signing request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Unsigned: modulus, signature, Q1 and Q2 are zero.
    unsigned: Sigstruct,
    public: Option<PublicKey>,
    pub enclave: EnclaveRef,
}

fn runtime_name(r: Runtime) -> &'static str {
    match r {
        Runtime::Standard => "standard",
        Runtime::Fips140 => "fips140",
    }
}

fn hex_array<const N: usize>(field: &'static str, text: &str) -> Result<[u8; N], RequestError> {
    let bytes = hex::decode(text).map_err(|e| RequestError::Malformed {
        field,
        reason: e.to_string(),
    })?;
    let len = bytes.len();
    bytes.try_into().map_err(|_| RequestError::Malformed {
        field,
        reason: format!("{len} bytes, expected {N}"),
    })
}

impl Request {
    /// A request for the SIGSTRUCT `measured` (its signed regions are kept; the
    /// throwaway key's modulus and signature are not).
    pub fn new(measured: &Sigstruct, public: Option<PublicKey>, enclave: EnclaveRef) -> Self {
        Request {
            unsigned: Sigstruct::from_regions(&measured.regions()),
            public,
            enclave,
        }
    }

    pub fn unsigned(&self) -> &Sigstruct {
        &self.unsigned
    }
    pub fn regions(&self) -> SignedRegions {
        self.unsigned.regions()
    }
    /// SHA-256 of the signed regions: the value to sign.
    pub fn digest(&self) -> [u8; 32] {
        self.unsigned.digest()
    }
    pub fn digest_info(&self) -> [u8; DIGEST_INFO_LEN] {
        digest_info_sha256(&self.digest())
    }
    pub fn public(&self) -> Option<&PublicKey> {
        self.public.as_ref()
    }

    pub fn to_json(&self) -> String {
        let r = self.regions();
        let file = RequestFile {
            format: FORMAT.into(),
            version: VERSION,
            mrenclave: hex::encode(r.mrenclave()),
            date: r.date().map(|d| d.to_string()).unwrap_or_default(),
            isvprodid: r.isv_prod_id(),
            isvsvn: r.isv_svn(),
            debug: r.is_debug(),
            digest: hex::encode(self.digest()),
            digest_info: hex::encode(self.digest_info()),
            sigstruct: hex::encode(self.unsigned.as_bytes()),
            public_key: self.public.as_ref().map(PublicKey::to_pem),
            enclave: EnclaveFile {
                prepared: self.enclave.prepared.clone(),
                prepared_sha256: hex::encode(self.enclave.prepared_sha256),
                runtime: runtime_name(self.enclave.runtime).into(),
                conf: self.enclave.conf_text.clone(),
                out: self.enclave.out.clone(),
                mode: self.enclave.mode,
            },
        };
        // Serialising plain strings and numbers cannot fail.
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Reads and checks a request: every derived member must match the SIGSTRUCT.
    pub fn from_json(text: &[u8]) -> Result<Self, RequestError> {
        let value: serde_json::Value = serde_json::from_slice(text)
            .map_err(|e| RequestError::NotRequest(format!("not JSON: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(RequestError::NotRequest(format!(
                "no \"format\": \"{FORMAT}\""
            )));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            Some(v) => return Err(RequestError::Version(v.try_into().unwrap_or(u32::MAX))),
            None => return Err(RequestError::NotRequest("no version".into())),
        }
        let f: RequestFile =
            serde_json::from_value(value).map_err(|e| RequestError::Malformed {
                field: "structure",
                reason: e.to_string(),
            })?;
        let bytes = hex::decode(&f.sigstruct).map_err(|e| RequestError::Malformed {
            field: "sigstruct",
            reason: e.to_string(),
        })?;
        if bytes.len() != SIGSTRUCT_LEN {
            return Err(RequestError::Malformed {
                field: "sigstruct",
                reason: format!("{} bytes, expected {SIGSTRUCT_LEN}", bytes.len()),
            });
        }
        let s = Sigstruct::from_bytes(&bytes)?;
        let r = s.regions();
        r.validate()?;
        let unsigned = Sigstruct::from_regions(&r);
        if unsigned != s {
            return Err(RequestError::Edited {
                field: "sigstruct",
                found: "key or signature bytes".into(),
                expected: "an unsigned SIGSTRUCT".into(),
            });
        }
        let edited = |field: &'static str, found: String, expected: String| {
            if found == expected {
                Ok(())
            } else {
                Err(RequestError::Edited {
                    field,
                    found,
                    expected,
                })
            }
        };
        let digest = s.digest();
        edited(
            "mrenclave",
            f.mrenclave.to_lowercase(),
            hex::encode(r.mrenclave()),
        )?;
        edited("date", f.date.clone(), r.date()?.to_string())?;
        edited(
            "isvprodid",
            f.isvprodid.to_string(),
            r.isv_prod_id().to_string(),
        )?;
        edited("isvsvn", f.isvsvn.to_string(), r.isv_svn().to_string())?;
        edited("debug", f.debug.to_string(), r.is_debug().to_string())?;
        edited("digest", f.digest.to_lowercase(), hex::encode(digest))?;
        edited(
            "digest_info",
            f.digest_info.to_lowercase(),
            hex::encode(digest_info_sha256(&digest)),
        )?;
        let public = f
            .public_key
            .as_deref()
            .map(PublicKey::from_pem)
            .transpose()
            .map_err(|e| RequestError::Malformed {
                field: "public_key",
                reason: e.to_string(),
            })?;
        let e = &f.enclave;
        let runtime = match e.runtime.as_str() {
            "standard" => Runtime::Standard,
            "fips140" => Runtime::Fips140,
            other => {
                return Err(RequestError::Malformed {
                    field: "enclave.runtime",
                    reason: format!("`{other}` is neither standard nor fips140"),
                })
            }
        };
        if e.prepared.is_empty() || e.prepared.contains('/') || e.prepared.starts_with('.') {
            return Err(RequestError::Malformed {
                field: "enclave.prepared",
                reason: "must be a plain file name beside the request".into(),
            });
        }
        if e.out.is_empty() {
            return Err(RequestError::Malformed {
                field: "enclave.out",
                reason: "empty".into(),
            });
        }
        Ok(Request {
            unsigned,
            public,
            enclave: EnclaveRef {
                prepared: e.prepared.clone(),
                prepared_sha256: hex_array("enclave.prepared_sha256", &e.prepared_sha256)?,
                runtime,
                conf_text: e.conf.clone(),
                out: e.out.clone(),
                // Never setuid/setgid/sticky from a file that travelled.
                mode: e.mode & 0o777,
            },
        })
    }
}

/// SHA-256 of a file's bytes (the prepared executable's fingerprint).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("the signature is {found}: expected {MODULUS_BYTES} raw bytes, 768 hex digits or base64 of {MODULUS_BYTES} bytes (a truncated or partial file?)")]
    Length { found: String },
    #[error("the signature is empty")]
    Empty,
}

/// How a signature file was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureEncoding {
    Raw,
    Hex,
    Base64,
}

impl std::fmt::Display for SignatureEncoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SignatureEncoding::Raw => "raw bytes",
            SignatureEncoding::Hex => "hex",
            SignatureEncoding::Base64 => "base64",
        })
    }
}

/// Reads an RSA-3072 signature written as 384 raw big-endian bytes, as hex (768
/// digits, whitespace and a `0x` prefix allowed), or as base64 (standard or URL-safe,
/// padded or not, as AWS KMS and Azure Key Vault return it).
pub fn decode_signature(
    bytes: &[u8],
) -> Result<([u8; MODULUS_BYTES], SignatureEncoding), SignatureError> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    use base64::Engine;
    if bytes.is_empty() {
        return Err(SignatureError::Empty);
    }
    if let Ok(raw) = <[u8; MODULUS_BYTES]>::try_from(bytes) {
        return Ok((raw, SignatureEncoding::Raw));
    }
    let text: String = match std::str::from_utf8(bytes) {
        Ok(t) => t.chars().filter(|c| !c.is_whitespace()).collect(),
        Err(_) => {
            return Err(SignatureError::Length {
                found: format!("{} raw bytes", bytes.len()),
            })
        }
    };
    let text = text.strip_prefix("0x").unwrap_or(&text);
    if text.is_empty() {
        return Err(SignatureError::Empty);
    }
    if text.bytes().all(|b| b.is_ascii_hexdigit()) && text.len() % 2 == 0 {
        let v = hex::decode(text).unwrap_or_default();
        return <[u8; MODULUS_BYTES]>::try_from(v.as_slice())
            .map(|a| (a, SignatureEncoding::Hex))
            .map_err(|_| SignatureError::Length {
                found: format!("{} hex digits ({} bytes)", text.len(), v.len()),
            });
    }
    for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
        if let Ok(v) = engine.decode(text) {
            return <[u8; MODULUS_BYTES]>::try_from(v.as_slice())
                .map(|a| (a, SignatureEncoding::Base64))
                .map_err(|_| SignatureError::Length {
                    found: format!("base64 of {} bytes", v.len()),
                });
        }
    }
    Err(SignatureError::Length {
        found: format!("{} bytes that are neither hex nor base64", bytes.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sgx::sigstruct::SigstructFields;
    use crate::sgx::Date;
    use base64::Engine;

    fn request() -> Request {
        let s = Sigstruct::build(&SigstructFields {
            date: Date {
                year: 2026,
                month: 11,
                day: 25,
            },
            debug: false,
            mrenclave: [0x42; 32],
            isv_prod_id: 7,
            isv_svn: 3,
        });
        Request::new(
            &s,
            None,
            EnclaveRef {
                prepared: "request.unsigned.elf".into(),
                prepared_sha256: [9; 32],
                runtime: Runtime::Fips140,
                conf_text: "ProductID=7\n".into(),
                out: "app.signed".into(),
                mode: 0o755,
            },
        )
    }

    #[test]
    fn round_trip() {
        let r = request();
        let text = r.to_json();
        let back = Request::from_json(text.as_bytes()).unwrap();
        assert_eq!(back.unsigned(), r.unsigned());
        assert_eq!(back.enclave, r.enclave);
        assert_eq!(back.digest(), r.digest());
        assert!(text.contains(&hex::encode(r.digest_info())));
        assert_eq!(&r.digest_info()[19..], &r.digest());
    }

    #[test]
    fn edits_are_refused() {
        let text = request().to_json();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["mrenclave"] = serde_json::Value::String("43".repeat(32));
        let err = Request::from_json(v.to_string().as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                RequestError::Edited {
                    field: "mrenclave",
                    ..
                }
            ),
            "{err}"
        );

        // A SIGSTRUCT edited consistently is not caught here (the signature over the
        // original digest then fails), but a digest that no longer matches is.
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut s = hex::decode(v["sigstruct"].as_str().unwrap()).unwrap();
        s[1024] ^= 1;
        v["sigstruct"] = serde_json::Value::String(hex::encode(&s));
        let err = Request::from_json(v.to_string().as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                RequestError::Edited {
                    field: "isvprodid",
                    ..
                }
            ),
            "{err}"
        );

        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["version"] = 2.into();
        assert!(matches!(
            Request::from_json(v.to_string().as_bytes()),
            Err(RequestError::Version(2))
        ));
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["enclave"]["mode"] = 0o4755.into();
        let r = Request::from_json(v.to_string().as_bytes()).unwrap();
        assert_eq!(r.enclave.mode, 0o755);
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["extra"] = 1.into();
        assert!(matches!(
            Request::from_json(v.to_string().as_bytes()),
            Err(RequestError::Malformed { .. })
        ));
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["enclave"]["prepared"] = "../etc/passwd".into();
        assert!(matches!(
            Request::from_json(v.to_string().as_bytes()),
            Err(RequestError::Malformed {
                field: "enclave.prepared",
                ..
            })
        ));
        assert!(matches!(
            Request::from_json(b"{}"),
            Err(RequestError::NotRequest(_))
        ));
    }

    #[test]
    fn signature_encodings() {
        let mut raw = [0u8; MODULUS_BYTES];
        for (i, b) in raw.iter_mut().enumerate() {
            *b = (i * 7 + 1) as u8;
        }
        assert_eq!(
            decode_signature(&raw).unwrap(),
            (raw, SignatureEncoding::Raw)
        );
        let hex_text = format!("{}\n", hex::encode_upper(raw));
        assert_eq!(
            decode_signature(hex_text.as_bytes()).unwrap(),
            (raw, SignatureEncoding::Hex)
        );
        for engine in [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let b64 = format!("{}\n", engine.encode(raw));
            assert_eq!(
                decode_signature(b64.as_bytes()).unwrap(),
                (raw, SignatureEncoding::Base64)
            );
        }
        let err = decode_signature(&raw[..383]).unwrap_err();
        assert!(err.to_string().contains("383 raw bytes"), "{err}");
        let err = decode_signature(hex::encode(&raw[..300]).as_bytes()).unwrap_err();
        assert!(err.to_string().contains("600 hex digits"), "{err}");
        let short_b64 = base64::engine::general_purpose::STANDARD.encode(&raw[..200]);
        let err = decode_signature(short_b64.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("base64 of 200 bytes"), "{err}");
        assert_eq!(decode_signature(b""), Err(SignatureError::Empty));
    }
}
