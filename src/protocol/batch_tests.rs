//! Frozen encodings of the batch signing messages (SIGN-INIT-BATCH, SIGN-PARTIAL-BATCH
//! of both schemes), the bounds every count and length is checked against, and the
//! QR frames a `shoup3` SIGN-PARTIAL-BATCH needs. Changing a message's bytes means a
//! new VERSION.

use super::envelope_tests::{check, S, SESSION};
use super::*;
use crate::threshold::shoup3::batch_partial_bytes;

fn enclave(name: &str, fill: u8) -> BatchEnclave {
    BatchEnclave {
        name: name.into(),
        mrenclave: [fill; 32],
        regions: [fill ^ 0xff; 256],
    }
}

fn init(enclaves: Vec<BatchEnclave>) -> SignInitBatch {
    SignInitBatch {
        session: SESSION,
        scheme: SCHEME_SHOUP3,
        initiator: 1,
        signers: 0b10101,
        parties: 5,
        threshold: 3,
        mrsigner: [0x51; 32],
        enclaves,
        generation: 0,
        generation_id: [0; 32],
        signature: Some([0x54; 64]),
    }
}

/// Hex of one enclave entry: name length, name, MRENCLAVE, regions.
fn entry(name: &str, fill: u8) -> String {
    format!(
        "{:02x}{}{}{}",
        name.len(),
        hex::encode(name),
        format!("{fill:02x}").repeat(32),
        format!("{:02x}", fill ^ 0xff).repeat(256)
    )
}

#[test]
fn sign_init_batch_vector() {
    let m = init(vec![enclave("api", 0xe1), enclave("", 0xe2)]);
    // Type 0b: scheme, initiator, signers, n, t, MRSIGNER, count, entries, signature.
    let expected = format!(
        "020b{S}02010015050 3{}02{}{}01{}",
        "51".repeat(32),
        entry("api", 0xe1),
        entry("", 0xe2),
        "54".repeat(64)
    )
    .replace(' ', "");
    check(Message::SignInitBatch(m.clone()), &expected);
    let mut unsigned = m;
    unsigned.scheme = SCHEME_SUBSETS;
    unsigned.signature = None;
    let expected = format!(
        "020b{S}01010015050 3{}02{}{}00",
        "51".repeat(32),
        entry("api", 0xe1),
        entry("", 0xe2),
    )
    .replace(' ', "");
    check(Message::SignInitBatch(unsigned), &expected);
}

fn field(bytes: &[u8]) -> Option<&'static str> {
    match Message::decode(bytes) {
        Err(ProtocolError::Field { field, .. }) => Some(field),
        _ => None,
    }
}

#[test]
fn sign_init_batch_refuses_hostile_counts_names_and_signers() {
    let bytes = Message::SignInitBatch(init(vec![enclave("a", 1), enclave("b", 2)])).encode();
    // Count byte at 18 + 1 + 1 + 2 + 1 + 1 + 32 = 56.
    for count in [0u8, 1, 17, 255] {
        let mut hostile = bytes.clone();
        hostile[56] = count;
        assert_eq!(field(&hostile), Some("number of enclaves"), "count {count}");
    }
    // A count the bytes do not hold is a truncation, not an allocation.
    let mut more = bytes.clone();
    more[56] = 16;
    assert_eq!(Message::decode(&more), Err(ProtocolError::Truncated));
    let mut long_name = bytes.clone();
    long_name[57] = 65;
    assert_eq!(field(&long_name), Some("enclave name length"));
    let mut not_utf8 = bytes.clone();
    not_utf8[58] = 0xff;
    assert_eq!(field(&not_utf8), Some("enclave name"));
    let mut no_initiator = bytes.clone();
    no_initiator[21] = 0b10100;
    assert_eq!(field(&no_initiator), Some("signers"));
    let mut unknown_scheme = bytes;
    unknown_scheme[18] = 9;
    assert!(matches!(
        Message::decode(&unknown_scheme),
        Err(ProtocolError::Scheme { scheme: 9, .. })
    ));
    // A name of the largest length round-trips.
    let longest = "n".repeat(MAX_ENCLAVE_NAME);
    let m = Message::SignInitBatch(init(vec![enclave(&longest, 1), enclave("x", 2)]));
    assert_eq!(Message::decode(&m.encode()).unwrap(), m);
}

fn shoup3_batch(party: u8, k: usize) -> Vec<u8> {
    let mut value = vec![0x01, party, k as u8];
    value.resize(batch_partial_bytes(k), 0x66);
    value
}

