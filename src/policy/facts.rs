//! What a signing request asks for, as the policy sees it: every field read from
//! the unsigned SIGSTRUCT's signed regions (the bytes the signature covers, so the
//! facts are exactly what gets signed), and who asks: the initiator's party number
//! and, when the request is authenticated, its identity key.

use crate::sgx::sigstruct::{
    SignedRegions, SigstructError, FLAG_DEBUG, OFF_ATTRIBUTEMASK, OFF_ATTRIBUTEMASK_XFRM,
    OFF_ATTRIBUTES, OFF_ATTRIBUTES_XFRM, OFF_MISCMASK, OFF_MISCSELECT,
};
use crate::sgx::Date;

/// The facts of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub mrenclave: [u8; 32],
    pub isv_prod_id: u16,
    pub isv_svn: u16,
    /// ATTRIBUTES.FLAGS and ATTRIBUTEMASK.FLAGS.
    pub attributes: u64,
    pub attribute_mask: u64,
    /// ATTRIBUTES.XFRM and ATTRIBUTEMASK.XFRM.
    pub xfrm: u64,
    pub xfrm_mask: u64,
    pub miscselect: u32,
    pub misc_mask: u32,
    /// The SIGSTRUCT's date.
    pub date: Date,
    /// The signer's today (UTC), for the date window.
    pub today: Date,
    /// The party that sent the request.
    pub initiator: u8,
    /// The identity key that signed the request; `None` when nothing proves who
    /// sent it (no roster, or an unsigned request accepted).
    pub initiator_key: Option<[u8; 32]>,
}

/// Offset inside the regions of a SIGSTRUCT offset from the second region
/// (SIGSTRUCT bytes 900..1028 follow bytes 0..128).
const fn second(off: usize) -> usize {
    off - OFF_MISCSELECT + 128
}

fn u32_at(b: &[u8], off: usize) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[off..off + 4]);
    u32::from_le_bytes(a)
}

fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

impl Facts {
    /// The facts of the signed regions of a request from `initiator`.
    pub fn of(
        regions: &SignedRegions,
        initiator: u8,
        initiator_key: Option<[u8; 32]>,
        today: Date,
    ) -> Result<Facts, SigstructError> {
        let b = regions.as_bytes();
        Ok(Facts {
            mrenclave: regions.mrenclave(),
            isv_prod_id: regions.isv_prod_id(),
            isv_svn: regions.isv_svn(),
            attributes: u64_at(b, second(OFF_ATTRIBUTES)),
            attribute_mask: u64_at(b, second(OFF_ATTRIBUTEMASK)),
            xfrm: u64_at(b, second(OFF_ATTRIBUTES_XFRM)),
            xfrm_mask: u64_at(b, second(OFF_ATTRIBUTEMASK_XFRM)),
            miscselect: u32_at(b, second(OFF_MISCSELECT)),
            misc_mask: u32_at(b, second(OFF_MISCMASK)),
            date: regions.date()?,
            today,
            initiator,
            initiator_key,
        })
    }

    /// The DEBUG attribute is set.
    pub fn debug(&self) -> bool {
        self.attributes & FLAG_DEBUG != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sgx::sigstruct::{SigstructFields, ATTRIBUTEMASK_FLAGS, ATTRIBUTEMASK_XFRM, XFRM};
    use crate::sgx::Sigstruct;

    #[test]
    fn facts_are_read_from_the_signed_regions() {
        let date = Date {
            year: 2026,
            month: 3,
            day: 14,
        };
        let s = Sigstruct::build(&SigstructFields {
            date,
            debug: true,
            mrenclave: [7; 32],
            isv_prod_id: 0x1234,
            isv_svn: 0xbeef,
        });
        let today = Date {
            year: 2026,
            month: 3,
            day: 15,
        };
        let f = Facts::of(&s.regions(), 3, Some([9; 32]), today).unwrap();
        assert_eq!(f.mrenclave, [7; 32]);
        assert_eq!((f.isv_prod_id, f.isv_svn), (0x1234, 0xbeef));
        assert!(f.debug());
        assert_eq!(f.attributes, 0x6);
        assert_eq!(f.attribute_mask, ATTRIBUTEMASK_FLAGS & !FLAG_DEBUG);
        assert_eq!((f.xfrm, f.xfrm_mask), (XFRM, ATTRIBUTEMASK_XFRM));
        assert_eq!((f.miscselect, f.misc_mask), (0, 0xffff_ffff));
        assert_eq!((f.date, f.today), (date, today));
        assert_eq!((f.initiator, f.initiator_key), (3, Some([9; 32])));
    }
}
