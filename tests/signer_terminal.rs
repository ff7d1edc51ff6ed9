//! A signer at a real terminal (a pseudo-terminal from `script`), as a person meets
//! it: it answers "n" to one request, is told that it declined that session and keeps
//! waiting, ignores the same request pasted again, then signs the next request when
//! the person answers "y". Both initiators hear what happened.

mod support;

use std::time::Duration;

use support::ceremony::{keygen, spawn_initiator};
use support::script::Terminal;
use support::shares::party_share;

/// The message lines `t` printed, without the lines typed into it (the echo).
fn messages(t: &Terminal, typed: &[&str]) -> Vec<String> {
    t.text()
        .lines()
        .map(|l| l.trim_matches(['\r', ' ']).to_string())
        .filter(|l| l.starts_with("mpcegosign2:") && !typed.contains(&l.as_str()))
        .collect()
}

/// Waits until `t` has printed `count` messages (see [`messages`]).
fn wait_messages(t: &Terminal, typed: &[&str], count: usize) -> Vec<String> {
    for _ in 0..600 {
        let m = messages(t, typed);
        if m.len() >= count {
            return m;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("never printed {count} messages:\n{}", t.text());
}

#[test]
fn a_signer_at_a_terminal_declines_one_request_and_signs_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let share = |p: u8| party_share(&dirs, p);
    let unsigned = |name: &str, mrenclave| {
        support::write_unsigned_sigstruct(&tmp.path().join(name), false, mrenclave)
    };
    let (u1, u2) = (unsigned("u1", [0x51; 32]), unsigned("u2", [0x52; 32]));
    let (out1, out2) = (tmp.path().join("out1"), tmp.path().join("out2"));
    let mut first = spawn_initiator(&u1, &share(1), &out1, "1,2", &[], &[]);
    let init1 = first.next_message();
    let mut second = spawn_initiator(&u2, &share(1), &out2, "1,2", &[], &[]);
    let init2 = second.next_message();

    let share2 = share(2);
    let mut t = Terminal::spawn(
        &format!("{} sign --share {}", support::party::BIN, share2.display()),
        &[],
    );
    t.wait_for("Paste");
    t.type_line(&init1);
    t.wait_for("Sign this enclave? [y/N]");
    t.type_line("n");
    t.wait_for("Waiting for the next SIGN-INIT");
    let abort = wait_messages(&t, &[&init1], 1).remove(0);
    // The same request again: ignored, no second question.
    t.type_line(&init1);
    t.wait_for("was already answered");
    t.type_line(&init2);
    t.wait_for_times("Sign this enclave? [y/N]", 2);
    assert!(t.text().contains(&hex::encode([0x52; 32])), "{}", t.text());
    t.type_line("y");
    let answers = wait_messages(&t, &[&init1, &init2], 2);
    assert_eq!(answers.len(), 2, "{answers:?}");
    let partial = answers[1].clone();
    let (status, text) = t.close();
    assert!(status.success(), "{text}");

    first.send_line(&abort);
    first.wait_stderr("Party 2 declined: party 2 declined to sign");
    second.send_line(&partial);
    second.succeed();
    assert!(out2.exists());
    // The declined request's initiator ends when its input does, with nothing written.
    assert!(!first.finish().status.success());
    assert!(!out1.exists());
}
