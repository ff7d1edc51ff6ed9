//! Each rule of [`check`], broken once on otherwise valid regions.

use super::*;
use crate::sgx::sigstruct::{Sigstruct, SigstructFields, OFF_DATE};
use crate::sgx::Date;

fn oesign_regions() -> SignedRegions {
    Sigstruct::build(&SigstructFields {
        date: Date::from_bcd(0x2026_1201).unwrap(),
        debug: false,
        mrenclave: [9; 32],
        isv_prod_id: 1,
        isv_svn: 1,
    })
    .regions()
}

/// The oesign regions changed at SIGSTRUCT offset `off` by `edit`.
fn edited(off: usize, edit: impl FnOnce(&mut [u8])) -> SignedRegions {
    let mut b = *oesign_regions().as_bytes();
    edit(&mut b[at(off)..]);
    SignedRegions::from_bytes(&b).unwrap()
}

fn put_u64(off: usize, v: u64) -> SignedRegions {
    edited(off, |b| b[..8].copy_from_slice(&v.to_le_bytes()))
}

fn put_u32(off: usize, v: u32) -> SignedRegions {
    edited(off, |b| b[..4].copy_from_slice(&v.to_le_bytes()))
}

fn refused_field(r: &SignedRegions) -> &'static str {
    match check(r) {
        Err(SigstructError::Field { field, .. }) => field,
        other => panic!("expected a refused field, got {other:?}"),
    }
}

#[test]
fn oesign_values_are_the_oesign_profile() {
    assert_eq!(check(&oesign_regions()), Ok(Profile::Oesign));
}

#[test]
fn what_other_tooling_may_set_is_accepted_as_other() {
    for r in [
        put_u32(OFF_TYPE, TYPE_RELEASE),
        put_u32(OFF_VENDOR, VENDOR_INTEL),
        put_u32(OFF_SWDEFINED, 0x10),
        put_u32(OFF_MISCSELECT, 1),
        put_u64(OFF_ATTRIBUTEMASK, u64::MAX),
        put_u64(OFF_ATTRIBUTES, 0x4 | 0x80 | 0x400),
        put_u64(OFF_ATTRIBUTES_XFRM, 0xe7),
        edited(OFF_ISVFAMILYID, |b| b[0] = 1),
        edited(OFF_ISVEXTPRODID, |b| b[15] = 1),
        edited(OFF_CET_ATTRIBUTES, |b| b[0] = 1),
    ] {
        assert_eq!(check(&r), Ok(Profile::Other), "{:?}", Details::of(&r));
    }
}

#[test]
fn what_no_tooling_makes_is_refused() {
    let cases = [
        (edited(0, |b| b[0] = 7), "header"),
        (put_u32(OFF_TYPE, 1), "type"),
        (put_u32(OFF_VENDOR, 0x1234), "vendor"),
        (edited(OFF_HEADER2, |b| b[0] = 2), "header2"),
        (edited(44, |b| b[0] = 1), "reserved (44..128)"),
        (edited(910, |b| b[0] = 1), "reserved (910..912)"),
        (put_u64(OFF_ATTRIBUTES, 0x5), "attributes.flags"),
        (put_u64(OFF_ATTRIBUTES, 0x0), "attributes.flags"),
        (put_u64(OFF_ATTRIBUTES_XFRM, 0x1), "attributes.xfrm"),
        (edited(992, |b| b[0] = 1), "reserved (992..1008)"),
    ];
    for (r, field) in cases {
        assert_eq!(refused_field(&r), field);
    }
    let bad_date = put_u32(OFF_DATE, 0x2026_1301);
    assert_eq!(check(&bad_date), Err(SigstructError::Date(0x2026_1301)));
}

#[test]
fn debug_launchable_reads_the_flag_and_the_mask() {
    assert!(!Details::of(&oesign_regions()).debug_launchable());
    assert!(Details::of(&put_u64(OFF_ATTRIBUTES, 0x6)).debug_launchable());
    // The SDK's default: DEBUG clear but left out of the mask.
    let sdk_debug = put_u64(OFF_ATTRIBUTEMASK, !0x2);
    assert!(Details::of(&sdk_debug).debug_launchable());
    assert!(sdk_debug.is_debug());
}
