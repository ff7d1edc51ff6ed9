//! A key followed from roster to roster: a reshare's keygen records and its
//! dealer's `reshare` record, built from a real in-memory reshare and checked
//! against the old and the new roster, each forgery refused with its own line;
//! `audit::follow` across a log that moves to the new roster; and `refresh` records,
//! generation after generation.

use super::build;
use super::chain::Line;
use super::follow::Follow;
use super::record::{Event, Record};
use super::refresh::{refresh_record, RefreshFacts};
use super::reshare;
use super::roster::Roster;
use super::tests::{initiator_record, line, signing};
use super::verify::check_record;
use crate::ceremony::keygen::{Dealer, Joiner};
use crate::ceremony::tests::{keygen, test_key};
use crate::protocol::{text, Message, SCHEME_SUBSETS};
use crate::share::KeyShare;
use crate::threshold::Scheme;

/// The key of `old` reshared to a new `t`-of-`n` roster: the new shares (dealer
/// first) and the reshare's signed KEYGEN-INIT.
fn reshared(old: &[KeyShare], n: u8, t: u8) -> (Vec<KeyShare>, Vec<u8>) {
    let from = old[0].auth().unwrap().transcript;
    let (mut dealer, init) = Dealer::start_reshare(
        Scheme::new(n, t).unwrap(),
        SCHEME_SUBSETS,
        test_key().public(),
        from,
    )
    .unwrap();
    let init = init.encode();
    let mut joiners = Vec::new();
    for _ in 2..=n {
        let (j, join) = Joiner::join(&init).unwrap();
        assert_eq!(j.reshare_of(), Some(from));
        dealer.accept_join(&join.encode()).unwrap();
        joiners.push(j);
    }
    let dealt = dealer.deal(test_key()).unwrap();
    let fin = dealt.finalize.encode();
    let mut shares = vec![dealt.share];
    for j in &joiners {
        shares.push(j.finish(&fin).unwrap().share);
    }
    (shares, init)
}

fn transcript(s: &KeyShare) -> [u8; 32] {
    s.auth().unwrap().transcript
}

/// Old party 2's `reshare` record of `new` (dealt with `init`).
fn reshare_record(old: &[KeyShare], new: &[KeyShare], init: &[u8]) -> Record {
    let to = reshare::keygen_event(&new[0], true, init).unwrap();
    let mrsigner = old[1].public().mrsigner();
    let ev = reshare::event(
        &old[1].auth().unwrap().identity,
        &mrsigner,
        &[9; 16],
        &transcript(&old[1]),
        to,
    )
    .unwrap();
    build::record(2, &mrsigner, 0, Event::Reshare(ev))
}

fn keygen_record(share: &KeyShare, init: &[u8]) -> Record {
    let ev = reshare::keygen_event(share, share.party() == 1, init).unwrap();
    build::record(
        share.party(),
        &share.public().mrsigner(),
        0,
        Event::Keygen(ev),
    )
}

fn with_reshare(r: &Record, edit: impl FnOnce(&mut super::record::ReshareEvent)) -> Line {
    let mut r = r.clone();
    let Event::Reshare(e) = &mut r.event else {
        panic!("not a reshare record")
    };
    edit(e);
    line(r)
}

fn only(problems: &[String], needle: &str) {
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains(needle), "{problems:?}");
}

