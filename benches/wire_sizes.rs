//! `cargo bench --bench wire_sizes`: the bytes and QR frames of each scheme's keygen
//! and signing messages and share files, measured by running the real ceremonies in
//! memory (dealer, joiners, initiator, signers) and the real encoders: nothing here is
//! a formula. Keys: the fixtures (`key1.pem` for subsets, `safe1.pem` for shoup3).
//!
//! Columns: KEYGEN-FINALIZE (binary bytes; its pasted text line), the part one joiner
//! receives over QR (shoup3: its own view; subsets: the whole FINALIZE), the largest
//! share file (plain JSON), one SIGN-PARTIAL with t invited and with all n invited, and
//! QR frames (pure parts at the default 450-byte frame size). Then batch signing: the
//! largest SIGN-PARTIAL-BATCH for 1, 4 and 8 enclaves, both schemes, 3-of-5. Then
//! refresh: the most bytes one party receives in a real in-memory refresh, and the
//! SIGN-PARTIAL after 1 and 10 refreshes.

use mpcegosign::ceremony::keygen::{Dealer, Joiner};
use mpcegosign::ceremony::refresh::run::run_in_memory;
use mpcegosign::ceremony::sign::{
    review, review_batch, BatchInitiator, BatchTarget, Initiator, SignPolicy,
};
use mpcegosign::key::PrivateKey;
use mpcegosign::protocol::{text, Message, SCHEME_SHOUP3, SCHEME_SUBSETS};
use mpcegosign::sgx::sigstruct::SigstructFields;
use mpcegosign::sgx::{Date, Sigstruct};
use mpcegosign::share::{file, KeyShare};
use mpcegosign::threshold::shoup3::{self, SafePrimeKey};
use mpcegosign::threshold::{Scheme, Subset};

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

struct Keygen {
    finalize: Vec<u8>,
    per_joiner: Vec<u8>,
    shares: Vec<KeyShare>,
}

fn keygen(scheme: Scheme, kind: u8) -> Keygen {
    let n = scheme.parties();
    let imported = match kind {
        SCHEME_SHOUP3 => None,
        _ => Some(PrivateKey::from_pem(&fixture("key1.pem")).expect("key1")),
    };
    let (mut dealer, init) =
        Dealer::start(scheme, kind, imported.as_ref().map(|k| k.public())).expect("start");
    let init = init.encode();
    let mut joiners = Vec::new();
    for _ in 2..=n {
        let (j, join) = Joiner::join(&init).expect("join");
        dealer.accept_join(&join.encode()).expect("accept");
        joiners.push(j);
    }
    let dealt = match imported {
        Some(k) => dealer.deal(&k).expect("deal"),
        None => {
            let key = SafePrimeKey::from_pem(&fixture("safe1.pem")).expect("safe1");
            let (keys, secrets) = shoup3::deal_seeded(key, scheme, &dealer.shoup3_seed())
                .expect("deal")
                .into_shares();
            dealer.deal_shoup3(keys, secrets).expect("deal")
        }
    };
    let finalize = dealt.finalize.encode();
    let per_joiner = dealt
        .views
        .iter()
        .map(|(_, v)| v.encode())
        .max_by_key(Vec::len)
        .unwrap_or_else(|| finalize.clone());
    let mut shares = vec![dealt.share];
    for j in &joiners {
        shares.push(
            j.finish(&per_joiner_for(&dealt.views, j, &finalize))
                .expect("finish")
                .share,
        );
    }
    Keygen {
        finalize,
        per_joiner,
        shares,
    }
}

/// What a joiner opens: its own view when there are views (tried in turn), else the
/// whole FINALIZE.
fn per_joiner_for(views: &[(u8, Message)], j: &Joiner, whole: &[u8]) -> Vec<u8> {
    for (_, v) in views {
        let bytes = v.encode();
        if j.finish(&bytes).is_ok() {
            return bytes;
        }
    }
    whole.to_vec()
}

/// The largest SIGN-PARTIAL a signer sends when `signers` are invited by party 1.
fn sign_partial(shares: &[KeyShare], signers: &[u8]) -> Vec<u8> {
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
    let set = Subset::from_parties(signers).expect("signers");
    let (_, init) = Initiator::start(&shares[0], &unsigned, set).expect("init");
    let init = init.encode();
    signers[1..]
        .iter()
        .map(|&p| {
            let share = &shares[usize::from(p - 1)];
            review(share, &init, &SignPolicy::default())
                .expect("review")
                .sign(share)
                .expect("sign")
                .encode()
        })
        .max_by_key(Vec::len)
        .unwrap_or_default()
}

/// The largest SIGN-PARTIAL-BATCH a signer sends for `k` enclaves, 1, 3 and 5 of 5
/// invited by party 1 (k = 1: the single SIGN-PARTIAL, which a one-enclave sign uses).
fn sign_partial_batch(shares: &[KeyShare], k: u8) -> Vec<u8> {
    if k == 1 {
        return sign_partial(shares, &[1, 3, 5]);
    }
    let sigs: Vec<Sigstruct> = (0..k)
        .map(|j| {
            Sigstruct::build(&SigstructFields {
                date: Date {
                    year: 2026,
                    month: 12,
                    day: 3,
                },
                debug: false,
                mrenclave: [0xa0 + j; 32],
                isv_prod_id: 1,
                isv_svn: 1,
            })
        })
        .collect();
    let targets: Vec<BatchTarget> = sigs
        .iter()
        .map(|s| BatchTarget {
            name: "enclave",
            unsigned: s,
        })
        .collect();
    let set = Subset::from_parties(&[1, 3, 5]).expect("signers");
    let (_, init) = BatchInitiator::start(&shares[0], &targets, set).expect("batch init");
    let init = init.encode();
    [3usize, 5]
        .iter()
        .map(|&p| {
            review_batch(&shares[p - 1], &init, &SignPolicy::default(), &[])
                .expect("review")
                .sign(&shares[p - 1])
                .expect("sign")
                .encode()
        })
        .max_by_key(Vec::len)
        .unwrap_or_default()
}

