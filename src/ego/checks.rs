//! The checks `ego sign` makes on the executable before signing it
//! (EGo v1.9 `ego/cli/elf.go`, `run.go`): Go build info present, no `eclient` import,
//! heap size allowed by the heap mode, and which runtime image (`ego-enclave` or
//! `ego-enclave-fips140`) to measure it with.

use object::{Object, ObjectSection, ObjectSymbol};

/// The symbol that is present only in binaries built *without* `ego_largeheap`.
pub const ARENA_BASE_OFFSET: &str = "runtime.arenaBaseOffset";
/// Symbols containing this are refused, as EGo does.
pub const ECLIENT_IMPORT: &str = "github.com/edgelesssys/ego/eclient";
/// Largest heapSize (MiB) without large-heap mode.
pub const MAX_SMALL_HEAP_MIB: i64 = 16384;
/// Smallest heapSize (MiB) in large-heap mode.
pub const MIN_LARGE_HEAP_MIB: i64 = 512;

const BUILDINFO_MAGIC: &[u8; 14] = b"\xff Go buildinf:";
const FLAGS_VERSION_INLINE: u8 = 0x2;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CheckError {
    #[error("the executable is not an ELF file ({0})")]
    NotElf(String),
    #[error("reading buildinfo: {0} (the executable was not built with ego-go)")]
    NoBuildInfo(&'static str),
    #[error("unsupported import: github.com/edgelesssys/ego/eclient (use the enclave package in an enclave)")]
    EclientImport,
    #[error("large heap is enabled, but heapSize is too small ({heap_size} MiB < 512 MiB)")]
    LargeHeapWithSmallHeapSize { heap_size: i64 },
    #[error("this heapSize requires large heap mode ({heap_size} MiB > 16384 MiB; build with -tags ego_largeheap)")]
    NoLargeHeapWithLargeHeapSize { heap_size: i64 },
}

/// Which EGo runtime image measures the executable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// `share/ego-enclave`
    Standard,
    /// `share/ego-enclave-fips140` (the Go build info has a `GOFIPS140` setting)
    Fips140,
}

/// What `ego sign` learns from the executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExeInfo {
    /// The Go version recorded in the build info, e.g. `go1.24.1`.
    pub go_version: String,
    /// The build info's module text (`path`, `mod`, `dep`, `build` lines).
    pub modinfo: String,
    /// `None` if the binary has no symbol table (stripped): heap mode unknown.
    pub symbols: Option<Vec<String>>,
}

impl ExeInfo {
    /// Reads the Go build info and the symbol table, as EGo's `getMetadataFromELF`.
    pub fn read(elf: &[u8]) -> Result<Self, CheckError> {
        let file = object::File::parse(elf).map_err(|e| CheckError::NotElf(e.to_string()))?;
        if file.format() != object::BinaryFormat::Elf {
            return Err(CheckError::NotElf("another object format".into()));
        }
        let section = file
            .section_by_name(".go.buildinfo")
            .ok_or(CheckError::NoBuildInfo("no .go.buildinfo section"))?;
        let data = section
            .data()
            .map_err(|_| CheckError::NoBuildInfo("unreadable .go.buildinfo section"))?;
        let (go_version, modinfo) = parse_buildinfo(data)?;
        let symbols: Vec<String> = file
            .symbols()
            .filter_map(|s| s.name().ok().map(str::to_owned))
            .collect();
        Ok(ExeInfo {
            go_version,
            modinfo,
            symbols: (!symbols.is_empty()).then_some(symbols),
        })
    }

    /// Build settings (`build\tKEY=VALUE` lines), in order.
    pub fn build_settings(&self) -> Vec<(String, String)> {
        self.modinfo
            .lines()
            .filter_map(|l| l.strip_prefix("build\t"))
            .filter_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((k.trim_matches('"').to_owned(), v.to_owned()))
            })
            .collect()
    }

    pub fn runtime(&self) -> Runtime {
        if self.build_settings().iter().any(|(k, _)| k == "GOFIPS140") {
            Runtime::Fips140
        } else {
            Runtime::Standard
        }
    }

    /// EGo's `checkUnsupportedImports`: any symbol naming the eclient package.
    pub fn check_imports(&self) -> Result<(), CheckError> {
        if self
            .symbols
            .iter()
            .flatten()
            .any(|s| s.contains(ECLIENT_IMPORT))
        {
            return Err(CheckError::EclientImport);
        }
        Ok(())
    }

    /// EGo's `checkHeapMode`; no check on a stripped binary.
    pub fn check_heap(&self, heap_size: i64) -> Result<(), CheckError> {
        let Some(symbols) = &self.symbols else {
            return Ok(());
        };
        if symbols.iter().any(|s| s == ARENA_BASE_OFFSET) {
            if heap_size > MAX_SMALL_HEAP_MIB {
                return Err(CheckError::NoLargeHeapWithLargeHeapSize { heap_size });
            }
        } else if heap_size < MIN_LARGE_HEAP_MIB {
            return Err(CheckError::LargeHeapWithSmallHeapSize { heap_size });
        }
        Ok(())
    }

    /// All of `ego sign`'s checks, in its order; returns the runtime image to use.
    pub fn check(&self, heap_size: i64) -> Result<Runtime, CheckError> {
        self.check_imports()?;
        self.check_heap(heap_size)?;
        Ok(self.runtime())
    }
}

