//! `csirt lint`: the report's findings for one document, before it is
//! published.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use csirt_crawl::Url;
use csirt_report::{CrawlFacts, Finding, Options, Severity, Subject};
use csirt_verify::{KeySource, Keyring};
use serde::Serialize;

use super::verify::parse_at;

use super::OutputFormat;

/// Check one RFC 2350 document the way the directory will: what a team
/// runs on its own template before publishing it.
///
/// FILE is read from disk; a URL (http or https) is fetched politely, with
/// the signature it states (or URL.asc / URL.sig) and the key URL of its
/// section 2.8. A local FILE uses --sig, else a clear-signed text, else
/// FILE.asc or FILE.sig beside it.
///
/// Findings carry the line of the document's text they concern (for a
/// clear-signed document, the line within the signed text), the same
/// stable codes as `csirt report`, and the fix in one sentence.
///
/// Exit status: 0 when there is no error finding (warnings and notices
/// allowed); 1 when there is at least one; 2 when the command failed.
///
/// Examples:
///   csirt lint rfc2350.txt
///   csirt lint rfc2350.pdf --sig rfc2350.pdf.asc --keyring team-key.asc
///   csirt lint https://www.example.org/csirt/rfc2350.txt --format json
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The document: a path, or an http(s) URL.
    #[arg(value_name = "FILE|URL")]
    document: String,

    /// A detached signature over the document (a path, or a URL when the
    /// document is a URL).
    #[arg(long, value_name = "SIG")]
    sig: Option<String>,

    /// A certificate file or a folder of them; may be repeated.
    #[arg(long, value_name = "PATH")]
    keyring: Vec<PathBuf>,

    /// Judge at this time (YYYY-MM-DD or RFC 3339) instead of now.
    #[arg(long, value_name = "DATE", value_parser = parse_at)]
    at: Option<DateTime<Utc>>,

    /// A Date of Last Update this old or older is stale (`365`, `365d`,
    /// `52w`).
    #[arg(long, value_name = "AGE", default_value_t = csirt_report::StaleAfter::DEFAULT)]
    stale_after: csirt_report::StaleAfter,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,

    /// Allow fetching from loopback and private addresses (intranets, tests).
    #[arg(long)]
    allow_private: bool,

    /// Time allowed for each request.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = super::crawl::parse_duration)]
    timeout: std::time::Duration,
}

/// The bytes to check and where they came from.
struct Fetched {
    doc: Vec<u8>,
    sig: Option<(String, Vec<u8>)>,
    keys: Keyring,
    over_http: bool,
    unreachable: Option<String>,
}

