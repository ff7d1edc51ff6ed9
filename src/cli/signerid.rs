use super::CliError;

pub fn run(_args: super::SigneridArgs) -> Result<(), CliError> {
    Err(CliError::new("not built yet"))
}
