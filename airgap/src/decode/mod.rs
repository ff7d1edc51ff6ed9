//! QR codes found in a grey image: one module per decoder, and the chooser that the
//! scanner uses ([`detect`]). `cargo bench -p airgap` and `tests/degradation.rs`
//! measure every candidate on the same degraded pictures (docs/airgap.md).

pub mod deblur;
pub mod finder;
pub mod ladder;
pub mod rqrr;
pub mod rxing;
pub mod upscale;
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
        #[cfg(feature = "zxing")]
        ("zxing-cpp global", zxing_cpp::detect_global),
        #[cfg(feature = "zxing")]
        ("zxing-cpp 1.5x", |p| {
            on_enlarged(p, 1.5, zxing_cpp::detect_harder)
        }),
        #[cfg(feature = "zxing")]
        ("zxing-cpp 2x", |p| {
            on_enlarged(p, 2.0, zxing_cpp::detect_harder)
        }),
        #[cfg(feature = "zxing")]
        ("zxing-cpp fast 1.5x", |p| {
            on_enlarged(p, 1.5, zxing_cpp::detect)
        }),
        #[cfg(feature = "zxing")]
        ("zxing-cpp fast 2x", |p| {
            on_enlarged(p, 2.0, zxing_cpp::detect)
        }),
        #[cfg(feature = "zxing")]
        ("zxing-cpp global 2x", |p| {
            on_enlarged(p, 2.0, zxing_cpp::detect_global)
        }),
        ("rxing 2x", |p| on_enlarged(p, 2.0, rxing::detect_harder)),
        ("chosen", detect),
    ]
}

/// The scanner's decoder: every QR text found in the image. zxing-cpp with "try
/// harder" read at least as many frames as every other single candidate at every
/// level of the suite, fastest (docs/airgap.md). When it finds no UR text:
/// - in a picture that looks blurred sideways, the blur is undone (up to four
///   lengths around its estimate) and the picture read again;
/// - then, if the picture shows a finder-pattern candidate, it (or the part around
///   the candidates) is enlarged 1.5× and 2× and read again ([`ladder`]).
///
/// A text that is not a UR (a misread of a soft picture, or a stranger's code) does
/// not stop the retries; it is returned only if they find nothing. A panic inside a
/// decoder (a bug of theirs on a strange picture) counts as nothing found, so one
/// picture cannot stop a scan. Built without the `zxing` feature, rxing with "try
/// harder" takes zxing-cpp's place.
pub fn detect(img: &GrayImage) -> Vec<String> {
    let first = guarded(DECODER, img);
    if holds_ur(&first) {
        return first;
    }
    let retried = deblur::horizontal_lengths(img)
        .into_iter()
        .map(|l| guarded(DECODER, &deblur::undo_horizontal(img, l)))
        .find(|f| holds_ur(f));
    if let Some(found) = retried {
        return found;
    }
    let found = ladder::retry(img, &|p| guarded(RETRY_DECODER, p));
    if holds_ur(&found) || first.is_empty() {
        found
    } else {
        first
    }
}

/// Whether one of the texts is a UR (`ur:` in either case), as every frame is.
fn holds_ur(texts: &[String]) -> bool {
    texts
        .iter()
        .any(|t| t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("ur:")))
}

#[cfg(feature = "zxing")]
const DECODER: fn(&GrayImage) -> Vec<String> = zxing_cpp::detect_harder;
#[cfg(not(feature = "zxing"))]
const DECODER: fn(&GrayImage) -> Vec<String> = rxing::detect_harder;
/// The decoder on enlarged pictures: one pass, without the rotations and
/// downscaled retries of "try harder" (which read no more photographed files there,
/// and took longer: `photos-all` in the bench).
#[cfg(feature = "zxing")]
const RETRY_DECODER: fn(&GrayImage) -> Vec<String> = zxing_cpp::detect;
#[cfg(not(feature = "zxing"))]
const RETRY_DECODER: fn(&GrayImage) -> Vec<String> = rxing::detect;

fn guarded(decode: fn(&GrayImage) -> Vec<String>, img: &GrayImage) -> Vec<String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| decode(img))).unwrap_or_default()
}

fn on_enlarged(img: &GrayImage, factor: f32, decode: fn(&GrayImage) -> Vec<String>) -> Vec<String> {
    upscale::enlarged(img, factor).map_or_else(Vec::new, |big| guarded(decode, &big))
}
