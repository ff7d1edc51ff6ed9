//! Where keygen leaves each party's share: `share_P.json` (or `share_P.json.age`,
//! encrypted) in party P's output directory; [`super::ceremony::keygen`] returns
//! those directories in party order.

use std::path::{Path, PathBuf};

/// `DIR/share_P.json`: the plaintext share of `party` in its output directory.
pub fn share_file(dir: &Path, party: u8) -> PathBuf {
    dir.join(format!("share_{party}.json"))
}

/// The plaintext share of `party` among keygen's directories (`dirs[party - 1]`).
pub fn party_share(dirs: &[PathBuf], party: u8) -> PathBuf {
    share_file(&dirs[usize::from(party) - 1], party)
}

/// The encrypted share (`share_P.json.age`) of `party` among keygen's directories.
pub fn party_share_age(dirs: &[PathBuf], party: u8) -> PathBuf {
    dirs[usize::from(party) - 1].join(format!("share_{party}.json.age"))
}
