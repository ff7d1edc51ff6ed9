//! Frame texts found in images: screenshots, PNG frames, phone photos.

use std::path::{Path, PathBuf};

use image::GrayImage;

use crate::Error;

/// Image file endings the scanner reads.
const IMAGE_ENDINGS: [&str; 4] = ["png", "jpg", "jpeg", "pgm"];

fn detect(img: &GrayImage) -> Vec<String> {
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

/// Every QR text in an image. When the image as it is yields nothing, cheaper to
/// dearer retries: a light blur (noise), a half-size copy (large photos), and a
/// double-size thresholded copy (small or soft codes).
pub fn scan_image(img: &GrayImage) -> Vec<String> {
    use image::imageops::{blur, resize, FilterType};
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

/// Reads one image file and scans it.
pub fn scan_file(path: &Path) -> Result<Vec<String>, Error> {
    let img = image::open(path).map_err(|e| Error::Image {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    Ok(scan_image(&img.to_luma8()))
}

fn is_image(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| IMAGE_ENDINGS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Image files among `paths` (files as given; folders searched recursively), sorted.
pub fn image_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if p.is_file() && (is_image(&p) || paths.contains(&p)) {
            out.push(p);
        }
    }
    out.sort();
    out
}
