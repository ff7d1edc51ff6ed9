//! What an EGo signing command signs, and where the result goes: a SIGSTRUCT file or
//! another framework's signing input (framework_target.rs), or an EGo enclave prepared
//! and measured as `ego sign` does it.

use std::path::{Path, PathBuf};

use mpcegosign::ego::config::ConfigError;
use mpcegosign::ego::flow::{self, EgoError, Measured, Prepared};
use mpcegosign::ego::locate::EgoInstall;
use mpcegosign::ego::oesign::Oesign;
use mpcegosign::fsutil;
use mpcegosign::fsutil::tracked::WorkDir;
use mpcegosign::key::PublicKey;
use mpcegosign::sgx::{Date, Sigstruct};
use num_bigint::BigUint;

use super::framework_target::FrameworkTarget;
use crate::cli::error::{io_error, CliError};

pub(crate) fn refuse_existing(out: &Path, force: bool) -> Result<(), CliError> {
    if out.exists() && !force {
        return Err(CliError::new(format!(
            "{} already exists; choose another --out or pass --force",
            out.display()
        )));
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    fsutil::check_writable(dir).map_err(|e| CliError::new(e.to_string()))
}

/// What the initiator signs, and where the result goes.
pub(crate) enum Target {
    /// A SIGSTRUCT or another framework's signing input (see framework_target.rs).
    Sigstruct(Box<FrameworkTarget>),
    /// An EGo executable, prepared and measured as `ego sign` does.
    Ego(Box<EgoTarget>),
}

pub(crate) struct EgoTarget {
    pub(crate) prepared: Prepared,
    pub(crate) measured: Measured,
    pub(crate) oesign: Oesign,
    pub(crate) work: WorkDir,
    pub(crate) out: PathBuf,
    pub(crate) mode: u32,
    pub(crate) force: bool,
}

pub(crate) fn ego_error(e: EgoError) -> CliError {
    CliError::new(e.to_string())
}

/// Prepares `config` as `ego sign` does (in memory) and prints EGo's warnings.
pub(crate) fn prepare(config: &Path, install: &EgoInstall) -> Result<Prepared, CliError> {
    let prepared = flow::prepare(config, install).map_err(|e| match e {
        // These name the config file themselves.
        EgoError::Config(
            c @ (ConfigError::Read { .. }
            | ConfigError::Syntax { .. }
            | ConfigError::PathNotUtf8(_)),
        ) => CliError::new(c.to_string()),
        EgoError::Config(c) => CliError::new(format!("{}: {c}", config.display())),
        other => ego_error(other),
    })?;
    for w in &prepared.warnings.0 {
        eprintln!("Warning: {w}");
    }
    Ok(prepared)
}

/// The permission bits of `path` (0o755 if it cannot be read).
pub(crate) fn file_mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o7777)
        .unwrap_or(0o755)
}

/// Measures a prepared executable (`what` names it) through ego-oesign, in a fresh
/// private work directory that the caller keeps for finishing.
pub(crate) fn measure(
    prepared: &Prepared,
    install: &EgoInstall,
    what: &Path,
) -> Result<(Measured, Oesign, WorkDir), CliError> {
    let work = WorkDir::new("mpcegosign-")
        .map_err(|e| CliError::new(format!("cannot create a work directory: {e}")))?;
    let measure_dir = work.path().join("measure");
    std::fs::create_dir(&measure_dir).map_err(|e| io_error("create", &measure_dir, &e))?;
    let oesign = Oesign::from_install(install);
    eprintln!(
        "Measuring {} with {} …",
        what.display(),
        oesign.program().display()
    );
    let measured = flow::measure(prepared, &oesign, &measure_dir).map_err(ego_error)?;
    Ok((measured, oesign, work))
}

impl Target {
    pub(crate) fn sigstruct_file(
        path: &Path,
        out: Option<&Path>,
        force: bool,
    ) -> Result<Self, CliError> {
        let target = FrameworkTarget::open(path, out, force)?;
        for p in target.output_paths() {
            refuse_existing(p, force)?;
        }
        Ok(Target::Sigstruct(Box::new(target)))
    }

    /// Prepares the executable as `ego sign` does and measures it with ego-oesign.
    pub(crate) fn ego(
        config: &Path,
        ego_dir: Option<&Path>,
        out: Option<&Path>,
        force: bool,
    ) -> Result<Self, CliError> {
        let install = EgoInstall::locate(ego_dir).map_err(|e| CliError::new(e.to_string()))?;
        let prepared = prepare(config, &install)?;
        let exe = PathBuf::from(&prepared.config.exe);
        let out = out
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(format!("{}.signed", exe.display())));
        refuse_existing(&out, force)?;
        let mode = file_mode(&exe);
        let (measured, oesign, work) = measure(&prepared, &install, &exe)?;
        Ok(Target::Ego(Box::new(EgoTarget {
            prepared,
            measured,
            oesign,
            work,
            out,
            mode,
            force,
        })))
    }

    pub(crate) fn unsigned(&self) -> &Sigstruct {
        match self {
            Target::Sigstruct(t) => t.unsigned(),
            Target::Ego(e) => &e.measured.sigstruct,
        }
    }

    /// Stores the signature, verifies the result, and only then writes the output.
    pub(crate) fn finish(
        self,
        public: &PublicKey,
        signature: &BigUint,
    ) -> Result<PathBuf, CliError> {
        match self {
            Target::Sigstruct(t) => t.finish(public, signature),
            Target::Ego(t) => t.signed(public, signature)?.write(),
        }
    }
}

/// A signed EGo enclave, verified, not yet written (a batch writes its outputs only
/// once every enclave got this far).
pub(crate) struct SignedEgo {
    pub(crate) out: PathBuf,
    bytes: Vec<u8>,
    mode: u32,
    force: bool,
}

impl SignedEgo {
    /// Writes the output atomically (refusing an existing file without --force).
    pub(crate) fn write(self) -> Result<PathBuf, CliError> {
        fsutil::write_new(&self.out, &self.bytes, self.mode, self.force)
            .map_err(|e| CliError::new(e.to_string()))?;
        Ok(self.out)
    }
}

impl EgoTarget {
    /// Stores the signature as `ego sign` does and verifies the result, in memory.
    pub(crate) fn signed(
        self,
        public: &PublicKey,
        signature: &BigUint,
    ) -> Result<SignedEgo, CliError> {
        let t = self;
        let day = t
            .measured
            .sigstruct
            .regions()
            .date()
            .map_err(|e| CliError::new(e.to_string()))?;
        let final_dir = t.work.path().join("final");
        std::fs::create_dir(&final_dir).map_err(|e| io_error("create", &final_dir, &e))?;
        let measure_dir = t.work.path().join("measure");
        let direct = || {
            flow::apply_signature_directly(
                &t.measured,
                &t.oesign,
                &measure_dir,
                &final_dir,
                public,
                signature,
            )
            .map_err(ego_error)
        };
        let bytes = if Date::today_utc() != day {
            eprintln!("The UTC day changed since the enclave was measured ({day}); storing the signed SIGSTRUCT of {day} directly.");
            direct()?
        } else {
            match flow::apply_signature(
                &t.prepared,
                &t.measured,
                &t.oesign,
                &final_dir,
                public,
                signature,
            ) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("ego-oesign did not store the signature ({e}); storing the signed SIGSTRUCT of {day} directly.");
                    direct()?
                }
            }
        };
        Ok(SignedEgo {
            out: t.out,
            bytes,
            mode: t.mode,
            force: t.force,
        })
    }
}
