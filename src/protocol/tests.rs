//! Frozen encodings: each expected hex string is spelled out field by field from the
//! layout in `docs/protocol.md`. Changing a message's bytes means a new VERSION.

use super::*;
use crate::identity::{IdentityKey, IdentityPublic};
use crate::threshold::shoup3::PARTIAL_BYTES as SHOUP3_PARTIAL;

const SESSION: SessionId = SessionId([0x5e; 16]);
const S: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

fn check(msg: Message, expected_hex: &str) {
    let bytes = msg.encode();
    assert_eq!(hex::encode(&bytes), expected_hex, "{}", msg.kind());
    assert_eq!(Message::decode(&bytes).unwrap(), msg);
    // One more byte is an unknown field; one less is a truncation.
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        Message::decode(&longer),
        Err(ProtocolError::TrailingBytes(msg.kind()))
    );
    assert_eq!(
        Message::decode(&bytes[..bytes.len() - 1]),
        Err(ProtocolError::Truncated)
    );
}

#[test]
fn keygen_init_vector() {
    let m = Message::KeygenInit(KeygenInit {
        session: SESSION,
        scheme: SCHEME_SUBSETS,
        parties: 3,
        threshold: 2,
        dealer_key: [0xd1; 32],
        dealer_identity: IdentityPublic([0xd2; 32]),
        imported_mrsigner: None,
        signature: [0x51; 64],
    });
    check(
        m,
        &format!(
            "0201{S}010302{}{}00{}",
            "d1".repeat(32),
            "d2".repeat(32),
            "51".repeat(64)
        ),
    );
    let m = Message::KeygenInit(KeygenInit {
        session: SESSION,
        scheme: SCHEME_SUBSETS,
        parties: 5,
        threshold: 5,
        dealer_key: [0xd1; 32],
        dealer_identity: IdentityPublic([0xd2; 32]),
        imported_mrsigner: Some([0x33; 32]),
        signature: [0x51; 64],
    });
    check(
        m,
        &format!(
            "0201{S}010505{}{}01{}{}",
            "d1".repeat(32),
            "d2".repeat(32),
            "33".repeat(32),
            "51".repeat(64)
        ),
    );
}

#[test]
fn keygen_join_vector() {
    let m = Message::KeygenJoin(KeygenJoin {
        session: SESSION,
        party_key: [0x4a; 32],
        identity: IdentityPublic([0x4b; 32]),
        signature: [0x52; 64],
    });
    check(
        m,
        &format!(
            "0202{S}{}{}{}",
            "4a".repeat(32),
            "4b".repeat(32),
            "52".repeat(64)
        ),
    );
}

#[test]
fn keygen_finalize_vector() {
    let m = Message::KeygenFinalize(KeygenFinalize {
        session: SESSION,
        scheme: SCHEME_SUBSETS,
        parties: 2,
        threshold: 2,
        modulus: [0xc3; 384],
        nonce: [0x6e; 32],
        view: None,
        roster: vec![
            PartyKeys {
                x25519: [0x01; 32],
                identity: IdentityPublic([0x11; 32]),
            },
            PartyKeys {
                x25519: [0x02; 32],
                identity: IdentityPublic([0x12; 32]),
            },
        ],
        verification: None,
        shares: vec![SealedShare {
            party: 2,
            nonce: [0x0e; 12],
            ciphertext: vec![0xaa, 0xbb, 0xcc],
        }],
        signature: [0x53; 64],
    });
    // Type 09: scheme, parties, threshold, modulus, the dealer's nonce, 2 roster
    // entries (X25519, identity), 1 sealed share: party 2, nonce, u32 length 3,
    // ciphertext; the dealer's signature.
    let expected = format!(
        "0209{S}010202{}{}{}{}{}{}0102{}00000003aabbcc{}",
        "c3".repeat(384),
        "6e".repeat(32),
        "01".repeat(32),
        "11".repeat(32),
        "02".repeat(32),
        "12".repeat(32),
        "0e".repeat(12),
        "53".repeat(64)
    );
    check(m, &expected);
    // Type 03, the FINALIZE from before the nonce: refused with its own line.
    let mut old = hex::decode(&expected).unwrap();
    old[1] = 3;
    assert_eq!(
        Message::decode(&old),
        Err(ProtocolError::FinalizeWithoutNonce)
    );
}

#[test]
fn sign_init_vector() {
    let mut init = SignInit {
        session: SESSION,
        scheme: SCHEME_SUBSETS,
        initiator: 1,
        signers: 0b1011,
        parties: 4,
        threshold: 3,
        mrsigner: [0x51; 32],
        mrenclave: [0xe1; 32],
        regions: [0x77; 256],
        signature: None,
    };
    let body = format!(
        "0204{S}01000b0403{}{}{}",
        "51".repeat(32),
        "e1".repeat(32),
        "77".repeat(256)
    );
    check(Message::SignInit(init.clone()), &format!("{body}00"));
    init.signature = Some([0x54; 64]);
    check(
        Message::SignInit(init),
        &format!("{body}01{}", "54".repeat(64)),
    );
}

