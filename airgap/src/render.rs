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

/// The frame as terminal text: two modules per character cell (half blocks), light
/// modules drawn as spaces on a dark terminal background inverted so that the code
/// reads as dark on light. Fails if it does not fit `columns` x `rows`.
pub fn to_terminal(frame: &str, columns: usize, rows: usize) -> Result<String, Error> {
    let code = code(frame)?;
    let side = code.width() + 2 * QUIET as usize;
    if side > columns || side.div_ceil(2) > rows {
        return Err(Error::TooLarge {
            modules: code.width(),
            columns,
            rows,
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
