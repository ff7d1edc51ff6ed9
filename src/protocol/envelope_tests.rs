//! Frozen encodings of the envelope: ABORT's vector, what a signature covers, and the
//! header and field checks every decoding goes through; and [`check`], the
//! round trip each family's vectors take. Each expected hex string is spelled out
//! field by field from the layout in `docs/protocol.md`. Changing a message's bytes
//! means a new VERSION.

use super::*;
use crate::identity::{IdentityKey, IdentityPublic};

pub(super) const SESSION: SessionId = SessionId([0x5e; 16]);
pub(super) const S: &str = "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";

pub(super) fn check(msg: Message, expected_hex: &str) {
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
    unknown[1] = 13;
    assert_eq!(
        Message::decode(&unknown),
        Err(ProtocolError::UnknownType(13))
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
