//! Share generations and the retired state. A share of generation 0 is what keygen
//! (or a reshare's keygen) dealt; each refresh makes the next generation from the
//! same key, with new secrets. A share replaced (by a refresh's next generation, or by
//! a reshare's new roster) is marked retired with the transcript hash of what
//! replaced it: signing refuses it.
//!
//! Here: [`Generation`] (number and id), the [`Refreshed`] record a share of
//! generation ≥ 1 carries, and the [`KeyShare`] methods that read and change both
//! (`generation`, `retired`, `next_generation`, `mark_retired`). The share file's
//! JSON form of both is in `file/generation.rs`.

use super::{KeyShare, ShareAuth, ShareError};
use crate::protocol::SessionId;
use crate::threshold::SchemeShare;

/// Which generation of its key a share is: `number` 0 for a dealt share (its `id` is
/// the keygen transcript hash; all zero for a reference-format share, which has no
/// transcript), g ≥ 1 for a share made by the g-th refresh (its `id` is that
/// refresh's transcript hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Generation {
    pub number: u32,
    pub id: [u8; 32],
}

impl Generation {
    /// "generation 2 of the key (refresh 1a2b3c4d)" or "generation 0 of the key
    /// (keygen 1a2b3c4d)": how messages name it ("generation 0 of the key (as dealt)"
    /// without an id: a reference-format share, or a SIGN-INIT, which names no id for
    /// generation 0).
    pub fn describe(&self) -> String {
        let what = match self.number {
            0 if self.id == [0; 32] => return "generation 0 of the key (as dealt)".into(),
            0 => "keygen",
            _ => "refresh",
        };
        format!(
            "generation {} of the key ({what} {})",
            self.number,
            hex::encode(&self.id[..4])
        )
    }
}

/// What a share of generation ≥ 1 records about the refresh that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refreshed {
    /// The generation number, at least 1.
    pub number: u32,
    /// The refresh ceremony's session.
    pub session: SessionId,
    /// The refresh ceremony's transcript hash: the generation's id.
    pub transcript: [u8; 32],
}

impl KeyShare {
    /// This share's generation: number 0 and the keygen transcript hash for a dealt
    /// share (all zero without a keygen transcript: the reference's formats), else
    /// the number and transcript hash of the refresh that made it.
    pub fn generation(&self) -> Generation {
        match &self.refreshed {
            Some(r) => Generation {
                number: r.number,
                id: r.transcript,
            },
            None => Generation {
                number: 0,
                id: self.auth.as_ref().map_or([0; 32], |a| a.transcript),
            },
        }
    }

    /// The refresh that made this share (generation ≥ 1); `None` for a dealt share.
    pub fn refreshed(&self) -> Option<&Refreshed> {
        self.refreshed.as_ref()
    }

    /// The transcript hash of what replaced this share, if it is retired.
    pub fn retired(&self) -> Option<[u8; 32]> {
        self.retired
    }

    /// Marks this share retired: replaced by the refresh or reshare whose transcript
    /// hash is `by`. The secret is unchanged (write the share back with
    /// [`super::rewrite::rewrite_in_place`]).
    pub fn mark_retired(&mut self, by: [u8; 32]) {
        self.retired = Some(by);
    }

    /// The share of the next generation: the same public key and keygen data
    /// (identity key, roster, keygen session and transcript), generation number + 1,
    /// and `secret`, the refreshed scheme share. Refuses a retired share, a secret of
    /// another party, scheme or public key, and an all-zero transcript.
    pub fn next_generation(
        &self,
        secret: SchemeShare,
        refresh_session: SessionId,
        refresh_transcript: [u8; 32],
    ) -> Result<KeyShare, ShareError> {
        let bad = |why: String| Err(ShareError::NextGeneration(why));
        if let Some(by) = self.retired {
            return bad(format!(
                "this share is retired (replaced by {}): refresh the newest generation",
                hex::encode(&by[..4])
            ));
        }
        let Some(auth) = &self.auth else {
            return bad("a reference-format share (no keygen roster) cannot be refreshed".into());
        };
        if refresh_transcript == [0; 32] {
            return bad("the refresh transcript hash is all zero".into());
        }
        if secret.party() != self.party() {
            return bad(format!(
                "the new share is party {}'s, this one party {}'s",
                secret.party(),
                self.party()
            ));
        }
        if secret.kind() != self.secret.kind() || secret.scheme() != self.scheme() {
            return bad("the new share is of another scheme or threshold".into());
        }
        let public = secret
            .public_key()
            .map_err(|e| ShareError::NextGeneration(e.to_string()))?;
        if public != self.public {
            return bad("the new share belongs to another public key".into());
        }
        let number = self
            .generation()
            .number
            .checked_add(1)
            .ok_or_else(|| ShareError::NextGeneration("no generation after 2^32 - 1".into()))?;
        Ok(KeyShare {
            secret,
            public,
            auth: Some(ShareAuth {
                identity: auth.identity.try_clone(),
                roster: auth.roster.clone(),
                session: auth.session,
                transcript: auth.transcript,
                nonce: auth.nonce,
            }),
            refreshed: Some(Refreshed {
                number,
                session: refresh_session,
                transcript: refresh_transcript,
            }),
            retired: None,
        })
    }

    /// The next generation with the same secret (what a refresh that added nothing
    /// would give), for tests of the generation checks.
    #[cfg(test)]
    pub(crate) fn next_generation_for_tests(&self, transcript: [u8; 32]) -> KeyShare {
        let KeyShare { secret, .. } = self.try_clone_for_tests();
        self.next_generation(secret, SessionId([transcript[0]; 16]), transcript)
            .unwrap()
    }

    /// Sets the generation read from a file (`file/generation.rs` checked it).
    pub(super) fn with_generation(mut self, refreshed: Option<Refreshed>) -> Self {
        self.refreshed = refreshed;
        self
    }
}

#[cfg(test)]
#[path = "generation_tests.rs"]
mod tests;
