//! Records built from a real in-memory ceremony, verified against its roster, and
//! every kind of forged claim refused with its own message.

use super::build::{self, Outcome};
use super::chain::Line;
use super::record::{Event, Output, Record, GENESIS};
use super::roster::{self, Roster};
use super::verify::{check_record, RecordCheck};
use crate::ceremony::sign::{review, Initiator, Progress, SignPolicy};
use crate::ceremony::tests::keygen;
use crate::identity::IdentityKey;
use crate::key::to_fixed_be;
use crate::protocol::{text, Message, SignPartial};
use crate::sgx::sigstruct::SigstructFields;
use crate::sgx::{Date, Sigstruct};
use crate::share::KeyShare;
use crate::threshold::Subset;

const MRENCLAVE: [u8; 32] = [0xab; 32];

pub(super) struct Signing {
    pub(super) init: Vec<u8>,
    pub(super) abort: Vec<u8>,
    pub(super) partial: Vec<u8>,
    signature: Vec<u8>,
    subset: Vec<u8>,
}

/// Party 1 asks 1, 2, 3; party 2 declines, party 3 signs.
pub(super) fn signing(shares: &[KeyShare]) -> Signing {
    let s = Sigstruct::build(&SigstructFields {
        date: Date {
            year: 2026,
            month: 11,
            day: 25,
        },
        debug: false,
        mrenclave: MRENCLAVE,
        isv_prod_id: 1,
        isv_svn: 2,
    });
    let set = Subset::from_parties(&[1, 2, 3]).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &s, set).unwrap();
    let init = init.encode();
    let r2 = review(&shares[1], &init, &SignPolicy::default()).unwrap();
    let abort = r2.decline(&shares[1], "not my build").encode();
    let r3 = review(&shares[2], &init, &SignPolicy::default()).unwrap();
    let partial = r3.sign(&shares[2]).unwrap().encode();
    // The initiator refuses a partial paired with another request of its session.
    if shares[0].shoup3().is_none() {
        let Message::SignPartial(mut p) = Message::decode(&partial).unwrap() else {
            panic!()
        };
        if let crate::protocol::PartialBody::Subsets { digest, .. } = &mut p.body {
            digest[0] ^= 1;
        }
        p.signature = None;
        let mut other = Message::SignPartial(p);
        other.sign(&shares[2].auth().unwrap().identity);
        let e = ini.accept(&other.encode()).unwrap_err();
        assert!(e.to_string().contains("it signs another request"), "{e}");
    }
    assert!(matches!(
        ini.accept(&abort).unwrap(),
        Progress::Declined { .. }
    ));
    let Progress::Complete { signature, subset } = ini.accept(&partial).unwrap() else {
        panic!("no signature")
    };
    Signing {
        init,
        abort,
        partial,
        signature: to_fixed_be(&signature).to_vec(),
        subset: subset.parties(),
    }
}

pub(super) fn line(record: Record) -> Line {
    Line {
        number: 2,
        hash: String::new(),
        record,
    }
}

pub(super) fn initiator_record(share: &KeyShare, s: &Signing, accepted: &[Vec<u8>]) -> Record {
    let ev = build::initiator_event(
        &s.init,
        accepted,
        Vec::new(),
        Outcome::Signed {
            signature: s.signature.clone(),
            subset: s.subset.clone(),
            output: Output {
                path: "signed".into(),
                sha256: "00".repeat(32),
            },
        },
    )
    .unwrap();
    let mut r = build::record(1, &share.public().mrsigner(), 0, Event::SignInitiator(ev));
    r.seq = 2;
    r.prev = GENESIS.into();
    r
}

fn edit_initiator(r: &Record, f: impl FnOnce(&mut super::record::InitiatorEvent)) -> Record {
    let mut r = r.clone();
    let Event::SignInitiator(e) = &mut r.event else {
        panic!()
    };
    f(e);
    r
}

fn only_problem(c: &RecordCheck, needle: &str) {
    assert_eq!(c.problems.len(), 1, "{:?}", c.problems);
    assert!(c.problems[0].contains(needle), "{:?}", c.problems);
}

