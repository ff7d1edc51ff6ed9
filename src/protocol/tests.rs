//! Frozen encodings: each expected hex string is spelled out field by field from the
//! layout in `docs/protocol.md`. Changing a message's bytes means a new VERSION.

use super::*;
use crate::identity::{IdentityKey, IdentityPublic};

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
        shares: vec![SealedShare {
            party: 2,
            nonce: [0x0e; 12],
            ciphertext: vec![0xaa, 0xbb, 0xcc],
        }],
        signature: [0x53; 64],
    });
    // scheme, parties, threshold, modulus, 2 roster entries (X25519, identity), 1
    // sealed share: party 2, nonce, u32 length 3, ciphertext; the dealer's signature.
    let expected = format!(
        "0203{S}010202{}{}{}{}{}0102{}00000003aabbcc{}",
        "c3".repeat(384),
        "01".repeat(32),
        "11".repeat(32),
        "02".repeat(32),
        "12".repeat(32),
        "0e".repeat(12),
        "53".repeat(64)
    );
    check(m, &expected);
}

#[test]
fn sign_init_vector() {
    let mut init = SignInit {
        session: SESSION,
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
    let m = Message::SignPartial(SignPartial {
        session: SESSION,
        party: 3,
        partials: vec![(0b101, [0x99; 384]), (0b110, [0x88; 384])],
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
    unknown[1] = 9;
    assert_eq!(
        Message::decode(&unknown),
        Err(ProtocolError::UnknownType(9))
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
