use super::*;

const FULL: &str = r#"
version = 1
never_debug = true
mrenclaves = ["0707070707070707070707070707070707070707070707070707070707070707"]
initiators = [1, 3]
initiator_keys = ["0909090909090909090909090909090909090909090909090909090909090909"]

[[product]]
isvprodid = 4
min_isvsvn = 5
max_isvsvn = 20

[[product]]
isvprodid = 9

[attributes]
required = "0x4"
forbidden = "0x2"

[xfrm]
required = "0x3"

[miscselect]
forbidden = "0xffff_ffff"

[date]
not_before = 2026-01-01
not_after = 2026-12-31
max_days_from_today = 1
"#;

fn err(text: &str) -> String {
    parse(text, "policy.toml").unwrap_err().to_string()
}

#[test]
fn every_key_is_read() {
    let (p, list) = parse(FULL, "policy.toml").unwrap();
    assert_eq!(list, None);
    assert!(p.never_debug);
    assert_eq!(
        p.products.get(&4),
        Some(&SvnRange {
            min: Some(5),
            max: Some(20)
        })
    );
    assert_eq!(p.products.get(&9), Some(&SvnRange::default()));
    assert_eq!(p.mrenclaves, Some(BTreeSet::from([[7; 32]])));
    assert_eq!(p.initiators, Some(BTreeSet::from([1, 3])));
    assert_eq!(p.initiator_keys, Some(BTreeSet::from([[9; 32]])));
    assert_eq!(
        p.attributes,
        Bits {
            required: 4,
            forbidden: 2
        }
    );
    assert_eq!(
        p.xfrm,
        Bits {
            required: 3,
            forbidden: 0
        }
    );
    assert_eq!(p.miscselect.forbidden, 0xffff_ffff);
    assert_eq!(
        p.date.not_before,
        Some(Date {
            year: 2026,
            month: 1,
            day: 1
        })
    );
    assert_eq!(p.date.max_days_from_today, Some(1));
    let summary = p.summary().join("\n");
    assert!(summary.contains("ISVPRODID 4: ISVSVN 5..=20"), "{summary}");
    assert!(summary.contains("DEBUG: never"), "{summary}");
    assert!(summary.contains("initiators: parties 1, 3"), "{summary}");
}

#[test]
fn unknown_keys_are_refused_by_name_and_line() {
    let e = err("version = 1\nnever_debgu = true\n");
    assert!(e.contains("never_debgu") && e.contains("line 2"), "{e}");
    assert!(!e.contains('\n'), "{e}");
    let e = err("version = 1\n[[product]]\nisvprodid = 1\nminimum = 3\n");
    assert!(e.contains("minimum") && e.contains("line 4"), "{e}");
    let e = err("version = 1\n[date]\nnot_befor = 2026-01-01\n");
    assert!(e.contains("not_befor"), "{e}");
}

#[test]
fn bad_values_are_refused_in_one_line() {
    for (text, needle) in [
        ("never_debug = true", "version"),
        ("version = 2", "version 2"),
        ("version = 1\n[[product]]\nisvprodid = 70000", "line 3"),
        (
            "version = 1\n[[product]]\nisvprodid = 1\nmin_isvsvn = 5\nmax_isvsvn = 4",
            "above max_isvsvn",
        ),
        (
            "version = 1\n[[product]]\nisvprodid = 1\n[[product]]\nisvprodid = 1",
            "listed twice",
        ),
        ("version = 1\nmrenclaves = []", "mrenclaves is empty"),
        ("version = 1\nmrenclaves = [\"abcd\"]", "64 hex digits"),
        ("version = 1\ninitiators = []", "initiators is empty"),
        ("version = 1\ninitiators = [0]", "numbered from 1"),
        ("version = 1\ninitiator_keys = [\"zz\"]", "identity key"),
        ("version = 1\n[attributes]\nrequired = \"4\"", "with 0x"),
        (
            "version = 1\n[attributes]\nrequired = \"0x6\"\nforbidden = \"0x2\"",
            "both required and forbidden",
        ),
        (
            "version = 1\n[miscselect]\nrequired = \"0x100000000\"",
            "32 bits",
        ),
        ("version = 1\n[date]\nnot_before = 2026-02-30", "line 3"),
        (
            "version = 1\n[date]\nnot_before = 2026-01-01T10:00:00Z",
            "plain date",
        ),
        (
            "version = 1\n[date]\nnot_before = 2026-02-01\nnot_after = 2026-01-01",
            "after not_after",
        ),
        ("version = 1\nnever_debug = \"yes\"", "line 2"),
    ] {
        let e = err(text);
        assert!(e.contains(needle), "{text}: {e}");
        assert!(
            e.starts_with("the policy policy.toml is not valid: "),
            "{e}"
        );
        assert!(!e.contains('\n'), "{text}: {e}");
    }
}

#[test]
fn an_mrenclave_file_beside_the_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join(POLICY_FILE_NAME);
    std::fs::write(
        &policy,
        "version = 1\nmrenclaves = [\"0101010101010101010101010101010101010101010101010101010101010101\"]\nmrenclave_file = \"allowed.txt\"\n",
    )
    .unwrap();
    let list = dir.path().join("allowed.txt");
    std::fs::write(
        &list,
        format!(
            "# release 1.2\n{}\n\n{}\n",
            "02".repeat(32),
            "03".repeat(32)
        ),
    )
    .unwrap();
    let p = load(&policy).unwrap();
    assert_eq!(
        p.mrenclaves,
        Some(BTreeSet::from([[1; 32], [2; 32], [3; 32]]))
    );
    std::fs::write(&list, format!("{}\nnot hex\n", "02".repeat(32))).unwrap();
    let e = load(&policy).unwrap_err().to_string();
    assert!(e.contains("allowed.txt") && e.contains("line 2"), "{e}");
    std::fs::remove_file(&list).unwrap();
    let e = load(&policy).unwrap_err().to_string();
    assert!(
        e.contains("cannot read the policy") && e.contains("allowed.txt"),
        "{e}"
    );
    let e = load(&dir.path().join("none.toml")).unwrap_err().to_string();
    assert!(e.contains("none.toml"), "{e}");
}
