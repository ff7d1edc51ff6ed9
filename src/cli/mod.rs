//! Command-line layer: the top-level clap definition (`Cli`, `Command`) and the
//! dispatch to [`commands`] (one module per subcommand, each holding its own
//! arguments, so no command imports this file), above [`io`] (terminal,
//! transports, files), which never imports a command; [`error`] is the one-line error
//! both use. The library below never touches the terminal.

pub mod commands;
mod error;
pub mod io;

use clap::{CommandFactory, Parser, Subcommand};

use commands::{audit, completions, policy, qr_more, selftest, share};
pub use error::CliError;

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
    Sign(commands::sign::SignArgs),
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
    /// New shares of the same key for every holder (same t and n): old shares stop working with new ones.
    Refresh(commands::refresh::RefreshArgs),
    Demo(commands::demo::DemoArgs),
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
                | Command::Refresh(_)
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
        Command::Refresh(a) => commands::refresh::run(a),
        Command::Demo(a) => commands::demo::run(a),
    }
}
