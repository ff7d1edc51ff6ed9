//! `mpcegosign share …`: encrypt, passwd, info, decrypt.

use clap::{Args, Subcommand};

use super::CliError;

#[derive(Args, Debug)]
pub struct ShareArgs {
    #[command(subcommand)]
    pub command: ShareCommand,
}

#[derive(Subcommand, Debug)]
pub enum ShareCommand {}

pub fn run(_args: ShareArgs) -> Result<(), CliError> {
    Err(CliError::new("not built yet"))
}
