//! The `.oeinfo` section of an Open Enclave / EGo ELF: enclave properties with the
//! SIGSTRUCT at +144, and (EGo extension) the payload's file offset and size at +2048
//! and +2056. The payload fields are read only from an EGo binary's `.oeinfo`.

use object::{Object, ObjectSection};

use super::sigstruct::{Sigstruct, SIGSTRUCT_LEN};

pub const SIGSTRUCT_OFFSET: u64 = 144;
pub const PAYLOAD_OFFSET_FIELD: u64 = 2048;
pub const PAYLOAD_SIZE_FIELD: u64 = 2056;
/// The smallest `.oeinfo` that holds the payload fields.
pub const MIN_SIZE: u64 = PAYLOAD_SIZE_FIELD + 8;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OeinfoError {
    #[error("not an ELF executable ({0})")]
    NotElf(String),
    #[error("the executable has no .oeinfo section: it is not an EGo/Open Enclave binary")]
    NoSection,
    #[error("the .oeinfo section is {0} bytes, too small for enclave properties")]
    TooSmall(u64),
}

/// Where `.oeinfo` lies in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Oeinfo {
    pub offset: u64,
    pub size: u64,
}

impl Oeinfo {
    /// Finds `.oeinfo` in an ELF file's bytes.
    pub fn locate(elf: &[u8]) -> Result<Self, OeinfoError> {
        Self::locate_min(elf, MIN_SIZE)
    }

    /// Finds `.oeinfo` in an ELF file's bytes, refusing one under `min` bytes (an
    /// Open Enclave enclave's has no EGo payload fields: see `sgx::frameworks::oe`).
    pub fn locate_min(elf: &[u8], min: u64) -> Result<Self, OeinfoError> {
        let file = object::File::parse(elf).map_err(|e| OeinfoError::NotElf(e.to_string()))?;
        if file.format() != object::BinaryFormat::Elf {
            return Err(OeinfoError::NotElf("another object format".into()));
        }
        let section = file
            .section_by_name(".oeinfo")
            .ok_or(OeinfoError::NoSection)?;
        let (offset, size) = section.file_range().ok_or(OeinfoError::NoSection)?;
        if offset.saturating_add(size) > elf.len() as u64 {
            return Err(OeinfoError::NotElf(
                ".oeinfo lies beyond the end of the file".into(),
            ));
        }
        if size < min {
            return Err(OeinfoError::TooSmall(size));
        }
        Ok(Oeinfo { offset, size })
    }

    fn range(&self, at: u64, len: usize) -> std::ops::Range<usize> {
        let start = (self.offset + at) as usize;
        start..start + len
    }

    pub fn read_sigstruct(&self, elf: &[u8]) -> Sigstruct {
        let bytes = &elf[self.range(SIGSTRUCT_OFFSET, SIGSTRUCT_LEN)];
        // The slice has exactly SIGSTRUCT_LEN bytes, which `locate` guaranteed exist.
        Sigstruct::from_bytes(bytes).unwrap_or_else(|_| unreachable!())
    }

    pub fn write_sigstruct(&self, elf: &mut [u8], s: &Sigstruct) {
        elf[self.range(SIGSTRUCT_OFFSET, SIGSTRUCT_LEN)].copy_from_slice(s.as_bytes());
    }

    fn read_u64(&self, elf: &[u8], at: u64) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&elf[self.range(at, 8)]);
        u64::from_le_bytes(a)
    }

    /// The payload's (file offset, size) as EGo records them; (0, 0) if none.
    pub fn payload(&self, elf: &[u8]) -> (u64, u64) {
        (
            self.read_u64(elf, PAYLOAD_OFFSET_FIELD),
            self.read_u64(elf, PAYLOAD_SIZE_FIELD),
        )
    }

    pub fn set_payload(&self, elf: &mut [u8], offset: u64, size: u64) {
        elf[self.range(PAYLOAD_OFFSET_FIELD, 8)].copy_from_slice(&offset.to_le_bytes());
        elf[self.range(PAYLOAD_SIZE_FIELD, 8)].copy_from_slice(&size.to_le_bytes());
    }
}
