//! Sideways motion blur (a camera or a screen moving during the exposure) undone
//! before a second decoding attempt: detection from the picture's own gradients,
//! and an inverse filter for a uniform blur of a given length.

use image::GrayImage;

/// Blur lengths tried, in pixels.
pub const LENGTHS: std::ops::RangeInclusive<usize> = 3..=12;

/// Autocorrelation of the brightness steps along rows (or columns), at lags
/// `0..=max_lag`, normalised by lag 0; every third line.
fn step_correlation(img: &GrayImage, along_rows: bool, max_lag: usize) -> Vec<f64> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let raw = img.as_raw();
    let (lines, len) = if along_rows { (h, w) } else { (w, h) };
    let mut c = vec![0f64; max_lag + 1];
    let mut d = Vec::with_capacity(len);
    for line in (0..lines).step_by(3) {
        let px = |i: usize| -> f64 {
            f64::from(if along_rows {
                raw[line * w + i]
            } else {
                raw[i * w + line]
            })
        };
        d.clear();
        d.extend((1..len).map(|i| px(i) - px(i - 1)));
        for (lag, acc) in c.iter_mut().enumerate() {
            *acc += d
                .iter()
                .zip(d.iter().skip(lag))
                .map(|(a, b)| a * b)
                .sum::<f64>();
        }
    }
    let c0 = c[0].max(1.0);
    c.iter().map(|v| v / c0).collect()
}

/// Lengths (most likely first) of a sideways (horizontal) motion blur, if the
/// picture looks blurred along its rows more than along its columns; empty if not.
///
/// A uniform blur of L pixels turns each sharp brightness step into a ramp L pixels
/// wide, so brightness steps along rows stay correlated over longer lags than along
/// columns. The first lag where the correlation reaches zero, along rows minus along
/// columns, grows by about one for every two pixels of blur; the lengths around
/// that estimate are tried.
pub fn horizontal_lengths(img: &GrayImage) -> Vec<usize> {
    let max = *LENGTHS.end() + 2;
    if img.width() as usize <= 2 * max || img.height() as usize <= 2 * max {
        return Vec::new();
    }
    let rows = step_correlation(img, true, max);
    let cols = step_correlation(img, false, max);
    let zero = |c: &[f64]| (1..=max).find(|&lag| c[lag] <= 0.0);
    let (Some(h), Some(v)) = (zero(&rows), zero(&cols)) else {
        return Vec::new();
    };
    if h <= v || rows[1] < cols[1] + 0.08 {
        return Vec::new();
    }
    let estimate = 2 * (h - v) + 3;
    [estimate + 1, estimate, estimate + 2, estimate - 1]
        .into_iter()
        .filter(|l| LENGTHS.contains(l))
        .collect()
}

/// The picture with a horizontal uniform blur of `len` pixels undone: each blurred
/// pixel is the mean of `len` sharp ones, so a step between two blurred neighbours is
/// (entering − leaving)/len, which gives each sharp pixel from the one `len` to its
/// left. The picture's left edge is taken as uniform (the quiet zone); values are
/// clamped to 0..=255 at every step, which keeps rounding errors from growing.
pub fn undo_horizontal(img: &GrayImage, len: usize) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let half = len / 2;
    let raw = img.as_raw();
    let mut out = vec![0u8; w * h];
    let mut sharp = vec![0f32; w];
    for y in 0..h {
        let row = &raw[y * w..(y + 1) * w];
        let edge = f32::from(row.first().copied().unwrap_or(255));
        sharp.iter_mut().for_each(|v| *v = edge);
        for x in 0..w.saturating_sub(1) {
            let target = x + len - half;
            if target >= w {
                break;
            }
            let leaving = if x >= half { sharp[x - half] } else { edge };
            let step = f32::from(row[x + 1]) - f32::from(row[x]);
            sharp[target] = (leaving + len as f32 * step).clamp(0.0, 255.0);
        }
        for (o, s) in out[y * w..(y + 1) * w].iter_mut().zip(&sharp) {
            *o = s.round() as u8;
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_else(|| img.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    /// A QR code at 4 px per module, edges one pixel soft as a lens gives.
    fn code(text: &str) -> GrayImage {
        let small = crate::render::to_image(text, 1).unwrap();
        let (w, h) = (small.width() * 4, small.height() * 4);
        image::imageops::resize(&small, w, h, image::imageops::FilterType::Triangle)
    }

    fn box_blur(img: &GrayImage, len: u32) -> GrayImage {
        let half = i64::from(len / 2);
        GrayImage::from_fn(img.width(), img.height(), |x, y| {
            let sum: u32 = (0..i64::from(len))
                .map(|k| {
                    let xi = (i64::from(x) + k - half).clamp(0, i64::from(img.width()) - 1);
                    u32::from(img.get_pixel(xi as u32, y)[0])
                })
                .sum();
            Luma([(sum / len) as u8])
        })
    }

    #[test]
    fn a_uniform_sideways_blur_is_found_and_undone() {
        let text = "UR:BYTES/".to_string() + &"LPAOCSKBCYBKPFLFLTFZZMTBSOMOTPMONBDMDE".repeat(12);
        let sharp = code(&text);
        assert!(horizontal_lengths(&sharp).is_empty(), "a sharp picture");
        for len in [7u32, 8, 9] {
            let blurred = box_blur(&sharp, len);
            let tried = horizontal_lengths(&blurred);
            assert!(tried.contains(&(len as usize)), "length {len}: {tried:?}");
            let back = undo_horizontal(&blurred, len as usize);
            assert_eq!(
                super::super::detect(&back),
                vec![text.clone()],
                "length {len}"
            );
        }
    }
}
