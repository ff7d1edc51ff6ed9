//! Embedding the config JSON as the executable's payload, as EGo's
//! `embedConfigAsPayload`: an old payload at the end of the file is cut off, the JSON
//! is appended, and its offset and size go to `.oeinfo` +2048 / +2056.

use crate::sgx::oeinfo::{Oeinfo, OeinfoError};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EmbedError {
    #[error(transparent)]
    Oeinfo(#[from] OeinfoError),
    #[error("expected payload location does not match real payload location, cannot safely truncate old payload")]
    PayloadNotAtEnd,
    #[error("payload information in header is inconsistent, cannot continue")]
    Inconsistent,
    #[error("the executable's payload offset {offset} lies inside its ELF data (which ends at {elf_end}): the file is damaged or crafted; rebuild the enclave")]
    PayloadInsideElf { offset: u64, elf_end: u64 },
}

/// The end of the ELF proper in the file: the furthest end of `.oeinfo` and of every
/// section's data. A payload is appended after it, so an old payload that starts
/// earlier would cut into the executable (and into `.oeinfo`, which is written next).
fn elf_end(elf: &[u8], oeinfo: &Oeinfo) -> u64 {
    use object::{Object, ObjectSection};
    let sections = object::File::parse(elf)
        .map(|f| {
            f.sections()
                .filter_map(|s| s.file_range())
                .map(|(start, size)| start.saturating_add(size))
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0);
    sections.max(oeinfo.offset.saturating_add(oeinfo.size))
}

/// Replaces the executable's payload with `json` (in memory).
pub fn embed_payload(elf: &mut Vec<u8>, json: &[u8]) -> Result<(), EmbedError> {
    let oeinfo = Oeinfo::locate(elf)?;
    let (offset, size) = oeinfo.payload(elf);
    if size > 0 {
        let expected = (elf.len() as u64).checked_sub(size);
        if expected != Some(offset) {
            return Err(EmbedError::PayloadNotAtEnd);
        }
        // Checked before anything is cut or written.
        let end = elf_end(elf, &oeinfo);
        if offset < end {
            return Err(EmbedError::PayloadInsideElf {
                offset,
                elf_end: end,
            });
        }
        let keep = usize::try_from(offset).map_err(|_| EmbedError::Inconsistent)?;
        elf.truncate(keep);
    } else if offset != 0 {
        return Err(EmbedError::Inconsistent);
    }
    // Where the payload goes must be past every section's data, as `read_payload`
    // requires: an ELF whose sections claim data beyond its end is refused here,
    // before anything is written, rather than made into a file that cannot be read.
    let at = elf.len() as u64;
    let end = elf_end(elf, &oeinfo);
    if at < end {
        return Err(EmbedError::PayloadInsideElf {
            offset: at,
            elf_end: end,
        });
    }
    oeinfo.set_payload(elf, at, json.len() as u64);
    elf.extend_from_slice(json);
    Ok(())
}

/// The embedded payload, if any.
pub fn read_payload(elf: &[u8]) -> Result<Option<&[u8]>, EmbedError> {
    let oeinfo = Oeinfo::locate(elf)?;
    let (offset, size) = oeinfo.payload(elf);
    if size == 0 {
        return Ok(None);
    }
    let end = offset.checked_add(size).ok_or(EmbedError::Inconsistent)?;
    if end != elf.len() as u64 {
        return Err(EmbedError::PayloadNotAtEnd);
    }
    let elf_end = elf_end(elf, &oeinfo);
    if offset < elf_end {
        return Err(EmbedError::PayloadInsideElf { offset, elf_end });
    }
    let range = usize::try_from(offset).ok().zip(usize::try_from(end).ok());
    Ok(range.and_then(|(start, end)| elf.get(start..end)))
}
