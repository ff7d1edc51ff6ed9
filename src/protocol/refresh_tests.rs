//! Frozen vectors of REFRESH-INIT, -JOIN, -DEAL (whole and one recipient's view) and
//! -CONFIRM, and of the INIT hash: each expected hex string is spelled out field by
//! field from the layout in `docs/protocol.md` (the hash computed independently in
//! Python). Then the malformed forms each decoder refuses.

use super::envelope_tests::{check, S, SESSION};
use super::*;

fn init() -> RefreshInit {
    RefreshInit {
        session: SESSION,
        scheme: SCHEME_SHOUP3,
        parties: 5,
        threshold: 3,
        coordinator: 2,
        mrsigner: [0xa1; 32],
        roster_transcript: [0xb2; 32],
        generation: 1,
        generation_id: [0xc3; 32],
        signature: [0x51; 64],
    }
}

fn deal() -> RefreshDeal {
    RefreshDeal {
        session: SESSION,
        party: 2,
        setup: [0x3c; 32],
        public: vec![0x4d; 5],
        view: None,
        parts: vec![
            SealedShare {
                party: 1,
                nonce: [0; 12],
                ciphertext: vec![0xe1; 17],
            },
            SealedShare {
                party: 3,
                nonce: [0; 12],
                ciphertext: vec![0xe3; 18],
            },
        ],
        signature: [0x53; 64],
    }
}

const INIT_BODY: &str = "02050302";

#[test]
fn refresh_init_vector() {
    check(
        Message::RefreshInit(init()),
        &format!(
            "0212{S}{INIT_BODY}{}{}00000001{}{}",
            "a1".repeat(32),
            "b2".repeat(32),
            "c3".repeat(32),
            "51".repeat(64)
        ),
    );
    assert_eq!(MessageType::RefreshInit.name(), "REFRESH-INIT");
}

#[test]
fn refresh_init_hash_is_frozen_and_leaves_the_signature_out() {
    // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/refresh init\0"
    //   + bytes([0x5e]*16) + bytes([2,5,3,2]) + bytes([0xa1]*32) + bytes([0xb2]*32)
    //   + (1).to_bytes(4,"big") + bytes([0xc3]*32)).hexdigest())'
    assert_eq!(
        hex::encode(init().hash()),
        "8b05a2fe724aebd0325fd257bf753310d95e2bab53333d8f5339b8e31aa03e41"
    );
    let mut resigned = init();
    resigned.signature[0] ^= 1;
    assert_eq!(resigned.hash(), init().hash());
    let mut other = init();
    other.generation = 2;
    assert_ne!(other.hash(), init().hash());
    let mut other = init();
    other.generation_id[31] ^= 1;
    assert_ne!(other.hash(), init().hash());
}

#[test]
fn refresh_join_vector() {
    let m = Message::RefreshJoin(RefreshJoin {
        session: SESSION,
        party: 4,
        init_hash: [0x1a; 32],
        key: [0x2b; 32],
        signature: [0x52; 64],
    });
    check(
        m,
        &format!(
            "0213{S}04{}{}{}",
            "1a".repeat(32),
            "2b".repeat(32),
            "52".repeat(64)
        ),
    );
}

#[test]
fn refresh_deal_vectors_whole_and_view() {
    check(
        Message::RefreshDeal(deal()),
        &format!(
            "0214{S}0200{}000000054d4d4d4d4d020100000011{}0300000012{}{}",
            "3c".repeat(32),
            "e1".repeat(17),
            "e3".repeat(18),
            "53".repeat(64)
        ),
    );
    // Party 3's view: the same public part, its part alone (no count, no recipient
    // byte: the view byte names it).
    let mut view = deal().view_for(3).unwrap();
    assert_eq!(view.signature, [0; 64]);
    view.signature = [0x53; 64];
    check(
        Message::RefreshDeal(view.clone()),
        &format!(
            "0214{S}0203{}000000054d4d4d4d4d00000012{}{}",
            "3c".repeat(32),
            "e3".repeat(18),
            "53".repeat(64)
        ),
    );
    assert_eq!(view.part_for(3).map(|p| p.ciphertext.len()), Some(18));
    assert!(view.part_for(1).is_none());
    assert!(deal().view_for(4).is_none());
    assert!(deal().view_for(2).is_none());
}

