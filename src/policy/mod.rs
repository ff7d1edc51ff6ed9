//! The signer policy: what a signer agrees to sign without a person deciding each
//! field by eye. A `policy.toml` beside the share (or `--policy FILE`) says which
//! products, ISVSVN ranges, MRENCLAVEs, attribute and MISCSELECT bits, SIGSTRUCT
//! dates and initiators are allowed, and whether DEBUG is never signed.
//!
//! - `file`: the TOML format, parsed strictly (an unknown key is refused by name),
//!   and the one I/O of this module: reading the policy and its MRENCLAVE list.
//! - `facts`: what a request asks for, read from the unsigned SIGSTRUCT's signed
//!   regions and the initiator's party number and identity key.
//! - `rules`: the policy evaluated on the facts: every broken rule, each with a
//!   short stable code and one line saying why.
//!
//! Pure except `file::load`; nothing here touches the terminal. The SVN
//! anti-rollback check needs the signer's audit log and lives in `audit::svn`.

pub mod facts;
pub mod file;
pub mod rules;

use std::collections::{BTreeMap, BTreeSet};

use crate::sgx::Date;

pub use facts::Facts;
pub use file::{load, parse, POLICY_FILE_NAME};
pub use rules::{evaluate, Broken};

/// Errors of reading a policy: each one line naming the file and what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read the policy {path}: {reason}")]
    Io { path: String, reason: String },
    #[error("the policy {path} is not valid: {why}")]
    Invalid { path: String, why: String },
}

/// The ISVSVN range allowed for one ISVPRODID (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SvnRange {
    pub min: Option<u16>,
    pub max: Option<u16>,
}

/// Bits of a SIGSTRUCT field and its mask, with SGX's own mask semantics: a launch
/// compares only the bits the SIGSTRUCT's mask covers, so a bit is pinned only when
/// it is in the mask. A `required` bit must be set in the field and covered by its
/// mask; a `forbidden` bit must be clear in the field and covered by its mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bits<T> {
    pub required: T,
    pub forbidden: T,
}

/// The window the SIGSTRUCT's date must fall in (all ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DateWindow {
    pub not_before: Option<Date>,
    pub not_after: Option<Date>,
    /// At most this many days before or after the signer's today (UTC).
    pub max_days_from_today: Option<u32>,
}

/// A signer policy. An absent rule allows everything it would restrict.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    /// Allowed ISVPRODIDs with their ISVSVN range; empty: any product.
    pub products: BTreeMap<u16, SvnRange>,
    /// Allowed MRENCLAVEs; `None`: any.
    pub mrenclaves: Option<BTreeSet<[u8; 32]>>,
    /// Refuse the DEBUG attribute, and a mask that leaves DEBUG unpinned.
    pub never_debug: bool,
    /// ATTRIBUTES.FLAGS against ATTRIBUTEMASK.FLAGS.
    pub attributes: Bits<u64>,
    /// ATTRIBUTES.XFRM against ATTRIBUTEMASK.XFRM.
    pub xfrm: Bits<u64>,
    /// MISCSELECT against MISCMASK.
    pub miscselect: Bits<u32>,
    pub date: DateWindow,
    /// Party numbers this signer accepts requests from; `None`: any.
    pub initiators: Option<BTreeSet<u8>>,
    /// Identity keys (as the roster shows them) that must have signed the request;
    /// `None`: any.
    pub initiator_keys: Option<BTreeSet<[u8; 32]>>,
}

impl Policy {
    /// The policy in a few lines, for `share info`, `selftest` and the signer.
    pub fn summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.products.is_empty() {
            out.push("ISVPRODID: any".to_string());
        }
        for (id, r) in &self.products {
            let end = |v: Option<u16>, none: &str| v.map_or(none.to_string(), |v| v.to_string());
            out.push(format!(
                "ISVPRODID {id}: ISVSVN {}..={}",
                end(r.min, "0"),
                end(r.max, "65535")
            ));
        }
        out.push(match &self.mrenclaves {
            None => "MRENCLAVE: any".to_string(),
            Some(s) => format!("MRENCLAVE: {} allowed", s.len()),
        });
        out.push(format!(
            "DEBUG: {}",
            if self.never_debug {
                "never"
            } else {
                "as the signer's flags say (--allow-debug)"
            }
        ));
        let bits = |name: &str, required: String, forbidden: String| {
            format!("{name}: required {required}, forbidden {forbidden}")
        };
        out.push(bits(
            "ATTRIBUTES.FLAGS",
            format!("{:#x}", self.attributes.required),
            format!("{:#x}", self.attributes.forbidden),
        ));
        out.push(bits(
            "ATTRIBUTES.XFRM",
            format!("{:#x}", self.xfrm.required),
            format!("{:#x}", self.xfrm.forbidden),
        ));
        out.push(bits(
            "MISCSELECT",
            format!("{:#x}", self.miscselect.required),
            format!("{:#x}", self.miscselect.forbidden),
        ));
        let d = &self.date;
        let mut window = Vec::new();
        if let Some(b) = d.not_before {
            window.push(format!("not before {b}"));
        }
        if let Some(a) = d.not_after {
            window.push(format!("not after {a}"));
        }
        if let Some(n) = d.max_days_from_today {
            window.push(format!("within {n} day(s) of today (UTC)"));
        }
        out.push(if window.is_empty() {
            "date: any".to_string()
        } else {
            format!("date: {}", window.join(", "))
        });
        out.push(match &self.initiators {
            None => "initiators: any party".to_string(),
            Some(s) => format!(
                "initiators: parties {}",
                s.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
            ),
        });
        if let Some(keys) = &self.initiator_keys {
            for k in keys {
                out.push(format!("initiator key: {}", hex::encode(k)));
            }
        }
        out
    }
}
