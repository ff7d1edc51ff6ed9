//! The degradation suite: 29 frames of QR version ≥ 16 per level, degraded as a
//! webcam or phone would (generated from a seed), read by the chosen decoder. The
//! counts asserted are what the chosen decoder reads today; the comparison of every
//! candidate is `cargo bench -p airgap` (docs/airgap.md).

mod support;

use airgap::{decode, render};
use support::degrade::{big_frames, levels, picture};

/// Frames the chosen decoder must read at each level, in the order of `levels()`.
/// Frames per level here (the bench uses 29): the least the issue asks for, to keep
/// `cargo test` time modest.
const FRAMES_HERE: usize = 25;

/// Measured (zxing-cpp try-harder, then sideways deblurring): 25 at every level but
/// the combined one, which reads 1 of these 25 (2 of the bench's 29); the margin is
/// one frame where there is room for one.
const MUST_READ: [(&str, usize); 8] = [
    ("photographed screen", 24),
    ("2.5 px per module", 24),
    ("3.5 px per module", 24),
    ("1280x720 scene, 3 px/module", 24),
    ("motion blur 5-9 px at 4 px/module", 24),
    ("tilt 10-25 degrees", 24),
    ("noise and JPEG", 24),
    ("combined camera-like", 1),
];

#[test]
fn the_chosen_decoder_reads_degraded_frames_of_version_16_and_more() {
    let frames = big_frames(FRAMES_HERE, 11);
    for f in &frames {
        let version = (render::modules(f).unwrap() - 17) / 4;
        assert!(version >= 16, "version {version}");
    }
    let levels = levels();
    assert_eq!(levels.len(), MUST_READ.len());
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = levels
            .iter()
            .map(|level| {
                let frames = &frames;
                s.spawn(move || {
                    frames
                        .iter()
                        .enumerate()
                        .filter(|(i, f)| {
                            decode::detect(&picture(level, f, *i)) == vec![f.to_string()]
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let report: Vec<String> = levels
        .iter()
        .zip(&counts)
        .map(|(l, c)| format!("{}: {c}/{FRAMES_HERE}", l.0))
        .collect();
    for ((level, got), (name, want)) in levels.iter().zip(&counts).zip(MUST_READ) {
        assert_eq!(level.0, name);
        assert!(
            *got >= want,
            "{name}: read {got}, want {want}; all: {report:?}"
        );
    }
}
