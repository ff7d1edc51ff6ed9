//! The one reader of standard input: pasted messages and typed answers both come
//! through it, so that before a question everything typed or pasted earlier can be
//! thrown away (our buffer, the terminal's pending input, and what a pipe already
//! holds). std's `Stdin` is not used for reading: its hidden buffer could not be
//! cleared.

use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

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
    let Some(reader) = guard.as_mut() else {
        return Ok(Line::End);
    };
    if MID_LINE.swap(false, Ordering::SeqCst) {
        // The tail of a line whose start was thrown away before a question.
        if read_bounded_line(reader, max)? == Line::End {
            return Ok(Line::End);
        }
    }
    read_bounded_line(reader, max)
}

/// How long input must stay quiet before a question is shown. A paste (or a chat
/// message of several lines) reaches the tool in pieces a few milliseconds apart;
/// no person reads a question and answers within this time.
const QUIET: Duration = Duration::from_millis(150);

/// At most this many quiet windows are waited for: input that keeps streaming
/// longer is still discarded, and the question is shown after it.
const MAX_ROUNDS: usize = 40;

/// Set when what was thrown away from a pipe ended inside a line: the rest of that
/// line, when it arrives, was written ahead too and is no answer.
static MID_LINE: AtomicBool = AtomicBool::new(false);

/// Throws away everything typed or pasted so far: what our reader holds, the
/// terminal's pending input, and whatever a pipe or terminal gives until it has
/// been quiet for [`QUIET`]. If that ended inside a line of a pipe, the next read
/// first drops the rest of it. Returns how many bytes were dropped (for tests and
/// notes).
pub fn discard_typed_ahead() -> usize {
    let mut dropped = 0usize;
    for _ in 0..MAX_ROUNDS {
        dropped = dropped.saturating_add(discard_once());
        std::thread::sleep(QUIET);
        if !readable_now() {
            break;
        }
    }
    // A line being typed into a terminal in its usual mode is not readable yet; it
    // is the terminal's pending input.
    dropped.saturating_add(tty::flush_pending_input())
}

/// One pass of [`discard_typed_ahead`]: our buffer, the terminal's pending input,
/// and what can be read without waiting.
fn discard_once() -> usize {
    let mut guard = input();
    let Some(reader) = guard.as_mut() else {
        return 0;
    };
    let buffered = reader.buffer();
    let mut dropped = buffered.len();
    let mut last = buffered.last().copied();
    reader.consume(dropped);
    dropped = dropped.saturating_add(tty::flush_pending_input());
    let mut scratch = vec![0u8; 64 * 1024];
    while readable_now() {
        match reader.get_mut().read(&mut scratch) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                dropped = dropped.saturating_add(n);
                last = Some(scratch[n - 1]);
            }
        }
    }
    // Only a pipe delivers the rest of a cut line later; a terminal's pending line
    // was flushed above, and what a person types next is a new line.
    if let (Some(b), false) = (last, tty::stdin_is_terminal()) {
        MID_LINE.store(b != b'\n', Ordering::SeqCst);
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