#[test]
fn records_of_a_real_ceremony_verify_and_forged_claims_do_not() {
    let shares = keygen(3, 2);
    let roster = Roster::from_share(&shares[1]).unwrap();
    let s = signing(&shares);
    let good = initiator_record(&shares[0], &s, &[s.abort.clone(), s.partial.clone()]);
    // The line encoding round-trips.
    let back = Record::from_line(good.to_line().unwrap().as_bytes()).unwrap();
    assert_eq!(back, good);
    let c = check_record(&line(good.clone()), &roster);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(c.approved, vec![1, 3]);
    assert_eq!(c.declined, vec![2]);
    assert!(
        c.summary.contains("approved by parties 1, 3"),
        "{}",
        c.summary
    );
    assert!(c
        .summary
        .contains("declined by 2 (party 2: \"not my build\")"));
    assert!(c.summary.contains("the RSA signature verifies"));
    assert!(c.summary.contains(&hex::encode(MRENCLAVE)));
    assert!(c.summary.contains("2026-11-25"));

    // A forged partial in party 3's place.
    let Message::SignPartial(p) = Message::decode(&s.partial).unwrap() else {
        panic!()
    };
    let mut forged = Message::SignPartial(SignPartial {
        signature: None,
        ..p
    });
    forged.sign(&IdentityKey::generate());
    let r = edit_initiator(&good, |e| {
        e.messages[2].text = text::encode(&forged.encode())
    });
    let c = check_record(&line(r), &roster);
    assert!(c.problems[0].contains("is not signed by party 3's identity key"));
    assert!(c
        .problems
        .iter()
        .any(|p| p.contains("the record says party 3 approved, but no SIGN-PARTIAL")));

    // Claims that no signed message backs.
    let r = edit_initiator(&good, |e| e.enclave.mrenclave = "cd".repeat(32));
    only_problem(
        &check_record(&line(r), &roster),
        "differ from its signed SIGN-INIT",
    );
    let r = edit_initiator(&good, |e| e.enclave.date = "2026-11-26".into());
    only_problem(
        &check_record(&line(r), &roster),
        "differ from its signed SIGN-INIT",
    );
    let r = edit_initiator(&good, |e| e.approved = vec![1, 2, 3]);
    only_problem(
        &check_record(&line(r), &roster),
        "party 2 approved, but no SIGN-PARTIAL signed by party 2",
    );
    let r = edit_initiator(&good, |e| e.declined[0].reason = "other".into());
    only_problem(
        &check_record(&line(r), &roster),
        "no ABORT signed by party 2 with that reason",
    );
    let r = edit_initiator(&good, |e| e.invited = vec![1, 3]);
    only_problem(&check_record(&line(r), &roster), "were invited");
    let r = edit_initiator(&good, |e| {
        e.signature = Some(hex::encode([7u8; 384]));
    });
    only_problem(
        &check_record(&line(r), &roster),
        "RSA signature does not verify",
    );
    let r = edit_initiator(&good, |e| e.messages[2].kind = "ABORT".into());
    let c = check_record(&line(r), &roster);
    assert!(
        c.problems[0].contains("is really a SIGN-PARTIAL"),
        "{:?}",
        c.problems
    );
    let r = edit_initiator(&good, |e| e.session = "00".repeat(16));
    let c = check_record(&line(r), &roster);
    assert!(c
        .problems
        .iter()
        .all(|p| p.contains("belongs to session") || p.contains("no SIGN-INIT signed")));
    // Without the SIGN-INIT nothing is proven.
    let r = edit_initiator(&good, |e| {
        e.messages.remove(0);
    });
    only_problem(
        &check_record(&line(r), &roster),
        "no SIGN-INIT signed by party 1",
    );

    // A record for another key is skipped, not failed.
    let mut other = good.clone();
    other.mrsigner = "11".repeat(32);
    let c = check_record(&line(other), &roster);
    assert!(c.skipped.is_some() && c.problems.is_empty());
}

