//! `policy.toml`: the signer policy's file format, read strictly. Every key is
//! known or the file is refused, naming the key and its line; values are checked
//! (ranges, hex, dates, bits both required and forbidden) before a policy exists.
//! [`load`] is the only I/O: the file and the MRENCLAVE list it may name.
//!
//! ```toml
//! version = 1
//! never_debug = true
//! mrenclaves = ["<64 hex digits>"]
//! mrenclave_file = "allowed-mrenclaves.txt"   # one hex MRENCLAVE a line, beside the policy
//! initiators = [1, 3]
//! initiator_keys = ["<the identity key of a roster line, 64 hex digits>"]
//!
//! [[product]]
//! isvprodid = 4
//! min_isvsvn = 5
//! max_isvsvn = 20
//!
//! [attributes]          # also [xfrm] and [miscselect]
//! required = "0x4"
//! forbidden = "0x2"
//!
//! [date]
//! not_before = 2026-01-01
//! not_after = 2026-12-31
//! max_days_from_today = 1
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use serde::Deserialize;

use crate::hex32;
use crate::sgx::Date;

use super::{Bits, DateWindow, Policy, PolicyError, SvnRange};

/// The policy file a signer reads beside its share.
pub const POLICY_FILE_NAME: &str = "policy.toml";
/// The only format version.
pub const POLICY_VERSION: u32 = 1;
/// The largest policy or MRENCLAVE list read.
const MAX_FILE_LEN: u64 = 1 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    version: u32,
    #[serde(default)]
    never_debug: bool,
    #[serde(default)]
    product: Vec<RawProduct>,
    mrenclaves: Option<Vec<String>>,
    mrenclave_file: Option<String>,
    attributes: Option<RawBits>,
    xfrm: Option<RawBits>,
    miscselect: Option<RawBits>,
    date: Option<RawDate>,
    initiators: Option<Vec<u8>>,
    initiator_keys: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    isvprodid: u16,
    min_isvsvn: Option<u16>,
    max_isvsvn: Option<u16>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBits {
    required: Option<String>,
    forbidden: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDate {
    not_before: Option<toml::value::Datetime>,
    not_after: Option<toml::value::Datetime>,
    max_days_from_today: Option<u32>,
}

/// Reads the policy at `path` (and the MRENCLAVE list it names, relative to its
/// directory).
pub fn load(path: &Path) -> Result<Policy, PolicyError> {
    let text = read_text(path)?;
    let where_ = path.display().to_string();
    let (mut policy, list) = parse(&text, &where_)?;
    if let Some(name) = list {
        let list_path = match path.parent() {
            Some(dir) => dir.join(&name),
            None => name.clone().into(),
        };
        let text = read_text(&list_path)?;
        let set = policy.mrenclaves.get_or_insert_with(BTreeSet::new);
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let m = hex32::parse(line).ok_or_else(|| PolicyError::Invalid {
                path: list_path.display().to_string(),
                why: format!("line {} is not an MRENCLAVE (64 hex digits)", i + 1),
            })?;
            set.insert(m);
        }
        if set.is_empty() {
            return Err(invalid(
                &where_,
                format!("mrenclave_file {name} lists no MRENCLAVE: a policy that allows none signs nothing"),
            ));
        }
    }
    Ok(policy)
}

fn read_text(path: &Path) -> Result<String, PolicyError> {
    let io = |reason: String| PolicyError::Io {
        path: path.display().to_string(),
        reason,
    };
    let f = crate::fsutil::open_regular(path).map_err(|e| io(e.to_string()))?;
    let mut text = String::new();
    f.take(MAX_FILE_LEN + 1)
        .read_to_string(&mut text)
        .map_err(|e| io(e.to_string()))?;
    if text.len() as u64 > MAX_FILE_LEN {
        return Err(io(format!("it is larger than {} KiB", MAX_FILE_LEN >> 10)));
    }
    Ok(text)
}

fn invalid(path: &str, why: String) -> PolicyError {
    PolicyError::Invalid {
        path: path.to_string(),
        why,
    }
}

