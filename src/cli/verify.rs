use super::CliError;

pub fn run(_args: super::VerifyArgs) -> Result<(), CliError> {
    Err(CliError::new("not built yet"))
}
