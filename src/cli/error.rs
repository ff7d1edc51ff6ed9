//! The CLI's error: one line that says what is wrong and what to do.

use std::fmt;

/// Exit code for a failed command (bad input, refused, I/O).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code when a verification found a mismatch.
pub const EXIT_MISMATCH: i32 = 3;

#[derive(Debug)]
pub struct CliError {
    message: String,
    code: i32,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: EXIT_FAILURE,
        }
    }
    /// A verification failure (exit code 3).
    pub fn mismatch(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
            code: EXIT_MISMATCH,
        }
    }
    /// Adds what the user should do next.
    pub fn hint(mut self, hint: &str) -> Self {
        self.message = format!("{}; {hint}", self.message);
        self
    }
    pub fn exit_code(&self) -> i32 {
        self.code
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Always one line, whatever the source error held, and no control character
        // from a remote party reaches the terminal.
        f.write_str(&mpcegosign::sanitize::sanitize(
            &self.message.replace(['\n', '\r'], " "),
        ))
    }
}

/// A file-related error naming the path.
pub fn io_error(what: &str, path: &std::path::Path, e: &std::io::Error) -> CliError {
    let reason = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    CliError::new(format!("cannot {what} {}: {reason}", path.display()))
}
