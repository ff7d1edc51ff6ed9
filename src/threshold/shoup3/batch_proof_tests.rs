use super::*;
use crate::threshold::shoup3::combine::combine;
use crate::threshold::shoup3::deal::accept_all;
use crate::threshold::shoup3::deal::tests::fixture_dealing;
use crate::threshold::shoup3::partial::partial_value;

fn digests(k: usize) -> Vec<[u8; 32]> {
    (0..k).map(|j| [0x30 + j as u8; 32]).collect()
}

#[test]
fn an_honest_batch_verifies_and_each_digest_combines() {
    let shares = accept_all(fixture_dealing(3, 3, 2)).unwrap();
    let keys = shares[0].keys();
    let ds = digests(4);
    let ctx = b"session-1";
    let batches: Vec<BatchPartial> = shares[..2]
        .iter()
        .map(|s| batch_sign(s, &ds, ctx).unwrap())
        .collect();
    assert_eq!(batches[0].len(), 4);
    // The values are the ordinary partials, one per digest.
    for (j, d) in ds.iter().enumerate() {
        assert_eq!(batches[1].values[j], partial_value(&shares[1], d).unwrap());
    }
    let verified: Vec<Vec<VerifiedPartial>> = batches
        .iter()
        .map(|b| b.verify(keys, &ds, ctx).unwrap())
        .collect();
    let public = keys.public_key().unwrap();
    for (j, d) in ds.iter().enumerate() {
        let pair = [verified[0][j].clone(), verified[1][j].clone()];
        let sig = combine(keys, d, &pair).unwrap();
        assert!(public.verify_digest(d, &sig), "digest {j} signs");
    }
}

#[test]
fn one_wrong_partial_in_a_batch_of_four_is_caught_and_named() {
    let shares = accept_all(fixture_dealing(3, 3, 2)).unwrap();
    let keys = shares[0].keys();
    let n = keys.modulus();
    let ds = digests(4);
    let ctx = b"session-1";
    let b = batch_sign(&shares[2], &ds, ctx).unwrap();
    b.verify(keys, &ds, ctx).unwrap();
    let bad = Err(Shoup3Error::BadProof { party: 3 });
    for j in 0..4 {
        // Squared, or the partial for another digest in its place.
        let squared = b.with_value(j, &b.values[j] * &b.values[j] % n);
        assert_eq!(squared.verify(keys, &ds, ctx), bad, "squared x_{j}");
        let other = partial_value(&shares[2], &[0x99; 32]).unwrap();
        assert_eq!(b.with_value(j, other).verify(keys, &ds, ctx), bad);
    }
    // Two partials swapped, the digests in another order, another context, one digest
    // fewer, another digest: all refused.
    let swapped = b
        .with_value(0, b.values[1].clone())
        .with_value(1, b.values[0].clone());
    assert_eq!(swapped.verify(keys, &ds, ctx), bad);
    let mut reordered = ds.clone();
    reordered.swap(2, 3);
    assert_eq!(b.verify(keys, &reordered, ctx), bad);
    assert_eq!(b.verify(keys, &ds, b"session-2"), bad);
    assert_eq!(b.verify(keys, &ds[..3], ctx), bad);
    let mut other = ds.clone();
    other[3][0] ^= 1;
    assert_eq!(b.verify(keys, &other, ctx), bad);
}

#[test]
fn encoding_round_trips_and_refuses_hostile_counts_and_lengths() {
    let shares = accept_all(fixture_dealing(3, 3, 2)).unwrap();
    let keys = shares[0].keys();
    let ds = digests(3);
    let b = batch_sign(&shares[0], &ds, b"s").unwrap();
    let bytes = b.to_bytes();
    assert_eq!(bytes.len(), batch_partial_bytes(3));
    assert_eq!(batch_partial_bytes(8), 3 + 8 * 384 + 16 + 417);
    let back = BatchPartial::from_bytes(&bytes).unwrap();
    assert_eq!(back, b);
    back.verify(keys, &ds, b"s").unwrap();
    // A flipped bit anywhere in a value or the proof fails the proof.
    for pos in [3, 3 + 384 + 7, 3 + 2 * 384 + 383, bytes.len() - 1] {
        let mut bad = bytes.clone();
        bad[pos] ^= 1;
        let bad = BatchPartial::from_bytes(&bad).unwrap();
        assert_eq!(
            bad.verify(keys, &ds, b"s"),
            Err(Shoup3Error::BadProof { party: 1 })
        );
    }
    assert!(matches!(
        BatchPartial::from_bytes(&bytes[..bytes.len() - 1]),
        Err(Shoup3Error::Length { .. })
    ));
    for count in [0u8, 17, 255] {
        let mut hostile = bytes.clone();
        hostile[2] = count;
        assert_eq!(
            BatchPartial::from_bytes(&hostile),
            Err(Shoup3Error::Malformed("number of digests in a batch"))
        );
    }
    let mut v3 = bytes;
    v3[0] = 3;
    assert!(matches!(
        BatchPartial::from_bytes(&v3),
        Err(Shoup3Error::Version { version: 3, .. })
    ));
    assert_eq!(
        batch_sign(&shares[0], &[], b"s"),
        Err(Shoup3Error::Malformed("number of digests in a batch"))
    );
    assert!(batch_sign(&shares[0], &digests(MAX_BATCH + 1), b"s").is_err());
}

#[test]
fn a_version_2_key_from_six_parties_batches_with_z_in_its_own_width() {
    use crate::threshold::shoup3::deal::tests::fixture_dealing_version;
    // 2-of-6, dealing version 2: z outgrows 417 bytes, so the batch takes layout 2.
    let shares = accept_all(fixture_dealing_version(1, 6, 2, 2)).unwrap();
    let keys = shares[0].keys();
    assert!(keys.proof_range().z_bytes() > Z_BYTES);
    let ds = digests(3);
    let ctx = b"session-wide";
    let batches: Vec<BatchPartial> = shares[..2]
        .iter()
        .map(|s| batch_sign(s, &ds, ctx).unwrap())
        .collect();
    let public = keys.public_key().unwrap();
    let mut verified = Vec::new();
    for b in &batches {
        let bytes = b.to_bytes();
        assert_eq!(bytes[0], VERSION_WIDE);
        assert_eq!(bytes.len(), batch_encoded_len(&bytes));
        let back = BatchPartial::from_bytes(&bytes).unwrap();
        assert_eq!(&back, b);
        verified.push(back.verify(keys, &ds, ctx).unwrap());
        // Cut by one byte, or z's length claiming more than any key has: refused.
        assert!(BatchPartial::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        let mut long = bytes.clone();
        long[3..5].copy_from_slice(&u16::MAX.to_be_bytes());
        assert!(BatchPartial::from_bytes(&long).is_err());
    }
    for (j, d) in ds.iter().enumerate() {
        let pair = [verified[0][j].clone(), verified[1][j].clone()];
        let sig = combine(keys, d, &pair).unwrap();
        assert!(public.verify_digest(d, &sig), "digest {j} signs");
    }
}
