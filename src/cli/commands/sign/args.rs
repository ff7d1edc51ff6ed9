//! `sign`'s arguments (clap), the PKCS#11 one-key options among them.

use std::path::PathBuf;

use clap::Args;

use crate::cli::commands::audit;
use crate::cli::io::terminal::passphrase::PassphraseArgs;
use crate::cli::io::transport::args::TransportArgs;

#[derive(Args, Debug)]
pub struct SignArgs {
    /// EGo enclave.json. Its presence makes you the initiator; repeat it to sign
    /// several enclaves in one ceremony (a batch).
    #[arg(long, value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// A batch file: one [[enclave]] table (name, config, optional out) per enclave,
    /// paths relative to the file (initiator; docs/ceremony.md).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "sigstruct", "out"])]
    pub batch: Option<PathBuf>,
    /// This party's share (share_N.json or share_N.json.age).
    /// (Not needed with --pkcs11-module.)
    #[arg(
        long,
        value_name = "FILE",
        default_value_os_t = PathBuf::new(),
        hide_default_value = true,
        value_parser = clap::builder::TypedValueParser::map(clap::builder::OsStringValueParser::new(), PathBuf::from)
    )]
    pub share: PathBuf,
    /// Signed output (initiator only). Default: <exe>.signed; for --sigstruct FILE,
    /// FILE.signed, FILE.signature (sgx_sign gendata) or FILE.dig.signed (Open Enclave).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// EGo installation directory. Default: $EGO_PATH, /opt/ego, then the snap.
    #[arg(long, value_name = "DIR")]
    pub ego: Option<PathBuf>,
    /// What to sign instead of an EGo enclave; makes you the initiator: a SIGSTRUCT
    /// (1808 bytes; EGo's, or Gramine's .sig), `sgx_sign gendata` output, or an Open
    /// Enclave enclave signed with a throwaway key (see docs/frameworks.md).
    #[arg(long, value_name = "FILE", conflicts_with = "config")]
    pub sigstruct: Option<PathBuf>,
    /// Parties taking part, e.g. 1,2,4 (initiator only). Default: every party.
    #[arg(long, value_name = "LIST")]
    pub signers: Option<String>,
    /// Sign without asking for confirmation (signer; needs --expect-mrenclave).
    #[arg(long)]
    pub yes: bool,
    /// Refuse unless the enclave's MRENCLAVE is this value (64 hex digits). Repeat it
    /// for a batch: each must be one of the batch's enclaves (with --yes: all of them).
    #[arg(long, value_name = "HEX")]
    pub expect_mrenclave: Vec<String>,
    /// Agree to sign an enclave with the DEBUG attribute.
    #[arg(long)]
    pub allow_debug: bool,
    /// Agree to sign a SIGSTRUCT that is not dated today (UTC, ±1 day) (signer).
    #[arg(long)]
    pub allow_any_date: bool,
    /// Accept an unsigned SIGN-INIT although your share knows the initiator's identity
    /// key: only when the initiator uses a reference-format (version 2) share (signer).
    #[arg(long)]
    pub accept_unsigned_init: bool,
    /// Replace an existing output file.
    #[arg(long)]
    pub force: bool,
    /// The signer's policy (docs/policy.md). Default: policy.toml beside the share, if any.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Offer to sign an ISVSVN below one this share signed before for the same
    /// ISVPRODID (signer; asks for a typed confirmation, and records it in the audit log).
    #[arg(long)]
    pub allow_svn_rollback: bool,
    /// Stop after MINUTES if nothing was signed (signer). A signer that declines a
    /// request keeps waiting for the next; without this it waits until the input ends
    /// (Ctrl-D) or Ctrl-C.
    #[arg(long, value_name = "MINUTES", value_parser = super::time_limit::parse_minutes)]
    pub timeout: Option<f64>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub audit: audit::AuditLogArgs,
    #[command(flatten)]
    pub pkcs11: Box<Pkcs11Args>,
}

/// One-key signing with a key in a PKCS#11 token (`sign --config … --pkcs11-module …`).
#[derive(Args, Debug)]
pub struct Pkcs11Args {
    /// Sign alone with the key in a PKCS#11 token: the module, e.g. /usr/lib/softhsm/libsofthsm2.so.
    #[arg(
        long,
        value_name = "LIB.so",
        requires_all = ["config", "key_label"],
        conflicts_with_all = ["share", "sigstruct", "signers", "expect_mrenclave", "allow_debug", "yes", "audit_log"]
    )]
    pub pkcs11_module: Option<PathBuf>,
    /// Label (CKA_LABEL) of the private key in the token.
    #[arg(long, value_name = "LABEL", requires = "pkcs11_module")]
    pub key_label: Option<String>,
    /// The token's label. Default: the only token present.
    #[arg(
        long,
        value_name = "LABEL",
        requires = "pkcs11_module",
        conflicts_with = "slot"
    )]
    pub token_label: Option<String>,
    /// The token's slot ID, decimal or 0x-hex (`softhsm2-util --show-slots`; the hex in
    /// parentheses of `pkcs11-tool --list-slots`).
    #[arg(long, value_name = "ID", requires = "pkcs11_module", value_parser = parse_slot)]
    pub slot: Option<u64>,
    /// Read the token's user PIN from the first line of FILE (else $MPCEGOSIGN_PKCS11_PIN, else the terminal).
    #[arg(long, value_name = "FILE", requires = "pkcs11_module")]
    pub pin_file: Option<PathBuf>,
    /// The signing mechanism. auto: CKM_SHA256_RSA_PKCS if the token has it, else CKM_RSA_PKCS.
    #[arg(long, value_enum, value_name = "MECHANISM", default_value_t = Pkcs11Mechanism::Auto, requires = "pkcs11_module")]
    pub pkcs11_mechanism: Pkcs11Mechanism,
}

fn parse_slot(s: &str) -> Result<u64, String> {
    let parsed = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    parsed.map_err(|_| format!("`{s}` is not a slot ID (a decimal or 0x-hex number)"))
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pkcs11Mechanism {
    Auto,
    /// CKM_SHA256_RSA_PKCS over the SIGSTRUCT's signed bytes.
    Sha256RsaPkcs,
    /// CKM_RSA_PKCS over the DigestInfo of their SHA-256.
    RsaPkcs,
}
