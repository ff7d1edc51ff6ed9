//! Numbered parts through a process, as a hostile chat delivers them: a forged part
//! that contradicts a genuine one, a part claiming an absurd count, and parts that do
//! not verify are each reported in one line; the genuine parts, pasted again, still
//! complete the keygen.

mod support;

use support::fixture_key;
use support::two_party::{joined, TwoParty};

/// Flips one base64url character of a part's chunk (the line's last characters).
fn altered(part: &str, from_end: usize) -> String {
    let mut b = part.as_bytes().to_vec();
    let i = b.len() - from_end;
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8(b).unwrap()
}

#[test]
fn hostile_parts_are_reported_and_the_genuine_ones_still_complete() {
    let tmp = tempfile::tempdir().unwrap();
    let key = fixture_key("key1.pem");
    let TwoParty {
        mut dealer,
        joiner: mut j,
        b,
        ..
    } = joined(
        tmp.path(),
        &["--scheme", "subsets", "--import", &key, "--yes"],
        &["--yes"],
    );
    let fin = dealer.next_message_lines();
    dealer.succeed();
    let n = fin.len();
    assert!(n >= 2, "{n} parts");
    assert!(fin.iter().all(|l| l.len() <= 1000));

    // A forged part 1, then the genuine part 1: they conflict, both are dropped.
    j.send_line(&altered(&fin[0], 5));
    j.wait_stderr(&format!("Part 1 of {n} of message"));
    j.send_line(&fin[0]);
    j.wait_stderr("arrived twice with different contents");
    // A part claiming more parts than any message has.
    let id = &fin[0]["mpcegosign2-part:".len().."mpcegosign2-part:".len() + 12];
    j.send_line(&format!("mpcegosign2-part:{id}:1/99999:AAAA"));
    j.wait_stderr("a part claims its message has 99999 parts");
    // Every part, one of them consistently altered: the whole does not verify.
    for (i, l) in fin.iter().enumerate() {
        j.send_line(&if i == n - 1 { altered(l, 3) } else { l.clone() });
    }
    j.wait_stderr("put together do not verify");
    assert!(!b.join("share_2.json").exists());
    // The genuine parts, pasted again in reverse, with chatter: the keygen completes.
    for l in fin.iter().rev() {
        j.send_line("bob: here it is again");
        j.send_line(l);
    }
    let end = j.succeed();
    assert!(
        end.stderr.contains("is whole and its checksum verifies"),
        "{}",
        end.stderr
    );
    assert!(b.join("share_2.json").exists());
    // Every complaint was one line.
    for needle in ["arrived twice", "99999 parts", "do not verify"] {
        let lines: Vec<&str> = end.stderr.lines().filter(|l| l.contains(needle)).collect();
        assert_eq!(lines.len(), 1, "{needle}: {lines:?}");
        assert!(lines[0].starts_with("mpcegosign: "), "{}", lines[0]);
    }
}
