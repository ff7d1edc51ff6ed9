//! A 32-byte secret seed (a party's Ed25519 identity seed) in one page of memory of
//! its own: locked in RAM (`mlock`), never moved or copied (whatever owns it holds
//! only a pointer), wiped on drop.
//!
//! The page stays locked after it is wiped and freed: unlocking it would also undo
//! `mlockall` (see `cli::io::harden`) for whatever the allocator puts there next. A lock
//! that fails (a small `RLIMIT_MEMLOCK` already used up) is not fatal; `is_locked`
//! tells.

use rand::RngCore;
use zeroize::Zeroize;

/// Length of the seed.
pub const SEED_LEN: usize = 32;
/// The page the seed lives in (the common page size; a larger page is locked whole).
const PAGE: usize = 4096;

/// One page-aligned page: the seed at its start, nothing else in it.
#[repr(C, align(4096))]
struct Page {
    seed: [u8; SEED_LEN],
    _rest: [u8; PAGE - SEED_LEN],
}

/// A locked, wiped-on-drop seed. No `Clone`, no `Debug` of the value.
pub struct LockedSeed {
    page: Box<Page>,
    locked: bool,
}

impl LockedSeed {
    /// A zero seed in a fresh page, locked before anything secret is written to it.
    fn zeroed() -> Self {
        let page = Box::new(Page {
            seed: [0; SEED_LEN],
            _rest: [0; PAGE - SEED_LEN],
        });
        let locked = match region::lock(page.seed.as_ptr(), PAGE) {
            Ok(guard) => {
                // Never unlocked: see the module comment.
                std::mem::forget(guard);
                true
            }
            Err(_) => false,
        };
        LockedSeed { page, locked }
    }

    /// A copy of `seed` (the caller wipes its own).
    pub fn from_bytes(seed: &[u8; SEED_LEN]) -> Self {
        let mut s = Self::zeroed();
        s.page.seed.copy_from_slice(seed);
        s
    }

    /// A fresh random seed from the operating system, written straight into the page.
    pub fn random() -> Self {
        let mut s = Self::zeroed();
        rand::rngs::OsRng.fill_bytes(&mut s.page.seed);
        s
    }

    /// Another locked page holding the same seed (copied page to page).
    pub fn try_clone(&self) -> Self {
        Self::from_bytes(&self.page.seed)
    }

    pub fn expose(&self) -> &[u8; SEED_LEN] {
        &self.page.seed
    }

    /// Whether the page is locked in RAM.
    pub fn is_locked(&self) -> bool {
        self.locked
    }
}

impl Drop for LockedSeed {
    fn drop(&mut self) {
        self.page.seed.zeroize();
    }
}

impl std::fmt::Debug for LockedSeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LockedSeed(<redacted>)")
    }
}

/// Overwrites the stack below the caller's frame: where the frames of a call that has
/// just returned (hashing the seed, a signing key built from it) left copies of it.
/// Call it right after such a call, from the same function.
#[inline(never)]
pub fn wipe_stack() {
    let mut area = [0u8; 32 * 1024];
    area.zeroize();
    std::hint::black_box(&area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_sits_alone_at_the_start_of_a_locked_page() {
        let s = LockedSeed::from_bytes(&[7; SEED_LEN]);
        assert_eq!(s.expose(), &[7; SEED_LEN]);
        assert_eq!(s.expose().as_ptr() as usize % PAGE, 0);
        // As root (CAP_IPC_LOCK, as CI runs) locking cannot fail.
        if rustix::process::geteuid().is_root() {
            assert!(s.is_locked());
        }
        let r = LockedSeed::random();
        assert_ne!(r.expose(), &[0; SEED_LEN]);
        assert_ne!(r.expose(), LockedSeed::random().expose());
        let c = r.try_clone();
        assert_eq!(c.expose(), r.expose());
        assert_ne!(c.expose().as_ptr(), r.expose().as_ptr());
        assert_eq!(format!("{s:?}"), "LockedSeed(<redacted>)");
    }
}
