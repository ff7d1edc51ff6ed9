//! Frames: a message as standard UR `bytes` texts, and back.
//!
//! The encoder wraps the message in a CBOR byte string (BCR-2020-006) and emits
//! either one single-part UR or an endless stream of multipart fountain parts whose
//! bytes are those of the reference encoder. The decoder reads both, from any
//! standard encoder, and solves the fountain completely ([`crate::fountain`]).

use std::collections::{HashSet, VecDeque};

use crate::format::{self, Frame, Part};
use crate::fountain::Solver;
use crate::spares::{dense_range, light_messages, pick_spares, SPARE_SEARCH_WORK};
use crate::Error;

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

/// What one received frame did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// A new frame of an unfinished message; `percent` is the share of it known.
    Frame { frames: usize, percent: u8 },
    /// A frame already seen, or one that tells nothing new.
    Duplicate,
    /// A frame of a message completed before: ignored.
    Finished,
    /// A message is complete and its checksum verified.
    Complete(Vec<u8>),
}

/// Identifies one multipart message among several being scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MessageId {
    count: usize,
    payload_len: usize,
    checksum: u32,
    fragment_len: usize,
}

impl MessageId {
    /// The message's CRC-32, as every frame carries it: a short name for it.
    pub fn checksum(&self) -> u32 {
        self.checksum
    }
}

struct Pending {
    id: MessageId,
    solver: Solver,
    sequences: HashSet<u32>,
    /// When it last grew, in frames received by the decoder.
    touched: u64,
}

/// Unfinished messages held at once; the stalest is dropped beyond this.
const MAX_PENDING: usize = 8;
/// Completed messages remembered, so that their late frames are ignored.
const MAX_DONE: usize = 64;

/// Rebuilds messages from frames in any order, several at once. A completed message
/// leaves room for the next one; frames that are damaged or of another UR type are
/// errors that change nothing.
#[derive(Default)]
pub struct Decoder {
    pending: Vec<Pending>,
    done: VecDeque<MessageId>,
    received: u64,
}

impl Decoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one frame's text (as scanned, any case).
    pub fn receive(&mut self, text: &str) -> Result<Progress, Error> {
        let part = match format::parse(text)? {
            Frame::Single(message) => {
                let id = MessageId {
                    count: 0,
                    payload_len: message.len(),
                    checksum: crc32fast::hash(&message),
                    fragment_len: 0,
                };
                if self.done.contains(&id) {
                    return Ok(Progress::Finished);
                }
                self.finish(id);
                return Ok(Progress::Complete(message));
            }
            Frame::Part(p) => p,
        };
        self.received += 1;
        let id = MessageId {
            count: part.count,
            payload_len: part.payload_len,
            checksum: part.checksum,
            fragment_len: part.data.len(),
        };
        if self.done.contains(&id) {
            return Ok(Progress::Finished);
        }
        let at = match self.pending.iter().position(|p| p.id == id) {
            Some(i) => i,
            None => self.start(id),
        };
        let p = &mut self.pending[at];
        if !p.sequences.insert(part.sequence) {
            return Ok(Progress::Duplicate);
        }
        let Part { indexes, data, .. } = part;
        if !p.solver.add(&indexes, &data) {
            return Ok(Progress::Duplicate);
        }
        p.touched = self.received;
        if !p.solver.is_complete() {
            return Ok(Progress::Frame {
                frames: p.sequences.len(),
                percent: percent(&p.solver),
            });
        }
        let p = self.pending.remove(at);
        let payload = p.solver.joined(id.payload_len).unwrap_or_default();
        if crc32fast::hash(&payload) != id.checksum {
            return Err(Error::Checksum);
        }
        self.finish(id);
        // Frames of the previous format carried the raw message without the CBOR
        // byte string header; they are still read for one release.
        Ok(Progress::Complete(match format::from_cbor(&payload) {
            Some(m) => m.to_vec(),
            None => payload,
        }))
    }

    fn start(&mut self, id: MessageId) -> usize {
        if self.pending.len() >= MAX_PENDING {
            if let Some((i, _)) = self
                .pending
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| p.touched)
            {
                self.pending.remove(i);
            }
        }
        self.pending.push(Pending {
            id,
            solver: Solver::new(id.count, id.fragment_len),
            sequences: HashSet::new(),
            touched: self.received,
        });
        self.pending.len() - 1
    }

    fn finish(&mut self, id: MessageId) {
        if self.done.len() >= MAX_DONE {
            self.done.pop_front();
        }
        self.done.push_back(id);
    }

    /// Frames seen and share known of the most advanced unfinished message.
    pub fn status(&self) -> Option<(usize, u8)> {
        self.pending
            .iter()
            .max_by_key(|p| (p.solver.known() * 1000 / p.solver.count().max(1), p.touched))
            .map(|p| (p.sequences.len(), percent(&p.solver)))
    }

    /// Distinct frames received of unfinished messages.
    pub fn frames_seen(&self) -> usize {
        self.pending.iter().map(|p| p.sequences.len()).sum()
    }

    /// Each unfinished message on its own, the most advanced first.
    pub fn statuses(&self) -> Vec<MessageStatus> {
        let mut out: Vec<MessageStatus> = self
            .pending
            .iter()
            .map(|p| MessageStatus {
                id: p.id,
                frames: p.sequences.len(),
                known: p.solver.known(),
                fragments: p.solver.count(),
            })
            .collect();
        out.sort_by_key(|s| {
            (
                std::cmp::Reverse(s.known * 1000 / s.fragments.max(1)),
                s.id.checksum,
            )
        });
        out
    }
}

