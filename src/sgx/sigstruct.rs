//! The 1808-byte SIGSTRUCT, with the values EGo's oesign puts in it.
//!
//! All integers are little-endian. The signed digest is SHA-256 over bytes 0..128
//! followed by 900..1028 (the "signed regions"); modulus, signature, Q1 and Q2 are not
//! covered. Where each field sits, and the values oesign writes, are in `layout`
//! (re-exported here); the tests in `sigstruct/tests.rs`.

use num_bigint::BigUint;
use sha2::{Digest, Sha256};

use crate::key::{to_fixed_be, PublicKey, MODULUS_BYTES, PUBLIC_EXPONENT};

mod layout;
pub use layout::*;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SigstructError {
    #[error("a SIGSTRUCT is 1808 bytes, got {0}")]
    Length(usize),
    #[error("the SIGSTRUCT field {field} is {found}, oesign writes {expected}")]
    Field {
        field: &'static str,
        found: String,
        expected: String,
    },
    #[error("the SIGSTRUCT date {0:08x} is not a valid BCD date")]
    Date(u32),
    #[error("the enclave is not signed (its SIGSTRUCT has no modulus)")]
    Unsigned,
    #[error("the SIGSTRUCT's key is unusable: {0}")]
    Key(#[from] crate::key::KeyError),
    #[error("the SIGSTRUCT's signature does not verify with its modulus")]
    BadSignature,
    #[error("the SIGSTRUCT's Q1 or Q2 does not match its signature")]
    BadQ,
    #[error("the enclave is signed by MRSIGNER {found}, not by the given key ({expected})")]
    WrongSigner { found: String, expected: String },
}

/// A calendar day, stored in the SIGSTRUCT as BCD 0xYYYYMMDD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn to_bcd(self) -> u32 {
        let digits = format!("{:04}{:02}{:02}", self.year, self.month, self.day);
        digits
            .bytes()
            .fold(0u32, |acc, d| (acc << 4) | u32::from(d - b'0'))
    }

    pub fn from_bcd(v: u32) -> Result<Self, SigstructError> {
        let hex = format!("{v:08x}");
        if !hex.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SigstructError::Date(v));
        }
        let year: u16 = hex[0..4].parse().map_err(|_| SigstructError::Date(v))?;
        let month: u8 = hex[4..6].parse().map_err(|_| SigstructError::Date(v))?;
        let day: u8 = hex[6..8].parse().map_err(|_| SigstructError::Date(v))?;
        if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
            return Err(SigstructError::Date(v));
        }
        Ok(Date { year, month, day })
    }

    /// Days from `today` to this date (positive: this date is in the future): the one
    /// place the distance of a SIGSTRUCT's date from today is computed.
    pub fn days_from(self, today: Date) -> i64 {
        self.to_unix_days() - today.to_unix_days()
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::from_unix_days((secs / 86_400) as i64)
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    pub fn to_unix_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    pub fn from_unix_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What goes into an unsigned SIGSTRUCT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SigstructFields {
    pub date: Date,
    pub debug: bool,
    pub mrenclave: [u8; 32],
    pub isv_prod_id: u16,
    pub isv_svn: u16,
}

fn u16_at(b: &[u8], off: usize) -> u16 {
    u16::from_le_bytes([b[off], b[off + 1]])
}
fn u32_at(b: &[u8], off: usize) -> u32 {
    u32::from_le_bytes([b[off], b[off + 1], b[off + 2], b[off + 3]])
}
fn u64_at(b: &[u8], off: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[off..off + 8]);
    u64::from_le_bytes(a)
}

/// The 256 signed bytes: SIGSTRUCT[0..128] followed by SIGSTRUCT[900..1028].
/// This is what a signer is asked to sign; everything it shows comes from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRegions([u8; REGIONS_LEN]);

impl SignedRegions {
    /// Offset inside the regions of a SIGSTRUCT offset from the second region.
    const fn second(off: usize) -> usize {
        off - OFF_MISCSELECT + 128
    }

