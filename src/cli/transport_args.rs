//! Transport options shared by every ceremony command.

use clap::{Args, ValueEnum};

use super::CliError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TransportKind {
    /// One line of text per message, pasted through a group chat.
    #[default]
    Text,
    /// Animated QR codes shown on screen and scanned by a camera or from images.
    Qr,
}

#[derive(Args, Debug, Clone)]
pub struct TransportArgs {
    /// How messages travel: pasted text, or animated QR codes.
    #[arg(long, value_enum, default_value_t = TransportKind::Text)]
    pub transport: TransportKind,
}

pub fn list_cameras() -> Result<(), CliError> {
    Err(CliError::new("camera support is not built yet"))
}
