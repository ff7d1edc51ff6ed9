//! Shares saved before their key code was confirmed: a keygen writes its share as
//! `share_N.unconfirmed-<session code>.json[.age]` (mode 0600) before the KEYGEN-FINALIZE
//! goes out or the key-code question is asked, so that an interruption loses nothing.
//! Here: those names, finding such files in a directory, and the one line that
//! announces them on every later run (`keygen`, `sign`, `share info`, …).

use std::path::{Path, PathBuf};

const MARK: &str = ".unconfirmed-";

/// What an unconfirmed share's file name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub party: u8,
    /// The keygen's session code, `XXXX-XXXX-XXXX-XXXX`.
    pub session: String,
    pub encrypted: bool,
}

impl Name {
    pub fn file_name(&self) -> String {
        format!(
            "share_{}{MARK}{}.json{}",
            self.party,
            self.session,
            self.ext()
        )
    }
    /// The name the share gets once its key code is confirmed.
    pub fn final_name(&self) -> String {
        format!("share_{}.json{}", self.party, self.ext())
    }
    fn ext(&self) -> &'static str {
        if self.encrypted {
            ".age"
        } else {
            ""
        }
    }

    /// Reads a file name of the form [`Name::file_name`] writes; `None` for any other.
    pub fn parse(file_name: &str) -> Option<Name> {
        let rest = file_name.strip_prefix("share_")?;
        let (digits, rest) = rest.split_once(MARK)?;
        let party: u8 = digits.parse().ok()?;
        // `parse` accepts "+1" and "01"; only the canonical spelling names a share.
        if party == 0 || party.to_string() != digits {
            return None;
        }
        let (session, encrypted) = match rest.strip_suffix(".json.age") {
            Some(s) => (s, true),
            None => (rest.strip_suffix(".json")?, false),
        };
        let groups: Vec<&str> = session.split('-').collect();
        let well_formed = groups.len() == 4
            && groups.iter().all(|g| {
                g.len() == 4
                    && g.bytes()
                        .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
            });
        well_formed.then(|| Name {
            party,
            session: session.to_string(),
            encrypted,
        })
    }
}

/// The unconfirmed shares in `dir`, sorted by name (none if it cannot be listed).
pub fn find(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|e| Name::parse(&e.file_name().to_string_lossy()).is_some())
        .map(|e| e.path())
        .collect();
    found.sort();
    found
}

/// What to run about an unconfirmed share.
pub fn what_to_run(path: &Path) -> String {
    format!(
        "run `mpcegosign keygen --resume {}` to compare its key code with the group and keep it or delete it",
        path.display()
    )
}

/// The note an interruption prints for a kept unconfirmed share.
pub fn kept_note(path: &Path) -> String {
    format!(
        "the unconfirmed share {} (its key code was not confirmed): {}",
        path.display(),
        what_to_run(path)
    )
}

/// One line on stderr for each unconfirmed share in `dir`.
pub fn announce(dir: &Path) {
    for p in find(dir) {
        eprintln!(
            "mpcegosign: note: {} is a share from an interrupted keygen whose key code was never confirmed; {}",
            p.display(),
            what_to_run(&p)
        );
    }
}

/// The directory a file is in (`.` for a bare name).
pub fn dir_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_nothing_else_parses() {
        let n = Name {
            party: 12,
            session: "0A1B-2C3D-4E5F-6789".into(),
            encrypted: true,
        };
        assert_eq!(
            n.file_name(),
            "share_12.unconfirmed-0A1B-2C3D-4E5F-6789.json.age"
        );
        assert_eq!(n.final_name(), "share_12.json.age");
        assert_eq!(Name::parse(&n.file_name()), Some(n.clone()));
        let plain = Name {
            encrypted: false,
            ..n
        };
        assert_eq!(Name::parse(&plain.file_name()), Some(plain));
        for bad in [
            "share_1.json",
            "share_1.json.age",
            "share_0.unconfirmed-0A1B-2C3D-4E5F-6789.json",
            "share_01.unconfirmed-0A1B-2C3D-4E5F-6789.json",
            "share_+1.unconfirmed-0A1B-2C3D-4E5F-6789.json",
            "share_256.unconfirmed-0A1B-2C3D-4E5F-6789.json",
            "share_1.unconfirmed-0a1b-2C3D-4E5F-6789.json",
            "share_1.unconfirmed-0A1B-2C3D-4E5F.json",
            "share_1.unconfirmed-0A1B-2C3D-4E5F-6789.json.tmp",
            "share_1.unconfirmed-0A1B-2C3D-4E5F-67890.json",
            ".share_1.unconfirmed-0A1B-2C3D-4E5F-6789.json",
        ] {
            assert_eq!(Name::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn only_unconfirmed_regular_files_are_found() {
        let tmp = tempfile::tempdir().unwrap();
        let name = "share_3.unconfirmed-0A1B-2C3D-4E5F-6789.json";
        std::fs::write(tmp.path().join(name), b"x").unwrap();
        std::fs::write(tmp.path().join("share_3.json"), b"x").unwrap();
        std::fs::create_dir(
            tmp.path()
                .join("share_4.unconfirmed-0A1B-2C3D-4E5F-6789.json"),
        )
        .unwrap();
        assert_eq!(find(tmp.path()), vec![tmp.path().join(name)]);
        assert!(find(&tmp.path().join("missing")).is_empty());
    }
}
