//! Image files as the scanner reads them: phone photos upright (the EXIF
//! orientation tag honoured, as a photo viewer shows them), and bounded (a file
//! larger than [`MAX_FILE_BYTES`] or a picture wider or taller than
//! [`MAX_SIDE`] pixels is refused before it is decoded).

use std::path::Path;

use image::{DynamicImage, GrayImage, ImageDecoder, ImageReader, Limits};

use crate::Error;

/// Largest image file read, in bytes (a 50-megapixel phone JPEG is about 25 MB).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest width or height read, in pixels.
pub const MAX_SIDE: u32 = 16_384;
/// Memory the image decoder may use for one picture.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

fn fail(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::Image {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// Reads an image file in grey, turned upright by its EXIF orientation (JPEG from
/// phones, also PNG with an eXIf chunk). The format is found from the content, not
/// the name.
pub fn load_upright(path: &Path) -> Result<GrayImage, Error> {
    let size = std::fs::metadata(path).map_err(|e| fail(path, e))?.len();
    if size > MAX_FILE_BYTES {
        return Err(fail(
            path,
            format!(
                "the file is {} MB, more than the {} MB a photo of a QR code needs",
                size / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let mut reader = ImageReader::open(path)
        .map_err(|e| fail(path, e))?
        .with_guessed_format()
        .map_err(|e| fail(path, e))?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| fail(path, e))?;
    // A damaged EXIF block is no reason to refuse the picture: read it as stored.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(|e| fail(path, e))?;
    img.apply_orientation(orientation);
    Ok(img.to_luma8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_file_is_refused_before_decoding() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("huge.png");
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(MAX_FILE_BYTES + 1).unwrap();
        let e = load_upright(&p).unwrap_err().to_string();
        assert!(e.contains("more than the 64 MB"), "{e}");
    }

    #[test]
    fn a_picture_wider_than_the_bound_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("wide.png");
        GrayImage::new(MAX_SIDE + 1, 1).save(&p).unwrap();
        assert!(load_upright(&p).is_err());
    }
}
