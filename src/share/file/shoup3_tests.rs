//! A refreshed share (issue 22: a larger share bound, a longer share that is a
//! multiple of j rather than of Δ) round-trips through the share file; so does a
//! refreshed `subsets` share (negative and wider sub-shares) of a version-3 file.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::{out, verification, RawVerification};
use crate::ceremony::tests::keygen;
use crate::secret::SecretBytes;
use crate::share::file::{parse, serialize};
use crate::share::{KeyShare, ShareAuth};
use crate::threshold::shoup3::{self, SafePrimeKey};
use crate::threshold::{Scheme, SchemeShare};

/// One refresh of every share, through the scheme interface.
fn refresh(shares: &[&SchemeShare]) -> Vec<SchemeShare> {
    let contribs: Vec<_> = shares
        .iter()
        .map(|s| s.refresh_contribution().unwrap())
        .collect();
    shares
        .iter()
        .map(|s| {
            let all: Vec<(u8, &[u8], &[u8])> = contribs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let part: &SecretBytes = &c.parts[usize::from(s.party() - 1)].1;
                    (i as u8 + 1, c.public.as_slice(), part.expose())
                })
                .collect();
            s.apply_refresh(&all).unwrap()
        })
        .collect()
}

#[test]
fn a_refreshed_shoup3_share_round_trips_through_the_file() {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/keys/safe1.pem"
    ))
    .unwrap();
    let key = SafePrimeKey::from_pem(&pem).unwrap();
    let scheme = Scheme::new(5, 3).unwrap();
    let shares: Vec<SchemeShare> =
        shoup3::accept_all(shoup3::deal_seeded(key, scheme, &[3; 32]).unwrap())
            .unwrap()
            .into_iter()
            .map(SchemeShare::Shoup3)
            .collect();
    let refs: Vec<&SchemeShare> = shares.iter().collect();
    let once = refresh(&refs);
    let refs: Vec<&SchemeShare> = once.iter().collect();
    for refreshed in refresh(&refs) {
        let SchemeShare::Shoup3(new) = &refreshed else {
            panic!("scheme changed")
        };
        let bound = new.keys().commitments().unwrap().bound();
        assert_eq!(bound, 3077 + 2 * 137);
        // The file's "share" and "verification" (what `serialize` writes for a
        // shoup3 share; the keygen and generation fields around them are
        // `share::file`'s), through JSON and back through the file's reader.
        let (text, raw) = out(new);
        let json = serde_json::to_string(&raw).unwrap();
        assert!(json.contains(&format!("\"share_bound\":{bound}")), "{json}");
        let raw: RawVerification = serde_json::from_str(&json).unwrap();
        let public = new.keys().public_key().unwrap();
        let keys = verification(&raw, scheme, &public).unwrap();
        assert_eq!(&keys, new.keys());
        let value = STANDARD.decode(text.0.as_bytes()).unwrap();
        assert_eq!(value.len(), usize::from(bound).div_ceil(8));
        let secret = shoup3::SecretShare::from_value_bytes_for(
            new.party(),
            &value,
            keys.version(),
            keys.share_bytes(),
        )
        .unwrap();
        let back = SchemeShare::Shoup3(shoup3::Share::accept(secret, keys).unwrap());
        assert!(back.same_secret(&refreshed));
    }
}

#[test]
fn a_refreshed_subsets_share_round_trips_through_the_file() {
    let shares = keygen(5, 3);
    let refs: Vec<&SchemeShare> = shares.iter().map(KeyShare::secret).collect();
    let mut negative = false;
    for (old, new) in shares.iter().zip(refresh(&refs)) {
        let SchemeShare::Subsets(new) = new else {
            panic!("scheme changed")
        };
        let a = old.auth().unwrap();
        let auth = ShareAuth {
            identity: a.identity.try_clone(),
            roster: a.roster.clone(),
            session: a.session,
            transcript: a.transcript,
            nonce: a.nonce,
        };
        let share = KeyShare::from_subsets(new).with_auth(auth).unwrap();
        negative |= share
            .subsets()
            .any(|s| share.sub_share(s).unwrap().is_negative());
        assert!(share
            .subsets()
            .any(|s| share.sub_share(s).unwrap().num_bits() > 3072));
        let back = parse(serialize(&share).expose()).unwrap();
        assert!(back.same_share(&share));
        assert!(!back.same_share(old));
    }
    assert!(
        negative,
        "some refreshed sub-share is negative (1 − 2^-20 likely)"
    );
}
