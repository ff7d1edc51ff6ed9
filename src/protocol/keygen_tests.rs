//! Frozen encodings of the keygen messages (KEYGEN-INIT, -JOIN, -FINALIZE, both
//! schemes) and the `shoup3` seed: each expected hex string is spelled out field by
//! field from the layout in `docs/protocol.md`. Changing a message's bytes means a new
//! VERSION.

use super::envelope_tests::{check, S, SESSION};
use super::*;
use crate::identity::IdentityPublic;

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
        reshare_of: None,
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
        reshare_of: None,
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

/// Wire type 22 (0x16), a reshare's KEYGEN-INIT: type 1's layout with the key's
/// MRSIGNER (flag 01), then the old roster's keygen transcript hash, then the
/// dealer's signature over all of it.
#[test]
fn keygen_init_reshare_vector() {
    let m = Message::KeygenInit(KeygenInit {
        session: SESSION,
        scheme: SCHEME_SHOUP3,
        parties: 5,
        threshold: 3,
        dealer_key: [0xd1; 32],
        dealer_identity: IdentityPublic([0xd2; 32]),
        imported_mrsigner: Some([0x33; 32]),
        reshare_of: Some([0xb7; 32]),
        signature: [0x51; 64],
    });
    let expected = format!(
        "0216{S}020503{}{}01{}{}{}",
        "d1".repeat(32),
        "d2".repeat(32),
        "33".repeat(32),
        "b7".repeat(32),
        "51".repeat(64)
    );
    check(m.clone(), &expected);
    // The same INIT without the reshare is type 1, 32 bytes shorter.
    let Message::KeygenInit(mut plain) = m else {
        unreachable!()
    };
    plain.reshare_of = None;
    assert_eq!(
        hex::encode(Message::KeygenInit(plain).encode()),
        expected
            .replacen("0216", "0201", 1)
            .replace(&"b7".repeat(32), "")
    );
    // A reshare names the key it reshares: flag 00 under type 22 is refused.
    let no_key = format!(
        "0216{S}020503{}{}00{}{}",
        "d1".repeat(32),
        "d2".repeat(32),
        "b7".repeat(32),
        "51".repeat(64)
    );
    assert_eq!(
        Message::decode(&hex::decode(no_key).unwrap()),
        Err(ProtocolError::Field {
            kind: MessageType::KeygenInit,
            field: "reshare without the key's MRSIGNER"
        })
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
            feldman: None,
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
        reshare_of: None,
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
fn keygen_finalize_feldman_vectors() {
    // Type 0a (dealing version 2): as type 09 up to the roster, then the share bound S
    // (u16, here 3077 = 0c05), C_1..C_{t−1} (t = 2: one), and each sealed share of
    // 2 + ⌈S/8⌉ + 16 = 403 bytes. No seed: it is the session's.
    let bound = 3077u16;
    let feldman = |view: Option<u8>, shares: Vec<SealedShare>| {
        let Message::KeygenFinalize(mut f) = shoup3_finalize(view, shares) else {
            unreachable!()
        };
        let v = f.verification.as_mut().unwrap();
        v.keys.clear();
        v.feldman = Some(Box::new(FeldmanPublic {
            bound,
            commitments: vec![[0x7c; 384]],
        }));
        Message::KeygenFinalize(f)
    };
    let sealed_v2 = |party: u8| SealedShare {
        party,
        nonce: [0; 12],
        ciphertext: vec![0xa0 + party; 403],
    };
    let head = format!("020a{S}020302{}{}", "c3".repeat(384), "6e".repeat(32));
    let entry = |i: u8| format!("{}{}", hex::encode([i; 32]), hex::encode([0x10 + i; 32]));
    let ct = |party: u8| hex::encode(vec![0xa0 + party; 403]);
    let data = format!("0c05{}", "7c".repeat(384));
    let sig = "53".repeat(64);
    check(
        feldman(None, vec![sealed_v2(2), sealed_v2(3)]),
        &format!(
            "{head}00{}{}{data}{}{}{sig}",
            entry(2),
            entry(3),
            ct(2),
            ct(3)
        ),
    );
    check(
        feldman(Some(3), vec![sealed_v2(3)]),
        &format!("{head}03{}{data}{}{sig}", entry(2), ct(3)),
    );
    // A share bound beyond the maximum, or below what N needs: refused.
    let bytes = feldman(Some(3), vec![sealed_v2(3)]).encode();
    let at = 18 + 3 + 384 + 32 + 1 + 64;
    for bad in [8193u16, 3069] {
        let mut b = bytes.clone();
        b[at..at + 2].copy_from_slice(&bad.to_be_bytes());
        assert_eq!(
            Message::decode(&b),
            Err(ProtocolError::Field {
                kind: MessageType::KeygenFinalize,
                field: "share bound"
            })
        );
    }
    // Type 0a is `shoup3` only.
    let mut b = bytes.clone();
    b[18] = SCHEME_SUBSETS;
    assert_eq!(
        Message::decode(&b),
        Err(ProtocolError::Field {
            kind: MessageType::KeygenFinalize,
            field: "scheme"
        })
    );
}
