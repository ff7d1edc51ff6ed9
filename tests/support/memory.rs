//! Reading a live process's memory through `/proc/PID/mem` (what a core dump or
//! `gcore` would hold, freed heap included) and searching it for secrets in every
//! form they could be left in: binary, hex and base64 (see `tests/core_dump.rs`,
//! whose helpers these were, and `tests/reshare_memory.rs`).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use num_bigint::BigUint;
use std::os::unix::fs::FileExt;

/// Whether the test runs as root: reading a non-dumpable process needs
/// `CAP_SYS_PTRACE`.
pub fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Every readable mapping of a live process, as (description, bytes).
pub fn read_memory(pid: u32) -> Vec<(String, Vec<u8>)> {
    let maps = std::fs::read_to_string(format!("/proc/{pid}/maps")).unwrap();
    let mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
    let mut regions = Vec::new();
    for line in maps.lines() {
        let mut fields = line.split_whitespace();
        let (range, perms) = (fields.next().unwrap(), fields.next().unwrap());
        let name = line
            .split_whitespace()
            .nth(5)
            .unwrap_or("[anon]")
            .to_string();
        if !perms.starts_with('r') || name == "[vvar]" || name == "[vsyscall]" {
            continue;
        }
        let (start, end) = range.split_once('-').unwrap();
        let start = u64::from_str_radix(start, 16).unwrap();
        let end = u64::from_str_radix(end, 16).unwrap();
        let mut bytes = vec![0u8; (end - start) as usize];
        let mut at = 0usize;
        while at < bytes.len() {
            match mem.read_at(&mut bytes[at..], start + at as u64) {
                Ok(0) | Err(_) => break,
                Ok(n) => at += n,
            }
        }
        bytes.truncate(at);
        regions.push((name, bytes));
    }
    let total: usize = regions.iter().map(|(_, b)| b.len()).sum();
    assert!(total > 1 << 20, "read only {total} bytes of process memory");
    regions
}

/// Forms of a secret, by name, as searched (see the module comment). Numbers are
/// searched by one window from the middle. Text (a passphrase) is short, and a freed
/// buffer loses its first 16 bytes to the allocator's bookkeeping, so it is searched
/// by overlapping windows: any piece of 12 bytes (24 hex digits, 16 base64 characters)
/// gives it away.
pub fn forms(bytes: &[u8], text: bool) -> Vec<(String, Vec<u8>)> {
    /// (offset, piece) windows of `len` every `step`; one middle window for numbers.
    fn windows(s: &[u8], len: usize, step: usize, text: bool) -> Vec<(usize, Vec<u8>)> {
        if s.len() <= len {
            return vec![(0, s.to_vec())];
        }
        if !text {
            let start = (s.len() - len) / 2 / step * step;
            return vec![(start, s[start..start + len].to_vec())];
        }
        (0..=s.len() - len)
            .step_by(step)
            .map(|at| (at, s[at..at + len].to_vec()))
            .collect()
    }
    let (bin, hex_len, b64_len) = if text { (12, 24, 16) } else { (32, 48, 40) };
    let mut out = Vec::new();
    for (at, w) in windows(bytes, bin, 4, text) {
        out.push((format!("binary@{at}"), w));
    }
    let hex = hex::encode(bytes);
    for (name, h) in [("hex", hex.clone()), ("HEX", hex.to_uppercase())] {
        for (at, w) in windows(h.as_bytes(), hex_len, 8, text) {
            out.push((format!("{name}@{at}"), w));
        }
    }
    for k in 0..3.min(bytes.len()) {
        for (alphabet, encoded) in [
            ("base64", STANDARD.encode(&bytes[k..])),
            ("base64url", URL_SAFE_NO_PAD.encode(&bytes[k..])),
        ] {
            // Whole groups only: the last group depends on what follows.
            let usable = &encoded.as_bytes()[..encoded.len() / 4 * 4];
            for (at, w) in windows(usable, b64_len, 4, text) {
                if w.len() >= 12 {
                    out.push((format!("{alphabet} (byte offset {k})@{at}"), w));
                }
            }
        }
    }
    out
}

pub fn count_in(memory: &[(String, Vec<u8>)], needle: &[u8]) -> (usize, Vec<String>) {
    let finder = memchr::memmem::Finder::new(needle);
    let mut n = 0;
    let mut where_ = Vec::new();
    for (name, bytes) in memory {
        let c = finder.find_iter(bytes).count();
        if c > 0 {
            n += c;
            where_.push(name.clone());
        }
    }
    (n, where_)
}

/// A secret to look for: its bytes (big-endian for numbers), how many binary copies
/// are the live one, and whether it is text (searched piece by piece).
pub struct Secret {
    pub name: String,
    pub bytes: Vec<u8>,
    pub live_binary_copies: usize,
    pub text: bool,
}

pub fn number(name: String, x: &BigUint) -> Secret {
    Secret {
        name,
        bytes: x.to_bytes_be(),
        live_binary_copies: 0,
        text: false,
    }
}

pub fn assert_no_stale_copies(who: &str, memory: &[(String, Vec<u8>)], secrets: &[Secret]) {
    let mut found = Vec::new();
    for s in secrets {
        for (form, needle) in forms(&s.bytes, s.text) {
            let (n, regions) = count_in(memory, &needle);
            let binary = form.starts_with("binary");
            let allowed = if binary { s.live_binary_copies } else { 0 };
            if binary && allowed > 0 {
                assert!(
                    n >= allowed,
                    "{who}: the live copy of {} was not found: the memory was not read",
                    s.name
                );
            }
            if n > allowed {
                found.push(format!("{} as {form}: {n} copies in {regions:?}", s.name));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{who}'s memory holds stale secrets:\n{}",
        found.join("\n")
    );
}

/// The little-endian bytes OpenSSL keeps (the live copy), a 32-byte middle window.
pub fn little_endian_window(x: &BigUint) -> Vec<u8> {
    let le = x.to_bytes_le();
    let start = (le.len() - 32) / 2;
    le[start..start + 32].to_vec()
}
