//! `mpcegosign selftest`: the dry run on an air-gapped machine before a ceremony.
//! Each step prints one ✓ or ✗ line (– for a check that does not apply); any ✗
//! makes the command fail.

use std::path::{Path, PathBuf};
use std::time::Duration;
#[cfg(feature = "camera")]
use std::time::Instant;

use airgap::{render, scan, Decoder, Encoder, Progress};
use clap::Args;
use mpcegosign::fsutil::{self, PUBLIC_MODE};
use mpcegosign::share::{encrypted, file, KeyShare};
use mpcegosign::threshold::selftest::{test_partial, PartialCheck};

use crate::cli::error::{io_error, CliError};
use crate::cli::io::files::shares as share_io;
use crate::cli::io::terminal::passphrase::{self, PassphraseArgs, Purpose};

/// What the test QR code carries.
pub const TEST_QR_MESSAGE: &[u8] = b"mpcegosign selftest QR v1: the scanner works";

#[derive(Args, Debug)]
pub struct SelftestArgs {
    /// The share to test (share_N.json.age).
    #[arg(long, value_name = "FILE", required_unless_present = "make_test_qr")]
    pub share: Option<PathBuf>,
    /// Check that the share belongs to this public key. Default: public.pem beside the share, if any.
    #[arg(long, value_name = "PEM")]
    pub public: Option<PathBuf>,
    /// Scan the test QR from these image files or folders instead of the camera.
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub scan: Vec<PathBuf>,
    /// The camera to scan the test QR with (see `mpcegosign cameras`).
    #[arg(long, value_name = "INDEX", default_value_t = 0)]
    pub camera: u32,
    /// How long to look for the test QR with the camera, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub scan_timeout: u64,
    /// Skip the QR scan step (machines that never scan).
    #[arg(long, conflicts_with = "scan")]
    pub no_scan: bool,
    /// Only write the test QR code as a PNG (to print or show on another screen), then stop.
    #[arg(long, value_name = "PNG", conflicts_with_all = ["share", "scan", "no_scan"])]
    pub make_test_qr: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: PassphraseArgs,
}

/// One step's result.
enum Step {
    Pass(String),
    Fail(String),
    /// Not applicable or skipped, with why.
    Skip(String),
}

struct Report {
    failed: Vec<&'static str>,
}

impl Report {
    fn step(&mut self, name: &'static str, result: Step) {
        match result {
            Step::Pass(d) => println!("✓ {name}: {d}"),
            Step::Skip(d) => println!("– {name}: {d}"),
            Step::Fail(d) => {
                println!("✗ {name}: {d}");
                self.failed.push(name);
            }
        }
    }
}

