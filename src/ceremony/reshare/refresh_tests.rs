//! Giving refreshed `subsets` shares (negative sub-shares, and sub-shares wider than a
//! dealing makes): the GIVEs open and a recover still rebuilds the key.

use super::*;
use crate::ceremony::tests::{keygen, test_key};
use crate::protocol::Purpose;
use crate::secret::SecretBytes;
use crate::share::{KeyShare, ShareAuth};
use crate::threshold::SchemeShare;

/// `refreshes` refreshes of every share's secret, through the scheme interface; the
/// keygen's roster and identity keys kept.
fn refreshed(mut shares: Vec<KeyShare>, refreshes: usize) -> Vec<KeyShare> {
    for _ in 0..refreshes {
        let contribs: Vec<_> = shares
            .iter()
            .map(|s| s.secret().refresh_contribution().unwrap())
            .collect();
        shares = shares
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
                let SchemeShare::Subsets(new) = s.secret().apply_refresh(&all).unwrap() else {
                    panic!("scheme changed")
                };
                let a = s.auth().unwrap();
                KeyShare::from_subsets(new)
                    .with_auth(ShareAuth {
                        identity: a.identity.try_clone(),
                        roster: a.roster.clone(),
                        session: a.session,
                        transcript: a.transcript,
                        nonce: a.nonce,
                    })
                    .unwrap()
            })
            .collect();
    }
    shares
}

#[test]
fn refreshed_subsets_shares_are_given_and_rebuild_the_key() {
    let mut shares = refreshed(keygen(3, 2), 2);
    assert!(shares.iter().any(|s| s
        .subsets()
        .any(|t| s.sub_share(t).unwrap().num_bits() > crate::threshold::MAX_SUB_SHARE_BITS)));
    let own = shares.remove(2);
    let (mut rx, init) = Receiver::start(own, Purpose::Recover).unwrap();
    let init = init.encode();
    let giver = &shares[0];
    let given = GiveRequest::review(giver, &init)
        .unwrap()
        .give(giver)
        .unwrap();
    assert_eq!(rx.accept_give(&given.give.encode()).unwrap(), 1);
    let key = rx.rebuild().unwrap();
    assert_eq!(key.public(), test_key().public());
}
