//! The state machine every party of a refresh runs, the coordinator included. It
//! takes messages in any order the chat or the camera gives them ([`Party::receive`]):
//! JOINs until all n fresh keys are in (then it deals: [`Outgoing::Deal`]); DEALs,
//! each checked as it can be (one that arrives before the last JOIN is kept, checked
//! once the setup is known); once all n contributions are in it makes the new share
//! in memory and confirms its key code ([`Outgoing::Confirm`]); CONFIRMs, which must
//! all carry that code. Only then does [`Party::finish`] give the new share.
//!
//! Every message must be signed by the roster party it names and be of this session;
//! anything else is ignored in one line (see [`RefreshCeremonyError::verdict`]).

use std::collections::BTreeMap;

use super::deal::{OwnDeal, Setup};
use super::transcript::{key_code, key_code_hash, refresh_transcript, setup_hash};
use super::{abort_message, blamed_sender, RefreshCeremonyError as E, RefreshOutcome};
use crate::ceremony::expect_message;
use crate::ceremony::fingerprint::session_code;
use crate::ceremony::keygen::seal::CeremonyKey;
use crate::protocol::{
    Message, MessageType, RefreshConfirm, RefreshDeal, RefreshInit, RefreshJoin, SessionId,
};
use crate::sanitize::sanitize;
use crate::secret::SecretBytes;
use crate::share::KeyShare;
use crate::threshold::{RefreshContribution, SchemeShare};

/// Where a refresh stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for REFRESH-JOINs.
    Joins,
    /// Dealt; waiting for the other parties' REFRESH-DEALs.
    Deals,
    /// Confirmed; waiting for the other parties' REFRESH-CONFIRMs.
    Confirms,
    /// Every party confirmed this party's key code: [`Party::finish`].
    Done,
}

/// What this party sends when a step completes.
#[derive(Debug)]
pub enum Outgoing {
    /// This party's contribution: the whole DEAL (for a chat) and one signed view per
    /// recipient (for QR: each shows that recipient only its part).
    Deal {
        whole: Message,
        views: Vec<(u8, Message)>,
    },
    /// This party's REFRESH-CONFIRM.
    Confirm(Message),
}

/// What one received message did.
#[derive(Debug)]
pub struct Progress {
    /// The party that sent it.
    pub from: u8,
    pub kind: MessageType,
    /// What to send now, in order.
    pub send: Vec<Outgoing>,
    /// Messages kept earlier that turned out to be of no use, one line each.
    pub notes: Vec<String>,
}

/// The new share and what every party must confirm, held until they all did.
struct Refreshed {
    share: SchemeShare,
    transcript: [u8; 32],
    code: [u8; 32],
}

/// One party's side of a refresh. Holds its fresh X25519 key, its own part and the
/// parts received (wiped on drop), and the new share until it is finished.
pub struct Party<'a> {
    share: &'a KeyShare,
    init: RefreshInit,
    init_hash: [u8; 32],
    key: CeremonyKey,
    joins: BTreeMap<u8, [u8; 32]>,
    setup: Option<[u8; 32]>,
    /// Every party's JOIN key, parties 1..=n in order, once all are in.
    keys: Vec<[u8; 32]>,
    publics: BTreeMap<u8, Vec<u8>>,
    parts: BTreeMap<u8, SecretBytes>,
    pending: BTreeMap<u8, RefreshDeal>,
    confirms: BTreeMap<u8, [u8; 32]>,
    refreshed: Option<Refreshed>,
    /// This party's contribution (wiped on drop), until it is dealt.
    contribution: Option<RefreshContribution>,
    #[cfg(test)]
    cheat: Option<fn(u8, &mut RefreshContribution)>,
}

impl std::fmt::Debug for Party<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Party")
            .field("party", &self.share.party())
            .field("session", &self.init.session.short())
            .field("phase", &self.phase())
            .finish()
    }
}

