//! A chat attacker against keygen and signing, in memory: every message may be
//! edited, replayed or forged. Each attack must fail with its own clear error.

use super::keygen::seal::{self, SealError};
use super::keygen::{Dealer, Joiner, KeygenError};
use super::sign::{review, Initiator, Origin, Progress, SignError, SignPolicy};
use super::tests::{keygen, resign, test_key, unsigned};
use super::MessageError;
use crate::identity::{IdentityKey, IdentityPublic};
use crate::key::PrivateKey;
use crate::protocol::{Abort, KeygenJoin, Message, PartyKeys, SCHEME_SUBSETS};
use crate::share::KeyShare;
use crate::threshold::{Scheme, Subset};

/// A second key whose factors "the attacker" knows.
fn attacker_key() -> PrivateKey {
    PrivateKey::from_pem(include_bytes!("../../tests/fixtures/keys/key2.pem")).unwrap()
}

/// A 3-party keygen up to the dealer's FINALIZE.
fn until_finalize() -> (Message, Vec<Joiner>) {
    let scheme = Scheme::new(3, 2).unwrap();
    let (mut dealer, init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
    let mut joiners = Vec::new();
    for _ in 0..2 {
        let (j, join) = Joiner::join(&init.encode()).unwrap();
        dealer.accept_join(&join.encode()).unwrap();
        joiners.push(j);
    }
    (dealer.deal(test_key()).unwrap().finalize, joiners)
}

#[test]
fn a_swapped_modulus_is_refused() {
    let (fin, joiners) = until_finalize();
    let Message::KeygenFinalize(mut f) = fin.clone() else {
        unreachable!()
    };
    f.modulus = attacker_key().public().modulus_be();
    let forged = Message::KeygenFinalize(f.clone());
    for j in &joiners {
        assert_eq!(
            j.finish(&forged.encode()).unwrap_err(),
            KeygenError::ForgedFinalize
        );
    }
    // Re-signed with the attacker's own identity key: still not the dealer's.
    let mut resigned = forged.clone();
    resigned.sign(&IdentityKey::generate());
    assert_eq!(
        joiners[0].finish(&resigned.encode()).unwrap_err(),
        KeygenError::ForgedFinalize
    );
    // The genuine FINALIZE still works afterwards.
    for j in &joiners {
        assert!(j.finish(&fin.encode()).is_ok());
    }
}

#[test]
fn a_swapped_roster_entry_is_refused() {
    let (fin, joiners) = until_finalize();
    let Message::KeygenFinalize(mut f) = fin.clone() else {
        unreachable!()
    };
    // The attacker puts its own keys in place of party 3's.
    f.roster[2] = PartyKeys {
        x25519: [9; 32],
        identity: IdentityKey::generate().public(),
    };
    let forged = Message::KeygenFinalize(f).encode();
    assert_eq!(
        joiners[0].finish(&forged).unwrap_err(),
        KeygenError::ForgedFinalize
    );
    assert_eq!(
        joiners[1].finish(&forged).unwrap_err(),
        KeygenError::NotInRoster
    );
}

#[test]
fn a_finalize_from_another_keygen_is_refused() {
    let (_, joiners) = until_finalize();
    let (other_fin, _) = until_finalize();
    assert!(matches!(
        joiners[0].finish(&other_fin.encode()).unwrap_err(),
        KeygenError::Message(MessageError::OtherSession { .. })
    ));
    // Its session rewritten to ours: it names another dealer.
    let Message::KeygenFinalize(mut f) = other_fin else {
        unreachable!()
    };
    f.session = joiners[0].session();
    assert_eq!(
        joiners[0]
            .finish(&Message::KeygenFinalize(f).encode())
            .unwrap_err(),
        KeygenError::DealerChanged
    );
}

#[test]
fn the_transcript_binds_every_sealed_share() {
    // Even without the dealer's signature, a share opens only under the transcript
    // it was sealed for.
    let dealer = seal::CeremonyKey::generate();
    let party = seal::CeremonyKey::generate();
    let shares = keygen(2, 2);
    let session = shares[1].auth().unwrap().session;
    let (dealer_key, party_key) = (dealer.public(), party.public());
    let channel = |own, peer, transcript| seal::Channel {
        own,
        peer,
        session: &session,
        transcript,
    };
    let sealed = channel(&dealer, &party_key, &[1; 32])
        .seal(&shares[1])
        .unwrap();
    let scheme = Scheme::new(2, 2).unwrap();
    let public = test_key().public();
    assert!(channel(&party, &dealer_key, &[1; 32])
        .open(&sealed, scheme, public)
        .is_ok());
    assert_eq!(
        channel(&party, &dealer_key, &[2; 32])
            .open(&sealed, scheme, public)
            .unwrap_err(),
        SealError::Open(2)
    );
}

#[test]
fn a_dealer_key_swapped_in_the_init_shows_in_the_key_code() {
    // The attacker sits between the dealer and party 2: it joins the real dealer in
    // party 2's place and deals to party 2 itself.
    let scheme = Scheme::new(2, 2).unwrap();
    let (mut dealer, init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
    let (as_joiner, join_to_dealer) = Joiner::join(&init.encode()).unwrap();
    dealer.accept_join(&join_to_dealer.encode()).unwrap();
    let (mut as_dealer, fake_init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
    let (victim, victim_join) = Joiner::join(&fake_init.encode()).unwrap();
    as_dealer.accept_join(&victim_join.encode()).unwrap();
    assert_ne!(victim.session_code(), dealer.session_code());
    let real = dealer.deal(test_key()).unwrap();
    assert!(as_joiner.finish(&real.finalize.encode()).is_ok());
    // Even dealing the very same key, the attacker cannot make the codes agree.
    let fake = as_dealer.deal(test_key()).unwrap();
    let joined = victim.finish(&fake.finalize.encode()).unwrap();
    assert_ne!(joined.key_code, real.key_code);
}

#[test]
fn weak_or_unsigned_joins_are_refused_on_arrival() {
    let scheme = Scheme::new(3, 2).unwrap();
    let (mut dealer, init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
    let (_, join) = Joiner::join(&init.encode()).unwrap();
    let Message::KeygenJoin(good) = join else {
        unreachable!()
    };
    let identity = IdentityKey::generate();
    let signed = |party_key: [u8; 32], id: IdentityPublic, key: &IdentityKey| {
        let mut m = Message::KeygenJoin(KeygenJoin {
            session: good.session,
            party_key,
            identity: id,
            signature: [0; 64],
        });
        m.sign(key);
        m.encode()
    };
    // An all-zero X25519 key (low order).
    assert_eq!(
        dealer
            .accept_join(&signed([0; 32], identity.public(), &identity))
            .unwrap_err(),
        KeygenError::WeakJoinKey
    );
    // A small-order identity key.
    let mut weak_id = [0u8; 32];
    weak_id[0] = 1;
    assert!(matches!(
        dealer.accept_join(&signed([7; 32], IdentityPublic(weak_id), &identity)),
        Err(KeygenError::WeakJoinKey | KeygenError::JoinIdentity(_))
    ));
    // Signed by another key than the one it carries.
    assert_eq!(
        dealer
            .accept_join(&signed(good.party_key, good.identity, &identity))
            .unwrap_err(),
        KeygenError::BadJoinSignature
    );
    // None of these took a party number: the genuine join is party 2.
    assert_eq!(
        dealer
            .accept_join(&Message::KeygenJoin(good).encode())
            .unwrap()
            .party,
        2
    );
}

fn forged_partial(
    share_of_victim: &KeyShare,
    init: &Message,
    signer: Option<&IdentityKey>,
) -> Vec<u8> {
    let r = review(
        share_of_victim,
        &init.encode(),
        &SignPolicy {
            accept_unsigned: true,
            ..Default::default()
        },
    )
    .unwrap();
    let Message::SignPartial(mut p) = r.sign(share_of_victim).unwrap() else {
        unreachable!()
    };
    if let crate::protocol::PartialBody::Subsets { partials, .. } = &mut p.body {
        partials[0].1 = [0x42; 384];
    }
    p.signature = None;
    let mut m = Message::SignPartial(p);
    if let Some(k) = signer {
        m.sign(k);
    }
    m.encode()
}

#[test]
fn forged_partials_and_aborts_do_not_stop_an_authenticated_signing() {
    let shares = keygen(3, 2);
    let s = unsigned(false, [5; 32]);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &s, set).unwrap();
    assert!(ini.authenticates());
    let attacker = IdentityKey::generate();
    // A forged partial and a forged ABORT in party 2's name, sent first.
    let unsigned_forgery = forged_partial(&shares[1], &init, None);
    assert!(matches!(
        ini.accept(&unsigned_forgery),
        Err(SignError::Unsigned { party: 2, .. })
    ));
    let signed_forgery = forged_partial(&shares[1], &init, Some(&attacker));
    assert!(matches!(
        ini.accept(&signed_forgery),
        Err(SignError::BadSignature { party: 2, .. })
    ));
    let mut abort = Message::Abort(Abort {
        session: ini.session(),
        party: 2,
        reason: "\x1b[2KVerified and wrote /tmp/x".into(),
        signature: None,
    });
    assert!(matches!(
        ini.accept(&abort.encode()),
        Err(SignError::Unsigned { party: 2, .. })
    ));
    abort.sign(&attacker);
    assert!(matches!(
        ini.accept(&abort.encode()),
        Err(SignError::BadSignature { party: 2, .. })
    ));
    assert_eq!(ini.waiting_for(), vec![2]);
    // The genuine partial still completes the signature.
    let genuine = review(&shares[1], &init.encode(), &SignPolicy::default())
        .unwrap()
        .sign(&shares[1])
        .unwrap();
    match ini.accept(&genuine.encode()).unwrap() {
        Progress::Complete { signature, .. } => {
            assert_eq!(signature, test_key().sign_digest(&s.digest()));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn a_forged_sign_init_is_ignored_by_signers() {
    let shares = keygen(3, 2);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (_, init) = Initiator::start(&shares[0], &unsigned(false, [5; 32]), set).unwrap();
    let Message::SignInit(mut i) = init.clone() else {
        unreachable!()
    };
    i.regions[128 + 60] ^= 1; // another MRENCLAVE byte
    i.mrenclave[28] ^= 1;
    let forged = Message::SignInit(i.clone()).encode();
    assert!(matches!(
        review(&shares[1], &forged, &SignPolicy::default()),
        Err(SignError::BadSignature { party: 1, .. })
    ));
    i.signature = None;
    let stripped = Message::SignInit(i).encode();
    assert!(matches!(
        review(&shares[1], &stripped, &SignPolicy::default()),
        Err(SignError::Unsigned { party: 1, .. })
    ));
    // The genuine one after them is reviewed as authenticated.
    assert_eq!(
        review(&shares[1], &init.encode(), &SignPolicy::default())
            .unwrap()
            .origin,
        Origin::Authenticated
    );
}

#[test]
fn an_unauthenticated_initiator_keeps_every_candidate() {
    let shares = keygen(3, 2);
    let v2_initiator = KeyShare::without_auth(shares[0].try_clone_for_tests());
    let s = unsigned(false, [5; 32]);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (mut ini, init) = Initiator::start(&v2_initiator, &s, set).unwrap();
    assert!(!ini.authenticates());
    // A version-3 signer refuses the unsigned SIGN-INIT unless told to accept it.
    assert!(matches!(
        review(&shares[1], &init.encode(), &SignPolicy::default()),
        Err(SignError::Unsigned { .. })
    ));
    // A forged ABORT and a forged partial arrive first.
    let abort = Message::Abort(Abort {
        session: ini.session(),
        party: 2,
        reason: "forged".into(),
        signature: None,
    });
    assert!(matches!(
        ini.accept(&abort.encode()).unwrap(),
        Progress::Declined {
            party: 2,
            authenticated: false,
            ..
        }
    ));
    let forged = forged_partial(&shares[1], &init, None);
    assert!(matches!(
        ini.accept(&forged).unwrap(),
        Progress::Stuck { .. }
    ));
    // The genuine partial (signed by a version-3 signer) still completes.
    let r = review(
        &shares[1],
        &init.encode(),
        &SignPolicy {
            accept_unsigned: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(r.origin, Origin::UnsignedAllowed);
    let genuine = r.sign(&shares[1]).unwrap();
    match ini.accept(&genuine.encode()).unwrap() {
        Progress::Complete { signature, .. } => {
            assert_eq!(signature, test_key().sign_digest(&s.digest()));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn an_authenticated_initiator_refuses_unsigned_partials() {
    // Party 2 on a reference-format share, the initiator on version 3.
    let shares = keygen(3, 2);
    let v2_signer = KeyShare::without_auth(shares[1].try_clone_for_tests());
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &unsigned(false, [5; 32]), set).unwrap();
    let r = review(&v2_signer, &init.encode(), &SignPolicy::default()).unwrap();
    assert_eq!(r.origin, Origin::NoRoster);
    let p = r.sign(&v2_signer).unwrap();
    assert!(p.signature().is_none());
    assert!(matches!(
        ini.accept(&p.encode()),
        Err(SignError::Unsigned { party: 2, .. })
    ));
    // Re-signed by party 2's own key (its version-3 share), it is accepted.
    assert!(matches!(
        ini.accept(&resign(p, &shares[1]).encode()).unwrap(),
        Progress::Complete { .. }
    ));
}
