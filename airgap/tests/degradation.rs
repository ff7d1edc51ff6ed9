//! The degradation suite: 29 frames of QR version ≥ 16 per level, degraded as a
//! webcam or phone would (generated from a seed), read by the chosen decoder; and
//! photographed frame files (`support/photo.rs`), where the chosen decoder must read
//! at least as many as zxing-cpp alone and as zbar (`zbarimg`, installed by
//! `.ci/deps`). The counts asserted are what the chosen decoder reads today; times
//! and the comparison of every candidate are `cargo bench -p airgap` (docs/airgap.md).

mod support;

use airgap::image::GrayImage;
use airgap::{decode, render};
use support::degrade::{big_frames, levels, picture};
use support::photo;

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

/// Photographed frames per level here (the bench uses 29).
const PHOTOS_HERE: usize = 6;

/// What zbar reads in a picture, through `zbarimg` (a PNG in a temporary file).
fn zbar(img: &GrayImage, path: &std::path::Path) -> Vec<String> {
    img.save(path).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["-q", "--raw", "-Sdisable", "-Sqrcode.enable"])
        .arg(path)
        .output()
        .unwrap_or_else(|e| {
            panic!("zbarimg: {e}: install zbar-tools (.ci/deps) to compare with zbar")
        });
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn photographed_files_read_at_least_as_often_as_by_zxing_cpp_or_zbar() {
    let levels = photo::levels(PHOTOS_HERE);
    let dir = std::env::temp_dir().join(format!("airgap-photos-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // (ours, zxing-cpp alone, zbar) per level, a thread per level.
    let counts: Vec<[usize; 3]> = std::thread::scope(|s| {
        let handles: Vec<_> = levels
            .iter()
            .enumerate()
            .map(|(n, level)| {
                let path = dir.join(format!("{n}.png"));
                s.spawn(move || {
                    let mut c = [0; 3];
                    for (i, f) in level.frames.iter().enumerate() {
                        let p = level.picture(i);
                        let want = vec![f.clone()];
                        c[0] += usize::from(decode::detect(&p) == want);
                        c[1] += usize::from(decode::zxing_cpp::detect_harder(&p) == want);
                        c[2] += usize::from(zbar(&p, &path) == want);
                    }
                    c
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    let report: Vec<String> = levels
        .iter()
        .zip(&counts)
        .map(|(l, [o, z, b])| format!("{}: ours {o}, zxing-cpp {z}, zbar {b}", l.name))
        .collect();
    for (level, [ours, zxing, zbar]) in levels.iter().zip(&counts) {
        assert!(
            ours >= zxing && ours >= zbar,
            "{}: fewer frames than another decoder; all: {report:?}",
            level.name
        );
        if level.name.contains("under 2 px") {
            // Where zxing-cpp alone misses frames (measured: 4 and 2 of 6), the
            // retries on the enlarged picture read them all.
            assert_eq!(*ours, PHOTOS_HERE, "{}; all: {report:?}", level.name);
            assert!(ours > zxing, "{}; all: {report:?}", level.name);
        }
    }
    // zbar reads some: the comparison is not empty.
    assert!(counts.iter().map(|c| c[2]).sum::<usize>() > 0, "{report:?}");
}
