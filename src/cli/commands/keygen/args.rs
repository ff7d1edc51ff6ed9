//! `keygen`'s arguments (clap).

use std::path::PathBuf;

use clap::Args;

use crate::cli::commands::audit;
use crate::cli::io::terminal::passphrase::PassphraseArgs;
use crate::cli::io::transport::args::TransportArgs;

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Total number of parties (initiator only; its presence makes you the initiator).
    #[arg(long, value_name = "N")]
    pub parties: Option<u8>,
    /// Minimum number of parties needed to sign. Default: N (all parties).
    #[arg(long, value_name = "T", requires = "parties")]
    pub threshold: Option<u8>,
    /// Directory to save the share and public key in.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: PathBuf,
    /// Deal an existing EGo private key (PKCS#1 or PKCS#8 PEM) instead of a fresh one.
    /// Without --scheme, a key whose primes are safe is dealt as shoup3, any other
    /// as subsets (said on screen).
    #[arg(long, value_name = "PEM", requires = "parties")]
    pub import: Option<PathBuf>,
    /// Threshold scheme: shoup3 (one share per party, verifiable dealing; needs a key
    /// from safe primes, which takes longer to generate) or subsets (the reference's
    /// scheme: one sub-share per t-subset). Default: shoup3 for a new key.
    #[arg(long, value_enum, requires = "parties")]
    pub scheme: Option<SchemeArg>,
    /// Skip the confirmation that all fingerprints were compared (automation only).
    #[arg(long)]
    pub yes: bool,
    /// Write the share as plain JSON (share_N.json) instead of age-encrypted share_N.json.age.
    #[arg(long)]
    pub plaintext_share: bool,
    /// Replace existing share and public key files.
    #[arg(long)]
    pub force: bool,
    /// Finish a keygen interrupted at its key-code question: show the key code of the
    /// unconfirmed share (share_N.unconfirmed-<session code>.json[.age], or the only
    /// one in DIR), ask the question again, then save it as share_N.json[.age] or
    /// delete it.
    #[arg(
        long,
        value_name = "FILE|DIR",
        conflicts_with_all = ["parties", "plaintext_share", "force", "out_dir"]
    )]
    pub resume: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
    #[command(flatten)]
    pub transport: TransportArgs,
    #[command(flatten)]
    pub audit: audit::AuditLogArgs,
}

/// The threshold schemes `keygen --scheme` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemeArg {
    /// Shoup's threshold RSA adapted to e = 3: one share per party at any t-of-n.
    Shoup3,
    /// The reference's redundant additive sharing: one sub-share per t-subset.
    Subsets,
}
