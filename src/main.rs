//! `csirt`: the command line over the csirt libraries.
//!
//! This binary only parses arguments, reads files and prints; the work is
//! done in the crates under `crates/`.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use csirt::{cmd, pdf_child};

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
    LookupData(cmd::lookup_data::Args),
    Seeds(cmd::seeds::Args),
    Serve(cmd::serve::Args),
    Completions(cmd::docs::CompletionsArgs),
    Man(cmd::docs::ManArgs),
}

fn main() -> ExitCode {
    quiet_contained_panics();
    raise_open_file_limit();
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
        Command::LookupData(args) => cmd::lookup_data::run(args),
        Command::Seeds(args) => cmd::seeds::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Completions(args) => cmd::docs::completions(args, Cli::command()),
        Command::Man(args) => cmd::docs::man(args, Cli::command()),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("csirt: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// A crawl of the whole directory keeps a connection to each of about
/// 1,500 hosts while their teams are in progress, more than the soft limit
/// of 1,024 open files many systems start a process with. The hard limit is
/// the system's real bound, so the soft one is raised to it (as Go programs
/// do); where that fails, the limit stays and the crawl reports failed
/// connections.
fn raise_open_file_limit() {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    // `None` is unlimited: nothing to raise to, or nothing to raise.
    if let (Some(soft), Some(hard)) = (limit.current, limit.maximum) {
        if soft < hard {
            limit.current = Some(hard);
            let _ = setrlimit(Resource::Nofile, limit);
        }
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
