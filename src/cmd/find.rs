//! `csirt find` (also the `csirt-find` binary): who do I call?

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use csirt_index::{Hit, Index, StaleAfter, When};
use serde_json::Value;

use super::OutputFormat;

/// Find the team to call.
///
/// Query language:
///   free words              ransomware Luxembourg
///   field: words            constituency: universities Quebec
///                           (scopes the words after it, until the next field)
///   fields                  name constituency mission sponsor authority
///                           services email phone country key lang text
///   filters                 signed:yes|no|bad  stale:yes|no  country:LU
///                           updated:>2023-01-01  updated:<2020  updated:2024-05
///                           (stale: a Date of Last Update --stale-after ago or
///                           more, or none; judged today, not when indexed)
///   "quoted phrase"         words together, in order
///   -word                   exclude
///
/// Accents and case do not matter (Québec finds Quebec), words are stemmed
/// (universities finds university), and words of five letters or more
/// forgive one typo.
///
/// Exit status: 0 when teams were found, 1 when no team matches, 2 when the
/// query cannot be read (the message points at the offending word) or the
/// index cannot be opened.
///
/// Examples:
///   csirt-find "constituency: universities Quebec"
///   csirt-find "ransomware country:LU signed:yes"
///   csirt-find --format json "email:cert@example.org" | jq .record.contact
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The query (several arguments are joined with spaces).
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,

    /// The data directory (its search index is in DIR/search).
    #[arg(long, value_name = "DIR", env = "CSIRT_DATA", default_value = "index")]
    data: PathBuf,

    /// Hits to show.
    #[arg(long, value_name = "N", default_value_t = 10)]
    limit: usize,

    /// Hits to skip (for paging).
    #[arg(long, value_name = "N", default_value_t = 0)]
    offset: usize,

    /// A Date of Last Update this old or older is stale (`365`, `365d`,
    /// `52w`): for `stale:` and each hit; the same default as `csirt
    /// report` and the API.
    #[arg(long, value_name = "AGE", default_value_t = StaleAfter::DEFAULT)]
    stale_after: StaleAfter,

    /// Judge staleness as of this day (YYYY-MM-DD) instead of today.
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    at: Option<NaiveDate>,

    /// Output format: a readable list, or JSON Lines with the full record.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date of the form YYYY-MM-DD"))
}

/// Runs the query.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let q = args.query.join(" ");
    let dir = args.data.join("search");
    if !dir.join("meta.json").exists() {
        eprintln!(
            "csirt: no search index in {}: run `csirt crawl` (or `csirt index`) first",
            args.data.display()
        );
        return Ok(ExitCode::from(2));
    }
    let index = match Index::open(&dir) {
        Ok(i) => i,
        Err(e @ (csirt_index::Error::Outdated(_) | csirt_index::Error::Damaged(..))) => {
            eprintln!("csirt: {e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    let when = When {
        today: args.at.unwrap_or_else(|| chrono::Utc::now().date_naive()),
        stale_after: args.stale_after,
    };
    let results = match index.search(&q, args.limit.min(1000), args.offset, when) {
        Ok(r) => r,
        Err(csirt_index::Error::Query(e)) => {
            eprintln!(
                "csirt: cannot read the query: {}\n{}",
                e.message,
                e.pointer(&q)
            );
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e.into()),
    };
    if results.hits.is_empty() {
        eprintln!("no team matches {q:?}");
        return Ok(ExitCode::from(1));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (i, h) in results.hits.iter().enumerate() {
        match args.format {
            OutputFormat::Json => {
                let mut v = serde_json::to_value(h)?;
                v["record"] = serde_json::from_str(&h.record).unwrap_or(Value::Null);
                writeln!(out, "{v}")?;
            }
            OutputFormat::Text => write_hit(&mut out, args.offset + i + 1, h, when.today)?,
        }
    }
    if matches!(args.format, OutputFormat::Text) && results.total > args.offset + results.hits.len()
    {
        writeln!(
            out,
            "{} more: --offset {}",
            results.total - args.offset - results.hits.len(),
            args.offset + results.hits.len()
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn write_hit(out: &mut impl Write, n: usize, h: &Hit, today: NaiveDate) -> std::io::Result<()> {
    let rec: Value = serde_json::from_str(&h.record).unwrap_or(Value::Null);
    let mut title = h.name.clone();
    if !h.short_name.is_empty() && !h.name.contains(&h.short_name) {
        title.push_str(&format!(" ({})", h.short_name));
    }
    if !h.country.is_empty() {
        title.push_str(&format!(" — {}", h.country));
    }
    writeln!(out, "{n}. {title}")?;
    let list = |p: &str| -> Vec<String> {
        rec.pointer(p)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect()
    };
    let one = |p: &str| {
        rec.pointer(p)
            .and_then(Value::as_str)
            .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let mut reach = Vec::new();
    let emails = list("/contact/emails");
    if !emails.is_empty() {
        reach.push(format!("e-mail {}", emails.join(", ")));
    }
    let phones = list("/contact/phones");
    if !phones.is_empty() {
        reach.push(format!("phone {}", phones.join(", ")));
    }
    if let Some(tz) = one("/contact/time_zone") {
        reach.push(format!("time zone {}", clip(&tz, 40)));
    }
    if let Some(h) = one("/contact/operating_hours") {
        reach.push(format!("hours {}", clip(&h, 60)));
    }
    if !reach.is_empty() {
        writeln!(out, "   {}", reach.join(" · "))?;
    }
    let age = match h.updated {
        Some(d) => {
            let years = (today - d).num_days() / 365;
            let ago = match years {
                0 => "this year".to_string(),
                1 => "1 year ago".to_string(),
                y => format!("{y} years ago"),
            };
            format!("{d}, {ago}{}", if h.stale { " — stale" } else { "" })
        }
        None => "unknown — stale".into(),
    };
    let signature = h.outcome.map_or("not checked", |o| o.code());
    writeln!(out, "   updated {age} · signature: {signature}")?;
    writeln!(out, "   {}", h.url)?;
    if !h.snippet.is_empty() {
        writeln!(out, "   …{}…", h.snippet)?;
    }
    writeln!(out)
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}
