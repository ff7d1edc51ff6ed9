//! The batch file of `sign --batch release.toml`: one `[[enclave]]` table per enclave
//! (`name`, `config`, optional `out`), paths relative to the file's folder; unknown
//! keys and tables are refused in one line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::error::{io_error, CliError};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    enclave: Vec<RawEnclave>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEnclave {
    name: String,
    config: PathBuf,
    out: Option<PathBuf>,
}

/// One enclave of a batch: a name for the table, its EGo config, where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    pub name: String,
    pub config: PathBuf,
    /// Default: `<exe>.signed`, as for one enclave.
    pub out: Option<PathBuf>,
}

/// Parses the text of a batch file at `path` (relative paths resolved against its folder).
pub fn parse(text: &str, path: &Path) -> Result<Vec<BatchEntry>, CliError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let msg = e.message().lines().next().unwrap_or("").trim().to_string();
        let at = line.map(|l| format!(" line {l}:")).unwrap_or_default();
        CliError::new(format!("{}:{at} {msg}", path.display()))
            .hint("each [[enclave]] has name, config and optionally out (docs/ceremony.md)")
    })?;
    if raw.enclave.is_empty() {
        return Err(CliError::new(format!(
            "{}: no [[enclave]] table; a batch lists 2 to 16 enclaves",
            path.display()
        )));
    }
    let base = path.parent().unwrap_or(Path::new(""));
    let mut names = std::collections::BTreeSet::new();
    raw.enclave
        .into_iter()
        .map(|e| {
            if e.name.trim().is_empty() || !names.insert(e.name.clone()) {
                return Err(CliError::new(format!(
                    "{}: enclave name `{}` is empty or used twice; give each [[enclave]] its own name",
                    path.display(),
                    e.name
                )));
            }
            Ok(BatchEntry {
                name: e.name,
                config: base.join(e.config),
                out: e.out.map(|o| base.join(o)),
            })
        })
        .collect()
}

/// Reads and parses the batch file at `path`.
pub fn load(path: &Path) -> Result<Vec<BatchEntry>, CliError> {
    let text =
        mpcegosign::fsutil::read_regular_string(path).map_err(|e| io_error("read", path, &e))?;
    parse(&text, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_device_as_the_batch_file_is_refused_not_read() {
        let err = super::load(Path::new("/dev/zero")).unwrap_err().to_string();
        assert!(err.contains("character device"), "{err}");
    }

    #[test]
    fn paths_are_relative_to_the_file_and_out_is_optional() {
        let text = "[[enclave]]\nname = \"api\"\nconfig = \"api/enclave.json\"\nout = \"api.signed\"\n\n[[enclave]]\nname = \"worker\"\nconfig = \"/abs/w.json\"\n";
        let got = parse(text, Path::new("rel/release.toml")).unwrap();
        assert_eq!(got[0].config, Path::new("rel/api/enclave.json"));
        assert_eq!(got[0].out.as_deref(), Some(Path::new("rel/api.signed")));
        assert_eq!(got[1].config, Path::new("/abs/w.json"));
        assert_eq!(got[1].out, None);
    }

    #[test]
    fn unknown_keys_and_repeated_names_are_refused_in_one_line() {
        let unknown = "[[enclave]]\nname = \"a\"\nconfig = \"a.json\"\nsvn = 3\n";
        let e = parse(unknown, Path::new("r.toml")).unwrap_err().to_string();
        assert!(e.contains("line 4") && e.contains("svn"), "{e}");
        assert!(!e.trim_end().contains('\n'), "{e}");
        let twice = "[[enclave]]\nname = \"a\"\nconfig = \"a.json\"\n[[enclave]]\nname = \"a\"\nconfig = \"b.json\"\n";
        let e = parse(twice, Path::new("r.toml")).unwrap_err().to_string();
        assert!(e.contains("used twice"), "{e}");
        let e = parse("[other]\n", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("other"), "{e}");
    }
}
