//! A party whose standard input is a pseudo-terminal, as when a person pastes into a
//! terminal window: the terminal's line discipline (line limit, echo, flush) is in
//! the way exactly as it is for a person. stdout and stderr stay pipes.
//!
//! What the test "types" or "pastes" is written to the pty's master side by a
//! writer thread (a large paste blocks until the party reads it); the echo the
//! terminal sends back is drained by a reader thread, or the party would block.

use std::fs::File;
use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};

use super::party::{Party, BIN};

/// A party reading a pty, and the test's end of it.
pub struct PtyParty {
    pub party: Party,
    writes: Sender<(Vec<u8>, Sender<()>)>,
}

impl PtyParty {
    /// Spawns `mpcegosign ARGS` with a fresh pty as its stdin.
    pub fn spawn(name: &str, args: &[&str]) -> PtyParty {
        let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("open a pty");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let path = ptsname(&master, Vec::new()).expect("ptsname");
        let path = path.to_str().expect("pty path").to_string();
        let slave = File::options()
            .read(true)
            .write(true)
            .open(&path)
            .expect("open the pty's terminal side");
        let master = File::from(master);
        let mut echo = master.try_clone().expect("clone the pty master");
        // The echo is read and thrown away; the read fails once the party is gone.
        std::thread::spawn(move || {
            let mut buf = [0u8; 64 * 1024];
            while matches!(echo.read(&mut buf), Ok(n) if n > 0) {}
        });
        let (writes, jobs) = channel::<(Vec<u8>, Sender<()>)>();
        let mut writer = master;
        std::thread::spawn(move || {
            for (bytes, done) in jobs {
                let _ = writer.write_all(&bytes).and_then(|_| writer.flush());
                let _ = done.send(());
            }
        });
        let mut argv = vec![BIN];
        argv.extend_from_slice(args);
        // The child gets the terminal side; our copy closes when `slave` drops here.
        let party = Party::spawn_program_stdin(name, &argv, &[], Stdio::from(slave));
        PtyParty { party, writes }
    }

    /// Pastes `text` into the terminal: returns at once; the receiver says when the
    /// terminal has taken all of it.
    pub fn paste(&self, text: &str) -> Receiver<()> {
        let (done, taken) = channel();
        self.writes
            .send((text.as_bytes().to_vec(), done))
            .expect("the pty writer runs");
        taken
    }

    /// Pastes `text` and waits until the terminal has taken all of it.
    pub fn paste_all(&self, text: &str) {
        self.paste(text)
            .recv_timeout(Duration::from_secs(300))
            .unwrap_or_else(|_| {
                panic!(
                    "{}: the paste was not taken; stderr:\n{}",
                    self.party.name,
                    self.party.stderr_so_far()
                )
            });
    }

    /// Types one line, as a person does after reading a question.
    pub fn type_line(&self, line: &str) {
        self.paste_all(&format!("{line}\n"));
    }
}
