//! Fuzz target bodies, one function per target (built only with the `fuzzing` feature).
//!
//! Each function takes the raw input, runs it through the code under test, and checks
//! the invariants that must hold for every input; it panics only when one of them is
//! broken (or when the code under test panics). It returns whether the input was
//! accepted, so that tests can check that the seed corpus reaches the interesting
//! paths. The cargo-fuzz targets in `fuzz/fuzz_targets/` and the replay test
//! `tests/fuzz_regressions.rs` call these same functions; `fuzz/README.md` explains
//! how to run them.
//!
//! Nothing here touches the disk or the network. The ceremony targets (`sign_review`,
//! `sign_accept`) live in [`ceremony`], with the fixture they need.

mod audit;
pub mod ceremony;
mod guard;
mod parts;

use crate::ego::embed::{embed_payload, read_payload};
use crate::ego::gopath::{go_clean, go_dir, go_join};
use crate::ego::{oesign, payload, EnclaveConfig, ExeInfo};
use crate::protocol::{text, Message};
use crate::sanitize::sanitize;
use crate::secret::{SecretBytes, SecretString};
use crate::sgx::oeinfo::Oeinfo;
use crate::sgx::{Date, SignedRegions, Sigstruct};
use crate::share::{encrypted, file};

use std::sync::atomic::{AtomicBool, Ordering};

pub use audit::audit_log;
pub use ceremony::{sign_accept, sign_review};
pub use parts::text_parts;

/// A fuzz target body: the input, and whether it was accepted.
pub type Target = fn(&[u8]) -> bool;

/// Every target, by the name of its `fuzz/fuzz_targets/<name>.rs` file.
pub const TARGETS: &[(&str, Target)] = &[
    ("message", message),
    ("text_line", text_line),
    ("text_parts", text_parts),
    ("ur_frames", ur_frames),
    ("share_file", share_file),
    ("share_age", share_age),
    ("sigstruct", sigstruct),
    ("elf", elf),
    ("enclave_json", enclave_json),
    ("sign_review", sign_review),
    ("sign_accept", sign_accept),
    ("audit_log", audit_log),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// One input in `RARE` runs the targets' expensive paths (RSA verification, which is
/// slow under coverage instrumentation); the others stop short of them. The costliest
/// (combining partials, age's scrypt calibration) run for one input in `RARE` × 4. The choice is a hash of the input, so it is the same every time an
/// input is replayed, and mutations spread it over the corpus.
pub const RARE: u32 = 64;

static THOROUGH: AtomicBool = AtomicBool::new(false);

/// Runs the expensive paths for every input (the replay tests do).
pub fn set_thorough(on: bool) {
    THOROUGH.store(on, Ordering::Relaxed);
}

/// Whether `data` may take the expensive paths (see [`RARE`]).
pub fn rare(data: &[u8]) -> bool {
    one_in(data, RARE)
}

/// Whether `data` is one input in `n` (always, when thorough).
pub(crate) fn one_in(data: &[u8], n: u32) -> bool {
    if THOROUGH.load(Ordering::Relaxed) {
        return true;
    }
    // FNV-1a.
    let h = data.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    });
    h % n == 0
}

/// Splits `data` into its first byte (flags chosen by the fuzzer) and the rest.
fn flags(data: &[u8]) -> (u8, &[u8]) {
    match data.split_first() {
        Some((f, rest)) => (*f, rest),
        None => (0, data),
    }
}

/// Frames of a multi-message input: each is a big-endian u16 length and that many
/// bytes (the last one may be cut short).
pub fn frames(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let (frame, tail) = rest.split_at(len.min(rest.len()));
        out.push(frame);
        data = tail;
    }
    out
}

/// The inverse of [`frames`], for building seeds.
pub fn frame(messages: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        let len = u16::try_from(m.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&m[..usize::from(len)]);
    }
    out
}

/// Remote text as the CLI shows it: nothing that moves the cursor may survive.
fn check_sanitized(text: &str) {
    let shown = sanitize(text);
    assert!(
        !shown.chars().any(char::is_control),
        "sanitize let a control character through"
    );
}

