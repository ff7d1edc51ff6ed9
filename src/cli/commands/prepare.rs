//! `mpcegosign prepare`: step 1 of two-step signing with any signer. Prepares and
//! measures the enclave as the threshold initiator does, then writes the request, the
//! digest (raw and hex), its DigestInfo and the prepared executable, and prints the
//! commands that sign it.

use std::path::{Path, PathBuf};

use clap::Args;
use mpcegosign::ego::locate::EgoInstall;
use mpcegosign::ego::request::{sha256, EnclaveRef, Request};
use mpcegosign::fsutil;

use crate::cli::commands::signerid::load_public;
use crate::cli::error::CliError;
use crate::cli::io::files::enclave_target::{file_mode, measure, prepare, refuse_existing};

/// The files `prepare` writes beside the request.
pub(super) struct RequestFiles {
    pub request: PathBuf,
    pub digest_bin: PathBuf,
    pub digest_hex: PathBuf,
    pub digest_info: PathBuf,
    pub prepared: PathBuf,
}

impl RequestFiles {
    /// `DIR/NAME.json` gives `DIR/NAME.digest.bin`, `.digest.hex`, `.digestinfo.bin`
    /// and `.unsigned.elf`.
    pub fn beside(request: &Path) -> Self {
        let name = request
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "request.json".into());
        let stem = name.strip_suffix(".json").unwrap_or(&name).to_owned();
        let sibling = |ext: &str| request.with_file_name(format!("{stem}.{ext}"));
        RequestFiles {
            request: request.to_path_buf(),
            digest_bin: sibling("digest.bin"),
            digest_hex: sibling("digest.hex"),
            digest_info: sibling("digestinfo.bin"),
            prepared: sibling("unsigned.elf"),
        }
    }

    fn all(&self) -> [&Path; 5] {
        [
            &self.prepared,
            &self.digest_bin,
            &self.digest_hex,
            &self.digest_info,
            &self.request,
        ]
    }
}

fn write(path: &Path, bytes: &[u8], mode: u32, force: bool) -> Result<(), CliError> {
    fsutil::write_new(path, bytes, mode, force).map_err(|e| CliError::new(e.to_string()))
}

pub fn run(args: PrepareArgs) -> Result<(), CliError> {
    let public = args.key.as_deref().map(load_public).transpose()?;
    let files = RequestFiles::beside(&args.out);
    for f in files.all() {
        refuse_existing(f, args.force)?;
    }
    let install =
        EgoInstall::locate(args.ego.as_deref()).map_err(|e| CliError::new(e.to_string()))?;
    let prepared = prepare(&args.config, &install)?;
    let exe = PathBuf::from(&prepared.config.exe);
    let (measured, _oesign, _work) = measure(&prepared, &install, &exe)?;
    let signed_out = std::path::absolute(format!("{}.signed", exe.display()))
        .map_err(|e| CliError::new(format!("cannot resolve {}: {e}", exe.display())))?;
    let prepared_name = files
        .prepared
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let request = Request::new(
        &measured.sigstruct,
        public,
        EnclaveRef {
            prepared: prepared_name,
            prepared_sha256: sha256(&prepared.exe),
            runtime: runtime_of(&prepared.runtime),
            conf_text: prepared.conf_text.clone(),
            out: signed_out.display().to_string(),
            mode: file_mode(&exe),
            ego: recorded_ego(&install),
        },
    );
    let digest = request.digest();
    // The request last: it names the others, so it appears only when they are there.
    write(&files.prepared, &prepared.exe, file_mode(&exe), args.force)?;
    write(&files.digest_bin, &digest, fsutil::PUBLIC_MODE, args.force)?;
    write(
        &files.digest_hex,
        format!("{}\n", hex::encode(digest)).as_bytes(),
        fsutil::PUBLIC_MODE,
        args.force,
    )?;
    write(
        &files.digest_info,
        &request.digest_info(),
        fsutil::PUBLIC_MODE,
        args.force,
    )?;
    write(
        &files.request,
        request.to_json().as_bytes(),
        fsutil::PUBLIC_MODE,
        args.force,
    )?;
    let r = request.regions();
    let date = r.date().map_err(|e| CliError::new(e.to_string()))?;
    eprintln!("Wrote {} for:", files.request.display());
    eprintln!("  MRENCLAVE {}", hex::encode(r.mrenclave()));
    eprintln!(
        "  ISVPRODID {}  ISVSVN {}  DEBUG {}",
        r.isv_prod_id(),
        r.isv_svn(),
        if r.is_debug() { "yes" } else { "no" }
    );
    eprintln!("  Date      {date} (UTC; the signature covers it)");
    eprintln!("  Digest    {}", hex::encode(digest));
    print!("{}", commands(&files));
    Ok(())
}

