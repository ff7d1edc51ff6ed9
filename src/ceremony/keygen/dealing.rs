//! The dealer's dealing, one per scheme: `subsets` deals the key itself and seals
//! each joiner its sub-shares; `shoup3` takes a dealing made apart (safe-prime key,
//! verification keys), checks its own share like every joiner does, and sends each
//! joiner its own view. Either consumes the dealer: a ceremony deals once.

use super::dealer::{Dealer, Dealt};
use super::seal::{Channel, SealError};
use super::transcript::{fresh_nonce, key_code};
use super::KeygenError;
use crate::key::PrivateKey;
use crate::protocol::{Message, PartyKeys, SealedShare, SCHEME_SHOUP3, SCHEME_SUBSETS};
use crate::share::{shoup3_public, KeyShare, ShareAuth};
use crate::threshold::shoup3::{self, SecretShare, VerificationKeys};
use crate::threshold::{deal, ThresholdError};

/// What a `shoup3` dealing sends, before the dealer's own share is checked.
struct Shoup3Messages {
    finalize: Message,
    views: Vec<(u8, Message)>,
    roster: Vec<PartyKeys>,
    transcript: [u8; 32],
    nonce: [u8; 32],
}

impl Dealer {
    /// Deals a `subsets` key: returns the KEYGEN-FINALIZE, the dealer's own share and
    /// the key code. Consumes the dealer: a ceremony deals once.
    pub fn deal(self, key: &PrivateKey) -> Result<Dealt, KeygenError> {
        self.check_ready(key.public(), SCHEME_SUBSETS)?;
        let roster_keys = self.roster_keys();
        // Drawn now that every JOIN is in: nobody could aim the roster at it.
        let nonce = fresh_nonce();
        let transcript = self.transcript(&roster_keys, key.public(), None, nonce);
        let shares: Vec<KeyShare> = deal(key, self.scheme())?
            .into_iter()
            .map(KeyShare::from_subsets)
            .collect();
        let (own, sealed) = self.seal_to_joiners(&transcript, shares, |c, s| c.seal(s))?;
        let finalize = self.finalize(&roster_keys, key.public(), None, nonce, None, sealed);
        let share = own.with_auth(ShareAuth {
            identity: self.identity,
            roster: roster_keys,
            session: self.init.session,
            transcript,
            nonce: Some(nonce),
        })?;
        Ok(Dealt {
            finalize,
            views: Vec::new(),
            key_code: key_code(&transcript, share.public()),
            share,
            transcript,
        })
    }

    /// Deals a `shoup3` key from its dealing (see [`shoup3::deal`]): returns the full
    /// KEYGEN-FINALIZE, each joiner's own view, the dealer's own share (through the
    /// same dealing checks as every joiner's) and the key code. Consumes the dealer: a
    /// ceremony deals once.
    pub fn deal_shoup3(
        self,
        keys: VerificationKeys,
        secrets: Vec<SecretShare>,
    ) -> Result<Dealt, KeygenError> {
        let (messages, own, keys) = self.shoup3_messages(keys, secrets)?;
        let own = shoup3::Share::accept(own, keys).map_err(KeygenError::Dealing)?;
        let share = KeyShare::from_shoup3(own)?.with_auth(ShareAuth {
            identity: self.identity,
            roster: messages.roster,
            session: self.init.session,
            transcript: messages.transcript,
            nonce: Some(messages.nonce),
        })?;
        Ok(Dealt {
            finalize: messages.finalize,
            views: messages.views,
            key_code: key_code(&messages.transcript, share.public()),
            share,
            transcript: messages.transcript,
        })
    }

    /// Test-only: the KEYGEN-FINALIZE and views of a dealing as it is, without the
    /// dealer's own checks (a corrupt dealer, whose dealing every joiner must refuse).
    #[cfg(any(test, feature = "test-export"))]
    pub fn corrupt_finalize_for_tests(
        self,
        keys: VerificationKeys,
        secrets: Vec<SecretShare>,
    ) -> Result<(Message, Vec<(u8, Message)>), KeygenError> {
        let (messages, _, _) = self.shoup3_messages(keys, secrets)?;
        Ok((messages.finalize, messages.views))
    }

    fn shoup3_messages(
        &self,
        keys: VerificationKeys,
        secrets: Vec<SecretShare>,
    ) -> Result<(Shoup3Messages, SecretShare, VerificationKeys), KeygenError> {
        let public = keys.public_key().map_err(KeygenError::Verification)?;
        self.check_ready(&public, SCHEME_SHOUP3)?;
        if keys.scheme() != self.scheme()
            || secrets.len() != usize::from(self.init.parties)
            || *keys.seed() != self.shoup3_seed()
        {
            return Err(
                ThresholdError::Deal("the dealing does not fit the ceremony".into()).into(),
            );
        }
        let roster_keys = self.roster_keys();
        let verification = shoup3_public(&keys);
        // Drawn now that every JOIN is in: nobody could aim the roster at it.
        let nonce = fresh_nonce();
        let transcript = self.transcript(&roster_keys, &public, Some(verification.clone()), nonce);
        let (own, sealed) = self.seal_to_joiners(&transcript, secrets, |c, s| c.seal_shoup3(s))?;
        let finalize_with = |view, shares| {
            self.finalize(
                &roster_keys,
                &public,
                Some(verification.clone()),
                nonce,
                view,
                shares,
            )
        };
        let views = if self.init.parties > 2 {
            sealed
                .iter()
                .map(|s| (s.party, finalize_with(Some(s.party), vec![s.clone()])))
                .collect()
        } else {
            // With one joiner, its view is the whole FINALIZE.
            Vec::new()
        };
        let finalize = finalize_with(None, sealed);
        Ok((
            Shoup3Messages {
                finalize,
                views,
                roster: roster_keys,
                transcript,
                nonce,
            },
            own,
            keys,
        ))
    }

    /// Splits the dealt shares of parties 1..=n into the dealer's own and the others,
    /// each sealed with `seal` on the channel to its joiner under `transcript`.
    fn seal_to_joiners<S>(
        &self,
        transcript: &[u8; 32],
        shares: Vec<S>,
        seal: impl Fn(&Channel<'_>, &S) -> Result<SealedShare, SealError>,
    ) -> Result<(S, Vec<SealedShare>), KeygenError> {
        let mut shares = shares.into_iter();
        let own = shares
            .next()
            .ok_or(ThresholdError::Deal("no shares".into()))?;
        let mut sealed = Vec::with_capacity(self.joiners.len());
        for (share, party_keys) in shares.zip(&self.joiners) {
            let channel = Channel {
                own: &self.key,
                peer: &party_keys.x25519,
                session: &self.init.session,
                transcript,
            };
            sealed.push(seal(&channel, &share)?);
        }
        Ok((own, sealed))
    }
}
