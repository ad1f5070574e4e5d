//! `csirt verify`: check a document's OpenPGP signature.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use csirt_verify::{Keyring, Outcome, Report};
use serde::Serialize;

use super::OutputFormat;

/// Verify the OpenPGP signature of an RFC 2350 document.
///
/// Checks a detached signature (`--sig`, armoured `.asc` or binary `.sig`)
/// or a clear-signed document, and compares the signer with the key
/// fingerprints the document itself states. Without `--sig`, a clear-signed
/// document is verified as such, else `DOC.asc` or `DOC.sig` beside it is
/// used when it exists.
///
/// Keys come from `--keyring` (files or folders of armoured or binary
/// certificates) and from any public key block embedded in the document;
/// blocks damaged by publishing (en-dashes, page numbers inside the base64)
/// are repaired, and the report says so.
///
/// Outcomes (stable codes): valid, valid-key-expired-since,
/// signer-not-stated-key, weak-algorithm, expired-key, revoked-key,
/// bad-signature, unknown-key, unsupported-format, malformed-signature,
/// unsigned.
///
/// Exit status: 0 when the outcome is `valid`; 1 for any other outcome;
/// 2 when the command itself failed (unreadable file, bad arguments).
///
/// Examples:
///   csirt verify rfc2350-clearsigned.txt
///   csirt verify rfc2350.pdf --sig rfc2350.pdf.asc --keyring team.asc
///   csirt verify rfc2350.pdf --keyring keys/ --at 2024-01-01 --format json
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The document, exactly as published (text, HTML or PDF).
    #[arg(value_name = "DOC")]
    document: PathBuf,

    /// A detached signature over DOC.
    #[arg(long, value_name = "SIG")]
    sig: Option<PathBuf>,

    /// A certificate file or a folder of them; may be repeated.
    #[arg(long, value_name = "PATH")]
    keyring: Vec<PathBuf>,

    /// Judge expiry, revocation and algorithm policy at this time
    /// (YYYY-MM-DD or RFC 3339) instead of now, for reproducible reports.
    #[arg(long, value_name = "DATE", value_parser = parse_at)]
    at: Option<DateTime<Utc>>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

pub fn parse_at(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_time(NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| format!("{s:?} is neither YYYY-MM-DD nor an RFC 3339 time"))
}

/// What `--format json` prints: the verifier's report plus what the command
/// found on the way.
#[derive(Serialize)]
struct Output<'a> {
    source: String,
    signature_file: Option<String>,
    #[serde(flatten)]
    report: &'a Report,
    repairs: Vec<RepairOut>,
    embedded_keys: Vec<String>,
    keyring_problems: Vec<ProblemOut>,
}

#[derive(Serialize)]
struct RepairOut {
    line: usize,
    what: String,
}

