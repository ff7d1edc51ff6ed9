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
        elf.truncate(offset as usize);
    } else if offset != 0 {
        return Err(EmbedError::Inconsistent);
    }
    let at = elf.len() as u64;
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
    Ok(elf.get(offset as usize..end as usize))
}
