//! The SIGSTRUCT's byte layout: its length, the offset of each field (little-endian
//! integers), the fixed headers, and the attribute and mask values EGo's oesign writes.

pub const SIGSTRUCT_LEN: usize = 1808;
/// Length of the two signed regions together.
pub const REGIONS_LEN: usize = 256;

pub const HEADER: [u8; 12] = [0x06, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 0x01, 0];
pub const HEADER2: [u8; 16] = [1, 1, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 1, 0, 0, 0];

pub const OFF_TYPE: usize = 12;
pub const OFF_VENDOR: usize = 16;
pub const OFF_DATE: usize = 20;
pub const OFF_HEADER2: usize = 24;
pub const OFF_SWDEFINED: usize = 40;
pub const OFF_MODULUS: usize = 128;
pub const OFF_EXPONENT: usize = 512;
pub const OFF_SIGNATURE: usize = 516;
pub const OFF_MISCSELECT: usize = 900;
pub const OFF_MISCMASK: usize = 904;
pub const OFF_ATTRIBUTES: usize = 928;
pub const OFF_ATTRIBUTES_XFRM: usize = 936;
pub const OFF_ATTRIBUTEMASK: usize = 944;
pub const OFF_ATTRIBUTEMASK_XFRM: usize = 952;
pub const OFF_ENCLAVEHASH: usize = 960;
pub const OFF_ISVPRODID: usize = 1024;
pub const OFF_ISVSVN: usize = 1026;
pub const OFF_Q1: usize = 1040;
pub const OFF_Q2: usize = 1424;

pub const FLAG_DEBUG: u64 = 0x2;
pub const FLAG_MODE64BIT: u64 = 0x4;
pub const XFRM: u64 = 0x3;
pub const ATTRIBUTEMASK_FLAGS: u64 = 0xffff_ffff_ffff_ff7b;
pub const ATTRIBUTEMASK_XFRM: u64 = 0xffff_ffff_ffff_ff1b;
pub const MISCMASK: u32 = 0xffff_ffff;