    pub fn from_bytes(b: &[u8]) -> Result<Self, SigstructError> {
        let arr: [u8; REGIONS_LEN] = b.try_into().map_err(|_| SigstructError::Length(b.len()))?;
        Ok(SignedRegions(arr))
    }
    pub fn as_bytes(&self) -> &[u8; REGIONS_LEN] {
        &self.0
    }
    /// SHA-256 of the regions: the value that is signed.
    pub fn digest(&self) -> [u8; 32] {
        Sha256::digest(self.0).into()
    }
    pub fn mrenclave(&self) -> [u8; 32] {
        let o = Self::second(OFF_ENCLAVEHASH);
        let mut m = [0u8; 32];
        m.copy_from_slice(&self.0[o..o + 32]);
        m
    }
    pub fn isv_prod_id(&self) -> u16 {
        u16_at(&self.0, Self::second(OFF_ISVPRODID))
    }
    pub fn isv_svn(&self) -> u16 {
        u16_at(&self.0, Self::second(OFF_ISVSVN))
    }
    pub fn date_bcd(&self) -> u32 {
        u32_at(&self.0, OFF_DATE)
    }
    pub fn date(&self) -> Result<Date, SigstructError> {
        Date::from_bcd(self.date_bcd())
    }
    pub fn attributes_flags(&self) -> u64 {
        u64_at(&self.0, Self::second(OFF_ATTRIBUTES))
    }
    /// Whether the enclave may run in debug mode (its memory readable by the host):
    /// the DEBUG attribute is set, or the attribute mask leaves it unchecked (as the
    /// Intel SDK does for an enclave that does not set DisableDebug).
    pub fn is_debug(&self) -> bool {
        let mask = u64_at(&self.0, Self::second(OFF_ATTRIBUTEMASK));
        self.attributes_flags() & FLAG_DEBUG != 0 || mask & FLAG_DEBUG == 0
    }

    /// Checks every field that oesign fills with a constant (headers, type, vendor,
    /// misc, attributes and masks, reserved bytes) and that the date is valid.
    /// A signer refuses regions that fail this: they are not what oesign makes.
    pub fn validate(&self) -> Result<(), SigstructError> {
        let b = &self.0;
        let field = |field: &'static str, found: String, expected: String| {
            Err(SigstructError::Field {
                field,
                found,
                expected,
            })
        };
        if b[0..12] != HEADER {
            return field("header", hex::encode(&b[0..12]), hex::encode(HEADER));
        }
        for (name, off) in [
            ("type", OFF_TYPE),
            ("vendor", OFF_VENDOR),
            ("swdefined", OFF_SWDEFINED),
        ] {
            let v = u32_at(b, off);
            if v != 0 {
                return field(name, format!("{v:#x}"), "0".into());
            }
        }
        if b[OFF_HEADER2..OFF_HEADER2 + 16] != HEADER2 {
            return field(
                "header2",
                hex::encode(&b[OFF_HEADER2..OFF_HEADER2 + 16]),
                hex::encode(HEADER2),
            );
        }
        if b[44..128].iter().any(|&x| x != 0) {
            return field("reserved (44..128)", "non-zero".into(), "zeros".into());
        }
        self.date()?;
        let misc = u32_at(b, Self::second(OFF_MISCSELECT));
        if misc != 0 {
            return field("miscselect", format!("{misc:#x}"), "0".into());
        }
        let mask = u32_at(b, Self::second(OFF_MISCMASK));
        if mask != MISCMASK {
            return field("miscmask", format!("{mask:#x}"), format!("{MISCMASK:#x}"));
        }
        let r = Self::second(908)..Self::second(OFF_ATTRIBUTES);
        if b[r].iter().any(|&x| x != 0) {
            return field("reserved (908..928)", "non-zero".into(), "zeros".into());
        }
        let flags = self.attributes_flags();
        let debug = flags & FLAG_DEBUG;
        if flags & !FLAG_DEBUG != FLAG_MODE64BIT {
            return field(
                "attributes.flags",
                format!("{flags:#x}"),
                "0x4 (or 0x6 for debug)".into(),
            );
        }
        let xfrm = u64_at(b, Self::second(OFF_ATTRIBUTES_XFRM));
        if xfrm != XFRM {
            return field(
                "attributes.xfrm",
                format!("{xfrm:#x}"),
                format!("{XFRM:#x}"),
            );
        }
        let want_mask = ATTRIBUTEMASK_FLAGS & !debug;
        let fmask = u64_at(b, Self::second(OFF_ATTRIBUTEMASK));
        if fmask != want_mask {
            return field(
                "attributemask.flags",
                format!("{fmask:#x}"),
                format!("{want_mask:#x}"),
            );
        }
        let xmask = u64_at(b, Self::second(OFF_ATTRIBUTEMASK_XFRM));
        if xmask != ATTRIBUTEMASK_XFRM {
            return field(
                "attributemask.xfrm",
                format!("{xmask:#x}"),
                format!("{ATTRIBUTEMASK_XFRM:#x}"),
            );
        }
        let r = Self::second(992)..Self::second(OFF_ISVPRODID);
        if b[r].iter().any(|&x| x != 0) {
            return field("reserved (992..1024)", "non-zero".into(), "zeros".into());
        }
        Ok(())
    }
}