#[test]
fn a_reshare_record_links_the_old_roster_to_the_new_keygen() {
    let old = keygen(3, 2);
    let (new, init) = reshared(&old, 3, 2);
    let old_roster = Roster::from_share(&old[0]).unwrap();
    let new_roster = Roster::from_share(&new[1]).unwrap();
    let genuine = reshare_record(&old, &new, &init);

    let Event::Reshare(e) = &genuine.event else {
        panic!()
    };
    let found = reshare::check(2, e, &old_roster);
    assert!(found.problems.is_empty(), "{:?}", found.problems);
    assert_eq!(found.next.unwrap().transcript, new_roster.transcript);
    let c = check_record(&line(genuine.clone()), &old_roster);
    assert!(c.problems.is_empty() && c.skipped.is_none(), "{c:?}");
    assert!(
        c.summary.contains(&format!(
            "party 2 dealt this key to the 2-of-3 roster of keygen {}",
            &hex::encode(new_roster.transcript)[..16]
        )),
        "{}",
        c.summary
    );

    // The link signed by another party of the old roster than the writer.
    let by_party_1 = reshare::event(
        &old[0].auth().unwrap().identity,
        &old[0].public().mrsigner(),
        &[9; 16],
        &transcript(&old[0]),
        reshare::keygen_event(&new[0], true, &init).unwrap(),
    )
    .unwrap();
    let c = check_record(&with_reshare(&genuine, |e| *e = by_party_1), &old_roster);
    only(&c.problems, "not signed by party 2's identity key");
    // Another giving session than the one signed.
    let c = check_record(
        &with_reshare(&genuine, |e| e.give_session = hex::encode([8u8; 16])),
        &old_roster,
    );
    only(&c.problems, "not signed by party 2's identity key");
    // The new keygen without its reshare KEYGEN-INIT, or naming another roster.
    let c = check_record(
        &with_reshare(&genuine, |e| e.to.reshare = None),
        &old_roster,
    );
    only(&c.problems, "has no reshare KEYGEN-INIT");
    let c = check_record(
        &with_reshare(&genuine, |e| {
            if let Some(o) = &mut e.to.reshare {
                o.from = hex::encode([1u8; 32]);
            }
        }),
        &old_roster,
    );
    only(&c.problems, "names another roster than the record");
    // The new keygen's facts edited (its key code).
    let c = check_record(
        &with_reshare(&genuine, |e| e.to.key_code = "0000-0000-0000-0000".into()),
        &old_roster,
    );
    only(&c.problems, "the new keygen's facts");
    // The INIT of another reshare (another session and dealer) in its place.
    let (_, other_init) = reshared(&old, 3, 2);
    let c = check_record(
        &with_reshare(&genuine, |e| {
            e.to.reshare = reshare::origin(&other_init).unwrap();
        }),
        &old_roster,
    );
    only(&c.problems, "is not this keygen's");
    // A reshare of another roster, or checked against the new roster: skipped.
    let c = check_record(
        &with_reshare(&genuine, |e| e.from = hex::encode([1u8; 32])),
        &old_roster,
    );
    assert!(c.skipped.is_some() && c.problems.is_empty(), "{c:?}");
    let c = check_record(&line(genuine), &new_roster);
    assert!(c.skipped.is_some(), "{c:?}");
}

#[test]
fn a_reshares_keygen_records_name_the_old_roster_under_the_dealers_signature() {
    let old = keygen(3, 2);
    let (new, init) = reshared(&old, 3, 2);
    let new_roster = Roster::from_share(&new[2]).unwrap();
    let old16 = &hex::encode(transcript(&old[0]))[..16];
    for s in &new {
        let c = check_record(&line(keygen_record(s, &init)), &new_roster);
        assert!(c.problems.is_empty() && c.skipped.is_none(), "{c:?}");
        assert!(
            c.summary.contains(&format!(
                "a reshare of the key held until then by the roster of keygen {old16}"
            )),
            "{}",
            c.summary
        );
    }
    // A plain keygen's INIT adds no member.
    let (_, plain) = Dealer::start(
        Scheme::new(3, 2).unwrap(),
        SCHEME_SUBSETS,
        Some(test_key().public()),
    )
    .unwrap();
    assert!(reshare::origin(&plain.encode()).unwrap().is_none());
    assert!(reshare::origin(&init).unwrap().is_some());
    let mut r = keygen_record(&new[1], &init);
    let Event::Keygen(k) = &mut r.event else {
        panic!()
    };
    // The INIT's signature broken: it proves nothing.
    let o = k.reshare.as_mut().unwrap();
    let mut bytes = text::decode(&o.init).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    o.init = text::encode(&bytes);
    let c = check_record(&line(r.clone()), &new_roster);
    only(&c.problems, "not signed by the dealer's identity key");
    // The record claims another old roster than its INIT.
    let Event::Keygen(k) = &mut r.event else {
        panic!()
    };
    let o = k.reshare.as_mut().unwrap();
    o.init = reshare::origin(&init).unwrap().unwrap().init;
    o.from = hex::encode([2u8; 32]);
    let c = check_record(&line(r), &new_roster);
    only(&c.problems, "its signed KEYGEN-INIT says");
}

/// Numbered lines, as the chain check hands them out.
fn numbered(records: Vec<Record>) -> Vec<Line> {
    records
        .into_iter()
        .enumerate()
        .map(|(i, record)| Line {
            number: i + 1,
            hash: String::new(),
            record,
        })
        .collect()
}

