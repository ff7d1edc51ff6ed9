//! What a `--scan` says while it waits, as pure text: each unfinished message on
//! its own (named by the folder its frames are in, relative to the scan root),
//! "no frame of this ceremony yet" for an empty folder, and, when the folder stops
//! growing, how many more frames a message needs and the command the sender runs.

use airgap::frames::MessageStatus;

/// Seconds between status lines while a scan waits (at most 5, as promised).
pub const HEARTBEAT_SECS: u64 = 4;
/// Seconds without a new file after which an unfinished message asks for more.
pub const STALL_SECS: u64 = 5;
/// Seconds after which a scan still stalled asks again (the new frames may all
/// have been lost on the way).
pub const ASK_AGAIN_SECS: u64 = 30;
/// Unfinished messages named in one status line at most.
const MESSAGES_SHOWN: usize = 3;

/// "1 frame", "2 frames".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// One unfinished message as the scan knows it.
pub struct Seen<'a> {
    pub status: &'a MessageStatus,
    /// The folder of its first frame read, relative to the scan root ("." for the
    /// root itself).
    pub folder: &'a str,
}

fn name(s: &Seen) -> String {
    format!(
        "message {} in {}",
        super::frame_folder::message_name(s.status.id.checksum()),
        s.folder
    )
}

/// "4242-007-keygen-finalize: 7 distinct frames of about 9 needed (message
/// 1a2b3c4d)": what matters first, so that a terminal's width cuts the least.
pub fn message_line(s: &Seen) -> String {
    format!(
        "{}: {} of about {} needed (message {})",
        s.folder,
        plural(s.status.frames, "distinct frame"),
        s.status.about_needed(),
        super::frame_folder::message_name(s.status.id.checksum())
    )
}

/// The status line while waiting for `expecting`.
pub fn summary(expecting: &str, seen: &[Seen], files_read: usize, roots: &str) -> String {
    if seen.is_empty() {
        return format!(
            "{expecting}: no frame of this ceremony yet ({} read in {roots})",
            plural(files_read, "image file")
        );
    }
    let mut parts: Vec<String> = seen.iter().take(MESSAGES_SHOWN).map(message_line).collect();
    if seen.len() > MESSAGES_SHOWN {
        parts.push(format!(
            "and {}",
            plural(seen.len() - MESSAGES_SHOWN, "other unfinished message")
        ));
    }
    format!("{expecting}: {}", parts.join("; "))
}

/// Frames to ask the sender for: the ones missing and spares for those lost again
/// on the way (as many as the spares of the first frames).
pub fn frames_to_ask(missing: usize) -> usize {
    missing + (missing / 2).max(2)
}

/// The line when the folder stopped growing with `s` unfinished.
pub fn stalled_line(s: &Seen) -> String {
    let missing = s.status.missing();
    let folder = if s.folder == "." {
        String::from("<its --qr-out folder> --message ")
            + &super::frame_folder::message_name(s.status.id.checksum())
    } else {
        let last = std::path::Path::new(s.folder)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| s.folder.to_string());
        format!("<its --qr-out folder>/{last}")
    };
    format!(
        "{}: the folder stopped growing with {}; at least {} needed. On the sending machine run: mpcegosign qr-more {folder} --frames {}, then bring the new files here (this scan keeps waiting)",
        name(s),
        plural(s.status.frames, "distinct frame"),
        plural(missing, "more frame"),
        frames_to_ask(missing)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use airgap::frames::{message_of, Decoder};
    use airgap::Encoder;

    fn status(frames_read: usize) -> MessageStatus {
        let msg: Vec<u8> = (0..4_000u32).map(|i| (i * 13) as u8).collect();
        let mut enc = Encoder::new(&msg, 454).unwrap();
        let mut dec = Decoder::new();
        for f in enc.frames(frames_read) {
            dec.receive(&f).unwrap();
        }
        let id = message_of(&enc.next_frame()).unwrap();
        let s = dec.statuses().remove(0);
        assert_eq!(s.id, id);
        s
    }

    #[test]
    fn lines_count_per_message_with_plurals() {
        let one = status(1);
        let seven = status(7);
        assert_eq!(one.fragments, 9);
        let line = message_line(&Seen {
            status: &seven,
            folder: "p3/4242-007-keygen-finalize-for-party-3",
        });
        assert!(
            line.starts_with(
                "p3/4242-007-keygen-finalize-for-party-3: 7 distinct frames of about 9 needed (message "
            ),
            "{line}"
        );
        let s = summary(
            "KEYGEN-FINALIZE",
            &[Seen {
                status: &one,
                folder: ".",
            }],
            1,
            "scan",
        );
        assert!(s.contains(": 1 distinct frame of about 9 needed"), "{s}");
        let empty = summary("KEYGEN-INIT", &[], 1, "scan");
        assert_eq!(
            empty,
            "KEYGEN-INIT: no frame of this ceremony yet (1 image file read in scan)"
        );
    }

    #[test]
    fn a_stalled_message_names_the_command_and_the_frames_to_ask() {
        let seven = status(7);
        let line = stalled_line(&Seen {
            status: &seven,
            folder: "relay/4242-007-keygen-finalize",
        });
        assert!(
            line.contains("at least 2 more frames needed")
                && line.contains(
                    "mpcegosign qr-more <its --qr-out folder>/4242-007-keygen-finalize --frames 4"
                ),
            "{line}"
        );
        let flat = stalled_line(&Seen {
            status: &seven,
            folder: ".",
        });
        assert!(flat.contains("--qr-out folder> --message "), "{flat}");
        assert_eq!(frames_to_ask(1), 3);
        assert_eq!(frames_to_ask(10), 15);
    }
}
