//! Frames: fountain-coded UR multipart parts of one message.

use std::collections::HashSet;

use crate::Error;

/// Default largest fragment of the message per frame, in bytes. A SIGN-INIT (290
/// bytes) or a one-partial SIGN-PARTIAL (407 bytes) fits one frame: a QR code of
/// version 19–21 at error correction level M.
pub const DEFAULT_FRAGMENT: usize = 450;
/// The smallest fragment we accept.
pub const MIN_FRAGMENT: usize = 10;

/// Produces the frames of one message: first the pure parts (each one fragment),
/// then an endless stream of fountain parts (mixes of fragments).
pub struct Encoder {
    inner: ur::Encoder<'static>,
}

impl Encoder {
    pub fn new(message: &[u8], max_fragment: usize) -> Result<Self, Error> {
        if message.is_empty() {
            return Err(Error::EmptyMessage);
        }
        if max_fragment < MIN_FRAGMENT {
            return Err(Error::FrameSize { min: MIN_FRAGMENT });
        }
        let inner = ur::Encoder::bytes(message, max_fragment)
            .map_err(|e| Error::NotAFrame(e.to_string()))?;
        Ok(Encoder { inner })
    }

    /// Frames that carry each fragment once; a lossless scan needs exactly these.
    pub fn pure_parts(&self) -> usize {
        self.inner.fragment_count()
    }

    /// The next frame, uppercase so that QR codes can use alphanumeric mode.
    pub fn next_frame(&mut self) -> String {
        // The UR encoder only fails on CBOR encoding of a valid part, which cannot
        // happen for parts it made itself; an empty string would then be skipped.
        self.inner
            .next_part()
            .map(|s| s.to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// The first `n` frames.
    pub fn frames(&mut self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.next_frame()).collect()
    }
}

/// What one received frame did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A new frame of this message; `percent` estimates how much is known.
    Frame { frames: usize, percent: u8 },
    /// A frame already seen.
    Duplicate,
    /// A valid frame of another message: ignored.
    OtherMessage,
    /// The message is complete and its checksum verified.
    Complete(Vec<u8>),
}

/// Rebuilds one message from frames in any order.
#[derive(Default)]
pub struct Decoder {
    inner: ur::Decoder,
    seen: HashSet<String>,
    frames: usize,
    total: Option<usize>,
    done: Option<Vec<u8>>,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one frame's text (as scanned, any case).
    pub fn receive(&mut self, frame: &str) -> Result<Progress, Error> {
        let text = frame.trim().to_ascii_lowercase();
        if !text.starts_with("ur:") {
            return Err(Error::NotAFrame("it does not start with ur:".into()));
        }
        if let Some(m) = &self.done {
            return Ok(if self.seen.contains(&text) {
                Progress::Duplicate
            } else {
                Progress::Complete(m.clone())
            });
        }
        if self.seen.contains(&text) {
            return Ok(Progress::Duplicate);
        }
        match self.inner.receive(&text) {
            Ok(()) => {}
            Err(ur::ur::Error::Fountain(ur::fountain::Error::InconsistentPart))
            | Err(ur::ur::Error::UnexpectedType) => return Ok(Progress::OtherMessage),
            Err(e) => return Err(Error::NotAFrame(e.to_string())),
        }
        self.seen.insert(text.clone());
        self.frames += 1;
        if self.total.is_none() {
            self.total = sequence_count(&text);
        }
        if self.inner.complete() {
            let message = self
                .inner
                .message()
                .map_err(|_| Error::Checksum)?
                .ok_or(Error::Checksum)?;
            self.done = Some(message.clone());
            return Ok(Progress::Complete(message));
        }
        Ok(Progress::Frame {
            frames: self.frames,
            percent: self.percent(),
        })
    }

    /// Estimated share of the message known, 0..=99 until complete.
    pub fn percent(&self) -> u8 {
        match (self.inner.resolved_fragment_count(), self.total) {
            (Some(resolved), Some(total)) if total > 0 => ((resolved * 100 / total).min(99)) as u8,
            _ => 0,
        }
    }

    pub fn frames_seen(&self) -> usize {
        self.frames
    }

    pub fn is_complete(&self) -> bool {
        self.done.is_some()
    }
}

/// COUNT from `ur:type/SEQ-COUNT/…`.
fn sequence_count(text: &str) -> Option<usize> {
    let seq = text.split('/').nth(1)?;
    seq.split('-').nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::seq::SliceRandom;
    use rand::{Rng, SeedableRng};

    fn message(n: usize, seed: u64) -> Vec<u8> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        (0..n).map(|_| rng.gen()).collect()
    }

    #[test]
    fn any_order_with_losses_and_duplicates() {
        for (size, seed) in [(1, 1), (407, 2), (5_000, 3), (20_000, 4)] {
            let msg = message(size, seed);
            let mut enc = Encoder::new(&msg, 300).unwrap();
            let pure = enc.pure_parts();
            let mut frames = enc.frames(pure * 3 + 10);
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            frames.shuffle(&mut rng);
            let mut dec = Decoder::new();
            let mut got = None;
            for f in frames.iter().filter(|_| rng.gen_bool(0.7)) {
                // Each frame twice: the second is a duplicate.
                for _ in 0..2 {
                    match dec.receive(f).unwrap() {
                        Progress::Complete(m) => got = Some(m),
                        Progress::Frame { percent, .. } => assert!(percent < 100),
                        Progress::Duplicate => {}
                        Progress::OtherMessage => panic!("same message"),
                    }
                }
                if got.is_some() {
                    break;
                }
            }
            assert_eq!(got.as_deref(), Some(&msg[..]), "size {size}");
        }
    }

    #[test]
    fn frames_of_another_message_are_ignored() {
        let a = message(3_000, 5);
        let b = message(3_000, 6);
        let mut ea = Encoder::new(&a, 200).unwrap();
        let mut eb = Encoder::new(&b, 200).unwrap();
        let mut dec = Decoder::new();
        assert!(matches!(
            dec.receive(&ea.next_frame()).unwrap(),
            Progress::Frame { .. }
        ));
        assert_eq!(
            dec.receive(&eb.next_frame()).unwrap(),
            Progress::OtherMessage
        );
        loop {
            if let Progress::Complete(m) = dec.receive(&ea.next_frame()).unwrap() {
                assert_eq!(m, a);
                break;
            }
        }
    }

    #[test]
    fn damaged_frames_are_errors() {
        let mut e = Encoder::new(&message(500, 7), 100).unwrap();
        let f = e.next_frame();
        let mut dec = Decoder::new();
        let mut bad = f.clone().into_bytes();
        let last = bad.len() - 3;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(dec.receive(std::str::from_utf8(&bad).unwrap()).is_err());
        assert!(dec.receive("hello").is_err());
        assert!(dec.receive(&f[..f.len() - 8]).is_err());
        assert!(matches!(dec.receive(&f).unwrap(), Progress::Frame { .. }));
        assert!(Encoder::new(&[], 100).is_err());
    }
}
