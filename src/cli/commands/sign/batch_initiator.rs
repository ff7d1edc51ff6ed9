//! The initiator of a batch: `sign --config A.json --config B.json` or `--batch
//! release.toml`. Every enclave is prepared and measured as `ego sign` does, every
//! output is refused up front if it exists (without --force), one SIGN-INIT-BATCH goes
//! out, and nothing is written until every enclave's signature is combined and its
//! signed enclave verified.

use std::path::{Path, PathBuf};

use mpcegosign::ceremony::sign::{BatchInitiator, BatchProgress, BatchTarget, SignError};
use mpcegosign::sanitize::sanitize;
use mpcegosign::share::KeyShare;

use super::SignArgs;
use super::{parse_signers, send};
use crate::cli::commands::audit::Recorder;
use crate::cli::error::CliError;
use crate::cli::io::files::enclave_target::{refuse_existing, Target};
use crate::cli::io::files::release::{self, BatchEntry};
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::console::{receive_loop, Step};
use crate::cli::io::transport::open_transport;

/// The enclaves asked for: the `--batch` file, or one per `--config` (named after
/// the config's folder, or its path when two folders share a name).
fn entries(args: &SignArgs) -> Result<Vec<BatchEntry>, CliError> {
    if let Some(file) = &args.batch {
        if !args.config.is_empty() || args.out.is_some() {
            return Err(CliError::new(
                "--batch FILE lists the enclaves and their outputs: drop --config and --out",
            ));
        }
        return release::load(file);
    }
    if args.out.is_some() {
        return Err(CliError::new(
            "--out names one output; for several enclaves use --batch release.toml with `out` per [[enclave]]",
        ));
    }
    let folder = |c: &PathBuf| {
        c.parent()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
    };
    let mut names: Vec<Option<String>> = args.config.iter().map(folder).collect();
    let distinct: std::collections::BTreeSet<_> = names.iter().flatten().collect();
    if distinct.len() != names.len() {
        names = vec![None; names.len()];
    }
    Ok(args
        .config
        .iter()
        .zip(names)
        .map(|(c, name)| BatchEntry {
            name: name.unwrap_or_else(|| c.display().to_string()),
            config: c.clone(),
            out: None,
        })
        .collect())
}

