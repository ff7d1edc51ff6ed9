//! Paper backup of an encrypted share: the file's bytes, exactly as on disk, as
//! fountain-coded QR codes (any K of the M printed restore it) on one page at
//! 300 dpi, with the share's public facts in plain text. Pure layout and drawing;
//! the CLI reads and writes the files (`src/cli/commands/share/backup.rs`).

pub mod text;

use airgap::image::{imageops, GrayImage, Luma};
use airgap::{frames, render, Encoder};

/// Printing resolution of the sheet.
pub const DPI: u32 = 300;
/// Smallest QR module, in sheet pixels (0.25 mm at 300 dpi): used only for files
/// that do not fit with larger modules (about 8 KB and up).
pub const MIN_MODULE_PX: u32 = 3;
/// Largest QR module used; beyond this, more and smaller codes are preferred.
pub const MAX_MODULE_PX: u32 = 8;
/// Fragment sizes tried, in bytes per code.
const FRAGMENTS: [usize; 11] = [120, 160, 200, 250, 300, 400, 500, 650, 800, 1000, 1250];
const MARGIN: u32 = DPI / 2;
const GAP: u32 = 36;
const LABEL_SCALE: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    /// 210 × 297 mm.
    A4,
    /// 8.5 × 11 in.
    Letter,
}

