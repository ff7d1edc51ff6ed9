//! The audit log file: the only I/O of the audit module. A log is read line by line
//! ([`open`]); a record is appended under an exclusive lock (`flock`), after reading
//! the last line (from the end of the file, at most one record) for its hash and number;
//! the file is created with mode 0600, written with one `write`, and fsync'ed (and
//! its directory, when it was just created).

use std::fs::{File, OpenOptions};
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::lines::{LineReader, MAX_RECORD_LEN};
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

/// Opens a log for reading, line by line with bounded memory. Refuses what is not
/// a regular file (a FIFO or a device is refused before anything is read from it)
/// and a file over [`MAX_LOG_LEN`].
pub fn open(path: &Path) -> Result<LineReader<BufReader<File>>, AuditError> {
    // `open_regular` refuses a FIFO, device or directory before it can block or
    // stream forever.
    let f = crate::fsutil::open_regular(path).map_err(|e| io("read", path, &e))?;
    let meta = f.metadata().map_err(|e| io("read", path, &e))?;
    if meta.len() > MAX_LOG_LEN {
        return Err(AuditError::Io {
            what: "read",
            path: path.display().to_string(),
            reason: format!("it is larger than {} MiB", MAX_LOG_LEN >> 20),
        });
    }
    Ok(LineReader::new(BufReader::with_capacity(64 << 10, f)))
}

/// The last line of the file `f` (without its newline), read from its end: at
/// most one record's worth, whatever the file's size.
fn last_line(path: &Path, f: &mut File) -> Result<Vec<u8>, AuditError> {
    let len = f.metadata().map_err(|e| io("read", path, &e))?.len();
    // The longest record, its newline, and the newline before it.
    let window = len.min(MAX_RECORD_LEN as u64 + 2);
    f.seek(SeekFrom::Start(len - window))
        .map_err(|e| io("read", path, &e))?;
    let mut tail = Vec::new();
    f.take(window)
        .read_to_end(&mut tail)
        .map_err(|e| io("read", path, &e))?;
    Ok(tail)
}

/// The number and hash the next record gets, from the end of the log (`tail`: its
/// last bytes, the whole file when it is short; `whole`: whether it is).
fn next_link(path: &Path, tail: &[u8], whole: bool) -> Result<(u64, String), AuditError> {
    if tail.is_empty() {
        return Ok((1, GENESIS.to_string()));
    }
    let damaged = |why: String| AuditError::DamagedTail {
        path: path.display().to_string(),
        why,
    };
    let Some(body) = tail.strip_suffix(b"\n") else {
        return Err(damaged("the last line has no newline".into()));
    };
    let last = match body.iter().rposition(|b| *b == b'\n') {
        Some(i) => &body[i + 1..],
        None if whole => body,
        None => {
            return Err(damaged(format!(
                "the last line is longer than any record ({} MiB)",
                MAX_RECORD_LEN >> 20
            )))
        }
    };
    let record = Record::from_line(last).map_err(|e| damaged(e.to_string()))?;
    Ok((record.seq.saturating_add(1), sha256_hex(last)))
}

/// [`next_link`] of the open file `f`.
fn next_link_of(path: &Path, f: &mut File) -> Result<(u64, String), AuditError> {
    let tail = last_line(path, f)?;
    let len = f.metadata().map_err(|e| io("read", path, &e))?.len();
    next_link(path, &tail, tail.len() as u64 == len)
}

/// The refusal of a log path that names something other than a regular file.
fn not_regular(path: &Path) -> AuditError {
    AuditError::Io {
        what: "use",
        path: path.display().to_string(),
        reason: "it is not a regular file".into(),
    }
}

/// Checks, before a ceremony, that a record can be appended to `path` later: the
/// file exists and is appendable with a sound last line, or its directory is
/// writable. Creates nothing.
pub fn preflight(path: &Path) -> Result<(), AuditError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.file_type().is_file() => Err(not_regular(path)),
        Ok(_) => {
            let mut f = OpenOptions::new()
                .read(true)
                .append(true)
                .open(path)
                .map_err(|e| io("append to", path, &e))?;
            next_link_of(path, &mut f).map(|_| ())
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
        return Err(not_regular(path));
    }
    // Another process appending at the same time waits here.
    rustix::fs::flock(&f, rustix::fs::FlockOperation::LockExclusive)
        .map_err(|e| io("lock", path, &std::io::Error::from(e)))?;
    let (seq, prev) = next_link_of(path, &mut f)?;
    record.seq = seq;
    record.prev = prev;
    let line = record.to_line().map_err(|e| AuditError::Io {
        what: "encode a record for",
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    // Never a line that the reader would refuse.
    if line.len() > MAX_RECORD_LEN {
        return Err(AuditError::Io {
            what: "append to",
            path: path.display().to_string(),
            reason: format!(
                "the record is {} MiB, longer than the {} MiB a record may have",
                line.len() >> 20,
                MAX_RECORD_LEN >> 20
            ),
        });
    }
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

    use super::super::record::tests::sample;
    use super::super::scan::check;
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
        let bytes = std::fs::read(&path).unwrap();
        let r = check(&bytes, None);
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let seqs: Vec<u64> = r.lines.iter().map(|l| l.record.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        preflight(&path).unwrap();
        // Read back line by line.
        let mut lines = open(&path).unwrap();
        let mut n = 0;
        while let Some(l) = lines.next_line().unwrap() {
            assert!(l.complete && Record::from_line(l.bytes).is_ok());
            n += 1;
        }
        assert_eq!(n, 3);
    }

    #[test]
    fn the_last_line_is_read_from_the_end_of_a_long_file() {
        let line = sample(7, GENESIS).to_line().unwrap();
        // Far more than one record of other lines before it.
        let mut big = vec![b'x'; MAX_RECORD_LEN + 100];
        big.push(b'\n');
        let mut tail = big.clone();
        tail.extend_from_slice(line.as_bytes());
        tail.push(b'\n');
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        std::fs::write(&path, &tail).unwrap();
        let mut f = File::open(&path).unwrap();
        let (seq, prev) = next_link_of(&path, &mut f).unwrap();
        assert_eq!((seq, prev), (8, sha256_hex(line.as_bytes())));
        // A last line longer than any record is damage, not a read of it all.
        std::fs::write(&path, &big).unwrap();
        let mut f = File::open(&path).unwrap();
        let e = next_link_of(&path, &mut f).unwrap_err();
        assert!(e.to_string().contains("longer than any record"), "{e}");
    }

    #[test]
    fn a_record_longer_than_the_reader_takes_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.jsonl");
        append(&path, sample(0, "")).unwrap();
        let before = std::fs::read(&path).unwrap();
        let mut big = sample(0, "");
        if let super::super::record::Event::SignSigner(e) = &mut big.event {
            e.reason = Some("x".repeat(MAX_RECORD_LEN));
        }
        let e = append(&path, big).unwrap_err();
        assert!(e.to_string().contains("longer than the 16 MiB"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn fifos_and_directories_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for p in [fifo.as_path(), dir.path()] {
            let e = open(p).err().unwrap();
            assert!(e.to_string().contains("not a regular file"), "{e}");
        }
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
