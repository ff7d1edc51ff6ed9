//! Tests of the share file's JSON forms.

use super::*;
use crate::ceremony::tests::keygen;

fn text(share: &KeyShare) -> String {
    String::from_utf8(serialize(share).expose().to_vec()).unwrap()
}

#[test]
fn version_3_round_trip() {
    let shares = keygen(3, 2);
    for share in &shares {
        let t = text(share);
        assert!(t.contains("\"version\": 3"), "{t}");
        assert!(t.contains("\"scheme\": \"subsets\""));
        let back = parse(t.as_bytes()).unwrap();
        assert_eq!(back.party(), share.party());
        assert_eq!(back.key_code(), share.key_code());
        let (a, b) = (back.auth().unwrap(), share.auth().unwrap());
        assert_eq!(a.identity.public(), b.identity.public());
        assert_eq!(a.roster, b.roster);
        for s in share.subsets() {
            assert!(back
                .sub_share(s)
                .unwrap()
                .ct_eq(share.sub_share(s).unwrap()));
            assert_eq!(
                back.sub_share(s).unwrap().is_negative(),
                share.sub_share(s).unwrap().is_negative()
            );
        }
    }
    // Dealt modulo λ, as the reference deals: no sub-share is negative or as
    // large as N.
    let n = crate::key::bn(shares[0].public().modulus());
    for share in &shares {
        for s in share.subsets() {
            let v = share.sub_share(s).unwrap();
            assert!(!v.is_negative() && v.expose() < &n);
        }
    }
}

#[test]
fn version_3_tampering_is_refused() {
    let shares = keygen(2, 2);
    let t = text(&shares[1]);
    let v: serde_json::Value = serde_json::from_str(&t).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = v.clone();
        f(&mut v);
        parse(serde_json::to_string(&v).unwrap().as_bytes())
    };
    // Another transcript hash.
    let e = edit(&|v| v["keygen"]["transcript"] = "00".repeat(32).into()).unwrap_err();
    assert_eq!(e, ShareError::Transcript);
    // Party 1's identity key replaced: the transcript no longer matches.
    let other = IdentityKey::generate().public().to_hex();
    let e = edit(&|v| v["keygen"]["roster"][0]["identity"] = other.clone().into()).unwrap_err();
    assert_eq!(e, ShareError::Transcript);
    // Our own identity key replaced by another's secret.
    let seed = STANDARD.encode([7u8; 32]);
    let e = edit(&|v| v["identity_key"] = seed.clone().into()).unwrap_err();
    assert!(matches!(e, ShareError::Roster(_)), "{e:?}");
    // A roster of the wrong length.
    let e = edit(&|v| {
        v["keygen"]["roster"].as_array_mut().unwrap().pop();
    })
    .unwrap_err();
    assert!(matches!(e, ShareError::Roster(_)), "{e:?}");
    // Missing pieces and an unknown scheme.
    let e = edit(&|v| {
        v.as_object_mut().unwrap().remove("keygen");
    })
    .unwrap_err();
    assert_eq!(e, ShareError::MissingField("keygen"));
    let e = edit(&|v| v["scheme"] = "\u{1b}[2Jshoup9".into()).unwrap_err();
    assert_eq!(e, ShareError::UnknownScheme("\\u{001B}[2Jshoup9".into()));
    // Version 2 fields cannot carry version 3 data.
    let e = edit(&|v| v["version"] = 2.into()).unwrap_err();
    assert!(matches!(e, ShareError::UnknownField(_)), "{e:?}");
}

#[test]
fn version_2_has_no_negative_sub_shares() {
    let shares = keygen(2, 2);
    let v2 = shares[1].try_clone_for_tests().without_auth();
    let t = text(&v2);
    assert!(t.contains("\"version\": 2"));
    assert!(!t.contains("\"-"));
    assert!(parse(t.as_bytes()).unwrap().same_share(&v2));
    // A negative sub-share, as older dealings made over the integers, is written
    // with a sign that version 2 does not have.
    let subset = v2.subsets().next().unwrap();
    let mut negative = v2.sub_share(subset).unwrap().try_clone();
    negative.negate();
    let old = KeyShare::new(
        2,
        v2.scheme(),
        v2.public().clone(),
        BTreeMap::from([(subset, negative)]),
    )
    .unwrap();
    let t = text(&old);
    assert!(t.contains("\"-"));
    assert!(matches!(
        parse(t.as_bytes()),
        Err(ShareError::SubShareEncoding { .. })
    ));
}
