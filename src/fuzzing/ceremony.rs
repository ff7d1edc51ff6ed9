//! The signing ceremony's targets: the signer's review of a SIGN-INIT and the
//! initiator's handling of SIGN-PARTIAL and ABORT messages.
//!
//! Both need shares. They are made once, from the checked-in fixture key
//! `tests/fixtures/keys/key1.pem`, as a 2-of-3 sharing with a deliberately cheap
//! layout: the lower member of each subset holds 0, and the other one d. Party 1's
//! partial signatures are then 1, which OpenSSL's exponentiation returns at once, so
//! `Initiator::start` (party 1) and `Review::sign` (party 1) are cheap enough to run
//! for every input,
//! while a genuine SIGN-PARTIAL from party 2 or 3 (made once, for the seeds) still
//! combines into a valid signature. Such a sharing hides nothing: it is for fuzzing
//! only.
//!
//! Every party has a fixed identity key and the shares a roster (file version 3), so
//! messages are checked for their signatures; a flag bit runs the same input with
//! shares of the reference's format (no roster) instead.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use openssl::bn::BigNum;

use super::{flags, frames};
use crate::ceremony::sign::{review, Initiator, Progress, SignPolicy};
use crate::ceremony::transcript::Transcript;
use crate::identity::IdentityKey;
use crate::key::PrivateKey;
use crate::protocol::{Message, MessageType, PartyKeys, SessionId, SCHEME_SUBSETS, SESSION_LEN};
use crate::secret::SecretBn;
use crate::sgx::sigstruct::SigstructFields;
use crate::sgx::{Date, Sigstruct};
use crate::share::KeyShare;
use crate::share::ShareAuth;
use crate::threshold::{Scheme, Subset};

/// The fixture key (it protects nothing).
const KEY_PEM: &[u8] = include_bytes!("../../tests/fixtures/keys/key1.pem");
/// The MRENCLAVE of the fixture's unsigned SIGSTRUCT.
pub const MRENCLAVE: [u8; 32] = [0x5e; 32];

/// Shares of the fixture key and the SIGSTRUCT being signed.
pub struct Fixture {
    /// Parties 1, 2 and 3 of a 2-of-3 sharing (index 0 is party 1), version 3.
    pub shares: Vec<KeyShare>,
    /// The same shares without roster or identity key (the reference's format).
    pub plain: Vec<KeyShare>,
    pub unsigned: Sigstruct,
}

/// The fixture, made on first use.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| match make_fixture() {
        Ok(f) => f,
        Err(e) => panic!("the fuzzing fixture cannot be made: {e}"),
    })
}

