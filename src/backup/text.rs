//! Plain text on the sheet: the embedded 8×8 bitmap font (font8x8, public domain
//! glyphs of the IBM PC BIOS), scaled by whole pixels. No system font is read.

use airgap::image::{GrayImage, Luma};
use font8x8::{UnicodeFonts, BASIC_FONTS};

/// Pixels per glyph side at scale 1.
pub const GLYPH: u32 = 8;

/// Replaces anything but printable ASCII (which the font has) by '?'.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// Width in pixels of `s` at `scale`.
pub fn width(s: &str, scale: u32) -> u32 {
    s.chars().count() as u32 * GLYPH * scale
}

/// Draws `s` in black with its top-left corner at (x, y); pixels outside the image
/// are skipped.
pub fn draw(img: &mut GrayImage, x: u32, y: u32, s: &str, scale: u32) {
    for (i, c) in printable(s).chars().enumerate() {
        let Some(rows) = BASIC_FONTS.get(c) else {
            continue;
        };
        let gx = x + i as u32 * GLYPH * scale;
        for (row, bits) in rows.iter().enumerate() {
            for col in 0..GLYPH {
                if bits & (1 << col) == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        let (px, py) = (gx + col * scale + dx, y + row as u32 * scale + dy);
                        if px < img.width() && py < img.height() {
                            img.put_pixel(px, py, Luma([0]));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_glyphs_scaled() {
        let mut img = GrayImage::from_pixel(40, 20, Luma([255]));
        draw(&mut img, 0, 0, "I", 2);
        let black = img.pixels().filter(|p| p.0[0] == 0).count();
        // Every lit bit of the glyph is a 2×2 block.
        let bits: u32 = BASIC_FONTS
            .get('I')
            .unwrap()
            .iter()
            .map(|b| b.count_ones())
            .sum();
        assert_eq!(black as u32, bits * 4);
        assert_eq!(width("abc", 3), 72);
        assert_eq!(printable("é\n"), "??");
    }
}
