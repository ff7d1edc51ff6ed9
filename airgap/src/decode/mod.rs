//! QR codes found in a grey image: one module per decoder, and the chooser that the
//! scanner uses ([`detect`]). `cargo bench -p airgap` and `tests/degradation.rs`
//! measure every candidate on the same degraded pictures (docs/airgap.md).

pub mod deblur;
pub mod rqrr;
pub mod rxing;
#[cfg(feature = "zxing")]
pub mod zxing_cpp;

use image::GrayImage;

/// A candidate decoder, by name, for comparisons.
pub type Candidate = (&'static str, fn(&GrayImage) -> Vec<String>);

/// Every candidate, the chosen one last.
pub fn candidates() -> Vec<Candidate> {
    vec![
        ("rqrr", rqrr::detect),
        ("rqrr + retries (previous)", rqrr::detect_with_retries),
        ("rxing", rxing::detect),
        ("rxing try-harder", rxing::detect_harder),
        #[cfg(feature = "zxing")]
        ("zxing-cpp", zxing_cpp::detect),
        #[cfg(feature = "zxing")]
        ("zxing-cpp try-harder", zxing_cpp::detect_harder),
        ("chosen", detect),
    ]
}

/// The scanner's decoder: every QR text found in the image. zxing-cpp with "try
/// harder" read at least as many frames as every other candidate at every level of
/// the suite, fastest (docs/airgap.md). When it finds nothing in a picture that
/// looks blurred sideways, the blur is undone (up to four lengths around its
/// estimate) and the picture read again; other unreadable pictures fail at once.
/// A panic inside a decoder (a bug of theirs on a strange picture) counts as
/// nothing found, so one picture cannot stop a scan. Built without the `zxing`
/// feature, rxing with "try harder" takes zxing-cpp's place.
pub fn detect(img: &GrayImage) -> Vec<String> {
    let found = guarded(DECODER, img);
    if !found.is_empty() {
        return found;
    }
    deblur::horizontal_lengths(img)
        .into_iter()
        .map(|l| guarded(DECODER, &deblur::undo_horizontal(img, l)))
        .find(|f| !f.is_empty())
        .unwrap_or_default()
}

#[cfg(feature = "zxing")]
const DECODER: fn(&GrayImage) -> Vec<String> = zxing_cpp::detect_harder;
#[cfg(not(feature = "zxing"))]
const DECODER: fn(&GrayImage) -> Vec<String> = rxing::detect_harder;

fn guarded(decode: fn(&GrayImage) -> Vec<String>, img: &GrayImage) -> Vec<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode(img))).unwrap_or_default()
}
