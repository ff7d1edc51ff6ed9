//! rqrr (pure Rust, quirc's algorithm): fast on clean codes, weak on photographed
//! ones. Kept for the comparison and as the first, cheap try.

use image::imageops::{blur, resize, FilterType};
use image::GrayImage;

/// Every QR text rqrr finds in the image as it is.
pub fn detect(img: &GrayImage) -> Vec<String> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut prepared = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| {
        img.get_pixel(x as u32, y as u32)[0]
    });
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Black and white at the image's mean brightness.
fn binarize(img: &GrayImage) -> GrayImage {
    let sum: u64 = img.pixels().map(|p| u64::from(p[0])).sum();
    let mean = (sum / u64::from((img.width() * img.height()).max(1))) as u8;
    GrayImage::from_fn(img.width(), img.height(), |x, y| {
        image::Luma([if img.get_pixel(x, y)[0] > mean {
            255
        } else {
            0
        }])
    })
}

/// The previous scanner: rqrr, then cheaper to dearer retries (a light blur, a
/// half-size copy, a double-size thresholded copy).
pub fn detect_with_retries(img: &GrayImage) -> Vec<String> {
    let found = detect(img);
    if !found.is_empty() {
        return found;
    }
    let found = detect(&blur(img, 1.0));
    if !found.is_empty() {
        return found;
    }
    if img.width() > 1000 {
        let found = detect(&resize(
            img,
            img.width() / 2,
            img.height() / 2,
            FilterType::Triangle,
        ));
        if !found.is_empty() {
            return found;
        }
    }
    if img.width() < 1600 {
        let big = resize(
            img,
            img.width() * 2,
            img.height() * 2,
            FilterType::CatmullRom,
        );
        return detect(&binarize(&big));
    }
    Vec::new()
}
