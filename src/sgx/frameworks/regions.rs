//! Which tooling made a SIGSTRUCT's signed regions, and the structural checks that
//! every SGX SIGSTRUCT passes whatever made it.
//!
//! EGo's and Open Enclave's `oesign` fill the regions with fixed values, and
//! [`SignedRegions::validate`] checks exactly those. Gramine's `gramine-sgx-sign`
//! and the Intel SDK's `sgx_sign` take the attributes, masks, MISCSELECT, the KSS
//! ids and (SDK) the header type, vendor and hardware version from the enclave's
//! manifest or config. [`check`] accepts oesign's values as before and, failing
//! those, any regions the SDM allows: the fixed headers, zero reserved bytes, a BCD
//! date, 64-bit mode, no INIT attribute, x87 and SSE in XFRM. [`Details`] holds the
//! values a signer must then see.

use crate::sgx::sigstruct::{
    SignedRegions, SigstructError, FLAG_DEBUG, FLAG_MODE64BIT, HEADER, HEADER2, OFF_ATTRIBUTEMASK,
    OFF_ATTRIBUTEMASK_XFRM, OFF_ATTRIBUTES, OFF_ATTRIBUTES_XFRM, OFF_HEADER2, OFF_MISCMASK,
    OFF_MISCSELECT, OFF_SWDEFINED, OFF_TYPE, OFF_VENDOR,
};

/// SIGSTRUCT offsets of fields that oesign leaves zero.
pub const OFF_CET_ATTRIBUTES: usize = 908;
pub const OFF_ISVFAMILYID: usize = 912;
pub const OFF_ISVEXTPRODID: usize = 1008;
/// HEADER.TYPE of a SIGSTRUCT that `sgx_sign` marks as a release build (bit 31).
pub const TYPE_RELEASE: u32 = 0x8000_0000;
/// HEADER.VENDOR of an enclave signed by Intel.
pub const VENDOR_INTEL: u32 = 0x8086;
/// ATTRIBUTES.INIT: set by the CPU at EINIT, never in a SIGSTRUCT.
pub const FLAG_INIT: u64 = 0x1;
/// XFRM bits 0 (x87) and 1 (SSE): the SDM requires both.
pub const XFRM_LEGACY: u64 = 0x3;

/// Which kind of tooling filled the regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Exactly the values EGo's (and a default Open Enclave) `oesign` writes.
    Oesign,
    /// Any other SGX tooling (Gramine, the Intel SDK, Open Enclave with KSS or
    /// EXINFO): the values in [`Details`] come from the enclave's own configuration.
    Other,
}

/// The signed fields that [`Profile::Other`] regions may set as they like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Details {
    pub header_type: u32,
    pub vendor: u32,
    pub swdefined: u32,
    pub miscselect: u32,
    pub miscmask: u32,
    pub cet_attributes: [u8; 2],
    pub attributes: u64,
    pub xfrm: u64,
    pub attributemask: u64,
    pub xfrm_mask: u64,
    pub isv_family_id: [u8; 16],
    pub isv_ext_prod_id: [u8; 16],
}

/// Offset inside the regions of a SIGSTRUCT offset (of either region).
const fn at(off: usize) -> usize {
    if off < 128 {
        off
    } else {
        off - OFF_MISCSELECT + 128
    }
}

fn u32_of(b: &[u8], off: usize) -> u32 {
    let o = at(off);
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

fn u64_of(b: &[u8], off: usize) -> u64 {
    let o = at(off);
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[o..o + 8]);
    u64::from_le_bytes(a)
}

fn array_of<const N: usize>(b: &[u8], off: usize) -> [u8; N] {
    let o = at(off);
    let mut a = [0u8; N];
    a.copy_from_slice(&b[o..o + N]);
    a
}

impl Details {
    /// Reads the fields from regions (no checks).
    pub fn of(r: &SignedRegions) -> Self {
        let b = r.as_bytes();
        Details {
            header_type: u32_of(b, OFF_TYPE),
            vendor: u32_of(b, OFF_VENDOR),
            swdefined: u32_of(b, OFF_SWDEFINED),
            miscselect: u32_of(b, OFF_MISCSELECT),
            miscmask: u32_of(b, OFF_MISCMASK),
            cet_attributes: array_of(b, OFF_CET_ATTRIBUTES),
            attributes: u64_of(b, OFF_ATTRIBUTES),
            xfrm: u64_of(b, OFF_ATTRIBUTES_XFRM),
            attributemask: u64_of(b, OFF_ATTRIBUTEMASK),
            xfrm_mask: u64_of(b, OFF_ATTRIBUTEMASK_XFRM),
            isv_family_id: array_of(b, OFF_ISVFAMILYID),
            isv_ext_prod_id: array_of(b, OFF_ISVEXTPRODID),
        }
    }

