//! The one reader of standard input: pasted messages and typed answers both come
//! through it, so that before a question everything typed or pasted earlier can be
//! thrown away (our buffer, the terminal's pending input, and what a pipe already
//! holds). std's `Stdin` is not used for reading: its hidden buffer could not be
//! cleared.

use std::io::{BufRead, BufReader, Read};
use std::sync::{Mutex, MutexGuard};

use super::bounded_line::{read_bounded_line, Line};
use super::tty;

/// Control-D: in non-canonical mode the terminal hands it over as a byte; it ends
/// the input as it does in canonical mode.
const END_OF_TRANSMISSION: u8 = 0x04;

/// Reads the file descriptor of standard input directly.
struct RawStdin {
    ended: bool,
}

impl Read for RawStdin {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.ended {
            return Ok(0);
        }
        let n = rustix::io::read(rustix::stdio::stdin(), &mut *buf)?;
        if tty::is_noncanonical() {
            if let Some(p) = buf[..n].iter().position(|&b| b == END_OF_TRANSMISSION) {
                self.ended = true;
                return Ok(p);
            }
        }
        Ok(n)
    }
}

static INPUT: Mutex<Option<BufReader<RawStdin>>> = Mutex::new(None);

fn input() -> MutexGuard<'static, Option<BufReader<RawStdin>>> {
    // A panic while holding the lock leaves a buffer of bytes, still usable.
    let mut guard = INPUT.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none() {
        *guard = Some(BufReader::with_capacity(
            64 * 1024,
            RawStdin { ended: false },
        ));
    }
    guard
}

/// Reads one line of at most `max` bytes (see [`read_bounded_line`]).
pub fn read_line(max: usize) -> std::io::Result<Line> {
    let mut guard = input();
    match guard.as_mut() {
        Some(reader) => read_bounded_line(reader, max),
        None => Ok(Line::End),
    }
}

/// Throws away everything typed or pasted so far: what our reader holds, the
/// terminal's pending input, and whatever a pipe or terminal can give right now
/// without waiting. Returns how many bytes were dropped (for tests and notes).
pub fn discard_typed_ahead() -> usize {
    let mut guard = input();
    let Some(reader) = guard.as_mut() else {
        return 0;
    };
    let mut dropped = reader.buffer().len();
    reader.consume(dropped);
    dropped = dropped.saturating_add(tty::flush_pending_input());
    let mut scratch = vec![0u8; 64 * 1024];
    while readable_now() {
        match reader.get_mut().read(&mut scratch) {
            Ok(0) | Err(_) => break,
            Ok(n) => dropped = dropped.saturating_add(n),
        }
    }
    dropped
}

/// Whether standard input has bytes (or its end) to give without waiting.
fn readable_now() -> bool {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    let fd = rustix::stdio::stdin();
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    let zero = Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match poll(&mut fds, Some(&zero)) {
        Ok(n) if n > 0 => fds[0].revents().intersects(PollFlags::IN | PollFlags::HUP),
        _ => false,
    }
}
