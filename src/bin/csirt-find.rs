//! `csirt-find QUERY`: the same as `csirt find QUERY`, for the question
//! people type most: who do I call?

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser;
use csirt::cmd::find;

/// Find the team to call (the same as `csirt find`).
#[derive(Parser)]
#[command(name = "csirt-find", version)]
struct Cli {
    #[command(flatten)]
    args: find::Args,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match find::run(cli.args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("csirt-find: {e:#}");
            ExitCode::from(2)
        }
    }
}
