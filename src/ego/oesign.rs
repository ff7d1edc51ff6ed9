//! Running EGo's `ego-oesign` (always with `TZ=UTC`, so that the SIGSTRUCT date is
//! the UTC day) and reading what it prints and writes.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::config::EnclaveConfig;
use super::locate::EgoInstall;
use crate::sgx::oeinfo::{Oeinfo, OeinfoError};
use crate::sgx::sigstruct::Sigstruct;

/// What Go binaries make `oesign dump` print on stderr ("Invalid entry point name",
/// "invalid entry point name: …", compared in lower case); expected, not an error.
pub const ENTRY_POINT_NOISE: &str = "entry point name";

#[derive(Debug, thiserror::Error)]
pub enum OesignError {
    #[error("cannot run {program}: {error}")]
    Spawn {
        program: PathBuf,
        error: std::io::Error,
    },
    #[error("ego-oesign {step} failed ({status}): {stderr}")]
    Failed {
        step: &'static str,
        status: String,
        stderr: String,
    },
    #[error("ego-oesign dump gave no usable {field} (stdout lacks it or it is all zeros){}", detail(.stderr))]
    Dump { field: &'static str, stderr: String },
    #[error("ego-oesign dump printed a malformed {field}: {value}")]
    DumpValue { field: &'static str, value: String },
    #[error("cannot read {path}: {error}")]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("{path}: {error}")]
    Oeinfo { path: PathBuf, error: OeinfoError },
}

fn detail(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// oesign's stderr on one line, without the expected entry-point noise.
fn one_line(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.to_lowercase().contains(ENTRY_POINT_NOISE))
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The `.conf` text `ego sign` writes for oesign.
pub fn conf_text(c: &EnclaveConfig) -> String {
    let mut s = format!(
        "ProductID={}\nSecurityVersion={}\nDebug={}\nNumHeapPages={}\nNumStackPages=1024\nNumTCS=32\n",
        c.product_id,
        c.security_version,
        u8::from(c.debug),
        c.num_heap_pages()
    );
    if c.executable_heap {
        s.push_str("ExecutableHeap=1\n");
    }
    s
}

/// What `ego-oesign dump -e` prints about a signed payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpInfo {
    pub mrenclave: [u8; 32],
    /// All zeros if unsigned.
    pub mrsigner: [u8; 32],
    /// 384 bytes, little-endian as stored in the SIGSTRUCT.
    pub signature: Vec<u8>,
    pub product_id: u16,
    pub security_version: u16,
    pub debug: bool,
    pub xfrm: u64,
    pub num_heap_pages: u64,
    pub num_stack_pages: u64,
    pub num_tcs: u64,
}

impl DumpInfo {
    /// Parses `dump`'s stdout. Lines are `name=value`; others are ignored.
    pub fn parse(stdout: &str, stderr: &str) -> Result<Self, OesignError> {
        let get = |field: &'static str| {
            stdout
                .lines()
                .filter_map(|l| l.trim().split_once('='))
                .find(|(k, _)| k.trim() == field)
                .map(|(_, v)| v.trim().to_owned())
                .ok_or_else(|| OesignError::Dump {
                    field,
                    stderr: stderr.to_owned(),
                })
        };
        let hex_field = |field: &'static str, len: usize| -> Result<Vec<u8>, OesignError> {
            let v = get(field)?;
            match hex::decode(&v) {
                Ok(b) if b.len() == len => Ok(b),
                _ => Err(OesignError::DumpValue { field, value: v }),
            }
        };
        let num = |field: &'static str| -> Result<u64, OesignError> {
            let v = get(field)?;
            let parsed = match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16),
                None => v.parse(),
            };
            parsed.map_err(|_| OesignError::DumpValue { field, value: v })
        };
        let small = |field: &'static str| -> Result<u16, OesignError> {
            let v = num(field)?;
            u16::try_from(v).map_err(|_| OesignError::DumpValue {
                field,
                value: v.to_string(),
            })
        };
        let mut mrenclave = [0u8; 32];
        mrenclave.copy_from_slice(&hex_field("mrenclave", 32)?);
        if mrenclave == [0u8; 32] {
            return Err(OesignError::Dump {
                field: "mrenclave",
                stderr: stderr.to_owned(),
            });
        }
        let mut mrsigner = [0u8; 32];
        mrsigner.copy_from_slice(&hex_field("mrsigner", 32)?);
        Ok(DumpInfo {
            mrenclave,
            mrsigner,
            signature: hex_field("signature", 384)?,
            product_id: small("product_id")?,
            security_version: small("security_version")?,
            debug: match get("debug")?.as_str() {
                "true" => true,
                "false" => false,
                _ => num("debug")? != 0,
            },
            xfrm: num("xfrm")?,
            num_heap_pages: num("num_heap_pages")?,
            num_stack_pages: num("num_stack_pages")?,
            num_tcs: num("num_tcs")?,
        })
    }

    pub fn is_signed(&self) -> bool {
        self.mrsigner != [0u8; 32]
    }
}

/// A runner for one `ego-oesign` program.
#[derive(Debug, Clone)]
pub struct Oesign {
    program: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Oesign {
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Oesign {
            program: program.into(),
            env: Vec::new(),
        }
    }

    pub fn from_install(ego: &EgoInstall) -> Self {
        Self::new(ego.oesign())
    }

