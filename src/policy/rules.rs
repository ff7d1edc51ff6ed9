//! The policy evaluated on the facts of a request: every broken rule, in a fixed
//! order, each with a short stable code (what a decline names) and one line saying
//! what the request asked and what the policy allows.

use std::fmt;

use crate::sgx::sigstruct::FLAG_DEBUG;

use super::{Bits, Facts, Policy};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// Stable and short: `isvprodid`, `isvsvn-min`, `isvsvn-max`, `mrenclave`,
    /// `debug`, `attributes`, `xfrm`, `miscselect`, `date`, `initiator`,
    /// `initiator-key`.
    pub rule: &'static str,
    /// One line: what the request asks and what the policy allows.
    pub detail: String,
}

impl fmt::Display for Broken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.detail)
    }
}

/// Every rule of `policy` that `facts` break; empty when the policy allows the request.
pub fn evaluate(policy: &Policy, facts: &Facts) -> Vec<Broken> {
    let mut out = Vec::new();
    let mut broken = |rule: &'static str, detail: String| out.push(Broken { rule, detail });
    if !policy.products.is_empty() {
        match policy.products.get(&facts.isv_prod_id) {
            None => broken(
                "isvprodid",
                format!(
                    "ISVPRODID {} is not among the allowed products ({})",
                    facts.isv_prod_id,
                    policy
                        .products
                        .keys()
                        .map(u16::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(range) => {
                if let Some(min) = range.min.filter(|m| facts.isv_svn < *m) {
                    broken(
                        "isvsvn-min",
                        format!(
                            "ISVSVN {} is below the minimum {min} for ISVPRODID {}",
                            facts.isv_svn, facts.isv_prod_id
                        ),
                    );
                }
                if let Some(max) = range.max.filter(|m| facts.isv_svn > *m) {
                    broken(
                        "isvsvn-max",
                        format!(
                            "ISVSVN {} is above the maximum {max} for ISVPRODID {}",
                            facts.isv_svn, facts.isv_prod_id
                        ),
                    );
                }
            }
        }
    }
    if let Some(allowed) = &policy.mrenclaves {
        if !allowed.contains(&facts.mrenclave) {
            broken(
                "mrenclave",
                format!(
                    "MRENCLAVE {} is not among the {} allowed",
                    hex::encode(facts.mrenclave),
                    allowed.len()
                ),
            );
        }
    }
    if policy.never_debug {
        if facts.debug() {
            broken(
                "debug",
                "the enclave has the DEBUG attribute and the policy never signs DEBUG".into(),
            );
        } else if facts.attribute_mask & FLAG_DEBUG == 0 {
            broken(
                "debug",
                "ATTRIBUTEMASK leaves DEBUG unpinned, so the enclave could be launched in debug mode".into(),
            );
        }
    }
    let masked = [
        (
            "attributes",
            "ATTRIBUTES.FLAGS",
            "ATTRIBUTEMASK.FLAGS",
            policy.attributes,
            facts.attributes,
            facts.attribute_mask,
        ),
        (
            "xfrm",
            "ATTRIBUTES.XFRM",
            "ATTRIBUTEMASK.XFRM",
            policy.xfrm,
            facts.xfrm,
            facts.xfrm_mask,
        ),
        (
            "miscselect",
            "MISCSELECT",
            "MISCMASK",
            Bits {
                required: policy.miscselect.required.into(),
                forbidden: policy.miscselect.forbidden.into(),
            },
            facts.miscselect.into(),
            facts.misc_mask.into(),
        ),
    ];
    for (rule, field, mask_name, bits, value, mask) in masked {
        if let Some(p) = mask_problem(bits, value, mask) {
            broken(
                rule,
                format!("{field} {value:#x} with {mask_name} {mask:#x}: {p}"),
            );
        }
    }
    let w = &policy.date;
    if let Some(b) = w.not_before.filter(|b| facts.date < *b) {
        broken(
            "date",
            format!("the SIGSTRUCT is dated {}, before {b}", facts.date),
        );
    }
    if let Some(a) = w.not_after.filter(|a| facts.date > *a) {
        broken(
            "date",
            format!("the SIGSTRUCT is dated {}, after {a}", facts.date),
        );
    }
    if let Some(n) = w.max_days_from_today {
        let days = facts.date.days_from(facts.today);
        if days.unsigned_abs() > u64::from(n) {
            broken(
                "date",
                format!(
                    "the SIGSTRUCT is dated {}, {} day(s) from today ({} UTC); the policy allows {n}",
                    facts.date,
                    days.unsigned_abs(),
                    facts.today
                ),
            );
        }
    }
    if let Some(parties) = &policy.initiators {
        if !parties.contains(&facts.initiator) {
            broken(
                "initiator",
                format!(
                    "party {} is not among the initiators this signer accepts ({})",
                    facts.initiator,
                    parties
                        .iter()
                        .map(u8::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    if let Some(keys) = &policy.initiator_keys {
        match facts.initiator_key {
            None => broken(
                "initiator-key",
                format!(
                    "nothing proves which identity key sent party {}'s request (unsigned, or no roster)",
                    facts.initiator
                ),
            ),
            Some(k) if !keys.contains(&k) => broken(
                "initiator-key",
                format!(
                    "the request is signed by identity key {}, not one the policy accepts",
                    hex::encode(k)
                ),
            ),
            Some(_) => {}
        }
    }
    out
}

/// What is wrong with a field `value` and its `mask` for the required and forbidden
/// bits, or `None`.
fn mask_problem(bits: Bits<u64>, value: u64, mask: u64) -> Option<String> {
    let Bits {
        required,
        forbidden,
    } = bits;
    let mut why = Vec::new();
    let missing = required & !value;
    if missing != 0 {
        why.push(format!("required bits {missing:#x} are clear"));
    }
    let set = forbidden & value;
    if set != 0 {
        why.push(format!("forbidden bits {set:#x} are set"));
    }
    let unpinned = (required | forbidden) & !mask;
    if unpinned != 0 {
        why.push(format!(
            "bits {unpinned:#x} are not in the mask, so a launch may change them"
        ));
    }
    (!why.is_empty()).then(|| why.join("; "))
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