fn make_fixture() -> Result<Fixture, String> {
    let shares = make_shares()?;
    let roster: Vec<PartyKeys> = (1u8..=3)
        .map(|i| PartyKeys {
            x25519: [i; 32],
            identity: IdentityKey::from_seed(&[i; 32]).public(),
        })
        .collect();
    let session = SessionId([7; SESSION_LEN]);
    let transcript = Transcript {
        scheme: SCHEME_SUBSETS,
        parties: 3,
        threshold: 2,
        session,
        roster: roster.clone(),
        modulus: shares[0].public().modulus_be(),
        verification: None,
        nonce: None,
    }
    .hash();
    let with_auth = make_shares()?
        .into_iter()
        .zip(1u8..)
        .map(|(s, i)| {
            s.with_auth(ShareAuth {
                identity: IdentityKey::from_seed(&[i; 32]),
                roster: roster.clone(),
                session,
                transcript,
                nonce: None,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(Fixture {
        shares: with_auth,
        plain: shares,
        unsigned: Sigstruct::build(&SigstructFields {
            date: Date {
                year: 2026,
                month: 11,
                day: 25,
            },
            debug: false,
            mrenclave: MRENCLAVE,
            isv_prod_id: 1,
            isv_svn: 2,
        }),
    })
}

fn make_shares() -> Result<Vec<KeyShare>, String> {
    let key = PrivateKey::from_pem(KEY_PEM).map_err(|e| e.to_string())?;
    let scheme = Scheme::new(3, 2).map_err(|e| e.to_string())?;
    let zero = || BigNum::new().map(SecretBn::new);
    let d = || key.d().expose().to_owned().map(SecretBn::new);
    let mut subs: Vec<BTreeMap<Subset, SecretBn>> = (0..3).map(|_| BTreeMap::new()).collect();
    for subset in scheme.subsets() {
        let parties = subset.parties();
        // The cheap member: party 1 if present, else the lower party.
        let cheap = parties[0];
        for p in parties {
            let v = if p == cheap { zero() } else { d() };
            subs[usize::from(p - 1)].insert(subset, v.map_err(|e| e.to_string())?);
        }
    }
    subs.into_iter()
        .zip(1u8..)
        .map(|(s, party)| KeyShare::new(party, scheme, key.public().clone(), s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())
}

/// Policy flags of the `sign_review` input's first byte.
pub const REVIEW_ALLOW_DEBUG: u8 = 1;
pub const REVIEW_EXPECT_MRENCLAVE: u8 = 2;
/// Review with party 1's reference-format share (no roster).
pub const REVIEW_REFERENCE_SHARE: u8 = 4;
/// Accept an unsigned SIGN-INIT.
pub const REVIEW_ACCEPT_UNSIGNED: u8 = 8;

/// `ceremony::sign::review` by party 1 of a SIGN-INIT (the input after its first
/// byte, whose bits choose the policy). An accepted review is signed, and the
/// SIGN-PARTIAL must carry exactly the reviewed subsets; a decline must encode.
pub fn sign_review(data: &[u8]) -> bool {
    let (f, msg) = flags(data);
    let fx = fixture();
    let share = if f & REVIEW_REFERENCE_SHARE != 0 {
        &fx.plain[0]
    } else {
        &fx.shares[0]
    };
    let policy = SignPolicy {
        allow_debug: f & REVIEW_ALLOW_DEBUG != 0,
        expect_mrenclave: (f & REVIEW_EXPECT_MRENCLAVE != 0).then_some(MRENCLAVE),
        accept_unsigned: f & REVIEW_ACCEPT_UNSIGNED != 0,
    };
    let Ok(r) = review(share, msg, &policy) else {
        return false;
    };
    assert!(
        r.signers.contains(share.party()),
        "reviewed without being a signer"
    );
    assert_ne!(r.initiator, share.party(), "reviewed its own SIGN-INIT");
    assert!(
        !r.debug || policy.allow_debug,
        "a debug enclave passed review"
    );
    assert_eq!(
        r.mrsigner,
        share.public().mrsigner(),
        "foreign key passed review"
    );
    if let Some(m) = policy.expect_mrenclave {
        assert_eq!(r.mrenclave, m, "unexpected MRENCLAVE passed review");
    }
    let decline = r.decline(share, "fuzz \u{1b}[2K reason");
    assert_eq!(Message::decode(&decline.encode()).ok(), Some(decline));
    let subsets = r.subsets.clone();
    let session = r.session;
    let reviewed = r.digest;
    match r.sign(share) {
        Ok(Message::SignPartial(p)) => {
            assert_eq!(p.session, session);
            assert_eq!(p.party, share.party());
            let crate::protocol::PartialBody::Subsets { digest, partials } = &p.body else {
                panic!("a subsets share signed a partial of another kind")
            };
            assert_eq!(*digest, reviewed, "the partial names another digest");
            let got: Vec<Subset> = partials
                .iter()
                .map(|(s, _)| Subset::from_bits(*s))
                .collect();
            assert_eq!(got, subsets, "signed other subsets than reviewed");
        }
        Ok(other) => panic!("signing produced a {} message", other.kind()),
        Err(e) => panic!("signing a reviewed SIGN-INIT failed: {e}"),
    }
    true
}

/// Flag of the `sign_accept` input's first byte: keep each message's session as it
/// is (by default it is replaced with the initiator's, so that inputs reach past the
/// session check).
pub const ACCEPT_KEEP_SESSION: u8 = 1;
/// Run the initiator with party 1's reference-format share (no roster): every
/// candidate is kept and combined.
pub const ACCEPT_REFERENCE_SHARE: u8 = 2;
/// Sign each message again with the fixture identity key of the party it names
/// (after the session is replaced), so that mutated contents get past the signature
/// check and reach the logic behind it.
pub const ACCEPT_RESIGN: u8 = 4;

/// `Initiator::accept`: party 1 starts a ceremony among parties 1–3, then accepts
/// every framed message of the input (see [`super::frames`]). Returns whether it
/// completed with a signature, which must verify.
pub fn sign_accept(data: &[u8]) -> bool {
    let (f, rest) = flags(data);
    let fx = fixture();
    let share = if f & ACCEPT_REFERENCE_SHARE != 0 {
        &fx.plain[0]
    } else {
        &fx.shares[0]
    };
    let signers = Subset::from_bits(0b111);
    let (mut ini, _init) = match Initiator::start(share, &fx.unsigned, signers) {
        Ok(x) => x,
        Err(e) => panic!("the fixture cannot start a ceremony: {e}"),
    };
    let session = ini.session();
    let expensive = super::one_in(data, super::RARE * 4);
    for frame in frames(rest) {
        // A partial from another signer may complete a subset, and combining verifies
        // the signature (slow under instrumentation): only on rare inputs.
        if !expensive && from_other_signer(frame, share.party()) {
            continue;
        }
        let mut msg = frame.to_vec();
        if f & ACCEPT_KEEP_SESSION == 0 && msg.len() >= 2 + SESSION_LEN {
            msg[2..2 + SESSION_LEN].copy_from_slice(&session.0);
        }
        if f & ACCEPT_RESIGN != 0 {
            if let Ok(mut m) = Message::decode(&msg) {
                let party = match &m {
                    Message::SignPartial(p) => p.party,
                    Message::Abort(a) => a.party,
                    _ => 0,
                };
                if (1..=3).contains(&party) {
                    m.sign(&IdentityKey::from_seed(&[party; 32]));
                    msg = m.encode();
                }
            }
        }
        match ini.accept(&msg) {
            Ok(Progress::Complete { signature, subset }) => {
                assert!(
                    share
                        .public()
                        .verify_digest(&fx.unsigned.digest(), &signature),
                    "a completed signature does not verify"
                );
                assert!(subset.contains(share.party()) && subset.is_within(signers));
                return true;
            }
            Ok(Progress::Accepted { party, failed }) => {
                assert!(signers.contains(party) && party != share.party());
                for s in failed {
                    let _ = ini.describe_failure(s);
                }
            }
            Ok(Progress::Declined { party, .. }) => {
                assert!(signers.contains(party) && party != share.party());
                let _ = ini.check_still_possible();
            }
            Ok(Progress::Stuck { .. }) => {
                assert!(!ini.authenticates(), "an authenticated initiator got stuck");
            }
            Err(_) => {}
        }
        let waiting = ini.waiting_for();
        assert!(waiting
            .iter()
            .all(|p| signers.contains(*p) && *p != share.party()));
        let _ = ini.suspects();
    }
    false
}

/// Whether `frame` is a SIGN-PARTIAL from a party other than `own`: wire type 5
/// (party after the session) or 8 (party after the scheme byte).
fn from_other_signer(frame: &[u8], own: u8) -> bool {
    let party_at = match frame.get(1) {
        Some(t) if *t == MessageType::SignPartial as u8 => 2 + SESSION_LEN,
        Some(8) => 3 + SESSION_LEN,
        _ => return false,
    };
    frame.get(party_at).is_some_and(|p| *p != own)
}

/// Seeds for the ceremony targets, as (target, name, bytes). Costs a few RSA
/// operations (the genuine partials of parties 2 and 3).
pub fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let fx = fixture();
    let mut out = Vec::new();
    let all = Subset::from_bits(0b111);
    // SIGN-INITs for party 1 to review, from initiators 2 and 3, plain and debug.
    for (initiator, debug) in [(2u8, false), (3, false), (2, true)] {
        let s = if debug {
            Sigstruct::build(&SigstructFields {
                date: Date {
                    year: 2026,
                    month: 2,
                    day: 29,
                },
                debug: true,
                mrenclave: [7; 32],
                isv_prod_id: 65535,
                isv_svn: 0,
            })
        } else {
            fx.unsigned.clone()
        };
        let share = &fx.shares[usize::from(initiator - 1)];
        if let Ok((_, init)) = Initiator::start(share, &s, all) {
            let flag = if debug {
                REVIEW_ALLOW_DEBUG
            } else {
                REVIEW_EXPECT_MRENCLAVE
            };
            let mut input = vec![flag];
            input.extend(init.encode());
            out.push((
                "sign_review",
                format!("init-from-{initiator}-debug-{debug}"),
                input,
            ));
        }
    }
    // Party 1's SIGN-INIT, answered by parties 2 and 3 (genuine partials), and an
    // ABORT from party 3.
    if let Ok((_, init)) = Initiator::start(&fx.shares[0], &fx.unsigned, all) {
        let init = init.encode();
        let mut partials = Vec::new();
        for p in [2u8, 3] {
            let share = &fx.shares[usize::from(p - 1)];
            if let Ok(r) = review(share, &init, &SignPolicy::default()) {
                let abort = r.decline(share, "not today").encode();
                if let Ok(m) = r.sign(share) {
                    partials.push((m.encode(), abort));
                }
            }
        }
        if let [(p2, _), (p3, a3)] = &partials[..] {
            out.push((
                "sign_accept",
                "partial-2".into(),
                [&[ACCEPT_RESIGN][..], &super::frame(&[p2])].concat(),
            ));
            out.push((
                "sign_accept",
                "abort-3-partial-2".into(),
                [&[ACCEPT_RESIGN][..], &super::frame(&[a3, p2])].concat(),
            ));
            out.push((
                "sign_accept",
                "partial-3-then-2".into(),
                [&[ACCEPT_REFERENCE_SHARE][..], &super::frame(&[p3, p2])].concat(),
            ));
            out.push((
                "sign_accept",
                "partial-2-twice".into(),
                [&[ACCEPT_RESIGN][..], &super::frame(&[p2, p2, a3])].concat(),
            ));
        }
    }
    out
}
