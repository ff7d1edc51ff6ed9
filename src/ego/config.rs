//! EGo's `enclave.json`: decoding with Go's rules, `Config.Validate`, path resolution
//! and file contents, as `ego sign` does them (EGo v1.9 `ego/config/config.go`,
//! `ego/cli/sign.go`). Go's path rules are in `gopath`; the tests in `config/tests.rs`.

use std::path::{Path, PathBuf};

use base64::Engine;

use super::gojson::{self, name_matches, Json};
use super::gopath::{go_dir, go_join};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the EGo config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the EGo config path {0} is not valid UTF-8")]
    PathNotUtf8(PathBuf),
    #[error("the EGo config {path} is not valid JSON: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("the EGo config field {field} must be {expected}, found {found}")]
    Type {
        field: String,
        expected: &'static str,
        found: String,
    },
    /// One of EGo's own validation errors; `message` is EGo's text.
    #[error("invalid EGo config ({field}): {message}")]
    Invalid { field: String, message: String },
    #[error(
        "failed to populate embedded file content: files[{index}].source {source_path}: {error}"
    )]
    FileContent {
        index: usize,
        source_path: String,
        error: std::io::Error,
    },
}

/// A mount point (`mounts[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mount {
    pub source: String,
    pub target: String,
    pub kind: String,
    pub read_only: bool,
}

/// An environment variable (`env[]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    pub from_host: bool,
}

/// A file embedded into the enclave (`files[]`); `content` is its base64 text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct File {
    pub content: String,
    pub source: String,
    pub target: String,
}

/// EGo's `config.Config`. `None` lists are absent or `null` in the file (marshalled as
/// `null`); `Some(vec![])` is `[]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnclaveConfig {
    pub exe: String,
    pub key: String,
    pub debug: bool,
    pub heap_size: i64,
    pub executable_heap: bool,
    pub product_id: i64,
    pub security_version: i64,
    pub mounts: Option<Vec<Mount>>,
    pub env: Option<Vec<EnvVar>>,
    pub files: Option<Vec<File>>,
}

/// Warnings EGo prints while validating (it signs anyway).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Warnings(pub Vec<String>);

