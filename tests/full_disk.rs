//! Keygen writes the share and public.pem as one unit: on a full disk, neither
//! appears (and no temporary file is left).
//!
//! The disk is real: a 4 KiB tmpfs mounted for the test (needs root, as in CI), which
//! holds the share but not public.pem as well. Where mounting is not permitted, the
//! dealer runs with `RLIMIT_FSIZE` of 1 KiB instead (SIGXFSZ ignored, so writes fail
//! with EFBIG), which fails the share's write.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::ceremony::joiner_args;
use support::party::Party;

/// A tiny tmpfs, unmounted on drop.
struct TinyDisk {
    path: PathBuf,
}

impl TinyDisk {
    fn mount(at: &Path) -> Option<TinyDisk> {
        std::fs::create_dir_all(at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=4k,mode=0700", "tmpfs"])
            .arg(at)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        ok.then(|| TinyDisk {
            path: at.to_path_buf(),
        })
    }
}

impl Drop for TinyDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[test]
fn a_full_disk_leaves_neither_the_share_nor_public_pem() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dealer");
    let disk = TinyDisk::mount(&out);
    let pass = tmp.path().join("pass");
    std::fs::write(&pass, "correct horse battery staple\n").unwrap();
    let envs = [("MPCEGOSIGN_SCRYPT_WORK_FACTOR", "10")];
    let dealer_args = [
        "keygen",
        "--scheme",
        "subsets",
        "--parties",
        "2",
        "--out-dir",
        out.to_str().unwrap(),
        "--yes",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ];
    let mut dealer = if disk.is_some() {
        eprintln!("full disk: a 4 KiB tmpfs");
        Party::spawn("dealer", &dealer_args, &envs)
    } else {
        eprintln!("full disk: cannot mount a tmpfs here; RLIMIT_FSIZE = 1 KiB instead");
        std::fs::create_dir_all(&out).unwrap();
        let script = format!(
            "trap '' XFSZ; ulimit -f 1; exec {} \"$@\"",
            support::party::BIN
        );
        let mut args = vec!["bash", "-c", &script, "bash"];
        args.extend_from_slice(&dealer_args);
        Party::spawn_program("dealer", &args, &envs)
    };
    let init = dealer.next_message();

    let joiner_dir = tmp.path().join("joiner");
    std::fs::create_dir_all(&joiner_dir).unwrap();
    let mut joiner = Party::spawn(
        "joiner",
        &joiner_args(
            joiner_dir.to_str().unwrap(),
            &["--passphrase-file", pass.to_str().unwrap()],
        ),
        &envs,
    );
    joiner.send_line(&init);
    let join = joiner.next_message();
    dealer.send_line(&join);
    let end = dealer.finish();
    eprintln!("{}", end.stderr.lines().last().unwrap_or_default());
    assert_eq!(end.status.code(), Some(1), "{}", end.stderr);
    let last = end.stderr.lines().last().unwrap_or_default();
    assert!(
        last.contains("neither the share nor public.pem was saved"),
        "{}",
        end.stderr
    );
    if disk.is_some() {
        assert!(last.contains("no space left on the device"), "{last}");
    }
    assert!(!end.stderr.contains("panicked"), "{}", end.stderr);
    // No FINALIZE went out: the dealer writes its own files first.
    assert!(
        end.stdout.iter().all(|l| !l.starts_with("mpcegosign2:")),
        "{:?}",
        end.stdout
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left behind on the full disk: {left:?}");
    let j = joiner.finish();
    assert_eq!(j.status.code(), Some(1), "{}", j.stderr);
    assert_eq!(std::fs::read_dir(&joiner_dir).unwrap().count(), 0);
    drop(disk);
}
