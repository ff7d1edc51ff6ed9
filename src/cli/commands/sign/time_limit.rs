//! A signer's time limit (`sign --timeout MINUTES`): a signer that declines a request
//! keeps waiting for the next one, so it may wait for a long time. When the limit
//! passes and nothing was signed, it stops with one line, whatever it was waiting for
//! (a message or an answer), but never in the middle of answering (writing its audit
//! record and sending its message): that is done under [`TimeLimit::hold`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cli::error::EXIT_FAILURE;

/// The running time limit.
pub struct TimeLimit {
    answering: Arc<Mutex<()>>,
}

impl TimeLimit {
    /// Starts the clock: after `after`, prints `message` and exits with the failure
    /// code, unless the process has ended before.
    pub fn start(after: Duration, message: String) -> TimeLimit {
        let answering = Arc::new(Mutex::new(()));
        let held = Arc::clone(&answering);
        std::thread::spawn(move || {
            std::thread::sleep(after);
            // Waits for an answer being written and sent; holds the lock to the end.
            let _answering = held.lock().unwrap_or_else(|e| e.into_inner());
            eprintln!("mpcegosign: {message}");
            std::process::exit(EXIT_FAILURE);
        });
        TimeLimit { answering }
    }

    /// Runs `f` (an answer being recorded and sent) without the limit cutting it off.
    pub fn hold<T>(&self, f: impl FnOnce() -> T) -> T {
        let _answering = self.answering.lock().unwrap_or_else(|e| e.into_inner());
        f()
    }
}

/// Runs `f` under `limit`'s hold, if there is a limit.
pub fn answering<T>(limit: Option<&TimeLimit>, f: impl FnOnce() -> T) -> T {
    match limit {
        Some(l) => l.hold(f),
        None => f(),
    }
}

/// A `--timeout` value: minutes, a positive number (fractions allowed).
pub fn parse_minutes(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(m) if m.is_finite() && m > 0.0 && m <= 7.0 * 24.0 * 60.0 => Ok(m),
        _ => Err(format!(
            "`{s}` is not a number of minutes between 0 and 10080 (a week), e.g. 30 or 0.5"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_positive_and_bounded() {
        assert_eq!(parse_minutes("30"), Ok(30.0));
        assert_eq!(parse_minutes("0.5"), Ok(0.5));
        for bad in ["0", "-1", "nan", "inf", "1e9", "soon", ""] {
            assert!(parse_minutes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_answer_under_hold_finishes_first() {
        let limit = TimeLimit {
            answering: Arc::new(Mutex::new(())),
        };
        assert_eq!(answering(Some(&limit), || 7), 7);
        assert_eq!(answering(None, || 8), 8);
        // The lock is free again after the hold.
        assert!(limit.answering.try_lock().is_ok());
    }
}
