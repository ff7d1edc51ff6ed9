use super::CliError;

pub fn run(_args: super::KeygenArgs) -> Result<(), CliError> {
    Err(CliError::new("not built yet"))
}