#[test]
fn sign_partial_vector() {
    // Type 08, scheme 01: party, the digest signed, then the partials.
    let m = Message::SignPartial(SignPartial {
        session: SESSION,
        party: 3,
        body: PartialBody::Subsets {
            digest: [0xd1; 32],
            partials: vec![(0b101, [0x99; 384]), (0b110, [0x88; 384])],
        },
        signature: Some([0x55; 64]),
    });
    let expected = format!(
        "0208{S}0103{}00020005{}0006{}01{}",
        "d1".repeat(32),
        "99".repeat(384),
        "88".repeat(384),
        "55".repeat(64)
    );
    check(m, &expected);
    // A schemed SIGN-INIT of `subsets` is still refused (it has type 04).
    let mut init = hex::decode(format!("0207{S}01")).unwrap();
    init.resize(400, 0);
    assert!(matches!(
        Message::decode(&init),
        Err(ProtocolError::Field {
            field: "scheme",
            ..
        })
    ));
}

/// The SIGN-PARTIAL of the previous version (type 05, no digest) is still read,
/// from old audit logs, and encodes back to the same bytes.
#[test]
fn unbound_sign_partial_vector() {
    let m = Message::SignPartial(SignPartial {
        session: SESSION,
        party: 3,
        body: PartialBody::SubsetsUnbound(vec![(0b101, [0x99; 384]), (0b110, [0x88; 384])]),
        signature: Some([0x55; 64]),
    });
    let expected = format!(
        "0205{S}0300020005{}0006{}01{}",
        "99".repeat(384),
        "88".repeat(384),
        "55".repeat(64)
    );
    check(m, &expected);
}

fn roster3() -> Vec<PartyKeys> {
    (1u8..=3)
        .map(|i| PartyKeys {
            x25519: [i; 32],
            identity: IdentityPublic([0x10 + i; 32]),
        })
        .collect()
}

/// SHA-256("mpcegosign/v2/shoup3 seed" ‖ 00 ‖ 5e × 16), computed with Python's hashlib.
const SEED_5E: &str = "5486a7da98bc7e4d13a8d699c986cb56902736830299f8235ecec300f234acc3";

fn shoup3_finalize(view: Option<u8>, shares: Vec<SealedShare>) -> Message {
    Message::KeygenFinalize(KeygenFinalize {
        session: SESSION,
        scheme: SCHEME_SHOUP3,
        parties: 3,
        threshold: 2,
        modulus: [0xc3; 384],
        nonce: [0x6e; 32],
        view,
        roster: KeygenFinalize::wire_roster(SCHEME_SHOUP3, &roster3(), view),
        verification: Some(Shoup3Public {
            seed: hex::decode(SEED_5E).unwrap().try_into().unwrap(),
            keys: vec![[0x71; 384], [0x72; 384], [0x73; 384]],
        }),
        shares,
        signature: [0x53; 64],
    })
}

fn sealed(party: u8) -> SealedShare {
    SealedShare {
        party,
        nonce: [0; 12],
        ciphertext: vec![0xa0 + party; SHOUP3_SEALED_BYTES],
    }
}

#[test]
fn keygen_init_shoup3_vector() {
    let m = Message::KeygenInit(KeygenInit {
        session: SESSION,
        scheme: SCHEME_SHOUP3,
        parties: 9,
        threshold: 5,
        dealer_key: [0xd1; 32],
        dealer_identity: IdentityPublic([0xd2; 32]),
        imported_mrsigner: None,
        signature: [0x51; 64],
    });
    check(
        m,
        &format!(
            "0201{S}020905{}{}00{}",
            "d1".repeat(32),
            "d2".repeat(32),
            "51".repeat(64)
        ),
    );
}

#[test]
fn shoup3_seed_vector() {
    assert_eq!(hex::encode(shoup3_seed(&SESSION)), SEED_5E);
}