/// `protocol::Message::decode`: a decoded message encodes back to the same bytes.
pub fn message(data: &[u8]) -> bool {
    let Ok(msg) = Message::decode(data) else {
        return false;
    };
    assert_eq!(msg.encode(), data, "decode→encode changed the bytes");
    assert_eq!(msg.session().0[..], data[2..18], "session field");
    if let Message::Abort(a) = &msg {
        check_sanitized(&a.reason);
    }
    true
}

/// `protocol::text::decode`: the pasted-line form. Any bytes survive encode→decode;
/// an accepted line re-encodes to a line that decodes to the same message bytes.
pub fn text_line(data: &[u8]) -> bool {
    assert_eq!(
        text::decode(&text::encode(data)).as_deref(),
        Ok(data),
        "encode→decode of arbitrary bytes"
    );
    let line = String::from_utf8_lossy(data);
    let Ok(bytes) = text::decode(&line) else {
        return false;
    };
    assert_eq!(
        text::decode(&text::encode(&bytes)).as_deref(),
        Ok(&bytes[..]),
        "decode→encode→decode"
    );
    // What the receiver does next with the bytes.
    message(&bytes);
    true
}

/// `airgap::Decoder`: frames (one per line) fed to one decoder; with the low flag bit
/// set, the rest of the input is instead sent through an encoder and back.
pub fn ur_frames(data: &[u8]) -> bool {
    let (f, rest) = flags(data);
    if f & 1 == 1 {
        return ur_round_trip(f, rest);
    }
    let mut dec = airgap::Decoder::new();
    let mut done: Option<Vec<u8>> = None;
    // A message of up to MAX_FRAMES fragments is rebuilt from as many frames; more
    // frames per input only slow the fuzzer down.
    for line in rest.split(|b| *b == b'\n').take(MAX_FRAMES) {
        let Ok(p) = dec.receive(&String::from_utf8_lossy(line)) else {
            continue;
        };
        // The decoder follows several messages at once and forgets a completed one
        // (later frames of it are `Finished`).
        match p {
            airgap::Progress::Complete(m) => {
                done = Some(m);
            }
            airgap::Progress::Frame { percent, frames } => {
                assert!(percent < 100, "percent {percent} before completion");
                assert!(frames > 0);
            }
            airgap::Progress::Duplicate | airgap::Progress::Finished => {}
        }
        let _ = dec.status();
    }
    done.is_some()
}

/// The most frames `ur_frames` reads from one input.
pub const MAX_FRAMES: usize = 32;

fn ur_round_trip(f: u8, message: &[u8]) -> bool {
    // Longer messages only make more frames of the same kind.
    let message = &message[..message.len().min(96)];
    let fragment = airgap::frames::MIN_FRAGMENT + usize::from(f >> 1) * 8;
    let Ok(mut enc) = airgap::Encoder::new(message, fragment) else {
        assert!(
            message.is_empty(),
            "the encoder refused a non-empty message"
        );
        return false;
    };
    let mut dec = airgap::Decoder::new();
    // The pure parts alone rebuild the message.
    for _ in 0..enc.pure_parts() {
        if let Ok(airgap::Progress::Complete(m)) = dec.receive(&enc.next_frame()) {
            assert_eq!(m, message, "round trip through UR frames");
            return true;
        }
    }
    panic!("the pure parts did not rebuild the message");
}

/// `share::file::parse`: an accepted share file serializes to a canonical form that
/// parses to the same share.
pub fn share_file(data: &[u8]) -> bool {
    let Ok(share) = file::parse(data) else {
        return false;
    };
    let canonical = file::serialize(&share);
    let again = match file::parse(canonical.expose()) {
        Ok(s) => s,
        Err(e) => panic!("the serialized share does not parse: {e}"),
    };
    assert_eq!(again.party(), share.party());
    assert_eq!(again.scheme(), share.scheme());
    assert_eq!(again.public(), share.public());
    assert_eq!(
        file::serialize(&again).expose(),
        canonical.expose(),
        "serialize→parse→serialize"
    );
    true
}

