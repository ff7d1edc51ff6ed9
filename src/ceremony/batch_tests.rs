//! Batch signing in memory: several enclaves in one 3-of-5 ceremony for both schemes,
//! each signature the one-key signature of its SIGSTRUCT; a bad enclave refuses the
//! batch (named); a bad partial for one enclave refuses the party's whole answer.

use super::sign::{
    review_batch, BatchInitiator, BatchProgress, BatchTarget, SignError, SignPolicy,
};
use super::tests::{keygen, keygen_shoup3, test_key, unsigned};
use crate::protocol::{BatchBody, Message};
use crate::sgx::Sigstruct;
use crate::share::KeyShare;
use crate::threshold::Subset;

fn enclaves(k: u8) -> Vec<Sigstruct> {
    (0..k).map(|j| unsigned(false, [0xa0 + j; 32])).collect()
}

/// Runs a batch among 1, 3, 5 (initiator 1); returns each enclave's signed SIGSTRUCT.
fn run(shares: &[KeyShare], sigs: &[Sigstruct]) -> Vec<Sigstruct> {
    let names: Vec<String> = (0..sigs.len()).map(|j| format!("enclave-{j}")).collect();
    let targets: Vec<BatchTarget> = sigs
        .iter()
        .zip(&names)
        .map(|(s, n)| BatchTarget {
            name: n,
            unsigned: s,
        })
        .collect();
    let set = Subset::from_parties(&[1, 3, 5]).unwrap();
    let (mut ini, init) = BatchInitiator::start(&shares[0], &targets, set).unwrap();
    let init = init.encode();
    for p in [3usize, 5] {
        let r = review_batch(&shares[p - 1], &init, &SignPolicy::default(), &[]).unwrap();
        assert_eq!(r.enclaves.len(), sigs.len());
        assert_eq!(r.enclaves[1].name, "enclave-1");
        assert_eq!(r.enclaves[1].review.mrenclave, [0xa1; 32]);
        match ini
            .accept(&r.sign(&shares[p - 1]).unwrap().encode())
            .unwrap()
        {
            BatchProgress::Accepted { party } => assert_eq!(usize::from(party), p),
            BatchProgress::Complete { signatures } => {
                let public = shares[0].public();
                return sigs
                    .iter()
                    .zip(signatures)
                    .map(|(s, sig)| {
                        let mut s = s.clone();
                        s.set_signature(public, &sig);
                        s.verify(Some(public)).unwrap();
                        s
                    })
                    .collect();
            }
            other => panic!("{other:?}"),
        }
    }
    panic!("no signatures after all partials");
}

#[test]
fn subsets_batch_signs_each_enclave_as_one_key_would() {
    let shares = keygen(5, 3);
    let sigs = enclaves(3);
    for (signed, mut direct) in run(&shares, &sigs).into_iter().zip(sigs) {
        let d = direct.digest();
        direct.set_signature(test_key().public(), &test_key().sign_digest(&d));
        assert_eq!(signed.as_bytes(), direct.as_bytes());
    }
}

#[test]
fn shoup3_batch_signs_each_enclave_and_refuses_a_bad_partial_named() {
    let shares = keygen_shoup3(1, 5, 3, true);
    // PKCS#1 v1.5 signatures are unique for a key: a verifying one is `sign -k`'s.
    assert_eq!(run(&shares, &enclaves(3)).len(), 3);

    let sigs = enclaves(4);
    let targets: Vec<BatchTarget> = sigs
        .iter()
        .map(|s| BatchTarget {
            name: "e",
            unsigned: s,
        })
        .collect();
    let set = Subset::from_parties(&[1, 2, 3]).unwrap();
    let (mut ini, init) = BatchInitiator::start(&shares[0], &targets, set).unwrap();
    let init = init.encode();
    let answer = review_batch(&shares[1], &init, &SignPolicy::default(), &[])
        .unwrap()
        .sign(&shares[1])
        .unwrap();
    // Party 2 alters its third partial and signs the message again.
    let Message::SignPartialBatch(mut p) = answer else {
        panic!()
    };
    let BatchBody::Shoup3(bytes) = &mut p.body else {
        panic!()
    };
    bytes[3 + 2 * 384 + 100] ^= 1;
    let mut forged = Message::SignPartialBatch(p);
    forged.sign(&shares[1].auth().unwrap().identity);
    assert!(matches!(
        ini.accept(&forged.encode()),
        Err(SignError::BadPartial { party: 2, .. })
    ));
}

