//! One `mpcegosign` process in a ceremony test: lines in on stdin, messages out on
//! stdout, stderr collected for assertions.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mpcegosign::protocol::parts::{self, Assembler, Fed};
use mpcegosign::protocol::text;

pub const BIN: &str = env!("CARGO_BIN_EXE_mpcegosign");

pub struct Party {
    pub name: String,
    pub pid: u32,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    stderr: Arc<Mutex<String>>,
    readers: Vec<std::thread::JoinHandle<()>>,
}

pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<String>,
    pub stderr: String,
}

/// Reads `source` to its end on a thread, appending what it reads (as lossy UTF-8)
/// to the returned text; the thread ends with the source.
pub fn collect_text(
    mut source: impl Read + Send + 'static,
) -> (Arc<Mutex<String>>, std::thread::JoinHandle<()>) {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = source.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    (text, reader)
}

impl Party {
    pub fn spawn(name: &str, args: &[&str], envs: &[(&str, &str)]) -> Party {
        let mut all = vec![BIN];
        all.extend_from_slice(args);
        Self::spawn_program(name, &all, envs)
    }

    /// Like `spawn`, with `extra` arguments after `args` (e.g. the transport's).
    pub fn spawn_with(name: &str, args: &[&str], extra: &[String]) -> Party {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(extra.iter().map(String::as_str));
        Self::spawn(name, &all, &[])
    }

    /// Like `spawn`, for any program: `argv[0]` is the program (e.g. a shell that
    /// sets limits and then runs `mpcegosign`).
    pub fn spawn_program(name: &str, argv: &[&str], envs: &[(&str, &str)]) -> Party {
        Self::spawn_program_stdin(name, argv, envs, Stdio::piped())
    }

    /// Like `spawn_program`, with `stdin` as the process's standard input (e.g. a
    /// pseudo-terminal, see `support::pty`).
    pub fn spawn_program_stdin(
        name: &str,
        argv: &[&str],
        envs: &[(&str, &str)],
        stdin: Stdio,
    ) -> Party {
        let mut cmd = Command::new(argv[0]);
        cmd.args(&argv[1..])
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("MPCEGOSIGN_PASSPHRASE")
            .env_remove("EGO_PATH");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn the party's process");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        let out_reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (stderr, err_reader) = collect_text(child.stderr.take().expect("stderr"));
        Party {
            name: name.to_string(),
            pid: child.id(),
            stdin: child.stdin.take(),
            child,
            lines: rx,
            stderr,
            readers: vec![out_reader, err_reader],
        }
    }

    /// Writes `bytes` as they are, without a line ending (a line cut in two writes).
    pub fn send_raw(&mut self, bytes: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        let _ = stdin
            .write_all(bytes.as_bytes())
            .and_then(|_| stdin.flush());
    }

    pub fn send_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        // A process that already exited closes its stdin; the test sees that later.
        let _ = writeln!(stdin, "{line}").and_then(|_| stdin.flush());
    }

    /// The next message this party printed, in its one-line form (a message written
    /// as numbered parts is put together; waits up to 120 s per line).
    pub fn next_message(&mut self) -> String {
        let lines = self.next_message_lines();
        if lines.len() == 1 {
            return lines.into_iter().next().unwrap();
        }
        let mut a = Assembler::new();
        for l in &lines {
            if let Fed::Whole { message, .. } = a.feed(parts::parse(l).unwrap()).unwrap() {
                return text::encode(&message);
            }
        }
        panic!("{}: its parts do not make a message", self.name);
    }

    /// The lines of the next message this party printed, as printed: its one line,
    /// or all its numbered parts in order.
    pub fn next_message_lines(&mut self) -> Vec<String> {
        let mut collected = Vec::new();
        loop {
            let line = match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => line,
                Err(_) => panic!(
                    "{}: no message; stderr so far:\n{}",
                    self.name,
                    self.stderr.lock().unwrap()
                ),
            };
            if line.starts_with("mpcegosign2:") {
                return vec![line];
            }
            if parts::is_part(&line) {
                let count = parts::parse(&line).unwrap().count;
                collected.push(line);
                if collected.len() == count {
                    return collected;
                }
            }
        }
    }

    pub fn stderr_so_far(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Waits until stderr contains `needle` (up to 60 s).
    pub fn wait_stderr(&self, needle: &str) {
        for _ in 0..600 {
            if self.stderr_so_far().contains(needle) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{}: stderr never said {needle:?}:\n{}",
            self.name,
            self.stderr_so_far()
        );
    }

    /// Whether the process has ended (without waiting).
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Closes stdin and waits for the process to end.
    pub fn finish(mut self) -> Finished {
        drop(self.stdin.take());
        let status = self.child.wait().expect("wait");
        // The pipes close with the process: the readers end after the last byte.
        for r in self.readers.drain(..) {
            let _ = r.join();
        }
        let stdout: Vec<String> = self.lines.try_iter().collect();
        let stderr = self.stderr.lock().unwrap().clone();
        Finished {
            status,
            stdout,
            stderr,
        }
    }

    /// Waits for the process to end on its own, its stdin still open (e.g. after a
    /// signal: end of input would be an answer), then like `finish`.
    pub fn wait_exit(mut self) -> Finished {
        let _ = self.child.wait();
        self.finish()
    }

    /// Like `finish`, and asserts success.
    pub fn succeed(self) -> Finished {
        let name = self.name.clone();
        let f = self.finish();
        assert!(f.status.success(), "{name} failed: {}", f.stderr);
        f
    }
}
