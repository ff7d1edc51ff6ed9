//! Process hardening, applied once at start: no core dumps, no memory reads by other
//! processes of the same user, and secrets kept out of swap where the system allows.
//!
//! - `PR_SET_DUMPABLE = 0`: the kernel writes no core dump, and `/proc/PID/mem`,
//!   `ptrace` and `gcore` need `CAP_SYS_PTRACE` (root) instead of the same user id.
//! - `RLIMIT_CORE = 0` (soft and hard): a second lock on core dumps, which also holds
//!   for the child processes we start (`ego-oesign`).
//! - `mlockall(CURRENT | FUTURE | ONFAULT)`: nothing we allocate is swapped out. Only
//!   when it cannot break later allocations, that is with `CAP_IPC_LOCK` or an
//!   unlimited `RLIMIT_MEMLOCK`: with `MCL_FUTURE` and a finite limit, the first large
//!   allocation (scrypt needs up to 1 GiB) would fail and abort the process.
//!
//! Nothing here is fatal: what cannot be done is reported in one warning line.

use rustix::mm::{mlockall, MlockAllFlags};
use rustix::process::{
    getrlimit, set_dumpable_behavior, setrlimit, DumpableBehavior, Resource, Rlimit,
};
use rustix::thread::{capabilities, CapabilitySet};

/// What could not be applied, for one warning line (empty: all applied).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub failures: Vec<String>,
}

impl Report {
    /// The warning to print, if anything failed.
    pub fn warning(&self) -> Option<String> {
        if self.failures.is_empty() {
            return None;
        }
        Some(format!(
            "Warning: {}; secrets in this process's memory are less protected.",
            self.failures.join("; ")
        ))
    }
}

/// Applies every hardening step and reports what failed.
pub fn apply() -> Report {
    let mut failures = Vec::new();
    if let Err(e) = set_dumpable_behavior(DumpableBehavior::NotDumpable) {
        failures.push(format!("cannot turn off core dumps (PR_SET_DUMPABLE: {e})"));
    }
    let no_core = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    if let Err(e) = setrlimit(Resource::Core, no_core) {
        failures.push(format!("cannot set RLIMIT_CORE to 0 ({e})"));
    }
    if let Err(why) = lock_memory() {
        failures.push(why);
    }
    Report { failures }
}

/// Whether `MCL_FUTURE` is safe: locked allocations can grow without limit.
fn may_lock_everything() -> bool {
    let privileged = capabilities(None)
        .map(|c| c.effective.contains(CapabilitySet::IPC_LOCK))
        .unwrap_or(false);
    privileged || getrlimit(Resource::Memlock).current.is_none()
}

fn lock_memory() -> Result<(), String> {
    if !may_lock_everything() {
        let limit = getrlimit(Resource::Memlock)
            .current
            .map_or_else(|| "unlimited".to_string(), |b| format!("{} KiB", b / 1024));
        return Err(format!(
            "memory is not locked against swapping (RLIMIT_MEMLOCK is {limit} and there is no \
             CAP_IPC_LOCK; run `ulimit -l unlimited` first, or turn swap off)"
        ));
    }
    let all = MlockAllFlags::CURRENT | MlockAllFlags::FUTURE;
    // MCL_ONFAULT (Linux 4.4) locks pages as they are touched instead of populating
    // every reserved mapping (thread stacks, allocator arenas) at once.
    mlockall(all | MlockAllFlags::ONFAULT)
        .or_else(|_| mlockall(all))
        .map_err(|e| format!("cannot lock memory against swapping (mlockall: {e})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warning_names_every_failure_on_one_line() {
        assert_eq!(Report::default().warning(), None);
        let r = Report {
            failures: vec!["a failed".into(), "b failed".into()],
        };
        let w = r.warning().unwrap_or_default();
        assert!(w.starts_with("Warning: a failed; b failed;"), "{w}");
        assert!(!w.contains('\n'));
    }
}
