//! Frozen vectors of GIVE-INIT and GIVE (bytes built independently from the layout
//! in docs/protocol.md), round trips, and the malformed forms each decoder refuses.

use super::*;

fn init() -> GiveInit {
    GiveInit {
        session: SessionId([7; 16]),
        purpose: Purpose::Recover,
        receiver: 2,
        mrsigner: [0xa1; 32],
        roster_transcript: [0xb2; 32],
        receiver_key: [0xc3; 32],
        signature: [0x5e; 64],
    }
}

fn give() -> Give {
    Give {
        session: SessionId([7; 16]),
        party: 3,
        giver_key: [0xd4; 32],
        sealed: SealedShare {
            party: 3,
            nonce: [0; 12],
            ciphertext: vec![0xe5; 20],
        },
        signature: [0x6f; 64],
    }
}

// python3 -c 'print((bytes([2,16]) + bytes([7]*16) + bytes([1,0,0,2]) + bytes([0xa1]*32)
//   + bytes([0xb2]*32) + bytes([0xc3]*32) + bytes([0x5e]*64)).hex())'
const INIT_HEX: &str = "02100707070707070707070707070707070701000002a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c35e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e";
// python3 -c 'print((bytes([2,17]) + bytes([7]*16) + bytes([3]) + bytes([0xd4]*32)
//   + bytes(12) + (20).to_bytes(4,"big") + bytes([0xe5]*20) + bytes([0x6f]*64)).hex())'
const GIVE_HEX: &str = "02110707070707070707070707070707070703d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d400000000000000000000000000000014e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e56f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f6f";

#[test]
fn frozen_vectors() {
    let m = Message::GiveInit(init());
    assert_eq!(hex::encode(m.encode()), INIT_HEX);
    assert_eq!(Message::decode(&hex::decode(INIT_HEX).unwrap()).unwrap(), m);
    let g = Message::Give(give());
    assert_eq!(hex::encode(g.encode()), GIVE_HEX);
    assert_eq!(Message::decode(&hex::decode(GIVE_HEX).unwrap()).unwrap(), g);
    assert_eq!(m.kind().name(), "GIVE-INIT");
    assert_eq!(g.kind().name(), "GIVE");
}

#[test]
fn frozen_transcript_hashes() {
    // python3 -c 'import hashlib; print(hashlib.sha256(b"mpcegosign/v2/give transcript\0"
    //   + bytes([7]*16) + bytes([1,0,0,2]) + bytes([0xa1]*32) + bytes([0xb2]*32)
    //   + bytes([0xc3]*32)).hexdigest())'
    assert_eq!(
        hex::encode(init().transcript_hash()),
        "cf669f14320416beec0d1650b38fc6ac6c3a83c0bd30727cd113f1891ee62fde"
    );
    // The same for a reshare to 3-of-5 (purpose 2, n' = 5, t' = 3).
    let reshare = GiveInit {
        purpose: Purpose::Reshare {
            parties: 5,
            threshold: 3,
        },
        ..init()
    };
    assert_eq!(
        hex::encode(reshare.transcript_hash()),
        "f48b40f96a70046c9d7af893578549b74d804519ccd925adf5e48fe37db49022"
    );
}

#[test]
fn every_field_of_the_init_changes_the_transcript() {
    let base = init().transcript_hash();
    let mut variants = vec![
        GiveInit {
            session: SessionId([8; 16]),
            ..init()
        },
        GiveInit {
            receiver: 3,
            ..init()
        },
        GiveInit {
            purpose: Purpose::Reshare {
                parties: 3,
                threshold: 2,
            },
            ..init()
        },
    ];
    let mut v = init();
    v.mrsigner[31] ^= 1;
    variants.push(v);
    let mut v = init();
    v.roster_transcript[0] ^= 1;
    variants.push(v);
    let mut v = init();
    v.receiver_key[5] ^= 1;
    variants.push(v);
    for v in variants {
        assert_ne!(v.transcript_hash(), base, "{v:?}");
    }
    // The signature is not part of it.
    let mut v = init();
    v.signature[0] ^= 1;
    assert_eq!(v.transcript_hash(), base);
}

#[test]
fn malformed_forms_are_refused() {
    let good = hex::decode(INIT_HEX).unwrap();
    let field = |b: &[u8]| match Message::decode(b) {
        Err(ProtocolError::Field { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    // Unknown purpose; a recover with a new threshold; a reshare with a bad one.
    let mut b = good.clone();
    b[18] = 9;
    assert_eq!(field(&b), "purpose");
    let mut b = good.clone();
    b[19] = 3;
    assert_eq!(field(&b), "purpose");
    let mut b = good.clone();
    b[18..21].copy_from_slice(&[2, 3, 4]);
    assert_eq!(field(&b), "new threshold");
    // Receiver 0.
    let mut b = good.clone();
    b[21] = 0;
    assert_eq!(field(&b), "party");
    // Truncated and trailing bytes.
    assert_eq!(
        Message::decode(&good[..good.len() - 1]),
        Err(ProtocolError::Truncated)
    );
    let mut b = good.clone();
    b.push(0);
    assert_eq!(
        Message::decode(&b),
        Err(ProtocolError::TrailingBytes(MessageType::GiveInit))
    );
    // A GIVE whose sealed share is shorter than a tag, or claims to be huge.
    let g = hex::decode(GIVE_HEX).unwrap();
    let len_at = 2 + 16 + 1 + 32 + 12;
    let mut b = g.clone();
    b[len_at..len_at + 4].copy_from_slice(&15u32.to_be_bytes());
    assert!(Message::decode(&b).is_err());
    let mut b = g.clone();
    b[len_at..len_at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    assert_eq!(Message::decode(&b), Err(ProtocolError::Truncated));
    let mut big = give();
    big.sealed.ciphertext = vec![0; MAX_SEALED_LEN + 1];
    assert_eq!(field(&Message::Give(big).encode()), "sealed share length");
}