/// The passphrase of the age seeds (and of every `share_age` decryption).
pub const AGE_PASSPHRASE: &str = "fuzzing passphrase";
/// The scrypt work factor the age seeds are made with, and the largest one this target
/// lets through to a real decryption (larger ones up to the tool's limit would cost
/// seconds per input; those above the limit are refused before any work, and are
/// fuzzed).
pub const AGE_WORK_FACTOR: u8 = 2;

/// `share::encrypted`: with the low flag bit clear, the rest is an age file decrypted
/// with [`AGE_PASSPHRASE`]; set, the rest is a share file encrypted (work factor
/// [`AGE_WORK_FACTOR`]) and decrypted again. A decrypted file goes to [`share_file`].
pub fn share_age(data: &[u8]) -> bool {
    let (f, rest) = flags(data);
    let pass = SecretString::new(AGE_PASSPHRASE.into());
    // Every encryption, and every decryption that reaches the scrypt stanza, first
    // calibrates scrypt (age's `Identity::new`/`Recipient::new` time a 2^10 run).
    // These cost far more than anything else here: one input in RARE × 4 takes them.
    let costly = f & 1 == 1 || guard::mentions_scrypt(rest);
    if costly && !one_in(data, RARE * 4) {
        return false;
    }
    if f & 1 == 1 {
        let plain = SecretBytes::new(rest.to_vec());
        let enc = match encrypted::encrypt(&plain, &pass, Some(AGE_WORK_FACTOR)) {
            Ok(e) => e,
            Err(e) => panic!("encryption failed: {e}"),
        };
        assert!(encrypted::is_age(&enc));
        let dec = match encrypted::decrypt(&enc, &pass) {
            Ok(d) => d,
            Err(e) => panic!("decrypting what was just encrypted failed: {e}"),
        };
        assert_eq!(dec.expose(), rest, "age round trip");
        return share_file(dec.expose());
    }
    if !guard::cheap_scrypt(rest, AGE_WORK_FACTOR, encrypted::MAX_WORK_FACTOR) {
        return false;
    }
    match encrypted::decrypt(rest, &pass) {
        Ok(plain) => {
            share_file(plain.expose());
            true
        }
        Err(_) => false,
    }
}

/// SIGSTRUCT parsing and validation: the signed regions, the date, the signature
/// check, and the regions a signer receives (the first 256 bytes, or all of a
/// 256-byte input).
pub fn sigstruct(data: &[u8]) -> bool {
    // What `sign --sigstruct` makes of the bytes (never a panic).
    if let Ok(input) = crate::sgx::frameworks::Input::detect(data) {
        let _ = (input.name(), input.unsigned().regions());
    }
    if data.len() == crate::sgx::sigstruct::REGIONS_LEN {
        return regions(data);
    }
    let Ok(s) = Sigstruct::from_bytes(data) else {
        if let Some(r) = data.get(..crate::sgx::sigstruct::REGIONS_LEN) {
            regions(r);
        }
        return false;
    };
    assert_eq!(&s.as_bytes()[..], data);
    let r = s.regions();
    regions(r.as_bytes());
    assert_eq!(s.digest(), r.digest());
    let _ = s.exponent();
    verify_sigstruct(&s, rare(data))
}

/// `Sigstruct::verify`, which does RSA work once the cheap checks pass: only when
/// `expensive` is set, or when it will fail before that work.
fn verify_sigstruct(s: &Sigstruct, expensive: bool) -> bool {
    let reaches_rsa = s.regions().validate().is_ok()
        && s.exponent() == crate::key::PUBLIC_EXPONENT
        && crate::key::PublicKey::from_modulus_le(s.modulus_le()).is_ok();
    if reaches_rsa && !expensive {
        return false;
    }
    let mrsigner = s.mrsigner();
    match s.verify(None) {
        Ok(key) => {
            assert_eq!(key.mrsigner(), mrsigner, "MRSIGNER of a verified SIGSTRUCT");
            assert!(reaches_rsa, "verified without passing the cheap checks");
            assert_eq!(s.verify(Some(&key)), Ok(key), "verify with its own key");
            true
        }
        Err(_) => false,
    }
}

