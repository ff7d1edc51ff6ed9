//! Pretty JSON of a secret (a share file) into one buffer that is never grown:
//! growing a `Vec` frees the old allocation unwiped, leaving a copy of the secret text
//! behind, so the text is written into a buffer sized in advance, and a larger one is
//! tried (the smaller one wiped) if it was too small.

use serde::Serialize;
use zeroize::Zeroizing;

use crate::secret::SecretBytes;

/// `value` as pretty JSON (two-space indent, as both our files and the reference's
/// are written), with a newline at the end if `newline`.
pub(crate) fn to_pretty_json<T: Serialize>(
    value: &T,
    capacity: usize,
    newline: bool,
) -> SecretBytes {
    let mut capacity = capacity.max(64);
    loop {
        let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
        let fits = serde_json::to_writer_pretty(FixedBuffer(&mut buf), value).is_ok()
            && buf.len() < buf.capacity();
        if fits {
            if newline {
                buf.push(b'\n');
            }
            return SecretBytes::from(buf);
        }
        capacity *= 2;
    }
}

/// A writer into a Vec that refuses to grow it.
struct FixedBuffer<'a>(&'a mut Vec<u8>);

impl std::io::Write for FixedBuffer<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.0.len() + data.len() > self.0.capacity() {
            return Err(std::io::Error::other("buffer full"));
        }
        self.0.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