impl<'a> Party<'a> {
    /// A party of the refresh `init` (already checked against `share`), with a fresh
    /// X25519 key: the party and its signed REFRESH-JOIN.
    pub(super) fn new(
        share: &'a KeyShare,
        init: RefreshInit,
        contribution: RefreshContribution,
    ) -> Result<(Self, Message), E> {
        let auth = share.auth().ok_or(E::NoRoster)?;
        let key = CeremonyKey::generate();
        let init_hash = init.hash();
        let mut join = Message::RefreshJoin(RefreshJoin {
            session: init.session,
            party: share.party(),
            init_hash,
            key: key.public(),
            signature: [0; 64],
        });
        join.sign(&auth.identity);
        let mut joins = BTreeMap::new();
        joins.insert(share.party(), key.public());
        let party = Party {
            share,
            init,
            init_hash,
            key,
            joins,
            setup: None,
            keys: Vec::new(),
            publics: BTreeMap::new(),
            parts: BTreeMap::new(),
            pending: BTreeMap::new(),
            confirms: BTreeMap::new(),
            refreshed: None,
            contribution: Some(contribution),
            #[cfg(test)]
            cheat: None,
        };
        Ok((party, join))
    }

    pub fn session(&self) -> SessionId {
        self.init.session
    }
    pub fn party(&self) -> u8 {
        self.share.party()
    }
    pub fn coordinator(&self) -> u8 {
        self.init.coordinator
    }
    /// The session code of this refresh's INIT, to compare out of band.
    pub fn session_code(&self) -> String {
        session_code(&Message::RefreshInit(self.init.clone()).encode())
    }
    fn parties(&self) -> u8 {
        self.init.parties
    }

    pub fn phase(&self) -> Phase {
        if self.setup.is_none() {
            Phase::Joins
        } else if self.refreshed.is_none() {
            Phase::Deals
        } else if self.confirms.len() + 1 < usize::from(self.parties()) {
            Phase::Confirms
        } else {
            Phase::Done
        }
    }

    /// The parties this one still waits for in the current phase.
    pub fn missing(&self) -> Vec<u8> {
        let have = |p: u8| match self.phase() {
            Phase::Joins => self.joins.contains_key(&p),
            Phase::Deals => self.publics.contains_key(&p),
            Phase::Confirms | Phase::Done => p == self.party() || self.confirms.contains_key(&p),
        };
        (1..=self.parties()).filter(|p| !have(*p)).collect()
    }

    /// The new key code, once this party made its new share.
    pub fn key_code(&self) -> Option<String> {
        self.refreshed.as_ref().map(|r| key_code(&r.code))
    }

    /// Takes one received message.
    pub fn receive(&mut self, bytes: &[u8]) -> Result<Progress, E> {
        use MessageType as T;
        let msg = expect_message(
            bytes,
            &[
                T::RefreshJoin,
                T::RefreshDeal,
                T::RefreshConfirm,
                T::Abort,
                T::RefreshInit,
            ],
            Some(self.init.session),
        )?;
        let kind = msg.kind();
        let from = match &msg {
            Message::RefreshJoin(m) => m.party,
            Message::RefreshDeal(m) => m.party,
            Message::RefreshConfirm(m) => m.party,
            Message::Abort(m) => m.party,
            Message::RefreshInit(m) => m.coordinator,
            _ => 0,
        };
        let identity = self
            .share
            .identity_of(from)
            .filter(|_| from <= self.parties())
            .ok_or(E::OutsideRoster { kind, party: from })?;
        if !msg.is_signed_by(&identity) {
            return Err(E::BadSignature { kind, party: from });
        }
        if from == self.party() {
            return Err(E::OwnMessage { kind });
        }
        let mut progress = Progress {
            from,
            kind,
            send: Vec::new(),
            notes: Vec::new(),
        };
        match msg {
            Message::RefreshJoin(join) => self.take_join(join, &mut progress)?,
            Message::RefreshDeal(deal) => self.take_deal(deal, &mut progress)?,
            Message::RefreshConfirm(confirm) => self.take_confirm(confirm)?,
            Message::Abort(abort) => {
                // Another party's text: escaped before it can reach a terminal.
                return Err(E::Aborted {
                    party: from,
                    reason: sanitize(&abort.reason),
                });
            }
            _ => return Err(E::Duplicate { kind, party: from }),
        }
        Ok(progress)
    }

