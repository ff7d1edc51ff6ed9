//! `mpcegosign qr-more`: adds frames to a message's frame folder under `--qr-out`
//! when a receiver lost too many (the folder itself is in
//! [`crate::cli::io::transport::qr::frame_folder`]).

use std::path::PathBuf;

use clap::Args;

use crate::cli::error::CliError;
use crate::cli::io::transport::qr::frame_folder::more;

#[derive(Args, Debug)]
pub struct QrMoreArgs {
    /// The message's frame folder (under the --qr-out folder of the command that sent
    /// it), as the receiver named it; or the --qr-out folder itself with --message.
    #[arg(value_name = "FOLDER")]
    pub folder: PathBuf,
    /// How many new frames to write (the receiver says how many it needs).
    #[arg(long, value_name = "N", default_value_t = 6,
          value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub frames: u64,
    /// The message ID the receiver printed (8 hex digits), to find its folder under
    /// FOLDER, or to check that FOLDER holds it.
    #[arg(long, value_name = "ID")]
    pub message: Option<String>,
}

/// `mpcegosign qr-more`.
pub fn run(a: QrMoreArgs) -> Result<(), CliError> {
    if !a.folder.is_dir() {
        return Err(CliError::new(format!(
            "{} is not a folder: give the message's frame folder under your --qr-out folder",
            a.folder.display()
        )));
    }
    let (folder, written) = more(&a.folder, a.message.as_deref(), a.frames as usize)
        .map_err(|e| CliError::new(e.to_string()))?;
    let (first, last) = (
        written.first().and_then(|p| p.file_name()),
        written.last().and_then(|p| p.file_name()),
    );
    if let (Some(first), Some(last)) = (first, last) {
        eprintln!(
            "Wrote {} new QR frame{} ({} to {}) in {}: bring them to the receiving machine as before",
            written.len(),
            if written.len() == 1 { "" } else { "s" },
            first.to_string_lossy(),
            last.to_string_lossy(),
            folder.display()
        );
    }
    Ok(())
}
