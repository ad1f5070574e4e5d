//! `csirt find` (also the `csirt-find` binary): who do I call?

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::NaiveDate;
use csirt_index::{Hit, Index, StaleAfter, When};
use serde_json::Value;

use super::OutputFormat;

/// Find the team to call: by what you hold (an address, a domain, an AS
/// number) or by words.
///
/// Lookups (the same as `ip:`, `domain:`, `asn:` in the query):
///   --ip 192.0.2.7          the team whose constituency holds the address
///   --domain mail.example.org   ... the domain (the longest suffix wins)
///   --asn 64500             ... the AS number
///   --country CA  --sector research-education   narrow, or answer alone
/// The most specific team comes first (longest prefix, longest domain
/// suffix, AS number, region, country), each saying why it answers ("3.2
/// states 192.0.2.0/24 (line 97)") and how to reach it. When no team
/// states the address, its country's national team answers: the country
/// from --country, the domain's ccTLD, or the RIRs' delegations (`csirt
/// lookup-data import`).
///
/// Query language:
///   free words              ransomware Luxembourg
///   field: words            constituency: universities Quebec
///                           (scopes the words after it, until the next field)
///   fields                  name constituency mission sponsor authority
///                           services email phone country key lang text
///   filters                 signed:yes|no|bad  stale:yes|no  country:LU
///                           updated:>2023-01-01  updated:<2020  updated:2024-05
///                           sector:research-education  region:Quebec
///                           (stale: a Date of Last Update --stale-after ago or
///                           more, or none; judged today, not when indexed)
///   "quoted phrase"         words together, in order
///   -word                   exclude
///
/// Accents and case do not matter (Québec finds Quebec), words are stemmed
/// (universities finds university), words of five letters or more forgive
/// one typo, and sector words of any language (universités, universitas,
/// Hochschulen) find the teams of that sector.
///
/// Sectors: national government research-education isp finance energy
/// health telecom military commercial vendor internal.
///
/// Exit status: 0 when teams were found, 1 when no team matches, 2 when the
/// query or an address, domain or AS number cannot be read (the message
/// points at it) or the index cannot be opened.
///
/// Examples:
///   csirt-find --ip 192.0.2.7
///   csirt-find --domain mail.xyz-univ.ca --format json
///   csirt-find "constituency: universities Quebec"
///   csirt-find "ransomware country:LU signed:yes"
///   csirt-find --format json "email:cert@example.org" | jq .record.contact
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The query (several arguments are joined with spaces).
    #[arg(value_name = "QUERY", required_unless_present_any = ["ip", "domain", "asn", "country", "sector"])]
    query: Vec<String>,

    /// Who is responsible for this IPv4 or IPv6 address?
    #[arg(long, value_name = "ADDR", value_parser = lookup_arg("ip"))]
    ip: Option<String>,

    /// Who is responsible for this domain or host name?
    #[arg(long, value_name = "DOMAIN", value_parser = lookup_arg("domain"))]
    domain: Option<String>,

    /// Who is responsible for this AS number (`64500`, `AS64500`)?
    #[arg(long, value_name = "ASN", value_parser = lookup_arg("asn"))]
    asn: Option<String>,

    /// Teams of this country (ISO 3166-1 alpha-2); with a lookup, the
    /// country whose national team answers when no team states it.
    #[arg(long, value_name = "CC", value_parser = lookup_arg("country"))]
    country: Option<String>,

    /// Teams of this sector (see above).
    #[arg(long, value_name = "SECTOR", value_parser = lookup_arg("sector"))]
    sector: Option<String>,

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

/// A value for `--ip` and its siblings, checked as the query language
/// checks `ip:` and its siblings, kept as the query term it becomes.
fn lookup_arg(key: &'static str) -> impl Fn(&str) -> Result<String, String> + Clone {
    move |v: &str| {
        let term = format!("{key}:{}", v.trim());
        if key == "country"
            && !(v.trim().len() == 2 && v.trim().chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(format!("{v:?} is not a country code like CA or LU"));
        }
        csirt_index::query::parse(&term)
            .map(|_| term)
            .map_err(|e| e.message)
    }
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date of the form YYYY-MM-DD"))
}

