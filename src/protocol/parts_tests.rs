//! Tests of the part format (frozen vector) and of the assembler under hostile input.

use sha2::{Digest, Sha256};

use super::*;

/// 768 bytes: its one-line form has 1,042 characters, so it is written as 2 parts.
fn vector_message() -> Vec<u8> {
    (0..3).flat_map(|_| 0u8..=255).collect()
}

fn feed_all(a: &mut Assembler, lines: &[String]) -> Vec<Result<Fed, PartError>> {
    lines.iter().map(|l| a.feed(parse(l).unwrap())).collect()
}

#[test]
fn frozen_vector() {
    let parts = split(&vector_message());
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].len(), 974);
    assert!(parts[0].starts_with("mpcegosign2-part:f3a25aa93aa2:1/2:AAECAwQFBgcICQoLDA0ODx"));
    assert_eq!(
        parts[1],
        "mpcegosign2-part:f3a25aa93aa2:2/2:wcLDxMXGx8jJysvMzc7P0NHS09TV1tfY2drb3N3e3-Dh4uPk5ebn6Onq6-zt7u_w8fLz9PX29_j5-vv8_f7_86JaqQ"
    );
    // SHA-256 of both lines joined by a newline, computed by an independent
    // implementation (Python's hashlib and base64).
    assert_eq!(
        hex::encode(Sha256::digest(parts.join("\n").as_bytes())),
        "6b3cfecaf0d632f040ff78361196dc5e9c4195b82d2213f20ded52290a230225"
    );
}

#[test]
fn short_messages_stay_one_line() {
    let m = vec![9u8; 700];
    let lines = split(&m);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0], text::encode(&m));
    assert!(lines[0].len() <= MAX_PART_LINE);
    assert!(!is_part(&lines[0]));
}

