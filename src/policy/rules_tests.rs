use std::collections::BTreeSet;

use super::*;
use crate::policy::{DateWindow, SvnRange};
use crate::sgx::sigstruct::{ATTRIBUTEMASK_FLAGS, ATTRIBUTEMASK_XFRM, MISCMASK, XFRM};
use crate::sgx::Date;

const fn day(year: u16, month: u8, day: u8) -> Date {
    Date { year, month, day }
}

/// What EGo's oesign makes: a production enclave dated 2026-03-14, from party 1.
fn facts() -> Facts {
    Facts {
        mrenclave: [7; 32],
        isv_prod_id: 4,
        isv_svn: 5,
        attributes: 0x4,
        attribute_mask: ATTRIBUTEMASK_FLAGS,
        xfrm: XFRM,
        xfrm_mask: ATTRIBUTEMASK_XFRM,
        miscselect: 0,
        misc_mask: MISCMASK,
        date: day(2026, 3, 14),
        today: day(2026, 3, 14),
        initiator: 1,
        initiator_key: Some([9; 32]),
    }
}

fn rules(p: &Policy, f: &Facts) -> Vec<&'static str> {
    evaluate(p, f).iter().map(|b| b.rule).collect()
}

#[test]
fn the_empty_policy_allows_anything() {
    let mut f = facts();
    f.attributes |= FLAG_DEBUG;
    f.initiator_key = None;
    assert!(evaluate(&Policy::default(), &f).is_empty());
}

#[test]
fn products_and_their_isvsvn_range() {
    let mut p = Policy::default();
    p.products.insert(
        4,
        SvnRange {
            min: Some(5),
            max: Some(9),
        },
    );
    p.products.insert(8, SvnRange::default());
    let mut f = facts();
    assert!(evaluate(&p, &f).is_empty());
    f.isv_svn = 9;
    assert!(evaluate(&p, &f).is_empty());
    f.isv_svn = 4;
    let b = evaluate(&p, &f);
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].rule, "isvsvn-min");
    assert_eq!(
        b[0].to_string(),
        "isvsvn-min: ISVSVN 4 is below the minimum 5 for ISVPRODID 4"
    );
    f.isv_svn = 10;
    assert_eq!(rules(&p, &f), ["isvsvn-max"]);
    f.isv_prod_id = 8;
    f.isv_svn = 0;
    assert!(evaluate(&p, &f).is_empty());
    f.isv_prod_id = 5;
    let b = evaluate(&p, &f);
    assert_eq!(rules(&p, &f), ["isvprodid"]);
    assert!(b[0].detail.contains("(4, 8)"), "{}", b[0]);
}

#[test]
fn mrenclave_allow_list() {
    let p = Policy {
        mrenclaves: Some(BTreeSet::from([[7; 32], [8; 32]])),
        ..Policy::default()
    };
    let mut f = facts();
    assert!(evaluate(&p, &f).is_empty());
    f.mrenclave[31] ^= 1;
    assert_eq!(rules(&p, &f), ["mrenclave"]);
}

#[test]
fn never_debug_refuses_debug_and_an_unpinned_debug_bit() {
    let p = Policy {
        never_debug: true,
        ..Policy::default()
    };
    let mut f = facts();
    assert!(evaluate(&p, &f).is_empty());
    f.attributes |= FLAG_DEBUG;
    assert_eq!(rules(&p, &f), ["debug"]);
    let mut f = facts();
    f.attribute_mask &= !FLAG_DEBUG;
    let b = evaluate(&p, &f);
    assert_eq!(rules(&p, &f), ["debug"]);
    assert!(b[0].detail.contains("unpinned"), "{}", b[0]);
}