/// Runs the query.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let terms = [
        &args.ip,
        &args.domain,
        &args.asn,
        &args.country,
        &args.sector,
    ];
    let q = args
        .query
        .iter()
        .cloned()
        .chain(terms.into_iter().flatten().cloned())
        .collect::<Vec<_>>()
        .join(" ");
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
    // The RIRs' delegations answer for an address no team states; read
    // only for a lookup.
    let lookup = csirt_index::query::parse(&q)
        .map(|c| !csirt_index::query::lookup_part(&c).is_empty())
        .unwrap_or(false);
    let delegations = match lookup {
        true => csirt_directory::delegations(&args.data).unwrap_or_default(),
        false => Default::default(),
    };
    let limit = args.limit.min(1000);
    let results = match index.search_with(&q, limit, args.offset, when, &delegations) {
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
        eprintln!("no team matches {q:?}{}", unstated(&q, &delegations));
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

/// What to add when a lookup found nobody: a private or documentation
/// address only its own organisation's team can answer for, and whether
/// the RIRs' delegations were there to name a country.
fn unstated(q: &str, delegations: &csirt_index::lookup::Delegations) -> String {
    let Ok(clauses) = csirt_index::query::parse(q) else {
        return String::new();
    };
    let ask = csirt_index::query::lookup_part(&clauses);
    let Some(ip) = ask.ip else {
        return String::new();
    };
    let private = match ip {
        std::net::IpAddr::V4(a) => {
            a.is_private() || a.is_loopback() || a.is_link_local() || a.is_documentation()
        }
        std::net::IpAddr::V6(a) => {
            a.is_loopback()
                || a.is_unique_local()
                || a.is_unicast_link_local()
                || a.segments()[0] == 0x2001 && a.segments()[1] == 0x0db8
        }
    };
    if private {
        format!(": no team's constituency states {ip}, a private or documentation address (only the team of the organisation that uses it can answer)")
    } else if delegations.is_empty() {
        format!(": no team's constituency states {ip}, and without the RIRs' delegations (`csirt lookup-data import`) no country's national team can be named")
    } else {
        format!(": no team's constituency states {ip}, and its country has no national team in the directory")
    }
}

fn write_hit(out: &mut impl Write, n: usize, h: &Hit, today: NaiveDate) -> std::io::Result<()> {
    let mut title = h.name.clone();
    if !h.short_name.is_empty() && !h.name.contains(&h.short_name) {
        title.push_str(&format!(" ({})", h.short_name));
    }
    if !h.country.is_empty() {
        title.push_str(&format!(" — {}", h.country));
    }
    writeln!(out, "{n}. {title}")?;
    for r in &h.why {
        writeln!(out, "   why: {}", r.says)?;
    }
    if h.fallback {
        writeln!(
            out,
            "   (no team states it: this is the country's national team)"
        )?;
    }
    let c = h.contact();
    let one = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut reach = Vec::new();
    if !c.emails.is_empty() {
        reach.push(format!("e-mail {}", c.emails.join(", ")));
    }
    if !c.phones.is_empty() {
        reach.push(format!("phone {}", c.phones.join(", ")));
    }
    if let Some(tz) = &c.time_zone {
        reach.push(format!("time zone {}", clip(&one(tz), 40)));
    }
    if let Some(h) = &c.hours {
        reach.push(format!("hours {}", clip(&one(h), 60)));
    }
    if !reach.is_empty() {
        writeln!(out, "   {}", reach.join(" · "))?;
    }
    if !c.fingerprints.is_empty() {
        writeln!(out, "   key {}", c.fingerprints.join(", "))?;
    }
    if !h.key_confirmed_by.is_empty() {
        writeln!(
            out,
            "   the signing key is confirmed by {}",
            h.key_confirmed_by.join(" and ")
        )?;
    }
    let age = match h.updated {
        Some(d) => format!(
            "{d}, {}{}",
            csirt_report::age_in_words(d, today),
            if h.stale { " — stale" } else { "" }
        ),
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