/// The message a frame text belongs to, if it is a multipart frame.
pub fn message_of(text: &str) -> Option<MessageId> {
    match format::parse(text).ok()? {
        Frame::Part(p) => Some(MessageId {
            count: p.count,
            payload_len: p.payload_len,
            checksum: p.checksum,
            fragment_len: p.data.len(),
        }),
        Frame::Single(_) => None,
    }
}

/// What the decoder knows of one unfinished message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageStatus {
    pub id: MessageId,
    /// Distinct frames received (by sequence number).
    pub frames: usize,
    /// Independent frames among them: fragments' worth of information.
    pub known: usize,
    /// Fragments of the message: the fewest frames that can rebuild it.
    pub fragments: usize,
}

impl MessageStatus {
    /// Frames still needed at the very least (each new frame adds one fragment's
    /// worth at most).
    pub fn missing(&self) -> usize {
        self.fragments - self.known.min(self.fragments)
    }

    /// About how many distinct frames the message takes in all, from what is known.
    pub fn about_needed(&self) -> usize {
        self.frames + self.missing()
    }
}

fn percent(s: &Solver) -> u8 {
    ((s.known() * 100 / s.count().max(1)).min(99)) as u8
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
                for _ in 0..2 {
                    match dec.receive(f).unwrap() {
                        Progress::Complete(m) => got = Some(m),
                        Progress::Frame { percent, .. } => assert!(percent < 100),
                        Progress::Duplicate | Progress::Finished => {}
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
    fn payload_is_a_cbor_byte_string_and_single_parts_decode() {
        let msg = message(53, 9);
        let enc = Encoder::new(&msg, 450).unwrap();
        assert_eq!(enc.pure_parts(), 1);
        let (_, payload) = ur::ur::decode(enc.single_part()).unwrap();
        assert_eq!(payload, format::to_cbor(&msg));
        let mut dec = Decoder::new();
        assert_eq!(
            dec.receive(enc.single_part()).unwrap(),
            Progress::Complete(msg.clone())
        );
        assert_eq!(dec.receive(enc.single_part()).unwrap(), Progress::Finished);
    }

    #[test]
    fn interleaved_messages_and_reset_after_completion() {
        let a = message(3_000, 5);
        let b = message(3_000, 6);
        let mut ea = Encoder::new(&a, 200).unwrap();
        let mut eb = Encoder::new(&b, 200).unwrap();
        let mut dec = Decoder::new();
        let mut got = Vec::new();
        for _ in 0..200 {
            for e in [&mut ea, &mut eb] {
                if let Progress::Complete(m) = dec.receive(&e.next_frame()).unwrap() {
                    got.push(m);
                }
            }
            if got.len() == 2 {
                break;
            }
        }
        got.sort();
        let mut want = vec![a.clone(), b];
        want.sort();
        assert_eq!(got, want);
        // Late frames of a finished message are ignored; a new one decodes.
        assert_eq!(dec.receive(&ea.next_frame()).unwrap(), Progress::Finished);
        let c = message(900, 7);
        let mut ec = Encoder::new(&c, 200).unwrap();
        let mut done = None;
        while done.is_none() {
            if let Progress::Complete(m) = dec.receive(&ec.next_frame()).unwrap() {
                done = Some(m);
            }
        }
        assert_eq!(done.unwrap(), c);
    }

    #[test]
    fn a_corrupted_type_or_damage_does_not_lock_the_decoder() {
        let msg = message(1_000, 8);
        let mut e = Encoder::new(&msg, 100).unwrap();
        let mut dec = Decoder::new();
        let first = e.next_frame();
        let cytes = first.replacen("UR:BYTES", "UR:CYTES", 1);
        assert!(matches!(dec.receive(&cytes), Err(Error::OtherType(t)) if t == "cytes"));
        let mut bad = first.clone().into_bytes();
        let last = bad.len() - 3;
        bad[last] = if bad[last] == b'A' { b'B' } else { b'A' };
        assert!(dec.receive(std::str::from_utf8(&bad).unwrap()).is_err());
        assert!(dec.receive("hello").is_err());
        assert!(dec.receive(&first[..first.len() - 8]).is_err());
        let mut got = None;
        for f in std::iter::once(first).chain(e.frames(40)) {
            if let Progress::Complete(m) = dec.receive(&f).unwrap() {
                got = Some(m);
                break;
            }
        }
        assert_eq!(got.unwrap(), msg);
        assert!(Encoder::new(&[], 100).is_err());
    }

    #[test]
    fn frames_of_the_previous_format_still_decode() {
        // The previous format put the raw message in the UR, without CBOR header.
        let msg = message(700, 10);
        let mut old = ur::Encoder::bytes(&msg, 200).unwrap();
        let mut dec = Decoder::new();
        let mut got = None;
        while got.is_none() {
            if let Progress::Complete(m) = dec.receive(&old.next_part().unwrap()).unwrap() {
                got = Some(m);
            }
        }
        assert_eq!(got.unwrap(), msg);
    }

    fn indexes(frame: &str) -> Vec<usize> {
        match format::parse(frame).unwrap() {
            Frame::Part(p) => p.indexes,
            Frame::Single(_) => vec![0],
        }
    }

    /// Distinct frames needed by our decoder and by the `ur` crate's peeling
    /// decoder, scanning the reference encoder's stream from a random point with 20 %
    /// of the frames lost.
    fn frames_needed(size: usize, trial: u64) -> (usize, usize, usize) {
        let msg = message(size, size as u64);
        let mut enc = Encoder::new(&msg, 200).unwrap();
        let k = enc.pure_parts();
        let mut rng = rand::rngs::StdRng::seed_from_u64(trial);
        for _ in 0..rng.gen_range(0..10 * k) {
            enc.next_streamed();
        }
        let (mut ours, mut theirs) = (Decoder::new(), ur::Decoder::default());
        let (mut n, mut ours_at, mut theirs_at) = (0, None, None);
        while (ours_at.is_none() || theirs_at.is_none()) && n < 20 * k {
            let f = enc.next_streamed();
            if rng.gen_bool(0.2) {
                continue;
            }
            n += 1;
            if ours_at.is_none() {
                if let Progress::Complete(m) = ours.receive(&f).unwrap() {
                    assert_eq!(m, msg);
                    ours_at = Some(n);
                }
            }
            if theirs_at.is_none() {
                theirs.receive(&f.to_ascii_lowercase()).unwrap();
                if theirs.complete() {
                    theirs_at = Some(n);
                }
            }
        }
        (
            k,
            ours_at.unwrap_or(usize::MAX),
            theirs_at.unwrap_or(usize::MAX),
        )
    }

    #[test]
    fn the_complete_solver_needs_at_most_k_plus_2_frames_in_the_median() {
        for size in [2_500, 20_000] {
            let mut ours = Vec::new();
            let mut k = 0;
            for trial in 0..41 {
                let (kk, o, t) = frames_needed(size, trial);
                k = kk;
                assert!(o <= t, "never more frames than the peeling decoder");
                ours.push(o);
            }
            ours.sort();
            assert!(
                ours[20] <= k + 2,
                "{size} bytes: median {} for K = {k}",
                ours[20]
            );
        }
    }

    #[test]
    fn the_solver_completes_exactly_when_the_parts_span_every_fragment() {
        let msg = message(3_000, 12);
        let mut enc = Encoder::new(&msg, 150).unwrap();
        let k = enc.pure_parts();
        let frames: Vec<String> = enc.frames(6 * k).into_iter().skip(k).collect();
        let mut dec = Decoder::new();
        let mut rank = vec![0u64; k];
        let mut r = 0;
        for f in &frames {
            let mut v = indexes(f).iter().fold(0u64, |m, &i| m | 1 << i);
            while v != 0 && rank[63 - v.leading_zeros() as usize] != 0 {
                v ^= rank[63 - v.leading_zeros() as usize];
            }
            if v != 0 {
                rank[63 - v.leading_zeros() as usize] = v;
                r += 1;
            }
            let done = matches!(dec.receive(f).unwrap(), Progress::Complete(_));
            assert_eq!(done, r == k, "complete iff full rank");
            if done {
                return;
            }
        }
        panic!("6K fountain parts did not span {k} fragments");
    }

    #[test]
    fn any_fifth_of_the_file_frames_may_be_lost() {
        for size in [300usize, 1_200, 2_500, 4_000, 5_000, 20_000] {
            let msg = message(size, 13);
            let mut enc = Encoder::new(&msg, 200).unwrap();
            let k = enc.pure_parts();
            let n = default_file_frames(k);
            let frames = enc.file_frames(n);
            assert_eq!(frames.len(), n);
            let sets: Vec<Vec<usize>> = frames.iter().map(|f| indexes(f)).collect();
            let mut rng = rand::rngs::StdRng::seed_from_u64(size as u64);
            let trials = 300;
            let mut ok = 0;
            for _ in 0..trials {
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(&mut rng);
                let mut s = Solver::new(k, 1);
                for &i in &order[..n - n / 5] {
                    s.add(&sets[i], &[0]);
                }
                ok += usize::from(s.is_complete());
            }
            assert!(ok * 100 >= trials * 98, "{size} bytes: {ok}/{trials}");
        }
    }
}
