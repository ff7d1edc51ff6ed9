//! Whole ceremonies in memory, and the adversarial cases.

use std::sync::OnceLock;

use super::keygen::{Dealer, Joiner, KeygenError};
use super::sign::{review, Initiator, Origin, Progress, SignError, SignPolicy};
use super::MessageError;
use crate::key::{self, PrivateKey};
use crate::protocol::{Message, MessageType, PartialBody, SignPartial, SCHEME_SUBSETS};
use crate::sgx::sigstruct::SigstructFields;
use crate::sgx::{Date, Sigstruct};
use crate::share::KeyShare;
use crate::threshold::{Scheme, Subset};

pub(crate) fn test_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| key::generate(&mut |_| {}).expect("keygen"))
}

pub(crate) fn keygen(n: u8, t: u8) -> Vec<KeyShare> {
    let scheme = Scheme::new(n, t).unwrap();
    let (mut dealer, init) =
        Dealer::start(scheme, SCHEME_SUBSETS, Some(test_key().public())).unwrap();
    let init = init.encode();
    let mut joiners = Vec::new();
    for i in 2..=n {
        let (j, join) = Joiner::join(&init).unwrap();
        assert_eq!(j.session_code(), dealer.session_code());
        let entry = dealer.accept_join(&join.encode()).unwrap();
        assert_eq!(entry.party, i);
        assert_eq!(entry.fingerprint, j.own_fingerprint());
        // The same join again is refused, naming the party it joined as.
        assert_eq!(
            dealer.accept_join(&join.encode()),
            Err(KeygenError::DuplicateJoin(i))
        );
        joiners.push(j);
    }
    assert!(dealer.is_complete());
    let roster = dealer.roster();
    let dealt = dealer.deal(test_key()).unwrap();
    let fin = dealt.finalize.encode();
    let mut shares = vec![dealt.share];
    for j in &joiners {
        let joined = j.finish(&fin).unwrap();
        assert_eq!(joined.roster, roster);
        assert_eq!(joined.key_code, dealt.key_code);
        assert_eq!(joined.transcript, dealt.transcript);
        shares.push(joined.share);
    }
    for (i, s) in shares.iter().enumerate() {
        assert_eq!(usize::from(s.party()), i + 1);
        assert_eq!(s.public(), test_key().public());
    }
    shares
}

pub(super) fn unsigned(debug: bool, mrenclave: [u8; 32]) -> Sigstruct {
    Sigstruct::build(&SigstructFields {
        date: Date {
            year: 2026,
            month: 11,
            day: 24,
        },
        debug,
        mrenclave,
        isv_prod_id: 1,
        isv_svn: 2,
    })
}

/// Runs a signing ceremony among `signers`; returns the signed SIGSTRUCT.
fn sign(shares: &[KeyShare], initiator: u8, signers: &[u8]) -> Sigstruct {
    let mut s = unsigned(false, [0xab; 32]);
    let set = Subset::from_parties(signers).unwrap();
    let (mut ini, init) = Initiator::start(&shares[usize::from(initiator - 1)], &s, set).unwrap();
    let init = init.encode();
    for &p in signers.iter().filter(|&&p| p != initiator) {
        let share = &shares[usize::from(p - 1)];
        let r = review(share, &init, &SignPolicy::default()).unwrap();
        assert_eq!(r.origin, Origin::Authenticated);
        assert_eq!(r.mrenclave, [0xab; 32]);
        assert_eq!((r.isv_prod_id, r.isv_svn, r.debug), (1, 2, false));
        let partial = r.sign(share).unwrap().encode();
        if let Progress::Complete { signature, .. } = ini.accept(&partial).unwrap() {
            s.set_signature(test_key().public(), &signature);
            s.verify(Some(test_key().public())).unwrap();
            return s;
        }
    }
    panic!("no signature after all partials");
}