fn kb(n: usize) -> String {
    if n >= 10_000 {
        format!("{:.0} KB", n as f64 / 1000.0)
    } else {
        format!("{:.1} KB", n as f64 / 1000.0)
    }
}

/// Exact bytes below 10 KB (where a size target is close), KB above.
fn bytes_or_kb(n: usize) -> String {
    if n >= 10_000 {
        kb(n)
    } else {
        format!("{n} B")
    }
}

fn main() {
    println!(
        "bytes and QR frames ({} B per frame), measured with the real encoders",
        airgap::frames::DEFAULT_FRAGMENT
    );
    println!(
        "| scheme | t-of-n | KEYGEN-FINALIZE (text line) | frames | per joiner | frames | share file | SIGN-PARTIAL, t invited | frames | SIGN-PARTIAL, n invited | frames |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (n, t) in [(3u8, 2u8), (5, 3), (9, 5), (12, 7)] {
        let scheme = Scheme::new(n, t).expect("scheme");
        for (kind, name) in [(SCHEME_SUBSETS, "subsets"), (SCHEME_SHOUP3, "shoup3")] {
            let k = keygen(scheme, kind);
            let line = text::encode(&k.finalize).len();
            let share_file = k
                .shares
                .iter()
                .map(|s| file::serialize(s).expose().len())
                .max()
                .unwrap_or(0);
            let few: Vec<u8> = (1..=t).collect();
            let all: Vec<u8> = (1..=n).collect();
            let p_few = sign_partial(&k.shares, &few);
            let p_all = sign_partial(&k.shares, &all);
            println!(
                "| {name} | {t}-of-{n} | {} ({}) | {} | {} | {} | {} | {} B | {} | {} | {} |",
                kb(k.finalize.len()),
                kb(line),
                frames(&k.finalize),
                bytes_or_kb(k.per_joiner.len()),
                frames(&k.per_joiner),
                kb(share_file),
                p_few.len(),
                frames(&p_few),
                bytes_or_kb(p_all.len()),
                frames(&p_all),
            );
        }
    }
    println!();
    println!(
        "batch signing, 3-of-5, signers 1, 3, 5: the largest SIGN-PARTIAL(-BATCH) one signer sends"
    );
    println!("| scheme | 1 enclave | frames | 4 enclaves | frames | 8 enclaves | frames |");
    println!("|---|---|---|---|---|---|---|");
    let scheme = Scheme::new(5, 3).expect("scheme");
    for (kind, name) in [(SCHEME_SUBSETS, "subsets"), (SCHEME_SHOUP3, "shoup3")] {
        let k = keygen(scheme, kind);
        let row: Vec<String> = [1u8, 4, 8]
            .iter()
            .map(|&e| {
                let bytes = sign_partial_batch(&k.shares, e);
                format!("{} B | {}", bytes.len(), frames(&bytes))
            })
            .collect();
        println!("| {name} | {} |", row.join(" | "));
    }
    refresh_table();
}

/// Refreshes `shares` (of generation `g`) in memory, every message through the real
/// encoders; returns the new shares and the most bytes one party received.
fn refresh_once(shares: &[KeyShare], g: (u32, [u8; 32])) -> (Vec<KeyShare>, usize) {
    let run = run_in_memory(shares, g, 1, true).expect("refresh");
    let most = run.most_received().total();
    let next = shares
        .iter()
        .zip(run.shares)
        .zip(&run.outcomes)
        .map(|((old, new), o)| {
            old.next_generation(new, o.session, o.transcript)
                .expect("next generation")
        })
        .collect();
    (next, most)
}

/// Refresh: the most bytes one party receives (INIT, JOINs, its DEAL views,
/// CONFIRMs), and the SIGN-PARTIAL after 1 and 10 refreshes.
fn refresh_table() {
    println!();
    println!("refresh: the most bytes one party receives (QR views), and SIGN-PARTIAL (t invited) after refreshes");
    println!("| scheme | t-of-n | refresh received | SIGN-PARTIAL fresh | frames | after 1 refresh | frames | after 10 | frames |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for (kind, name, n, t) in [
        (SCHEME_SHOUP3, "shoup3", 5u8, 3u8),
        (SCHEME_SHOUP3, "shoup3", 9, 5),
        (SCHEME_SUBSETS, "subsets", 5, 3),
    ] {
        let k = keygen(Scheme::new(n, t).expect("scheme"), kind);
        let few: Vec<u8> = (1..=t).collect();
        let fresh = sign_partial(&k.shares, &few);
        let mut shares = k.shares;
        let mut first = 0;
        let mut after_one = Vec::new();
        for i in 0..10 {
            let gen = shares[0].generation();
            let (next, most) = refresh_once(&shares, (gen.number, gen.id));
            shares = next;
            if i == 0 {
                first = most;
                after_one = sign_partial(&shares, &few);
            }
        }
        let after_ten = sign_partial(&shares, &few);
        println!(
            "| {name} | {t}-of-{n} | {first} B | {} B | {} | {} B | {} | {} B | {} |",
            fresh.len(),
            frames(&fresh),
            after_one.len(),
            frames(&after_one),
            after_ten.len(),
            frames(&after_ten),
        );
    }
}
