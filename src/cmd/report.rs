//! `csirt report`: which teams to chase, from what the crawls stored.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use clap::ValueEnum;
use csirt_report::render::Format;
use csirt_report::{Options, Report, Severity, StaleAfter};
use csirt_store::Store;

use super::verify::parse_at;

/// Report teams whose descriptions are unsigned, badly signed, stale,
/// unreachable or incomplete.
///
/// Reads the data directory a crawl filled and prints one finding per
/// problem, each with a stable code, a severity (error, warning, notice),
/// the evidence and the fix in one sentence: signature outcomes (unsigned,
/// bad-signature, unknown-key, ...), keys (private-key-published first in
/// every report, weak-key, key-expires-soon, fingerprint-mismatch),
/// staleness (stale, no-last-update, future-date, modified-but-unchanged),
/// reachability (unreachable, not-rfc2350), content (missing-section,
/// no-email, no-fingerprint, location-mismatch) and changes since the
/// previous crawl (new-team, new-version, outcome-changed). A summary comes
/// first: teams, signed valid, signed not valid, unsigned, stale,
/// unreachable.
///
/// Formats: table (the default), json, csv, markdown, and html: one
/// self-contained page with charts of update ages and signature outcomes.
/// With --output and no --format, the format follows the file's extension.
///
/// Exit status: 0 when the report was produced; with --fail-on, 1 when a
/// finding is at least that severe (for scheduled jobs); 2 on failure.
///
/// Examples:
///   csirt report
///   csirt report --unsigned --country LU
///   csirt report --stale --stale-after 730d --format csv --output stale.csv
///   csirt report --output report.html
///   csirt report --fail-on error --format json
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The data directory.
    #[arg(long, value_name = "DIR", env = "CSIRT_DATA", default_value = "index")]
    data: PathBuf,

    /// Only teams without a valid signature.
    #[arg(long)]
    unsigned: bool,

    /// Only teams whose document is stale (or states no readable date).
    #[arg(long)]
    stale: bool,

    /// A Date of Last Update this old or older is stale (`365`, `365d`,
    /// `52w`); the same default as `csirt-find` and the API.
    #[arg(long, value_name = "AGE", default_value_t = StaleAfter::DEFAULT)]
    stale_after: StaleAfter,

    /// Only teams of this country (ISO 3166-1 code from the seed list); may
    /// be repeated.
    #[arg(long, value_name = "CC")]
    country: Vec<String>,

    /// Report changes (new teams, new versions, changed outcomes) since
    /// this date instead of since the start of the latest crawl.
    #[arg(long, value_name = "DATE", value_parser = parse_at)]
    since: Option<DateTime<Utc>>,

    /// Judge at this time (YYYY-MM-DD or RFC 3339) instead of now.
    #[arg(long, value_name = "DATE", value_parser = parse_at)]
    at: Option<DateTime<Utc>>,

    /// Output format: table, json, csv, markdown or html [default: table,
    /// or from --output's extension].
    #[arg(long, value_name = "FORMAT")]
    format: Option<Format>,

    /// Write the report to FILE (atomically) instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Exit with status 1 when a finding is at least this severe.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    fail_on: Option<FailOn>,
}

#[derive(Clone, Copy, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Notice,
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
    let store = Store::open(&args.data)
        .with_context(|| format!("cannot open the data directory {}", args.data.display()))?;
    let gathered = csirt_report::gather(&store, args.since).context("cannot read the store")?;
    if gathered.unreadable > 0 {
        eprintln!(
            "csirt: {} stored results could not be read back (written by another csirt version?); run `csirt crawl` to check them again",
            gathered.unreadable
        );
    }
    let mut opts = Options::at(args.at.unwrap_or_else(Utc::now));
    opts.stale_after = args.stale_after;
    let countries: Vec<String> = args.country.iter().map(|c| c.to_uppercase()).collect();
    let report = Report::build(&gathered.subjects, &opts, |t| {
        (!args.unsigned || !t.outcome.is_some_and(|o| o.is_valid()))
            && (!args.stale || t.stale)
            && (countries.is_empty()
                || t.country
                    .as_deref()
                    .is_some_and(|c| countries.iter().any(|k| k.eq_ignore_ascii_case(c))))
    });
    let format = match (args.format, &args.output) {
        (Some(f), _) => f,
        (None, Some(p)) => Format::of_path(p),
        (None, None) => Format::Table,
    };
    match &args.output {
        Some(path) => write_atomically(path, |w| csirt_report::render::write(&report, format, w))?,
        None => {
            let stdout = io::stdout();
            let mut w = io::BufWriter::new(stdout.lock());
            match csirt_report::render::write(&report, format, &mut w).and_then(|_| w.flush()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::SUCCESS),
                r => r.context("cannot write the report")?,
            }
        }
    }
    if args.output.is_some() || !io::stdout().is_terminal() {
        let s = &report.summary;
        eprintln!(
            "csirt: {} teams: {} errors, {} warnings, {} notices{}",
            s.teams,
            s.errors,
            s.warnings,
            s.notices,
            args.output
                .as_ref()
                .map(|p| format!("; written to {}", p.display()))
                .unwrap_or_default()
        );
    }
    let level = args.fail_on.map(|f| match f {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Notice => Severity::Notice,
    });
    Ok(match level {
        Some(l) if report.has_at_least(l) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// Writes to a temporary file beside `path`, then renames it over `path`:
/// a reader (a web server publishing the report) never sees half a file.
pub fn write_atomically(
    path: &Path,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| -> io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let mut w = io::BufWriter::new(file);
        f(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}
