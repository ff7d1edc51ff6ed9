//! zxing-cpp (the C++ ZXing, built from the crate's bundled sources): a candidate
//! measured beside rxing and rqrr (`cargo bench -p airgap --features zxing-cpp`).

use image::GrayImage;
use zxingcpp::{BarcodeFormat, BarcodeReader, ImageFormat, ImageView};

fn run(img: &GrayImage, try_harder: bool) -> Vec<String> {
    let Ok(view) = ImageView::from_slice(img.as_raw(), img.width(), img.height(), ImageFormat::Lum)
    else {
        return Vec::new();
    };
    BarcodeReader::new()
        .formats([BarcodeFormat::QRCode])
        .try_harder(try_harder)
        .try_rotate(try_harder)
        .try_invert(false)
        .try_downscale(try_harder)
        .from(view)
        .map(|codes| codes.iter().map(|c| c.text()).collect())
        .unwrap_or_default()
}

/// zxing-cpp's fast settings: no rotation, no downscaled retries.
pub fn detect(img: &GrayImage) -> Vec<String> {
    run(img, false)
}

/// zxing-cpp's "try harder" (with rotations and downscaled retries).
pub fn detect_harder(img: &GrayImage) -> Vec<String> {
    run(img, true)
}
