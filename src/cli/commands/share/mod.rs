//! `mpcegosign share …`: encrypt, passwd, info, decrypt, export, backup, restore,
//! retire (export in `export`, backup and restore in `backup`, retire in `retire`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use mpcegosign::backup::Paper;
use mpcegosign::fsutil::{self, SECRET_MODE};
use mpcegosign::share::{encrypted, file};
use zeroize::Zeroizing;

use crate::cli::error::CliError;
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::passphrase::{self, PassphraseArgs, Purpose};

mod backup;
mod export;
mod retire;

#[derive(Args, Debug)]
pub struct ShareArgs {
    #[command(subcommand)]
    pub command: ShareCommand,
}

#[derive(Subcommand, Debug)]
pub enum ShareCommand {
    /// Encrypt a plain share_N.json with a passphrase (writes share_N.json.age).
    Encrypt {
        /// The plain share file.
        file: PathBuf,
        /// Output. Default: FILE.age.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Replace an existing output.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Change the passphrase of an encrypted share (in place, atomically).
    Passwd {
        /// The encrypted share file.
        file: PathBuf,
        /// Read the new passphrase from the first line of FILE.
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<PathBuf>,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Show a share's party, scheme, MRSIGNER, generation and retired state (never a secret).
    Info {
        /// The share file, plain or encrypted.
        file: PathBuf,
        /// Also check that the share belongs to this public key.
        #[arg(long, value_name = "PEM")]
        key: Option<PathBuf>,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Write a share's plain JSON to a file (or `-` for a non-terminal stdout).
    Decrypt {
        /// The encrypted share file.
        file: PathBuf,
        /// Where the plain share goes.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing output.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Write a `subsets` share as the reference tool's plain version-2 JSON (shoup3 has no reference form).
    Export {
        /// The share file, plain or encrypted.
        file: PathBuf,
        /// Where the reference-format share goes: plain JSON, mode 0600, never replacing a file.
        #[arg(long, value_name = "OUT")]
        reference: PathBuf,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Print an encrypted share as one page of QR codes (PNG, 300 dpi) to keep on paper.
    Backup {
        /// The encrypted share file (share_N.json.age); its bytes go on the sheet as they are.
        file: PathBuf,
        /// The sheet to write (PNG); never replaced.
        #[arg(long, value_name = "PNG")]
        out: PathBuf,
        /// Paper size.
        #[arg(long, value_enum, default_value_t = Paper::A4)]
        paper: Paper,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Rebuild an encrypted share from photos or scans of its backup sheet.
    Restore {
        /// Photos or scans of the sheet (files or folders); any K of its codes suffice.
        #[arg(long, value_name = "PATH", num_args = 1.., required = true)]
        scan: Vec<PathBuf>,
        /// Directory to write share_N.json.age in (an existing file is never replaced).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Also check that the share belongs to this public key.
        #[arg(long, value_name = "PEM")]
        public: Option<PathBuf>,
        #[command(flatten)]
        passphrase: PassphraseArgs,
    },
    /// Mark a share retired after a reshare replaced it (rewritten in place; it signs nothing after).
    Retire(retire::RetireArgs),
}

pub fn run(args: ShareArgs) -> Result<(), CliError> {
    match args.command {
        ShareCommand::Encrypt {
            file,
            out,
            force,
            passphrase,
        } => encrypt(&file, out, force, &passphrase),
        ShareCommand::Passwd {
            file,
            new_passphrase_file,
            passphrase,
        } => passwd(&file, new_passphrase_file.as_deref(), &passphrase),
        ShareCommand::Info {
            file,
            key,
            passphrase,
        } => info(&file, key.as_deref(), &passphrase),
        ShareCommand::Decrypt {
            file,
            out,
            force,
            passphrase,
        } => decrypt(&file, &out, force, &passphrase),
        ShareCommand::Export {
            file,
            reference,
            passphrase,
        } => export::export(&file, &reference, &passphrase),
        ShareCommand::Backup {
            file,
            out,
            paper,
            passphrase,
        } => backup::backup(&file, &out, paper, &passphrase),
        ShareCommand::Restore {
            scan,
            out,
            public,
            passphrase,
        } => backup::restore(&scan, &out, public.as_deref(), &passphrase),
        ShareCommand::Retire(a) => retire::run(&a),
    }
}

/// Reads a share file (plain ones are secret) into a buffer wiped on drop; warns of a
/// plain share others can read and of an unconfirmed share beside it.
fn read(path: &Path) -> Result<Zeroizing<Vec<u8>>, CliError> {
    share_io::read_share_file(path)
}

fn encrypt(
    path: &Path,
    out: Option<PathBuf>,
    force: bool,
    args: &PassphraseArgs,
) -> Result<(), CliError> {
    let bytes = read(path)?;
    if encrypted::is_age(&bytes) {
        return Err(CliError::new(format!(
            "{} is already encrypted",
            path.display()
        )));
    }
    let share =
        file::parse(&bytes).map_err(|e| CliError::new(format!("{}: {e}", path.display())))?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}.age", path.display())));
    refuse_existing(&out, force)?;
    let pass = passphrase::obtain(args, Purpose::New, &out.display().to_string())?;
    let sealed = share_io::seal_bytes(&file::serialize(&share), &pass)?;
    fsutil::write_new(&out, &sealed, SECRET_MODE, force)
        .map_err(|e| CliError::new(e.to_string()))?;
    // Check the new file opens before telling the user to destroy the old one.
    share_io::open_bytes(&read(&out)?, &out.display().to_string(), &mut || {
        Ok(pass.clone())
    })?;
    eprintln!("Wrote {}.", out.display());
    eprintln!(
        "Now destroy the plain {} (e.g. `shred -u`), and any copy of it.",
        path.display()
    );
    Ok(())
}

fn passwd(path: &Path, new_file: Option<&Path>, args: &PassphraseArgs) -> Result<(), CliError> {
    let bytes = read(path)?;
    if !encrypted::is_age(&bytes) {
        return Err(
            CliError::new(format!("{} is not encrypted", path.display()))
                .hint("use `mpcegosign share encrypt` for a plain share"),
        );
    }
    let what = path.display().to_string();
    let share = share_io::open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    let new = passphrase::obtain_from(new_file, Purpose::New, &format!("{what} (new)"))?;
    let sealed = share_io::seal_bytes(&file::serialize(&share), &new)?;
    share_io::open_bytes(&sealed, &what, &mut || Ok(new.clone()))?;
    fsutil::write_new(path, &sealed, SECRET_MODE, true)
        .map_err(|e| CliError::new(e.to_string()))?;
    eprintln!("Changed the passphrase of {what}.");
    Ok(())
}

fn info(path: &Path, key: Option<&Path>, args: &PassphraseArgs) -> Result<(), CliError> {
    let bytes = read(path)?;
    let what = path.display().to_string();
    let enc = encrypted::is_age(&bytes);
    let share = share_io::open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    if let Some(k) = key {
        share_io::check_public(&share, k)?;
    }
    let s = share.scheme();
    println!("file:       {what}");
    println!(
        "encrypted:  {}",
        if enc {
            "yes (age, passphrase)"
        } else {
            "NO (plain JSON)"
        }
    );
    println!("party:      {} of {}", share.party(), s.parties());
    println!("threshold:  {}-of-{}", s.threshold(), s.parties());
    println!("mrsigner:   {}", hex::encode(share.public().mrsigner()));
    println!("scheme:     {}", share.scheme_name());
    let (label, held) = share.secret().holding();
    println!("{label:<12}{held}");
    if let Some(keys) = share.shoup3().map(|s| s.keys()) {
        match keys.commitments() {
            Some(c) => println!(
                "dealing:    version 2 (Feldman commitments), share bound S = {} bits",
                c.bound()
            ),
            None => println!("dealing:    version 1 (v_1..v_n; refresh needs a reshare first)"),
        }
    }
    let g = share.generation();
    match share.refreshed() {
        Some(r) => println!(
            "generation: {} (refresh session {}, transcript {})",
            g.number,
            r.session.short(),
            hex::encode(r.transcript)
        ),
        None => println!("generation: 0 (as dealt by keygen)"),
    }
    match share.retired() {
        Some(by) => println!(
            "retired:    YES, replaced by {}: this share signs nothing",
            hex::encode(by)
        ),
        None => println!("retired:    no"),
    }
    match share.auth() {
        Some(auth) => {
            println!("format:     version 3 (with identity key and roster)");
            println!("key code:   {}", share.key_code().unwrap_or_default());
            println!("transcript: {} (keygen)", hex::encode(auth.transcript));
            println!("identity:   {}", auth.identity.public().to_hex());
            for (i, k) in auth.roster.iter().enumerate() {
                println!("roster:     party {:>2} {}", i + 1, k.identity.to_hex());
            }
        }
        None => println!(
            "format:     reference (version 1/2): no roster, messages cannot be authenticated"
        ),
    }
    // What a signer with this share has in force (docs/policy.md).
    match crate::cli::io::files::policy::in_force(path, &share.public().mrsigner()) {
        Ok(lines) => lines.iter().for_each(|l| println!("{l}")),
        Err(e) => println!("signer:     a signer with this share would stop: {e}"),
    }
    Ok(())
}

fn decrypt(path: &Path, out: &Path, force: bool, args: &PassphraseArgs) -> Result<(), CliError> {
    let to_stdout = out.as_os_str() == "-";
    if to_stdout && std::io::stdout().is_terminal() {
        return Err(
            CliError::new("refusing to print a secret share on the terminal")
                .hint("pass --out FILE, or redirect standard output"),
        );
    }
    if !to_stdout {
        refuse_existing(out, force)?;
    }
    let bytes = read(path)?;
    let what = path.display().to_string();
    let share = share_io::open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    let plain = file::serialize(&share);
    eprintln!("Warning: the output is the share in clear; anyone who reads it holds your part of the key.");
    if to_stdout {
        let mut o = std::io::stdout().lock();
        o.write_all(plain.expose())
            .and_then(|_| o.flush())
            .map_err(|e| CliError::new(format!("cannot write: {e}")))?;
    } else {
        fsutil::write_new(out, plain.expose(), SECRET_MODE, force)
            .map_err(|e| CliError::new(e.to_string()))?;
        eprintln!("Wrote {}.", out.display());
    }
    Ok(())
}

/// `share encrypt` and `share decrypt`: an existing output is refused before any
/// passphrase is asked for, unless `--force`.
fn refuse_existing(out: &Path, force: bool) -> Result<(), CliError> {
    if out.exists() && !force {
        return Err(CliError::new(format!(
            "{} already exists; pass --force to replace it",
            out.display()
        )));
    }
    Ok(())
}