impl EnclaveConfig {
    /// Loads the config as `ego sign PATH` does: decode, validate, resolve `exe` and
    /// `key` against the config's directory (Go's `filepath.Join(filepath.Dir(path), …)`),
    /// then read every `files[].source` (relative to the current directory, as EGo
    /// does) into its base64 `content`.
    ///
    /// `path` must be spelled as it would be given to `ego sign`: the resolved `exe`
    /// and `key` strings are embedded into the enclave and measured.
    pub fn load(path: &Path) -> Result<(Self, Warnings), ConfigError> {
        let bytes = crate::fsutil::read_regular(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let path_str = path
            .to_str()
            .ok_or_else(|| ConfigError::PathNotUtf8(path.to_owned()))?;
        let mut conf = Self::from_json(&bytes).map_err(|e| match e {
            ConfigError::Syntax { message, .. } => ConfigError::Syntax {
                path: path.to_owned(),
                message,
            },
            other => other,
        })?;
        let warnings = conf.validate()?;
        let dir = go_dir(path_str);
        conf.exe = go_join(&dir, &conf.exe);
        conf.key = go_join(&dir, &conf.key);
        conf.populate_content(Path::new("."))?;
        Ok((conf, warnings))
    }

    /// Decodes `enclave.json` bytes with the rules of Go's `json.Unmarshal` into EGo's
    /// struct (unknown members ignored, member names matched case-insensitively, the
    /// last duplicate wins, `null` leaves a scalar as it is and sets a list to `null`).
    pub fn from_json(bytes: &[u8]) -> Result<Self, ConfigError> {
        let json = gojson::parse(bytes).map_err(|e| ConfigError::Syntax {
            path: PathBuf::new(),
            message: e.to_string(),
        })?;
        let mut c = EnclaveConfig::default();
        let members = match json {
            Json::Null => return Ok(c),
            Json::Object(m) => m,
            other => return Err(type_err("(top level)", "an object", &other)),
        };
        for (name, value) in members {
            let Some(field) = FIELDS
                .iter()
                .find(|f| name == **f)
                .or_else(|| FIELDS.iter().find(|f| name_matches(&name, f)))
            else {
                continue;
            };
            match *field {
                "exe" => set_string(&mut c.exe, "exe", value)?,
                "key" => set_string(&mut c.key, "key", value)?,
                "debug" => set_bool(&mut c.debug, "debug", value)?,
                "heapSize" => set_int(&mut c.heap_size, "heapSize", value)?,
                "executableHeap" => set_bool(&mut c.executable_heap, "executableHeap", value)?,
                "productID" => set_int(&mut c.product_id, "productID", value)?,
                "securityVersion" => set_int(&mut c.security_version, "securityVersion", value)?,
                "mounts" => c.mounts = list(value, "mounts", mount)?,
                "env" => c.env = list(value, "env", env_var)?,
                _ => c.files = list(value, "files", file)?,
            }
        }
        Ok(c)
    }

    /// EGo's `Config.Validate`, with its messages; returns its warnings.
    pub fn validate(&self) -> Result<Warnings, ConfigError> {
        let invalid = |field: &str, message: String| ConfigError::Invalid {
            field: field.to_owned(),
            message,
        };
        let mut warnings = Vec::new();
        if self.heap_size == 0 {
            return Err(invalid(
                "heapSize",
                "heapSize not set in config file".into(),
            ));
        }
        if self.exe.is_empty() {
            return Err(invalid("exe", "exe not set in config file".into()));
        }
        if self.key.is_empty() {
            return Err(invalid("key", "key not set in config file".into()));
        }
        let mut targets = std::collections::HashSet::new();
        for (i, m) in self.mounts.iter().flatten().enumerate() {
            let field = format!("mounts[{i}]");
            if m.target.is_empty() {
                return Err(invalid(
                    &field,
                    "missing target for mount declaration".into(),
                ));
            }
            if targets.contains(&m.target) {
                return Err(invalid(
                    &field,
                    format!("mount target '{}' was defined multiple times", m.target),
                ));
            }
            if m.kind.is_empty() {
                return Err(invalid(
                    &field,
                    format!("missing type for mount target '{}'", m.target),
                ));
            }
            if m.kind == "hostfs" && m.source.is_empty() {
                // EGo's message lacks the closing quote.
                return Err(invalid(
                    &field,
                    format!("no source given for mount target '{}", m.target),
                ));
            }
            if m.kind != "hostfs" && m.kind != "memfs" {
                return Err(invalid(
                    &field,
                    format!("an invalid mount type was specified: {}", m.kind),
                ));
            }
            if m.kind == "memfs" && !m.source.is_empty() && m.source != "/" {
                warnings.push(format!("'{}': The mount point of type 'memfs' specified a source directory, will be ignored.", m.target));
            }
            if m.kind == "memfs" && m.read_only {
                warnings.push(format!("'{}': The mount point of type 'memfs' is set as read-only, making it effectively useless. Check your configuration.", m.target));
            }
            if m.target == "/" && m.kind == "hostfs" {
                warnings.push(format!("'{}' is defined as 'hostfs'. This might be insecure, please make sure you explicitly allow the paths you want to expose to the enclave.", m.target));
            }
            targets.insert(m.target.clone());
        }
        let mut names = std::collections::HashSet::new();
        for (i, e) in self.env.iter().flatten().enumerate() {
            let field = format!("env[{i}]");
            if e.name.is_empty() {
                return Err(invalid(
                    &field,
                    "missing name for environment variable definition in config".into(),
                ));
            }
            if e.name.contains('=') {
                return Err(invalid(
                    &field,
                    format!(
                        "'{}': = is a disallowed character for the environment variable name",
                        e.name
                    ),
                ));
            }
            if !e.from_host && e.value.is_empty() {
                warnings.push(format!("'{}': Trying to initialize an environment variable without a value specified, nor copying it from the host system. Will be ignored.", e.name));
            }
            if names.contains(&e.name) {
                // EGo's message has this spelling.
                return Err(invalid(
                    &field,
                    format!(
                        "envrionment variable '{}' was defined multiple times",
                        e.name
                    ),
                ));
            }
            names.insert(e.name.clone());
        }
        Ok(Warnings(warnings))
    }

    /// Reads every file's `source` (relative paths against `base`) into its base64
    /// `content`, replacing any `content` the JSON had, as EGo's `PopulateContent`.
    pub fn populate_content(&mut self, base: &Path) -> Result<(), ConfigError> {
        for (index, f) in self.files.iter_mut().flatten().enumerate() {
            let data = crate::fsutil::read_regular(&base.join(&f.source)).map_err(|error| {
                ConfigError::FileContent {
                    index,
                    source_path: f.source.clone(),
                    error,
                }
            })?;
            f.content = base64::engine::general_purpose::STANDARD.encode(data);
        }
        Ok(())
    }

    /// Heap pages as EGo writes them into the oesign `.conf`: heapSize MiB / 4 KiB.
    pub fn num_heap_pages(&self) -> i64 {
        self.heap_size.wrapping_mul(1024 * 1024) / 4096
    }
}

const FIELDS: [&str; 10] = [
    "exe",
    "key",
    "debug",
    "heapSize",
    "executableHeap",
    "productID",
    "securityVersion",
    "mounts",
    "env",
    "files",
];

fn type_err(field: &str, expected: &'static str, found: &Json) -> ConfigError {
    ConfigError::Type {
        field: field.to_owned(),
        expected,
        found: found.kind().to_owned(),
    }
}

fn set_string(dst: &mut String, field: &str, v: Json) -> Result<(), ConfigError> {
    match v {
        Json::Null => Ok(()),
        Json::String(s) => {
            *dst = s;
            Ok(())
        }
        other => Err(type_err(field, "a string", &other)),
    }
}

fn set_bool(dst: &mut bool, field: &str, v: Json) -> Result<(), ConfigError> {
    match v {
        Json::Null => Ok(()),
        Json::Bool(b) => {
            *dst = b;
            Ok(())
        }
        other => Err(type_err(field, "true or false", &other)),
    }
}

fn set_int(dst: &mut i64, field: &str, v: Json) -> Result<(), ConfigError> {
    match v {
        Json::Null => Ok(()),
        Json::Number(n) => {
            let integer = n
                .strip_prefix('-')
                .unwrap_or(&n)
                .bytes()
                .all(|b| b.is_ascii_digit());
            *dst = n.parse::<i64>().map_err(|_| ConfigError::Type {
                field: field.to_owned(),
                // Go refuses a fraction or exponent for an integer field, and an
                // integer that does not fit.
                expected: if integer {
                    "an integer from -9223372036854775808 to 9223372036854775807"
                } else {
                    "an integer (without a fraction or exponent)"
                },
                found: n.clone(),
            })?;
            Ok(())
        }
        other => Err(type_err(field, "an integer", &other)),
    }
}

fn list<T: Default>(
    v: Json,
    field: &str,
    item: fn(&mut T, &str, Json) -> Result<(), ConfigError>,
) -> Result<Option<Vec<T>>, ConfigError> {
    match v {
        Json::Null => Ok(None),
        Json::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, j) in items.into_iter().enumerate() {
                let mut t = T::default();
                item(&mut t, &format!("{field}[{i}]"), j)?;
                out.push(t);
            }
            Ok(Some(out))
        }
        other => Err(type_err(field, "a list", &other)),
    }
}

