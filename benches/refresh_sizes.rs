//! `cargo bench --bench refresh_sizes`: what a refresh costs on the wire and what it
//! does to signing, measured by running the real refresh math
//! (`SchemeShare::refresh_contribution` / `apply_refresh`, every party) and the real
//! signing flow (SIGN-INIT → review → SIGN-PARTIAL), then the real encoders; nothing
//! here is a formula. Keys: the fixtures (`safe1.pem` for shoup3, `key1.pem` for
//! subsets).
//!
//! Per scheme and t-of-n, at the first and at the tenth refresh: one contribution's
//! public part and the largest secret part a party sends to another (bytes, before
//! sealing); then the shoup3 share bound S and the largest
//! SIGN-PARTIAL (t invited) fresh, after 1 and after 10 refreshes, in bytes and QR
//! frames (pure parts at the default 450-byte frame size). The SIGN-PARTIAL is
//! signed with an identity key, as a signer with a roster sends it.

use mpcegosign::ceremony::sign::{review, Initiator, SignPolicy};
use mpcegosign::identity::IdentityKey;
use mpcegosign::key::PrivateKey;
use mpcegosign::sgx::sigstruct::SigstructFields;
use mpcegosign::sgx::{Date, Sigstruct};
use mpcegosign::share::KeyShare;
use mpcegosign::threshold::shoup3::{self, SafePrimeKey};
use mpcegosign::threshold::{subsets, Scheme, SchemeShare, Subset};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture key")
}

fn frames(bytes: &[u8]) -> usize {
    airgap::Encoder::new(bytes, airgap::frames::DEFAULT_FRAGMENT)
        .expect("encoder")
        .pure_parts()
}

/// Every party's contribution, then every party's refreshed share; also the sizes of
/// the (first) public part and the largest part.
fn refresh(shares: &[SchemeShare]) -> (Vec<SchemeShare>, usize, usize) {
    let contribs: Vec<_> = shares
        .iter()
        .map(|s| s.refresh_contribution().expect("contribution"))
        .collect();
    let public = contribs[0].public.len();
    let part = contribs
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            c.parts
                .iter()
                .filter(move |(j, _)| usize::from(*j) != i + 1)
                .map(|(_, p)| p.len())
        })
        .max()
        .unwrap_or(0);
    let next = shares
        .iter()
        .map(|s| {
            let all: Vec<(u8, &[u8], &[u8])> = contribs
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let (_, p) = &c.parts[usize::from(s.party() - 1)];
                    (i as u8 + 1, c.public.as_slice(), p.expose())
                })
                .collect();
            s.apply_refresh(&all).expect("apply")
        })
        .collect();
    (next, public, part)
}

fn key_share(s: &SchemeShare) -> KeyShare {
    match s {
        SchemeShare::Shoup3(s) => {
            let keys = s.keys().clone();
            let bytes = s.secret().value_bytes();
            let secret = shoup3::SecretShare::from_value_bytes_for(
                s.party(),
                bytes.expose(),
                keys.version(),
                keys.share_bytes(),
            )
            .expect("secret");
            KeyShare::from_shoup3(shoup3::Share::accept(secret, keys).expect("accept"))
                .expect("key share")
        }
        SchemeShare::Subsets(s) => {
            let subs = s
                .subsets()
                .filter_map(|t| s.sub_share(t).map(|v| (t, v.try_clone())))
                .collect();
            KeyShare::from_subsets(
                subsets::Share::new(s.party(), s.scheme(), s.public().clone(), subs)
                    .expect("sub-shares"),
            )
        }
    }
}

/// The largest SIGN-PARTIAL a signer sends when parties 1..=t are invited by party 1,
/// signed with an identity key.
fn sign_partial(shares: &[SchemeShare]) -> Vec<u8> {
    let shares: Vec<KeyShare> = shares.iter().map(key_share).collect();
    let t = shares[0].scheme().threshold();
    let signers: Vec<u8> = (1..=t).collect();
    let unsigned = Sigstruct::build(&SigstructFields {
        date: Date {
            year: 2026,
            month: 11,
            day: 25,
        },
        debug: false,
        mrenclave: [0xab; 32],
        isv_prod_id: 1,
        isv_svn: 1,
    });
    let set = Subset::from_parties(&signers).expect("signers");
    let (_, init) = Initiator::start(&shares[0], &unsigned, set).expect("init");
    let init = init.encode();
    let identity = IdentityKey::generate();
    signers[1..]
        .iter()
        .map(|&p| {
            let share = &shares[usize::from(p - 1)];
            let mut msg = review(share, &init, &SignPolicy::default())
                .expect("review")
                .sign(share)
                .expect("sign");
            msg.sign(&identity);
            msg.encode()
        })
        .max_by_key(Vec::len)
        .unwrap_or_default()
}

fn bound(shares: &[SchemeShare]) -> String {
    shares[0]
        .as_shoup3()
        .and_then(|s| s.keys().commitments())
        .map_or("-".into(), |c| c.bound().to_string())
}

fn row(name: &str, scheme: Scheme, mut shares: Vec<SchemeShare>) {
    let fresh = sign_partial(&shares);
    let fresh_bound = bound(&shares);
    let mut contribution = Vec::new();
    let mut after = Vec::new();
    for round in 1..=10 {
        let (next, public, part) = refresh(&shares);
        shares = next;
        if round == 1 || round == 10 {
            contribution.push(format!("{public} B, {part} B"));
            let msg = sign_partial(&shares);
            after.push(format!(
                "S = {}: {} B | {}",
                bound(&shares),
                msg.len(),
                frames(&msg)
            ));
        }
    }
    println!(
        "| {name} | {}-of-{} | {} | {} | S = {fresh_bound}: {} B | {} | {} | {} |",
        scheme.threshold(),
        scheme.parties(),
        contribution[0],
        contribution[1],
        fresh.len(),
        frames(&fresh),
        after[0],
        after[1],
    );
}

fn main() {
    println!(
        "refresh sizes ({} B per QR frame), measured with the real refresh, signing and encoders",
        airgap::frames::DEFAULT_FRAGMENT
    );
    println!("| scheme | t-of-n | 1st refresh: public, part | 10th refresh: public, part | SIGN-PARTIAL fresh | frames | after 1 refresh | frames | after 10 | frames |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (n, t) in [(5u8, 3u8), (9, 5)] {
        let scheme = Scheme::new(n, t).expect("scheme");
        let key = SafePrimeKey::from_pem(&fixture("safe1.pem")).expect("safe1");
        let dealing = shoup3::deal_seeded(key, scheme, &[1; 32]).expect("deal");
        let shares = shoup3::accept_all(dealing)
            .expect("accept")
            .into_iter()
            .map(SchemeShare::Shoup3)
            .collect();
        row("shoup3", scheme, shares);
    }
    let key = PrivateKey::from_pem(&fixture("key1.pem")).expect("key1");
    let scheme = Scheme::new(5, 3).expect("scheme");
    let shares = subsets::deal(&key, scheme)
        .expect("deal")
        .into_iter()
        .map(SchemeShare::Subsets)
        .collect();
    row("subsets", scheme, shares);
}
