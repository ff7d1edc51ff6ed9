//! Opening a file for reading only if it is a regular file. A FIFO with no writer
//! would block `open` forever, a device such as `/dev/zero` never ends, and a
//! directory or a socket holds no data: each is refused in one line, before it is
//! opened. The open file is checked once more (its name may have been replaced in
//! between); it is opened non-blocking, so even a FIFO put there at the last moment
//! cannot hang the open.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// What stands at a path when it is not a regular file.
fn not_regular(meta: &Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        None
    } else if t.is_dir() {
        Some("a directory")
    } else if t.is_fifo() {
        Some("a FIFO (named pipe)")
    } else if t.is_char_device() {
        Some("a character device")
    } else if t.is_block_device() {
        Some("a block device")
    } else if t.is_socket() {
        Some("a socket")
    } else {
        Some("not a file")
    }
}

fn refused(kind: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {kind}, not a regular file; give the path of a file"),
    )
}

/// Opens `path` for reading if it is a regular file (symbolic links are followed).
pub fn open_regular(path: &Path) -> io::Result<File> {
    let before = std::fs::metadata(path)?;
    if let Some(kind) = not_regular(&before) {
        return Err(refused(kind));
    }
    // O_NONBLOCK: opening a FIFO that replaced the file since the check above returns
    // at once instead of waiting for a writer. It changes nothing for a regular file.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32)
        .open(path)?;
    let after = file.metadata()?;
    if let Some(kind) = not_regular(&after) {
        return Err(refused(kind));
    }
    if (before.dev(), before.ino()) != (after.dev(), after.ino()) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the file was replaced while it was opened; try again",
        ));
    }
    Ok(file)
}

/// Reads a whole regular file (public data: an enclave, a key, a roster), as
/// `std::fs::read` does, but refuses FIFOs, devices, directories and sockets.
pub fn read_regular(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open_regular(path)?;
    let hint = usize::try_from(file.metadata()?.len()).unwrap_or(0);
    let mut bytes = Vec::with_capacity(hint);
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// [`read_regular`] as UTF-8 text.
pub fn read_regular_string(path: &Path) -> io::Result<String> {
    String::from_utf8(read_regular(path)?)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "it is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn only_regular_files_are_opened() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("f");
        std::fs::write(&file, b"data").unwrap();
        assert_eq!(read_regular(&file).unwrap(), b"data");
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert_eq!(read_regular_string(&link).unwrap(), "data");

        let dir = read_regular(tmp.path()).unwrap_err();
        assert!(dir.to_string().contains("a directory"), "{dir}");
        let dev = read_regular(Path::new("/dev/zero")).unwrap_err();
        assert!(dev.to_string().contains("character device"), "{dev}");

        // A FIFO with no writer: refused at once, not waited on.
        let fifo = tmp.path().join("fifo");
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
        )
        .unwrap();
        let start = Instant::now();
        let err = read_regular(&fifo).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
