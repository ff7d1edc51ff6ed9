//! Generations and the retired state: the API's checks, the share file's two optional
//! fields (absent: the file is byte for byte what it was), and the in-place rewrite.

use super::*;
use crate::ceremony::tests::keygen;
use crate::secret::SecretString;
use crate::share::encrypted;
use crate::share::file::{parse, serialize};
use crate::share::rewrite::{retire_in_place, rewrite_in_place, RewriteError};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

fn text(share: &KeyShare) -> String {
    String::from_utf8(serialize(share).expose().to_vec()).unwrap()
}

/// The scheme share of `share`, copied (the "refreshed" secret of these tests: the
/// same secret, which `next_generation` accepts as any other of the same key).
fn same_secret(share: &KeyShare) -> SchemeShare {
    let KeyShare { secret, .. } = share.try_clone_for_tests();
    secret
}

fn session(b: u8) -> SessionId {
    SessionId([b; 16])
}

#[test]
fn existing_files_read_and_write_unchanged() {
    for name in [
        "shoup3/v1-share-1.json",
        "shoup3/v1-share-2.json",
        "shares/valid-v2.json",
    ] {
        let bytes = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
        let share = parse(&bytes).unwrap();
        assert_eq!(share.generation().number, 0, "{name}");
        assert_eq!(share.retired(), None, "{name}");
        let out = serialize(&share);
        assert_eq!(out.expose(), &bytes[..], "{name} is written back unchanged");
        assert!(!text(&share).contains("generation") && !text(&share).contains("retired"));
    }
    // A reference-format share has no transcript: generation 0, id all zero.
    let v2 = parse(&std::fs::read(format!("{FIXTURES}/shares/valid-v2.json")).unwrap()).unwrap();
    assert_eq!(
        v2.generation(),
        Generation {
            number: 0,
            id: [0; 32]
        }
    );
}

#[test]
fn next_generation_keeps_the_key_and_counts() {
    let shares = keygen(3, 2);
    let old = &shares[1];
    let g0 = old.generation();
    assert_eq!(g0.number, 0);
    assert_eq!(g0.id, old.auth().unwrap().transcript);
    let g1 = old
        .next_generation(same_secret(old), session(0x11), [0xa1; 32])
        .unwrap();
    assert_eq!(
        g1.generation(),
        Generation {
            number: 1,
            id: [0xa1; 32]
        }
    );
    assert_eq!(g1.refreshed().unwrap().session, session(0x11));
    assert_eq!(g1.public(), old.public());
    assert_eq!(g1.key_code(), old.key_code());
    assert_eq!(g1.auth().unwrap().roster, old.auth().unwrap().roster);
    assert_eq!(g1.retired(), None);
    let g2 = g1
        .next_generation(same_secret(&g1), session(0x22), [0xa2; 32])
        .unwrap();
    assert_eq!(g2.generation().number, 2);
    assert_eq!(
        g2.generation().describe(),
        "generation 2 of the key (refresh a2a2a2a2)"
    );
    // Written and read back: the generation is kept, and only it was added.
    let t = text(&g2);
    assert!(t.contains("\"generation\": {\n    \"number\": 2,"), "{t}");
    assert!(t.contains(&format!("\"refresh_session\": \"{}\"", "22".repeat(16))));
    assert!(t.contains(&format!("\"refresh_transcript\": \"{}\"", "a2".repeat(32))));
    let back = parse(t.as_bytes()).unwrap();
    assert!(back.same_share(&g2));
    assert!(!back.same_share(old), "another generation is another share");
    assert_eq!(serialize(&back).expose(), serialize(&g2).expose());
}

