//! `mpcegosign share backup` and `share restore`: an encrypted share on one printed
//! page of QR codes, and back, byte for byte (layout in `mpcegosign::backup`).

use std::path::{Path, PathBuf};

use airgap::image::GrayImage;
use airgap::{render, scan, Decoder, Progress};
use mpcegosign::backup::{self, Paper, SheetInfo};
use mpcegosign::fsutil::{self, FileError, SECRET_MODE};
use mpcegosign::sgx::sigstruct::Date;
use mpcegosign::share::encrypted;
use sha2::{Digest, Sha256};

use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::passphrase::{self, PassphraseArgs, Purpose};

fn exists_error(e: FileError, what: &str) -> CliError {
    match e {
        FileError::Exists(p) => CliError::new(format!(
            "{} already exists; {what} never replaces a file: choose another name",
            p.display()
        )),
        other => CliError::new(other.to_string()),
    }
}

/// Every complete message found in the sheet image, fed until one completes.
fn scan_into(img: &GrayImage, decoder: &mut Decoder, codes: &mut usize) -> Option<Vec<u8>> {
    let mut done = None;
    scan::scan_sheet(img, &mut |texts| {
        for t in texts {
            match decoder.receive(&t) {
                Ok(Progress::Complete(m)) => {
                    *codes += 1;
                    done = Some(m);
                }
                Ok(Progress::Frame { .. }) => *codes += 1,
                _ => {}
            }
        }
        done.is_some()
    });
    done
}

/// "0.1.0 (commit 0123456789ab)": the commit shortened to fit the sheet's line.
fn sheet_version() -> String {
    let commit = mpcegosign::build_info::GIT_COMMIT;
    let (hash, dirty) = match commit.strip_suffix("-dirty") {
        Some(h) => (h, "-dirty"),
        None => (commit, ""),
    };
    let short: String = hash.chars().take(12).collect();
    format!(
        "{} (commit {short}{dirty})",
        mpcegosign::build_info::VERSION
    )
}

pub fn backup(
    share: &Path,
    out: &Path,
    paper: Paper,
    args: &PassphraseArgs,
) -> Result<(), CliError> {
    if std::fs::symlink_metadata(out).is_ok() {
        return Err(exists_error(FileError::Exists(out.to_path_buf()), "backup"));
    }
    let bytes = fsutil::read_secret(share).map_err(|e| io_error("read the share", share, &e))?;
    let what = share.display().to_string();
    if !encrypted::is_age(&bytes) {
        return Err(CliError::new(format!(
            "{what} is not encrypted; a paper backup holds only encrypted shares: run `mpcegosign share encrypt {what}` first"
        )));
    }
    // Opening it proves the backup is of a share this passphrase opens, and gives
    // the public facts the sheet shows.
    let opened = share_io::open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    let scheme = opened.scheme();
    let info = SheetInfo {
        party: opened.party(),
        parties: scheme.parties(),
        threshold: scheme.threshold(),
        mrsigner: opened.public().mrsigner(),
        file_name: share
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        file_sha256: Sha256::digest(&bytes[..]).into(),
        date: Date::today_utc().to_string(),
        tool: format!("mpcegosign {}", sheet_version()),
    };
    drop(opened);
    let sheet =
        backup::render_sheet(&bytes, &info, paper).map_err(|e| CliError::new(e.to_string()))?;
    // Verify before writing: the sheet as drawn must give the file back.
    let mut decoder = Decoder::new();
    let mut codes = 0;
    if scan_into(&sheet.image, &mut decoder, &mut codes).as_deref() != Some(&bytes[..]) {
        return Err(CliError::new(
            "the rendered sheet does not scan back to the share file; nothing was written (please report this)",
        ));
    }
    let png = render::to_png_at_dpi(&sheet.image, backup::DPI)
        .map_err(|e| CliError::new(e.to_string()))?;
    fsutil::write_new(out, &png, SECRET_MODE, false).map_err(|e| exists_error(e, "backup"))?;
    eprintln!(
        "Wrote {}: one {} page at {} dpi, {} QR codes (any {} restore the share), modules of {} px.",
        out.display(),
        paper.name(),
        backup::DPI,
        sheet.printed,
        sheet.needed,
        sheet.module_px
    );
    eprintln!("Print it at 100 % scale, then run the recovery drill (docs/shares.md): `mpcegosign share restore --scan PHOTO --out DIR`.");
    Ok(())
}

pub fn restore(
    scan_paths: &[PathBuf],
    out_dir: &Path,
    public: Option<&Path>,
    args: &PassphraseArgs,
) -> Result<(), CliError> {
    scan::check_paths(scan_paths).map_err(|e| CliError::new(e.to_string()))?;
    let meta = std::fs::metadata(out_dir)
        .map_err(|e| io_error("use the output directory", out_dir, &e))?;
    if !meta.is_dir() {
        return Err(CliError::new(format!(
            "{} is not a directory",
            out_dir.display()
        )));
    }
    let files = scan::image_files(scan_paths);
    let mut decoder = Decoder::new();
    let mut codes = 0;
    let mut restored = None;
    for path in &files {
        let img = airgap::image::open(path)
            .map_err(|e| CliError::new(format!("cannot read image {}: {e}", path.display())))?
            .to_luma8();
        if let Some(m) = scan_into(&img, &mut decoder, &mut codes) {
            restored = Some(m);
            break;
        }
    }
    let Some(bytes) = restored else {
        let status = match decoder.status() {
            Some((_, percent)) => format!("{codes} codes read, {percent}% of the file known"),
            None => "no backup code found".into(),
        };
        return Err(CliError::new(format!(
            "the photos do not restore the share ({status}); add photos of more codes (closer, sharper, evenly lit)"
        )));
    };
    if !encrypted::is_age(&bytes) {
        return Err(CliError::new(
            "the codes hold a file that is not an encrypted share; is this an mpcegosign backup sheet?",
        ));
    }
    let what = "the restored share".to_string();
    let share = share_io::open_bytes(&bytes, &what, &mut || {
        passphrase::obtain(args, Purpose::Existing, &what)
    })?;
    if let Some(p) = public {
        share_io::check_public(&share, p)?;
    }
    let out = out_dir.join(format!("share_{}.json.age", share.party()));
    fsutil::write_new(&out, &bytes, SECRET_MODE, false).map_err(|e| exists_error(e, "restore"))?;
    eprintln!(
        "Restored {} ({} bytes, SHA-256 {}): party {} of {}, MRSIGNER {}{}.",
        out.display(),
        bytes.len(),
        hex::encode(Sha256::digest(&bytes)),
        share.party(),
        share.scheme().parties(),
        hex::encode(share.public().mrsigner()),
        if public.is_some() {
            ", matches the public key"
        } else {
            ""
        }
    );
    eprintln!("Compare the SHA-256 with the one printed on the sheet.");
    Ok(())
}
