//! `audit verify` following a key from roster to roster, as its log is read in
//! order. It starts with one roster (from a share or a `public-roster.json`), at
//! generation 0. A `reshare` record that checks against a roster known so far adds
//! the new roster (the old shares keep working until retired, so both stay known);
//! a `refresh` record that checks moves its roster to the new generation. Every
//! other record is checked against each roster known, newest first, and reported
//! against the one it verifies with (named when there are several); a record that
//! verifies with none is reported with the fewest problems any roster found.

use super::chain::Line;
use super::roster::Roster;
use super::verify::{check_in, Effect, RecordCheck};

/// One roster and the share generation the log has reached for it.
struct Known {
    roster: Roster,
    generation: (u32, [u8; 32]),
}

/// The rosters known so far, in the order they were met.
pub struct Follow {
    known: Vec<Known>,
}

impl Follow {
    pub fn new(roster: Roster) -> Self {
        let generation = (0, roster.transcript);
        Follow {
            known: vec![Known { roster, generation }],
        }
    }

    /// The rosters known so far, in the order they were met.
    pub fn rosters(&self) -> impl Iterator<Item = &Roster> {
        self.known.iter().map(|k| &k.roster)
    }

    /// Checks one intact line, and takes in what it changes.
    pub fn check(&mut self, line: &Line) -> RecordCheck {
        let mut best: Option<(usize, RecordCheck, Option<Effect>)> = None;
        for (i, k) in self.known.iter().enumerate().rev() {
            let (c, effect) = check_in(line, &k.roster, Some(k.generation));
            let rank = |c: &RecordCheck| match (&c.skipped, c.problems.len()) {
                (None, 0) => 0,
                (None, n) => n,
                (Some(_), _) => usize::MAX,
            };
            let better = match &best {
                None => true,
                Some((_, b, _)) => rank(&c) < rank(b),
            };
            let ok = rank(&c) == 0;
            if better {
                best = Some((i, c, effect));
            }
            if ok {
                break;
            }
        }
        let Some((i, mut c, effect)) = best else {
            return RecordCheck::default();
        };
        if c.skipped.is_none() && c.problems.is_empty() && self.known.len() > 1 {
            c.summary.push_str(&format!(
                " [roster of keygen {}]",
                &hex::encode(self.known[i].roster.transcript)[..16]
            ));
        }
        let known = |t: &[u8; 32]| self.known.iter().any(|k| &k.roster.transcript == t);
        match effect {
            Some(Effect::NewRoster(new)) if !known(&new.transcript) => {
                c.summary
                    .push_str("; records of the new roster are checked against it from here on");
                let generation = (0, new.transcript);
                self.known.push(Known {
                    roster: *new,
                    generation,
                });
            }
            Some(Effect::Generation(number, id)) => self.known[i].generation = (number, id),
            Some(Effect::NewRoster(_)) | None => {}
        }
        c
    }
}