#[derive(Serialize)]
struct Output<'a> {
    source: &'a str,
    signature: Option<&'a str>,
    outcome: Option<csirt_verify::Outcome>,
    errors: usize,
    warnings: usize,
    notices: usize,
    findings: &'a [Finding],
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let at = args.at.unwrap_or_else(Utc::now);
    let is_url = args.document.starts_with("http://") || args.document.starts_with("https://");
    let mut fetched = if is_url {
        fetch(&args, at)?
    } else {
        read_local(&args)?
    };
    for p in &args.keyring {
        fetched
            .keys
            .add_path(p)
            .with_context(|| format!("cannot read keyring {}", p.display()))?;
    }
    let mut subject = Subject {
        team: String::new(),
        url: args.document.clone(),
        fetched_over_http: fetched.over_http,
        ..Subject::default()
    };
    let mut outcome = None;
    if let Some(why) = &fetched.unreachable {
        subject.crawl = Some(CrawlFacts {
            failing: Some((at.format("%Y-%m-%d %H:%M UTC").to_string(), why.clone())),
            never_fetched: true,
            ..CrawlFacts::default()
        });
    } else {
        let sig = fetched.sig.as_ref().map(|(_, b)| &b[..]);
        let c = csirt_check::check(&fetched.doc, sig, &args.document, &fetched.keys, at);
        outcome = Some(c.report.outcome);
        subject.verification = Some(c.verification(&fetched.keys));
        subject.team = c
            .record
            .team
            .name
            .clone()
            .unwrap_or_else(|| args.document.clone());
        subject.record = Some(c.record);
    }
    let mut opts = Options::at(at);
    opts.stale_after = args.stale_after;
    opts.layout_notices = true;
    let mut findings = csirt_report::findings(&subject, &opts);
    // A team reads its findings top to bottom, like compiler messages.
    csirt_report::sort(&mut findings);
    findings.sort_by_key(|f| {
        (
            std::cmp::Reverse(f.code == csirt_report::FindingCode::PrivateKeyPublished),
            f.line.is_none(),
            f.line,
        )
    });
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    let out = Output {
        source: &args.document,
        signature: fetched.sig.as_ref().map(|(s, _)| s.as_str()),
        outcome,
        errors: count(Severity::Error),
        warnings: count(Severity::Warning),
        notices: count(Severity::Notice),
        findings: &findings,
    };
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    let written = match args.format {
        OutputFormat::Json => serde_json::to_writer(&mut w, &out)
            .map_err(io::Error::from)
            .and_then(|_| writeln!(w)),
        OutputFormat::Text => text(&mut w, &out),
    };
    match written.and_then(|_| w.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        r => r.context("cannot write the findings")?,
    }
    Ok(if out.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn text(w: &mut dyn Write, o: &Output<'_>) -> io::Result<()> {
    for f in o.findings {
        let at = match f.line {
            Some(l) => format!("{}:{l}", o.source),
            None => o.source.to_string(),
        };
        writeln!(
            w,
            "{at}: {}[{}]: {}",
            csirt_report::render::severity(f.severity),
            f.code,
            f.message
        )?;
        if !f.evidence.is_empty() {
            writeln!(w, "    evidence: {}", f.evidence)?;
        }
        writeln!(w, "    fix: {}", f.fix)?;
    }
    let sig = o
        .signature
        .map(|s| format!(" (signature {s})"))
        .unwrap_or_default();
    writeln!(
        w,
        "{}: {} errors, {} warnings, {} notices; signature: {}{sig}",
        o.source,
        o.errors,
        o.warnings,
        o.notices,
        o.outcome.map_or("not checked", |o| o.code())
    )
}

fn read_local(args: &Args) -> anyhow::Result<Fetched> {
    let path = PathBuf::from(&args.document);
    let doc = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let sig_path = match &args.sig {
        Some(s) => Some(PathBuf::from(s)),
        None if csirt_verify::cleartext::is_clearsigned(&doc) => None,
        None => super::verify::beside(&path),
    };
    let sig = match sig_path {
        Some(p) => Some((
            p.display().to_string(),
            std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?,
        )),
        None => None,
    };
    Ok(Fetched {
        doc,
        sig,
        keys: Keyring::new(),
        over_http: false,
        unreachable: None,
    })
}

/// Fetches the document, its signature and its stated keys the way the
/// crawler does (robots.txt, address policy, size and time limits).
fn fetch(args: &Args, at: DateTime<Utc>) -> anyhow::Result<Fetched> {
    let url =
        Url::parse(&args.document).with_context(|| format!("{} is not a URL", args.document))?;
    let config = csirt_crawl::Config {
        allow_private: args.allow_private,
        timeout: args.timeout,
        tries: 2,
        ..csirt_crawl::Config::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async {
        let fetcher = csirt_crawl::Fetcher::new(config, Arc::new(csirt_crawl::Progress::default()))
            .map_err(|e| anyhow::anyhow!("cannot start the HTTP client: {e}"))?;
        let doc = match fetcher.get(&url, None, None).await.result {
            Ok(f) => f.body.unwrap_or_default(),
            Err(e) => {
                return Ok(Fetched {
                    doc: Vec::new(),
                    sig: None,
                    keys: Keyring::new(),
                    over_http: true,
                    unreachable: Some(format!("{}: {e}", e.reason())),
                })
            }
        };
        let record = csirt_check::prepare(&doc, true, url.as_str(), at);
        let stated = csirt_crawl::stated_urls(record.record(), &url);
        let mut sig = None;
        if !csirt_verify::cleartext::is_clearsigned(&doc) {
            let mut candidates: Vec<Url> = match &args.sig {
                Some(s) => vec![url.join(s).with_context(|| format!("{s} is not a URL"))?],
                None => stated.signatures.clone(),
            };
            if args.sig.is_none() {
                for ext in ["asc", "sig"] {
                    candidates.extend(Url::parse(&format!("{url}.{ext}")).ok());
                }
            }
            for u in candidates {
                if let Ok(f) = fetcher.get(&u, None, None).await.result {
                    sig = Some((u.to_string(), f.body.unwrap_or_default()));
                    break;
                } else if args.sig.is_some() {
                    anyhow::bail!("cannot fetch the signature {u}");
                }
            }
        }
        let mut keys = Keyring::new();
        for k in stated.keys.iter().take(3) {
            match fetcher.get(k, None, None).await.result {
                Ok(f) => {
                    keys.add_bytes(&f.body.unwrap_or_default(), KeySource::Bytes(k.to_string()));
                }
                Err(e) => keys.problems.push(csirt_verify::LoadProblem {
                    source: k.to_string(),
                    message: format!("cannot fetch it: {e}"),
                    unsupported: false,
                }),
            }
        }
        Ok(Fetched {
            doc,
            sig,
            keys,
            over_http: true,
            unreachable: None,
        })
    })
}
