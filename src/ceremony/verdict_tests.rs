//! The classification of [`super::verdict::Verdict`], case by case: every message an
//! attacker in the chat can make without a party's identity key is `Ignore` and
//! changes nothing, and the genuine message is taken afterwards.

use super::keygen::{Dealer, Joiner, KeygenError};
use super::sign::{review, Initiator, Origin, Progress, SignError, SignPolicy};
use super::tests::{keygen, keygen_shoup3, test_key, unsigned};
use super::verdict::Verdict;
use super::MessageError;
use crate::identity::IdentityKey;
use crate::protocol::{
    shoup3_seed, Abort, KeygenFinalize, Message, SealedShare, Shoup3Public, SignInit,
    SCHEME_SHOUP3, SCHEME_SUBSETS, SHOUP3_SEALED_BYTES,
};
use crate::share::KeyShare;
use crate::threshold::{Scheme, Subset};

/// The forgery of issue 19: an unsigned SIGN-INIT copying the live session id and
/// naming initiator party 16 of 16.
fn party_16_of_16(genuine: &Message) -> Vec<u8> {
    let Message::SignInit(i) = genuine.clone() else {
        unreachable!()
    };
    Message::SignInit(SignInit {
        initiator: 16,
        signers: 0xffff,
        parties: 16,
        threshold: 2,
        signature: None,
        ..i
    })
    .encode()
}

#[test]
fn a_sign_init_from_outside_the_roster_is_ignored() {
    let shares = keygen(3, 2);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (_, init) = Initiator::start(&shares[0], &unsigned(false, [5; 32]), set).unwrap();
    let forged = party_16_of_16(&init);
    for policy in [
        SignPolicy::default(),
        SignPolicy {
            accept_unsigned: true,
            ..Default::default()
        },
    ] {
        let e = review(&shares[1], &forged, &policy).unwrap_err();
        assert!(
            matches!(
                e,
                SignError::OutsideRoster {
                    party: 16,
                    parties: 3,
                    ..
                }
            ),
            "{e:?}"
        );
        assert_eq!(e.verdict(), Verdict::Ignore);
        assert!(!e.verdict().is_from_authenticated_peer());
    }
    // A share without a roster cannot authenticate: the mismatch is unproven.
    let v2 = KeyShare::without_auth(shares[1].try_clone_for_tests());
    let e = review(&v2, &forged, &SignPolicy::default()).unwrap_err();
    assert!(
        matches!(&e, SignError::Unproven { party: 16, error, .. }
            if matches!(**error, SignError::SchemeMismatch { .. })),
        "{e:?}"
    );
    assert_eq!(e.verdict(), Verdict::Ignore);
    // The genuine request is still reviewed, by both.
    let r = review(&shares[1], &init.encode(), &SignPolicy::default()).unwrap();
    assert_eq!(r.origin, Origin::Authenticated);
    assert_eq!(
        review(&v2, &init.encode(), &SignPolicy::default())
            .unwrap()
            .origin,
        Origin::NoRoster
    );
}

#[test]
fn a_genuine_request_replayed_for_another_enclave_is_declined_not_fatal() {
    let shares = keygen(3, 2);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (_, earlier) = Initiator::start(&shares[0], &unsigned(false, [5; 32]), set).unwrap();
    let (_, current) = Initiator::start(&shares[0], &unsigned(false, [6; 32]), set).unwrap();
    let policy = SignPolicy {
        expect_mrenclave: Some([6; 32]),
        ..Default::default()
    };
    // Authenticated (it is the initiator's own), so the signer declines THAT
    // session; the current one is unaffected.
    let e = review(&shares[1], &earlier.encode(), &policy).unwrap_err();
    assert!(matches!(e, SignError::UnexpectedMrenclave { .. }), "{e:?}");
    assert_eq!(e.verdict(), Verdict::Refuse);
    assert!(e.verdict().keeps_waiting());
    assert_ne!(earlier.session(), current.session());
    assert!(review(&shares[1], &current.encode(), &policy).is_ok());
    // Policy refusals are declines whatever the origin.
    assert_eq!(SignError::DebugRefused.verdict(), Verdict::Refuse);
}

