//! More frames of a message whose frames were already written: the recovery step
//! when a receiver lost too many. The new frames continue the fountain stream past
//! every sequence number written (so each is new information to the receiver's
//! decoder) and mix two fragments or more (a lost frame may be any fragment).

use std::collections::HashSet;

use crate::format::{self, Frame};
use crate::frames::{Decoder, Encoder, Progress};
use crate::Error;

/// Largest fragment tried when finding the encoder settings of saved frames.
const MAX_FRAGMENT_TRIED: usize = 4096;
/// Highest sequence number continued from (a written folder holds far fewer
/// frames; beyond this the saved frames are not ours).
const MAX_SEQUENCE: u32 = 1_000_000;

/// `n` new frames of the message that `written` (every frame text written so far,
/// in any order) rebuilds.
pub fn more_frames(written: &[String], n: usize) -> Result<Vec<String>, Error> {
    let incomplete = || Error::Saved("they do not rebuild a whole message".into());
    let mut dec = Decoder::new();
    let mut message = None;
    let mut parts = Vec::new();
    for t in written {
        match format::parse(t) {
            Ok(Frame::Part(p)) => parts.push(p),
            _ => return Err(Error::Saved("a line is not a frame of one message".into())),
        }
        if let Ok(Progress::Complete(m)) = dec.receive(t) {
            message = Some(m);
        }
    }
    let message = message.ok_or_else(incomplete)?;
    let first = parts.first().ok_or_else(incomplete)?;
    let (count, checksum, fragment_len) = (first.count, first.checksum, first.data.len());
    if parts
        .iter()
        .any(|p| p.count != count || p.checksum != checksum || p.data.len() != fragment_len)
    {
        return Err(Error::Saved("the frames belong to several messages".into()));
    }
    let last = parts.iter().map(|p| p.sequence).max().unwrap_or(0);
    if last > MAX_SEQUENCE {
        return Err(Error::Saved(format!(
            "a frame's sequence number {last} is past {MAX_SEQUENCE}"
        )));
    }
    let shown: HashSet<Vec<usize>> = parts
        .iter()
        .map(|p| {
            let mut s = p.indexes.clone();
            s.sort_unstable();
            s
        })
        .collect();
    // The fragment size the frames were made with: the first whose stream gives the
    // very frames written.
    let reference = parts
        .iter()
        .min_by_key(|p| p.sequence)
        .ok_or_else(incomplete)?;
    let mut found = None;
    for max in fragment_len..=MAX_FRAGMENT_TRIED.max(fragment_len) {
        let Ok(mut enc) = Encoder::new(&message, max) else {
            continue;
        };
        if enc.pure_parts() != count {
            if enc.pure_parts() < count {
                break; // larger fragments only give fewer parts
            }
            continue;
        }
        let same = (1..=reference.sequence)
            .map(|_| enc.next_frame())
            .last()
            .and_then(|f| match format::parse(&f) {
                Ok(Frame::Part(p)) => {
                    Some(p.data == reference.data && p.indexes == reference.indexes)
                }
                _ => None,
            })
            .unwrap_or(false);
        if same {
            found = Some(enc);
            break;
        }
    }
    let mut enc =
        found.ok_or_else(|| Error::Saved("no encoder setting gives these frames again".into()))?;
    // Past every sequence number written; mixes not written before.
    let mut out = Vec::with_capacity(n);
    let mut fresh = HashSet::new();
    let mut tries = 0usize;
    let bound = 1_000 + 200 * n + last as usize;
    while out.len() < n && tries < bound {
        tries += 1;
        let f = enc.next_frame();
        let Ok(Frame::Part(p)) = format::parse(&f) else {
            continue;
        };
        if p.sequence <= last {
            continue;
        }
        let mut set = p.indexes;
        set.sort_unstable();
        let mixed = count == 1 || set.len() >= 2;
        if mixed && !shown.contains(&set) && fresh.insert(set) {
            out.push(f);
        }
    }
    // Small messages have few distinct mixes: then any later frame will do.
    while out.len() < n {
        out.push(enc.next_frame());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frames::default_file_frames;

    fn sequence(f: &str) -> u32 {
        match format::parse(f).unwrap() {
            Frame::Part(p) => p.sequence,
            Frame::Single(_) => 0,
        }
    }

    #[test]
    fn more_frames_continue_the_sequence_and_finish_a_lossy_scan() {
        for (size, fragment) in [
            (3_000usize, 454usize),
            (20_000, 454),
            (60, 454),
            (5_000, 300),
        ] {
            let msg: Vec<u8> = (0..size).map(|i| (i * 7 + size) as u8).collect();
            let mut enc = Encoder::new(&msg, fragment).unwrap();
            let k = enc.pure_parts();
            let written = enc.file_frames(default_file_frames(k));
            let top = written.iter().map(|f| sequence(f)).max().unwrap();
            // The receiver lost 60 % of the files.
            let mut dec = Decoder::new();
            for f in written.iter().step_by(3) {
                assert!(!matches!(dec.receive(f).unwrap(), Progress::Complete(_)) || k == 1);
            }
            let more = more_frames(&written, 3 * k + 4).unwrap();
            assert_eq!(more.len(), 3 * k + 4);
            assert!(more.iter().all(|f| sequence(f) > top), "{size}");
            let mut got = None;
            for f in &more {
                if let Progress::Complete(m) = dec.receive(f).unwrap() {
                    got = Some(m);
                    break;
                }
            }
            if k > 1 {
                assert_eq!(got.as_deref(), Some(&msg[..]), "{size} bytes");
            }
            // Asking again continues past the new frames too.
            let all: Vec<String> = written.iter().chain(&more).cloned().collect();
            let again = more_frames(&all, 2).unwrap();
            let top2 = more.iter().map(|f| sequence(f)).max().unwrap();
            assert!(again.iter().all(|f| sequence(f) > top2));
        }
    }

    #[test]
    fn frames_that_do_not_rebuild_one_message_are_refused() {
        let msg = vec![5u8; 2_000];
        let mut enc = Encoder::new(&msg, 454).unwrap();
        let frames = enc.frames(2);
        assert!(more_frames(&frames, 3).is_err(), "incomplete");
        let mut other = Encoder::new(&[6u8; 2_000], 454).unwrap();
        let mut mixed = enc.frames(10);
        mixed.push(other.next_frame());
        assert!(more_frames(&mixed, 3).is_err(), "two messages");
        assert!(more_frames(&["hello".to_string()], 3).is_err());
        assert!(more_frames(&[], 3).is_err());
        // A forged frame far along the sequence is refused, not walked to.
        let mut far = enc.frames(10);
        let Ok(Frame::Part(p)) = format::parse(&far[0]) else {
            panic!("a part")
        };
        let mut cbor = Vec::new();
        let mut e = minicbor::Encoder::new(&mut cbor);
        e.array(5).unwrap();
        e.u32(MAX_SEQUENCE + 1).unwrap();
        e.u32(p.count as u32).unwrap();
        e.u32(p.payload_len as u32).unwrap();
        e.u32(p.checksum).unwrap();
        e.bytes(&p.data).unwrap();
        let words = ur::bytewords::encode(&cbor, ur::bytewords::Style::Minimal);
        far.push(format!("ur:bytes/{}-{}/{words}", MAX_SEQUENCE + 1, p.count));
        assert!(matches!(
            format::parse(far.last().unwrap()),
            Ok(Frame::Part(_))
        ));
        assert!(more_frames(&far, 3).is_err());
    }
}