#[test]
fn verify_follows_the_key_to_the_new_roster_after_a_reshare_record() {
    let old = keygen(3, 2);
    let (new, init) = reshared(&old, 3, 2);
    let s = signing(&new);
    let new_signing = initiator_record(&new[0], &s, &[s.abort.clone(), s.partial.clone()]);
    let old_roster = Roster::from_share(&old[1]).unwrap();
    let new16 = &hex::encode(transcript(&new[0]))[..16];
    let old_keygen = build::record(
        2,
        &old[1].public().mrsigner(),
        0,
        Event::Keygen(build::keygen_event(&old[1], false).unwrap()),
    );
    let log = numbered(vec![
        old_keygen.clone(),
        reshare_record(&old, &new, &init),
        keygen_record(&new[0], &init),
        new_signing.clone(),
    ]);
    let mut follow = Follow::new(old_roster.clone());
    let checks: Vec<_> = log.iter().map(|l| follow.check(l)).collect();
    for c in &checks {
        assert!(c.problems.is_empty() && c.skipped.is_none(), "{c:?}");
    }
    assert!(checks[1]
        .summary
        .ends_with("records of the new roster are checked against it from here on"));
    assert!(checks[3]
        .summary
        .ends_with(&format!("[roster of keygen {new16}]")));
    assert_eq!(follow.rosters().count(), 2);

    // Without the reshare record, nothing leads to the new roster: its keygen is
    // another roster's and its signing is signed by keys this roster does not have.
    let log = numbered(vec![old_keygen, keygen_record(&new[0], &init), new_signing]);
    let mut follow = Follow::new(old_roster);
    let checks: Vec<_> = log.iter().map(|l| follow.check(l)).collect();
    assert!(checks[1].skipped.is_some(), "{:?}", checks[1]);
    assert!(!checks[2].problems.is_empty(), "{:?}", checks[2]);
    assert_eq!(follow.rosters().count(), 1);
}

#[test]
fn refresh_records_follow_each_other_generation_by_generation() {
    let shares = keygen(3, 2);
    let roster = Roster::from_share(&shares[0]).unwrap();
    let mrsigner = shares[0].public().mrsigner();
    let record = |old: (u32, [u8; 32]), new: (u32, [u8; 32]), messages: &[(&str, &[u8])]| {
        refresh_record(
            1,
            &mrsigner,
            0,
            &RefreshFacts {
                session: [4; 16],
                roster_transcript: roster.transcript,
                old,
                new,
                key_code: "AAAA-BBBB-CCCC-DDDD",
                messages,
            },
        )
        .unwrap()
    };
    let g0 = (0, roster.transcript);
    let (g1, g2) = ((1, [0x11; 32]), (2, [0x22; 32]));
    let log = numbered(vec![
        record(g0, g1, &[]),
        record(g1, g2, &[]),
        // Generation 1 again: the log's shares are at generation 2.
        record(g0, g1, &[]),
    ]);
    let mut follow = Follow::new(roster.clone());
    let checks: Vec<_> = log.iter().map(|l| follow.check(l)).collect();
    assert!(checks[0].problems.is_empty(), "{:?}", checks[0]);
    assert!(
        checks[0].summary.contains("generation 0 ("),
        "{}",
        checks[0].summary
    );
    assert!(checks[1].problems.is_empty(), "{:?}", checks[1]);
    only(&checks[2].problems, "this log's shares are at generation 2");
    // Alone, a record is checked for itself: generations that do not follow fail.
    let c = check_record(&line(record(g0, g2, &[])), &roster);
    only(&c.problems, "generation 2 does not follow generation 0");
    let c = check_record(&line(record(g0, g1, &[])), &roster);
    assert!(
        c.summary.contains("only the chain vouches for it"),
        "{}",
        c.summary
    );
    // Another roster's refresh is skipped.
    let other = Roster::from_share(&keygen(3, 2)[0]).unwrap();
    assert!(check_record(&line(record(g0, g1, &[])), &other)
        .skipped
        .is_some());
    // A signed message that is no REFRESH message has no place in it.
    let s = signing(&shares);
    let mut r = record(g0, g1, &[("received", &s.init)]);
    let Event::Refresh(e) = &mut r.event else {
        panic!()
    };
    e.session = hex::encode(Message::decode(&s.init).unwrap().session().0);
    let c = check_record(&line(r), &roster);
    only(&c.problems, "a SIGN-INIT has no place in a refresh record");
}