/// A whole SIGSTRUCT.
#[derive(Clone, PartialEq, Eq)]
pub struct Sigstruct(Box<[u8; SIGSTRUCT_LEN]>);

impl std::fmt::Debug for Sigstruct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sigstruct(mrenclave={})",
            hex::encode(self.regions().mrenclave())
        )
    }
}

impl Sigstruct {
    pub fn from_bytes(b: &[u8]) -> Result<Self, SigstructError> {
        let arr: [u8; SIGSTRUCT_LEN] = b.try_into().map_err(|_| SigstructError::Length(b.len()))?;
        Ok(Sigstruct(Box::new(arr)))
    }

    pub fn as_bytes(&self) -> &[u8; SIGSTRUCT_LEN] {
        &self.0
    }

    /// An unsigned SIGSTRUCT with oesign's values (modulus, signature, Q1, Q2 zero).
    pub fn build(f: &SigstructFields) -> Self {
        let mut b = [0u8; SIGSTRUCT_LEN];
        b[0..12].copy_from_slice(&HEADER);
        b[OFF_DATE..OFF_DATE + 4].copy_from_slice(&f.date.to_bcd().to_le_bytes());
        b[OFF_HEADER2..OFF_HEADER2 + 16].copy_from_slice(&HEADER2);
        b[OFF_EXPONENT..OFF_EXPONENT + 4].copy_from_slice(&PUBLIC_EXPONENT.to_le_bytes());
        b[OFF_MISCMASK..OFF_MISCMASK + 4].copy_from_slice(&MISCMASK.to_le_bytes());
        let debug = if f.debug { FLAG_DEBUG } else { 0 };
        let put = |b: &mut [u8; SIGSTRUCT_LEN], off: usize, v: u64| {
            b[off..off + 8].copy_from_slice(&v.to_le_bytes())
        };
        put(&mut b, OFF_ATTRIBUTES, FLAG_MODE64BIT | debug);
        put(&mut b, OFF_ATTRIBUTES_XFRM, XFRM);
        put(&mut b, OFF_ATTRIBUTEMASK, ATTRIBUTEMASK_FLAGS & !debug);
        put(&mut b, OFF_ATTRIBUTEMASK_XFRM, ATTRIBUTEMASK_XFRM);
        b[OFF_ENCLAVEHASH..OFF_ENCLAVEHASH + 32].copy_from_slice(&f.mrenclave);
        b[OFF_ISVPRODID..OFF_ISVPRODID + 2].copy_from_slice(&f.isv_prod_id.to_le_bytes());
        b[OFF_ISVSVN..OFF_ISVSVN + 2].copy_from_slice(&f.isv_svn.to_le_bytes());
        Sigstruct(Box::new(b))
    }

    /// An unsigned SIGSTRUCT holding exactly these signed regions.
    pub fn from_regions(r: &SignedRegions) -> Self {
        let mut b = [0u8; SIGSTRUCT_LEN];
        b[0..128].copy_from_slice(&r.0[..128]);
        b[OFF_MISCSELECT..OFF_MISCSELECT + 128].copy_from_slice(&r.0[128..]);
        b[OFF_EXPONENT..OFF_EXPONENT + 4].copy_from_slice(&PUBLIC_EXPONENT.to_le_bytes());
        Sigstruct(Box::new(b))
    }

    pub fn regions(&self) -> SignedRegions {
        let mut r = [0u8; REGIONS_LEN];
        r[..128].copy_from_slice(&self.0[0..128]);
        r[128..].copy_from_slice(&self.0[OFF_MISCSELECT..OFF_MISCSELECT + 128]);
        SignedRegions(r)
    }