#[test]
fn sign_partial_batch_shoup3_vector() {
    let m = Message::SignPartialBatch(SignPartialBatch {
        session: SESSION,
        party: 3,
        body: BatchBody::Shoup3(shoup3_batch(3, 2)),
        signature: Some([0x55; 64]),
    });
    // Type 0c: scheme, party, count, then the batch (version, party, count, x_1, x_2,
    // c, z: 1 + 1 + 1 + 2·384 + 16 + 417 bytes).
    let expected = format!(
        "020c{S}020302010302{}01{}",
        "66".repeat(2 * 384 + 16 + 417),
        "55".repeat(64)
    );
    check(m.clone(), &expected);
    let bytes = m.encode();
    let mut other_party = bytes.clone();
    other_party[22] = 4;
    assert_eq!(field(&other_party), Some("party of the partials"));
    let mut other_count = bytes.clone();
    other_count[23] = 3;
    assert_eq!(field(&other_count), Some("number of partials"));
    for count in [0u8, 1, 17, 200] {
        let mut hostile = bytes.clone();
        hostile[20] = count;
        assert_eq!(field(&hostile), Some("number of enclaves"), "count {count}");
    }
    let mut claims_more = bytes;
    claims_more[20] = 16;
    claims_more[23] = 16;
    assert_eq!(Message::decode(&claims_more), Err(ProtocolError::Truncated));
}

#[test]
fn sign_partial_batch_subsets_vector() {
    let m = Message::SignPartialBatch(SignPartialBatch {
        session: SESSION,
        party: 2,
        body: BatchBody::Subsets(vec![
            ([0xd1; 32], vec![(0b101, [0x99; 384])]),
            ([0xd2; 32], vec![(0b101, [0x88; 384]), (0b110, [0x77; 384])]),
        ]),
        signature: None,
    });
    // Type 0c: scheme 01, party, count, then per enclave digest and the partials as
    // a single `subsets` SIGN-PARTIAL lists them.
    let expected = format!(
        "020c{S}010202{}00010005{}{}00020005{}0006{}00",
        "d1".repeat(32),
        "99".repeat(384),
        "d2".repeat(32),
        "88".repeat(384),
        "77".repeat(384)
    );
    check(m.clone(), &expected);
    let bytes = m.encode();
    // An enclave with no partial is refused.
    let mut none = bytes;
    none[21 + 32] = 0;
    none[21 + 33] = 0;
    assert_eq!(field(&none), Some("number of partials"));
}

/// Bytes and QR frames (default frame size) of a signed `shoup3` SIGN-PARTIAL-BATCH:
/// the target is at most 8 frames for 8 enclaves.
#[test]
fn shoup3_sign_partial_batch_frames() {
    let size = |k: usize| {
        let bytes = Message::SignPartialBatch(SignPartialBatch {
            session: SESSION,
            party: 2,
            body: BatchBody::Shoup3(shoup3_batch(2, k)),
            signature: Some([0x55; 64]),
        })
        .encode();
        let frames = airgap::Encoder::new(&bytes, airgap::frames::DEFAULT_FRAGMENT)
            .unwrap()
            .pure_parts();
        (bytes.len(), frames)
    };
    assert_eq!(size(8).0, 18 + 3 + batch_partial_bytes(8) + 1 + 64);
    assert!(size(8).1 <= 8, "8 enclaves: {:?}", size(8));
    assert_eq!(size(8).1, 8);
    assert_eq!(size(16).0, 18 + 3 + 3 + 16 * 384 + 16 + 417 + 65);
}

/// Type 15: a SIGN-INIT-BATCH of a refreshed key: the scheme byte, the generation
/// (u32) and its id, then the fields of type 11 after its scheme byte.
#[test]
fn sign_init_batch_generation_vector() {
    let mut m = init(vec![enclave("api", 0xe1), enclave("", 0xe2)]);
    m.generation = 1;
    m.generation_id = [0x6b; 32];
    let expected = format!(
        "020f{S}02 00000001{}010015050 3{}02{}{}01{}",
        "6b".repeat(32),
        "51".repeat(32),
        entry("api", 0xe1),
        entry("", 0xe2),
        "54".repeat(64)
    )
    .replace(' ', "");
    check(Message::SignInitBatch(m.clone()), &expected);
    // Each enclave's single SIGN-INIT names the same generation.
    assert_eq!(m.single(1).unwrap().generation, 1);
    assert_eq!(m.single(1).unwrap().generation_id, [0x6b; 32]);
    // Generation 0 keeps type 11 byte for byte; under type 15 it is refused.
    m.generation = 0;
    let bytes = Message::SignInitBatch(m.clone()).encode();
    assert_eq!(&bytes[..2], &[2, 0x0b]);
    let zero = hex::decode(
        format!(
            "020f{S}02 00000000{}010015050 3{}02{}{}01{}",
            "6b".repeat(32),
            "51".repeat(32),
            entry("api", 0xe1),
            entry("", 0xe2),
            "54".repeat(64)
        )
        .replace(' ', ""),
    )
    .unwrap();
    assert_eq!(field(&zero), Some("generation"));
}
