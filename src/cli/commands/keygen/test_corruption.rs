//! Test-only: a corrupt dealer, to see every joiner refuse its dealing. Set
//! `MPCEGOSIGN_TEST_CORRUPT_DEALING` to `wrong-share` (party 2's share + 1),
//! `inconsistent-keys` (v_n squared), `wrong-secret` (the shares encode d + 1) or
//! `swapped-v` (the v_i made from another base than the session's v). Built only with
//! the `test-export` feature.

use mpcegosign::threshold::shoup3::{self, SecretShare, VerificationKeys};

use crate::cli::error::CliError;

pub fn active() -> bool {
    std::env::var_os("MPCEGOSIGN_TEST_CORRUPT_DEALING").is_some()
}

pub fn apply(
    keys: VerificationKeys,
    mut secrets: Vec<SecretShare>,
) -> Result<(VerificationKeys, Vec<SecretShare>), CliError> {
    let how = std::env::var("MPCEGOSIGN_TEST_CORRUPT_DEALING").unwrap_or_default();
    let fail = |e: mpcegosign::threshold::shoup3::Shoup3Error| CliError::new(e.to_string());
    let n = keys.scheme().parties();
    let modulus = keys.modulus().clone();
    let mut vs: Vec<_> = (1..=n)
        .map(|i| keys.key(i).cloned())
        .collect::<Result<_, _>>()
        .map_err(fail)?;
    match how.as_str() {
        "wrong-share" => {
            let mut value = zeroize::Zeroizing::new(secrets[1].value_bytes().expose().to_vec());
            if let Some(last) = value.last_mut() {
                *last ^= 1;
            }
            secrets[1] = SecretShare::from_value_bytes(2, &value).map_err(fail)?;
        }
        "inconsistent-keys" => {
            let last = &vs[usize::from(n) - 1];
            vs[usize::from(n) - 1] = last * last % &modulus;
        }
        "swapped-v" => {
            let rebased = shoup3::keys_under_other_base_for_tests(&keys, &secrets, &[0x5a; 32])
                .map_err(fail)?;
            return Ok((rebased, secrets));
        }
        // Dealt as such by `deal_wrong_secret_for_tests`.
        "wrong-secret" => {}
        other => return Err(CliError::new(format!("unknown corruption {other}"))),
    }
    let keys = VerificationKeys::new(modulus, keys.scheme(), *keys.seed(), vs).map_err(fail)?;
    Ok((keys, secrets))
}

/// Whether the dealer must deal d + 1 instead of d.
pub fn wrong_secret() -> bool {
    std::env::var("MPCEGOSIGN_TEST_CORRUPT_DEALING").as_deref() == Ok("wrong-secret")
}
