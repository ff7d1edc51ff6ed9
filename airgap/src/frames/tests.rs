//! Tests of the frame encoder and decoder: losses, duplicates, interleaved messages,
//! damaged frames, the previous format, and how many frames the solver needs.

use super::*;
use crate::fountain::Solver;
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
