//! A command on a real terminal: util-linux `script` runs a shell command line on a
//! fresh pseudo-terminal that is its controlling terminal, so stdin, stdout and
//! stderr are all that terminal and a typed Ctrl-C sends SIGINT, as for a person.
//! Everything the terminal shows (the command's output and the echo of what is
//! typed) is collected. For a party whose stdin alone is a terminal, see `pty`.

use std::io::Write;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::party::collect_text;

pub struct Terminal {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<String>>,
    reader: Option<JoinHandle<()>>,
}

impl Terminal {
    /// Runs the shell command line `command` on a pseudo-terminal, with `envs` set and
    /// `MPCEGOSIGN_PASSPHRASE` removed.
    pub fn spawn(command: &str, envs: &[(&str, &str)]) -> Terminal {
        let mut cmd = Command::new("script");
        cmd.args(["-qec", command, "/dev/null"])
            .env_remove("MPCEGOSIGN_PASSPHRASE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd
            .spawn()
            .expect("script (util-linux) runs the command on a pseudo-terminal");
        let (output, reader) = collect_text(child.stdout.take().expect("stdout"));
        Terminal {
            stdin: child.stdin.take(),
            child,
            output,
            reader: Some(reader),
        }
    }

    /// The process id of `script` (the command runs below it).
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Types `text` as it is (`"\x03"` is Ctrl-C).
    pub fn type_text(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("the terminal is open");
        stdin.write_all(text.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    /// Types `line` and Enter (a carriage return, as a keyboard sends it).
    pub fn type_line(&mut self, line: &str) {
        self.type_text(&format!("{line}\r"));
    }

    /// Everything the terminal has shown so far.
    pub fn text(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Waits (up to 60 s) until the terminal has shown `needle`.
    pub fn wait_for(&self, needle: &str) {
        self.wait_for_times(needle, 1);
    }

    /// Waits (up to 60 s) until the terminal has shown `needle` `times` times.
    pub fn wait_for_times(&self, needle: &str, times: usize) {
        for _ in 0..600 {
            if self.text().matches(needle).count() >= times {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("never saw {needle:?} {times} times:\n{}", self.text());
    }

    /// Ends the typing (end of input on `script`'s side), waits for the command to
    /// end, and returns its exit status and everything the terminal showed.
    pub fn close(mut self) -> (ExitStatus, String) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        (status, self.text())
    }
}
