//! The initiator's steps around the ceremony, built from the pieces of this module:
//! [`prepare`] (config, checks, payload), [`measure`] (throwaway-key signing of a copy,
//! `dump`, the unsigned SIGSTRUCT), and [`apply_signature`] (oesign stores the
//! threshold signature; the result is verified before it is returned).
//!
//! Nothing here writes the output file: callers write the returned bytes (atomically)
//! only after these checks passed.

use std::path::{Path, PathBuf};

use num_bigint::BigUint;

use super::cert::{certificate_pem, signature_file, CertError};
use super::checks::{CheckError, ExeInfo};
use super::config::{ConfigError, EnclaveConfig, Warnings};
use super::embed::{embed_payload, EmbedError};
use super::locate::{EgoInstall, LocateError};
use super::oesign::{conf_text, read_sigstruct, DumpInfo, Oesign, OesignError};
use super::payload::marshal;
use crate::key::PublicKey;
use crate::sgx::sigstruct::{Sigstruct, SigstructError};

#[derive(Debug, thiserror::Error)]
pub enum EgoError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{path}: {error}")]
    Check { path: PathBuf, error: CheckError },
    #[error("{path}: {error}")]
    Embed { path: PathBuf, error: EmbedError },
    #[error(transparent)]
    Locate(#[from] LocateError),
    #[error(transparent)]
    Oesign(#[from] OesignError),
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error("cannot {what} {path}: {error}")]
    Io {
        what: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("cannot make the throwaway signing key: {0}")]
    ThrowawayKey(openssl::error::ErrorStack),
    #[error("the signed enclave does not verify: {0}")]
    Verify(#[from] SigstructError),
    #[error("the signed enclave does not match the measurement: {0}")]
    Mismatch(String),
    #[error("{0}: no EGo config is embedded (not an executable prepared or signed by `ego sign`)")]
    NoPayload(PathBuf),
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> EgoError {
    let path = path.to_owned();
    move |error| EgoError::Io { what, path, error }
}

/// The executable with its payload embedded, and what oesign needs to sign it.
#[derive(Clone)]
pub struct Prepared {
    pub config: EnclaveConfig,
    pub warnings: Warnings,
    /// The runtime image (`share/ego-enclave` or `-fips140`).
    pub runtime: PathBuf,
    /// The `.conf` text for oesign.
    pub conf_text: String,
    /// The payload JSON embedded into `exe`.
    pub payload_json: Vec<u8>,
    /// The executable (`config.exe`) with the payload embedded, unsigned.
    pub exe: Vec<u8>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("config", &self.config)
            .field("warnings", &self.warnings)
            .field("runtime", &self.runtime)
            .field("conf_text", &self.conf_text)
            .field("payload_json", &String::from_utf8_lossy(&self.payload_json))
            .field("exe", &format_args!("<{} bytes>", self.exe.len()))
            .finish()
    }
}

/// Loads the config and the executable, runs EGo's checks, picks the runtime image and
/// embeds the payload (in memory; the executable on disk is not changed).
pub fn prepare(config_path: &Path, ego: &EgoInstall) -> Result<Prepared, EgoError> {
    let (config, warnings) = EnclaveConfig::load(config_path)?;
    let exe_path = PathBuf::from(&config.exe);
    let mut exe =
        crate::fsutil::read_regular(&exe_path).map_err(io("read the executable", &exe_path))?;
    let info = ExeInfo::read(&exe).map_err(|error| EgoError::Check {
        path: exe_path.clone(),
        error,
    })?;
    let runtime = info
        .check(config.heap_size)
        .map_err(|error| EgoError::Check {
            path: exe_path.clone(),
            error,
        })?;
    let runtime = ego.runtime_image(runtime)?;
    let payload_json = marshal(&config);
    embed_payload(&mut exe, &payload_json).map_err(|error| EgoError::Embed {
        path: exe_path.clone(),
        error,
    })?;
    Ok(Prepared {
        conf_text: conf_text(&config),
        config,
        warnings,
        runtime,
        payload_json,
        exe,
    })
}

/// Rebuilds [`Prepared`] from an executable whose payload is already embedded (one
/// that `prepare` wrote, or a signed enclave): its own embedded config gives the
/// `.conf`, and its Go build info the runtime image, exactly as for `ego sign`.
/// `path` only names the file in errors.
pub fn prepare_embedded(exe: Vec<u8>, path: &Path, ego: &EgoInstall) -> Result<Prepared, EgoError> {
    let embed_err = |error| EgoError::Embed {
        path: path.to_owned(),
        error,
    };
    let payload_json = super::embed::read_payload(&exe)
        .map_err(embed_err)?
        .ok_or_else(|| EgoError::NoPayload(path.to_owned()))?
        .to_vec();
    let config = EnclaveConfig::from_json(&payload_json).map_err(|e| match e {
        ConfigError::Syntax { message, .. } => ConfigError::Syntax {
            path: path.to_owned(),
            message: format!("(its embedded config) {message}"),
        },
        other => other,
    })?;
    let check = |error| EgoError::Check {
        path: path.to_owned(),
        error,
    };
    let info = ExeInfo::read(&exe).map_err(check)?;
    let runtime = ego.runtime_image(info.check(config.heap_size).map_err(check)?)?;
    Ok(Prepared {
        conf_text: conf_text(&config),
        config,
        warnings: Warnings::default(),
        runtime,
        payload_json,
        exe,
    })
}

/// What the ceremony signs.
#[derive(Debug, Clone)]
pub struct Measured {
    pub dump: DumpInfo,
    /// The SIGSTRUCT of the copy signed with the throwaway key: its signed regions
    /// (date included) are what every party signs; `digest()` is the digest.
    pub sigstruct: Sigstruct,
}

impl Measured {
    pub fn mrenclave(&self) -> [u8; 32] {
        self.dump.mrenclave
    }
    pub fn digest(&self) -> [u8; 32] {
        self.sigstruct.digest()
    }
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), EgoError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(io("create", path))?;
    f.write_all(data).map_err(io("write", path))
}

