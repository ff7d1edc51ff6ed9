//! A frame as a QR code: a grey image (PNG), or Unicode half blocks for a terminal.

use image::{GrayImage, Luma};
use qrcode::render::unicode::Dense1x2;
use qrcode::{Color, EcLevel, QrCode};

use crate::Error;

/// Quiet zone around the code, in modules (the QR standard asks for 4).
pub const QUIET: u32 = 4;

fn code(frame: &str) -> Result<QrCode, Error> {
    QrCode::with_error_correction_level(frame.as_bytes(), EcLevel::M)
        .map_err(|e| Error::Qr(e.to_string()))
}

/// The frame as a black-on-white image, `scale` pixels per module.
pub fn to_image(frame: &str, scale: u32) -> Result<GrayImage, Error> {
    let code = code(frame)?;
    let width = code.width() as u32;
    let colors = code.to_colors();
    let side = (width + 2 * QUIET) * scale;
    let scale = scale.max(1);
    Ok(GrayImage::from_fn(side, side, |x, y| {
        let (mx, my) = (x / scale, y / scale);
        let dark = mx >= QUIET
            && my >= QUIET
            && mx < QUIET + width
            && my < QUIET + width
            && colors[((my - QUIET) * width + (mx - QUIET)) as usize] == Color::Dark;
        Luma([if dark { 0 } else { 255 }])
    }))
}

/// PNG bytes of the frame.
pub fn to_png(frame: &str, scale: u32) -> Result<Vec<u8>, Error> {
    let img = to_image(frame, scale)?;
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::Png(e.to_string()))?;
    Ok(out.into_inner())
}

/// Terminal rows under the code for the status line.
pub const STATUS_ROWS: usize = 2;

/// Columns and rows a terminal needs to show a code of `modules` modules per side,
/// with its quiet zone and the status line.
pub fn terminal_needed(modules: usize) -> (usize, usize) {
    let side = modules + 2 * QUIET as usize;
    (side, side.div_ceil(2) + STATUS_ROWS)
}

/// The frame as terminal text: two modules per character cell (half blocks), light
/// modules drawn as spaces on a dark terminal background inverted so that the code
/// reads as dark on light. Fails, naming the size needed, if it does not fit a
/// terminal of `columns` x `rows` (with the status line).
pub fn to_terminal(frame: &str, columns: usize, rows: usize) -> Result<String, Error> {
    let code = code(frame)?;
    let (need_columns, need_rows) = terminal_needed(code.width());
    if need_columns > columns || need_rows > rows {
        return Err(Error::TooLarge {
            columns: need_columns,
            rows: need_rows,
            have_columns: columns,
            have_rows: rows,
        });
    }
    Ok(code
        .render::<Dense1x2>()
        .dark_color(Dense1x2::Light)
        .light_color(Dense1x2::Dark)
        .quiet_zone(true)
        .build())
}

/// The number of modules per side of the frame's QR code (its version is
/// (modules − 17) / 4).
pub fn modules(frame: &str) -> Result<usize, Error> {
    Ok(code(frame)?.width())
}

/// Modules per side of a QR code (level M) of `len` alphanumeric characters: the
/// largest a frame text of that length can need, since UR frames in upper case are
/// all alphanumeric.
fn modules_for_len(len: usize) -> Option<usize> {
    let text = "A".repeat(len);
    code(&text).ok().map(|c| c.width())
}

