//! Talking to the person at the keyboard: notes on stderr, yes/no questions on stdin,
//! and the receive loop that reports a bad message in one line and asks again.

use mpcegosign::sanitize::sanitize;
use mpcegosign::transport::{Transport, TransportError};

use super::CliError;

/// Asks a yes/no question; only "y" or "yes" agree. End of input means no.
pub fn confirm(question: &str) -> Result<bool, CliError> {
    eprint!("{question} [y/N] ");
    // Bounded like every other line of input: an answer is short.
    let line = super::text_transport::read_bounded_line(&mut std::io::stdin().lock(), 4096)
        .map_err(|e| CliError::new(format!("cannot read the answer: {e}")))?;
    let answer = match line {
        super::text_transport::Line::Text(t) => t,
        super::text_transport::Line::End => {
            eprintln!();
            String::new()
        }
        _ => String::new(),
    };
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
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