    fn take_join(&mut self, join: RefreshJoin, progress: &mut Progress) -> Result<(), E> {
        let party = join.party;
        if join.init_hash != self.init_hash {
            return Err(E::OtherInit { party });
        }
        if self.joins.contains_key(&party) {
            return Err(E::Duplicate {
                kind: MessageType::RefreshJoin,
                party,
            });
        }
        if !self.key.accepts_peer(&join.key) {
            return Err(E::WeakJoinKey { party });
        }
        self.joins.insert(party, join.key);
        if self.joins.len() == usize::from(self.parties()) {
            self.deal(progress)?;
        }
        Ok(())
    }

    /// Every JOIN is in: the setup is fixed, this party deals, and the DEALs kept
    /// until now are taken.
    fn deal(&mut self, progress: &mut Progress) -> Result<(), E> {
        let keys: Vec<(u8, [u8; 32])> = self.joins.iter().map(|(p, k)| (*p, *k)).collect();
        let setup = setup_hash(&self.init_hash, &keys);
        self.setup = Some(setup);
        self.keys = keys.iter().map(|(_, k)| *k).collect();
        #[allow(unused_mut)]
        let mut contribution = self
            .contribution
            .take()
            .ok_or(E::NotDone("this party has already dealt".into()))?;
        #[cfg(test)]
        if let Some(cheat) = self.cheat {
            cheat(self.party(), &mut contribution);
        }
        let auth = self.share.auth().ok_or(E::NoRoster)?;
        let OwnDeal {
            whole,
            views,
            public,
            own_part,
        } = self
            .channels(setup)
            .deal(self.party(), contribution, &auth.identity)?;
        self.publics.insert(self.party(), public);
        self.parts.insert(self.party(), own_part);
        progress.send.push(Outgoing::Deal { whole, views });
        for (_, deal) in std::mem::take(&mut self.pending) {
            match self.check_deal(&deal) {
                Ok(part) => {
                    self.publics.insert(deal.party, deal.public);
                    self.parts.insert(deal.party, part);
                }
                Err(e) if !e.verdict().keeps_waiting() => return Err(e),
                Err(e) => progress.notes.push(e.to_string()),
            }
        }
        self.apply(progress)
    }

