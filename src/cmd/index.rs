//! `csirt index`: rebuild the search index from the store.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Rebuild the search index from the latest stored version of every team's
/// document.
///
/// Every crawl updates the index team by team; run this after upgrading
/// csirt, or when a crawl says the index could not follow it. An index of
/// another version, or a damaged one, is replaced. Searches running
/// meanwhile see the old index until the new one is committed.
///
/// Examples:
///   csirt index
///   csirt index --data /var/lib/csirt
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The data directory.
    #[arg(long, value_name = "DIR", env = "CSIRT_DATA", default_value = "index")]
    data: PathBuf,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if !args.data.join("csirt.db").is_file() {
        anyhow::bail!(
            "no crawl data in {}: run `csirt crawl --data {}` first",
            args.data.display(),
            args.data.display()
        );
    }
    let n = csirt_directory::rebuild(&args.data)
        .with_context(|| format!("cannot rebuild the search index of {}", args.data.display()))?;
    println!(
        "indexed {n} teams in {}",
        csirt_directory::search_dir(&args.data).display()
    );
    Ok(ExitCode::SUCCESS)
}
