//! Where shares and public keys are written and read by the ceremony commands.

use std::path::{Path, PathBuf};

use mpcegosign::fsutil::{self, NewFile, PUBLIC_MODE, SECRET_MODE};
use mpcegosign::key::PublicKey;
use mpcegosign::secret::{SecretBytes, SecretString};
use mpcegosign::share::{encrypted, file, KeyShare};

use super::error::io_error;
use super::passphrase::{self, Purpose};
use super::{CliError, KeygenArgs, PassphraseArgs};

/// Overrides age's scrypt work factor (log2 N) for new files: for slow air-gapped
/// machines, and for the test suite. Unset: age's calibration (about one second).
pub const WORK_FACTOR_ENV: &str = "MPCEGOSIGN_SCRYPT_WORK_FACTOR";

fn work_factor() -> Result<Option<u8>, CliError> {
    match std::env::var(WORK_FACTOR_ENV) {
        Err(_) => Ok(None),
        Ok(v) => v
            .parse::<u8>()
            .ok()
            .filter(|n| (10..=encrypted::MAX_WORK_FACTOR).contains(n))
            .map(Some)
            .ok_or_else(|| {
                CliError::new(format!(
                    "{WORK_FACTOR_ENV} must be a whole number from 10 to {}",
                    encrypted::MAX_WORK_FACTOR
                ))
            }),
    }
}

/// Encrypts a share file's bytes for writing.
pub fn seal_bytes(plain: &SecretBytes, pass: &SecretString) -> Result<Vec<u8>, CliError> {
    encrypted::encrypt(plain, pass, work_factor()?).map_err(|e| CliError::new(e.to_string()))
}

/// Opens a share file's bytes: decrypts an age file (asking for its passphrase),
/// then parses the JSON.
pub fn open_bytes(
    bytes: &[u8],
    what: &str,
    pass: &mut dyn FnMut() -> Result<SecretString, CliError>,
) -> Result<KeyShare, CliError> {
    let err = |e: &dyn std::fmt::Display| CliError::new(format!("{what}: {e}"));
    if encrypted::is_age(bytes) {
        let plain = encrypted::decrypt(bytes, &pass()?).map_err(|e| err(&e))?;
        file::parse(plain.expose()).map_err(|e| err(&e))
    } else {
        file::parse(bytes).map_err(|e| err(&e))
    }
}

/// The output directory, checked before a ceremony starts so that no one's time
/// is wasted on a ceremony whose result cannot be saved.
pub struct OutputPlan {
    dir: PathBuf,
    force: bool,
    passphrase: Option<SecretString>,
}