#[test]
fn refresh_confirm_vector() {
    let m = Message::RefreshConfirm(RefreshConfirm {
        session: SESSION,
        party: 5,
        key_code: [0x6e; 32],
        signature: [0x54; 64],
    });
    check(
        m,
        &format!("0215{S}05{}{}", "6e".repeat(32), "54".repeat(64)),
    );
}

fn field(bytes: &[u8]) -> &'static str {
    match Message::decode(bytes) {
        Err(ProtocolError::Field { field, .. }) => field,
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_inits_and_joins_are_refused() {
    let good = Message::RefreshInit(init()).encode();
    // Threshold above parties; coordinator 0 or beyond n; an unknown scheme.
    let mut b = good.clone();
    b[20] = 6;
    assert_eq!(field(&b), "parties/threshold");
    let mut b = good.clone();
    b[21] = 0;
    assert_eq!(field(&b), "party");
    let mut b = good.clone();
    b[21] = 6;
    assert_eq!(field(&b), "party");
    let mut b = good.clone();
    b[18] = 7;
    assert!(matches!(
        Message::decode(&b),
        Err(ProtocolError::Scheme { scheme: 7, .. })
    ));
    // A JOIN from party 17.
    let mut join = Message::RefreshJoin(RefreshJoin {
        session: SESSION,
        party: 4,
        init_hash: [0; 32],
        key: [0; 32],
        signature: [0; 64],
    })
    .encode();
    join[18] = 17;
    assert_eq!(field(&join), "party");
}

#[test]
fn malformed_deals_are_refused_before_anything_is_allocated() {
    let good = Message::RefreshDeal(deal()).encode();
    let public_len_at = 18 + 1 + 1 + 32;
    let count_at = public_len_at + 4 + 5;
    // A view naming its own sender, or a party beyond 16.
    let mut b = good.clone();
    b[19] = 2;
    assert_eq!(field(&b), "view");
    let mut b = good.clone();
    b[19] = 17;
    assert_eq!(field(&b), "view");
    // An empty public part; one claiming 4 GiB in a few bytes (truncated, nothing
    // reserved for it).
    let mut b = good.clone();
    b[public_len_at..public_len_at + 4].copy_from_slice(&0u32.to_be_bytes());
    assert!(Message::decode(&b).is_err());
    let mut b = good.clone();
    b[public_len_at..public_len_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(Message::decode(&b), Err(ProtocolError::Truncated));
    // No parts; 16 parts (at most n − 1 = 15); parts out of order or to the sender.
    let mut b = good.clone();
    b[count_at] = 0;
    assert_eq!(field(&b), "number of sealed parts");
    let mut b = good.clone();
    b[count_at] = 16;
    assert_eq!(field(&b), "number of sealed parts");
    let mut swapped = deal();
    swapped.parts.swap(0, 1);
    assert_eq!(
        field(&Message::RefreshDeal(swapped).encode()),
        "sealed part order"
    );
    let mut to_self = deal();
    to_self.parts[1].party = 2;
    assert_eq!(
        field(&Message::RefreshDeal(to_self).encode()),
        "sealed part order"
    );
    // A sealed part no longer than its tag, a huge one, a huge public part.
    let mut short = deal();
    short.parts[0].ciphertext = vec![0; 16];
    assert_eq!(
        field(&Message::RefreshDeal(short).encode()),
        "sealed part length"
    );
    let mut huge = deal();
    huge.parts[0].ciphertext = vec![0; MAX_REFRESH_PART_LEN + 1];
    assert_eq!(
        field(&Message::RefreshDeal(huge).encode()),
        "sealed part length"
    );
    let mut b = good.clone();
    b[count_at + 2..count_at + 6].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(Message::decode(&b), Err(ProtocolError::Truncated));
}

#[test]
fn signatures_cover_the_refresh_bodies() {
    let key = crate::identity::IdentityKey::generate();
    for mut m in [
        Message::RefreshInit(init()),
        Message::RefreshDeal(deal()),
        Message::RefreshDeal(deal().view_for(1).unwrap()),
    ] {
        m.sign(&key);
        assert!(m.is_signed_by(&key.public()));
        let bytes = m.encode();
        let decoded = Message::decode(&bytes).unwrap();
        assert!(decoded.is_signed_by(&key.public()));
        let mut b = bytes.clone();
        b[30] ^= 1;
        if let Ok(d) = Message::decode(&b) {
            assert!(!d.is_signed_by(&key.public()));
        }
    }
}
