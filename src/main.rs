#![forbid(unsafe_code)]
//! The `mpcegosign` command line: parses arguments, runs one command, and turns any
//! error into one readable line on stderr with a non-zero exit code.

mod cli;

fn main() {
    let args = <cli::Cli as clap::Parser>::parse();
    if let Err(e) = cli::run(args) {
        eprintln!("mpcegosign: {e}");
        std::process::exit(e.exit_code());
    }
}