/// The EGo root as `finish` will find it again: absolute, and text (a request is
/// JSON). A root that is not UTF-8 is not recorded, and `finish` then needs `--ego`.
fn recorded_ego(install: &EgoInstall) -> Option<PathBuf> {
    let root = std::path::absolute(&install.root).ok()?;
    if root.to_str().is_none() {
        eprintln!(
            "Note: the EGo path {} is not UTF-8 and is not recorded in the request; pass --ego to `finish`.",
            root.display()
        );
        return None;
    }
    Some(root)
}

fn runtime_of(path: &Path) -> mpcegosign::ego::Runtime {
    if path.ends_with(mpcegosign::ego::locate::ENCLAVE_FIPS) {
        mpcegosign::ego::Runtime::Fips140
    } else {
        mpcegosign::ego::Runtime::Standard
    }
}

/// A path as a shell word.
fn sh(p: &Path) -> String {
    let s = p.display().to_string();
    if s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/._-+,:@=".contains(&b))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The commands that sign the digest with each kind of signer, then `finish`.
pub(super) fn commands(f: &RequestFiles) -> String {
    let (req, bin, info) = (sh(&f.request), sh(&f.digest_bin), sh(&f.digest_info));
    let sig = sh(&f.request.with_extension("sig"));
    let b64 = sh(&f.request.with_extension("sig.b64"));
    format!(
        "\
# Sign the digest with the enclave's RSA-3072 (e = 3) key, in one of these ways.
# OpenSSL, with the private key file (signs the DigestInfo as it is):
openssl pkeyutl -sign -inkey private.pem -in {info} -out {sig}
# PKCS#11 token (SoftHSM, YubiHSM, …); or use `mpcegosign sign --pkcs11-module` in one step:
pkcs11-tool --module /usr/lib/softhsm/libsofthsm2.so --login --sign --mechanism RSA-PKCS --label KEY_LABEL --input-file {info} --output-file {sig}
# AWS KMS (an RSA_3072 SIGN_VERIFY key with imported e = 3 key material):
aws kms sign --key-id KEY_ID --message fileb://{bin} --message-type DIGEST --signing-algorithm RSASSA_PKCS1_V1_5_SHA_256 --query Signature --output text > {b64}
# Azure Key Vault (an RSA 3072 key with e = 3), RS256 over the digest:
az rest --method post --resource https://vault.azure.net --url \"https://VAULT.vault.azure.net/keys/KEY/sign?api-version=7.4\" --body \"{{\\\"alg\\\":\\\"RS256\\\",\\\"value\\\":\\\"$(basenc --base64url -w0 {bin} | tr -d =)\\\"}}\" --query value --output tsv > {b64}
# Then store the signature (raw, base64 or hex):
mpcegosign finish --request {req} --signature {sig}
"
    )
}

#[derive(Args, Debug)]
pub struct PrepareArgs {
    /// EGo enclave.json, given as `ego sign` would get it.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// EGo installation directory. Default: $EGO_PATH, /opt/ego, then the snap.
    #[arg(long, value_name = "DIR")]
    pub ego: Option<PathBuf>,
    /// The request to write; the digest files and the prepared executable go beside it.
    #[arg(long, value_name = "FILE", default_value = "request.json")]
    pub out: PathBuf,
    /// Record this public key (PKIX PEM) in the request, for `finish` to verify with.
    #[arg(long, value_name = "PEM")]
    pub key: Option<PathBuf>,
    /// Replace existing request files.
    #[arg(long)]
    pub force: bool,
}