#[test]
fn next_generation_refuses_what_does_not_fit() {
    let shares = keygen(3, 2);
    let err = |r: Result<KeyShare, ShareError>| match r {
        Err(ShareError::NextGeneration(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    };
    let (one, two) = (&shares[0], &shares[1]);
    assert!(err(one.next_generation(same_secret(two), session(1), [1; 32])).contains("party 2"));
    assert!(err(one.next_generation(same_secret(one), session(1), [0; 32])).contains("all zero"));
    // Same party and scheme, another key.
    use crate::ceremony::tests::keygen_shoup3;
    let (a, b) = (keygen_shoup3(1, 3, 2, false), keygen_shoup3(2, 3, 2, false));
    assert_ne!(a[0].public(), b[0].public());
    assert!(
        err(a[0].next_generation(same_secret(&b[0]), session(1), [1; 32]))
            .contains("another public key")
    );
    let other_scheme = keygen(3, 3);
    assert!(
        err(one.next_generation(same_secret(&other_scheme[0]), session(1), [1; 32]))
            .contains("another scheme")
    );
    let mut retired = one.try_clone_for_tests();
    retired.mark_retired([0xbb; 32]);
    assert!(
        err(retired.next_generation(same_secret(one), session(1), [1; 32]))
            .contains("retired (replaced by bbbbbbbb)")
    );
    let reference = one.try_clone_for_tests().without_auth();
    assert!(
        err(reference.next_generation(same_secret(one), session(1), [1; 32]))
            .contains("reference-format")
    );
}

#[test]
fn the_file_fields_are_strict() {
    let shares = keygen(2, 2);
    let mut share = shares[1].try_clone_for_tests();
    share.mark_retired([0xcd; 32]);
    let t = text(&share);
    assert!(t.ends_with(&format!(
        "\"retired\": {{\n    \"by\": \"{}\"\n  }}\n}}\n",
        "cd".repeat(32)
    )));
    let back = parse(t.as_bytes()).unwrap();
    assert_eq!(back.retired(), Some([0xcd; 32]));
    assert!(back.same_share(&share));
    let g1 = shares[1]
        .next_generation(same_secret(&shares[1]), session(3), [0x33; 32])
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&text(&g1)).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        f(&mut v);
        parse(serde_json::to_string(&v).unwrap().as_bytes())
    };
    assert!(edit(&|_| {}).is_ok());
    assert!(matches!(
        edit(&|v| v["generation"]["number"] = 0.into()),
        Err(ShareError::Generation(_))
    ));
    assert!(matches!(
        edit(&|v| v["generation"]["number"] = (-1).into()),
        Err(ShareError::FieldType { .. })
    ));
    assert!(matches!(
        edit(&|v| v["generation"]["number"] = 4294967296u64.into()),
        Err(ShareError::FieldType { .. })
    ));
    assert!(matches!(
        edit(&|v| v["generation"]["refresh_transcript"] = "00".repeat(32).into()),
        Err(ShareError::Generation(_))
    ));
    assert_eq!(
        edit(&|v| v["generation"]["refresh_session"] = "ab".into()).unwrap_err(),
        ShareError::Hex("generation.refresh_session")
    );
    assert_eq!(
        edit(&|v| v["generation"]["extra"] = 1.into()).unwrap_err(),
        ShareError::UnknownField("extra".into())
    );
    assert!(matches!(
        edit(&|v| v["retired"] = serde_json::json!({ "by": "00".repeat(32) })),
        Err(ShareError::Generation(_))
    ));
    assert_eq!(
        edit(&|v| v["retired"] = serde_json::json!({ "by": "11".repeat(32), "at": 1 }))
            .unwrap_err(),
        ShareError::UnknownField("at".into())
    );
    // The reference's formats have neither field.
    let mut v2: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{FIXTURES}/shares/valid-v2.json")).unwrap())
            .unwrap();
    v2["retired"] = serde_json::json!({ "by": "11".repeat(32) });
    assert_eq!(
        parse(serde_json::to_string(&v2).unwrap().as_bytes()).unwrap_err(),
        ShareError::UnknownField("retired".into())
    );
}

fn pass(s: &str) -> SecretString {
    SecretString::new(s.into())
}

