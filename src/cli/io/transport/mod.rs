//! How ceremony messages travel: pasted text ([`text`]) or animated QR codes
//! ([`qr`]), both behind the library's `Transport` trait, chosen by the options in
//! [`args`].

pub mod args;
pub mod qr;
pub mod text;

use crate::cli::error::CliError;
use args::{TransportArgs, TransportKind};

/// Opens the transport chosen with `--transport`.
pub fn open_transport(
    args: &TransportArgs,
) -> Result<Box<dyn mpcegosign::transport::Transport>, CliError> {
    match args.transport {
        TransportKind::Text => Ok(Box::new(text::TextTransport::new())),
        TransportKind::Qr => Ok(Box::new(qr::QrTransport::new(args)?)),
    }
}