pub fn run(args: &SignArgs) -> Result<(), CliError> {
    let entries = entries(args)?;
    if !(2..=mpcegosign::protocol::MAX_BATCH_ENCLAVES).contains(&entries.len()) {
        return Err(CliError::new(format!(
            "a batch signs 2 to {} enclaves, not {}",
            mpcegosign::protocol::MAX_BATCH_ENCLAVES,
            entries.len()
        )));
    }
    let share = share_io::load_signing_share(&args.share, &args.passphrase)?;
    if share.auth().is_none() {
        return Err(CliError::new(
            "a batch needs a share with identity keys (version 3); sign each enclave alone with this share",
        ));
    }
    // Every output refused up front, before anything is measured or sent.
    let mut outs: Vec<PathBuf> = Vec::new();
    for e in &entries {
        if let Some(out) = &e.out {
            if outs.contains(out) {
                return Err(CliError::new(format!(
                    "two enclaves of the batch would both be written to {}; give each its own `out`",
                    out.display()
                )));
            }
            refuse_existing(out, args.force)?;
            outs.push(out.clone());
        }
    }
    let mut audit = Recorder::open(&args.audit, &args.share, &share)?;
    let signers = parse_signers(args.signers.as_deref(), &share)?;
    let mut targets = Vec::with_capacity(entries.len());
    for e in &entries {
        eprintln!("Enclave {}:", sanitize(&e.name));
        let target = Target::ego(&e.config, args.ego.as_deref(), e.out.as_deref(), args.force)?;
        let Target::Ego(ego) = target else {
            return Err(CliError::new("a batch signs EGo enclaves (--config)"));
        };
        if e.out.is_none() {
            if outs.contains(&ego.out) {
                return Err(CliError::new(format!(
                    "two enclaves of the batch would both be written to {}; give each its own `out` (--batch)",
                    ego.out.display()
                )));
            }
            outs.push(ego.out.clone());
        }
        targets.push((e.name.clone(), ego));
    }
    let mut transport = open_transport(&args.transport)?;
    let batch: Vec<BatchTarget<'_>> = targets
        .iter()
        .map(|(name, t)| BatchTarget {
            name,
            unsigned: &t.measured.sigstruct,
        })
        .collect();
    let (mut ini, init) =
        BatchInitiator::start(&share, &batch, signers).map_err(|e| CliError::new(e.to_string()))?;
    show(&share, &ini, signers, &targets);
    send(transport.as_mut(), "SIGN-INIT-BATCH", &init)?;
    audit.sent(&init);
    let count = targets.len();
    let signatures = receive_loop(
        transport.as_mut(),
        "a SIGN-PARTIAL-BATCH message",
        |bytes| match audit.saw_batch(bytes, ini.accept(bytes)) {
            Err(e @ SignError::BadPartial { .. }) => {
                eprintln!("mpcegosign: {e}");
                ini.check_still_possible()?;
                Ok(Step::More)
            }
            Err(e) => Err(e),
            Ok(BatchProgress::Accepted { party }) => {
                eprintln!("Party {party}'s partials for every enclave accepted.");
                waiting(&ini);
                Ok(Step::More)
            }
            Ok(BatchProgress::Declined { party, reason }) => {
                eprintln!("Party {party} declined the batch: {}", sanitize(&reason));
                ini.check_still_possible()?;
                waiting(&ini);
                Ok(Step::More)
            }
            Ok(BatchProgress::Complete { signatures }) => Ok(Step::Done(signatures)),
        },
        |e: &SignError| e.verdict().keeps_waiting(),
    )
    .map_err(|e| audit.failed_batch(count, e))?;
    // Every enclave signed and verified in memory before the first file is written.
    let mut signed = Vec::with_capacity(targets.len());
    for ((name, t), sig) in targets.into_iter().zip(&signatures) {
        let s = t.signed(share.public(), sig).map_err(|e| {
            audit.failed_batch(
                count,
                CliError::new(format!(
                    "enclave {}: {e}; nothing was written",
                    sanitize(&name)
                )),
            )
        })?;
        signed.push(s);
    }
    let mut outs = Vec::with_capacity(signed.len());
    for s in signed {
        let out = s.write()?;
        eprintln!("Verified and wrote {}", out.display());
        outs.push(out);
    }
    audit.signed_batch(&outs, &signatures)
}

fn waiting(ini: &BatchInitiator) {
    let w = ini.waiting_for();
    if !w.is_empty() {
        let list: Vec<String> = w.iter().map(u8::to_string).collect();
        eprintln!("Waiting for parties {}.", list.join(", "));
    }
}

fn show(
    share: &KeyShare,
    ini: &BatchInitiator,
    signers: mpcegosign::threshold::Subset,
    targets: &[(
        String,
        Box<crate::cli::io::files::enclave_target::EgoTarget>,
    )],
) {
    eprintln!(
        "Signing {} enclaves as party {} with signers {signers} (session {}), MRSIGNER {}:",
        targets.len(),
        share.party(),
        ini.session().short(),
        hex::encode(share.public().mrsigner())
    );
    for (name, t) in targets {
        let r = t.measured.sigstruct.regions();
        eprintln!(
            "  {}  MRENCLAVE {}  ISVPRODID {}  ISVSVN {}  DEBUG {}  -> {}",
            sanitize(name),
            hex::encode(r.mrenclave()),
            r.isv_prod_id(),
            r.isv_svn(),
            if r.is_debug() { "yes" } else { "no" },
            Path::new(&t.out).display()
        );
    }
}
