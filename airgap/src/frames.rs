//! Frames: a message as standard UR `bytes` texts, and back.
//!
//! The encoder wraps the message in a CBOR byte string (BCR-2020-006) and emits
//! either one single-part UR or an endless stream of multipart fountain parts whose
//! bytes are those of the reference encoder. The decoder reads both, from any
//! standard encoder, and solves the fountain completely ([`crate::fountain`]).
//!
//! The encoder is here; the decoder in `frames/decoder.rs` (re-exported here), the
//! tests of both in `frames/tests.rs`.

use std::collections::HashSet;

use crate::format::{self, Frame};
use crate::spares::{dense_range, light_messages, pick_spares, SPARE_SEARCH_WORK};
use crate::Error;

mod decoder;
pub use decoder::{message_of, Decoder, MessageId, MessageStatus, Progress};

/// Default largest fragment of the message per frame, in bytes: a QR code of version
/// 20 at level M (97 modules) for messages of up to 99 frames (a test checks it),
/// version 21 beyond. A SIGN-INIT fits one frame, a `shoup3` SIGN-PARTIAL (904 bytes
/// with its proof and signature) two.
pub const DEFAULT_FRAGMENT: usize = 454;
/// The smallest fragment we accept.
pub const MIN_FRAGMENT: usize = 10;

/// Frames written to files by default for `pure` fragments: K + max(4, K/2), one
/// more for 11 to 24 fragments, so that losing any 20 % of them still rebuilds the
/// message in ≥ 99 % of cases (`cargo bench -p airgap`, docs/airgap.md).
pub fn default_file_frames(pure: usize) -> usize {
    pure + (pure / 2 + usize::from((11..=24).contains(&pure))).max(4)
}

/// Produces the frames of one message: the pure parts (one fragment each), then an
/// endless stream of fountain parts (mixes of fragments).
pub struct Encoder {
    inner: ur::Encoder<'static>,
    single: String,
    /// Streamed frames so far, and the fragment sets of the fountain parts shown.
    streamed: usize,
    shown: HashSet<Vec<usize>>,
}

impl Encoder {
    pub fn new(message: &[u8], max_fragment: usize) -> Result<Self, Error> {
        if message.is_empty() {
            return Err(Error::EmptyMessage);
        }
        if max_fragment < MIN_FRAGMENT {
            return Err(Error::FrameSize { min: MIN_FRAGMENT });
        }
        let payload = format::to_cbor(message);
        if payload.len() > format::MAX_MESSAGE {
            return Err(Error::TooLong {
                max: format::MAX_MESSAGE,
            });
        }
        let inner = ur::Encoder::new(&payload, max_fragment, format::UR_TYPE)
            .map_err(|e| Error::Damaged(e.to_string()))?;
        let single = ur::ur::encode(&payload, &ur::Type::Bytes).to_ascii_uppercase();
        Ok(Encoder {
            inner,
            single,
            streamed: 0,
            shown: HashSet::new(),
        })
    }

    /// Frames that carry each fragment once; a lossless scan needs exactly these.
    pub fn pure_parts(&self) -> usize {
        self.inner.fragment_count()
    }

    /// The whole message as one single-part UR, as standard encoders show a message
    /// that fits one fragment.
    pub fn single_part(&self) -> &str {
        &self.single
    }

    /// The next multipart frame, uppercase so that QR codes use alphanumeric mode.
    pub fn next_frame(&mut self) -> String {
        // The UR encoder only fails on CBOR encoding of a part it made itself, which
        // cannot happen; an empty string would then simply not scan.
        self.inner
            .next_part()
            .map(|s| s.to_ascii_uppercase())
            .unwrap_or_default()
    }

    /// The next frame of an endless animation: the pure parts, then fountain parts
    /// of the same stream, skipping those whose mix of fragments was shown lately
    /// (the reference stream repeats single fragments often). Sequence numbers keep
    /// rising, single fragments still come (so peeling decoders work), and a
    /// scanner that starts anywhere needs about K + 2 frames.
    pub fn next_streamed(&mut self) -> String {
        let k = self.pure_parts();
        self.streamed += 1;
        if self.streamed <= k || k == 1 {
            return self.next_frame();
        }
        if self.shown.len() >= 2 * k {
            self.shown.clear();
        }
        let mut frame = self.next_frame();
        for _ in 0..100 {
            if let Ok(Frame::Part(p)) = format::parse(&frame) {
                let mut set = p.indexes;
                set.sort_unstable();
                if self.shown.insert(set) {
                    break;
                }
            }
            frame = self.next_frame();
        }
        frame
    }

    /// The next `n` multipart frames.
    pub fn frames(&mut self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.next_frame()).collect()
    }

    /// `n` frames (at least the pure parts) to be written as files, chosen so that
    /// losing any fifth of them still leaves enough: the pure parts, then fountain
    /// parts of the same stream that mix several fragments, all different. The
    /// reference stream's own next parts are mostly single fragments again, a poor
    /// spare when the lost frames are pure parts. For up to 64 fragments the spares
    /// are picked to minimise the loss patterns of a fifth of the frames that would
    /// lose the message ([`pick_spares`]).
    pub fn file_frames(&mut self, n: usize) -> Vec<String> {
        let k = self.pure_parts();
        let mut out = self.frames(k);
        let spares = n.saturating_sub(k);
        if k == 1 {
            out.extend(self.frames(spares));
            return out;
        }
        let (low, high) = dense_range(k);
        // Candidates: distinct mixes from the stream (bounded search).
        let mut sets = HashSet::new();
        let mut pool: Vec<(String, Vec<usize>)> = Vec::new();
        let messages = if k <= 64 {
            light_messages(k, n / 5)
        } else {
            Vec::new()
        };
        // As many candidates as the search's work bound allows, 32 per spare at most.
        let want = if k <= 64 {
            (SPARE_SEARCH_WORK / (messages.len().max(1) * spares.max(1)))
                .clamp(spares, 32 * spares + 64)
                // There are only 2^k - k - 1 mixes of two fragments or more.
                .min(if k < 16 { (1 << k) - k - 1 } else { usize::MAX })
        } else {
            spares
        };
        let mut tries = 0;
        while pool.len() < want && tries < 64 * want + 1_000 {
            tries += 1;
            let frame = self.next_frame();
            if let Ok(Frame::Part(p)) = format::parse(&frame) {
                let mut set = p.indexes;
                set.sort_unstable();
                if (low..=high).contains(&set.len()) && sets.insert(set.clone()) {
                    pool.push((frame, set));
                }
            }
        }
        let chosen = if k <= 64 {
            pick_spares(k, n, &messages, &pool)
        } else {
            (0..pool.len().min(spares)).collect()
        };
        out.extend(chosen.into_iter().map(|i| pool[i].0.clone()));
        while out.len() < n {
            out.push(self.next_frame());
        }
        out
    }
}

#[cfg(test)]
mod tests;