#[test]
fn signer_and_keygen_records_verify_against_the_roster_file() {
    let shares = keygen(3, 2);
    let s = signing(&shares);
    // The public roster round-trips through its file and checks itself.
    let file = roster::file_of(&shares[0]).unwrap();
    let json = serde_json::to_vec(&file).unwrap();
    let roster = roster::parse(&json).unwrap();
    assert_eq!(roster.key_code, shares[0].key_code().unwrap());
    let mut bad = file.clone();
    bad.roster[1].identity = bad.roster[2].identity.clone();
    assert!(roster::parse(&serde_json::to_vec(&bad).unwrap()).is_err());
    let mut bad = file.clone();
    bad.key_code = "0000-0000-0000-0000".into();
    assert!(roster::parse(&serde_json::to_vec(&bad).unwrap()).is_err());
    let text = String::from_utf8(json).unwrap();
    assert!(!text.contains("identity_key") && !text.contains("shares"));

    let signer = |party: u8, answer: &[u8]| {
        let ev = build::signer_event(&s.init, answer).unwrap();
        let mut r = build::record(
            party,
            &shares[0].public().mrsigner(),
            0,
            Event::SignSigner(ev),
        );
        r.seq = 1;
        r
    };
    let c = check_record(&line(signer(3, &s.partial)), &roster);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert!(c.summary.starts_with("party 3 signed MRENCLAVE abab"));
    let c = check_record(&line(signer(2, &s.abort)), &roster);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert!(c.summary.contains("party 2 declined") && c.summary.contains("not my build"));
    // Party 2's record cannot claim party 3's answer.
    let c = check_record(&line(signer(2, &s.partial)), &roster);
    assert!(!c.problems.is_empty());

    // Keygen records: each party's verifies; another keygen's is skipped.
    for (i, sh) in shares.iter().enumerate() {
        let ev = build::keygen_event(sh, i == 0).unwrap();
        let r = build::record(sh.party(), &sh.public().mrsigner(), 0, Event::Keygen(ev));
        let c = check_record(&line(r), &roster);
        assert!(c.problems.is_empty() && c.skipped.is_none(), "{c:?}");
        assert!(c.summary.contains(&roster.key_code));
    }
    let again = keygen(3, 2);
    let ev = build::keygen_event(&again[0], true).unwrap();
    let r = build::record(
        1,
        &again[0].public().mrsigner(),
        0,
        Event::Keygen(ev.clone()),
    );
    assert!(check_record(&line(r), &roster).skipped.is_some());
    // A keygen record whose key code was edited fails.
    let mut ev = ev;
    ev.key_code = "0000-0000-0000-0000".into();
    let r = build::record(1, &again[0].public().mrsigner(), 0, Event::Keygen(ev));
    let c = check_record(&line(r), &Roster::from_share(&again[0]).unwrap());
    only_problem(&c, "key code");
}

#[test]
fn hostile_text_in_a_record_does_not_panic() {
    let shares = keygen(2, 2);
    let roster = Roster::from_share(&shares[0]).unwrap();
    let mut r = super::record::tests::sample(1, GENESIS);
    r.mrsigner = hex::encode(shares[0].public().mrsigner());
    if let Event::SignSigner(e) = &mut r.event {
        e.session = "aéééé\u{1b}".into();
        e.messages.push(super::record::Recorded {
            dir: "received".into(),
            kind: "SIGN-INIT".into(),
            from: 200,
            text: "mpcegosign2:ééé".into(),
        });
    }
    let c = check_record(&line(r), &roster);
    assert!(!c.problems.is_empty());
}

/// A second SIGN-INIT of the same session for a DEBUG enclave, signed by the
/// initiator: what a dishonest initiator pairs genuine partials with.
fn debug_init_of(init: &[u8], initiator: &KeyShare) -> Vec<u8> {
    let Message::SignInit(mut si) = Message::decode(init).unwrap() else {
        panic!("not a SIGN-INIT")
    };
    let debug = Sigstruct::build(&SigstructFields {
        date: Date {
            year: 2026,
            month: 11,
            day: 25,
        },
        debug: true,
        mrenclave: [0xde; 32],
        isv_prod_id: 1,
        isv_svn: 2,
    });
    si.regions = *debug.regions().as_bytes();
    si.mrenclave = [0xde; 32];
    si.signature = None;
    let mut m = Message::SignInit(si);
    m.sign(&initiator.auth().unwrap().identity);
    m.encode()
}