    pub fn digest(&self) -> [u8; 32] {
        self.regions().digest()
    }

    pub fn modulus_le(&self) -> &[u8] {
        &self.0[OFF_MODULUS..OFF_MODULUS + MODULUS_BYTES]
    }

    pub fn exponent(&self) -> u32 {
        u32_at(&self.0[..], OFF_EXPONENT)
    }

    pub fn signature(&self) -> BigUint {
        BigUint::from_bytes_le(&self.0[OFF_SIGNATURE..OFF_SIGNATURE + MODULUS_BYTES])
    }

    /// MRSIGNER: SHA-256 of the stored little-endian modulus (zeros if unsigned, as
    /// `ego signerid` prints).
    pub fn mrsigner(&self) -> [u8; 32] {
        if self.modulus_le().iter().all(|&b| b == 0) {
            return [0u8; 32];
        }
        Sha256::digest(self.modulus_le()).into()
    }

    /// Stores the key, the signature (little-endian) and Q1/Q2 as oesign does.
    pub fn set_signature(&mut self, key: &PublicKey, sig: &BigUint) {
        let m = key.modulus();
        self.0[OFF_MODULUS..OFF_MODULUS + MODULUS_BYTES].copy_from_slice(&key.modulus_le());
        self.0[OFF_EXPONENT..OFF_EXPONENT + 4].copy_from_slice(&PUBLIC_EXPONENT.to_le_bytes());
        let (q1, q2) = q1_q2(sig, m);
        for (off, v) in [(OFF_SIGNATURE, sig), (OFF_Q1, &q1), (OFF_Q2, &q2)] {
            let mut le = to_fixed_be(v);
            le.reverse();
            self.0[off..off + MODULUS_BYTES].copy_from_slice(&le);
        }
    }

    /// Checks everything a verifier can: the constant fields, exponent 3, the
    /// signature over the signed regions, Q1 and Q2, and, when given, the key.
    pub fn verify(&self, expected: Option<&PublicKey>) -> Result<PublicKey, SigstructError> {
        if self.modulus_le().iter().all(|&b| b == 0) {
            return Err(SigstructError::Unsigned);
        }
        self.regions().validate()?;
        self.verify_signature(expected)
    }

    /// [`Sigstruct::verify`] without the check of oesign's constant fields: the key,
    /// exponent 3, the signature over the signed regions, Q1 and Q2 (for another
    /// framework's SIGSTRUCT, whose fields `sgx::frameworks::check` checks).
    pub fn verify_signature(
        &self,
        expected: Option<&PublicKey>,
    ) -> Result<PublicKey, SigstructError> {
        if self.modulus_le().iter().all(|&b| b == 0) {
            return Err(SigstructError::Unsigned);
        }
        if self.exponent() != PUBLIC_EXPONENT {
            return Err(SigstructError::Field {
                field: "exponent",
                found: self.exponent().to_string(),
                expected: "3".into(),
            });
        }
        let key = PublicKey::from_modulus_le(self.modulus_le())?;
        if let Some(want) = expected {
            if want != &key {
                return Err(SigstructError::WrongSigner {
                    found: hex::encode(key.mrsigner()),
                    expected: hex::encode(want.mrsigner()),
                });
            }
        }
        let sig = self.signature();
        if !key.verify_digest(&self.digest(), &sig) {
            return Err(SigstructError::BadSignature);
        }
        let (q1, q2) = q1_q2(&sig, key.modulus());
        let stored = |off: usize| BigUint::from_bytes_le(&self.0[off..off + MODULUS_BYTES]);
        if stored(OFF_Q1) != q1 || stored(OFF_Q2) != q2 {
            return Err(SigstructError::BadQ);
        }
        Ok(key)
    }
}

/// Q1 = floor(S² / M), Q2 = floor(S · (S² mod M) / M): the values the CPU uses to
/// check the signature without a division.
pub fn q1_q2(sig: &BigUint, m: &BigUint) -> (BigUint, BigUint) {
    let s2 = sig * sig;
    let q1 = &s2 / m;
    let q2 = (sig * (&s2 % m)) / m;
    (q1, q2)
}

#[cfg(test)]
mod tests;
