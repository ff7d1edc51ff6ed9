//! Where shares and public keys are written and read by the ceremony commands.

use std::path::{Path, PathBuf};

use mpcegosign::share::{file, KeyShare};

use super::error::io_error;
use super::{CliError, KeygenArgs};

/// The output directory, checked before a ceremony starts so that no one's time
/// is wasted on a ceremony whose result cannot be saved.
pub struct OutputPlan {
    dir: PathBuf,
    force: bool,
}

fn share_name(party: u8) -> String {
    format!("share_{party}.json")
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
            let existing = existing_outputs(&dir)?;
            if let Some(name) = existing.first() {
                return Err(CliError::new(format!(
                    "{} already holds {name}; use another --out-dir, or --force to replace it",
                    dir.display()
                )));
            }
        }
        Ok(OutputPlan {
            dir,
            force: args.force,
        })
    }

    /// Writes the share and `public.pem`, reads both back, and returns a summary line.
    pub fn write(&self, share: &KeyShare) -> Result<String, CliError> {
        let share_path = self.dir.join(share_name(share.party()));
        let public_path = self.dir.join("public.pem");
        let bytes = file::serialize(share);
        write_file(&share_path, bytes.expose(), self.force)?;
        write_file(&public_path, share.public().to_pem().as_bytes(), self.force)?;
        let back =
            std::fs::read(&share_path).map_err(|e| io_error("read back", &share_path, &e))?;
        let reread = file::parse(&back)
            .map_err(|e| CliError::new(format!("{}: {e}", share_path.display())))?;
        if reread.public() != share.public() || reread.party() != share.party() {
            return Err(CliError::new(format!(
                "{} did not read back intact",
                share_path.display()
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

fn write_file(path: &Path, bytes: &[u8], force: bool) -> Result<(), CliError> {
    if path.exists() && !force {
        return Err(CliError::new(format!(
            "{} already exists; use --force to replace it",
            path.display()
        )));
    }
    std::fs::write(path, bytes).map_err(|e| io_error("write", path, &e))
}

/// Reads a share file.
pub fn load_share(path: &Path) -> Result<KeyShare, CliError> {
    let bytes = std::fs::read(path).map_err(|e| io_error("read the share", path, &e))?;
    file::parse(&bytes).map_err(|e| CliError::new(format!("{}: {e}", path.display())))
}