#[test]
fn one_refused_enclave_refuses_the_batch_naming_it() {
    let shares = keygen_shoup3(1, 5, 3, true);
    let sigs = [
        unsigned(false, [1; 32]),
        unsigned(true, [2; 32]),
        unsigned(false, [3; 32]),
    ];
    let names = ["api", "debug-build", "worker"];
    let targets: Vec<BatchTarget> = sigs
        .iter()
        .zip(names)
        .map(|(s, name)| BatchTarget { name, unsigned: s })
        .collect();
    let set = Subset::from_parties(&[1, 2, 3, 4]).unwrap();
    let (mut ini, init) = BatchInitiator::start(&shares[0], &targets, set).unwrap();
    let init = init.encode();
    let err = review_batch(&shares[1], &init, &SignPolicy::default(), &[]).unwrap_err();
    assert_eq!(
        err,
        SignError::InBatch {
            index: 2,
            name: "debug-build".into(),
            error: Box::new(SignError::DebugRefused)
        }
    );
    assert!(err
        .to_string()
        .starts_with("enclave 2 (debug-build) of the batch: "));
    // Expected MRENCLAVEs: each must be one of the batch's.
    let allow = SignPolicy {
        allow_debug: true,
        ..SignPolicy::default()
    };
    review_batch(&shares[1], &init, &allow, &[[3; 32], [1; 32]]).unwrap();
    assert_eq!(
        review_batch(&shares[1], &init, &allow, &[[1; 32], [9; 32]]).unwrap_err(),
        SignError::ExpectedNotInBatch {
            expected: hex::encode([9; 32])
        }
    );
    // The signer declines the batch: the initiator records it, nothing completes.
    let r = review_batch(&shares[1], &init, &allow, &[]).unwrap();
    let abort = r.decline(&shares[1], "not this release").encode();
    assert_eq!(
        ini.accept(&abort).unwrap(),
        BatchProgress::Declined {
            party: 2,
            reason: "not this release".into(),
        }
    );
    assert_eq!(ini.waiting_for(), vec![3, 4]);
    ini.check_still_possible().unwrap();
    // The same ABORT again is a duplicate; a forged answer (unsigned) changes nothing.
    assert_eq!(ini.accept(&abort), Err(SignError::Duplicate(2)));
    let mut forged = r.decline(&shares[2], "forged");
    if let Message::Abort(a) = &mut forged {
        a.party = 3;
        a.signature = Some([0; 64]);
    }
    assert!(matches!(
        ini.accept(&forged.encode()),
        Err(SignError::BadSignature { party: 3, .. })
    ));
    assert_eq!(ini.waiting_for(), vec![3, 4]);
    // Party 3 declines too: 1 valid and party 4 awaited, 3 needed.
    let r3 = review_batch(&shares[2], &init, &allow, &[]).unwrap();
    ini.accept(&r3.decline(&shares[2], "no").encode()).unwrap();
    assert!(matches!(
        ini.check_still_possible(),
        Err(SignError::NotEnoughPartials {
            valid: 1,
            need: 3,
            ..
        })
    ));
    // One enclave is an ordinary signing, not a batch.
    assert_eq!(
        BatchInitiator::start(&shares[0], &targets[..1], set).unwrap_err(),
        SignError::BatchSize { count: 1 }
    );
}