#[test]
fn attribute_xfrm_and_miscselect_bits_with_sgx_mask_semantics() {
    let p = Policy {
        attributes: Bits {
            required: 0,
            forbidden: 0x2,
        },
        xfrm: Bits {
            required: 0x3,
            forbidden: 0x8,
        },
        miscselect: Bits {
            required: 0,
            forbidden: 0x1,
        },
        ..Policy::default()
    };
    let f = facts();
    assert!(evaluate(&p, &f).is_empty(), "{:?}", evaluate(&p, &f));
    // A forbidden bit set.
    let mut g = f.clone();
    g.attributes |= 0x2;
    let b = evaluate(&p, &g);
    assert_eq!(rules(&p, &g), ["attributes"]);
    assert!(
        b[0].detail.contains("forbidden bits 0x2 are set"),
        "{}",
        b[0]
    );
    // A required bit clear.
    let mut q = p.clone();
    q.attributes.required = 0x1;
    let b = evaluate(&q, &f);
    assert!(
        b[0].detail.contains("required bits 0x1 are clear"),
        "{}",
        b[0]
    );
    // Right values, but a bit the policy pins is not in the SIGSTRUCT's mask: a
    // launch may change it. oesign's ATTRIBUTEMASK leaves MODE64BIT (0x4) and 0x80 out.
    let mut q = p.clone();
    q.attributes.required = 0x4;
    let b = evaluate(&q, &f);
    assert!(
        b[0].detail.contains("bits 0x4 are not in the mask"),
        "{}",
        b[0]
    );
    let mut q = p.clone();
    q.attributes.forbidden |= 0x80;
    let b = evaluate(&q, &f);
    assert_eq!(rules(&q, &f), ["attributes"]);
    assert!(
        b[0].detail.contains("bits 0x80 are not in the mask"),
        "{}",
        b[0]
    );
    // XFRM and MISCSELECT.
    let mut g = f.clone();
    g.xfrm |= 0x8;
    assert_eq!(rules(&p, &g), ["xfrm"]);
    let mut g = f.clone();
    g.miscselect = 1;
    assert_eq!(rules(&p, &g), ["miscselect"]);
    let mut g = f;
    g.misc_mask = 0;
    assert_eq!(rules(&p, &g), ["miscselect"]);
}

#[test]
fn date_window() {
    let p = Policy {
        date: DateWindow {
            not_before: Some(day(2026, 3, 1)),
            not_after: Some(day(2026, 3, 31)),
            max_days_from_today: Some(2),
        },
        ..Policy::default()
    };
    let mut f = facts();
    assert!(evaluate(&p, &f).is_empty());
    f.date = day(2026, 3, 16);
    assert!(evaluate(&p, &f).is_empty());
    f.date = day(2026, 3, 17);
    assert_eq!(rules(&p, &f), ["date"]);
    f.today = day(2026, 2, 27);
    f.date = day(2026, 2, 28);
    let b = evaluate(&p, &f);
    assert_eq!(rules(&p, &f), ["date"]);
    assert!(b[0].detail.contains("before 2026-03-01"), "{}", b[0]);
    f.today = day(2026, 4, 1);
    f.date = day(2026, 4, 1);
    assert!(evaluate(&p, &f)[0].detail.contains("after 2026-03-31"));
}

#[test]
fn initiators_by_party_and_by_identity_key() {
    let p = Policy {
        initiators: Some(BTreeSet::from([1, 3])),
        ..Policy::default()
    };
    let mut f = facts();
    assert!(evaluate(&p, &f).is_empty());
    f.initiator = 2;
    assert_eq!(rules(&p, &f), ["initiator"]);
    let p = Policy {
        initiator_keys: Some(BTreeSet::from([[9; 32]])),
        ..Policy::default()
    };
    let mut f = facts();
    assert!(evaluate(&p, &f).is_empty());
    f.initiator_key = Some([8; 32]);
    assert_eq!(rules(&p, &f), ["initiator-key"]);
    f.initiator_key = None;
    let b = evaluate(&p, &f);
    assert!(b[0].detail.contains("nothing proves"), "{}", b[0]);
}

#[test]
fn every_broken_rule_is_reported_in_order() {
    let mut p = Policy {
        mrenclaves: Some(BTreeSet::from([[1; 32]])),
        never_debug: true,
        initiators: Some(BTreeSet::from([3])),
        date: DateWindow {
            max_days_from_today: Some(0),
            ..DateWindow::default()
        },
        ..Policy::default()
    };
    p.products.insert(
        4,
        SvnRange {
            min: Some(6),
            max: None,
        },
    );
    let mut f = facts();
    f.attributes |= FLAG_DEBUG;
    f.date = day(2026, 3, 20);
    assert_eq!(
        rules(&p, &f),
        ["isvsvn-min", "mrenclave", "debug", "date", "initiator"]
    );
}