/// The initiator's record of a failed signing of `init` that accepted `accepted`.
fn failed_record(share: &KeyShare, init: &[u8], accepted: &[Vec<u8>]) -> Record {
    let ev = build::initiator_event(
        init,
        accepted,
        Vec::new(),
        Outcome::Failed("stopped".into()),
    )
    .unwrap();
    build::record(1, &share.public().mrsigner(), 0, Event::SignInitiator(ev))
}

#[test]
fn a_genuine_partial_paired_with_another_request_is_no_approval() {
    for shares in [
        keygen(3, 2),
        crate::ceremony::tests::keygen_shoup3(1, 3, 2, false),
    ] {
        let roster = Roster::from_share(&shares[1]).unwrap();
        let s = signing(&shares);
        let debug = debug_init_of(&s.init, &shares[0]);
        // Through the library's own record builder: the record claims party 3
        // approved the DEBUG request.
        let forged = failed_record(&shares[0], &debug, std::slice::from_ref(&s.partial));
        let Event::SignInitiator(e) = &forged.event else {
            panic!()
        };
        assert_eq!(e.approved, vec![1, 3]);
        assert!(e.enclave.debug);
        let c = check_record(&line(forged.clone()), &roster);
        only_problem(
            &c,
            "party 3's SIGN-PARTIAL signs another SIGSTRUCT digest than this record's SIGN-INIT",
        );
        assert_eq!(c.approved, vec![1]);
        // `audit show` marks it too where it can without a roster (a `shoup3`
        // proof needs the key's verification data: `audit verify` checks it).
        let row = super::show::row(&line(forged)).unwrap();
        assert_eq!(
            row.contains("MISPAIRED partial from 3"),
            shares[0].shoup3().is_none(),
            "{row}"
        );
        // Paired with its own request, the same partial is an approval.
        let genuine = failed_record(&shares[0], &s.init, std::slice::from_ref(&s.partial));
        let c = check_record(&line(genuine.clone()), &roster);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert_eq!(c.approved, vec![1, 3]);
        assert!(!super::show::row(&line(genuine))
            .unwrap()
            .contains("MISPAIRED"));
        // The signer's own record, paired the same way, is refused the same way.
        let ev = build::signer_event(&debug, &s.partial).unwrap();
        let r = build::record(3, &shares[0].public().mrsigner(), 0, Event::SignSigner(ev));
        let c = check_record(&line(r), &roster);
        only_problem(&c, "signs another SIGSTRUCT digest");
        assert!(c.approved.is_empty());
    }
}

#[test]
fn an_old_partial_without_digest_is_read_and_not_counted() {
    let shares = keygen(3, 2);
    let roster = Roster::from_share(&shares[1]).unwrap();
    let s = signing(&shares);
    // The same partial in the previous version's form (type 05, no digest),
    // signed by party 3 as an older mpcegosign did.
    let Message::SignPartial(mut p) = Message::decode(&s.partial).unwrap() else {
        panic!()
    };
    let crate::protocol::PartialBody::Subsets { partials, .. } = p.body else {
        panic!()
    };
    p.body = crate::protocol::PartialBody::SubsetsUnbound(partials);
    p.signature = None;
    let mut old = Message::SignPartial(p);
    old.sign(&shares[2].auth().unwrap().identity);
    let old = old.encode();
    assert_eq!(old[1], 5);
    let r = initiator_record(&shares[0], &s, &[s.abort.clone(), old]);
    let c = check_record(&line(r.clone()), &roster);
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    assert_eq!(c.approved, vec![1]);
    assert_eq!(c.notes.len(), 1, "{:?}", c.notes);
    assert!(c
        .summary
        .contains("party 3's SIGN-PARTIAL is of an older version and not bound to a digest: not counted as an approval"));
    assert!(super::show::row(&line(r))
        .unwrap()
        .contains("unbound partial from 3"));
}
