//! The choice of spare frames written to files: fountain parts picked so that
//! losing any fifth of a message's frame files rarely loses the message
//! ([`pick_spares`]), used by [`crate::frames::Encoder::file_frames`].

/// Fragments a useful fountain part mixes: any mix for small messages, about half
/// of them for large ones (sparse mixes of many fragments rarely add rank).
pub(crate) fn dense_range(k: usize) -> (usize, usize) {
    if k <= 64 {
        (2.min(k), k)
    } else {
        (k.div_ceil(3), (2 * k).div_ceil(3))
    }
}

/// Low-weight messages tracked by [`pick_spares`] at most (bounds its work).
const SPARE_SEARCH_MESSAGES: usize = 200_000;
/// Bound on messages × candidates × spares in [`pick_spares`] (a fraction of a
/// second).
pub(crate) const SPARE_SEARCH_WORK: usize = 300_000_000;

/// Chooses `n - k` spares among `pool` (fragment sets, k ≤ 64; `messages` from
/// [`light_messages`]) so that losing any
/// fifth of the `n` frames rarely loses the message.
///
/// The k pure frames and the spares form a systematic binary code; the frames left
/// after a loss fail to rebuild the message exactly when the lost positions cover a
/// nonzero codeword (a combination of fragments that no surviving frame sees). A lost
/// fifth can only cover codewords of weight ≤ n/5, and those come from combinations
/// of ≤ n/5 fragments: these are tracked (up to [`SPARE_SEARCH_MESSAGES`] of them, the
/// lightest first). The spares are picked one by one by conditional expectations:
/// each step takes the candidate that minimises the expected share of lost loss
/// patterns, with the spares still to choose counted as random.
/// Then one pass of exchanges: each chosen spare is replaced by the candidate that
/// lowers the share of lost patterns most, if any does.
pub(crate) fn pick_spares(
    k: usize,
    n: usize,
    messages: &[u64],
    pool: &[(String, Vec<usize>)],
) -> Vec<usize> {
    let lost = n / 5;
    let spares = n.saturating_sub(k).min(pool.len());
    let masks: Vec<u64> = pool
        .iter()
        .map(|(_, s)| s.iter().fold(0u64, |m, &i| m | 1 << i))
        .collect();
    let bit = |m: u64, c: usize| (m & masks[c]).count_ones() as usize % 2;
    let mut weight: Vec<usize> = messages.iter().map(|m| m.count_ones() as usize).collect();
    // fail[w]: share of the loss patterns that cover a given codeword of weight w.
    let fail: Vec<f64> = (0..=n + 1)
        .map(|w| {
            if w > lost {
                0.0
            } else {
                binomial(n - w, lost - w) / binomial(n, lost)
            }
        })
        .collect();
    // expect[r][w]: expected `fail` of a codeword of weight w, r random spares to come.
    let expect: Vec<Vec<f64>> = (0..=spares)
        .map(|r| {
            (0..=n + 1)
                .map(|w| {
                    (0..=r)
                        .map(|j| {
                            binomial(r, j) / 2f64.powi(r as i32)
                                * fail.get(w + j).copied().unwrap_or(0.0)
                        })
                        .sum()
                })
                .collect()
        })
        .collect();
    let best_of = |used: &[bool], table: &[f64], weight: &[usize]| -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for c in (0..pool.len()).filter(|&c| !used[c]) {
            let v: f64 = messages
                .iter()
                .zip(weight)
                .map(|(&m, &w)| table[w + bit(m, c)])
                .sum();
            if best.is_none_or(|(_, b)| v < b) {
                best = Some((c, v));
            }
        }
        best
    };
    let mut used = vec![false; pool.len()];
    let mut chosen = Vec::with_capacity(spares);
    for step in 0..spares {
        let Some((c, _)) = best_of(&used, &expect[spares - step - 1], &weight) else {
            break;
        };
        used[c] = true;
        chosen.push(c);
        for (&m, w) in messages.iter().zip(weight.iter_mut()) {
            *w += bit(m, c);
        }
    }
    // Exchange passes: each chosen spare is replaced by the candidate that lowers the
    // share of lost patterns most, while that helps (as many passes as the work bound
    // allows, 1 to 8).
    let pass = (spares * pool.len() * messages.len()).max(1);
    let passes = (SPARE_SEARCH_WORK / pass).clamp(1, 8);
    let exchange = |chosen: &mut [usize], used: &mut [bool], weight: &mut [usize]| {
        for _ in 0..passes {
            let mut better = false;
            for slot in chosen.iter_mut() {
                let old = *slot;
                let without: Vec<usize> = messages
                    .iter()
                    .zip(weight.iter())
                    .map(|(&m, &w)| w - bit(m, old))
                    .collect();
                let now: f64 = weight.iter().map(|&w| fail[w]).sum();
                if let Some((c, v)) = best_of(used, &fail, &without) {
                    if v < now - 1e-12 {
                        better = true;
                        used[old] = false;
                        used[c] = true;
                        *slot = c;
                        for ((&m, w), wo) in messages.iter().zip(weight.iter_mut()).zip(&without) {
                            *w = wo + bit(m, c);
                        }
                    }
                }
            }
            if !better {
                break;
            }
        }
        weight.iter().map(|&w| fail[w]).sum::<f64>()
    };
    let mut best = exchange(&mut chosen, &mut used, &mut weight);
    // Restarts from random choices while the work bound allows (small messages), the
    // best kept. A fixed generator: the same message always gives the same frames.
    let restarts = (SPARE_SEARCH_WORK / (4 * pass)).min(200);
    let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ (k as u64) << 32 ^ n as u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..restarts {
        if best <= 0.0 {
            break;
        }
        let mut try_used = vec![false; pool.len()];
        let mut try_chosen = Vec::with_capacity(spares);
        while try_chosen.len() < spares {
            let c = (next() % pool.len() as u64) as usize;
            if !try_used[c] {
                try_used[c] = true;
                try_chosen.push(c);
            }
        }
        let mut try_weight: Vec<usize> = messages
            .iter()
            .map(|&m| {
                m.count_ones() as usize + try_chosen.iter().map(|&c| bit(m, c)).sum::<usize>()
            })
            .collect();
        let v = exchange(&mut try_chosen, &mut try_used, &mut try_weight);
        if v < best - 1e-12 {
            best = v;
            chosen = try_chosen;
        }
    }
    chosen
}

/// Nonzero sets of at most `most` of `k` fragments (as bit masks), lightest first,
/// stopping at a whole weight class that would pass [`SPARE_SEARCH_MESSAGES`].
pub(crate) fn light_messages(k: usize, most: usize) -> Vec<u64> {
    let mut out = Vec::new();
    let mut class: Vec<u64> = vec![0];
    for _ in 1..=most.min(k) {
        let mut next = Vec::new();
        for &m in &class {
            // Extend by fragments above the highest one, so each set comes once.
            let from = if m == 0 {
                0
            } else {
                64 - m.leading_zeros() as usize
            };
            next.extend((from..k).map(|i| m | 1 << i));
        }
        if !out.is_empty() && out.len() + next.len() > SPARE_SEARCH_MESSAGES {
            break;
        }
        out.extend_from_slice(&next);
        class = next;
    }
    out
}

fn binomial(n: usize, r: usize) -> f64 {
    if r > n {
        return 0.0;
    }
    (0..r).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}
