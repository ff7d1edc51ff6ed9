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
    use image::imageops;

    /// A JPEG of `img` with an EXIF block whose orientation tag is `orientation`
    /// (an APP1 segment right after the start marker, as cameras write it).
    fn jpeg_with_orientation(img: &GrayImage, orientation: u16) -> Vec<u8> {
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 85)
            .encode_image(img)
            .unwrap();
        let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xff, 0xe1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    /// A phone photo: the code on the left of a wide, light-grey picture.
    fn upright_photo(text: &str) -> GrayImage {
        let code = crate::render::to_image(text, 5).unwrap();
        let mut photo = GrayImage::from_pixel(code.width() * 2, code.height(), image::Luma([210]));
        imageops::overlay(&mut photo, &code, 0, 0);
        photo
    }

    #[test]
    fn exif_orientation_6_is_turned_upright_and_decodes() {
        let mut enc = crate::Encoder::new(&[7u8; 900], 454).unwrap();
        let text = enc.next_frame();
        let upright = upright_photo(&text);
        // Orientation 6: the sensor's picture must be turned 90° clockwise to show.
        let stored = imageops::rotate270(&upright);
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("IMG_0001.JPG");
        std::fs::write(&p, jpeg_with_orientation(&stored, 6)).unwrap();
        let got = load_upright(&p).unwrap();
        assert_eq!(got.dimensions(), upright.dimensions(), "turned upright");
        // Turned the right way (not upside down): pixel for pixel the photo taken,
        // up to JPEG noise.
        let diff = |a: &GrayImage, b: &GrayImage| -> f64 {
            a.pixels()
                .zip(b.pixels())
                .map(|(x, y)| f64::from(x[0].abs_diff(y[0])))
                .sum::<f64>()
                / f64::from(a.width() * a.height())
        };
        assert!(diff(&got, &upright) < 6.0, "{}", diff(&got, &upright));
        assert!(diff(&got, &imageops::rotate180(&upright)) > 30.0);
        assert!(crate::scan::scan_file(&p).unwrap().contains(&text));
        // Without the tag the same file reads as stored.
        let q = tmp.path().join("plain.jpg");
        std::fs::write(&q, jpeg_with_orientation(&stored, 1)).unwrap();
        assert_eq!(load_upright(&q).unwrap().dimensions(), stored.dimensions());
    }

    #[test]
    fn a_rotated_jpeg_without_exif_decodes() {
        let mut enc = crate::Encoder::new(&[9u8; 900], 454).unwrap();
        let text = enc.next_frame();
        let tmp = tempfile::tempdir().unwrap();
        for (i, img) in [
            imageops::rotate90(&upright_photo(&text)),
            imageops::rotate180(&upright_photo(&text)),
        ]
        .iter()
        .enumerate()
        {
            let p = tmp.path().join(format!("turned-{i}.jpeg"));
            img.save(&p).unwrap();
            assert!(crate::scan::scan_file(&p).unwrap().contains(&text), "{i}");
        }
    }

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
