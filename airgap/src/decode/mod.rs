//! QR codes found in a grey image: one module per decoder, and the chooser that the
//! scanner uses ([`detect`]). `cargo bench -p airgap` and `tests/degradation.rs`
//! measure every candidate on the same degraded pictures (docs/airgap.md).

pub mod rqrr;
pub mod rxing;

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
        ("chosen", detect),
    ]
}

/// The scanner's decoder: every QR text found in the image. rxing with "try
/// harder" read as many frames as any candidate at every level of the suite, and
/// more in cluttered scenes, at about the same speed (docs/airgap.md).
/// A panic inside a decoder (a bug of theirs on a strange picture) counts as
/// nothing found, so one picture cannot stop a scan.
pub fn detect(img: &GrayImage) -> Vec<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rxing::detect_harder(img)))
        .unwrap_or_default()
}
