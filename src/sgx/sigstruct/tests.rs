//! Tests of BCD dates and of building, validating and reading back signed regions.

use super::*;

#[test]
fn bcd_dates() {
    let d = Date {
        year: 2026,
        month: 11,
        day: 24,
    };
    assert_eq!(d.to_bcd(), 0x2026_1124);
    assert_eq!(Date::from_bcd(0x2026_1124).unwrap(), d);
    for days in [-1i64, 0, 1, 59, 60, 789, 19_782, 20_000, 2_932_896] {
        assert_eq!(Date::from_unix_days(days).to_unix_days(), days);
    }
    assert!(Date::from_bcd(0x2026_1a24).is_err());
    assert!(Date::from_bcd(0x2026_1324).is_err());
    assert_eq!(
        Date::from_unix_days(0),
        Date {
            year: 1970,
            month: 1,
            day: 1
        }
    );
    // 2024-02-29 is day 19782.
    assert_eq!(
        Date::from_unix_days(19_782),
        Date {
            year: 2024,
            month: 2,
            day: 29
        }
    );
}

#[test]
fn built_regions_validate_and_read_back() {
    let f = SigstructFields {
        date: Date {
            year: 2026,
            month: 1,
            day: 2,
        },
        debug: true,
        mrenclave: [0x11; 32],
        isv_prod_id: 7,
        isv_svn: 9,
    };
    let s = Sigstruct::build(&f);
    let r = s.regions();
    r.validate().unwrap();
    assert!(r.is_debug());
    assert_eq!(r.mrenclave(), [0x11; 32]);
    assert_eq!((r.isv_prod_id(), r.isv_svn()), (7, 9));
    assert_eq!(r.date().unwrap(), f.date);
    assert_eq!(Sigstruct::from_regions(&r).regions(), r);
    assert_eq!(s.mrsigner(), [0u8; 32]);
}
