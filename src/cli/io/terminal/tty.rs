//! The terminal mode of standard input while messages are pasted into it.
//!
//! In its usual (canonical) mode a terminal keeps at most 4,095 bytes of one line
//! on Linux (1,024 on macOS) and drops the rest, so a long pasted line arrives cut.
//! While it waits for messages, mpcegosign turns canonical mode off (`ICANON`, with
//! `VMIN` 1 and `VTIME` 0: every byte is handed over as it comes, and the lines are
//! put together by `input`); echo and signals (`ISIG`: Ctrl-C) stay as they were.
//! The terminal's settings from before are saved once, in a static, and put back by
//! [`restore_terminal`]: from the [`Restore`] guard's `Drop` on every return and
//! unwind, before each question (an answer is typed in the usual mode, where
//! Backspace works), and from a signal handler, for which it is async-signal-safe.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use rustix::termios::{self, LocalModes, OptionalActions, SpecialCodeIndex, Termios};

/// The settings of standard input before mpcegosign first changed them.
static SAVED: OnceLock<Termios> = OnceLock::new();
/// Whether standard input is in the mode set by [`enter_noncanonical`] now.
static CHANGED: AtomicBool = AtomicBool::new(false);

/// Whether standard input is a terminal.
pub fn stdin_is_terminal() -> bool {
    termios::isatty(rustix::stdio::stdin())
}

/// Whether standard input is in non-canonical mode, set by us, now.
pub fn is_noncanonical() -> bool {
    CHANGED.load(Ordering::SeqCst)
}

/// Turns canonical mode off on standard input, if it is a terminal (otherwise does
/// nothing and returns false). Idempotent.
pub fn enter_noncanonical() -> std::io::Result<bool> {
    if !stdin_is_terminal() {
        return Ok(false);
    }
    if CHANGED.load(Ordering::SeqCst) {
        return Ok(true);
    }
    let fd = rustix::stdio::stdin();
    let current = termios::tcgetattr(fd)?;
    let saved = SAVED.get_or_init(|| current.clone());
    let mut raw = saved.clone();
    raw.local_modes.remove(LocalModes::ICANON);
    raw.special_codes[SpecialCodeIndex::VMIN] = 1;
    raw.special_codes[SpecialCodeIndex::VTIME] = 0;
    // Set first, then mark: a signal in between finds nothing to undo, and the
    // terminal is no worse than a mode change that failed.
    CHANGED.store(true, Ordering::SeqCst);
    if let Err(e) = termios::tcsetattr(fd, OptionalActions::Now, &raw) {
        CHANGED.store(false, Ordering::SeqCst);
        return Err(e.into());
    }
    Ok(true)
}

/// Puts standard input back in the mode it had before mpcegosign changed it; does
/// nothing if it was not changed. Returns whether it was.
///
/// Async-signal-safe: an atomic swap, a lock-free read of the saved settings and
/// one `tcsetattr` system call; no allocation, no lock. A signal handler calls it
/// before the process ends.
pub fn restore_terminal() -> bool {
    if !CHANGED.swap(false, Ordering::SeqCst) {
        return false;
    }
    if let Some(saved) = SAVED.get() {
        let _ = termios::tcsetattr(rustix::stdio::stdin(), OptionalActions::Now, saved);
    }
    true
}

/// Discards what was typed or pasted into the terminal and not read yet; returns
/// how many bytes that was, as far as the terminal tells.
pub fn flush_pending_input() -> usize {
    if !stdin_is_terminal() {
        return 0;
    }
    let fd = rustix::stdio::stdin();
    let pending = rustix::io::ioctl_fionread(fd).unwrap_or(0);
    let _ = termios::tcflush(fd, termios::QueueSelector::IFlush);
    usize::try_from(pending).unwrap_or(usize::MAX)
}

/// Restores the terminal when dropped (see [`restore_terminal`]).
pub struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        restore_terminal();
    }
}
