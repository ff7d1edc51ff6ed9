//! The batch initiator's side of the [`Recorder`]: every answer it saw, then one
//! initiator record per enclave of the SIGN-INIT-BATCH (each holding the whole
//! batch's messages, its own enclave, signature and output), so that SVN
//! anti-rollback counts every enclave it signed.

use std::path::PathBuf;

use mpcegosign::audit::build::{self, Outcome};
use mpcegosign::audit::record::{sha256_hex, Event, Ignored, Output};
use mpcegosign::ceremony::sign::{BatchProgress, SignError};
use mpcegosign::key::to_fixed_be;
use num_bigint::BigUint;

use super::{audit_error, Recorder, MAX_IGNORED};
use crate::cli::error::CliError;

impl Recorder {
    /// Batch initiator: notes what became of one received message, and passes it on.
    pub fn saw_batch(
        &mut self,
        bytes: &[u8],
        r: Result<BatchProgress, SignError>,
    ) -> Result<BatchProgress, SignError> {
        match &r {
            Ok(_) => self.accepted.push(bytes.to_vec()),
            Err(e) if self.ignored.len() < MAX_IGNORED => self.ignored.push(Ignored {
                sha256: sha256_hex(bytes),
                reason: e.to_string(),
            }),
            Err(_) => {}
        }
        r
    }

    /// Batch initiator: the batch of `count` enclaves failed with `e`; records that
    /// for every enclave (when the SIGN-INIT-BATCH went out) and passes the error on.
    pub fn failed_batch(&self, count: usize, e: CliError) -> CliError {
        let (Some(init), Some(_)) = (&self.sent_init, &self.path) else {
            return e;
        };
        for index in 0..count {
            let ev = build::initiator_event_at(
                init,
                index,
                &self.accepted,
                self.ignored.clone(),
                Outcome::Failed(e.to_string()),
            );
            if let Err(w) = ev
                .map_err(audit_error)
                .and_then(|ev| self.write(Event::SignInitiator(ev)))
            {
                return CliError::new(format!("{e}; and {w}"));
            }
        }
        e
    }

    /// Batch initiator: every output was written (`outs[i]` with `signatures[i]`, in
    /// the request's order).
    pub fn signed_batch(&self, outs: &[PathBuf], signatures: &[BigUint]) -> Result<(), CliError> {
        let (Some(init), Some(_)) = (&self.sent_init, &self.path) else {
            return Ok(());
        };
        for (index, (out, sig)) in outs.iter().zip(signatures).enumerate() {
            let bytes = std::fs::read(out)
                .map_err(|e| crate::cli::error::io_error("read back", out, &e))?;
            let ev = build::initiator_event_at(
                init,
                index,
                &self.accepted,
                self.ignored.clone(),
                Outcome::Signed {
                    signature: to_fixed_be(sig).to_vec(),
                    // Which parties' partials combined is the scheme's business in a
                    // batch: not recorded.
                    subset: Vec::new(),
                    output: Output {
                        path: out.display().to_string(),
                        sha256: sha256_hex(&bytes),
                    },
                },
            )
            .map_err(audit_error)?;
            self.write(Event::SignInitiator(ev)).map_err(|e| {
                CliError::new(format!(
                    "{} was written and verified, but {e}",
                    out.display()
                ))
            })?;
        }
        Ok(())
    }
}
