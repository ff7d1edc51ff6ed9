//! Issue 19: the key code could be ground on `keygen --import`. The modulus of an
//! imported key is known before the joins, and before the dealer's nonce nothing
//! fresh entered the transcript after them, so a man in the middle could vary its
//! JOIN key toward the dealer and a roster entry in the victim's view (it plays the
//! dealer there) until the two transcripts gave one key code: a birthday search,
//! about 2^(b/2) tries per side for a b-bit code (2^32 for the real 64 bits).
//!
//! This test runs that attack at b = 20 bits through the real ceremony code: it
//! first finds a genuine collision of the codes as they were before the nonce
//! (2^12 JOINs per side, ~16 collisions expected; none would fail the test), checks
//! the prediction against the real dealers' own transcripts, then lets both
//! dealings run: with the dealers' nonces in the transcripts the colliding pair no
//! longer shows matching codes. To match now, the attacker must wait for the honest
//! dealer's FINALIZE and hit the code its nonce fixed: 2^b tries, 2^64 for real.

use std::collections::HashMap;
use std::path::Path;

use mpcegosign::ceremony::keygen::{Dealer, Joiner};
use mpcegosign::ceremony::transcript::{key_code, Transcript};
use mpcegosign::key::{PrivateKey, PublicKey};
use mpcegosign::protocol::{Message, PartyKeys, SessionId, SCHEME_SUBSETS};
use mpcegosign::threshold::Scheme;

/// Bits of the key code the reduced attack must match: 20, or
/// `MPCEGOSIGN_GRIND_BITS` (even, 8..=40; e.g. 32 for the figure, which
/// grinds 2^18 JOINs per side and takes minutes).
fn bits() -> u32 {
    std::env::var("MPCEGOSIGN_GRIND_BITS")
        .ok()
        .and_then(|b| b.parse().ok())
        .filter(|b| (8..=40).contains(b) && b % 2 == 0)
        .unwrap_or(20)
}

fn key() -> PrivateKey {
    let pem =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keys/key1.pem"))
            .unwrap();
    PrivateKey::from_pem(&pem).unwrap()
}

/// The first `bits()` bits of a key code `XXXX-XXXX-XXXX-XXXX`.
fn prefix(code: &str) -> u64 {
    u64::from_str_radix(&code.replace('-', ""), 16).unwrap() >> (64 - bits())
}

fn keys_of_join(join: &Message) -> PartyKeys {
    let Message::KeygenJoin(j) = join else {
        panic!()
    };
    PartyKeys {
        x25519: j.party_key,
        identity: j.identity,
    }
}

fn dealer_keys(init: &Message) -> (SessionId, PartyKeys) {
    let Message::KeygenInit(i) = init else {
        panic!()
    };
    (
        i.session,
        PartyKeys {
            x25519: i.dealer_key,
            identity: i.dealer_identity,
        },
    )
}

/// The key code of a 2-of-3 `subsets` keygen of `public` as it was before the
/// dealer's nonce existed: everything in it is known before the FINALIZE.
fn code_without_nonce(session: SessionId, roster: Vec<PartyKeys>, public: &PublicKey) -> String {
    let t = Transcript {
        scheme: SCHEME_SUBSETS,
        parties: 3,
        threshold: 2,
        session,
        roster,
        modulus: public.modulus_be(),
        verification: None,
        nonce: None,
    };
    key_code(&t.hash(), public)
}

#[test]
fn a_key_code_ground_before_the_finalize_no_longer_matches_after_it() {
    // JOINs ground per side: 2^(b/2 + 2), so about 2^4 = 16 collisions are expected
    // (the chance of none is about e^-16).
    let tries: usize = 1 << (bits() / 2 + 2);
    let started = std::time::Instant::now();
    let key = key();
    let public = key.public().clone();
    let scheme = Scheme::new(3, 2).unwrap();
    // The honest dealer imports the key: its MRSIGNER (and modulus) is public.
    let (mut dealer, init) = Dealer::start(scheme, SCHEME_SUBSETS, Some(&public)).unwrap();
    let (session1, d_keys) = dealer_keys(&init);
    // The attacker holds both joiner slots toward the dealer; the first is fixed.
    let (_, fixed) = Joiner::join(&init.encode()).unwrap();
    dealer.accept_join(&fixed.encode()).unwrap();
    // Toward the victim the attacker plays the dealer (announcing the same key),
    // and the victim joins as party 2.
    let (mut fake, fake_init) = Dealer::start(scheme, SCHEME_SUBSETS, Some(&public)).unwrap();
    let (session2, a_keys) = dealer_keys(&fake_init);
    let (victim, v_join) = Joiner::join(&fake_init.encode()).unwrap();
    fake.accept_join(&v_join.encode()).unwrap();

    // The birthday search: real KEYGEN-JOINs on both sides.
    let mut toward_dealer = HashMap::new();
    for _ in 0..tries {
        let (_, join) = Joiner::join(&init.encode()).unwrap();
        let roster = vec![d_keys, keys_of_join(&fixed), keys_of_join(&join)];
        let code = code_without_nonce(session1, roster, &public);
        toward_dealer.insert(prefix(&code), (join, code));
    }
    let mut collision = None;
    for _ in 0..tries {
        let (_, join) = Joiner::join(&fake_init.encode()).unwrap();
        let roster = vec![a_keys, keys_of_join(&v_join), keys_of_join(&join)];
        let code = code_without_nonce(session2, roster, &public);
        if let Some((to_dealer, dealer_code)) = toward_dealer.get(&prefix(&code)) {
            collision = Some((to_dealer.clone(), dealer_code.clone(), join, code));
            break;
        }
    }
    let (to_dealer, dealer_code, to_victim, victim_code) =
        collision.expect("a birthday collision of the pre-nonce key codes");
    assert_eq!(prefix(&dealer_code), prefix(&victim_code));
    eprintln!(
        "{}-bit collision of the pre-nonce key codes ({dealer_code} / {victim_code}) with up to 2^{} JOINs per side in {:.1} s",
        bits(),
        bits() / 2 + 2,
        started.elapsed().as_secs_f64()
    );

    // The real dealers' own pre-nonce transcripts give exactly the predicted codes:
    // before the nonce, the attack succeeded.
    dealer.accept_join(&to_dealer.encode()).unwrap();
    fake.accept_join(&to_victim.encode()).unwrap();
    assert_eq!(
        dealer.key_code_without_nonce_for_tests(&public),
        dealer_code
    );
    assert_eq!(fake.key_code_without_nonce_for_tests(&public), victim_code);

    // Now the real dealings, each with its dealer's fresh nonce (the attacker's
    // dealer deals the real key here, which only helps it: the victim's share opens).
    let dealt = dealer.deal(&key).unwrap();
    let faked = fake.deal(&key).unwrap();
    let joined = victim.finish(&faked.finalize.encode()).unwrap();
    assert_eq!(joined.key_code, faked.key_code);
    assert_ne!(
        dealt.key_code, dealer_code,
        "the nonce changed the dealer's code"
    );
    // A 2^-b coincidence could still match; the collision the attacker paid for is gone.
    assert_ne!(
        prefix(&dealt.key_code),
        prefix(&joined.key_code),
        "dealer {} and victim {} still match in {} bits",
        dealt.key_code,
        joined.key_code,
        bits()
    );
}
