//! zxing-cpp (the C++ ZXing, built from the crate's bundled sources): the scanner's
//! decoder, measured beside rxing and rqrr (`cargo bench -p airgap`).

use image::GrayImage;
use zxingcpp::{BarcodeFormat, BarcodeReader, Binarizer, ImageFormat, ImageView};

fn run(img: &GrayImage, try_harder: bool, binarizer: Binarizer) -> Vec<String> {
    let Ok(view) = ImageView::from_slice(img.as_raw(), img.width(), img.height(), ImageFormat::Lum)
    else {
        return Vec::new();
    };
    BarcodeReader::new()
        .formats([BarcodeFormat::QRCode])
        .binarizer(binarizer)
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
    run(img, false, Binarizer::LocalAverage)
}

/// zxing-cpp's "try harder" (with rotations and downscaled retries), its local
/// (block-average) binariser.
pub fn detect_harder(img: &GrayImage) -> Vec<String> {
    run(img, true, Binarizer::LocalAverage)
}

/// One pass with zxing-cpp's global (histogram) binariser instead of the local one:
/// a single threshold for the whole picture, which keeps thin light modules that a
/// soft picture's block averages swallow.
pub fn detect_global(img: &GrayImage) -> Vec<String> {
    run(img, false, Binarizer::GlobalHistogram)
}