/// Decodes the members of one list element (an object, or `null` for a zero value).
fn members(
    field: &str,
    v: Json,
    names: &[&'static str],
    mut set: impl FnMut(&'static str, String, Json) -> Result<(), ConfigError>,
) -> Result<(), ConfigError> {
    let members = match v {
        Json::Null => return Ok(()),
        Json::Object(m) => m,
        other => return Err(type_err(field, "an object", &other)),
    };
    for (name, value) in members {
        let hit = names
            .iter()
            .find(|f| name == **f)
            .or_else(|| names.iter().find(|f| name_matches(&name, f)));
        if let Some(f) = hit {
            set(f, format!("{field}.{f}"), value)?;
        }
    }
    Ok(())
}

fn mount(m: &mut Mount, field: &str, v: Json) -> Result<(), ConfigError> {
    members(
        field,
        v,
        &["source", "target", "type", "readOnly"],
        |f, path, v| match f {
            "source" => set_string(&mut m.source, &path, v),
            "target" => set_string(&mut m.target, &path, v),
            "type" => set_string(&mut m.kind, &path, v),
            _ => set_bool(&mut m.read_only, &path, v),
        },
    )
}

fn env_var(e: &mut EnvVar, field: &str, v: Json) -> Result<(), ConfigError> {
    members(
        field,
        v,
        &["name", "value", "fromHost"],
        |f, path, v| match f {
            "name" => set_string(&mut e.name, &path, v),
            "value" => set_string(&mut e.value, &path, v),
            _ => set_bool(&mut e.from_host, &path, v),
        },
    )
}

fn file(x: &mut File, field: &str, v: Json) -> Result<(), ConfigError> {
    members(
        field,
        v,
        &["content", "source", "target"],
        |f, path, v| match f {
            "content" => set_string(&mut x.content, &path, v),
            "source" => set_string(&mut x.source, &path, v),
            _ => set_string(&mut x.target, &path, v),
        },
    )
}

#[cfg(test)]
mod tests;
