//! Ctrl-C, SIGTERM and SIGHUP, anywhere: the process ends with one line saying what
//! it kept and what it removed, and exit code 128 + the signal's number (130 for
//! Ctrl-C).
//!
//! The signal itself only wakes a watcher thread (signal-hook's self-pipe: nothing
//! but async-signal-safe code runs in the handler). The watcher then, in order:
//! 1. puts the terminal back ([`restore_terminal_state`]: its saved mode, then every
//!    hook registered with [`on_interrupt`], e.g. the passphrase prompt's echo);
//! 2. removes every temporary file and lists the kept ones
//!    ([`mpcegosign::fsutil::tracked::interrupt`], which also stops any other thread
//!    from linking or removing a file from then on);
//! 3. prints the line and exits.
//!
//! A second signal while that runs (a stuck disk, say) ends the process at once.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use mpcegosign::fsutil::tracked::{self, Kept};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

type Hook = Box<dyn Fn() + Send>;

static HOOKS: Mutex<Vec<(u64, Hook)>> = Mutex::new(Vec::new());
static NEXT_HOOK: AtomicU64 = AtomicU64::new(0);

/// A cleanup action run if the process is interrupted; dropping this removes it.
#[must_use = "the action is removed when this is dropped"]
pub struct OnInterrupt(u64);

impl Drop for OnInterrupt {
    fn drop(&mut self) {
        let mut hooks = HOOKS.lock().unwrap_or_else(|p| p.into_inner());
        hooks.retain(|(id, _)| *id != self.0);
    }
}

/// Registers `action` to run (on the watcher thread) if a signal ends the process
/// while the returned value lives. It must not wait for the main thread.
pub fn on_interrupt(action: impl Fn() + Send + 'static) -> OnInterrupt {
    let id = NEXT_HOOK.fetch_add(1, Ordering::Relaxed);
    HOOKS
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((id, Box::new(action)));
    OnInterrupt(id)
}

/// Starts watching for SIGINT, SIGTERM and SIGHUP. Returns a warning to print if the
/// handler cannot be installed (the process then dies on a signal as it would
/// without one).
pub fn install() -> Option<String> {
    let mut signals = match Signals::new([SIGINT, SIGTERM, SIGHUP]) {
        Ok(s) => s,
        Err(e) => {
            return Some(format!(
                "cannot catch Ctrl-C ({e}): an interruption may leave temporary files"
            ))
        }
    };
    let spawned = std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut caught = signals.forever();
            let Some(sig) = caught.next() else {
                return;
            };
            let cleanup = std::thread::Builder::new()
                .name("cleanup".into())
                .spawn(move || interrupted(sig));
            if cleanup.is_err() {
                interrupted(sig)
            }
            // A second signal while the cleanup waits (a stuck disk, say) ends the
            // process at once.
            if let Some(again) = caught.next() {
                std::process::exit(128 + again)
            }
        });
    spawned
        .err()
        .map(|e| format!("cannot catch Ctrl-C ({e}): an interruption may leave temporary files"))
}

/// Puts the terminal as it was: the one place every terminal restoration runs from
/// when a signal ends the process.
fn restore_terminal_state() {
    // The terminal's saved mode first (a paste being read runs it out of canonical
    // mode), then every registered hook (e.g. a passphrase prompt's echo).
    super::tty::restore_terminal();
    let hooks = HOOKS.lock().unwrap_or_else(|p| p.into_inner());
    for (_, hook) in hooks.iter() {
        hook();
    }
}

fn interrupted(sig: i32) -> ! {
    restore_terminal_state();
    let done = tracked::interrupt();
    // Not eprintln!: it panics if stderr is gone (SIGHUP: the terminal closed).
    let line = summary(sig, (done.removed, done.removed_dirs), &done.kept);
    let _ = writeln!(std::io::stderr(), "\nmpcegosign: {line}");
    // `done` holds the file lock until the process is gone.
    std::process::exit(128 + sig)
}

fn signal_name(sig: i32) -> &'static str {
    match sig {
        SIGINT => "Ctrl-C (SIGINT)",
        SIGTERM => "SIGTERM",
        SIGHUP => "SIGHUP (the terminal closed)",
        _ => "a signal",
    }
}

/// The one line: what the interruption kept and what it removed (temporary files,
/// work directories).
fn summary(sig: i32, (files, dirs): (usize, usize), kept: &[Kept]) -> String {
    let mut parts = vec![format!("interrupted by {}", signal_name(sig))];
    if kept.is_empty() {
        parts.push("nothing was kept".into());
    }
    for k in kept {
        parts.push(format!("kept {}", k.note));
    }
    let count = |n: usize, one: &str, many: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {many}"),
    };
    parts.push(match (files, dirs) {
        (0, 0) => "no temporary file is left".into(),
        (f, 0) => format!("removed {}", count(f, "temporary file", "temporary files")),
        (0, d) => format!("removed {}", count(d, "work directory", "work directories")),
        (f, d) => format!(
            "removed {} and {}",
            count(f, "temporary file", "temporary files"),
            count(d, "work directory", "work directories")
        ),
    });
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_says_what_was_kept_and_removed() {
        assert_eq!(
            summary(SIGINT, (0, 0), &[]),
            "interrupted by Ctrl-C (SIGINT); nothing was kept; no temporary file is left"
        );
        let kept = [Kept {
            path: "d/share_1.unconfirmed-AAAA-BBBB-CCCC-DDDD.json".into(),
            note: "the unconfirmed share d/x: run y".into(),
        }];
        let line = summary(SIGTERM, (2, 0), &kept);
        assert_eq!(
            line,
            "interrupted by SIGTERM; kept the unconfirmed share d/x: run y; removed 2 temporary files"
        );
        assert!(!line.contains('\n'));
        assert_eq!(
            summary(SIGHUP, (1, 1), &[]),
            "interrupted by SIGHUP (the terminal closed); nothing was kept; removed 1 temporary file and 1 work directory"
        );
        assert!(summary(SIGINT, (0, 2), &[]).ends_with("; removed 2 work directories"));
    }

    #[test]
    fn hooks_run_while_registered() {
        use std::sync::atomic::AtomicUsize;
        use std::sync::Arc;
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        let guard = on_interrupt(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        restore_terminal_state();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
        drop(guard);
        restore_terminal_state();
        assert_eq!(runs.load(Ordering::SeqCst), 1);
    }
}
