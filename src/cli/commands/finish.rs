//! `mpcegosign finish`: step 2 of two-step signing. Reads the request, the outside
//! signature (raw, base64 or hex) and the prepared executable, checks that the
//! signature verifies over the request's digest and that the prepared executable
//! still measures to the request's MRENCLAVE, then stores the signature as `ego sign`
//! would have (the midnight rule included) and writes the verified result.

use std::path::PathBuf;

use clap::Args;
use mpcegosign::ego::flow;
use mpcegosign::ego::locate::EgoInstall;
use mpcegosign::ego::request::{sha256, Request};
use mpcegosign::ego::signature::decode_signature;
use num_bigint::BigUint;

use crate::cli::commands::signerid::load_public;
use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::enclave_target::{
    ego_error, measure, refuse_existing, EgoTarget, Target,
};

pub fn run(args: FinishArgs) -> Result<(), CliError> {
    let name = args.request.display().to_string();
    let text = mpcegosign::fsutil::read_regular(&args.request)
        .map_err(|e| io_error("read the request", &args.request, &e))?;
    let request = Request::from_json(&text).map_err(|e| CliError::new(format!("{name}: {e}")))?;

    let public = match (&args.key, request.public()) {
        (Some(k), _) => load_public(k)?,
        (None, Some(p)) => p.clone(),
        (None, None) => {
            return Err(CliError::new(format!(
                "{name} holds no public key to check the signature with"
            ))
            .hint("pass --key public.pem (or prepare with --key)"))
        }
    };
    let sig_bytes = mpcegosign::fsutil::read_regular(&args.signature)
        .map_err(|e| io_error("read the signature", &args.signature, &e))?;
    let (sig_be, encoding) = decode_signature(&sig_bytes)
        .map_err(|e| CliError::new(format!("{}: {e}", args.signature.display())))?;
    let signature = BigUint::from_bytes_be(&sig_be);
    if !public.verify_digest(&request.digest(), &signature) {
        return Err(CliError::new(format!(
            "{}: the signature ({encoding}) does not verify over the request's digest with the key of MRSIGNER {}; it was made by another key, over another digest, or the request was edited",
            args.signature.display(),
            hex::encode(public.mrsigner())
        )));
    }
    eprintln!(
        "The signature ({encoding}) verifies with MRSIGNER {}.",
        hex::encode(public.mrsigner())
    );

    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(&request.enclave.out));
    refuse_existing(&out, args.force)?;

    let dir = match args.request.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prepared_path = dir.join(&request.enclave.prepared);
    let exe = mpcegosign::fsutil::read_regular(&prepared_path)
        .map_err(|e| io_error("read the prepared executable", &prepared_path, &e))?;
    if sha256(&exe) != request.enclave.prepared_sha256 {
        return Err(CliError::new(format!(
            "{} changed since `prepare` (its SHA-256 is not the request's); prepare again",
            prepared_path.display()
        )));
    }
    // `--ego` first; else the installation `prepare` measured with (version 2
    // requests); else the usual search (version 1 requests recorded none).
    let install = match (args.ego.as_deref(), request.enclave.ego.as_deref()) {
        (None, Some(recorded)) => EgoInstall::recorded(recorded).inspect(|i| {
            eprintln!(
                "Measuring with EGo at {}, as the request records (--ego chooses another).",
                i.root.display()
            )
        }),
        (explicit, _) => EgoInstall::locate(explicit),
    }
    .map_err(|e| CliError::new(e.to_string()))?;
    let prepared = flow::prepare_embedded(exe, &prepared_path, &install).map_err(ego_error)?;
    check_same(
        &name,
        "oesign .conf",
        &prepared.conf_text,
        &request.enclave.conf_text,
    )?;
    let (mut measured, oesign, work) = measure(&prepared, &install, &prepared_path)?;
    if measured.mrenclave() != request.regions().mrenclave() {
        return Err(CliError::mismatch(format!(
            "{} measures to MRENCLAVE {}, but the request says {}; prepare again",
            prepared_path.display(),
            hex::encode(measured.mrenclave()),
            hex::encode(request.regions().mrenclave())
        )));
    }
    same_but_date(&measured.sigstruct, request.unsigned())
        .map_err(|field| CliError::new(format!("{name}: the SIGSTRUCT field {field} differs from what ego-oesign makes of the prepared executable; prepare again")))?;
    // What was signed is the request's SIGSTRUCT, with the request's date.
    measured.sigstruct = request.unsigned().clone();
    let target = Target::Ego(Box::new(EgoTarget {
        prepared,
        measured,
        oesign,
        work,
        out,
        mode: request.enclave.mode,
        force: args.force,
    }));
    let written = target.finish(&public, &signature)?;
    eprintln!("Verified and wrote {}", written.display());
    Ok(())
}

fn check_same(name: &str, what: &str, found: &str, expected: &str) -> Result<(), CliError> {
    if found == expected {
        return Ok(());
    }
    Err(CliError::new(format!(
        "{name}: the {what} differs from the prepared executable's; the request was edited after `prepare`: prepare again"
    )))
}

/// Compares the signed regions of two SIGSTRUCTs, the date aside; names the first
/// differing field.
fn same_but_date(
    a: &mpcegosign::sgx::Sigstruct,
    b: &mpcegosign::sgx::Sigstruct,
) -> Result<(), &'static str> {
    use mpcegosign::sgx::sigstruct::OFF_DATE;
    let (ra, rb) = (a.regions(), b.regions());
    let (ra, rb) = (ra.as_bytes(), rb.as_bytes());
    for (i, (x, y)) in ra.iter().zip(rb.iter()).enumerate() {
        if x != y && !(OFF_DATE..OFF_DATE + 4).contains(&i) {
            return Err(region_field(i));
        }
    }
    Ok(())
}

fn region_field(i: usize) -> &'static str {
    match i {
        0..=127 => "header",
        128..=155 => "miscselect",
        156..=187 => "attributes",
        188..=219 => "MRENCLAVE",
        220..=251 => "reserved",
        _ => "ISVPRODID/ISVSVN",
    }
}

#[derive(Args, Debug)]
pub struct FinishArgs {
    /// The request written by `prepare`.
    #[arg(long, value_name = "FILE")]
    pub request: PathBuf,
    /// The signature: 384 raw big-endian bytes, base64 (standard or URL-safe) or hex.
    #[arg(long, value_name = "FILE")]
    pub signature: PathBuf,
    /// Verify with this public key instead of the one in the request.
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,
    /// The signed enclave to write. Default: <exe>.signed, as recorded by `prepare`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// EGo installation directory. Default: the one `prepare` used (recorded in the
    /// request); for older requests, $EGO_PATH, /opt/ego, then the snap.
    #[arg(long, value_name = "DIR")]
    pub ego: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
}