fn write_new(path: &Path, data: &[u8]) -> Result<(), EgoError> {
    std::fs::write(path, data).map_err(io("write", path))
}

/// The copy signed with the throwaway key, in `measure`'s work directory.
const MEASURED_COPY: &str = "measure.elf";

/// Signs a copy of the prepared executable in `workdir` (an empty private directory)
/// with a throwaway RSA-3072/e=3 key, then reads MRENCLAVE (`dump`) and the SIGSTRUCT.
pub fn measure(p: &Prepared, oesign: &Oesign, workdir: &Path) -> Result<Measured, EgoError> {
    let conf = workdir.join("oesign.conf");
    write_new(&conf, p.conf_text.as_bytes())?;
    let key = workdir.join("throwaway.pem");
    let e = openssl::bn::BigNum::from_u32(3).map_err(EgoError::ThrowawayKey)?;
    let rsa = openssl::rsa::Rsa::generate_with_e(3072, &e).map_err(EgoError::ThrowawayKey)?;
    let pem = rsa.private_key_to_pem().map_err(EgoError::ThrowawayKey)?;
    write_private(&key, &pem)?;
    let copy = workdir.join(MEASURED_COPY);
    write_new(&copy, &p.exe)?;
    let signed = oesign.sign_with_key(&p.runtime, &conf, &key, &copy);
    // The key has served its purpose either way.
    let _ = std::fs::remove_file(&key);
    signed?;
    let dump = oesign.dump(&copy)?;
    let sigstruct = read_sigstruct(&copy)?;
    let ours = sigstruct.regions().mrenclave();
    if ours != dump.mrenclave {
        return Err(EgoError::Mismatch(format!(
            "dump says MRENCLAVE {}, the SIGSTRUCT holds {}",
            hex::encode(dump.mrenclave),
            hex::encode(ours)
        )));
    }
    Ok(Measured { dump, sigstruct })
}

