//! `csirt parse`: read documents and print their records.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use csirt_parse::{Options, Record, Severity};

use super::OutputFormat;

/// Parse RFC 2350 documents (text, Markdown, HTML, PDF) into records.
///
/// Prints one record per input. With `--format json`, one JSON object per
/// line (JSON Lines) with the fields documented in README.md; otherwise a
/// readable summary. Inputs that cannot be read are reported on stderr and
/// the rest are still parsed.
///
/// Exit status: 0 when every input was read (whatever the diagnostics say),
/// 1 when at least one input could not be read, 2 on a usage error.
///
/// Examples:
///   csirt parse rfc2350.pdf
///   csirt parse --format json docs/*.txt | jq .team.name
///   curl -s https://example.org/rfc2350.txt | csirt parse -
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Files to parse; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,

    /// Print the text the parser read (after PDF/HTML extraction) instead of
    /// the record: what a team sees is what we saw.
    #[arg(long)]
    show_text: bool,

    /// Reference date for the "date in the future" check (YYYY-MM-DD);
    /// defaults to today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    today: Option<NaiveDate>,
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date of the form YYYY-MM-DD"))
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for path in &args.files {
        let (source, bytes) = match read_input(path) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("csirt: {e:#}");
                failed = true;
                continue;
            }
        };
        let opts = Options {
            today: Some(today),
            hint: Some(source.clone()),
            ..Options::default()
        }
        .with_budget(csirt_parse::DEFAULT_BUDGET);
        if args.show_text {
            let ex = csirt_parse::extract_text(&bytes, &opts);
            writeln!(out, "{}", ex.text)?;
            continue;
        }
        let record = csirt_parse::parse(&bytes, &source, &opts);
        match args.format {
            OutputFormat::Json => {
                serde_json::to_writer(&mut out, &record)?;
                writeln!(out)?;
            }
            OutputFormat::Text => write_summary(&mut out, &record)?,
        }
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_input(path: &PathBuf) -> anyhow::Result<(String, Vec<u8>)> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .context("cannot read standard input")?;
        return Ok(("-".to_string(), buf));
    }
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok((path.display().to_string(), bytes))
}

fn write_summary(out: &mut impl Write, r: &Record) -> io::Result<()> {
    writeln!(
        out,
        "{} ({}{})",
        r.source,
        r.format.as_str(),
        r.language
            .as_deref()
            .map(|l| format!(", {l}"))
            .unwrap_or_default()
    )?;
    let name = match (&r.team.name, &r.team.short_name) {
        (Some(n), Some(s)) if n != s => format!("{n} ({s})"),
        (Some(n), _) => n.clone(),
        (None, Some(s)) => s.clone(),
        (None, None) => "-".into(),
    };
    field(out, "Team", &name)?;
    let updated = match (&r.document.last_update, &r.document.last_update_text) {
        (Some(d), Some(t)) if d != t => format!("{d} (written {t:?})"),
        (Some(d), _) => d.clone(),
        (None, Some(t)) => format!("unreadable: {t:?}"),
        (None, None) => "-".into(),
    };
    field(out, "Last update", &updated)?;
    field(out, "Locations", &list(&r.document.locations))?;
    field(out, "E-mail", &list(&r.contact.emails))?;
    field(out, "Telephone", &list(&r.contact.phones))?;
    field(
        out,
        "Time zone",
        r.contact.time_zone.as_deref().unwrap_or("-"),
    )?;
    let fprs: Vec<String> = r
        .keys
        .iter()
        .filter_map(|k| {
            k.fingerprint
                .clone()
                .or_else(|| k.key_id.clone().map(|id| format!("key ID {id}")))
        })
        .collect();
    field(out, "Keys", &list(&fprs))?;
    let constituency = r
        .charter
        .constituency
        .as_deref()
        .map(|c| c.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "-".into());
    field(out, "Constituency", &shorten(&constituency, 200))?;
    writeln!(
        out,
        "  {:<13} {} found, {} recognised",
        "Sections",
        r.sections.len(),
        r.sections.iter().filter(|s| s.field.is_some()).count()
    )?;
    for d in &r.diagnostics {
        let sev = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Notice => "notice",
        };
        let at = d.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        writeln!(out, "  {sev}[{}]: {}{at}", d.code.as_str(), d.message)?;
    }
    writeln!(out)
}

fn field(out: &mut impl Write, label: &str, value: &str) -> io::Result<()> {
    writeln!(out, "  {label:<13} {value}")
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