#[test]
fn keygen_then_sign_with_every_subset() {
    for (n, t) in [(3, 2), (5, 3)] {
        let shares = keygen(n, t);
        let scheme = Scheme::new(n, t).unwrap();
        for subset in scheme.subsets() {
            let parties = subset.parties();
            let signed = sign(&shares, parties[0], &parties);
            // PKCS#1 v1.5 is deterministic: same bytes as a one-key signature.
            let mut direct = unsigned(false, [0xab; 32]);
            direct.set_signature(
                test_key().public(),
                &test_key().sign_digest(&direct.digest()),
            );
            assert_eq!(
                signed.as_bytes(),
                direct.as_bytes(),
                "{t}-of-{n} subset {subset}"
            );
        }
        // More signers than needed: the first complete subset wins.
        let all: Vec<u8> = (1..=n).collect();
        sign(&shares, n, &all);
    }
}

#[test]
fn joins_from_elsewhere_are_refused() {
    let scheme = Scheme::new(3, 2).unwrap();
    let (mut dealer, _) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
    let (_, other_init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
    let (_, foreign_join) = Joiner::join(&other_init.encode()).unwrap();
    assert!(matches!(
        dealer.accept_join(&foreign_join.encode()),
        Err(KeygenError::Message(MessageError::OtherSession { .. }))
    ));
    assert!(matches!(
        dealer.accept_join(&other_init.encode()),
        Err(KeygenError::Message(MessageError::OtherSession { .. }))
    ));
    assert!(matches!(
        dealer.accept_join(b"\x01\x02"),
        Err(KeygenError::Message(MessageError::Protocol(_)))
    ));
}

#[test]
fn signer_refusals() {
    let shares = keygen(3, 2);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let policy = SignPolicy::default();

    // Debug enclave: refused unless allowed.
    let (_, init) = Initiator::start(&shares[0], &unsigned(true, [1; 32]), set).unwrap();
    assert_eq!(
        review(&shares[1], &init.encode(), &policy).unwrap_err(),
        SignError::DebugRefused
    );
    let allow = SignPolicy {
        allow_debug: true,
        ..Default::default()
    };
    assert!(review(&shares[1], &init.encode(), &allow).unwrap().debug);

    // Expected MRENCLAVE.
    let (_, init) = Initiator::start(&shares[0], &unsigned(false, [1; 32]), set).unwrap();
    let expect = SignPolicy {
        expect_mrenclave: Some([2; 32]),
        ..Default::default()
    };
    assert!(matches!(
        review(&shares[1], &init.encode(), &expect),
        Err(SignError::UnexpectedMrenclave { .. })
    ));

    // Regions that do not match the claimed MRENCLAVE.
    let Message::SignInit(mut forged) = init.clone() else {
        unreachable!()
    };
    forged.mrenclave = [9; 32];
    assert!(matches!(
        review(
            &shares[1],
            &resign(Message::SignInit(forged.clone()), &shares[0]).encode(),
            &policy
        ),
        Err(SignError::MrenclaveMismatch { .. })
    ));

    // A foreign key.
    forged.mrenclave = [1; 32];
    forged.mrsigner = [7; 32];
    assert!(matches!(
        review(
            &shares[1],
            &resign(Message::SignInit(forged.clone()), &shares[0]).encode(),
            &policy
        ),
        Err(SignError::ForeignKey { .. })
    ));

    // Regions that oesign would never make (attributes changed).
    let Message::SignInit(mut odd) = init.clone() else {
        unreachable!()
    };
    odd.regions[128 + 28] = 0x07;
    assert!(matches!(
        review(
            &shares[1],
            &resign(Message::SignInit(odd), &shares[0]).encode(),
            &policy
        ),
        Err(SignError::Regions(_))
    ));

    // Party 3 is not among the signers {1,2}.
    assert_eq!(
        review(&shares[2], &init.encode(), &policy).unwrap_err(),
        SignError::NotASigner(3)
    );
}

#[test]
fn tampered_partial_is_named_and_another_subset_used() {
    let shares = keygen(3, 2);
    let s = unsigned(false, [5; 32]);
    let all = Subset::from_parties(&[1, 2, 3]).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &s, all).unwrap();
    let init = init.encode();
    let policy = SignPolicy::default();
    let p2 = review(&shares[1], &init, &policy)
        .unwrap()
        .sign(&shares[1])
        .unwrap();
    let Message::SignPartial(SignPartial {
        session,
        party,
        body: PartialBody::Subsets {
            digest,
            mut partials,
        },
        ..
    }) = p2
    else {
        unreachable!()
    };
    partials[0].1[383] ^= 1;
    // Party 2 itself sends a bad partial: it is signed with its own identity key.
    let bad = resign(
        Message::SignPartial(SignPartial {
            session,
            party,
            body: PartialBody::Subsets { digest, partials },
            signature: None,
        }),
        &shares[1],
    )
    .encode();
    match ini.accept(&bad).unwrap() {
        Progress::Accepted { party: 2, failed } => {
            assert_eq!(failed, vec![Subset::from_parties(&[1, 2]).unwrap()]);
            assert!(ini
                .describe_failure(failed[0])
                .contains("party 2 sent a bad partial"));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(ini.suspects(), vec![2]);
    // A replay of the same party is refused; party 3 completes the signature.
    assert_eq!(ini.accept(&bad).unwrap_err(), SignError::Duplicate(2));
    let p3 = review(&shares[2], &init, &policy)
        .unwrap()
        .sign(&shares[2])
        .unwrap()
        .encode();
    assert!(matches!(
        ini.accept(&p3).unwrap(),
        Progress::Complete { .. }
    ));
}

#[test]
fn all_subsets_failing_names_the_suspects() {
    let shares = keygen(3, 2);
    let set = Subset::from_parties(&[1, 2]).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &unsigned(false, [5; 32]), set).unwrap();
    let p2 = review(&shares[1], &init.encode(), &SignPolicy::default())
        .unwrap()
        .sign(&shares[1])
        .unwrap();
    let Message::SignPartial(mut p) = p2 else {
        unreachable!()
    };
    let PartialBody::Subsets { partials, .. } = &mut p.body else {
        unreachable!()
    };
    partials[0].1[100] ^= 0x40;
    match ini.accept(&resign(Message::SignPartial(p), &shares[1]).encode()) {
        Err(SignError::NoValidSubset { suspects, .. }) => assert_eq!(suspects, "2"),
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn messages_from_other_sessions_and_declines() {
    let shares = keygen(3, 2);
    let s = unsigned(false, [5; 32]);
    let all = Subset::from_parties(&[1, 2, 3]).unwrap();
    let (mut old, old_init) = Initiator::start(&shares[0], &s, all).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &s, all).unwrap();
    let policy = SignPolicy::default();
    // A partial for the earlier ceremony is refused as another session's.
    let stale = review(&shares[1], &old_init.encode(), &policy)
        .unwrap()
        .sign(&shares[1])
        .unwrap()
        .encode();
    assert!(matches!(
        ini.accept(&stale),
        Err(SignError::Message(MessageError::OtherSession { .. }))
    ));
    assert!(matches!(
        old.accept(&stale).unwrap(),
        Progress::Complete { .. }
    ));
    // Our own SIGN-INIT pasted back is the wrong type.
    assert!(matches!(
        ini.accept(&init.encode()),
        Err(SignError::Message(MessageError::WrongType {
            got: MessageType::SignInit,
            ..
        }))
    ));
    // Party 2 declines; party 3 still completes with subset {1,3}.
    let r2 = review(&shares[1], &init.encode(), &policy).unwrap();
    let abort = r2
        .decline(&shares[1], "MRENCLAVE is not the one we reviewed")
        .encode();
    assert!(matches!(
        ini.accept(&abort).unwrap(),
        Progress::Declined { party: 2, .. }
    ));
    assert_eq!(ini.waiting_for(), vec![3]);
    let p3 = review(&shares[2], &init.encode(), &policy)
        .unwrap()
        .sign(&shares[2])
        .unwrap()
        .encode();
    assert!(matches!(
        ini.accept(&p3).unwrap(),
        Progress::Complete { .. }
    ));
}

#[test]
fn finalize_for_someone_else_is_refused() {
    let scheme = Scheme::new(2, 2).unwrap();
    let (mut dealer, init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
    let (j, join) = Joiner::join(&init.encode()).unwrap();
    let (outsider, _) = Joiner::join(&init.encode()).unwrap();
    dealer.accept_join(&join.encode()).unwrap();
    let fin = dealer.deal(test_key()).unwrap().finalize;
    assert_eq!(
        outsider.finish(&fin.encode()).unwrap_err(),
        KeygenError::NotInRoster
    );
    assert!(j.finish(&fin.encode()).is_ok());
}

/// Signs `msg` again with the share's identity key (what a party that holds its
/// key, honest or not, can do).
pub(super) fn resign(mut msg: Message, share: &KeyShare) -> Message {
    msg.sign(&share.auth().unwrap().identity);
    msg
}

/// The safe-prime fixture key `tests/fixtures/keys/safe{index}.pem`.
fn safe_key(index: u8) -> crate::threshold::shoup3::SafePrimeKey {
    let pem = std::fs::read(format!(
        "{}/tests/fixtures/keys/safe{index}.pem",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    crate::threshold::shoup3::SafePrimeKey::from_pem(&pem).unwrap()
}

/// A whole `shoup3` keygen in memory, with the fixture safe-prime key `safe{index}`;
/// joiners open their own views when `views` is set, else the whole FINALIZE.
pub(crate) fn keygen_shoup3(index: u8, n: u8, t: u8, views: bool) -> Vec<KeyShare> {
    use crate::protocol::SCHEME_SHOUP3;
    use crate::threshold::shoup3::deal_seeded;
    let scheme = Scheme::new(n, t).unwrap();
    let key = safe_key(index);
    let public = key.public().clone();
    let (mut dealer, init) = Dealer::start(scheme, SCHEME_SHOUP3, Some(&public)).unwrap();
    let init = init.encode();
    let mut joiners = Vec::new();
    for _ in 2..=n {
        let (j, join) = Joiner::join(&init).unwrap();
        assert_eq!(j.scheme_byte(), SCHEME_SHOUP3);
        dealer.accept_join(&join.encode()).unwrap();
        joiners.push(j);
    }
    // A machine whose KEYGEN-JOIN never reached the dealer.
    let (stranger, _) = Joiner::join(&init).unwrap();
    let (keys, secrets) = deal_seeded(key, scheme, &dealer.shoup3_seed())
        .unwrap()
        .into_shares();
    let dealt = dealer.deal_shoup3(keys, secrets).unwrap();
    let fin = dealt.finalize.encode();
    assert_eq!(stranger.finish(&fin).err(), Some(KeygenError::NotInRoster));
    // A FINALIZE that lists the dealer among the joiners (the wire roster leaves the
    // dealer out): refused before anything else.
    let Ok(Message::KeygenInit(ki)) = Message::decode(&init) else {
        unreachable!()
    };
    let Message::KeygenFinalize(mut listed) = dealt.finalize.clone() else {
        unreachable!()
    };
    listed.roster[0] = crate::protocol::PartyKeys {
        x25519: ki.dealer_key,
        identity: ki.dealer_identity,
    };
    assert_eq!(
        joiners[0]
            .finish(&Message::KeygenFinalize(listed).encode())
            .err(),
        Some(KeygenError::DealerChanged)
    );
    // A verification key altered on the way: the dealer's signature no longer holds.
    let Message::KeygenFinalize(mut edited) = dealt.finalize.clone() else {
        unreachable!()
    };
    let data = edited.verification.as_mut().unwrap();
    match data.feldman.as_mut() {
        Some(f) => f.commitments[0][100] ^= 1,
        None => data.keys[0][100] ^= 1,
    }
    assert_eq!(
        joiners[0]
            .finish(&Message::KeygenFinalize(edited).encode())
            .err(),
        Some(KeygenError::ForgedFinalize)
    );
    if n > 2 {
        assert_eq!(dealt.views.len(), usize::from(n - 1));
        // A view lists neither the dealer nor its joiner; to a stranger it does not open.
        let (party, view) = &dealt.views[0];
        let Message::KeygenFinalize(f) = view else {
            unreachable!()
        };
        assert_eq!(f.roster.len(), usize::from(n - 2));
        // Issue 22's budget for one joiner's part, verification data included
        // (dealing version 2: commitments and S instead of v_1..v_n).
        let budget = match (n, t) {
            (5, 3) => Some(2000),
            (9, 5) => Some(3000),
            _ => None,
        };
        for (_, v) in &dealt.views {
            if let Some(budget) = budget {
                assert!(
                    v.encode().len() <= budget,
                    "{} > {budget}",
                    v.encode().len()
                );
            }
        }
        assert_eq!(
            stranger.finish(&view.encode()).err(),
            Some(KeygenError::ViewNotOpened(*party))
        );
    }
    let mut shares = vec![dealt.share];
    for (i, j) in joiners.iter().enumerate() {
        let party = i as u8 + 2;
        let bytes = match dealt.views.iter().find(|(p, _)| *p == party) {
            Some((_, view)) if views => view.encode(),
            _ => fin.clone(),
        };
        let joined = j.finish(&bytes).unwrap();
        assert_eq!(joined.key_code, dealt.key_code);
        assert_eq!(joined.share.party(), party);
        // Another joiner's view holds no share for this one.
        if let Some((_, other)) = dealt.views.iter().find(|(p, _)| *p != party) {
            assert!(matches!(
                j.finish(&other.encode()),
                Err(KeygenError::OtherPartysView { me, .. }) if me == party
            ));
        }
        shares.push(joined.share);
    }
    for s in &shares {
        assert_eq!(s.public(), &public);
        assert!(s.shoup3().is_some());
    }
    shares
}

#[test]
fn shoup3_dealer_refuses_a_v_not_derived_from_the_session() {
    use crate::protocol::SCHEME_SHOUP3;
    use crate::threshold::shoup3::deal;
    let scheme = Scheme::new(2, 2).unwrap();
    let key = safe_key(1);
    let public = key.public().clone();
    let (mut dealer, init) = Dealer::start(scheme, SCHEME_SHOUP3, Some(&public)).unwrap();
    let (_, join) = Joiner::join(&init.encode()).unwrap();
    dealer.accept_join(&join.encode()).unwrap();
    // A random seed, not the session's.
    let (keys, secrets) = deal(key, scheme).unwrap().into_shares();
    assert!(matches!(
        dealer.deal_shoup3(keys, secrets),
        Err(KeygenError::Threshold(_))
    ));
}

#[test]
fn shoup3_keygen_whole_finalize_and_views() {
    let shares = keygen_shoup3(1, 3, 2, false);
    assert_eq!(shares.len(), 3);
    assert_eq!(keygen_shoup3(1, 9, 5, true).len(), 9);
    let shares = keygen_shoup3(2, 5, 3, true);
    // The share file holds one share and the verification data, and reads back.
    let text = crate::share::file::serialize(&shares[2]);
    let s = std::str::from_utf8(text.expose()).unwrap();
    assert!(s.contains("\"scheme\": \"shoup3\""), "{s}");
    assert!(!s.contains("\"shares\""));
    let back = crate::share::file::parse(text.expose()).unwrap();
    assert!(back.same_share(&shares[2]));
    assert_eq!(back.key_code(), shares[2].key_code());
    assert!(!format!("{back:?}").contains(&s[s.find("\"share\": \"").unwrap() + 10..][..40]));
    // An altered share, commitment, bound or seed is refused when the file is read.
    let v: serde_json::Value = serde_json::from_str(s).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        f(&mut v);
        crate::share::file::parse(serde_json::to_string(&v).unwrap().as_bytes())
    };
    // Dealing version 2: S and the commitments instead of v_1..v_n.
    assert_eq!(v["verification"]["share_bound"], 3077);
    let other = v["verification"]["commitments"][0].clone();
    for e in [
        edit(&|v| v["verification"]["commitments"][1] = other.clone()),
        edit(&|v| v["verification"]["share_bound"] = 9000.into()),
        edit(&|v| v["verification"]["keys"] = serde_json::json!([other.clone()])),
        edit(&|v| v["verification"]["seed"] = "00".repeat(32).into()),
        edit(&|v| v["share"] = v["verification"]["commitments"][0].clone()),
    ] {
        assert!(
            matches!(e, Err(crate::share::ShareError::Shoup3(_))),
            "{e:?}"
        );
    }
    let e = edit(&|v| {
        v.as_object_mut().unwrap().remove("verification");
    });
    assert_eq!(
        e.err(),
        Some(crate::share::ShareError::MissingField("verification"))
    );
}

#[test]
fn shoup3_signing_any_t_of_the_invited_with_bad_partials_named_and_ignored() {
    let shares = keygen_shoup3(3, 5, 3, false);
    let public = shares[0].public().clone();
    let mut s = unsigned(false, [0xab; 32]);
    // Party 1 invites 1, 2, 3, 4, 5 (more than t = 3).
    let set = Subset::from_parties(&[1, 2, 3, 4, 5]).unwrap();
    let (mut ini, init) = Initiator::start(&shares[0], &s, set).unwrap();
    let init = init.encode();
    let policy = SignPolicy::default();
    let partial = |p: usize, init: &[u8]| {
        let r = review(&shares[p - 1], init, &policy).unwrap();
        assert!(r.subsets.is_empty());
        r.sign(&shares[p - 1]).unwrap()
    };
    // Party 2: a tampered value, re-signed with its own identity key: named, ignored.
    let Message::SignPartial(mut p2) = partial(2, &init) else {
        unreachable!()
    };
    let PartialBody::Shoup3(bytes) = &mut p2.body else {
        unreachable!()
    };
    bytes[100] ^= 1;
    match ini.accept(&resign(Message::SignPartial(p2), &shares[1]).encode()) {
        Err(SignError::BadPartial { party: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(ini.suspects(), vec![2]);
    ini.check_still_possible().unwrap();
    // Party 3: a valid partial for another SIGSTRUCT (other MRENCLAVE): named, ignored.
    let other = unsigned(false, [0xcd; 32]);
    let (_, other_init) = Initiator::start(&shares[0], &other, set).unwrap();
    let Message::SignPartial(mut p3) = partial(3, &other_init.encode()) else {
        unreachable!()
    };
    p3.session = ini.session();
    match ini.accept(&resign(Message::SignPartial(p3), &shares[2]).encode()) {
        Err(SignError::BadPartial { party: 3, reason }) => {
            assert!(reason.contains("proof"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
    // Parties 4 and 5 answer genuinely: with the initiator's own, t = 3 valid.
    assert!(matches!(
        ini.accept(&partial(4, &init).encode()).unwrap(),
        Progress::Accepted { party: 4, .. }
    ));
    ini.check_still_possible().unwrap();
    match ini.accept(&partial(5, &init).encode()).unwrap() {
        Progress::Complete { signature, subset } => {
            assert_eq!(subset, Subset::from_parties(&[1, 4, 5]).unwrap());
            s.set_signature(&public, &signature);
            s.verify(Some(&public)).unwrap();
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn shoup3_signing_ends_when_t_valid_partials_cannot_come() {
    let shares = keygen_shoup3(3, 3, 3, false);
    let s = unsigned(false, [0xab; 32]);
    let set = Subset::from_parties(&[1, 2, 3]).unwrap();
    let (mut ini, _) = Initiator::start(&shares[0], &s, set).unwrap();
    let abort = crate::ceremony::sign::decline(&shares[2], ini.session(), "no");
    ini.accept(&abort.encode()).unwrap();
    assert!(matches!(
        ini.check_still_possible(),
        Err(SignError::NotEnoughPartials {
            valid: 1,
            need: 3,
            ..
        })
    ));
    // A subsets share does not review a shoup3 request.
    let subsets = keygen(3, 3);
    let (_, init) = Initiator::start(&shares[0], &s, set).unwrap();
    assert!(matches!(
        review(&subsets[1], &init.encode(), &SignPolicy::default()),
        Err(SignError::BadSignature { .. } | SignError::SchemeMismatch { .. })
    ));
}

#[test]
fn shares_from_before_the_dealer_nonce_still_load_and_the_nonce_is_checked() {
    use super::transcript::Transcript;
    use crate::share::file;
    let shares = keygen(2, 2);
    let auth = shares[1].auth().unwrap();
    let nonce = auth.nonce.expect("a new keygen has a nonce");
    let json: serde_json::Value =
        serde_json::from_slice(file::serialize(&shares[1]).expose()).unwrap();
    assert_eq!(json["keygen"]["nonce"], hex::encode(nonce));
    // A file as written before the nonce: no `nonce`, and the transcript without it.
    let old = Transcript {
        scheme: SCHEME_SUBSETS,
        parties: 2,
        threshold: 2,
        session: auth.session,
        roster: auth.roster.clone(),
        modulus: shares[1].public().modulus_be(),
        verification: None,
        nonce: None,
    };
    let mut v = json.clone();
    v["keygen"].as_object_mut().unwrap().remove("nonce");
    v["keygen"]["transcript"] = hex::encode(old.hash()).into();
    let loaded = file::parse(&serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(loaded.auth().unwrap().nonce, None);
    assert_ne!(loaded.key_code(), shares[1].key_code());
    // Its audit record and public roster check without a nonce; a new one's with it.
    use crate::audit::{build::keygen_event, roster};
    let old_ev = keygen_event(&loaded, false).unwrap();
    assert!(old_ev.nonce.is_none());
    assert_eq!(roster::check_keygen(&old_ev).unwrap(), old.hash());
    let mut new_ev = keygen_event(&shares[1], false).unwrap();
    assert_eq!(roster::check_keygen(&new_ev).unwrap(), auth.transcript);
    new_ev.nonce = None;
    assert!(roster::check_keygen(&new_ev).is_err());
    // It writes back as it was (no nonce member).
    let again: serde_json::Value =
        serde_json::from_slice(file::serialize(&loaded).expose()).unwrap();
    assert!(again["keygen"].get("nonce").is_none());
    // An edited nonce, or one removed from a new file, no longer matches its transcript.
    let mut v = json.clone();
    v["keygen"]["nonce"] = hex::encode([7u8; 32]).into();
    assert!(file::parse(&serde_json::to_vec(&v).unwrap()).is_err());
    let mut v = json;
    v["keygen"].as_object_mut().unwrap().remove("nonce");
    assert!(file::parse(&serde_json::to_vec(&v).unwrap()).is_err());
}

#[test]
fn every_finalize_and_view_carries_the_one_nonce_drawn_after_the_joins() {
    use crate::protocol::SCHEME_SHOUP3;
    use crate::threshold::shoup3::deal_seeded;
    let nonce_of = |m: &Message| match m {
        Message::KeygenFinalize(f) => f.nonce,
        _ => unreachable!(),
    };
    let scheme = Scheme::new(3, 2).unwrap();
    let key = safe_key(1);
    let public = key.public().clone();
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let (mut dealer, init) = Dealer::start(scheme, SCHEME_SHOUP3, Some(&public)).unwrap();
        let mut joiners = Vec::new();
        for _ in 0..2 {
            let (j, join) = Joiner::join(&init.encode()).unwrap();
            dealer.accept_join(&join.encode()).unwrap();
            joiners.push(j);
        }
        let (keys, secrets) = deal_seeded(safe_key(1), scheme, &dealer.shoup3_seed())
            .unwrap()
            .into_shares();
        let dealt = dealer.deal_shoup3(keys, secrets).unwrap();
        let nonce = nonce_of(&dealt.finalize);
        assert_eq!(dealt.views.len(), 2);
        for (party, view) in &dealt.views {
            assert_eq!(nonce_of(view), nonce, "party {party}'s view");
            let joined = joiners[usize::from(*party) - 2]
                .finish(&view.encode())
                .unwrap();
            assert_eq!(joined.share.auth().unwrap().nonce, Some(nonce));
            assert_eq!(joined.key_code, dealt.key_code);
        }
        assert_eq!(dealt.share.auth().unwrap().nonce, Some(nonce));
        nonces.push(nonce);
    }
    // Fresh per ceremony, for the same imported key and the same kind of roster.
    assert_ne!(nonces[0], nonces[1]);
    // A subsets dealing carries one too.
    let subsets = keygen(2, 2);
    assert!(subsets[1].auth().unwrap().nonce.is_some());
    assert_eq!(
        subsets[0].auth().unwrap().nonce,
        subsets[1].auth().unwrap().nonce
    );
}
