//! `mpcegosign completions SHELL` and `mpcegosign manpage`: generated from the
//! command definitions (clap_complete, clap_mangen), as rage does, so they never
//! drift from the real flags. The definitions come in as a `clap::Command` from the
//! dispatch (`Cli::command()`), so this module does not import the parser it is part of.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use clap_complete::Shell;
use mpcegosign::fsutil::{self, FileError, NewFile, PUBLIC_MODE};

use crate::cli::error::CliError;

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete for. Install e.g. with
    /// `mpcegosign completions bash > /etc/bash_completion.d/mpcegosign`.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl CompletionShell {
    fn shell(self) -> Shell {
        match self {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
        }
    }
}

fn stdout_error(e: &std::io::Error) -> CliError {
    CliError::new(format!("cannot write to standard output: {e}"))
}

/// Writes the completion script to stdout.
pub fn completions(args: CompletionsArgs, mut cmd: clap::Command) -> Result<(), CliError> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell.shell(), &mut cmd, "mpcegosign", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&out)
        .and_then(|()| stdout.flush())
        .map_err(|e| stdout_error(&e))
}

#[derive(Args, Debug)]
pub struct ManpageArgs {
    /// Write every page (mpcegosign.1, mpcegosign-sign.1, mpcegosign-share-backup.1, …)
    /// into DIR instead of the main page to stdout. Existing pages are not replaced.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

fn render(cmd: clap::Command) -> Result<Vec<u8>, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd)
        .render(&mut out)
        .map_err(|e| CliError::new(format!("cannot render the man page: {e}")))?;
    Ok(out)
}

/// The pages of a command and of all its subcommands, named as the SUBCOMMANDS
/// sections refer to them (`mpcegosign-share-backup`).
fn pages(cmd: &clap::Command, name: &str, out: &mut Vec<(String, clap::Command)>) {
    let page = cmd.clone().name(name.to_string());
    out.push((name.to_string(), page));
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        pages(sub, &format!("{name}-{}", sub.get_name()), out);
    }
}

/// Writes the man page (roff, section 1) to stdout: `mpcegosign manpage > mpcegosign.1`,
/// or every page into `--out-dir`.
pub fn manpage(args: ManpageArgs, mut cmd: clap::Command) -> Result<(), CliError> {
    cmd.build();
    let Some(dir) = args.out_dir else {
        let out = render(cmd)?;
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(&out)
            .and_then(|()| stdout.flush())
            .map_err(|e| stdout_error(&e));
    };
    let mut all = Vec::new();
    pages(&cmd, "mpcegosign", &mut all);
    let mut rendered = Vec::new();
    for (name, page) in all {
        rendered.push((dir.join(format!("{name}.1")), render(page)?));
    }
    let files: Vec<NewFile<'_>> = rendered
        .iter()
        .map(|(path, bytes)| NewFile {
            path,
            bytes,
            mode: PUBLIC_MODE,
        })
        .collect();
    fsutil::write_all_new(&files, false).map_err(|e| match e {
        FileError::Exists(p) => CliError::new(format!(
            "{} already exists; choose an empty --out-dir (no page was written)",
            p.display()
        )),
        other => CliError::new(other.to_string()),
    })?;
    eprintln!("wrote {} man pages to {}", files.len(), dir.display());
    Ok(())
}
