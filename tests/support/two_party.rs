//! A two-party keygen driven step by step through pipes, for tests of what happens
//! after the JOIN (questions, parts, refusals): the dealer in `ROOT/a`, the joiner
//! in `ROOT/b`, both with `--plaintext-share`.

use std::path::{Path, PathBuf};

use super::ceremony::{dealer_args, joiner_args};
use super::party::Party;

pub struct TwoParty {
    pub dealer: Party,
    pub joiner: Party,
    /// The dealer's output directory.
    pub a: PathBuf,
    /// The joiner's output directory.
    pub b: PathBuf,
}

/// Starts `keygen --parties 2 --out-dir ROOT/a --plaintext-share DEALER_EXTRA` and
/// `keygen --out-dir ROOT/b --plaintext-share JOINER_EXTRA`, passes the dealer's
/// KEYGEN-INIT to the joiner, and returns both with the joiner's KEYGEN-JOIN, not
/// yet given to the dealer.
pub fn to_join(root: &Path, dealer_extra: &[&str], joiner_extra: &[&str]) -> (TwoParty, String) {
    let (a, b) = (root.join("a"), root.join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let mut args = dealer_args(
        "2",
        &["--out-dir", a.to_str().unwrap(), "--plaintext-share"],
    );
    args.extend_from_slice(dealer_extra);
    let mut dealer = Party::spawn("dealer", &args, &[]);
    let init = dealer.next_message();
    let mut args = joiner_args(b.to_str().unwrap(), &["--plaintext-share"]);
    args.extend_from_slice(joiner_extra);
    let mut joiner = Party::spawn("joiner", &args, &[]);
    joiner.send_line(&init);
    let join = joiner.next_message();
    (
        TwoParty {
            dealer,
            joiner,
            a,
            b,
        },
        join,
    )
}

/// Like [`to_join`], and gives the JOIN to the dealer.
pub fn joined(root: &Path, dealer_extra: &[&str], joiner_extra: &[&str]) -> TwoParty {
    let (mut k, join) = to_join(root, dealer_extra, joiner_extra);
    k.dealer.send_line(&join);
    k
}
