//! `csirt`: the command line over the csirt libraries.
//!
//! This binary only parses arguments, reads files and prints; the work is
//! done in the crates under `crates/`.

mod cmd;
mod pdf_child;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// A searchable, verified and current directory of CSIRTs, read from the
/// RFC 2350 descriptions the teams publish.
#[derive(Parser)]
#[command(name = "csirt", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Parse(cmd::parse::Args),
    Verify(cmd::verify::Args),
    Crawl(cmd::crawl::Args),
    Index(cmd::index::Args),
    Find(cmd::find::Args),
    Report(cmd::report::Args),
    Lint(cmd::lint::Args),
    Serve(cmd::serve::Args),
}

fn main() -> ExitCode {
    no_library_backtraces();
    quiet_contained_panics();
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == pdf_child::ARG)
    {
        return pdf_child::child_main();
    }
    pdf_child::install();
    // Logs go to stderr; RUST_LOG=csirt_crawl=debug shows every request.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => cmd::parse::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Crawl(args) => cmd::crawl::run(args),
        Command::Index(args) => cmd::index::run(args),
        Command::Find(args) => cmd::find::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Lint(args) => cmd::lint::run(args),
        Command::Serve(args) => cmd::serve::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("csirt: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// sequoia and anyhow make errors as part of normal work (a packet that is
/// not what a parser tries first, a policy check that fails) and drop most
/// of them. With `RUST_BACKTRACE=1`, common in developers' shells, each one
/// captured a backtrace: a crawl of 500 signed documents spent tens of
/// milliseconds of its last host turn walking stacks nobody reads.
/// `RUST_LIB_BACKTRACE=0` turns that off and leaves panic backtraces to
/// `RUST_BACKTRACE`; set `RUST_LIB_BACKTRACE=1` to get them back.
fn no_library_backtraces() {
    if std::env::var_os("RUST_LIB_BACKTRACE").is_none() {
        // Sound: nothing else runs yet (no threads read the environment).
        std::env::set_var("RUST_LIB_BACKTRACE", "0");
    }
}

/// The PDF library panics on some malformed files; the parser contains those
/// panics and reports `pdf-unreadable`, so their default message and
/// backtrace on stderr would only alarm the user. Every other panic is
/// reported as usual.
fn quiet_contained_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let contained = info
            .location()
            .is_some_and(|l| l.file().contains("pdf-extract") || l.file().contains("lopdf"));
        if !contained {
            default(info);
        }
    }));
}
