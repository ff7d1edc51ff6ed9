//! `mpcegosign cameras`: the cameras that `--transport qr` can scan with.

use crate::cli::error::CliError;
use crate::cli::io::transport::qr;

/// `mpcegosign cameras`.
pub fn list_cameras() -> Result<(), CliError> {
    let cams = qr::cameras()?;
    if cams.is_empty() {
        return Err(CliError::new("no camera found").hint(qr::NO_CAMERA_HINT));
    }
    for (i, name) in cams {
        println!("{i}: {name}");
    }
    Ok(())
}
