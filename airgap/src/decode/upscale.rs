//! Pictures enlarged before a retry: a code photographed at 2–3 pixels per module
//! has finder patterns a few pixels wide, below what the decoders' run-length
//! search accepts; the same picture resampled 1.5× or 2× (Catmull-Rom, which keeps
//! edges sharp) reads.

use image::imageops::{resize, FilterType};
use image::GrayImage;

/// Largest enlarged picture the scanner decodes, in pixels: a 1280×720 camera frame
/// at 1.5× (2 MP); bigger pictures are not enlarged (their codes are not small).
pub const MAX_PIXELS: u64 = 2_100_000;

/// The picture enlarged by `factor`, or None if it would exceed [`MAX_PIXELS`].
pub fn enlarged(img: &GrayImage, factor: f32) -> Option<GrayImage> {
    let (w, h) = (
        (img.width() as f32 * factor).round() as u32,
        (img.height() as f32 * factor).round() as u32,
    );
    if u64::from(w) * u64::from(h) > MAX_PIXELS || w == 0 || h == 0 {
        return None;
    }
    Some(resize(img, w, h, FilterType::CatmullRom))
}
