//! The two-step signing request (`prepare` / `finish`): what an outside signer (an
//! offline `openssl`, an HSM, a cloud KMS) needs to sign, and what `finish` needs to
//! store its signature exactly as `ego sign` would have.
//!
//! The request is a JSON file. It holds the unsigned SIGSTRUCT (whose signed regions
//! carry MRENCLAVE and the date), the digest and its PKCS#1 v1.5 `DigestInfo`, the
//! oesign `.conf` text and runtime image kind, and the name and SHA-256 of the
//! prepared executable (the payload embedded, unsigned) kept beside it, and (from
//! version 2) the EGo installation `prepare` measured with. Every derived
//! value is checked against the SIGSTRUCT when the request is read, so a request
//! edited after `prepare` is refused.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::checks::Runtime;
use crate::key::pkcs1::{digest_info_sha256, DIGEST_INFO_LEN};
use crate::key::PublicKey;
use crate::sgx::sigstruct::{SignedRegions, Sigstruct, SigstructError, SIGSTRUCT_LEN};

pub use super::signature::{decode_signature, SignatureEncoding, SignatureError};

/// The `format` member of every request file.
pub const FORMAT: &str = "mpcegosign-sign-request";
/// The request version this build writes; it reads this one and version 1 (which
/// has no `enclave.ego`).
pub const VERSION: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("not a signing request written by `mpcegosign prepare` ({0})")]
    NotRequest(String),
    #[error("request version {0} is not supported (this build reads versions 1 to {VERSION})")]
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
    /// The EGo installation `prepare` measured with (absolute; version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ego: Option<String>,
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
    /// The EGo installation root `prepare` measured with, for `finish` to use again.
    pub ego: Option<std::path::PathBuf>,
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
                ego: self
                    .enclave
                    .ego
                    .as_ref()
                    .and_then(|p| p.to_str())
                    .map(String::from),
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
        let version = value.get("version").and_then(|v| v.as_u64());
        match version {
            Some(v) if (1..=u64::from(VERSION)).contains(&v) => {}
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
        let ego = match (&e.ego, version) {
            (Some(_), Some(1)) => {
                return Err(RequestError::Malformed {
                    field: "enclave.ego",
                    reason: "a version 1 request has none".into(),
                })
            }
            (Some(p), _) if !p.starts_with('/') => {
                return Err(RequestError::Malformed {
                    field: "enclave.ego",
                    reason: "must be an absolute path".into(),
                })
            }
            (p, _) => p.as_ref().map(std::path::PathBuf::from),
        };
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
                ego,
            },
        })
    }
}

/// SHA-256 of a file's bytes (the prepared executable's fingerprint).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sgx::sigstruct::SigstructFields;
    use crate::sgx::Date;

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
                ego: Some("/opt/ego".into()),
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
        assert!(text.contains("\"ego\": \"/opt/ego\""), "{text}");
    }

    #[test]
    fn version_1_requests_are_read_without_an_ego_location() {
        let text = request().to_json();
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["version"] = 1.into();
        // A version 1 request cannot carry a location.
        let err = Request::from_json(v.to_string().as_bytes()).unwrap_err();
        assert!(
            matches!(
                err,
                RequestError::Malformed {
                    field: "enclave.ego",
                    ..
                }
            ),
            "{err}"
        );
        v["enclave"].as_object_mut().unwrap().remove("ego");
        let old = Request::from_json(v.to_string().as_bytes()).unwrap();
        assert_eq!(old.enclave.ego, None);
        assert_eq!(old.digest(), request().digest());
        // A relative location is refused.
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["enclave"]["ego"] = "opt/ego".into();
        let err = Request::from_json(v.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("absolute"), "{err}");
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
        v["version"] = 3.into();
        assert!(matches!(
            Request::from_json(v.to_string().as_bytes()),
            Err(RequestError::Version(3))
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
}