    /// An extra environment variable for every run (`TZ` stays `UTC`).
    pub fn with_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    fn run(
        &self,
        step: &'static str,
        args: &[&std::ffi::OsStr],
    ) -> Result<(String, String), OesignError> {
        let out = Command::new(&self.program)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("TZ", "UTC")
            .output()
            .map_err(|error| OesignError::Spawn {
                program: self.program.clone(),
                error,
            })?;
        let stderr = one_line(&out.stderr);
        if !out.status.success() {
            return Err(OesignError::Failed {
                step,
                status: out.status.to_string(),
                stderr,
            });
        }
        Ok((String::from_utf8_lossy(&out.stdout).into_owned(), stderr))
    }

    /// `sign -e RUNTIME -c CONF -k KEY --payload PAYLOAD`: signs `payload` in place.
    pub fn sign_with_key(
        &self,
        runtime: &Path,
        conf: &Path,
        key: &Path,
        payload: &Path,
    ) -> Result<(), OesignError> {
        self.run(
            "sign -k",
            &[
                "sign".as_ref(),
                "-e".as_ref(),
                runtime.as_os_str(),
                "-c".as_ref(),
                conf.as_os_str(),
                "-k".as_ref(),
                key.as_os_str(),
                "--payload".as_ref(),
                payload.as_os_str(),
            ],
        )
        .map(drop)
    }

    /// `sign -e RUNTIME -c CONF -x CERT -d SIG --payload PAYLOAD`: stores an external
    /// signature, in place. Fails if oesign's UTC day differs from the digest's.
    pub fn sign_with_signature(
        &self,
        runtime: &Path,
        conf: &Path,
        cert: &Path,
        sig: &Path,
        payload: &Path,
    ) -> Result<(), OesignError> {
        self.run(
            "sign -x -d",
            &[
                "sign".as_ref(),
                "-e".as_ref(),
                runtime.as_os_str(),
                "-c".as_ref(),
                conf.as_os_str(),
                "-x".as_ref(),
                cert.as_os_str(),
                "-d".as_ref(),
                sig.as_os_str(),
                "--payload".as_ref(),
                payload.as_os_str(),
            ],
        )
        .map(drop)
    }

    /// `dump -e PAYLOAD` of a payload signed with `--payload`.
    pub fn dump(&self, payload: &Path) -> Result<DumpInfo, OesignError> {
        let (stdout, stderr) = self.run(
            "dump",
            &["dump".as_ref(), "-e".as_ref(), payload.as_os_str()],
        )?;
        DumpInfo::parse(&stdout, &stderr)
    }
}

/// The SIGSTRUCT in a (signed) payload's `.oeinfo`.
pub fn read_sigstruct(path: &Path) -> Result<Sigstruct, OesignError> {
    let elf = crate::fsutil::read_regular(path).map_err(|error| OesignError::Read {
        path: path.to_owned(),
        error,
    })?;
    let oeinfo = Oeinfo::locate(&elf).map_err(|error| OesignError::Oeinfo {
        path: path.to_owned(),
        error,
    })?;
    Ok(oeinfo.read_sigstruct(&elf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_as_ego_writes_it() {
        let mut c = EnclaveConfig {
            heap_size: 512,
            product_id: 3,
            security_version: 9,
            ..Default::default()
        };
        assert_eq!(
            conf_text(&c),
            "ProductID=3\nSecurityVersion=9\nDebug=0\nNumHeapPages=131072\nNumStackPages=1024\nNumTCS=32\n"
        );
        c.debug = true;
        c.executable_heap = true;
        assert!(conf_text(&c).ends_with(
            "Debug=1\nNumHeapPages=131072\nNumStackPages=1024\nNumTCS=32\nExecutableHeap=1\n"
        ));
    }

    fn dump_text(mrenclave: &str) -> String {
        format!(
            "=== Entry point:\nname=\n\n=== SGX Enclave Properties:\nproduct_id=1\nsecurity_version=2\ndebug=1\nxfrm=0x00000000000003\nnum_heap_pages=131072\nnum_stack_pages=1024\nnum_tcs=32\nmrenclave={mrenclave}\nmrsigner={}\nsignature={}\n",
            "0".repeat(64),
            "ab".repeat(384)
        )
    }

    #[test]
    fn parses_dump() {
        let d = DumpInfo::parse(&dump_text(&"11".repeat(32)), "").unwrap();
        assert_eq!(d.mrenclave, [0x11; 32]);
        assert!(!d.is_signed());
        assert_eq!((d.product_id, d.security_version, d.debug), (1, 2, true));
        assert_eq!((d.xfrm, d.num_heap_pages, d.num_tcs), (3, 131072, 32));
        assert_eq!(d.signature.len(), 384);
        let err = DumpInfo::parse(&dump_text(&"0".repeat(64)), "bad image").unwrap_err();
        assert!(err.to_string().contains("bad image"), "{err}");
        assert!(matches!(
            DumpInfo::parse("", ""),
            Err(OesignError::Dump {
                field: "mrenclave",
                ..
            })
        ));
        assert!(matches!(
            DumpInfo::parse(&dump_text("zz"), ""),
            Err(OesignError::DumpValue { .. })
        ));
    }

    #[test]
    fn stderr_on_one_line() {
        assert_eq!(
            one_line(b"Invalid entry point name\nERROR: invalid entry point name: main\n  oesign: bad key \n\nmore\n"),
            "oesign: bad key / more"
        );
    }
}
