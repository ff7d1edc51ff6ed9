//! A cheap look for QR finder patterns (the three nested squares, 1:1:3:1:1 dark and
//! light across their centre), used to skip the dear retries on a picture that
//! holds no code at all. It errs on the side of "maybe": a false "yes" costs only
//! the retries' time, a false "no" a frame.

use image::GrayImage;

/// Side of the blocks whose mean brightness is the local threshold, in pixels.
const BLOCK: u32 = 16;
/// Least difference between a block's darkest and lightest pixel for the block to
/// hold an edge; flatter blocks count as light (no pattern there).
const MIN_CONTRAST: u8 = 40;
/// Least difference between the mean brightness of a pattern's light rings and of
/// its dark centre: a sensor's noise on a flat surface makes runs of any ratio,
/// but not this step.
const MIN_STEP: u32 = 40;

/// Local threshold per block: the mean of the 3×3 blocks around it, or 0 (all
/// light) where the block is flat.
struct Thresholds {
    cols: u32,
    values: Vec<u8>,
}

impl Thresholds {
    fn new(img: &GrayImage) -> Self {
        let (w, h) = img.dimensions();
        let (cols, rows) = (w.div_ceil(BLOCK), h.div_ceil(BLOCK));
        let n = (cols * rows) as usize;
        let (mut sum, mut count) = (vec![0u32; n], vec![0u32; n]);
        let (mut lo, mut hi) = (vec![255u8; n], vec![0u8; n]);
        for (x, y, p) in img.enumerate_pixels() {
            let b = ((y / BLOCK) * cols + x / BLOCK) as usize;
            let v = p[0];
            sum[b] += u32::from(v);
            count[b] += 1;
            lo[b] = lo[b].min(v);
            hi[b] = hi[b].max(v);
        }
        let mean: Vec<u32> = sum.iter().zip(&count).map(|(s, c)| s / c.max(&1)).collect();
        let mut values = vec![0u8; n];
        for by in 0..rows {
            for bx in 0..cols {
                let b = (by * cols + bx) as usize;
                if hi[b] - lo[b] < MIN_CONTRAST {
                    continue;
                }
                let (mut s, mut c) = (0, 0);
                for ny in by.saturating_sub(1)..(by + 2).min(rows) {
                    for nx in bx.saturating_sub(1)..(bx + 2).min(cols) {
                        s += mean[(ny * cols + nx) as usize];
                        c += 1;
                    }
                }
                values[b] = (s / c) as u8;
            }
        }
        Thresholds { cols, values }
    }

    fn dark(&self, img: &GrayImage, x: u32, y: u32) -> bool {
        img.get_pixel(x, y)[0] < self.values[((y / BLOCK) * self.cols + x / BLOCK) as usize]
    }
}

/// Whether five runs (dark, light, dark, light, dark) look like a finder pattern
/// seen across its centre: 1:1:3:1:1, with a generous tolerance for soft pictures.
fn finder_like(runs: &[u32; 5]) -> bool {
    let total: u32 = runs.iter().sum();
    if total < 7 {
        return false;
    }
    let module = total as f32 / 7.0;
    let near = |run: u32, modules: f32, slack: f32| {
        (run as f32 - modules * module).abs() <= slack * module.max(1.0)
    };
    near(runs[0], 1.0, 0.8)
        && near(runs[1], 1.0, 0.8)
        && near(runs[2], 3.0, 1.5)
        && near(runs[3], 1.0, 0.8)
        && near(runs[4], 1.0, 0.8)
}

/// Whether the light rings are clearly lighter than the dark centre: `px(i)` is the
/// brightness at offset `i` along the line, the runs starting at offset 0.
fn stepped(runs: &[u32; 5], px: impl Fn(u32) -> u8) -> bool {
    let mean = |from: u32, len: u32| -> u32 {
        (from..from + len).map(|i| u32::from(px(i))).sum::<u32>() / len.max(1)
    };
    let (a, b, c) = (runs[0], runs[0] + runs[1], runs[0] + runs[1] + runs[2]);
    let dark = mean(b, runs[2]);
    let light = (mean(a, runs[1]) + mean(c, runs[3])) / 2;
    light >= dark + MIN_STEP
}

/// The five runs through (x, y) along a column, if (x, y) is dark and inside a
/// dark-light-DARK-light-dark sequence, and the row of the centre run's middle.
fn column_runs(
    img: &GrayImage,
    t: &Thresholds,
    x: u32,
    y: u32,
    max_run: u32,
) -> Option<([u32; 5], u32)> {
    let h = img.height();
    let mut runs = [0u32; 5];
    // The centre run, both ways.
    let mut up = y;
    while up > 0 && t.dark(img, x, up - 1) && y - up < max_run {
        up -= 1;
    }
    let mut down = y;
    while down + 1 < h && t.dark(img, x, down + 1) && down - y < max_run {
        down += 1;
    }
    runs[2] = down - up + 1;
    // Outwards: light then dark, above and below.
    let mut edge = up;
    for (i, want_dark) in [(1usize, false), (0, true)] {
        let start = edge;
        while edge > 0 && t.dark(img, x, edge - 1) == want_dark && start - edge < max_run {
            edge -= 1;
        }
        runs[i] = start - edge;
    }
    let mut edge = down;
    for (i, want_dark) in [(3usize, false), (4, true)] {
        let start = edge;
        while edge + 1 < h && t.dark(img, x, edge + 1) == want_dark && edge - start < max_run {
            edge += 1;
        }
        runs[i] = edge - start;
    }
    let top = up - runs[1] - runs[0];
    (runs.iter().all(|&r| r > 0) && stepped(&runs, |i| img.get_pixel(x, top + i)[0]))
        .then_some((runs, up + runs[2] / 2))
}