/// Has oesign store `sig` (made by `public`'s key over `measured.digest()`) into a copy
/// of the prepared executable, then verifies the result: the SIGSTRUCT verifies under
/// `public`, its signed regions equal the measured ones, and `dump` agrees. Fails if
/// oesign's UTC day is not the measured one (oesign then rejects the signature).
pub fn apply_signature(
    p: &Prepared,
    measured: &Measured,
    oesign: &Oesign,
    workdir: &Path,
    public: &PublicKey,
    sig: &BigUint,
) -> Result<Vec<u8>, EgoError> {
    let conf = workdir.join("oesign-final.conf");
    write_new(&conf, p.conf_text.as_bytes())?;
    let cert = workdir.join("signer-cert.pem");
    write_new(&cert, certificate_pem(public)?.as_bytes())?;
    let sig_path = workdir.join("signature.bin");
    write_new(&sig_path, &signature_file(sig))?;
    let out = workdir.join("signed.elf");
    write_new(&out, &p.exe)?;
    oesign.sign_with_signature(&p.runtime, &conf, &cert, &sig_path, &out)?;
    let bytes = std::fs::read(&out).map_err(io("read", &out))?;
    verify_signed(&bytes, &out, measured, oesign, public)?;
    Ok(bytes)
}

/// The fallback when oesign's day is no longer the measured one: stores the
/// threshold-signed SIGSTRUCT (the measured signed regions, so the measured date)
/// directly into `.oeinfo` of the copy that `measure` signed with the throwaway key.
/// oesign wrote everything else in that copy, so the result is exactly what
/// `oesign sign -k` with the threshold key would have written on the measured day.
/// The result is verified like [`apply_signature`]'s.
pub fn apply_signature_directly(
    measured: &Measured,
    oesign: &Oesign,
    measure_dir: &Path,
    workdir: &Path,
    public: &PublicKey,
    sig: &BigUint,
) -> Result<Vec<u8>, EgoError> {
    let copy = measure_dir.join(MEASURED_COPY);
    let mut bytes = std::fs::read(&copy).map_err(io("read", &copy))?;
    let oeinfo =
        crate::sgx::oeinfo::Oeinfo::locate(&bytes).map_err(|error| OesignError::Oeinfo {
            path: copy.clone(),
            error,
        })?;
    let mut s = measured.sigstruct.clone();
    s.set_signature(public, sig);
    oeinfo.write_sigstruct(&mut bytes, &s);
    let out = workdir.join("signed-direct.elf");
    write_new(&out, &bytes)?;
    verify_signed(&bytes, &out, measured, oesign, public)?;
    Ok(bytes)
}

/// Checks a signed executable (also at `path` on disk, for `dump`) against the
/// measurement and the expected signer.
pub fn verify_signed(
    bytes: &[u8],
    path: &Path,
    measured: &Measured,
    oesign: &Oesign,
    public: &PublicKey,
) -> Result<(), EgoError> {
    let oeinfo =
        crate::sgx::oeinfo::Oeinfo::locate(bytes).map_err(|error| OesignError::Oeinfo {
            path: path.to_owned(),
            error,
        })?;
    let s = oeinfo.read_sigstruct(bytes);
    s.verify(Some(public))?;
    if s.regions().as_bytes() != measured.sigstruct.regions().as_bytes() {
        return Err(EgoError::Mismatch(
            "the signed fields differ from those the parties signed".into(),
        ));
    }
    let dump = oesign.dump(path)?;
    if dump.mrenclave != measured.dump.mrenclave || dump.mrsigner != public.mrsigner() {
        return Err(EgoError::Mismatch(format!(
            "dump says MRENCLAVE {} MRSIGNER {}",
            hex::encode(dump.mrenclave),
            hex::encode(dump.mrsigner)
        )));
    }
    Ok(())
}