#[test]
fn a_sign_init_of_the_other_scheme_is_ignored() {
    let subsets = keygen(3, 3);
    let shoup3 = keygen_shoup3(3, 3, 3, false);
    let set = Subset::from_parties(&[1, 2, 3]).unwrap();
    let (_, init) = Initiator::start(&shoup3[0], &unsigned(false, [5; 32]), set).unwrap();
    // Signed by a key the subsets roster does not know.
    let e = review(&subsets[1], &init.encode(), &SignPolicy::default()).unwrap_err();
    assert!(matches!(e, SignError::BadSignature { .. }), "{e:?}");
    assert_eq!(e.verdict(), Verdict::Ignore);
    // Without a roster: unproven.
    let v2 = KeyShare::without_auth(subsets[1].try_clone_for_tests());
    let e = review(&v2, &init.encode(), &SignPolicy::default()).unwrap_err();
    assert!(matches!(e, SignError::Unproven { .. }), "{e:?}");
    assert_eq!(e.verdict(), Verdict::Ignore);
    // Unsigned and copied into the subsets wire type: still nothing.
    let Message::SignInit(mut i) = init else {
        unreachable!()
    };
    i.scheme = SCHEME_SUBSETS;
    i.signature = None;
    let e = review(
        &subsets[1],
        &Message::SignInit(i).encode(),
        &SignPolicy::default(),
    )
    .unwrap_err();
    assert_eq!(e.verdict(), Verdict::Ignore, "{e:?}");
}

#[test]
fn an_initiator_ignores_foreign_and_other_scheme_answers() {
    let subsets = keygen(3, 2);
    let shoup3 = keygen_shoup3(3, 3, 2, false);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let s = unsigned(false, [5; 32]);
    let (mut ini, init) = Initiator::start(&subsets[0], &s, set).unwrap();
    // A genuine shoup3 partial of party 2 (another key, another session).
    let (_, init3) = Initiator::start(&shoup3[0], &s, set).unwrap();
    let p3 = review(&shoup3[1], &init3.encode(), &SignPolicy::default())
        .unwrap()
        .sign(&shoup3[1])
        .unwrap();
    let e = ini.accept(&p3.encode()).unwrap_err();
    assert!(
        matches!(e, SignError::Message(MessageError::OtherSession { .. })),
        "{e:?}"
    );
    assert_eq!(e.verdict(), Verdict::Ignore);
    // The same partial moved into this session: not signed by party 2's key here.
    let Message::SignPartial(mut moved) = p3 else {
        unreachable!()
    };
    moved.session = ini.session();
    let e = ini
        .accept(&Message::SignPartial(moved.clone()).encode())
        .unwrap_err();
    assert_eq!(e.verdict(), Verdict::Ignore, "{e:?}");
    // A genuine ABORT of party 2 from another session.
    let other = super::sign::decline(&subsets[1], init3.session(), "no");
    assert_eq!(
        ini.accept(&other.encode()).unwrap_err().verdict(),
        Verdict::Ignore
    );
    // An initiator without a roster: the other-scheme partial is unproven.
    let v2 = KeyShare::without_auth(subsets[0].try_clone_for_tests());
    let (mut ini2, init2) = Initiator::start(&v2, &s, set).unwrap();
    moved.session = ini2.session();
    moved.signature = None;
    let e = ini2
        .accept(&Message::SignPartial(moved).encode())
        .unwrap_err();
    assert!(
        matches!(&e, SignError::Unproven { party: 2, error, .. }
            if matches!(**error, SignError::WrongScheme(2))),
        "{e:?}"
    );
    assert_eq!(e.verdict(), Verdict::Ignore);
    // Both still complete with the genuine partial.
    for (ini, init) in [(&mut ini, init), (&mut ini2, init2)] {
        let policy = SignPolicy {
            accept_unsigned: true,
            ..Default::default()
        };
        let genuine = review(&subsets[1], &init.encode(), &policy)
            .unwrap()
            .sign(&subsets[1])
            .unwrap();
        assert!(matches!(
            ini.accept(&genuine.encode()).unwrap(),
            Progress::Complete { .. }
        ));
    }
}

#[test]
fn only_authenticated_declines_end_a_signing() {
    let shares = keygen(3, 2);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (mut ini, _) = Initiator::start(&shares[0], &unsigned(false, [5; 32]), set).unwrap();
    let mut forged = Message::Abort(Abort {
        session: ini.session(),
        party: 2,
        reason: "forged".into(),
        signature: None,
    });
    forged.sign(&IdentityKey::generate());
    assert_eq!(
        ini.accept(&forged.encode()).unwrap_err().verdict(),
        Verdict::Ignore
    );
    assert!(ini.check_still_possible().is_ok());
    let genuine = super::sign::decline(&shares[1], ini.session(), "no");
    assert!(matches!(
        ini.accept(&genuine.encode()).unwrap(),
        Progress::Declined {
            authenticated: true,
            ..
        }
    ));
    let e = ini.check_still_possible().unwrap_err();
    assert_eq!(e.verdict(), Verdict::End);
}

