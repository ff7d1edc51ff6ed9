//! Generating a fresh key for `keygen` (ordinary, or from safe primes for shoup3),
//! with a spinner that shows the search.

use std::sync::atomic::AtomicBool;

use indicatif::{ProgressBar, ProgressStyle};
use mpcegosign::key::{self, KeygenEvent, PrivateKey};
use mpcegosign::threshold::shoup3::{SafeKeygenEvent, SafePrimeKey};

use crate::cli::error::CliError;

/// The spinner shown while a key's primes are searched for, with the time so far.
fn keygen_spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

pub(super) fn generate_safe_key() -> Result<SafePrimeKey, CliError> {
    let bar = keygen_spinner();
    // Said once on stderr even without a terminal (the spinner draws only on one).
    eprintln!(
        "Generating an RSA-3072 key (e = 3) from two safe primes, one per core. This takes longer than an ordinary key: usually seconds, sometimes a minute or more."
    );
    let mut seen = [0u64; 2];
    let mut found = [false; 2];
    let cancel = AtomicBool::new(false);
    let key = SafePrimeKey::generate(
        &mut |ev| match ev {
            SafeKeygenEvent::Searching => {
                found = [false; 2];
                bar.set_message("Searching for two safe primes")
            }
            SafeKeygenEvent::Progress { index, candidates } => {
                if let Some(s) = seen.get_mut(usize::from(index).wrapping_sub(1)) {
                    *s = candidates;
                }
                let state = |i: usize| {
                    if found[i] {
                        "found".to_string()
                    } else {
                        format!("{} candidates", seen[i])
                    }
                };
                bar.set_message(format!(
                    "Searching for two safe primes: prime 1 {}, prime 2 {}",
                    state(0),
                    state(1)
                ))
            }
            SafeKeygenEvent::FoundPrime { index } => {
                if let Some(f) = found.get_mut(usize::from(index).wrapping_sub(1)) {
                    *f = true;
                }
                bar.println(format!("Found safe prime {index} of 2"))
            }
            SafeKeygenEvent::Retry => bar.println("Primes too close together; searching again"),
            SafeKeygenEvent::Done => {}
        },
        &cancel,
    );
    bar.finish_and_clear();
    key.map_err(|e| CliError::new(e.to_string()))
}

pub(super) fn generate_key() -> Result<PrivateKey, CliError> {
    let bar = keygen_spinner();
    bar.set_message("Generating an RSA-3072 key (e = 3)");
    let key = key::generate(&mut |ev| match ev {
        KeygenEvent::SearchingPrime { index } => {
            bar.set_message(format!("Searching for prime {index} of 2"))
        }
        KeygenEvent::FoundPrime { index } => bar.println(format!("Found prime {index} of 2")),
        KeygenEvent::Retry => {
            bar.println("Primes rejected (modulus size or distance); searching again")
        }
        KeygenEvent::Done => {}
    });
    bar.finish_and_clear();
    key.map_err(|e| CliError::new(e.to_string()))
}
