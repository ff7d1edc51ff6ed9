use super::CliError;

pub fn run(_args: super::SignArgs) -> Result<(), CliError> {
    Err(CliError::new("not built yet"))
}