#[test]
fn keygen_rejections_never_end_a_receive_loop() {
    let scheme = Scheme::new(2, 2).unwrap();
    let (mut dealer, init) =
        Dealer::start(scheme, SCHEME_SUBSETS, Some(test_key().public())).unwrap();
    // A JOIN of another ceremony.
    let (_, other_init) = Dealer::start(scheme, SCHEME_SHOUP3, None).unwrap();
    let (_, foreign) = Joiner::join(&other_init.encode()).unwrap();
    let e = dealer.accept_join(&foreign.encode()).unwrap_err();
    assert_eq!(e.verdict(), Verdict::Ignore, "{e:?}");
    let (joiner, join) = Joiner::join(&init.encode()).unwrap();
    dealer.accept_join(&join.encode()).unwrap();
    let dealt = dealer.deal(test_key()).unwrap();
    // A FINALIZE of the other scheme copying the session.
    let Message::KeygenFinalize(mut f) = dealt.finalize.clone() else {
        unreachable!()
    };
    f.scheme = SCHEME_SHOUP3;
    f.verification = Some(Shoup3Public {
        seed: shoup3_seed(&f.session),
        keys: vec![[1; 384]; 2],
        feldman: None,
    });
    f.roster = KeygenFinalize::wire_roster(SCHEME_SHOUP3, &f.roster, None);
    f.shares = vec![SealedShare {
        party: 2,
        nonce: [0; 12],
        ciphertext: vec![2; SHOUP3_SEALED_BYTES],
    }];
    let e = joiner
        .finish(&Message::KeygenFinalize(f).encode())
        .unwrap_err();
    assert!(matches!(e, KeygenError::SchemeChanged { .. }), "{e:?}");
    assert_eq!(e.verdict(), Verdict::Ignore);
    // Only the dealer's own state ends a keygen.
    assert_eq!(
        KeygenError::Incomplete {
            joined: 1,
            parties: 2
        }
        .verdict(),
        Verdict::End
    );
    assert!(KeygenError::ForgedFinalize.verdict().keeps_waiting());
    assert!(joiner.finish(&dealt.finalize.encode()).is_ok());
}

#[test]
fn a_forged_request_declined_under_accept_unsigned_cannot_end_the_signing() {
    let shares = keygen(3, 2);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &unsigned(false, [5; 32]), set).unwrap();
    // An unsigned copy of the live request, for a DEBUG enclave.
    let (_, debug) = Initiator::start(&shares[0], &unsigned(true, [5; 32]), set).unwrap();
    let Message::SignInit(mut forged) = debug else {
        unreachable!()
    };
    forged.session = ini.session();
    forged.signature = None;
    let forged = Message::SignInit(forged).encode();
    let lax = SignPolicy {
        accept_unsigned: true,
        ..Default::default()
    };
    let origin = |bytes: &[u8]| super::sign::request_origin(&shares[1], bytes).unwrap().1;
    assert_eq!(origin(&init.encode()), Origin::Authenticated);
    assert_eq!(origin(&forged), Origin::UnsignedAllowed);
    let e = review(&shares[1], &forged, &lax).unwrap_err();
    assert_eq!(e, SignError::DebugRefused);
    // The signer's ABORT for it is unsigned: the initiator ignores it.
    let abort =
        super::sign::decline_request(&shares[1], ini.session(), "no", Origin::UnsignedAllowed);
    assert!(abort.signature().is_none());
    let e = ini.accept(&abort.encode()).unwrap_err();
    assert_eq!(e.verdict(), Verdict::Ignore, "{e:?}");
    assert!(ini.check_still_possible().is_ok());
    // An authenticated request's decline is signed (a proven decline).
    let r = review(&shares[1], &init.encode(), &lax).unwrap();
    assert!(r.decline(&shares[1], "no").signature().is_some());
    // The genuine request still signs and completes.
    let p = r.sign(&shares[1]).unwrap();
    assert!(matches!(
        ini.accept(&p.encode()).unwrap(),
        Progress::Complete { .. }
    ));
}