fn uvarint(b: &[u8]) -> Option<(u64, usize)> {
    let mut x = 0u64;
    for (i, byte) in b.iter().enumerate().take(10) {
        x |= u64::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((x, i + 1));
        }
    }
    None
}

fn varint_string(b: &[u8]) -> Option<(&[u8], &[u8])> {
    let (n, used) = uvarint(b)?;
    let n = usize::try_from(n).ok()?;
    let rest = b.get(used..)?;
    Some((rest.get(..n)?, rest.get(n..)?))
}

/// Parses the Go 1.18+ build info blob (inline strings): 32-byte header with the
/// magic, then varint-prefixed version and module info.
fn parse_buildinfo(data: &[u8]) -> Result<(String, String), CheckError> {
    const MALFORMED: CheckError = CheckError::NoBuildInfo("malformed Go build info");
    let header = data.get(..32).ok_or(MALFORMED)?;
    if &header[..14] != BUILDINFO_MAGIC {
        return Err(CheckError::NoBuildInfo("not a Go executable"));
    }
    if header[15] & FLAGS_VERSION_INLINE == 0 {
        return Err(CheckError::NoBuildInfo(
            "Go build info older than Go 1.18 is not supported",
        ));
    }
    let (version, rest) = varint_string(&data[32..]).ok_or(MALFORMED)?;
    let (module, _) = varint_string(rest).ok_or(MALFORMED)?;
    if version.is_empty() {
        return Err(CheckError::NoBuildInfo("not a Go executable"));
    }
    // The module text is framed by 16-byte sentinels.
    let module = if module.len() >= 33 && module[module.len() - 17] == b'\n' {
        &module[16..module.len() - 16]
    } else {
        module
    };
    Ok((
        String::from_utf8_lossy(version).into_owned(),
        String::from_utf8_lossy(module).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(version: &str, modinfo: &str) -> Vec<u8> {
        let mut b = BUILDINFO_MAGIC.to_vec();
        b.extend([8, FLAGS_VERSION_INLINE]);
        b.resize(32, 0);
        let framed = format!("0123456789abcdef{modinfo}\nfedcba9876543210");
        for s in [version, &framed] {
            b.push(s.len() as u8);
            b.extend(s.as_bytes());
        }
        b
    }

    #[test]
    fn parses_inline_buildinfo() {
        let (v, m) =
            parse_buildinfo(&blob("go1.24.1", "path\tx\nbuild\tGOFIPS140=latest")).unwrap();
        assert_eq!(v, "go1.24.1");
        assert_eq!(m, "path\tx\nbuild\tGOFIPS140=latest\n");
        let info = ExeInfo {
            go_version: v,
            modinfo: m,
            symbols: None,
        };
        assert_eq!(info.runtime(), Runtime::Fips140);
        assert!(parse_buildinfo(b"short").is_err());
        let mut old = blob("go1.17", "");
        old[15] = 0;
        assert!(parse_buildinfo(&old).is_err());
    }

    #[test]
    fn heap_and_imports_as_ego() {
        let info = |syms: Option<Vec<&str>>| ExeInfo {
            go_version: "go1.24".into(),
            modinfo: String::new(),
            symbols: syms.map(|v| v.into_iter().map(String::from).collect()),
        };
        let small = info(Some(vec!["main.main", ARENA_BASE_OFFSET]));
        assert_eq!(small.check(16384), Ok(Runtime::Standard));
        assert_eq!(
            small.check(16385),
            Err(CheckError::NoLargeHeapWithLargeHeapSize { heap_size: 16385 })
        );
        let large = info(Some(vec!["main.main"]));
        assert_eq!(large.check(512), Ok(Runtime::Standard));
        assert_eq!(
            large.check(511),
            Err(CheckError::LargeHeapWithSmallHeapSize { heap_size: 511 })
        );
        assert_eq!(info(None).check(1), Ok(Runtime::Standard));
        let ec = info(Some(vec![
            "github.com/edgelesssys/ego/eclient.VerifyRemoteReport",
        ]));
        assert_eq!(ec.check(1024), Err(CheckError::EclientImport));
    }
}