/// A place where a finder pattern may be: its centre and its width in pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub x: u32,
    pub y: u32,
    pub width: u32,
}

/// The part of the picture worth a retry, as (left, top, width, height): None when
/// it shows no finder-pattern candidate; around the candidates, with room for the
/// rest of the code and its quiet zone, when there are three or more (a code has
/// three); else the whole picture.
pub fn region(img: &GrayImage, enough: usize) -> Option<(u32, u32, u32, u32)> {
    let found = candidates(img, enough);
    let whole = (0, 0, img.width(), img.height());
    if found.is_empty() {
        return None;
    }
    if found.len() < 3 {
        return Some(whole);
    }
    let margin = found.iter().map(|c| c.width).max().unwrap_or(0) * 3 / 2;
    let left = found
        .iter()
        .map(|c| c.x)
        .min()
        .unwrap_or(0)
        .saturating_sub(margin);
    let top = found
        .iter()
        .map(|c| c.y)
        .min()
        .unwrap_or(0)
        .saturating_sub(margin);
    let right = (found.iter().map(|c| c.x).max().unwrap_or(0) + margin).min(img.width());
    let bottom = (found.iter().map(|c| c.y).max().unwrap_or(0) + margin).min(img.height());
    Some((left, top, right - left, bottom - top))
}

/// Places (at most `enough`) where a finder pattern may be: runs of 1:1:3:1:1
/// along every second row, confirmed along the column through the centre. Places
/// closer than a pattern's width count once.
pub fn candidates(img: &GrayImage, enough: usize) -> Vec<Candidate> {
    let (w, h) = img.dimensions();
    let mut found: Vec<Candidate> = Vec::new();
    if w < 21 || h < 21 {
        return found;
    }
    let t = Thresholds::new(img);
    for y in (0..h).step_by(2) {
        let mut runs = [0u32; 5];
        let mut filled = 0usize;
        let mut dark_run = false;
        let mut len = 0u32;
        for x in 0..=w {
            let dark = x < w && t.dark(img, x, y);
            if x < w && dark == dark_run {
                len += 1;
                continue;
            }
            // A run ended at x - 1.
            if len > 0 {
                if filled == 0 && !dark_run {
                    // Patterns start with a dark run.
                } else {
                    if filled == 5 {
                        runs.rotate_left(1);
                        filled = 4;
                    }
                    runs[filled] = len;
                    filled += 1;
                    let total: u32 = runs.iter().sum();
                    if filled == 5
                        && dark_run
                        && finder_like(&runs)
                        && stepped(&runs, |i| img.get_pixel(x - total + i, y)[0])
                    {
                        let cx = x - runs[4] - runs[3] - runs[2] / 2 - 1;
                        let seen = found
                            .iter()
                            .any(|c| c.x.abs_diff(cx) < c.width && c.y.abs_diff(y) < c.width);
                        if !seen {
                            if let Some((col, cy)) = column_runs(img, &t, cx, y, 2 * total) {
                                if finder_like(&col) {
                                    found.push(Candidate {
                                        x: cx,
                                        y: cy,
                                        width: total,
                                    });
                                    if found.len() >= enough {
                                        return found;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            dark_run = dark;
            len = 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn a_code_has_three_and_a_blank_or_striped_picture_none() {
        let text = "UR:BYTES/HDCXLKAHSSQZWFVSLOFZOXWKRE";
        let code = crate::render::to_image(text, 3).unwrap();
        let found = candidates(&code, 24);
        // The three finder centres, 3.5 modules in from the code's corners, are
        // among the candidates (data modules may add a few "maybe"s).
        let m = crate::render::modules(text).unwrap() as f32;
        let quiet = (code.width() as f32 / 3.0 - m) / 2.0;
        let (near, far) = ((quiet + 3.5) * 3.0, (quiet + m - 3.5) * 3.0);
        for (cx, cy) in [(near, near), (far, near), (near, far)] {
            assert!(
                found
                    .iter()
                    .any(|c| (c.x as f32 - cx).abs() <= 3.0 && (c.y as f32 - cy).abs() <= 3.0),
                "no candidate at ({cx}, {cy}): {found:?}"
            );
        }
        let blank = GrayImage::from_pixel(300, 200, Luma([200]));
        assert!(candidates(&blank, 9).is_empty());
        assert_eq!(region(&blank, 9), None);
        // Vertical stripes match 1:1:3:1:1 along rows but not along columns.
        let stripes = GrayImage::from_fn(300, 200, |x, _| {
            Luma([if [0, 2, 3, 4, 6].contains(&(x / 4 % 9)) {
                20
            } else {
                230
            }])
        });
        assert!(candidates(&stripes, 9).is_empty());
    }
}
