//! What the demo prints: each party's screen under its own header, a short
//! explanation before each step, and the group chat the messages travel through.
//! Every message goes into the chat as the lines a party would post (its
//! `mpcegosign2:` line, or its numbered `mpcegosign2-part:` lines when it is long) and
//! comes out of it the way a receiving party's tool reads them (`protocol::text`,
//! `protocol::parts`), so the ceremony only ever sees what was pasted.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use mpcegosign::protocol::parts::{self, Assembler, Fed};
use mpcegosign::protocol::text;

use crate::cli::error::CliError;

/// One of the demo's three parties.
#[derive(Debug, Clone, Copy)]
pub struct Party {
    pub number: u8,
    pub name: &'static str,
    pub machine: &'static str,
}

pub const ALICE: Party = Party {
    number: 1,
    name: "Alice",
    machine: "the dealer, later the initiator",
};
pub const BOB: Party = Party {
    number: 2,
    name: "Bob",
    machine: "air-gapped laptop",
};
pub const CAROL: Party = Party {
    number: 3,
    name: "Carol",
    machine: "air-gapped laptop",
};

/// How the demo waits between screens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// No waiting (stdout is not a terminal: CI, a pipe, a file).
    None,
    /// A short pause before each screen (stdout is a terminal).
    Pause(Duration),
    /// Wait for Enter before each screen (`--step`).
    Step,
}

impl Pace {
    pub fn choose(step: bool) -> Pace {
        if step {
            Pace::Step
        } else if std::io::stdout().is_terminal() {
            Pace::Pause(Duration::from_millis(300))
        } else {
            Pace::None
        }
    }
}

/// The demo's output on stdout.
pub struct Screen {
    pace: Pace,
    /// Print message lines whole (`--full`), not shortened.
    full: bool,
    /// `--step` found the end of stdin: stop waiting.
    input_ended: bool,
}

/// How many characters of a message line are shown when it is shortened.
const SHOWN: usize = 64;

impl Screen {
    pub fn new(pace: Pace, full: bool) -> Self {
        Screen {
            pace,
            full,
            input_ended: false,
        }
    }

    /// Prints one line on stdout.
    pub fn line(&mut self, text: &str) -> Result<(), CliError> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{text}")
            .and_then(|_| out.flush())
            .map_err(|e| CliError::new(format!("cannot write to standard output: {e}")))
    }

    /// A section title (keygen, signing, the end); waits first as the pace says.
    pub fn title(&mut self, text: &str) -> Result<(), CliError> {
        self.wait()?;
        self.line("")?;
        self.line(&format!("━━━ {text} ━━━"))
    }

    /// The header of a party's screen; waits first as the pace says.
    pub fn party(&mut self, p: Party) -> Result<(), CliError> {
        self.wait()?;
        self.line("")?;
        self.line(&format!(
            "── Party {} ({}, {}) ──",
            p.number, p.name, p.machine
        ))
    }

    /// A line explaining the step about to happen.
    pub fn explain(&mut self, text: &str) -> Result<(), CliError> {
        self.line(&format!("▸ {text}"))
    }

    /// What the party types at its shell.
    pub fn types(&mut self, command: &str) -> Result<(), CliError> {
        self.line(&format!("  $ {command}"))
    }

    /// What the party's screen shows.
    pub fn shows(&mut self, text: &str) -> Result<(), CliError> {
        self.line(&format!("  {text}"))
    }

    /// A question on the party's screen and what the party types.
    pub fn answers(&mut self, question: &str, answer: &str) -> Result<(), CliError> {
        self.line(&format!("  {question} {answer}"))
    }

    /// Shows the lines a party posts to the group chat.
    fn show_post(&mut self, label: &str, lines: &[String]) -> Result<(), CliError> {
        if lines.len() == 1 {
            self.shows(&format!(
                "Post this {label} message to the group (one line):"
            ))?;
        } else {
            self.shows(&format!(
                "Post this {label} message to the group as {} parts: each line below is one chat message.",
                lines.len()
            ))?;
        }
        for l in lines {
            if self.full || l.len() <= SHOWN {
                self.line(&format!("    {l}"))?;
            } else {
                // base64url and the prefixes are ASCII: any byte offset is a boundary.
                let head = l.get(..SHOWN).unwrap_or(l);
                self.line(&format!("    {head}… ({} characters)", l.len()))?;
            }
        }
        Ok(())
    }

    fn wait(&mut self) -> Result<(), CliError> {
        match self.pace {
            Pace::None => Ok(()),
            Pace::Pause(d) => {
                std::thread::sleep(d);
                Ok(())
            }
            Pace::Step if self.input_ended => Ok(()),
            Pace::Step => {
                eprint!("[Enter: next screen] ");
                let _ = std::io::stderr().flush();
                let mut answer = String::new();
                let read = std::io::stdin()
                    .lock()
                    .read_line(&mut answer)
                    .map_err(|e| CliError::new(format!("cannot read standard input: {e}")))?;
                if read == 0 {
                    eprintln!();
                    self.input_ended = true;
                }
                Ok(())
            }
        }
    }
}

/// One message as it was posted.
pub struct Posted {
    pub label: String,
    pub from: Party,
    pub lines: Vec<String>,
}

/// The group chat: everything posted, in order.
#[derive(Default)]
pub struct Chat {
    pub posted: Vec<Posted>,
}

impl Chat {
    /// `from` posts `message` (its encoded bytes) as the lines the tool prints, shown
    /// on the current screen; returns the index of the post.
    pub fn post(
        &mut self,
        screen: &mut Screen,
        from: Party,
        label: &str,
        message: &[u8],
    ) -> Result<usize, CliError> {
        let lines = parts::split(message);
        screen.show_post(label, &lines)?;
        self.posted.push(Posted {
            label: label.to_string(),
            from,
            lines,
        });
        Ok(self.posted.len() - 1)
    }

    /// A party pastes the lines of post `index`, and its tool reads them back into
    /// the message's bytes as the text transport does (checksum, parts and their id).
    pub fn paste(&self, screen: &mut Screen, index: usize) -> Result<Vec<u8>, CliError> {
        let post = self
            .posted
            .get(index)
            .ok_or_else(|| CliError::new("demo: a message was read before it was posted"))?;
        let fail = |e: String| {
            CliError::new(format!(
                "demo: the {} message did not read back from its text: {e}",
                post.label
            ))
        };
        screen.shows(&format!(
            "(pastes party {}'s {}: {} line{})",
            post.from.number,
            post.label,
            post.lines.len(),
            if post.lines.len() == 1 { "" } else { "s" }
        ))?;
        if let [line] = post.lines.as_slice() {
            return text::decode(line).map_err(|e| fail(e.to_string()));
        }
        let mut assembler = Assembler::new();
        for line in &post.lines {
            let part = parts::parse(line).map_err(|e| fail(e.to_string()))?;
            if let Fed::Whole { id, message } =
                assembler.feed(part).map_err(|e| fail(e.to_string()))?
            {
                screen.shows(&format!("Message {id} is whole and its checksum verifies."))?;
                return Ok(message);
            }
        }
        Err(fail("its parts did not make a whole message".into()))
    }

    /// Every posted line, with a comment line naming each message (for `--keep`).
    pub fn transcript(&self) -> String {
        let mut out = String::new();
        for p in &self.posted {
            out.push_str(&format!(
                "# {} from party {} ({})\n",
                p.label, p.from.number, p.from.name
            ));
            for l in &p.lines {
                out.push_str(l);
                out.push('\n');
            }
        }
        out
    }
}
