//! Giving shares in memory: recover for both schemes, and the forged, replayed and
//! wrong GIVEs and GIVE-INITs each side refuses.

use super::*;
use crate::ceremony::keygen::seal::{CeremonyKey, Channel};
use crate::ceremony::tests::{keygen, keygen_shoup3, test_key};
use crate::ceremony::verdict::Verdict;
use crate::key::PrivateKey;
use crate::protocol::{Give, GiveInit, Message, Purpose};
use crate::share::KeyShare;

fn safe1() -> PrivateKey {
    let pem = std::fs::read(format!(
        "{}/tests/fixtures/keys/safe1.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    PrivateKey::from_pem(&pem).unwrap()
}

/// Party `receiver` of `shares` receives from `givers`; returns the rebuilt key.
fn recover(mut shares: Vec<KeyShare>, receiver: u8, givers: &[u8]) -> PrivateKey {
    let own = shares.remove(usize::from(receiver) - 1);
    let (mut rx, init) = Receiver::start(own, Purpose::Recover).unwrap();
    let init = init.encode();
    for &g in givers {
        let share = shares.iter().find(|s| s.party() == g).unwrap();
        let req = GiveRequest::review(share, &init).unwrap();
        assert_eq!(req.receiver(), receiver);
        assert_eq!(req.purpose(), Purpose::Recover);
        let given = req.give(share).unwrap();
        assert_eq!(rx.accept_give(&given.give.encode()).unwrap(), g);
    }
    assert!(rx.is_complete());
    rx.rebuild().unwrap()
}

#[test]
fn shoup3_recover_gives_back_the_dealt_key() {
    let original = safe1();
    for (n, t, receiver, givers) in [(3u8, 2u8, 2u8, vec![3u8]), (5, 3, 4, vec![1, 5])] {
        let key = recover(keygen_shoup3(1, n, t, false), receiver, &givers);
        assert_eq!(
            key.to_pkcs1_pem().unwrap().expose(),
            original.to_pkcs1_pem().unwrap().expose(),
            "{t}-of-{n}"
        );
    }
}

#[test]
fn subsets_recover_gives_back_the_dealt_key() {
    // The test key's primes come in either order; the rebuilt key puts p > q, so
    // compare the key, not its PEM.
    let key = recover(keygen(3, 2), 3, &[1]);
    assert_eq!(key.public(), test_key().public());
    for digest in [[1u8; 32], [0xfe; 32]] {
        assert_eq!(key.sign_digest(&digest), test_key().sign_digest(&digest));
    }
}

#[test]
fn forged_replayed_and_foreign_gives_are_ignored() {
    let shares = keygen_shoup3(1, 3, 2, false);
    let mut it = shares.into_iter();
    let (s1, s2, s3) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
    let (mut rx, init) = Receiver::start(s1, Purpose::Recover).unwrap();
    let init = init.encode();
    // A GIVE-INIT from a receiver of another keygen (another roster) is refused.
    let (_, other_init) = {
        let s = keygen_shoup3(1, 3, 2, false).into_iter().next().unwrap();
        Receiver::start(s, Purpose::Recover).unwrap()
    };
    assert_eq!(
        GiveRequest::review(&s2, &other_init.encode())
            .unwrap_err()
            .verdict(),
        Verdict::Ignore
    );
    // A GIVE of another session (an earlier recover, replayed) is ignored.
    let good = GiveRequest::review(&s2, &init).unwrap().give(&s2).unwrap();
    let mut replay = good.give.clone();
    if let Message::Give(g) = &mut replay {
        g.session.0[0] ^= 1;
    }
    let e = rx.accept_give(&replay.encode()).unwrap_err();
    assert_eq!(e.verdict(), Verdict::Ignore);
    // Altered after signing: the signature fails.
    let mut forged = good.give.clone();
    if let Message::Give(g) = &mut forged {
        g.giver_key[0] ^= 1;
    }
    let e = rx.accept_give(&forged.encode()).unwrap_err();
    assert!(matches!(e, ReshareError::BadSignature { party: 2, .. }));
    assert_eq!(e.verdict(), Verdict::Ignore);
    // A party outside the roster.
    let mut outside = good.give.clone();
    if let Message::Give(g) = &mut outside {
        g.party = 9;
        g.sealed.party = 9;
    }
    let e = rx.accept_give(&outside.encode()).unwrap_err();
    assert!(matches!(e, ReshareError::OutsideRoster { party: 9, .. }));
    // Our own GIVE-INIT is no GIVE; a GIVE-INIT is refused by the receiver's own share.
    assert_eq!(
        rx.accept_give(&init).unwrap_err().verdict(),
        Verdict::Ignore
    );
    // The genuine GIVE is taken once; again it is a duplicate.
    assert_eq!(rx.accept_give(&good.give.encode()).unwrap(), 2);
    assert_eq!(
        rx.accept_give(&good.give.encode()),
        Err(ReshareError::Duplicate(2))
    );
    assert!(rx.is_complete());
    assert_eq!(rx.rebuild().unwrap().public(), s3.public());
}

#[test]
fn a_wrong_share_stops_the_receiver_naming_the_party() {
    let shares = keygen_shoup3(1, 3, 2, false);
    let other = keygen_shoup3(1, 3, 2, false);
    let mut it = shares.into_iter();
    let (s1, s2) = (it.next().unwrap(), it.next().unwrap());
    let (mut rx, init) = Receiver::start(s1, Purpose::Recover).unwrap();
    let Message::GiveInit(gi) = &init else {
        panic!()
    };
    // Party 2 seals a share of another dealing of the same key, signs it properly.
    let ours = CeremonyKey::generate();
    let transcript = gi.transcript_hash();
    let channel = Channel {
        own: &ours,
        peer: &gi.receiver_key,
        session: &gi.session,
        transcript: &transcript,
    };
    let wrong = other[1].shoup3().unwrap().secret();
    let mut give = Message::Give(Give {
        session: gi.session,
        party: 2,
        giver_key: ours.public(),
        sealed: channel.seal_shoup3(wrong).unwrap(),
        signature: [0; 64],
    });
    give.sign(&s2.auth().unwrap().identity);
    let e = rx.accept_give(&give.encode()).unwrap_err();
    assert!(
        matches!(e, ReshareError::WrongShare { party: 2, .. }),
        "{e}"
    );
    assert_eq!(e.verdict(), Verdict::End);
    assert!(e.to_string().contains("party 2"));
}

#[test]
fn givers_refuse_inits_not_from_the_roster_or_for_another_key() {
    let shares = keygen_shoup3(1, 3, 2, false);
    let (_, init) = Receiver::start(shares[0].try_clone_for_tests(), Purpose::Recover).unwrap();
    let Message::GiveInit(gi) = init else {
        panic!()
    };
    let resign = |mut g: GiveInit, key: &crate::identity::IdentityKey| {
        let mut m = Message::GiveInit(g.clone());
        m.sign(key);
        if let Some(s) = m.signature() {
            g.signature = *s;
        }
        Message::GiveInit(g).encode()
    };
    let me = &shares[1];
    let dealer_id = &shares[0].auth().unwrap().identity;
    // Signed by an identity key outside the roster.
    let stranger = crate::identity::IdentityKey::generate();
    assert!(matches!(
        GiveRequest::review(me, &resign(gi.clone(), &stranger)),
        Err(ReshareError::BadSignature { party: 1, .. })
    ));
    // Another key, another roster, a weak key, ourselves: refused even when signed.
    let mut other_key = gi.clone();
    other_key.mrsigner[0] ^= 1;
    assert!(matches!(
        GiveRequest::review(me, &resign(other_key, dealer_id)),
        Err(ReshareError::OtherKey { .. })
    ));
    let mut other_roster = gi.clone();
    other_roster.roster_transcript[0] ^= 1;
    assert_eq!(
        GiveRequest::review(me, &resign(other_roster, dealer_id)).err(),
        Some(ReshareError::OtherRoster)
    );
    let mut weak = gi.clone();
    weak.receiver_key = [0; 32];
    assert_eq!(
        GiveRequest::review(me, &resign(weak, dealer_id)).err(),
        Some(ReshareError::WeakKey)
    );
    assert_eq!(
        GiveRequest::review(&shares[0], &resign(gi.clone(), dealer_id)).err(),
        Some(ReshareError::OwnInit(1))
    );
    // The genuine one passes, and shows the receiver's fingerprint.
    let req = GiveRequest::review(me, &resign(gi, dealer_id)).unwrap();
    assert_eq!(req.fingerprint.len(), 14);
    // A reshare's GIVE-INIT names the new (t', n'), and the giver sees the purpose.
    let (_, reshare) = Receiver::start(
        shares[2].try_clone_for_tests(),
        Purpose::Reshare {
            parties: 4,
            threshold: 3,
        },
    )
    .unwrap();
    let req = GiveRequest::review(me, &reshare.encode()).unwrap();
    assert_eq!(
        req.purpose(),
        Purpose::Reshare {
            parties: 4,
            threshold: 3
        }
    );
}
