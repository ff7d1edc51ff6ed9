//! rxing (pure Rust port of ZXing): hybrid binarizer and ZXing's finder, strong on
//! photographed, tilted and small codes.

use image::GrayImage;
use rxing::{BarcodeFormat, DecodeHints};

fn run(img: &GrayImage, try_harder: bool) -> Vec<String> {
    let mut hints = DecodeHints {
        TryHarder: Some(try_harder),
        ..Default::default()
    };
    rxing::helpers::detect_in_luma_slice_with_hints(
        img.as_raw(),
        img.width(),
        img.height(),
        Some(BarcodeFormat::QR_CODE),
        &mut hints,
    )
    .map(|r| vec![r.getText().to_string()])
    .unwrap_or_default()
}

/// One pass, ZXing's normal effort.
pub fn detect(img: &GrayImage) -> Vec<String> {
    run(img, false)
}

/// ZXing's "try harder": denser finder search, slower.
pub fn detect_harder(img: &GrayImage) -> Vec<String> {
    run(img, true)
}

/// Every QR code in a picture holding several (a printed sheet): ZXing's generic
/// multiple reader, which decodes one code, then searches the regions around it.
pub fn detect_many(img: &GrayImage) -> Vec<String> {
    let mut hints = DecodeHints {
        TryHarder: Some(true),
        PossibleFormats: Some(std::collections::HashSet::from([BarcodeFormat::QR_CODE])),
        ..Default::default()
    };
    rxing::helpers::detect_multiple_in_luma_with_hints(
        img.as_raw().clone(),
        img.width(),
        img.height(),
        &mut hints,
    )
    .map(|rs| rs.iter().map(|r| r.getText().to_string()).collect())
    .unwrap_or_default()
}
