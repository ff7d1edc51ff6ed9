//! Talking to the person at the keyboard: notes on stderr, questions answered on
//! stdin only by what is typed after they are shown (a yes/no, or the key code's last
//! group), and the receive loop that reports a bad message in one line and asks again.

use mpcegosign::sanitize::sanitize;
use mpcegosign::transport::{Transport, TransportError};

use super::bounded_line::Line;
use super::{input, tty};
use crate::cli::error::CliError;

/// Asks a yes/no question; only "y" or "yes" agree. End of input means no.
/// Everything typed or pasted before the question is shown is thrown away first.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    let answer = ask(&format!("{question} [y/N] "))?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Asks the person to type the last group of the key code, which lines typed or
/// pasted in advance cannot contain. A wrong group (or no answer) means no.
pub fn confirm_key_code(key_code: &str) -> Result<bool, CliError> {
    let last = last_group(key_code);
    let answer = ask(&format!(
        "Does every party show key code {key_code}? If so, type its last group ({} characters); anything else stops: ",
        last.chars().count()
    ))?;
    let typed: String = answer.chars().filter(|c| !c.is_whitespace()).collect();
    let agreed = typed.eq_ignore_ascii_case(last);
    if !agreed && !typed.is_empty() {
        eprintln!("That is not the last group of the key code ({last}).");
    }
    Ok(agreed)
}

/// The last dash-separated group of a key code (`XXXX-XXXX-XXXX-XXXX`).
fn last_group(code: &str) -> &str {
    code.rsplit('-').next().unwrap_or(code)
}

/// Shows a question and reads the answer typed after it: the terminal goes back to
/// its usual mode (where Backspace edits the answer), and whatever was typed or
/// pasted before is discarded, so it answers nothing.
pub(crate) fn ask(prompt: &str) -> Result<String, CliError> {
    let was_noncanonical = tty::restore_terminal();
    let dropped = input::discard_typed_ahead();
    if dropped > 0 {
        eprintln!("(Ignored {dropped} bytes typed or pasted before this question: only an answer typed after it counts.)");
    }
    eprint!("{prompt}");
    // Bounded like every other line of input: an answer is short.
    let line = input::read_line(4096);
    if was_noncanonical {
        let _ = tty::enter_noncanonical();
    }
    let line = line.map_err(|e| CliError::new(format!("cannot read the answer: {e}")))?;
    Ok(match line {
        Line::Text(t) => t,
        Line::End => {
            eprintln!();
            String::new()
        }
        Line::TooLong | Line::NotText => String::new(),
    })
}

/// What a handler decided about one received message.
pub enum Step<T> {
    /// Done: the value the ceremony waited for.
    Done(T),
    /// The message was taken (or ignored with a note already printed); wait for more.
    More,
}

/// Receives messages until `handle` returns `Step::Done`. A message the handler
/// rejects with a recoverable error is reported on one line and the prompt repeats.
pub fn receive_loop<T, E: std::fmt::Display>(
    transport: &mut dyn Transport,
    expecting: &str,
    mut handle: impl FnMut(&[u8]) -> Result<Step<T>, E>,
    recoverable: impl Fn(&E) -> bool,
) -> Result<T, CliError> {
    loop {
        let bytes = match transport.receive(expecting) {
            Ok(b) => b,
            Err(TransportError::Unreadable(why)) => {
                eprintln!("mpcegosign: {}", sanitize(&why));
                continue;
            }
            Err(TransportError::Closed) => {
                return Err(CliError::new(format!(
                    "the input ended while waiting for {expecting}; nothing was written"
                )))
            }
            Err(TransportError::Failed(why)) => return Err(CliError::new(why)),
        };
        match handle(&bytes) {
            Ok(Step::Done(v)) => return Ok(v),
            Ok(Step::More) => {}
            Err(e) if recoverable(&e) => eprintln!("mpcegosign: {}", sanitize(&e.to_string())),
            Err(e) => return Err(CliError::new(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use mpcegosign::ceremony::keygen::{Dealer, Joiner, KeygenError};
    use mpcegosign::protocol::SCHEME_SUBSETS;
    use mpcegosign::threshold::Scheme;
    use mpcegosign::transport::memory::MemoryTransport;

    use super::*;

    #[test]
    fn the_key_code_answer_is_its_last_group() {
        assert_eq!(last_group("AB12-CD34-EF56-7890"), "7890");
        assert_eq!(last_group("7890"), "7890");
    }

    #[test]
    fn bad_messages_are_skipped_until_a_good_one_arrives() {
        let scheme = Scheme::new(2, 2).unwrap();
        let (mut dealer, init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
        let (_, other_init) = Dealer::start(scheme, SCHEME_SUBSETS, None).unwrap();
        let (_, foreign) = Joiner::join(&other_init.encode()).unwrap();
        let (_, good) = Joiner::join(&init.encode()).unwrap();
        let mut t = MemoryTransport::default();
        t.incoming
            .extend([b"garbage".to_vec(), foreign.encode(), good.encode()]);
        let party = receive_loop(
            &mut t,
            "a KEYGEN-JOIN message",
            |b| dealer.accept_join(b).map(|e| Step::Done(e.party)),
            |e: &KeygenError| matches!(e, KeygenError::Message(_)),
        )
        .unwrap();
        assert_eq!(party, 2);
        assert!(t.incoming.is_empty());
        // When the input ends, the loop stops with an error that says so.
        let err = receive_loop(
            &mut t,
            "anything",
            |_| Ok::<_, KeygenError>(Step::Done(())),
            |_| true,
        )
        .unwrap_err();
        assert!(err
            .to_string()
            .contains("the input ended while waiting for anything"));
    }
}
