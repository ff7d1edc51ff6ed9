//! Pictures enlarged before a retry: a code photographed at 2–3 pixels per module
//! has finder patterns a few pixels wide, below what the decoders' run-length
//! search accepts; the same picture resampled 1.5× or 2× (Catmull-Rom, which keeps
//! edges sharp) reads.

use image::imageops::{resize, FilterType};
use image::GrayImage;

/// Most pixels of enlarged pictures the scanner decodes for one picture, all
/// enlargements together (1000×1000): a photo file of a code at 2–3 pixels per
/// module, or the part of a camera frame around its finder patterns. A whole
/// 1280×720 camera frame is not enlarged: with the resampling, that would cost
/// more than the 30 ms an unreadable frame may take.
pub const MAX_PIXELS: u64 = 600_000;

/// Pixels of the picture enlarged by `factor`.
pub fn enlarged_pixels(img: &GrayImage, factor: f32) -> u64 {
    let (w, h) = size(img, factor);
    u64::from(w) * u64::from(h)
}

fn size(img: &GrayImage, factor: f32) -> (u32, u32) {
    (
        (img.width() as f32 * factor).round() as u32,
        (img.height() as f32 * factor).round() as u32,
    )
}

/// The picture enlarged by `factor`, or None if it would exceed [`MAX_PIXELS`].
pub fn enlarged(img: &GrayImage, factor: f32) -> Option<GrayImage> {
    let (w, h) = size(img, factor);
    if enlarged_pixels(img, factor) > MAX_PIXELS || w == 0 || h == 0 {
        return None;
    }
    Some(resize(img, w, h, FilterType::CatmullRom))
}
