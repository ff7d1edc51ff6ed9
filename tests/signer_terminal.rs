//! A signer at a real terminal (a pseudo-terminal from `script`), as a person meets
//! it: it answers "n" to one request, is told that it declined that session and keeps
//! waiting, ignores the same request pasted again, then signs the next request when
//! the person answers "y". Both initiators hear what happened.

mod support;

use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::ceremony::{keygen, spawn_initiator};

/// `mpcegosign ARGS` on a pseudo-terminal; everything it prints (and the terminal's
/// echo) is collected.
struct Terminal {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<String>>,
}

impl Terminal {
    fn spawn(args: &[&str]) -> Terminal {
        let command = std::iter::once(support::party::BIN)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        let mut child = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env_remove("MPCEGOSIGN_PASSPHRASE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("script (util-linux) runs the command on a pseudo-terminal");
        let mut stdout = child.stdout.take().unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        Terminal {
            stdin: child.stdin.take(),
            child,
            output,
        }
    }

    fn type_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "{line}\r").unwrap();
        stdin.flush().unwrap();
    }

    fn text(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Waits until `needle` has been printed `times` times.
    fn wait_for(&self, needle: &str, times: usize) {
        for _ in 0..600 {
            if self.text().matches(needle).count() >= times {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("never saw {needle:?} {times} times:\n{}", self.text());
    }

    /// The message lines it printed, without the lines typed into it (the echo).
    fn messages(&self, typed: &[&str]) -> Vec<String> {
        self.text()
            .lines()
            .map(|l| l.trim_matches(['\r', ' ']).to_string())
            .filter(|l| l.starts_with("mpcegosign2:") && !typed.contains(&l.as_str()))
            .collect()
    }

    fn wait_messages(&self, typed: &[&str], count: usize) -> Vec<String> {
        for _ in 0..600 {
            let m = self.messages(typed);
            if m.len() >= count {
                return m;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("never printed {count} messages:\n{}", self.text());
    }
}

#[test]
fn a_signer_at_a_terminal_declines_one_request_and_signs_the_next() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = keygen(tmp.path(), 2, 2, &[], &["--plaintext-share"], &[]);
    let share = |p: u8| dirs[usize::from(p) - 1].join(format!("share_{p}.json"));
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
    let mut t = Terminal::spawn(&["sign", "--share", share2.to_str().unwrap()]);
    t.wait_for("Paste", 1);
    t.type_line(&init1);
    t.wait_for("Sign this enclave? [y/N]", 1);
    t.type_line("n");
    t.wait_for("Waiting for the next SIGN-INIT", 1);
    let abort = t.wait_messages(&[&init1], 1).remove(0);
    // The same request again: ignored, no second question.
    t.type_line(&init1);
    t.wait_for("was already answered", 1);
    t.type_line(&init2);
    t.wait_for("Sign this enclave? [y/N]", 2);
    assert!(t.text().contains(&hex::encode([0x52; 32])), "{}", t.text());
    t.type_line("y");
    let answers = t.wait_messages(&[&init1, &init2], 2);
    assert_eq!(answers.len(), 2, "{answers:?}");
    let partial = answers[1].clone();
    drop(t.stdin.take());
    let status = t.child.wait().unwrap();
    assert!(status.success(), "{}", t.text());

    first.send_line(&abort);
    first.wait_stderr("Party 2 declined: party 2 declined to sign");
    second.send_line(&partial);
    second.succeed();
    assert!(out2.exists());
    // The declined request's initiator ends when its input does, with nothing written.
    assert!(!first.finish().status.success());
    assert!(!out1.exists());
}