#[test]
fn retiring_in_place_keeps_the_secret_and_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let shares = keygen(2, 2);
    let share = &shares[0];
    // An encrypted file: written back encrypted with the same passphrase.
    let path = dir.path().join("share_1.json.age");
    let sealed = encrypted::encrypt(&serialize(share), &pass("p"), Some(10)).unwrap();
    std::fs::write(&path, &sealed).unwrap();
    assert!(matches!(
        retire_in_place(&path, None, [0x77; 32], Some(10)),
        Err(RewriteError::NeedsPassphrase { .. })
    ));
    assert!(matches!(
        retire_in_place(&path, Some(&pass("p")), [0; 32], Some(10)),
        Err(RewriteError::Share(ShareError::Generation(_)))
    ));
    assert!(matches!(
        retire_in_place(&path, Some(&pass("wrong")), [0x77; 32], Some(10)),
        Err(RewriteError::AtRest(
            encrypted::AtRestError::WrongPassphrase
        ))
    ));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        sealed,
        "refusals change nothing"
    );
    let retired = retire_in_place(&path, Some(&pass("p")), [0x77; 32], Some(10)).unwrap();
    assert_eq!(retired.retired(), Some([0x77; 32]));
    let bytes = std::fs::read(&path).unwrap();
    assert!(encrypted::is_age(&bytes));
    let back = parse(encrypted::decrypt(&bytes, &pass("p")).unwrap().expose()).unwrap();
    assert_eq!(back.retired(), Some([0x77; 32]));
    assert!(back.secret().same_secret(share.secret()));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Retiring again is refused and changes nothing.
    match retire_in_place(&path, Some(&pass("p")), [0x78; 32], Some(10)) {
        Err(RewriteError::Share(ShareError::AlreadyRetired { by })) => {
            assert_eq!(by, "77".repeat(32))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    // Another share is never written over this file.
    let plain = dir.path().join("share_2.json");
    std::fs::write(&plain, serialize(&shares[1]).expose()).unwrap();
    let mut foreign = shares[0].try_clone_for_tests();
    foreign.mark_retired([1; 32]);
    assert!(matches!(
        rewrite_in_place(&plain, &foreign, None, None),
        Err(RewriteError::Changed { .. })
    ));
    assert_eq!(
        std::fs::read(&plain).unwrap(),
        serialize(&shares[1]).expose()
    );
    // A reference-format share cannot hold the mark.
    let v2 = dir.path().join("valid-v2.json");
    std::fs::copy(format!("{FIXTURES}/shares/valid-v2.json"), &v2).unwrap();
    assert!(matches!(
        retire_in_place(&v2, None, [0x79; 32], None),
        Err(RewriteError::Reference { .. })
    ));
    std::fs::remove_file(&v2).unwrap();
    // A plain file stays plain; no temporary file is left beside it.
    retire_in_place(&plain, None, [0x79; 32], None).unwrap();
    let back = parse(&std::fs::read(&plain).unwrap()).unwrap();
    assert_eq!(back.retired(), Some([0x79; 32]));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// A refresh replaces a `shoup3` share's verification data, which the keygen
/// transcript covers: a refreshed share still reads back (another dealing of the same
/// key stands in for the refresh's new secret and verification data), while a dealt
/// share with that data is refused as altered.
#[test]
fn a_refreshed_shoup3_share_with_new_verification_data_reads_back() {
    use crate::ceremony::tests::keygen_shoup3;
    let first = keygen_shoup3(1, 3, 2, false);
    let second = keygen_shoup3(1, 3, 2, false);
    assert_eq!(first[1].public(), second[1].public());
    assert_ne!(
        first[1].shoup3().unwrap().keys(),
        second[1].shoup3().unwrap().keys()
    );
    let g1 = first[1]
        .next_generation(same_secret(&second[1]), session(7), [0x77; 32])
        .unwrap();
    let back = parse(text(&g1).as_bytes()).unwrap();
    assert!(back.same_share(&g1));
    assert_eq!(back.generation().number, 1);
    assert_eq!(back.key_code(), first[1].key_code());
    // Without the generation field, the same file is a dealt share whose transcript
    // does not match its verification data: refused.
    let mut v: serde_json::Value = serde_json::from_str(&text(&g1)).unwrap();
    v.as_object_mut().unwrap().remove("generation");
    assert_eq!(
        parse(serde_json::to_string(&v).unwrap().as_bytes()).unwrap_err(),
        ShareError::Transcript
    );
}
