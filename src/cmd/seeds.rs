//! `csirt seeds import`: grow the seed list from the public directories.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use csirt_import::Directory;

use super::OutputFormat;

/// Grow the seed list from the public team directories.
///
/// The directories list teams with their websites, e-mail addresses,
/// countries and keys, but not their RFC 2350 documents: an imported team
/// gets its website, and each crawl finds its document there (security.txt,
/// the homepage's links, the usual paths).
///
/// Re-importing updates and never duplicates: a team is its website's
/// registrable domain plus its short name (case, spaces and punctuation
/// aside), and when two directories list one team it is one team with both
/// provenances. Teams written by hand and comments are left as they are;
/// the seed file is replaced whole, written beside and renamed.
///
/// A file that is not of the format named is refused with the position
/// and the reason, and nothing is written; an entry without a name, or
/// without any website or e-mail address, is skipped with a warning.
///
/// Exit status: 0 when the seed file was written (or would be, with
/// --dry-run), 1 when the directory file was refused or could not be
/// fetched, 2 on a usage error.
///
/// Examples:
///   csirt seeds import --from ti teams.json
///   csirt seeds import --from first https://api.first.org/data/v1/teams?limit=500
///   csirt seeds import --from enisa tool_data.json --into seeds/teams.toml
///   csirt seeds import --from csv our-teams.csv --dry-run
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Import a directory file or URL into the seed file.
    Import(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The directory's format: ti (Trusted Introducer teams.json), first
    /// (the FIRST API's team list, its pages followed for a URL), enisa
    /// (tool_data.json), csv (name,website,email,country).
    #[arg(long, value_name = "DIRECTORY")]
    from: Directory,

    /// The file, or an http(s) URL fetched the way the crawler fetches.
    #[arg(value_name = "FILE-OR-URL")]
    source: String,

    /// The seed file to merge into (created if missing).
    #[arg(long, value_name = "FILE", default_value = "seeds/teams.toml")]
    into: PathBuf,

    /// Say what would change; write nothing.
    #[arg(long)]
    dry_run: bool,

    /// Fetch from loopback and private addresses (tests, intranets).
    #[arg(long)]
    allow_private: bool,

    /// Summary format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Action::Import(a) = args.action;
    let pages = match fetch_all(&a) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("csirt: {e:#}; nothing written");
            return Ok(ExitCode::from(1));
        }
    };
    let mut teams = Vec::new();
    let mut skipped = Vec::new();
    for (where_, bytes) in &pages {
        match csirt_import::read(a.from, bytes) {
            Ok(r) => {
                teams.extend(r.teams);
                skipped.extend(r.skipped);
            }
            Err(e) => {
                eprintln!(
                    "csirt: {where_} is not {} data: {e}; nothing written",
                    a.from.code()
                );
                return Ok(ExitCode::from(1));
            }
        }
    }
    for s in &skipped {
        eprintln!(
            "csirt: skipped {}{}: {}",
            s.position,
            s.name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            s.reason
        );
    }
    let old = match std::fs::read_to_string(&a.into) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", a.into.display())),
    };
    let today = chrono::Utc::now().date_naive().to_string();
    let listed = teams.len();
    let (text, merged) = match csirt_import::merge(&old, teams, a.from, &today) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "csirt: {} cannot be edited: {e}; nothing written",
                a.into.display()
            );
            return Ok(ExitCode::from(1));
        }
    };
    // The result must read back as a seed list before it replaces the old.
    let base = a.into.parent().unwrap_or(std::path::Path::new("."));
    if let Err(e) = csirt_crawl::seeds::parse_toml(&text, &a.into.display().to_string(), base) {
        anyhow::bail!("the merged seed file would not read back ({e}); nothing written");
    }
    if !a.dry_run {
        csirt_import::replace_file(&a.into, &text)?;
    }
    for w in &merged.ambiguous {
        eprintln!("csirt: ambiguous: {w}");
    }
    match a.format {
        OutputFormat::Json => println!(
            "{}",
            serde_json::json!({
                "directory": a.from.code(), "listed": listed, "skipped": skipped.len(),
                "added": merged.added, "updated": merged.updated,
                "by_hand": merged.by_hand, "ambiguous": merged.ambiguous,
                "written": !a.dry_run, "into": a.into,
            })
        ),
        OutputFormat::Text => println!(
            "{}: {listed} teams listed, {} skipped; {} added, {} updated, {} listed by hand already, {} ambiguous{}",
            a.from.code(),
            skipped.len(),
            merged.added.len(),
            merged.updated.len(),
            merged.by_hand.len(),
            merged.ambiguous.len(),
            if a.dry_run {
                " (dry run: nothing written)".to_string()
            } else {
                format!(" -> {}", a.into.display())
            }
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The directory's bytes: the file, or the URL's pages.
fn fetch_all(a: &ImportArgs) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let url = csirt_crawl::Url::parse(&a.source)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"));
    let Some(mut url) = url else {
        let bytes =
            std::fs::read(&a.source).with_context(|| format!("cannot read {}", a.source))?;
        return Ok(vec![(a.source.clone(), bytes)]);
    };
    let config = csirt_crawl::Config {
        allow_private: a.allow_private,
        max_bytes: 64 << 20,
        ..csirt_crawl::Config::default()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let fetcher = csirt_crawl::Fetcher::new(config, Arc::new(csirt_crawl::Progress::default()))?;
    let mut pages = Vec::new();
    // FIRST answers in pages; the envelope says where the next one starts.
    for _ in 0..1000 {
        let got = runtime.block_on(fetcher.get(&url, None, None));
        let body = got
            .result
            .with_context(|| format!("cannot fetch {url}"))?
            .body
            .unwrap_or_default();
        let next = (a.from == Directory::First)
            .then(|| csirt_import::read(a.from, &body).ok()?.page)
            .flatten()
            .and_then(|(total, offset, count)| {
                (count > 0 && offset + count < total).then_some((offset + count, count))
            });
        pages.push((url.to_string(), body));
        let Some((offset, limit)) = next else {
            break;
        };
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| k != "offset" && k != "limit")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("offset", &offset.to_string())
            .append_pair("limit", &limit.to_string());
    }
    Ok(pages)
}
