//! Signing across share generations: a signer whose share is of another generation
//! than the SIGN-INIT's refuses it before any partial is computed, in one line naming
//! both (and the initiator reads that line in the ABORT); shares of one generation
//! sign as before; a retired share neither starts nor answers a signing.

use super::sign::{
    decline_request, review, review_batch, BatchInitiator, BatchTarget, Initiator, Progress,
    SignError, SignPolicy,
};
use super::tests::{keygen, test_key, unsigned};
use super::verdict::Verdict;
use crate::protocol::Message;
use crate::share::KeyShare;
use crate::threshold::Subset;

fn all(n: u8) -> Subset {
    Subset::from_parties(&(1..=n).collect::<Vec<_>>()).unwrap()
}

fn refreshed(shares: &[KeyShare], transcript: [u8; 32]) -> Vec<KeyShare> {
    shares
        .iter()
        .map(|s| s.next_generation_for_tests(transcript))
        .collect()
}

#[test]
fn a_mixed_set_is_refused_in_one_line_naming_both_generations() {
    let old = keygen(3, 2);
    let new = refreshed(&old, [0xa1; 32]);
    let keygen_id = hex::encode(&old[0].auth().unwrap().transcript[..4]);
    let s = unsigned(false, [0xab; 32]);
    // The initiator has the new share, party 2 the old one.
    let (mut ini, init) = Initiator::start(&new[0], &s, all(3)).unwrap();
    let Message::SignInit(m) = &init else {
        unreachable!()
    };
    assert_eq!((m.generation, m.generation_id), (1, [0xa1; 32]));
    assert_eq!(init.encode()[1], 14, "a generation-1 SIGN-INIT has type 14");
    let err = review(&old[1], &init.encode(), &SignPolicy::default()).unwrap_err();
    assert!(matches!(err, SignError::GenerationMismatch { .. }));
    assert_eq!(err.verdict(), Verdict::Refuse);
    let line = err.to_string();
    assert_eq!(
        line,
        format!("this request is for generation 1 of the key (refresh a1a1a1a1); your share (party 2) is generation 0 (keygen {keygen_id}): you missed a refresh, or use your newest share file")
    );
    // The signer's ABORT carries the line; the initiator reports it.
    let abort = decline_request(
        &old[1],
        m.session,
        &line,
        super::sign::Origin::Authenticated,
    );
    match ini.accept(&abort.encode()).unwrap() {
        Progress::Declined {
            party,
            reason,
            authenticated,
        } => {
            assert_eq!(party, 2);
            assert!(authenticated);
            assert_eq!(reason, line);
        }
        other => panic!("{other:?}"),
    }
    // The other way round: an old initiator, a new signer.
    let (_, init) = Initiator::start(&old[0], &s, all(3)).unwrap();
    assert_eq!(init.encode()[1], 4, "generation 0 keeps its type");
    let err = review(&new[1], &init.encode(), &SignPolicy::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "this request is for generation 0 of the key (as dealt); your share (party 2) is generation 1 (refresh a1a1a1a1): the initiator signs with an older share file: it must use its newest one"
    );
    // Same number, another refresh.
    let other = refreshed(&old, [0xb2; 32]);
    let (_, init) = Initiator::start(&other[0], &s, all(3)).unwrap();
    let err = review(&new[2], &init.encode(), &SignPolicy::default()).unwrap_err();
    assert!(err.to_string().contains("different refreshes"), "{err}");
}

#[test]
fn shares_of_one_generation_sign_as_before() {
    let new = refreshed(&refreshed(&keygen(3, 2), [0xa1; 32]), [0xa2; 32]);
    let mut s = unsigned(false, [0xab; 32]);
    let set = Subset::from_parties(&[1, 3]).unwrap();
    let (mut ini, init) = Initiator::start(&new[0], &s, set).unwrap();
    let r = review(&new[2], &init.encode(), &SignPolicy::default()).unwrap();
    let partial = r.sign(&new[2]).unwrap().encode();
    let Progress::Complete { signature, .. } = ini.accept(&partial).unwrap() else {
        panic!("one partial of a 2-of-3 completes");
    };
    s.set_signature(test_key().public(), &signature);
    s.verify(Some(test_key().public())).unwrap();
}

#[test]
fn a_batch_names_the_generation_too() {
    let old = keygen(3, 2);
    let new = refreshed(&old, [0xa1; 32]);
    let sigs = [unsigned(false, [0xa0; 32]), unsigned(false, [0xa1; 32])];
    let targets: Vec<BatchTarget> = sigs
        .iter()
        .map(|s| BatchTarget {
            name: "e",
            unsigned: s,
        })
        .collect();
    let (_, init) = BatchInitiator::start(&new[0], &targets, all(3)).unwrap();
    assert_eq!(init.encode()[1], 15);
    let err = review_batch(&old[1], &init.encode(), &SignPolicy::default(), &[]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("this request is for generation 1 of the key (refresh a1a1a1a1); your share (party 2) is generation 0"),
        "{err}"
    );
    assert!(review_batch(&new[1], &init.encode(), &SignPolicy::default(), &[]).is_ok());
}

#[test]
fn a_retired_share_neither_starts_nor_answers() {
    let shares = keygen(3, 2);
    let s = unsigned(false, [0xab; 32]);
    let (_, init) = Initiator::start(&shares[0], &s, all(3)).unwrap();
    let mut retired = shares[1].try_clone_for_tests();
    retired.mark_retired([0xcc; 32]);
    let err = review(&retired, &init.encode(), &SignPolicy::default()).unwrap_err();
    assert!(matches!(err, SignError::RetiredShare { .. }));
    assert!(err.to_string().starts_with(
        "this share is retired (replaced by cccccccc): sign with your share of generation 1"
    ));
    assert!(matches!(
        Initiator::start(&retired, &s, all(3)),
        Err(SignError::RetiredShare { .. })
    ));
}