fn regions(data: &[u8]) -> bool {
    let Ok(r) = SignedRegions::from_bytes(data) else {
        return false;
    };
    assert_eq!(
        Sigstruct::from_regions(&r).regions(),
        r,
        "regions round trip"
    );
    let _ = (r.mrenclave(), r.isv_prod_id(), r.isv_svn(), r.is_debug());
    if let Ok(d) = Date::from_bcd(r.date_bcd()) {
        assert_eq!(d.to_bcd(), r.date_bcd(), "BCD date round trip");
        let _ = d.to_string();
    }
    let profile = crate::sgx::frameworks::check(&r);
    let _ = crate::sgx::frameworks::Details::of(&r).lines();
    if profile.is_ok() {
        assert!(r.date().is_ok(), "accepted regions with an invalid date");
    }
    match r.validate() {
        Ok(()) => {
            assert_eq!(
                profile,
                Ok(crate::sgx::frameworks::Profile::Oesign),
                "oesign's regions of another profile"
            );
            assert!(r.date().is_ok(), "valid regions with an invalid date");
            true
        }
        Err(_) => false,
    }
}

/// The JSON embedded by the `elf` target.
const PAYLOAD: &[u8] = br#"{"exe":"app","key":"private.pem","debug":false}"#;

/// ELF, `.oeinfo` and the payload: locating `.oeinfo`, reading its SIGSTRUCT and
/// payload fields, EGo's checks on the executable, and embedding a payload (which must
/// then read back).
pub fn elf(data: &[u8]) -> bool {
    let located = Oeinfo::locate(data);
    if let Ok(o) = &located {
        let s = o.read_sigstruct(data);
        verify_sigstruct(&s, rare(data));
        let _ = o.payload(data);
    }
    let before = read_payload(data);
    if let Ok(info) = ExeInfo::read(data) {
        let _ = info.check(512);
        let _ = info.check(16_385);
        let _ = info.build_settings();
    }
    let mut elf = data.to_vec();
    match embed_payload(&mut elf, PAYLOAD) {
        Ok(()) => {
            assert!(located.is_ok(), "embedded without an .oeinfo");
            assert!(before.is_ok(), "embedded over a payload it cannot read");
            assert_eq!(read_payload(&elf), Ok(Some(PAYLOAD)), "embedded payload");
            let o = match Oeinfo::locate(&elf) {
                Ok(o) => o,
                Err(e) => panic!("embedding broke the ELF: {e}"),
            };
            assert_eq!(
                o.payload(&elf),
                (
                    elf.len() as u64 - PAYLOAD.len() as u64,
                    PAYLOAD.len() as u64
                )
            );
            true
        }
        Err(_) => {
            assert_eq!(elf, data, "a failed embedding changed the file");
            false
        }
    }
}

/// `ego::config`: `enclave.json` decoding, EGo's validation, the payload JSON (which
/// decodes to the same config) and the oesign `.conf`; Go's path rules.
pub fn enclave_json(data: &[u8]) -> bool {
    let Ok(conf) = EnclaveConfig::from_json(data) else {
        return false;
    };
    let json = payload::marshal(&conf);
    match EnclaveConfig::from_json(&json) {
        Ok(back) => assert_eq!(back, conf, "marshal→decode changed the config"),
        Err(e) => panic!("the marshalled payload does not decode: {e}"),
    }
    let _ = oesign::conf_text(&conf);
    for p in [&conf.exe, &conf.key] {
        let clean = go_clean(p);
        assert_eq!(go_clean(&clean), clean, "filepath.Clean is idempotent");
        let dir = go_dir(p);
        let _ = go_join(&dir, p);
    }
    match conf.validate() {
        Ok(warnings) => {
            for w in &warnings.0 {
                check_sanitized(w);
            }
            true
        }
        Err(_) => false,
    }
}
