use super::*;
use crate::audit::build;
use crate::audit::log::append;
use crate::audit::record::{InitiatorEvent, SignerEvent};

const KEY: [u8; 32] = [0xab; 32];

fn enclave(mrsigner: &[u8; 32], prod: u16, svn: u16) -> Enclave {
    Enclave {
        mrenclave: "11".repeat(32),
        mrsigner: hex::encode(mrsigner),
        isv_prod_id: prod,
        isv_svn: svn,
        debug: false,
        date: "2026-03-14".into(),
    }
}

fn signer(mrsigner: &[u8; 32], prod: u16, svn: u16, answer: &str) -> Event {
    Event::SignSigner(SignerEvent {
        session: "01".repeat(16),
        initiator: 1,
        enclave: Some(enclave(mrsigner, prod, svn)),
        answer: answer.into(),
        reason: None,
        messages: vec![],
    })
}

fn initiator(prod: u16, svn: u16, outcome: &str) -> Event {
    Event::SignInitiator(InitiatorEvent {
        session: "02".repeat(16),
        outcome: outcome.into(),
        error: None,
        enclave: enclave(&KEY, prod, svn),
        invited: vec![1, 2],
        approved: vec![1],
        declined: vec![],
        subset: vec![],
        signature: None,
        output: None,
        messages: vec![],
        ignored: vec![],
    })
}

fn log_of(events: Vec<(&[u8; 32], Event)>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.jsonl");
    for (i, (key, ev)) in events.into_iter().enumerate() {
        append(&path, build::record(2, key, 1_764_000_000 + i as u64, ev)).unwrap();
    }
    (dir, path)
}

#[test]
fn the_highest_signed_isvsvn_per_product_is_found() {
    let (_d, path) = log_of(vec![
        (&KEY, signer(&KEY, 4, 3, "signed")),
        (&KEY, signer(&KEY, 4, 5, "signed")),
        (&KEY, signer(&KEY, 4, 9, "declined")),
        (&[0xcd; 32], signer(&[0xcd; 32], 4, 12, "signed")),
        (&KEY, initiator(7, 2, "signed")),
        (&KEY, initiator(7, 8, "failed")),
        (&KEY, signer(&KEY, 4, 4, "signed")),
    ]);
    let h = history(&path, &KEY).unwrap().unwrap();
    assert_eq!(
        h.highest(4),
        Some(Highest {
            isv_svn: 5,
            line: 2
        })
    );
    assert_eq!(
        h.highest(7),
        Some(Highest {
            isv_svn: 2,
            line: 5
        })
    );
    assert_eq!(h.highest(1), None);
    let r = h.check(4, 4).unwrap_err();
    assert_eq!((r.isv_prod_id, r.isv_svn, r.highest.isv_svn), (4, 4, 5));
    assert!(r.to_string().contains("line 2"), "{r}");
    h.check(4, 5).unwrap();
    h.check(4, 6).unwrap();
    h.check(1, 0).unwrap();
    assert!(h.check(7, 1).is_err());
    // Another key's log: its own history only.
    let other = history(&path, &[0xcd; 32]).unwrap().unwrap();
    assert_eq!(other.highest(4).map(|h| h.isv_svn), Some(12));
}

#[test]
fn an_override_record_does_not_raise_or_lower_the_highest() {
    let (_d, path) = log_of(vec![
        (&KEY, signer(&KEY, 4, 5, "signed")),
        (
            &KEY,
            Event::SvnRollback(crate::audit::record::SvnRollbackEvent {
                session: "03".repeat(16),
                isv_prod_id: 4,
                isv_svn: 4,
                highest: 5,
                mrenclave: "22".repeat(32),
            }),
        ),
        (&KEY, signer(&KEY, 4, 4, "signed")),
    ]);
    let h = history(&path, &KEY).unwrap().unwrap();
    assert_eq!(
        h.highest(4),
        Some(Highest {
            isv_svn: 5,
            line: 1
        })
    );
}

#[test]
fn a_missing_log_is_none_and_a_tampered_or_cut_log_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert!(history(&dir.path().join("nothing.jsonl"), &KEY)
        .unwrap()
        .is_none());
    let (_d, path) = log_of(vec![
        (&KEY, signer(&KEY, 4, 5, "signed")),
        (&KEY, signer(&KEY, 4, 6, "declined")),
    ]);
    let good = std::fs::read_to_string(&path).unwrap();
    // The ISVSVN lowered in place: the line's own checksum no longer matches.
    std::fs::write(&path, good.replacen("\"isv_svn\":5", "\"isv_svn\":1", 1)).unwrap();
    let e = history(&path, &KEY).unwrap_err();
    assert!(matches!(e, SvnError::Broken { .. }), "{e}");
    assert!(e.to_string().contains("audit verify"), "{e}");
    // The record of ISVSVN 5 deleted: the chain shows it.
    let second = good.lines().nth(1).unwrap();
    std::fs::write(&path, format!("{second}\n")).unwrap();
    assert!(matches!(
        history(&path, &KEY).unwrap_err(),
        SvnError::Broken { .. }
    ));
    // Not a log at all.
    std::fs::write(&path, "hello\n").unwrap();
    assert!(history(&path, &KEY).is_err());
}