/// Parses the text of a policy file (`path` names it in errors); returns the
/// policy and the MRENCLAVE list file it names, not yet read.
pub fn parse(text: &str, path: &str) -> Result<(Policy, Option<String>), PolicyError> {
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
        let msg = e.message().lines().next().unwrap_or("").trim().to_string();
        invalid(
            path,
            match line {
                Some(l) => format!("line {l}: {msg}"),
                None => msg,
            },
        )
    })?;
    let bad = |why: String| invalid(path, why);
    if raw.version != POLICY_VERSION {
        return Err(bad(format!(
            "version {} is not one this tool reads (version = {POLICY_VERSION})",
            raw.version
        )));
    }
    let mut products = BTreeMap::new();
    for p in raw.product {
        let range = SvnRange {
            min: p.min_isvsvn,
            max: p.max_isvsvn,
        };
        if let (Some(min), Some(max)) = (range.min, range.max) {
            if min > max {
                return Err(bad(format!(
                    "product {}: min_isvsvn {min} is above max_isvsvn {max}",
                    p.isvprodid
                )));
            }
        }
        if products.insert(p.isvprodid, range).is_some() {
            return Err(bad(format!(
                "product {} is listed twice: give each ISVPRODID one [[product]]",
                p.isvprodid
            )));
        }
    }
    let mrenclaves = match raw.mrenclaves {
        None => None,
        Some(list) if list.is_empty() && raw.mrenclave_file.is_none() => {
            return Err(bad(
                "mrenclaves is empty: a policy that allows no MRENCLAVE signs nothing (remove the key to allow any)".into(),
            ))
        }
        Some(list) => Some(
            list.iter()
                .map(|m| {
                    hex32::parse(m).ok_or_else(|| {
                        bad(format!("mrenclaves: `{m}` is not 64 hex digits"))
                    })
                })
                .collect::<Result<BTreeSet<_>, _>>()?,
        ),
    };
    let initiators = match raw.initiators {
        Some(list) if list.is_empty() => {
            return Err(bad(
                "initiators is empty: a signer that accepts no initiator signs nothing (remove the key to accept any)".into(),
            ))
        }
        Some(list) if list.contains(&0) => {
            return Err(bad("initiators: parties are numbered from 1".into()))
        }
        other => other.map(|l| l.into_iter().collect()),
    };
    let initiator_keys = match raw.initiator_keys {
        Some(list) if list.is_empty() => {
            return Err(bad(
                "initiator_keys is empty: remove the key to accept any identity".into(),
            ))
        }
        Some(list) => Some(
            list.iter()
                .map(|k| {
                    hex32::parse(k).ok_or_else(|| {
                        bad(format!(
                            "initiator_keys: `{k}` is not an identity key (64 hex digits, as `share info` shows the roster)"
                        ))
                    })
                })
                .collect::<Result<BTreeSet<_>, _>>()?,
        ),
        None => None,
    };
    let policy = Policy {
        products,
        mrenclaves,
        never_debug: raw.never_debug,
        attributes: bits(raw.attributes, "attributes", path)?,
        xfrm: bits(raw.xfrm, "xfrm", path)?,
        miscselect: {
            let b = bits(raw.miscselect, "miscselect", path)?;
            let narrow = |v: u64| {
                u32::try_from(v).map_err(|_| {
                    bad(format!(
                        "miscselect: {v:#x} is wider than MISCSELECT's 32 bits"
                    ))
                })
            };
            Bits {
                required: narrow(b.required)?,
                forbidden: narrow(b.forbidden)?,
            }
        },
        date: date_window(raw.date, path)?,
        initiators,
        initiator_keys,
    };
    Ok((policy, raw.mrenclave_file))
}

fn bits(raw: Option<RawBits>, name: &str, path: &str) -> Result<Bits<u64>, PolicyError> {
    let Some(raw) = raw else {
        return Ok(Bits::default());
    };
    let value = |v: Option<String>, which: &str| -> Result<u64, PolicyError> {
        let Some(v) = v else { return Ok(0) };
        let digits = v
            .strip_prefix("0x")
            .or_else(|| v.strip_prefix("0X"))
            .ok_or_else(|| {
                invalid(
                    path,
                    format!("{name}.{which}: `{v}` must be hexadecimal with 0x, e.g. \"0x2\""),
                )
            })?;
        u64::from_str_radix(&digits.replace('_', ""), 16).map_err(|_| {
            invalid(
                path,
                format!("{name}.{which}: `{v}` is not a 64-bit hexadecimal number"),
            )
        })
    };
    let b = Bits {
        required: value(raw.required, "required")?,
        forbidden: value(raw.forbidden, "forbidden")?,
    };
    let both = b.required & b.forbidden;
    if both != 0 {
        return Err(invalid(
            path,
            format!("{name}: bits {both:#x} are both required and forbidden"),
        ));
    }
    Ok(b)
}

fn date_window(raw: Option<RawDate>, path: &str) -> Result<DateWindow, PolicyError> {
    let Some(raw) = raw else {
        return Ok(DateWindow::default());
    };
    let day =
        |d: Option<toml::value::Datetime>, which: &str| -> Result<Option<Date>, PolicyError> {
            let Some(d) = d else { return Ok(None) };
            let bad = || {
                invalid(
                    path,
                    format!("date.{which}: `{d}` must be a plain date such as 2026-01-31"),
                )
            };
            let (Some(day), None, None) = (d.date, d.time, d.offset) else {
                return Err(bad());
            };
            let date = Date {
                year: day.year,
                month: day.month,
                day: day.day,
            };
            // A real calendar day within the SIGSTRUCT's four BCD digits of year.
            if date.year > 9999 || Date::from_unix_days(date.to_unix_days()) != date {
                return Err(bad());
            }
            Ok(Some(date))
        };
    let w = DateWindow {
        not_before: day(raw.not_before, "not_before")?,
        not_after: day(raw.not_after, "not_after")?,
        max_days_from_today: raw.max_days_from_today,
    };
    if let (Some(b), Some(a)) = (w.not_before, w.not_after) {
        if b > a {
            return Err(invalid(
                path,
                format!("date: not_before {b} is after not_after {a}"),
            ));
        }
    }
    Ok(w)
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