impl OutputPlan {
    pub fn prepare(args: &KeygenArgs) -> Result<Self, CliError> {
        let dir = args.out_dir.clone();
        let meta =
            std::fs::metadata(&dir).map_err(|e| io_error("use the output directory", &dir, &e))?;
        if !meta.is_dir() {
            return Err(CliError::new(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        if !args.force {
            if let Some(name) = existing_outputs(&dir)?.first() {
                return Err(CliError::new(format!(
                    "{} already holds {name}; use another --out-dir, or --force to replace it",
                    dir.display()
                )));
            }
        }
        fsutil::check_writable(&dir).map_err(|e| CliError::new(e.to_string()))?;
        work_factor()?;
        let passphrase = if args.plaintext_share {
            None
        } else {
            Some(passphrase::obtain(
                &args.passphrase,
                Purpose::New,
                "the new share",
            )?)
        };
        Ok(OutputPlan {
            dir,
            force: args.force,
            passphrase,
        })
    }

    /// Writes the share and `public.pem` to disk under temporary names (this is where
    /// a full disk shows), without putting them in place yet: see [`StagedShare`].
    pub fn stage<'a>(&'a self, share: &'a KeyShare) -> Result<StagedShare<'a>, CliError> {
        let ext = if self.passphrase.is_some() {
            ".age"
        } else {
            ""
        };
        let share_path = self.dir.join(format!("share_{}.json{ext}", share.party()));
        let public_path = self.dir.join("public.pem");
        let plain = file::serialize(share);
        let sealed = match &self.passphrase {
            Some(p) => Some(seal_bytes(&plain, p)?),
            None => None,
        };
        let bytes = sealed.as_deref().unwrap_or(plain.expose());
        let pem = share.public().to_pem();
        let staged = fsutil::stage_all(
            &[
                NewFile {
                    path: &share_path,
                    bytes,
                    mode: SECRET_MODE,
                },
                NewFile {
                    path: &public_path,
                    bytes: pem.as_bytes(),
                    mode: PUBLIC_MODE,
                },
            ],
            self.force,
        )
        .map_err(|e| CliError::new(format!("{e}; neither the share nor public.pem was saved")))?;
        Ok(StagedShare {
            plan: self,
            share,
            staged,
            share_path,
            public_path,
        })
    }
}

/// A share and `public.pem` on disk under temporary names. `commit` puts both in
/// place as one unit (both or neither, whatever fails) and reads them back;
/// dropping it removes them (nothing was saved).
pub struct StagedShare<'a> {
    plan: &'a OutputPlan,
    share: &'a KeyShare,
    staged: fsutil::Staged,
    share_path: PathBuf,
    public_path: PathBuf,
}

impl StagedShare<'_> {
    pub fn commit(self) -> Result<String, CliError> {
        let StagedShare {
            plan,
            share,
            staged,
            share_path,
            public_path,
        } = self;
        staged.commit().map_err(|e| {
            CliError::new(format!("{e}; neither the share nor public.pem was saved"))
        })?;
        // Read both back before anything is reported as saved.
        let back =
            fsutil::read_secret(&share_path).map_err(|e| io_error("read back", &share_path, &e))?;
        let what = share_path.display().to_string();
        let reread = open_bytes(&back, &what, &mut || {
            plan.passphrase
                .clone()
                .ok_or_else(|| CliError::new("no passphrase"))
        })?;
        let same = reread.same_share(share);
        let pem = std::fs::read_to_string(&public_path)
            .map_err(|e| io_error("read back", &public_path, &e))?;
        if !same || PublicKey::from_pem(&pem).ok().as_ref() != Some(share.public()) {
            return Err(CliError::new(format!(
                "{what} or public.pem did not read back intact; check the disk"
            )));
        }
        Ok(format!(
            "Saved {} and {}. MRSIGNER {}",
            share_path.display(),
            public_path.display(),
            hex::encode(share.public().mrsigner())
        ))
    }
}

fn existing_outputs(dir: &Path) -> Result<Vec<String>, CliError> {
    let mut found = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| io_error("list", dir, &e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name == "public.pem" || (name.starts_with("share_") && name.contains(".json")) {
            found.push(name);
        }
    }
    found.sort();
    Ok(found)
}

/// Reads a share file (plain or encrypted) and, if a `public.pem` lies beside it,
/// checks that both belong to the same key.
pub fn load_share(path: &Path, args: &PassphraseArgs) -> Result<KeyShare, CliError> {
    let bytes = fsutil::read_secret(path).map_err(|e| io_error("read the share", path, &e))?;
    let what = path.display().to_string();
    let share = open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    let public = path
        .parent()
        .map(|d| d.join("public.pem"))
        .filter(|p| p.exists());
    if let Some(p) = public {
        check_public(&share, &p)?;
    }
    Ok(share)
}

/// Refuses a share whose modulus differs from a public key file.
pub fn check_public(share: &KeyShare, public_pem: &Path) -> Result<(), CliError> {
    let text = std::fs::read_to_string(public_pem).map_err(|e| io_error("read", public_pem, &e))?;
    let key = PublicKey::from_pem(&text)
        .map_err(|e| CliError::new(format!("{}: {e}", public_pem.display())))?;
    if &key != share.public() {
        return Err(CliError::new(format!(
            "the share belongs to MRSIGNER {}, but {} is MRSIGNER {}: they are from different keys",
            hex::encode(share.public().mrsigner()),
            public_pem.display(),
            hex::encode(key.mrsigner())
        )));
    }
    Ok(())
}