    /// The details of regions of [`Profile::Other`]; `None` for oesign's values
    /// (or regions that [`check`] refuses).
    pub fn if_other(r: &SignedRegions) -> Option<Self> {
        match check(r) {
            Ok(Profile::Other) => Some(Self::of(r)),
            _ => None,
        }
    }

    /// Lines for a person to review, beside MRENCLAVE, ISVPRODID, ISVSVN and DEBUG.
    pub fn lines(&self) -> Vec<(&'static str, String)> {
        let hex16 = |b: &[u8; 16]| hex::encode(b);
        vec![
            (
                "Made by",
                "not oesign's fixed values: Gramine, the Intel SGX SDK or Open Enclave with its own settings".into(),
            ),
            ("Vendor", match self.vendor {
                VENDOR_INTEL => "0x8086 (Intel)".into(),
                v => format!("{v:#x}"),
            }),
            ("Type", format!("{:#010x}", self.header_type)),
            ("HW/SWDEF", format!("{:#x}", self.swdefined)),
            ("Attributes", format!("flags {:#x} xfrm {:#x}", self.attributes, self.xfrm)),
            ("Attr. mask", format!("flags {:#x} xfrm {:#x}", self.attributemask, self.xfrm_mask)),
            ("MISCSELECT", format!("{:#x} (mask {:#x})", self.miscselect, self.miscmask)),
            ("CET", hex::encode(self.cet_attributes)),
            ("ISVFAMILYID", hex16(&self.isv_family_id)),
            ("ISVEXTPRODID", hex16(&self.isv_ext_prod_id)),
        ]
    }

    /// Whether the enclave can be launched in debug mode under this signature: the
    /// DEBUG attribute is set, or the attribute mask leaves it unchecked (the Intel
    /// SDK's default for an enclave whose config does not set DisableDebug).
    pub fn debug_launchable(&self) -> bool {
        self.attributes & FLAG_DEBUG != 0 || self.attributemask & FLAG_DEBUG == 0
    }
}

fn refuse(field: &'static str, found: String, expected: &str) -> Result<Profile, SigstructError> {
    Err(SigstructError::Field {
        field,
        found,
        expected: expected.to_string(),
    })
}

/// Accepts regions that `oesign` made ([`Profile::Oesign`], checked by
/// [`SignedRegions::validate`]) or that any SGX tooling may make
/// ([`Profile::Other`]); refuses anything else with the first field that is wrong.
pub fn check(r: &SignedRegions) -> Result<Profile, SigstructError> {
    if r.validate().is_ok() {
        return Ok(Profile::Oesign);
    }
    let b = r.as_bytes();
    if b[0..12] != HEADER {
        return refuse("header", hex::encode(&b[0..12]), &hex::encode(HEADER));
    }
    let t = u32_of(b, OFF_TYPE);
    if t != 0 && t != TYPE_RELEASE {
        return refuse("type", format!("{t:#x}"), "0 or 0x80000000");
    }
    let v = u32_of(b, OFF_VENDOR);
    if v != 0 && v != VENDOR_INTEL {
        return refuse("vendor", format!("{v:#x}"), "0 or 0x8086 (Intel)");
    }
    // The date is BCD whatever made it.
    r.date()?;
    if b[OFF_HEADER2..OFF_HEADER2 + 16] != HEADER2 {
        return refuse(
            "header2",
            hex::encode(&b[OFF_HEADER2..OFF_HEADER2 + 16]),
            &hex::encode(HEADER2),
        );
    }
    if b[44..128].iter().any(|&x| x != 0) {
        return refuse("reserved (44..128)", "non-zero".into(), "zeros");
    }
    if b[at(OFF_CET_ATTRIBUTES) + 2..at(OFF_ISVFAMILYID)]
        .iter()
        .any(|&x| x != 0)
    {
        return refuse("reserved (910..912)", "non-zero".into(), "zeros");
    }
    let d = Details::of(r);
    if d.attributes & FLAG_INIT != 0 {
        return refuse(
            "attributes.flags",
            format!("{:#x}", d.attributes),
            "the INIT bit (0x1) clear",
        );
    }
    if d.attributes & FLAG_MODE64BIT == 0 {
        return refuse(
            "attributes.flags",
            format!("{:#x}", d.attributes),
            "the MODE64BIT bit (0x4) set",
        );
    }
    if d.xfrm & XFRM_LEGACY != XFRM_LEGACY {
        return refuse(
            "attributes.xfrm",
            format!("{:#x}", d.xfrm),
            "x87 and SSE (0x3) set",
        );
    }
    if b[at(992)..at(OFF_ISVEXTPRODID)].iter().any(|&x| x != 0) {
        return refuse("reserved (992..1008)", "non-zero".into(), "zeros");
    }
    Ok(Profile::Other)
}

#[cfg(test)]
#[path = "regions_tests.rs"]
mod tests;