#[test]
fn keygen_finalize_shoup3_vectors() {
    // Type 09: scheme 2, parties, threshold, modulus, the dealer's nonce, then the
    // view byte, the roster without the dealer (and without the view's joiner),
    // v_1..v_3, the sealed shares (402 bytes each, no party, nonce or length), the
    // signature. No seed: it is the session's.
    let head = format!("0209{S}020302{}{}", "c3".repeat(384), "6e".repeat(32));
    let keys = format!(
        "{}{}{}",
        "71".repeat(384),
        "72".repeat(384),
        "73".repeat(384)
    );
    let entry = |i: u8| format!("{}{}", hex::encode([i; 32]), hex::encode([0x10 + i; 32]));
    let ct = |party: u8| hex::encode(vec![0xa0 + party; 402]);
    let sig = "53".repeat(64);
    // Every joiner's share.
    check(
        shoup3_finalize(None, vec![sealed(2), sealed(3)]),
        &format!(
            "{head}00{}{}{keys}{}{}{sig}",
            entry(2),
            entry(3),
            ct(2),
            ct(3)
        ),
    );
    // Joiner 3's own view: without its roster entry, only its sealed share.
    check(
        shoup3_finalize(Some(3), vec![sealed(3)]),
        &format!("{head}03{}{keys}{}{sig}", entry(2), ct(3)),
    );
    check(
        shoup3_finalize(Some(2), vec![sealed(2)]),
        &format!("{head}02{}{keys}{}{sig}", entry(3), ct(2)),
    );
    // The view puts the roster back together around the joiner's own keys.
    let Message::KeygenFinalize(view) = shoup3_finalize(Some(2), vec![sealed(2)]) else {
        unreachable!()
    };
    let all = roster3();
    assert_eq!(view.full_roster(all[0], all[1]), all);
    assert_eq!(view.roster_party(0), 3);
    // A view for the dealer (party 1) or a party beyond n: refused.
    let bytes = shoup3_finalize(Some(3), vec![sealed(3)]).encode();
    for bad_view in [1u8, 4, 0xff] {
        let mut b = bytes.clone();
        b[18 + 3 + 384 + 32] = bad_view;
        assert_eq!(
            Message::decode(&b),
            Err(ProtocolError::Field {
                kind: MessageType::KeygenFinalize,
                field: "view"
            })
        );
    }
    // The whole message with one share short, or a view with two: refused.
    for (view, shares) in [
        (None, vec![sealed(2)]),
        (Some(3), vec![sealed(2), sealed(3)]),
    ] {
        let bytes = shoup3_finalize(view, shares).encode();
        assert!(Message::decode(&bytes).is_err());
    }
    // A subsets FINALIZE has no single-joiner view.
    let Message::KeygenFinalize(mut subsets) = shoup3_finalize(None, vec![sealed(3)]) else {
        unreachable!()
    };
    subsets.scheme = SCHEME_SUBSETS;
    subsets.verification = None;
    subsets.roster = roster3();
    assert!(matches!(
        Message::decode(&Message::KeygenFinalize(subsets).encode()),
        Err(ProtocolError::Field {
            field: "number of sealed shares",
            ..
        })
    ));
}

#[test]
fn sign_init_shoup3_vector() {
    let init = SignInit {
        session: SESSION,
        scheme: SCHEME_SHOUP3,
        initiator: 1,
        signers: 0b1_1111_1000_0001,
        parties: 13,
        threshold: 7,
        mrsigner: [0x51; 32],
        mrenclave: [0xe1; 32],
        regions: [0x77; 256],
        signature: Some([0x54; 64]),
    };
    // Type 7: a SIGN-INIT with a scheme byte after the session.
    check(
        Message::SignInit(init),
        &format!(
            "0207{S}0201{}0d07{}{}{}01{}",
            "1f81",
            "51".repeat(32),
            "e1".repeat(32),
            "77".repeat(256),
            "54".repeat(64)
        ),
    );
}

#[test]
fn sign_partial_shoup3_vector() {
    let mut value = vec![0x01, 0x03];
    value.extend_from_slice(&[0x66; SHOUP3_PARTIAL - 2]);
    let m = Message::SignPartial(SignPartial {
        session: SESSION,
        party: 3,
        body: PartialBody::Shoup3(value.clone()),
        signature: Some([0x55; 64]),
    });
    // Type 8: scheme byte, party, the partial with its proof (819 bytes), signature.
    let expected = format!(
        "0208{S}02030103{}01{}",
        "66".repeat(SHOUP3_PARTIAL - 2),
        "55".repeat(64)
    );
    check(m.clone(), &expected);
    let bytes = m.encode();
    assert_eq!(bytes.len(), 18 + 2 + 819 + 1 + 64);
    // The partial's own party byte must be the message's.
    let mut other = bytes.clone();
    other[21] = 4;
    assert!(matches!(
        Message::decode(&other),
        Err(ProtocolError::Field {
            field: "party of the partial",
            ..
        })
    ));
    // With the `subsets` scheme byte it would be a `subsets` SIGN-PARTIAL, which
    // these bytes are not; an unknown scheme is refused as such.
    let mut subsets = bytes.clone();
    subsets[18] = SCHEME_SUBSETS;
    assert!(Message::decode(&subsets).is_err());
    let mut unknown = bytes;
    unknown[18] = 9;
    assert!(matches!(
        Message::decode(&unknown),
        Err(ProtocolError::Scheme { scheme: 9, .. })
    ));
}