#[test]
fn every_part_fits_a_chat_message_and_any_order_reassembles() {
    let m: Vec<u8> = (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut lines = split(&m);
    assert!(lines.len() > 20);
    assert!(lines.iter().all(|l| l.len() <= MAX_PART_LINE && is_part(l)));
    lines.reverse();
    let mut a = Assembler::new();
    let results = feed_all(&mut a, &lines);
    let (last, rest) = results.split_last().unwrap();
    for (i, r) in rest.iter().enumerate() {
        match r {
            Ok(Fed::Progress { have, count, .. }) => {
                assert_eq!((*have, *count), (i + 1, lines.len()))
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(
        last,
        &Ok(Fed::Whole {
            id: MessageId::of(&m),
            message: m.clone()
        })
    );
    assert_eq!(a.pending(), 0);
}

#[test]
fn repeats_are_tolerated_and_messages_interleave() {
    let (m1, m2) = (vec![1u8; 3000], vec![2u8; 2500]);
    let (p1, p2) = (split(&m1), split(&m2));
    let mut a = Assembler::new();
    a.feed(parse(&p1[0]).unwrap()).unwrap();
    a.feed(parse(&p2[1]).unwrap()).unwrap();
    // Wrapped by a chat client, and pasted again: a repeat changes nothing.
    let wrapped = format!("{} \n {}", &p1[0][..500], &p1[0][500..]);
    assert!(matches!(
        a.feed(parse(&wrapped).unwrap()),
        Ok(Fed::Repeat { have: 1, .. })
    ));
    let mut whole = Vec::new();
    for l in p2.iter().chain(p1.iter()) {
        if let Fed::Whole { message, .. } = a.feed(parse(l).unwrap()).unwrap() {
            whole.push(message);
        }
    }
    assert_eq!(whole, vec![m2, m1]);
}

#[test]
fn a_conflicting_part_drops_the_message() {
    let m = vec![5u8; 3000];
    let lines = split(&m);
    let mut a = Assembler::new();
    a.feed(parse(&lines[0]).unwrap()).unwrap();
    let mut forged = parse(&lines[0]).unwrap();
    forged.chunk.replace_range(
        0..1,
        if forged.chunk.starts_with('A') {
            "B"
        } else {
            "A"
        },
    );
    let id = MessageId::of(&m);
    assert_eq!(a.feed(forged), Err(PartError::Conflict { id, index: 1 }));
    assert_eq!(a.pending(), 0);
    // Another part count for the same message is a conflict too.
    a.feed(parse(&lines[1]).unwrap()).unwrap();
    let mut other = parse(&lines[1]).unwrap();
    other.count += 1;
    assert_eq!(a.feed(other), Err(PartError::Conflict { id, index: 2 }));
    // The genuine parts, pasted again, deliver the message.
    let last = feed_all(&mut a, &lines).pop().unwrap();
    assert_eq!(last, Ok(Fed::Whole { id, message: m }));
}

#[test]
fn parts_that_do_not_verify_are_dropped() {
    let m = vec![6u8; 3000];
    let mut lines = split(&m);
    let n = lines.len();
    // A consistent forgery: every part well formed, the body altered.
    let last = lines[n - 1].clone();
    let flip = last.len() - 10;
    let c = if &last[flip..=flip] == "A" { "B" } else { "A" };
    lines[n - 1].replace_range(flip..=flip, c);
    let mut a = Assembler::new();
    let end = feed_all(&mut a, &lines).pop().unwrap();
    assert_eq!(
        end,
        Err(PartError::Checksum {
            id: MessageId::of(&m),
            count: n
        })
    );
    assert_eq!(a.pending(), 0);
    // Genuine bytes under another message's id do not verify either.
    let other = split(&vec![7u8; 3000]);
    let mut a = Assembler::new();
    let relabelled: Vec<String> = other
        .iter()
        .map(|l| l.replace(&MessageId::of(&vec![7u8; 3000]).to_string(), "000000000000"))
        .collect();
    assert!(matches!(
        feed_all(&mut a, &relabelled).pop().unwrap(),
        Err(PartError::Checksum { .. })
    ));
}

#[test]
fn damaged_and_absurd_parts_are_refused() {
    let lines = split(&vec![3u8; 3000]);
    let first = &lines[0];
    let n = format!("/{}:", lines.len());
    let malformed = |s: &str| matches!(parse(s), Err(PartError::Malformed(_)));
    assert!(malformed(&first[..first.len() - 1]), "cut short");
    assert!(malformed(&first.replacen(":1/", ":0/", 1)));
    assert!(malformed(&first.replacen(":1/", ":01/", 1)));
    assert!(malformed(&first.replacen(&n, "/1:", 1)));
    assert!(malformed(&first.replacen(
        ":1/",
        &format!(":{}/", lines.len() + 1),
        1
    )));
    assert!(malformed(&first.replacen("part:", "part:AB", 1)));
    assert!(malformed(&format!("{}*", &first[..first.len() - 1])));
    assert!(malformed("mpcegosign2-part:"));
    let absurd = first.replacen(&n, &format!("/{}:", MAX_PARTS + 1), 1);
    assert_eq!(parse(&absurd), Err(PartError::AbsurdCount(MAX_PARTS + 1)));
    assert_eq!(
        parse(&first.replacen(&n, "/99999999999999999999:", 1)),
        Err(PartError::AbsurdCount(usize::MAX))
    );
    // The largest message's parts are within the bound.
    assert_eq!(MAX_PARTS, MAX_BODY_LEN.div_ceil(CHUNK_LEN));
    let header = format!("{PART_PREFIX}{}:{MAX_PARTS}/{MAX_PARTS}:", "0".repeat(12));
    assert!(header.len() + CHUNK_LEN <= MAX_PART_LINE);
}

#[test]
fn memory_stays_bounded_and_the_oldest_goes_first() {
    let mut a = Assembler::new();
    let messages: Vec<Vec<u8>> = (0..=MAX_PENDING as u8).map(|i| vec![i; 3000]).collect();
    for m in &messages {
        a.feed(parse(&split(m)[0]).unwrap()).unwrap();
    }
    assert_eq!(a.pending(), MAX_PENDING);
    assert_eq!(a.take_evicted(), vec![MessageId::of(&messages[0])]);
    // Characters: one huge message fills the bound, evicting the others first.
    let mut a = Assembler::new();
    a.feed(parse(&split(&messages[1])[0]).unwrap()).unwrap();
    let id = MessageId([0xab; ID_LEN]);
    let count = MAX_PARTS;
    let chunk = "A".repeat(CHUNK_LEN);
    for index in 1..count {
        let line = format!("{PART_PREFIX}{id}:{index}/{count}:{chunk}");
        a.feed(parse(&line).unwrap()).unwrap();
    }
    assert_eq!(a.pending(), 2);
    // Two more huge messages push the oldest ones out.
    for id in [MessageId([0xcd; ID_LEN]), MessageId([0xef; ID_LEN])] {
        for index in 1..count {
            let line = format!("{PART_PREFIX}{id}:{index}/{count}:{chunk}");
            a.feed(parse(&line).unwrap()).unwrap();
            assert!(a.chars <= MAX_PENDING_CHARS);
        }
    }
    assert_eq!(a.pending(), 2);
    assert_eq!(a.take_evicted(), vec![MessageId::of(&messages[1]), id]);
}
