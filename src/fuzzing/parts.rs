//! Fuzz target `text_parts`: numbered parts of long messages (`protocol::parts`).

use crate::protocol::parts::{self, Assembler, Fed, MessageId, MAX_PENDING, MAX_PENDING_CHARS};

/// At most this many lines per input: more only slow the fuzzer down.
const MAX_LINES: usize = 256;

/// Flag bit 0 clear: the input's lines are fed to one [`Assembler`] (part lines are
/// parsed, others skipped). A delivered message hashes to its id and splits back
/// into parts; the assembler's memory stays within its bounds. Flag bit 0 set: the
/// rest of the input is split into parts, which are fed in reverse order and must
/// deliver it. Returns whether a message was delivered.
pub fn text_parts(data: &[u8]) -> bool {
    let (flags, rest) = super::flags(data);
    if flags & 1 == 1 {
        let lines = parts::split(rest);
        if lines.len() == 1 {
            return false;
        }
        let mut a = Assembler::new();
        let mut delivered = None;
        for l in lines.iter().rev() {
            assert!(
                l.len() <= parts::MAX_PART_LINE,
                "a part longer than a chat message"
            );
            match parts::parse(l).and_then(|p| a.feed(p)) {
                Ok(Fed::Whole { message, .. }) => delivered = Some(message),
                Ok(_) => {}
                Err(e) => panic!("our own part was refused: {e}"),
            }
        }
        assert_eq!(
            delivered.as_deref(),
            Some(rest),
            "split → reverse → assemble"
        );
        return true;
    }
    let text = String::from_utf8_lossy(rest);
    let mut a = Assembler::new();
    let mut accepted = false;
    for line in text.lines().take(MAX_LINES) {
        if !parts::is_part(line) {
            continue;
        }
        let Ok(part) = parts::parse(line) else {
            continue;
        };
        if let Ok(Fed::Whole { id, message }) = a.feed(part) {
            assert_eq!(
                MessageId::of(&message),
                id,
                "a delivered message hashes to its id"
            );
            assert!(parts::split(&message).len() > 1 || message.len() < 1000);
            accepted = true;
        }
        assert!(a.pending() <= MAX_PENDING);
        assert!(a.pending_chars() <= MAX_PENDING_CHARS);
    }
    accepted
}