/// The longest frame text whose code fits a terminal of `columns` x `rows`.
fn longest_fitting(columns: usize, rows: usize) -> Option<usize> {
    let fits = |len: usize| {
        modules_for_len(len).is_some_and(|m| {
            let (c, r) = terminal_needed(m);
            c <= columns && r <= rows
        })
    };
    if !fits(1) {
        return None;
    }
    let (mut lo, mut hi) = (1usize, 4_300usize); // hi: beyond a version 40 code
    while lo + 1 < hi {
        let mid = (lo + hi) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// The length of the longest frame text for a message of `message_len` bytes cut
/// into fragments of at most `fragment` bytes (sequence numbers up to 99,999, the
/// single-part UR when it is one fragment).
pub fn longest_frame_text(message_len: usize, fragment: usize) -> usize {
    use crate::format::cbor_uint_len;
    let payload = header_len(message_len) + message_len;
    let count = payload.div_ceil(fragment.max(1));
    let fragment_len = payload.div_ceil(count.max(1));
    let part = 1
        + 5
        + cbor_uint_len(count as u64)
        + cbor_uint_len(payload as u64)
        + 5
        + header_len(fragment_len)
        + fragment_len;
    let digits = |n: usize| n.to_string().len();
    let multipart = "UR:BYTES/".len() + 5 + 1 + digits(count) + 1 + 2 * (part + 4);
    if count == 1 {
        multipart.max("UR:BYTES/".len() + 2 * (payload + 4))
    } else {
        multipart
    }
}

/// Bytes of the CBOR header of a byte string of `len` bytes.
fn header_len(len: usize) -> usize {
    crate::format::cbor_uint_len(len as u64)
}

/// The largest fragment (at most `max_fragment`) whose frames all fit a terminal of
/// `columns` x `rows`, for a message of `message_len` bytes. On failure, the error
/// names the terminal size the smallest fragment needs.
pub fn fragment_for_terminal(
    message_len: usize,
    max_fragment: usize,
    columns: usize,
    rows: usize,
) -> Result<usize, Error> {
    let min = crate::frames::MIN_FRAGMENT;
    if let Some(longest) = longest_fitting(columns, rows) {
        if let Some(f) = (min..=max_fragment.max(min))
            .rev()
            .find(|&f| longest_frame_text(message_len, f) <= longest)
        {
            return Ok(f);
        }
    }
    let need = modules_for_len(longest_frame_text(message_len, min)).unwrap_or(177);
    let (c, r) = terminal_needed(need);
    Err(Error::TooLarge {
        columns: c,
        rows: r,
        have_columns: columns,
        have_rows: rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Encoder;

    #[test]
    fn chosen_fragments_fit_an_80x24_terminal_for_every_frame() {
        for len in [53usize, 160, 300, 420, 520] {
            let f = fragment_for_terminal(len, 450, 80, 24).unwrap();
            let msg = vec![0xa5u8; len];
            let mut enc = Encoder::new(&msg, f).unwrap();
            let mut frames = enc.frames(enc.pure_parts() + 30);
            if enc.pure_parts() == 1 {
                frames.push(enc.single_part().to_string());
            }
            for fr in frames.iter().filter(|t| !t.is_empty()) {
                assert!(
                    fr.len() <= longest_frame_text(len, f),
                    "estimate too small: {len} {f} {} {fr}",
                    longest_frame_text(len, f)
                );
                let text = to_terminal(fr, 80, 24).unwrap();
                assert!(text.lines().count() + STATUS_ROWS <= 24);
                assert!(text.lines().all(|l| l.chars().count() <= 80));
            }
        }
    }

    #[test]
    fn default_fragment_frames_are_version_20_at_most() {
        use crate::frames::DEFAULT_FRAGMENT;
        // Up to 99 frames (45 KB; every shoup3 message): every frame carries a whole
        // default fragment. (Three-digit sequence numbers may need version 21.)
        let msg = vec![0xa5u8; 99 * DEFAULT_FRAGMENT];
        let mut enc = Encoder::new(&msg, DEFAULT_FRAGMENT).unwrap();
        let mut widest = 0;
        for fr in enc.frames(enc.pure_parts() + 10).iter() {
            widest = widest.max(modules(fr).unwrap());
        }
        assert!(widest <= 97, "{widest} modules: beyond version 20");
        // And a larger fragment would not stay within version 20 everywhere.
        let mut enc = Encoder::new(&msg, DEFAULT_FRAGMENT + 30).unwrap();
        let fr = enc.next_frame();
        assert!(modules(&fr).unwrap() > 97);
    }

    #[test]
    fn too_small_a_terminal_names_the_size_needed() {
        let e = fragment_for_terminal(300, 450, 20, 10).unwrap_err();
        assert!(matches!(e, Error::TooLarge { columns, rows, .. } if columns > 20 && rows > 10));
        let big = fragment_for_terminal(300, 450, 300, 200).unwrap();
        assert_eq!(big, 450);
    }
}

/// PNG bytes of a picture meant for printing, with a pHYs chunk that tells
/// printing programs its resolution (`dpi` pixels per inch).
pub fn to_png_at_dpi(img: &GrayImage, dpi: u32) -> Result<Vec<u8>, Error> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| Error::Png(e.to_string()))?;
    let png = out.into_inner();
    // Signature (8 bytes), then IHDR: length (4), type (4), 13 data bytes, CRC (4).
    let after_ihdr = 8 + 4 + 4 + 13 + 4;
    if png.len() < after_ihdr || &png[12..16] != b"IHDR" {
        return Err(Error::Png("unexpected PNG layout".into()));
    }
    // Pixels per metre, rounded: 300 dpi is 11 811.
    let ppm = ((u64::from(dpi) * 10_000 + 127) / 254) as u32;
    let mut chunk = Vec::with_capacity(21);
    chunk.extend_from_slice(&9u32.to_be_bytes());
    chunk.extend_from_slice(b"pHYs");
    chunk.extend_from_slice(&ppm.to_be_bytes());
    chunk.extend_from_slice(&ppm.to_be_bytes());
    chunk.push(1); // unit: metre
    let crc = crc32fast::hash(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    let mut with = Vec::with_capacity(png.len() + chunk.len());
    with.extend_from_slice(&png[..after_ihdr]);
    with.extend_from_slice(&chunk);
    with.extend_from_slice(&png[after_ihdr..]);
    Ok(with)
}

#[cfg(test)]
mod dpi_tests {
    use super::*;

    #[test]
    fn png_says_300_dpi_and_still_decodes() {
        let img = GrayImage::from_pixel(30, 20, Luma([200]));
        let png = to_png_at_dpi(&img, 300).unwrap();
        let at = png.windows(4).position(|w| w == b"pHYs").unwrap();
        assert_eq!(&png[at + 4..at + 8], &11_811u32.to_be_bytes());
        let back = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(back, img);
    }
}