    fn channels(&self, setup: [u8; 32]) -> Setup<'_> {
        Setup {
            key: &self.key,
            session: self.init.session,
            setup,
            keys: &self.keys,
        }
    }

    fn check_deal(&self, deal: &RefreshDeal) -> Result<SecretBytes, E> {
        let setup = self
            .setup
            .ok_or(E::NotDone("the JOINs are not all in".into()))?;
        self.channels(setup)
            .take(self.party(), self.share.secret(), deal)
    }

    fn take_deal(&mut self, deal: RefreshDeal, progress: &mut Progress) -> Result<(), E> {
        let party = deal.party;
        if self.publics.contains_key(&party) || self.pending.contains_key(&party) {
            return Err(E::Duplicate {
                kind: MessageType::RefreshDeal,
                party,
            });
        }
        if self.setup.is_none() {
            // Too early to open: kept (its signature holds) until every JOIN is in.
            self.pending.insert(party, deal);
            return Ok(());
        }
        let part = self.check_deal(&deal)?;
        self.publics.insert(party, deal.public);
        self.parts.insert(party, part);
        self.apply(progress)
    }

    /// Once all n contributions are in: the new share in memory, its key code, and
    /// this party's CONFIRM.
    fn apply(&mut self, progress: &mut Progress) -> Result<(), E> {
        if self.refreshed.is_some() || self.publics.len() < usize::from(self.parties()) {
            return Ok(());
        }
        let setup = self
            .setup
            .ok_or(E::NotDone("the JOINs are not all in".into()))?;
        let mut all = Vec::with_capacity(self.publics.len());
        for (party, public) in &self.publics {
            let part = self
                .parts
                .get(party)
                .ok_or(E::NotDone("a part is missing".into()))?;
            all.push((*party, public.as_slice(), part.expose()));
        }
        let share =
            self.share
                .secret()
                .apply_refresh(&all)
                .map_err(|e| match blamed_sender(&e) {
                    Some(party) => E::BadPart {
                        party,
                        why: e.to_string(),
                    },
                    None => E::Threshold(e),
                })?;
        if share.public_key().ok().as_ref() != Some(self.share.public()) {
            return Err(E::OtherPublicKey);
        }
        let publics: Vec<(u8, &[u8])> = self
            .publics
            .iter()
            .map(|(p, v)| (*p, v.as_slice()))
            .collect();
        let transcript = refresh_transcript(&setup, &publics);
        let verification = share
            .as_shoup3()
            .map(|s| s.keys().to_bytes())
            .unwrap_or_default();
        let code = key_code_hash(&transcript, &self.init.mrsigner, &verification);
        let auth = self.share.auth().ok_or(E::NoRoster)?;
        let mut confirm = Message::RefreshConfirm(RefreshConfirm {
            session: self.init.session,
            party: self.party(),
            key_code: code,
            signature: [0; 64],
        });
        confirm.sign(&auth.identity);
        self.refreshed = Some(Refreshed {
            share,
            transcript,
            code,
        });
        // The parts are no longer needed: wiped now.
        self.parts.clear();
        if let Some((party, _)) = self.confirms.iter().find(|(_, c)| **c != code) {
            return Err(E::KeyCodeMismatch { party: *party });
        }
        progress.send.push(Outgoing::Confirm(confirm));
        Ok(())
    }

    fn take_confirm(&mut self, confirm: RefreshConfirm) -> Result<(), E> {
        let party = confirm.party;
        if self.confirms.contains_key(&party) {
            return Err(E::Duplicate {
                kind: MessageType::RefreshConfirm,
                party,
            });
        }
        if let Some(r) = &self.refreshed {
            if r.code != confirm.key_code {
                return Err(E::KeyCodeMismatch { party });
            }
        }
        self.confirms.insert(party, confirm.key_code);
        Ok(())
    }

    /// The new share and the outcome, once every party confirmed this party's key
    /// code; nothing before.
    pub fn finish(self) -> Result<(SchemeShare, RefreshOutcome), E> {
        if self.phase() != Phase::Done {
            return Err(E::NotDone(format!(
                "still waiting for {:?} from parties {:?}",
                self.phase(),
                self.missing()
            )));
        }
        let refreshed = self.refreshed.ok_or(E::NotDone("no new share".into()))?;
        if let Some((party, _)) = self.confirms.iter().find(|(_, c)| **c != refreshed.code) {
            return Err(E::KeyCodeMismatch { party: *party });
        }
        let outcome = RefreshOutcome {
            session: self.init.session,
            transcript: refreshed.transcript,
            key_code: key_code(&refreshed.code),
            generation: self.init.generation.saturating_add(1),
        };
        Ok((refreshed.share, outcome))
    }

    /// The signed ABORT to send when this party stops the refresh because of `error`.
    pub fn abort(&self, error: &E) -> Message {
        abort_message(self.share, self.init.session, error)
    }

    /// Test only: the views of a second, different contribution sealed under the same
    /// setup and keys (an equivocating sender).
    #[cfg(test)]
    pub(super) fn deal_other(&self) -> Result<Vec<(u8, Message)>, E> {
        let setup = self.setup.ok_or(E::NotDone("no setup".into()))?;
        let auth = self.share.auth().ok_or(E::NoRoster)?;
        let contribution = self
            .share
            .secret()
            .refresh_contribution()
            .map_err(E::Threshold)?;
        Ok(self
            .channels(setup)
            .deal(self.party(), contribution, &auth.identity)?
            .views)
    }

    /// Test only: alter this party's contribution before it is dealt (a cheater).
    #[cfg(test)]
    pub(super) fn cheat(&mut self, f: fn(u8, &mut RefreshContribution)) {
        self.cheat = Some(f);
    }
}
