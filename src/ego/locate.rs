//! Finding the EGo installation the initiator signs with: `--ego DIR`, then
//! `EGO_PATH`, then `/opt/ego` (the .deb), then `/snap/ego-dev/current/opt/ego`.
//! `finish` uses the one its request names, unless `--ego` is given.

use std::path::{Path, PathBuf};

use super::checks::Runtime;

pub const DEFAULT_ROOTS: [&str; 2] = ["/opt/ego", "/snap/ego-dev/current/opt/ego"];
pub const OESIGN: &str = "bin/ego-oesign";
pub const ENCLAVE: &str = "share/ego-enclave";
pub const ENCLAVE_FIPS: &str = "share/ego-enclave-fips140";
pub const SYMCRYPT: &str = "share/libsymcrypt.so.103";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LocateError {
    #[error("no EGo installation found: looked for {oesign} in {}; install EGo, or pass --ego DIR or set EGO_PATH", list(.looked))]
    NotFound {
        oesign: &'static str,
        looked: Vec<PathBuf>,
    },
    #[error("the request was prepared with EGo at {}, which is gone (no {}); reinstall EGo there, or pass --ego DIR", .root.display(), .root.join(OESIGN).display())]
    Gone { root: PathBuf },
    #[error("the request names EGo at {}, but {} is writable by other users (mode {mode:o}), so its ego-oesign could be anyone's; fix the permissions (chmod go-w), or pass --ego DIR", .root.display(), .path.display())]
    Writable {
        root: PathBuf,
        path: PathBuf,
        mode: u32,
    },
    #[error("EGo at {root} has no {what} {missing}; reinstall EGo")]
    NoRuntime {
        root: PathBuf,
        /// "runtime image", or what else the runtime image needs.
        what: &'static str,
        missing: PathBuf,
    },
}

