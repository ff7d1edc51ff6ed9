#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
//! The `mpcegosign` command line: parses arguments, hardens the process, runs one
//! command, and turns any error into one readable line on stderr with a non-zero exit
//! code.

mod cli;

fn main() {
    let args = <cli::Cli as clap::Parser>::parse();
    // Before any secret is read: no core dumps, no same-user memory reads, no swap.
    let hardening = cli::io::harden::apply();
    // Ctrl-C, SIGTERM, SIGHUP: one line saying what was kept and removed, no temporary file left.
    if let Some(w) = cli::io::terminal::signals::install() {
        eprintln!("mpcegosign: {w}");
    }
    if args.command.handles_secrets() {
        if let Some(w) = hardening.warning() {
            eprintln!("mpcegosign: {w}");
        }
    }
    if let Err(e) = cli::run(args) {
        eprintln!("mpcegosign: {e}");
        std::process::exit(e.exit_code());
    }
}
