//! `csirt lookup-data`: the RIRs' delegations, for lookups of addresses no
//! team states.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Import the RIRs' public delegation statistics, so that a lookup of an
/// address or AS number that no team's constituency states answers with
/// its country's national team.
///
/// The files are the "delegated-extended" statistics each RIR publishes
/// (pipe-separated `registry|cc|type|start|value|date|status|opaque-id`),
/// e.g. https://ftp.ripe.net/pub/stats/ripencc/delegated-ripencc-extended-latest
/// and the same of ARIN, APNIC, LACNIC and AFRINIC. Importing a registry's
/// file again replaces what its earlier file gave. Without them, no country
/// is guessed from an address.
///
/// Examples:
///   csirt lookup-data import delegated-ripencc-extended-latest
///   csirt lookup-data import delegated-*-extended-latest --data /var/lib/csirt
///   csirt lookup-data status
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    action: Action,

    /// The data directory.
    #[arg(
        long,
        value_name = "DIR",
        env = "CSIRT_DATA",
        default_value = "index",
        global = true
    )]
    data: PathBuf,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Import RIR statistics files (one per registry).
    Import {
        /// The files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Say which registries are imported, with how many blocks each.
    Status,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.action {
        Action::Import { files } => {
            // Every file is read and checked before anything is written: a
            // wrong file among right ones changes nothing.
            let mut texts = Vec::new();
            for f in &files {
                let bytes =
                    std::fs::read(f).with_context(|| format!("cannot read {}", f.display()))?;
                let text = String::from_utf8_lossy(&bytes).into_owned();
                if let Err(e) = csirt_index::lookup::parse_delegations(&text) {
                    eprintln!(
                        "csirt: {} is not an RIR statistics file: {e}; nothing imported",
                        f.display()
                    );
                    return Ok(ExitCode::from(1));
                }
                texts.push((f, text));
            }
            for (f, text) in texts {
                let name = f.display().to_string();
                for (registry, n) in csirt_directory::import_delegations(&args.data, &name, &text)?
                {
                    println!("{registry}: {n} delegated blocks (from {name})");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::Status => {
            if !args.data.join("csirt.db").is_file() {
                println!("no data directory at {}", args.data.display());
                return Ok(ExitCode::SUCCESS);
            }
            let store = csirt_store::Store::open(&args.data).with_context(|| {
                format!("cannot open the data directory {}", args.data.display())
            })?;
            let regs = store.registries()?;
            if regs.is_empty() {
                println!("no RIR delegations imported: `csirt lookup-data import FILE`");
            }
            for (r, n) in regs {
                println!("{r}: {n} delegated blocks");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
