//! Frozen encodings: each expected hex string is spelled out field by field from the
//! layout in `docs/protocol.md`. Changing a message's bytes means a new VERSION.

use super::*;

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
        parties: 3,
        threshold: 2,
        dealer_key: [0xd1; 32],
        imported_mrsigner: None,
    });
    check(m, &format!("0101{S}0302{}00", "d1".repeat(32)));
    let m = Message::KeygenInit(KeygenInit {
        session: SESSION,
        parties: 5,
        threshold: 5,
        dealer_key: [0xd1; 32],
        imported_mrsigner: Some([0x33; 32]),
    });
    check(
        m,
        &format!("0101{S}0505{}01{}", "d1".repeat(32), "33".repeat(32)),
    );
}

#[test]
fn keygen_join_vector() {
    let m = Message::KeygenJoin(KeygenJoin {
        session: SESSION,
        party_key: [0x4a; 32],
    });
    check(m, &format!("0102{S}{}", "4a".repeat(32)));
}

#[test]
fn keygen_finalize_vector() {
    let m = Message::KeygenFinalize(KeygenFinalize {
        session: SESSION,
        parties: 2,
        threshold: 2,
        modulus: [0xc3; 384],
        party_keys: vec![[0x01; 32], [0x02; 32]],
        shares: vec![SealedShare {
            party: 2,
            nonce: [0x0e; 12],
            ciphertext: vec![0xaa, 0xbb, 0xcc],
        }],
    });
    // parties, threshold, modulus, 2 party keys, 1 sealed share: party 2, nonce,
    // u32 length 3, ciphertext.
    let expected = format!(
        "0103{S}0202{}{}{}0102{}00000003aabbcc",
        "c3".repeat(384),
        "01".repeat(32),
        "02".repeat(32),
        "0e".repeat(12)
    );
    check(m, &expected);
}

#[test]
fn sign_init_vector() {
    let m = Message::SignInit(SignInit {
        session: SESSION,
        initiator: 1,
        signers: 0b1011,
        parties: 4,
        threshold: 3,
        mrsigner: [0x51; 32],
        mrenclave: [0xe1; 32],
        regions: [0x77; 256],
    });
    let expected = format!(
        "0104{S}01000b0403{}{}{}",
        "51".repeat(32),
        "e1".repeat(32),
        "77".repeat(256)
    );
    check(m, &expected);
}

#[test]
fn sign_partial_vector() {
    let m = Message::SignPartial(SignPartial {
        session: SESSION,
        party: 3,
        partials: vec![(0b101, [0x99; 384]), (0b110, [0x88; 384])],
    });
    let expected = format!(
        "0105{S}0300020005{}0006{}",
        "99".repeat(384),
        "88".repeat(384)
    );
    check(m, &expected);
}

#[test]
fn abort_vector() {
    let m = Message::Abort(Abort {
        session: SESSION,
        party: 2,
        reason: "no".into(),
    });
    check(m, &format!("0106{S}02000000026e6f"));
}

#[test]
fn headers_and_fields_are_checked() {
    let join = Message::KeygenJoin(KeygenJoin {
        session: SESSION,
        party_key: [1; 32],
    })
    .encode();
    let mut v2 = join.clone();
    v2[0] = 2;
    assert_eq!(Message::decode(&v2), Err(ProtocolError::Version(2)));
    let mut unknown = join.clone();
    unknown[1] = 9;
    assert_eq!(
        Message::decode(&unknown),
        Err(ProtocolError::UnknownType(9))
    );
    assert_eq!(Message::decode(&[]), Err(ProtocolError::Truncated));
    // A SIGN-INIT whose signers leave out the initiator.
    let bad = hex::decode(format!("0104{S}0200010302{}", "00".repeat(32 + 32 + 256))).unwrap();
    assert!(matches!(
        Message::decode(&bad),
        Err(ProtocolError::Field {
            field: "signers",
            ..
        })
    ));
    // Threshold above the number of parties.
    let bad = hex::decode(format!("0101{S}0304{}00", "d1".repeat(32))).unwrap();
    assert!(matches!(
        Message::decode(&bad),
        Err(ProtocolError::Field { .. })
    ));
}
