//! The audit log file: the only I/O of the audit module. A record is appended under
//! an exclusive lock (`flock`), after reading the last line for its hash and number;
//! the file is created with mode 0600, written with one `write`, and fsync'ed (and
//! its directory, when it was just created).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::record::{sha256_hex, Record, GENESIS};
use super::AuditError;

/// Mode of a new log file.
pub const LOG_MODE: u32 = 0o600;
/// The largest log this tool reads (a line per ceremony: far more than ever needed).
pub const MAX_LOG_LEN: u64 = 1 << 30;

fn io(what: &'static str, path: &Path, e: &std::io::Error) -> AuditError {
    AuditError::Io {
        what,
        path: path.display().to_string(),
        reason: match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".into(),
            std::io::ErrorKind::PermissionDenied => "permission denied".into(),
            std::io::ErrorKind::StorageFull => "no space left on the device".into(),
            std::io::ErrorKind::ReadOnlyFilesystem => "read-only file system".into(),
            _ => e.to_string(),
        },
    }
}

/// Reads a whole log.
pub fn read(path: &Path) -> Result<Vec<u8>, AuditError> {
    let mut f = crate::fsutil::open_regular(path).map_err(|e| io("read", path, &e))?;
    let len = f.metadata().map_err(|e| io("read", path, &e))?.len();
    if len > MAX_LOG_LEN {
        return Err(AuditError::Io {
            what: "read",
            path: path.display().to_string(),
            reason: format!("it is larger than {} MiB", MAX_LOG_LEN >> 20),
        });
    }
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)
        .map_err(|e| io("read", path, &e))?;
    Ok(bytes)
}

/// The number and hash the next record gets, from the log's last line.
fn next_link(path: &Path, bytes: &[u8]) -> Result<(u64, String), AuditError> {
    if bytes.is_empty() {
        return Ok((1, GENESIS.to_string()));
    }
    let damaged = |why: String| AuditError::DamagedTail {
        path: path.display().to_string(),
        why,
    };
    let Some(body) = bytes.strip_suffix(b"\n") else {
        return Err(damaged("the last line has no newline".into()));
    };
    let last = body.rsplit(|b| *b == b'\n').next().unwrap_or(body);
    let record = Record::from_line(last).map_err(|e| damaged(e.to_string()))?;
    Ok((record.seq.saturating_add(1), sha256_hex(last)))
}

/// Checks, before a ceremony, that a record can be appended to `path` later: the
/// file exists and is appendable with a sound last line, or its directory is
/// writable. Creates nothing.
pub fn preflight(path: &Path) -> Result<(), AuditError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => Err(AuditError::Io {
            what: "use",
            path: path.display().to_string(),
            reason: "it is not a regular file".into(),
        }),
        Ok(_) => {
            OpenOptions::new()
                .append(true)
                .open(path)
                .map_err(|e| io("append to", path, &e))?;
            let bytes = read(path)?;
            next_link(path, &bytes).map(|_| ())
        }
        Err(_) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            crate::fsutil::check_writable(dir).map_err(|e| AuditError::Io {
                what: "create",
                path: path.display().to_string(),
                reason: e.to_string(),
            })
        }
    }
}

/// Appends `record` (its `seq` and `prev` filled in here) to the log at `path`,
/// creating it with mode 0600. Returns the line written.
pub fn append(path: &Path, mut record: Record) -> Result<String, AuditError> {
    let created = std::fs::symlink_metadata(path).is_err();
    let mut f = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .mode(LOG_MODE)
        .custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32)
        .open(path)
        .map_err(|e| io("open", path, &e))?;
    if !f
        .metadata()
        .map_err(|e| io("open", path, &e))?
        .file_type()
        .is_file()
    {
        return Err(AuditError::Io {
            what: "use",
            path: path.display().to_string(),
            reason: "it is not a regular file".into(),
        });
    }
    // Another process appending at the same time waits here.
    rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| io("lock", path, &std::io::Error::from(e)))?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)
        .map_err(|e| io("read", path, &e))?;
    let (seq, prev) = next_link(path, &bytes)?;
    record.seq = seq;
    record.prev = prev;
    let line = record.to_line().map_err(|e| AuditError::Io {
        what: "encode a record for",
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    let mut out = line.clone().into_bytes();
    out.push(b'\n');
    f.write_all(&out).map_err(|e| io("append to", path, &e))?;
    f.sync_all().map_err(|e| io("sync", path, &e))?;
    if created {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
    }
    Ok(line)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::super::chain::check;
    use super::super::record::tests::sample;
    use super::*;

    #[test]
    fn append_creates_0600_and_chains() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        preflight(&path).unwrap();
        assert!(!path.exists(), "preflight creates nothing");
        for _ in 0..3 {
            append(&path, sample(0, "")).unwrap();
        }
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let bytes = read(&path).unwrap();
        let r = check(&bytes, None);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let seqs: Vec<u64> = r.lines.iter().map(|l| l.record.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        preflight(&path).unwrap();
    }

    #[test]
    fn a_damaged_tail_is_refused_before_and_at_append() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        append(&path, sample(0, "")).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"half").unwrap();
        drop(f);
        assert!(matches!(
            preflight(&path),
            Err(AuditError::DamagedTail { .. })
        ));
        assert!(matches!(
            append(&path, sample(0, "")),
            Err(AuditError::DamagedTail { .. })
        ));
        // A directory in the log's place.
        let d = dir.path().join("adir");
        std::fs::create_dir(&d).unwrap();
        assert!(preflight(&d).is_err());
    }
}
