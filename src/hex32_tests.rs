use super::parse;

#[test]
fn reads_64_digits_of_either_case_with_spaces_around() {
    let lower = "00".repeat(31) + "ab";
    let mut want = [0u8; 32];
    want[31] = 0xab;
    assert_eq!(parse(&lower), Some(want));
    assert_eq!(parse(&format!("  {}\n", lower.to_uppercase())), Some(want));
}

#[test]
fn refuses_other_lengths_and_non_hex() {
    assert_eq!(parse(&"ab".repeat(31)), None);
    assert_eq!(parse(&"ab".repeat(33)), None);
    assert_eq!(parse(&("ab".repeat(31) + "a")), None);
    assert_eq!(parse(&("ab".repeat(31) + "zz")), None);
    assert_eq!(parse(&("ab".repeat(16) + " " + &"ab".repeat(16))), None);
    assert_eq!(parse(""), None);
}
