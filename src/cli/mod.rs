//! Command-line layer: the top-level clap definition (`Cli`, `Command`) and the
//! dispatch to [`commands`] (one module per subcommand, each holding its own
//! arguments, so no command imports this file), above [`io`] (terminal,
//! transports, files), which never imports a command; [`error`] is the one-line error
//! both use. The library below never touches the terminal.

pub mod commands;
mod error;
pub mod io;

use std::path::PathBuf;

use clap::{Args, CommandFactory, Parser, Subcommand};

use commands::{audit, completions, policy, qr_more, selftest, share};
pub use error::CliError;
use io::terminal::passphrase::PassphraseArgs;
use io::transport::args::TransportArgs;

/// Threshold (t-of-n) signing of EGo SGX enclaves: no single person can sign alone.
#[derive(Parser, Debug)]
#[command(
    name = "mpcegosign",
    version = mpcegosign::build_info::short_version(),
    long_version = mpcegosign::build_info::long_version(),
    about,
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Create a t-of-n key and hand every party its share (initiator: --parties N; joiner: no flags).
    Keygen(commands::keygen::KeygenArgs),
    /// Sign an enclave together (initiator: --config; signer: --share only).
    Sign(SignArgs),
    /// Print MRSIGNER (SHA-256 of the little-endian modulus) of a public key or a signed enclave.
    Signerid(commands::signerid::SigneridArgs),
    /// Check a signed enclave's SIGSTRUCT: headers, signature, Q1/Q2, and optionally the key.
    Verify(commands::verify::VerifyArgs),
    /// One-key signing, step 1: measure an EGo enclave and write what an HSM, KMS or openssl signs.
    Prepare(commands::prepare::PrepareArgs),
    /// One-key signing, step 2: store the outside signature and write the verified signed enclave.
    Finish(commands::finish::FinishArgs),
    /// Manage share files: encrypt, change passphrase, show info, decrypt, paper backup and restore.
    Share(share::ShareArgs),
    /// A signer's policy (policy.toml) and SVN anti-rollback: check a SIGN-INIT without signing.
    Policy(policy::PolicyArgs),
    /// List the cameras that `--transport qr` can scan with.
    Cameras,
    /// Write more QR frames of a message already written with --qr-out, when a
    /// receiver lost too many (it prints this command).
    QrMore(qr_more::QrMoreArgs),
    /// Dry run on the signing machine: open the share, make a test partial, check
    /// the public key, scan a test QR; one ✓/✗ line per step.
    Selftest(selftest::SelftestArgs),
    /// Print a shell completion script (bash, zsh or fish) to stdout.
    Completions(completions::CompletionsArgs),
    /// Print the man page (roff) to stdout: `mpcegosign manpage > mpcegosign.1`.
    Manpage(completions::ManpageArgs),
    /// The audit log of ceremonies: verify it, show its signings, export the public roster.
    Audit(audit::AuditArgs),
    /// Give shares to one holder, who writes the whole key (age-encrypted PEM): the way out to an HSM or `ego sign`.
    Recover(commands::recover::RecoverArgs),
    /// The same key to a new roster or threshold: gather t shares (others run `recover --give`), then deal as keygen.
    Reshare(commands::reshare::ReshareArgs),
    Demo(commands::demo::DemoArgs),
}

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
    #[arg(long, value_name = "MINUTES", value_parser = commands::sign::time_limit::parse_minutes)]
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

impl Command {
    /// Whether the command reads a share, a passphrase or a private key (the hardening
    /// warning matters only then).
    pub fn handles_secrets(&self) -> bool {
        matches!(
            self,
            Command::Keygen(_)
                | Command::Sign(_)
                | Command::Share(_)
                | Command::Selftest(_)
                | Command::Audit(_)
                | Command::Policy(_)
                | Command::Recover(_)
                | Command::Reshare(_)
        )
    }
}

pub fn run(cli: Cli) -> Result<(), CliError> {
    use commands::{finish, keygen, prepare, sign, signerid, verify};
    match cli.command {
        Command::Keygen(a) => match &a.resume {
            Some(path) => keygen::resume::run(&a, path),
            None => keygen::run(a),
        },
        Command::Sign(a) => sign::run(a),
        Command::Signerid(a) => signerid::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Prepare(a) => prepare::run(a),
        Command::Finish(a) => finish::run(a),
        Command::Share(a) => share::run(a),
        Command::Policy(a) => policy::run(a),
        Command::Cameras => commands::cameras::list_cameras(),
        Command::QrMore(a) => qr_more::run(a),
        Command::Selftest(a) => selftest::run(a),
        Command::Completions(a) => completions::completions(a, Cli::command()),
        Command::Manpage(a) => completions::manpage(a, Cli::command()),
        Command::Audit(a) => audit::run(a),
        Command::Recover(a) => commands::recover::run(a),
        Command::Reshare(a) => commands::reshare::run(a),
        Command::Demo(a) => commands::demo::run(a),
    }
}
