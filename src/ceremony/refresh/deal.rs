//! A party's own REFRESH-DEAL (its contribution sealed to every other party's JOIN
//! key, whole and as one view per recipient, each signed), and a received one taken:
//! for this setup and this party, its public part well formed, its part opened from
//! the sender's JOIN key and checked against the public part.

use super::transcript::part_transcript;
use super::{blamed_sender, RefreshCeremonyError as E};
use crate::ceremony::keygen::seal::{CeremonyKey, Channel};
use crate::identity::IdentityKey;
use crate::protocol::{Message, RefreshDeal, SessionId, MAX_MESSAGE_LEN};
use crate::secret::SecretBytes;
use crate::threshold::{RefreshContribution, RefreshError, SchemeShare};

/// This party's contribution, dealt: the messages to send and what it keeps (its
/// public part and its own part).
pub(super) struct OwnDeal {
    pub whole: Message,
    pub views: Vec<(u8, Message)>,
    pub public: Vec<u8>,
    pub own_part: SecretBytes,
}

/// What a party needs to seal or open parts: its fresh key, the session, the setup
/// hash and every party's JOIN key (index = party − 1).
pub(super) struct Setup<'a> {
    pub key: &'a CeremonyKey,
    pub session: SessionId,
    pub setup: [u8; 32],
    pub keys: &'a [[u8; 32]],
}

impl Setup<'_> {
    fn channel_key(&self, party: u8) -> &[u8; 32] {
        &self.keys[usize::from(party) - 1]
    }

    /// Seals `contribution` (made by party `me`) to every other party and signs the
    /// whole DEAL and each recipient's view with `identity`.
    pub fn deal(
        &self,
        me: u8,
        contribution: RefreshContribution,
        identity: &IdentityKey,
    ) -> Result<OwnDeal, E> {
        let RefreshContribution { public, parts } = contribution;
        let mut own_part = None;
        let mut sealed = Vec::with_capacity(parts.len());
        for (recipient, part) in parts {
            if recipient == me {
                own_part = Some(part);
                continue;
            }
            let transcript = part_transcript(&self.setup, me, recipient, &public);
            let channel = Channel {
                own: self.key,
                peer: self.channel_key(recipient),
                session: &self.session,
                transcript: &transcript,
            };
            sealed.push(
                channel
                    .seal_bytes(recipient, part.expose())
                    .map_err(E::Seal)?,
            );
        }
        let own_part = own_part.ok_or(E::Threshold(RefreshError::MissingSender {
            sender: me,
            n: self.keys.len() as u8,
        }))?;
        let deal = RefreshDeal {
            session: self.session,
            party: me,
            setup: self.setup,
            public: public.clone(),
            view: None,
            parts: sealed,
            signature: [0; 64],
        };
        let mut views = Vec::with_capacity(deal.parts.len());
        for recipient in deal.parts.iter().map(|p| p.party) {
            if let Some(view) = deal.view_for(recipient) {
                let mut view = Message::RefreshDeal(view);
                view.sign(identity);
                views.push((recipient, view));
            }
        }
        let mut whole = Message::RefreshDeal(deal);
        whole.sign(identity);
        let size = whole.encode().len();
        if size > MAX_MESSAGE_LEN {
            return Err(E::TooLarge { size });
        }
        Ok(OwnDeal {
            whole,
            views,
            public,
            own_part,
        })
    }

    /// Takes party `deal.party`'s DEAL (its signature already checked) for party `me`
    /// holding `share`: the public part and this party's opened, checked part.
    pub fn take(&self, me: u8, share: &SchemeShare, deal: &RefreshDeal) -> Result<SecretBytes, E> {
        let party = deal.party;
        if deal.setup != self.setup {
            return Err(E::OtherSetup { party });
        }
        match deal.view {
            Some(view) if view != me => return Err(E::OtherView { view, me }),
            Some(_) => {}
            None => {
                // A whole DEAL holds exactly one part for each other party.
                let n = self.keys.len() as u8;
                let expected = (1..=n).filter(|p| *p != party);
                if !deal.parts.iter().map(|p| p.party).eq(expected) {
                    return Err(E::BadPart {
                        party,
                        why: format!(
                            "its REFRESH-DEAL does not hold one part for each of the other {} parties",
                            n - 1
                        ),
                    });
                }
            }
        }
        let public_err = |e: RefreshError| match blamed_sender(&e) {
            Some(_) => E::BadPublic {
                party,
                why: e.to_string(),
            },
            None => E::Threshold(e),
        };
        share
            .check_refresh_public(party, &deal.public)
            .map_err(public_err)?;
        let bad_part = |why: String| E::BadPart { party, why };
        let sealed = deal
            .part_for(me)
            .ok_or_else(|| bad_part("its REFRESH-DEAL holds no part for you".into()))?;
        let transcript = part_transcript(&self.setup, party, me, &deal.public);
        let channel = Channel {
            own: self.key,
            peer: self.channel_key(party),
            session: &self.session,
            transcript: &transcript,
        };
        let mut opened = channel
            .open_bytes(sealed)
            .map_err(|_| bad_part("it does not open with your JOIN key".into()))?;
        // The buffer moves into the wiped part; nothing is copied.
        let part = SecretBytes::new(std::mem::take(&mut *opened));
        share
            .check_refresh_part(party, &deal.public, part.expose())
            .map_err(|e| match blamed_sender(&e) {
                Some(_) => bad_part(e.to_string()),
                None => E::Threshold(e),
            })?;
        Ok(part)
    }
}