impl Paper {
    /// Width and height in pixels at 300 dpi.
    pub fn pixels(self) -> (u32, u32) {
        match self {
            Paper::A4 => (2480, 3508),
            Paper::Letter => (2550, 3300),
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "Letter",
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum BackupError {
    #[error("the share file is {bytes} bytes: too large for one {paper} page at 300 dpi (with QR modules of at least {MIN_MODULE_PX} pixels); keep file copies of it instead (docs/shares.md)")]
    TooLarge { bytes: usize, paper: &'static str },
    #[error("cannot encode the share as QR codes: {0}")]
    Encode(String),
}

/// What the sheet says in plain text (nothing secret).
#[derive(Debug, Clone)]
pub struct SheetInfo {
    pub party: u8,
    pub parties: u8,
    pub threshold: u8,
    pub mrsigner: [u8; 32],
    /// The backed-up file's name, length and SHA-256.
    pub file_name: String,
    pub file_sha256: [u8; 32],
    /// e.g. "2026-11-25".
    pub date: String,
    /// e.g. "mpcegosign 0.1.0 (commit 0123…)".
    pub tool: String,
}

/// A rendered sheet.
pub struct Sheet {
    pub image: GrayImage,
    /// Codes needed to restore (K) and codes printed (M).
    pub needed: usize,
    pub printed: usize,
    pub module_px: u32,
}

/// The grid chosen for the codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grid {
    fragment: usize,
    columns: u32,
    module_px: u32,
    /// Side of one code with its quiet zone, in modules.
    side_modules: u32,
}

/// The plain-text lines, each with its scale.
fn header_lines(
    info: &SheetInfo,
    bytes: usize,
    needed: usize,
    printed: usize,
) -> Vec<(String, u32)> {
    vec![
        ("MPCEGOSIGN SHARE BACKUP (ENCRYPTED)".into(), 5),
        (
            format!(
                "Party {} of {}, threshold {}-of-{}",
                info.party, info.parties, info.threshold, info.parties
            ),
            3,
        ),
        (format!("MRSIGNER {}", hex::encode(info.mrsigner)), 3),
        (format!("File {} ({bytes} bytes), SHA-256:", short_name(&info.file_name)), 3),
        (format!("  {}", hex::encode(info.file_sha256)), 3),
        (format!("Made {} UTC by {}", info.date, info.tool), 3),
        (
            format!("Any {needed} of the {printed} codes restore the file. It is age-encrypted: the passphrase is kept elsewhere."),
            2,
        ),
        ("To restore: photograph or scan this sheet (one or more photos), then run".into(), 2),
        (
            "  mpcegosign share restore --scan PHOTOS... --out DIR --public public.pem".into(),
            2,
        ),
    ]
}

/// A file name cut to fit its line (40 characters, with "..." in the middle).
fn short_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= 40 {
        return name.to_string();
    }
    let head: String = chars[..20].iter().collect();
    let tail: String = chars[chars.len() - 17..].iter().collect();
    format!("{head}...{tail}")
}

fn line_height(scale: u32) -> u32 {
    text::GLYPH * scale * 3 / 2
}

fn header_height(lines: &[(String, u32)]) -> u32 {
    lines.iter().map(|(_, s)| line_height(*s)).sum()
}

/// The best grid for `frames_of(fragment)`'s codes in `width` × `height` pixels:
/// the largest modules (up to [`MAX_MODULE_PX`]), then the most codes.
fn choose_grid(width: u32, height: u32, candidates: &[(usize, usize, u32)]) -> Option<Grid> {
    let label = line_height(LABEL_SCALE);
    let mut best: Option<(Grid, usize)> = None;
    for &(fragment, printed, side_modules) in candidates {
        for columns in 1..=12u32 {
            let cell = (width.saturating_sub((columns - 1) * GAP)) / columns;
            let module_px = (cell / side_modules).min(MAX_MODULE_PX);
            if module_px < MIN_MODULE_PX {
                break;
            }
            let rows = (printed as u32).div_ceil(columns);
            let code = side_modules * module_px;
            let need = rows * (code + label) + rows.saturating_sub(1) * GAP;
            if need > height || columns * code + (columns - 1) * GAP > width {
                continue;
            }
            let grid = Grid {
                fragment,
                columns,
                module_px,
                side_modules,
            };
            let better = match best {
                None => true,
                Some((b, p)) => (module_px, printed) > (b.module_px, p),
            };
            if better {
                best = Some((grid, printed));
            }
            break;
        }
    }
    best.map(|(g, _)| g)
}

fn frames_for(bytes: &[u8], fragment: usize) -> Result<(usize, Vec<String>), BackupError> {
    let mut enc = Encoder::new(bytes, fragment).map_err(|e| BackupError::Encode(e.to_string()))?;
    let needed = enc.pure_parts();
    let frames = enc.file_frames(frames::default_file_frames(needed));
    Ok((needed, frames))
}

fn side_modules(frames: &[String]) -> Result<u32, BackupError> {
    let mut max = 0;
    for f in frames {
        max = max.max(render::modules(f).map_err(|e| BackupError::Encode(e.to_string()))?);
    }
    Ok(max as u32 + 2 * render::QUIET)
}

/// Renders the sheet for the encrypted share file `bytes`.
pub fn render_sheet(bytes: &[u8], info: &SheetInfo, paper: Paper) -> Result<Sheet, BackupError> {
    let (w, h) = paper.pixels();
    let too_large = BackupError::TooLarge {
        bytes: bytes.len(),
        paper: paper.name(),
    };
    // Header height depends only on the digits of K and M; measure with the largest.
    let probe = header_lines(info, bytes.len(), 999, 999);
    let top = MARGIN + header_height(&probe) + GAP;
    let (avail_w, avail_h) = (w - 2 * MARGIN, h.saturating_sub(top + MARGIN));
    // Choose the grid from each fragment size's bound (cheap), then encode once.
    let payload = airgap::format::to_cbor(bytes).len();
    let mut candidates = Vec::new();
    for fragment in FRAGMENTS {
        let count = payload.div_ceil(fragment);
        let longest = render::longest_frame_text(bytes.len(), fragment);
        let modules = render::modules(&"A".repeat(longest)).map_err(|_| too_large.clone())?;
        candidates.push((
            fragment,
            frames::default_file_frames(count),
            modules as u32 + 2 * render::QUIET,
        ));
    }
    let grid = choose_grid(avail_w, avail_h, &candidates).ok_or(too_large.clone())?;
    let (needed, frames) = frames_for(bytes, grid.fragment)?;
    // The bound holds; check the real codes all the same.
    let real = (grid.fragment, frames.len(), side_modules(&frames)?);
    let grid = choose_grid(avail_w, avail_h, &[real]).ok_or(too_large)?;

    let mut img = GrayImage::from_pixel(w, h, Luma([255]));
    let mut y = MARGIN;
    for (line, scale) in header_lines(info, bytes.len(), needed, frames.len()) {
        text::draw(&mut img, MARGIN, y, &line, scale);
        y += line_height(scale);
    }
    let code_px = grid.side_modules * grid.module_px;
    let label = line_height(LABEL_SCALE);
    for (i, frame) in frames.iter().enumerate() {
        let (col, row) = (i as u32 % grid.columns, i as u32 / grid.columns);
        let x = MARGIN + col * (code_px + GAP);
        let y = top + row * (code_px + label + GAP);
        let code = render::to_image(frame, grid.module_px)
            .map_err(|e| BackupError::Encode(e.to_string()))?;
        // Codes of smaller versions are centred in the cell.
        let off = code_px.saturating_sub(code.width()) / 2;
        imageops::replace(&mut img, &code, i64::from(x + off), i64::from(y + off));
        let caption = format!("code {} of {}", i + 1, frames.len());
        let cx = x + code_px.saturating_sub(text::width(&caption, LABEL_SCALE)) / 2;
        text::draw(&mut img, cx, y + code_px + 4, &caption, LABEL_SCALE);
    }
    Ok(Sheet {
        image: img,
        needed,
        printed: frames.len(),
        module_px: grid.module_px,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file a sheet's codes carry, as `share restore` reads it.
    fn scan_back(img: &airgap::image::GrayImage) -> Option<Vec<u8>> {
        let mut dec = airgap::Decoder::new();
        let mut got = None;
        airgap::scan::scan_sheet(img, &mut |texts| {
            for t in texts {
                if let Ok(airgap::Progress::Complete(m)) = dec.receive(&t) {
                    got = Some(m);
                }
            }
            got.is_some()
        });
        got
    }

    fn info() -> SheetInfo {
        SheetInfo {
            party: 2,
            parties: 3,
            threshold: 2,
            mrsigner: [0xab; 32],
            file_name: "share_2.json.age".into(),
            file_sha256: [0xcd; 32],
            date: "2026-11-25".into(),
            tool: "mpcegosign 0.1.0".into(),
        }
    }

    #[test]
    fn a_share_fits_with_spares_and_scans_back() {
        let bytes: Vec<u8> = (0..2000u32).map(|i| (i * 7 + 3) as u8).collect();
        let sheet = render_sheet(&bytes, &info(), Paper::A4).unwrap();
        assert_eq!(sheet.image.dimensions(), (2480, 3508));
        assert!(
            sheet.printed >= sheet.needed + 4,
            "{} of {}",
            sheet.needed,
            sheet.printed
        );
        assert!(sheet.module_px >= MIN_MODULE_PX);
        assert_eq!(scan_back(&sheet.image).as_deref(), Some(&bytes[..]));
    }

    /// A 7-of-12 `shoup3` share (about 10.3 KB encrypted) fits a Letter page with
    /// 3-pixel modules, and reads back from a JPEG copy at quality 50.
    #[test]
    fn a_large_share_fits_letter_and_survives_jpeg() {
        let bytes: Vec<u8> = (0..10_500u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let sheet = render_sheet(&bytes, &info(), Paper::Letter).unwrap();
        assert_eq!(sheet.module_px, MIN_MODULE_PX);
        assert!(sheet.printed >= sheet.needed + 4);
        let mut jpeg = Vec::new();
        airgap::image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 50)
            .encode_image(&sheet.image)
            .unwrap();
        let img = airgap::image::load_from_memory(&jpeg).unwrap().to_luma8();
        assert_eq!(scan_back(&img).as_deref(), Some(&bytes[..]));
    }

    #[test]
    fn too_large_says_the_size() {
        let bytes = vec![7u8; 60_000];
        let err = render_sheet(&bytes, &info(), Paper::Letter).err().unwrap();
        assert_eq!(
            err,
            BackupError::TooLarge {
                bytes: 60_000,
                paper: "Letter"
            }
        );
        assert!(err
            .to_string()
            .starts_with("the share file is 60000 bytes: too large for one Letter page"));
    }

    #[test]
    fn long_names_are_shortened() {
        assert_eq!(short_name("share_1.json.age"), "share_1.json.age");
        let long = format!("{}.json.age", "x".repeat(60));
        let short = short_name(&long);
        assert_eq!(short.chars().count(), 40);
        assert!(
            short.starts_with("xxxx") && short.ends_with("...xxxxxxxx.json.age"),
            "{short}"
        );
    }

    #[test]
    fn letter_is_smaller_than_a4() {
        assert_eq!(Paper::Letter.pixels(), (2550, 3300));
        let grid = choose_grid(2000, 100, &[(200, 12, 80)]);
        assert_eq!(grid, None);
    }
}