fn list(p: &[PathBuf]) -> String {
    p.iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Where EGo is looked for; `from_env` reads `EGO_PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub ego_path: Option<PathBuf>,
    pub defaults: Vec<PathBuf>,
}

impl Search {
    pub fn from_env() -> Self {
        Search {
            ego_path: std::env::var_os("EGO_PATH")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            defaults: DEFAULT_ROOTS.iter().map(PathBuf::from).collect(),
        }
    }
}

/// An EGo installation root holding `bin/ego-oesign`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EgoInstall {
    pub root: PathBuf,
}

impl EgoInstall {
    /// `--ego DIR` if given (and only it), else `EGO_PATH`, `/opt/ego`, the snap.
    pub fn locate(explicit: Option<&Path>) -> Result<Self, LocateError> {
        Self::locate_in(explicit, &Search::from_env())
    }

    pub fn locate_in(explicit: Option<&Path>, search: &Search) -> Result<Self, LocateError> {
        let candidates: Vec<PathBuf> = match explicit {
            Some(p) => vec![p.to_owned()],
            None => search
                .ego_path
                .iter()
                .chain(search.defaults.iter())
                .cloned()
                .collect(),
        };
        for root in &candidates {
            if root.join(OESIGN).is_file() {
                return Ok(EgoInstall { root: root.clone() });
            }
        }
        Err(LocateError::NotFound {
            oesign: OESIGN,
            looked: candidates.iter().map(|r| r.join(OESIGN)).collect(),
        })
    }

    /// The installation a request recorded (`prepare` measured with it): only it, so
    /// that `finish` measures with the same EGo whatever `EGO_PATH` says now.
    ///
    /// A request is a file that may have travelled, and it names the program `finish`
    /// runs: so `ego-oesign` and the directories above it up to the root must not be
    /// writable by other users (as a planted copy in `/tmp` would be).
    pub fn recorded(root: &Path) -> Result<Self, LocateError> {
        use std::os::unix::fs::PermissionsExt;
        let oesign = root.join(OESIGN);
        if !oesign.is_file() {
            return Err(LocateError::Gone {
                root: root.to_owned(),
            });
        }
        let bin = root.join("bin");
        for path in [oesign.as_path(), bin.as_path(), root] {
            let mode = std::fs::metadata(path)
                .map(|m| m.permissions().mode())
                .unwrap_or(0o777);
            if mode & 0o022 != 0 {
                return Err(LocateError::Writable {
                    root: root.to_owned(),
                    path: path.to_owned(),
                    mode: mode & 0o7777,
                });
            }
        }
        Ok(EgoInstall {
            root: root.to_owned(),
        })
    }

    pub fn oesign(&self) -> PathBuf {
        self.root.join(OESIGN)
    }

    /// The runtime image for `runtime`, checked to exist (with `libsymcrypt.so.103`
    /// beside the FIPS image).
    pub fn runtime_image(&self, runtime: Runtime) -> Result<PathBuf, LocateError> {
        const IMAGE: &str = "runtime image";
        let (image, needed): (&str, &[(&str, &'static str)]) = match runtime {
            Runtime::Standard => (ENCLAVE, &[(ENCLAVE, IMAGE)]),
            Runtime::Fips140 => (
                ENCLAVE_FIPS,
                &[
                    (ENCLAVE_FIPS, IMAGE),
                    (
                        SYMCRYPT,
                        "SymCrypt library (needed by the FIPS 140 runtime image)",
                    ),
                ],
            ),
        };
        for (rel, what) in needed {
            let p = self.root.join(rel);
            if !p.is_file() {
                return Err(LocateError::NoRuntime {
                    root: self.root.clone(),
                    what,
                    missing: p,
                });
            }
        }
        Ok(self.root.join(image))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn install(dir: &Path, files: &[&str]) {
        for f in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, b"x").unwrap();
        }
    }

    #[test]
    fn order_and_errors() {
        let t = tempfile::tempdir().unwrap();
        let (a, b, c) = (t.path().join("a"), t.path().join("b"), t.path().join("c"));
        install(&b, &[OESIGN, ENCLAVE]);
        install(&c, &[OESIGN, ENCLAVE_FIPS]);
        let s = Search {
            ego_path: Some(a.clone()),
            defaults: vec![b.clone(), c.clone()],
        };
        assert_eq!(EgoInstall::locate_in(None, &s).unwrap().root, b);
        assert_eq!(EgoInstall::locate_in(Some(&c), &s).unwrap().root, c);
        let s2 = Search {
            ego_path: Some(c.clone()),
            defaults: vec![b.clone()],
        };
        assert_eq!(EgoInstall::locate_in(None, &s2).unwrap().root, c);
        let err = EgoInstall::locate_in(Some(&a), &s).unwrap_err();
        assert_eq!(err.to_string().matches(OESIGN).count(), 2);
        let none = Search {
            ego_path: Some(a.clone()),
            defaults: vec![t.path().join("d")],
        };
        let msg = EgoInstall::locate_in(None, &none).unwrap_err().to_string();
        assert!(msg.contains(&a.join(OESIGN).display().to_string()), "{msg}");
        assert!(
            msg.contains("d/bin/ego-oesign") && msg.contains("EGO_PATH"),
            "{msg}"
        );

        let ego_b = EgoInstall { root: b.clone() };
        assert_eq!(
            ego_b.runtime_image(Runtime::Standard).unwrap(),
            b.join(ENCLAVE)
        );
        assert!(ego_b.runtime_image(Runtime::Fips140).is_err());
        let ego_c = EgoInstall { root: c.clone() };
        let err = ego_c.runtime_image(Runtime::Fips140).unwrap_err();
        assert_eq!(
            err,
            LocateError::NoRuntime {
                root: c.clone(),
                what: "SymCrypt library (needed by the FIPS 140 runtime image)",
                missing: c.join(SYMCRYPT)
            }
        );
        assert!(!err.to_string().contains("runtime image share"), "{err}");
        let err = ego_b
            .runtime_image(Runtime::Fips140)
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no runtime image"), "{err}");

        assert_eq!(EgoInstall::recorded(&b).unwrap().root, b);
        use std::os::unix::fs::PermissionsExt;
        let perm = |p: &Path, mode: u32| {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap()
        };
        perm(&b.join("bin"), 0o777);
        let err = EgoInstall::recorded(&b).unwrap_err();
        assert_eq!(
            err,
            LocateError::Writable {
                root: b.clone(),
                path: b.join("bin"),
                mode: 0o777
            }
        );
        assert!(err.to_string().contains("writable by other users"), "{err}");
        perm(&b.join("bin"), 0o755);
        perm(&b.join(OESIGN), 0o664);
        assert!(EgoInstall::recorded(&b).is_err());
        perm(&b.join(OESIGN), 0o755);
        assert!(EgoInstall::recorded(&b).is_ok());
        let gone = EgoInstall::recorded(&a).unwrap_err().to_string();
        assert!(
            gone.contains("is gone") && gone.contains(&a.join(OESIGN).display().to_string()),
            "{gone}"
        );
    }
}
