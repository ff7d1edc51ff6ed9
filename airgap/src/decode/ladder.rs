//! The retries after the first pass and the sideways-deblur retry found nothing:
//! the picture, or the part of it around its finder-pattern candidates, enlarged
//! 1.5× and then 2× and read again. Soft photographs of codes at 2–3 pixels per
//! module read this way (docs/airgap.md, "Photographed frame files"). A picture
//! with no finder-pattern candidate at all is not retried: that check costs about
//! a millisecond, a retry several.

use image::GrayImage;

use super::{finder, upscale};

/// Enlargements tried, in order (cheapest first).
const FACTORS: [f32; 2] = [1.5, 2.0];

/// Finder-pattern candidates looked for before a retry: more than a code's three,
/// so that the crop still holds the code when the clutter adds false ones.
const ENOUGH: usize = 24;

/// The UR texts the retries read, or nothing. `decode` is the scanner's decoder.
pub fn retry(img: &GrayImage, decode: &dyn Fn(&GrayImage) -> Vec<String>) -> Vec<String> {
    let Some(region) = finder::region(img, ENOUGH) else {
        return Vec::new();
    };
    let part;
    let img = if region == (0, 0, img.width(), img.height()) {
        img
    } else {
        let (x, y, w, h) = region;
        part = image::imageops::crop_imm(img, x, y, w, h).to_image();
        &part
    };
    let mut spent = 0;
    for factor in FACTORS {
        // The enlargements share one budget: a larger part gets only the first.
        spent += upscale::enlarged_pixels(img, factor);
        if spent > upscale::MAX_PIXELS {
            break;
        }
        let Some(big) = upscale::enlarged(img, factor) else {
            break;
        };
        let found = decode(&big);
        if super::holds_ur(&found) {
            return found;
        }
    }
    Vec::new()
}
