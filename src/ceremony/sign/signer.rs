//! The signer's answer: its SIGN-PARTIAL over a reviewed request (the scheme's
//! partial, with its proof for `shoup3`), or an ABORT saying why it declines. Both
//! are signed with the share's identity key when it has one.

use super::collection::partial_body;
use super::review::{Origin, Review};
use super::SignError;
use crate::protocol::{Abort, Message, SessionId, SignPartial};
use crate::share::KeyShare;

impl Review {
    /// Computes this party's partials and signs the SIGN-PARTIAL; consumes the review.
    pub fn sign(self, share: &KeyShare) -> Result<Message, SignError> {
        let partial = share.secret().partial(&self.digest, &self.subsets)?;
        Ok(signed_by(
            share,
            Message::SignPartial(SignPartial {
                session: self.session,
                party: self.party,
                body: partial_body(partial, self.digest),
                signature: None,
            }),
        ))
    }

    /// An ABORT telling the initiator why this party does not sign: signed only when
    /// the request was authenticated (see [`decline_request`]).
    pub fn decline(&self, share: &KeyShare, reason: &str) -> Message {
        decline_request(share, self.session, reason, self.origin)
    }
}

/// An ABORT answering a request of `origin`. Signed only for an authenticated
/// request: a signed ABORT is a proven decline that may end a signing, and a forged
/// request (unsigned, accepted with `--accept-unsigned-init`) copying the live session
/// id must not make this party end it. An initiator without a roster, the only one
/// that sends unsigned requests, reads the unsigned ABORT all the same.
pub fn decline_request(
    share: &KeyShare,
    session: SessionId,
    reason: &str,
    origin: Origin,
) -> Message {
    let mut abort = decline(share, session, reason);
    if origin != Origin::Authenticated {
        if let Message::Abort(a) = &mut abort {
            a.signature = None;
        }
    }
    abort
}

/// Signs `msg` with the share's identity key, if it has one.
pub(super) fn signed_by(share: &KeyShare, mut msg: Message) -> Message {
    if let Some(auth) = share.auth() {
        msg.sign(&auth.identity);
    }
    msg
}

/// An ABORT for a session, signed when the share can (the reason is cut to the
/// protocol's limit).
pub fn decline(share: &KeyShare, session: SessionId, reason: &str) -> Message {
    let mut reason = reason.to_string();
    while reason.len() > crate::protocol::MAX_REASON {
        reason.pop();
    }
    signed_by(
        share,
        Message::Abort(Abort {
            session,
            party: share.party(),
            reason,
            signature: None,
        }),
    )
}
