//! `mpcegosign demo`: a whole 2-of-3 keygen and signing on this machine, with a fresh
//! throwaway key and a sample SIGSTRUCT, no EGo needed. It drives the real ceremony
//! state machines in this one process and passes every message as the text a party
//! would paste (`screen`), showing each party's screen in turn: `keygen` (the keygen)
//! and `sign` (the signing, its check, and the comparison with a one-key signature).
//! Its files (the SIGSTRUCTs, public.pem, the chat's lines; never a share) go to a
//! temporary directory removed at the end, or to `--keep DIR`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::cli::error::CliError;
use crate::cli::io::terminal::signals::{self, OnInterrupt};
use screen::{Chat, Pace, Screen};

mod keygen;
mod screen;
mod sign;

/// Watch a whole 2-of-3 keygen and signing on this machine (a throwaway key, no EGo).
///
/// Runs the real keygen and signing ceremonies of three parties in this process on a
/// fresh throwaway key and a sample SIGSTRUCT, showing each party's screen in turn and
/// every message as the text a party would paste; ends with the signature checked.
/// Touches no share and no audit log. See docs/demo.md.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Wait for Enter before each screen.
    #[arg(long)]
    pub step: bool,
    /// Show the message lines whole (by default they are shortened).
    #[arg(long)]
    pub full: bool,
    /// Keep the demo's files (sample SIGSTRUCT, signed SIGSTRUCT, public.pem, the chat
    /// lines; no share) in DIR, a new or empty directory. Default: a temporary
    /// directory, removed at the end.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// Where the demo's files go.
enum Workspace {
    /// Removed when dropped, and by the signal watcher on Ctrl-C.
    Temp(tempfile::TempDir, OnInterrupt),
    Keep(PathBuf),
}

impl Workspace {
    fn open(keep: Option<&Path>) -> Result<Self, CliError> {
        let Some(dir) = keep else {
            let temp = tempfile::Builder::new()
                .prefix("mpcegosign-demo-")
                .tempdir()
                .map_err(|e| {
                    CliError::new(format!("demo: cannot make a temporary directory: {e}"))
                })?;
            let path = temp.path().to_path_buf();
            let hook = signals::on_interrupt(move || {
                let _ = std::fs::remove_dir_all(&path);
            });
            return Ok(Workspace::Temp(temp, hook));
        };
        match std::fs::read_dir(dir) {
            Ok(mut entries) => {
                if entries.next().is_some() {
                    return Err(CliError::new(format!(
                        "--keep {}: the directory is not empty; name a new or empty directory (the demo never writes over files)",
                        dir.display()
                    )));
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => std::fs::create_dir_all(dir)
                .map_err(|e| crate::cli::error::io_error("create", dir, &e))?,
            Err(e) => return Err(crate::cli::error::io_error("open", dir, &e)),
        }
        Ok(Workspace::Keep(dir.to_path_buf()))
    }

    fn path(&self) -> &Path {
        match self {
            Workspace::Temp(t, _) => t.path(),
            Workspace::Keep(p) => p,
        }
    }
}

pub fn run(args: DemoArgs) -> Result<(), CliError> {
    let workspace = Workspace::open(args.keep.as_deref())?;
    let mut screen = Screen::new(Pace::choose(args.step), args.full);
    let mut chat = Chat::default();
    intro(&mut screen)?;
    let keyed = keygen::run(&mut screen, &mut chat)?;
    sign::run(&mut screen, &mut chat, &keyed, workspace.path())?;
    let pem = keyed.whole_key.public().to_pem();
    // The whole key and the shares are wiped now; only public things remain.
    drop(keyed);
    write_rest(workspace.path(), &chat, &pem)?;
    outro(&mut screen, &workspace)?;
    if let Workspace::Temp(temp, hook) = workspace {
        drop(hook);
        let path = temp.path().to_path_buf();
        temp.close()
            .map_err(|e| crate::cli::error::io_error("remove the demo's directory", &path, &e))?;
    }
    Ok(())
}

/// The public key and the chat's lines, beside the SIGSTRUCTs.
fn write_rest(dir: &Path, chat: &Chat, pem: &str) -> Result<(), CliError> {
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.join(name);
        mpcegosign::fsutil::write_new(&path, bytes, 0o644, false)
            .map_err(|e| CliError::new(format!("demo: cannot write {}: {e}", path.display())))
    };
    write("public.pem", pem.as_bytes())?;
    write("messages.txt", chat.transcript().as_bytes())
}

fn intro(screen: &mut Screen) -> Result<(), CliError> {
    screen.line("mpcegosign demo: a whole 2-of-3 keygen and signing, on this machine.")?;
    screen.line(
        "Three parties: Alice (party 1), Bob (party 2) and Carol (party 3). In real life each",
    )?;
    screen.line(
        "is a person at their own machine, and messages travel through a group chat (or as",
    )?;
    screen.line(
        "QR codes). Here each party's screen is shown in turn, and every message is the text",
    )?;
    screen.line(
        "the tool prints and the next party pastes (shortened on screen; --full shows it all).",
    )?;
    screen.line("The key is a fresh throwaway key; no share, audit log or EGo is touched.")
}

fn outro(screen: &mut Screen, workspace: &Workspace) -> Result<(), CliError> {
    screen.title("How to run the real thing")?;
    for line in [
        "Each party on its own machine (air-gapped if you can), with the same mpcegosign build:",
        "  keygen, the dealer:      mpcegosign keygen --parties 3 --threshold 2 [--out-dir DIR]",
        "  keygen, each joiner:     mpcegosign keygen [--out-dir DIR]",
        "  sign, the initiator:     mpcegosign sign --config enclave.json --share share_1.json.age [--signers 1,2]",
        "  sign, each signer:       mpcegosign sign --share share_N.json.age",
        "Compare fingerprints and the key code by voice or in person; compare MRENCLAVE with",
        "your own build before you sign. The runbook: docs/ceremony.md; over QR codes between",
        "air-gapped machines: docs/airgap.md. The real keygen defaults to the shoup3 scheme",
        "(this demo uses subsets: a fresh safe-prime key takes seconds to a minute; docs/demo.md).",
    ] {
        screen.line(line)?;
    }
    match workspace {
        Workspace::Keep(dir) => screen.line(&format!(
            "The demo's files are in {}: {}, {}, public.pem, messages.txt (no share).",
            dir.display(),
            sign::UNSIGNED_FILE,
            sign::SIGNED_FILE
        )),
        Workspace::Temp(..) => screen.line(
            "The demo's files were in a temporary directory, now removed (--keep DIR keeps them).",
        ),
    }
}
