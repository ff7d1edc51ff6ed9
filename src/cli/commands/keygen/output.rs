//! Keygen's output directory: checked before the ceremony starts (so that no one's
//! time is wasted on a ceremony whose result cannot be saved), then the share staged
//! under its unconfirmed name and committed or discarded after the key-code question.

use std::path::{Path, PathBuf};

use mpcegosign::fsutil::{self, NewFile, PUBLIC_MODE, SECRET_MODE};
use mpcegosign::secret::SecretString;
use mpcegosign::share::{file, KeyShare};

use super::KeygenArgs;
use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::shares::{commit_kept, seal_bytes, work_factor};
use crate::cli::io::files::unconfirmed;
use crate::cli::io::terminal::passphrase::{self, Purpose};

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
        // Never start over an interrupted keygen's share: it may be the only copy.
        if let Some(p) = unconfirmed::find(&dir).first() {
            return Err(CliError::new(format!(
                "{} holds a share from an interrupted keygen whose key code was never confirmed ({}); {} first, or use another --out-dir",
                dir.display(),
                p.display(),
                unconfirmed::what_to_run(p)
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

    /// Saves the share under its unconfirmed name (`share_N.unconfirmed-<session
    /// code>.json[.age]`, mode 0600, written atomically, never over a file): call it
    /// before the share can be lost, i.e. before the KEYGEN-FINALIZE goes out and before
    /// the key-code question. This is where a full disk shows. See [`StagedShare`].
    pub fn stage<'a>(
        &'a self,
        share: &'a KeyShare,
        session_code: &str,
    ) -> Result<StagedShare<'a>, CliError> {
        let name = unconfirmed::Name {
            party: share.party(),
            session: session_code.to_string(),
            encrypted: self.passphrase.is_some(),
        };
        let share_path = self.dir.join(name.final_name());
        let public_path = self.dir.join("public.pem");
        if !self.force {
            if let Some(p) = [&share_path, &public_path]
                .into_iter()
                .find(|p| std::fs::symlink_metadata(p).is_ok())
            {
                return Err(CliError::new(format!(
                    "{} already exists; neither the share nor public.pem was saved",
                    p.display()
                )));
            }
        }
        let kept = self.dir.join(name.file_name());
        let plain = file::serialize(share);
        let sealed = match &self.passphrase {
            Some(p) => Some(seal_bytes(&plain, p)?),
            None => None,
        };
        let bytes = sealed.as_deref().unwrap_or(plain.expose());
        let unsaved = |e: fsutil::FileError| {
            CliError::new(format!("{e}; neither the share nor public.pem was saved"))
        };
        fsutil::write_new(&kept, bytes, SECRET_MODE, false).map_err(unsaved)?;
        fsutil::tracked::keep(&kept, unconfirmed::kept_note(&kept));
        // public.pem is written only with the confirmed share, but a full disk must
        // show now, before anyone receives a share: write it once under a temporary
        // name and remove it again (a full disk then leaves nothing behind).
        let pem = share.public().to_pem();
        let probe = fsutil::stage_all(
            &[NewFile {
                path: &public_path,
                bytes: pem.as_bytes(),
                mode: PUBLIC_MODE,
            }],
            self.force,
        );
        match probe {
            Ok(staged) => drop(staged),
            Err(e) => {
                let _ = fsutil::tracked::discard(&kept);
                return Err(unsaved(e));
            }
        }
        Ok(StagedShare {
            plan: self,
            share,
            kept,
            share_path,
            public_path,
        })
    }
}

/// A share on disk under its unconfirmed name. [`StagedShare::commit`] puts it in
/// place with `public.pem` as one unit (both or neither) and reads both back;
/// [`StagedShare::discard`] deletes it (the key codes were not confirmed). Dropped
/// otherwise, it stays on disk under its unconfirmed name, for `keygen --resume`.
pub struct StagedShare<'a> {
    plan: &'a OutputPlan,
    share: &'a KeyShare,
    kept: PathBuf,
    share_path: PathBuf,
    public_path: PathBuf,
}

impl StagedShare<'_> {
    pub fn commit(self) -> Result<String, CliError> {
        let pass = self.plan.passphrase.clone();
        commit_kept(
            &self.kept,
            self.share,
            &self.share_path,
            (&self.public_path, true),
            self.plan.force,
            &mut || pass.clone().ok_or_else(|| CliError::new("no passphrase")),
        )
    }

    /// Deletes the unconfirmed share: nothing of this keygen stays on disk.
    pub fn discard(self) {
        let _ = fsutil::tracked::discard(&self.kept);
    }

    /// Adds to an error that ends the keygen where the unconfirmed share was kept.
    pub fn kept_error(&self, e: CliError) -> CliError {
        e.hint(&format!("kept {}", unconfirmed::kept_note(&self.kept)))
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