#[test]
fn abort_vector() {
    let m = Message::Abort(Abort {
        session: SESSION,
        party: 2,
        reason: "no".into(),
        signature: None,
    });
    check(m, &format!("0206{S}02000000026e6f00"));
}

#[test]
fn signatures_cover_every_byte_before_them() {
    let key = IdentityKey::generate();
    let mut m = Message::Abort(Abort {
        session: SESSION,
        party: 2,
        reason: "no".into(),
        signature: None,
    });
    assert!(!m.is_signed_by(&key.public()));
    m.sign(&key);
    assert!(m.is_signed_by(&key.public()));
    assert!(!m.is_signed_by(&IdentityKey::generate().public()));
    let bytes = m.encode();
    // Flipping any byte before the trailer breaks the signature (or the decoding).
    for i in 0..bytes.len() - 65 {
        let mut b = bytes.clone();
        b[i] ^= 0x01;
        if let Ok(decoded) = Message::decode(&b) {
            assert!(!decoded.is_signed_by(&key.public()), "byte {i}");
        }
    }
    // The same signature on another message type or session does not verify.
    let Message::Abort(a) = &m else {
        unreachable!()
    };
    let moved = Message::Abort(Abort {
        session: SessionId([0x5f; 16]),
        ..a.clone()
    });
    assert!(!moved.is_signed_by(&key.public()));
}

#[test]
fn headers_and_fields_are_checked() {
    let join = Message::KeygenJoin(KeygenJoin {
        session: SESSION,
        party_key: [1; 32],
        identity: IdentityPublic([2; 32]),
        signature: [3; 64],
    })
    .encode();
    let mut v1 = join.clone();
    v1[0] = 1;
    assert_eq!(Message::decode(&v1), Err(ProtocolError::Version(1)));
    let mut unknown = join.clone();
    unknown[1] = 10;
    assert_eq!(
        Message::decode(&unknown),
        Err(ProtocolError::UnknownType(10))
    );
    assert_eq!(Message::decode(&[]), Err(ProtocolError::Truncated));
    // A SIGN-INIT whose signers leave out the initiator.
    let bad = hex::decode(format!("0204{S}0200010302{}00", "00".repeat(32 + 32 + 256))).unwrap();
    assert!(matches!(
        Message::decode(&bad),
        Err(ProtocolError::Field {
            field: "signers",
            ..
        })
    ));
    // Threshold above the number of parties.
    let bad = hex::decode(format!(
        "0201{S}010304{}{}00{}",
        "d1".repeat(32),
        "d2".repeat(32),
        "00".repeat(64)
    ))
    .unwrap();
    assert!(matches!(
        Message::decode(&bad),
        Err(ProtocolError::Field { .. })
    ));
    // An unknown scheme.
    let bad = hex::decode(format!(
        "0201{S}070302{}{}00{}",
        "d1".repeat(32),
        "d2".repeat(32),
        "00".repeat(64)
    ))
    .unwrap();
    assert!(matches!(
        Message::decode(&bad),
        Err(ProtocolError::Scheme { scheme: 7, .. })
    ));
    // A signature flag other than 0 or 1.
    let bad = hex::decode(format!("0206{S}02000000026e6f02")).unwrap();
    assert!(matches!(
        Message::decode(&bad),
        Err(ProtocolError::Field {
            field: "signature flag",
            ..
        })
    ));
    // A SIGN-PARTIAL claiming 65535 partials in a few bytes is refused without
    // reserving room for them.
    let bad = hex::decode(format!("0205{S}03ffff0005")).unwrap();
    assert_eq!(Message::decode(&bad), Err(ProtocolError::Truncated));
    // Longer than any message.
    assert_eq!(
        Message::decode(&vec![2u8; MAX_MESSAGE_LEN + 1]),
        Err(ProtocolError::TooLong)
    );
}

/// QR frames of a `shoup3` SIGN-PARTIAL (proof and identity signature included) at
/// the default frame size. The issue asks for at most 2; the message is 904 bytes
/// (905 without a signature flag would not change it), 907 bytes of CBOR, so 450-byte
/// fragments need 3 frames and 2 frames need fragments of at least 454 bytes.
#[test]
fn shoup3_sign_partial_frames() {
    let mut value = vec![0x01, 0x02];
    value.resize(SHOUP3_PARTIAL, 0x66);
    let bytes = Message::SignPartial(SignPartial {
        session: SESSION,
        party: 2,
        body: PartialBody::Shoup3(value),
        signature: Some([0x55; 64]),
    })
    .encode();
    assert_eq!(bytes.len(), 904);
    let frames = |size| airgap::Encoder::new(&bytes, size).unwrap().pure_parts();
    assert_eq!(frames(airgap::frames::DEFAULT_FRAGMENT), 2);
    assert_eq!(frames(454), 2);
    assert_eq!(frames(453), 3);
}