pub fn run(args: SelftestArgs) -> Result<(), CliError> {
    if let Some(out) = &args.make_test_qr {
        return make_test_qr(out);
    }
    let mut report = Report { failed: Vec::new() };
    let share = match &args.share {
        Some(path) => share_steps(&mut report, path, &args),
        None => None,
    };
    if let Some(share) = &share {
        report.step("test partial", partial_step(share));
        if let Some(path) = &args.share {
            // What a signer with this share would have in force.
            let step =
                match crate::cli::io::files::policy::in_force(path, &share.public().mrsigner()) {
                    Ok(lines) => Step::Pass(
                        lines
                            .iter()
                            .map(|l| l.trim())
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    Err(e) => Step::Fail(e),
                };
            report.step("signer policy", step);
        }
    } else {
        report.step(
            "test partial",
            Step::Skip("skipped: no share was opened".into()),
        );
    }
    let scan = if args.no_scan {
        Step::Skip("skipped (--no-scan)".into())
    } else if args.scan.is_empty() {
        camera_step(args.camera, Duration::from_secs(args.scan_timeout))
    } else {
        scan_files_step(&args.scan)
    };
    report.step("scan the test QR", scan);
    if report.failed.is_empty() {
        println!("selftest passed");
        Ok(())
    } else {
        Err(CliError::new(format!(
            "selftest failed: {}",
            report.failed.join(", ")
        )))
    }
}

/// Read, decrypt and parse the share, and compare it with the public key.
fn share_steps(report: &mut Report, path: &Path, args: &SelftestArgs) -> Option<KeyShare> {
    let bytes = match fsutil::read_secret(path) {
        Ok(b) => b,
        Err(e) => {
            report.step(
                "read the share",
                Step::Fail(io_error("read", path, &e).to_string()),
            );
            return None;
        }
    };
    let what = path.display().to_string();
    let plain = if encrypted::is_age(&bytes) {
        report.step(
            "read the share",
            Step::Pass(format!("{what}, {} bytes, age-encrypted", bytes.len())),
        );
        let pass = match passphrase::obtain(&args.passphrase, Purpose::Existing, &what) {
            Ok(p) => p,
            Err(e) => {
                report.step("decrypt", Step::Fail(e.to_string()));
                return None;
            }
        };
        match encrypted::decrypt(&bytes, &pass) {
            Ok(p) => {
                report.step(
                    "decrypt",
                    Step::Pass("the passphrase opens the share".into()),
                );
                p.expose().to_vec()
            }
            Err(e) => {
                report.step("decrypt", Step::Fail(e.to_string()));
                return None;
            }
        }
    } else {
        report.step(
            "read the share",
            Step::Pass(format!(
                "{what}, {} bytes, NOT encrypted: encrypt it with `mpcegosign share encrypt`",
                bytes.len()
            )),
        );
        report.step(
            "decrypt",
            Step::Skip("plain share, nothing to decrypt".into()),
        );
        bytes.to_vec()
    };
    let plain = zeroize::Zeroizing::new(plain);
    let share = match file::parse(&plain) {
        Ok(s) => s,
        Err(e) => {
            report.step("parse the share", Step::Fail(format!("{what}: {e}")));
            return None;
        }
    };
    if let Some(by) = share.retired() {
        report.step(
            "parse the share",
            Step::Fail(format!(
                "{what} is retired (replaced by {}): it signs nothing; test the share that replaced it",
                hex::encode(&by[..4])
            )),
        );
        return None;
    }
    let s = share.scheme();
    report.step(
        "parse the share",
        Step::Pass(format!(
            "party {} of {}, {}-of-{}, MRSIGNER {}",
            share.party(),
            s.parties(),
            s.threshold(),
            s.parties(),
            hex::encode(share.public().mrsigner())
        )),
    );
    let public = args.public.clone().or_else(|| {
        path.parent()
            .map(|d| d.join("public.pem"))
            .filter(|p| p.exists())
    });
    match public {
        Some(p) => report.step(
            "share matches the public key",
            match share_io::check_public(&share, &p) {
                Ok(()) => Step::Pass(format!("{} is the share's key", p.display())),
                Err(e) => Step::Fail(e.to_string()),
            },
        ),
        None => report.step(
            "share matches the public key",
            Step::Skip("no public.pem beside the share; pass --public FILE to check".into()),
        ),
    }
    Some(share)
}

fn partial_step(share: &KeyShare) -> Step {
    match test_partial(share) {
        Ok(PartialCheck::Verified { partials }) => Step::Pass(format!(
            "{partials} partial(s) over a dummy digest, checked against the verification data"
        )),
        Ok(PartialCheck::Unverifiable { partials, why }) => Step::Pass(format!(
            "{partials} partial(s) over a dummy digest made; not checked: {why}"
        )),
        Err(e) => Step::Fail(e.to_string()),
    }
}

/// Feeds frame texts to a decoder; true once the test message is complete.
fn feed(decoder: &mut Decoder, texts: &[String]) -> Result<bool, Step> {
    for t in texts {
        if let Ok(Progress::Complete(m)) = decoder.receive(t) {
            if m == TEST_QR_MESSAGE {
                return Ok(true);
            }
            return Err(Step::Fail(
                "found a QR code, but not the test QR (make it with `mpcegosign selftest --make-test-qr FILE.png`)"
                    .into(),
            ));
        }
    }
    Ok(false)
}

fn scan_files_step(paths: &[PathBuf]) -> Step {
    if let Err(e) = scan::check_paths(paths) {
        return Step::Fail(e.to_string());
    }
    let mut decoder = Decoder::new();
    let files = scan::image_files(paths);
    for path in &files {
        match scan::scan_file(path) {
            Ok(texts) => match feed(&mut decoder, &texts) {
                Ok(true) => return Step::Pass(format!("read from {}", path.display())),
                Ok(false) => {}
                Err(step) => return step,
            },
            Err(e) => return Step::Fail(e.to_string()),
        }
    }
    Step::Fail(format!(
        "no test QR code in {} image file(s); make one with `mpcegosign selftest --make-test-qr FILE.png`",
        files.len()
    ))
}

const CAMERA_HINT: &str = "pass --scan FILE with a photo or PNG of the test QR (`mpcegosign selftest --make-test-qr test-qr.png`), or --no-scan";

#[cfg(feature = "camera")]
fn camera_step(index: u32, timeout: Duration) -> Step {
    let mut cam = match airgap::camera::Camera::open(index) {
        Ok(c) => c,
        Err(e) => return Step::Fail(format!("no camera {index} ({e}); {CAMERA_HINT}")),
    };
    println!(
        "  show the test QR to camera {index} (up to {} s) …",
        timeout.as_secs()
    );
    let mut decoder = Decoder::new();
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let frame = match cam.grab() {
            Ok(f) => f,
            Err(e) => return Step::Fail(format!("camera {index}: {e}; {CAMERA_HINT}")),
        };
        match feed(&mut decoder, &scan::scan_image(&frame)) {
            Ok(true) => return Step::Pass(format!("read by camera {index}")),
            Ok(false) => {}
            Err(step) => return step,
        }
    }
    Step::Fail(format!(
        "camera {index} saw no test QR in {} s; {CAMERA_HINT}",
        timeout.as_secs()
    ))
}

#[cfg(not(feature = "camera"))]
fn camera_step(_index: u32, _timeout: Duration) -> Step {
    Step::Fail(format!(
        "this build of mpcegosign has no camera support; {CAMERA_HINT}"
    ))
}

fn make_test_qr(out: &Path) -> Result<(), CliError> {
    let enc = Encoder::new(TEST_QR_MESSAGE, airgap::frames::DEFAULT_FRAGMENT)
        .map_err(|e| CliError::new(e.to_string()))?;
    let png = render::to_png(enc.single_part(), 8).map_err(|e| CliError::new(e.to_string()))?;
    fsutil::write_new(out, &png, PUBLIC_MODE, false).map_err(|e| match e {
        fsutil::FileError::Exists(p) => CliError::new(format!(
            "{} already exists; choose another name",
            p.display()
        )),
        other => CliError::new(other.to_string()),
    })?;
    eprintln!(
        "Wrote {}: print it or show it on another screen, then run `mpcegosign selftest --share …` on the air-gapped machine.",
        out.display()
    );
    Ok(())
}