#[derive(Serialize)]
struct ProblemOut {
    source: String,
    message: String,
    unsupported: bool,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let at = args.at.unwrap_or_else(Utc::now);
    let doc = std::fs::read(&args.document)
        .with_context(|| format!("cannot read {}", args.document.display()))?;
    let sig_path = match &args.sig {
        Some(p) => Some(p.clone()),
        None if csirt_verify::cleartext::is_clearsigned(&doc) => None,
        None => beside(&args.document),
    };
    let sig = match &sig_path {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?),
        None => None,
    };

    let mut keyring = Keyring::new();
    for p in &args.keyring {
        keyring
            .add_path(p)
            .with_context(|| format!("cannot read keyring {}", p.display()))?;
    }

    let source = args.document.display().to_string();
    let checked = csirt_check::check(&doc, sig.as_deref(), &source, &keyring, at);
    let report = &checked.report;
    let problems: Vec<ProblemOut> = keyring
        .problems
        .iter()
        .chain(&checked.embedded.problems)
        .map(|p| ProblemOut {
            source: p.source.clone(),
            message: p.message.clone(),
            unsupported: p.unsupported,
        })
        .collect();
    let out = Output {
        source,
        signature_file: sig_path.map(|p| p.display().to_string()),
        report,
        repairs: checked
            .repairs
            .iter()
            .map(|r| RepairOut {
                line: r.line,
                what: r.what.clone(),
            })
            .collect(),
        embedded_keys: checked.embedded.fingerprints(),
        keyring_problems: problems,
    };
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer(&mut w, &out)?;
            writeln!(w)?;
        }
        OutputFormat::Text => write_text(&mut w, &out)?,
    }
    w.flush()?;
    if report.private_key_published {
        eprintln!(
            "csirt: WARNING: {} contains an OpenPGP PRIVATE key block: the team's secret key is published",
            out.source
        );
    }
    Ok(if report.outcome == Outcome::Valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `DOC.asc` or `DOC.sig` next to the document, if one exists.
pub fn beside(doc: &Path) -> Option<PathBuf> {
    ["asc", "sig"].iter().find_map(|ext| {
        let mut name = doc.as_os_str().to_owned();
        name.push(".");
        name.push(ext);
        let p = PathBuf::from(name);
        p.is_file().then_some(p)
    })
}

fn write_text(w: &mut impl Write, o: &Output<'_>) -> io::Result<()> {
    let r = o.report;
    writeln!(w, "{}", o.source)?;
    writeln!(w, "  {:<13} {} — {}", "Outcome", r.outcome, r.detail)?;
    if r.private_key_published {
        writeln!(
            w,
            "  {:<13} the document contains a PRIVATE key block: revoke that key now",
            "DANGER"
        )?;
    }
    if let Some(kind) = r.kind {
        let kind = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        let file = o.signature_file.as_deref().unwrap_or("in the document");
        writeln!(w, "  {:<13} {kind} ({file})", "Signature")?;
    }
    if let Some(s) = &r.signer {
        let uid = s.user_id.as_deref().unwrap_or("no user ID");
        writeln!(w, "  {:<13} {} {uid}", "Signer", s.fingerprint)?;
    } else if let Some(i) = &r.issuer {
        writeln!(w, "  {:<13} {i}", "Issuer")?;
    }
    if let Some(c) = r.created {
        writeln!(
            w,
            "  {:<13} {}",
            "Signed",
            c.format("%Y-%m-%d %H:%M:%S UTC")
        )?;
    }
    if r.signer.is_some() {
        let exp = r
            .key_expires
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "never".into());
        writeln!(w, "  {:<13} {exp}", "Key expires")?;
    }
    if let Some(h) = &r.hash_algorithm {
        writeln!(w, "  {:<13} {h}", "Hash")?;
    }
    let stated = if r.stated_fingerprints.is_empty() {
        "none".to_string()
    } else {
        r.stated_fingerprints.join(", ")
    };
    writeln!(w, "  {:<13} {stated}", "Stated keys")?;
    if let Some(k) = &r.key_source {
        writeln!(w, "  {:<13} {k}", "Key from")?;
    }
    if r.content_before_signed || r.content_after_signed {
        let place = match (r.content_before_signed, r.content_after_signed) {
            (true, true) => "before and after",
            (true, false) => "before",
            _ => "after",
        };
        writeln!(
            w,
            "  {:<13} the document has content {place} the signed part; it is not signed and was ignored",
            "Warning"
        )?;
    }
    if !o.embedded_keys.is_empty() {
        writeln!(
            w,
            "  {:<13} {}",
            "Embedded keys",
            o.embedded_keys.join(", ")
        )?;
    }
    for rep in &o.repairs {
        writeln!(w, "  {:<13} line {}: {}", "Repaired", rep.line, rep.what)?;
    }
    for p in &o.keyring_problems {
        writeln!(w, "  {:<13} {}: {}", "Key skipped", p.source, p.message)?;
    }
    Ok(())
}
