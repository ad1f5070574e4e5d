//! A [`Report`] written out: a terminal table, JSON, CSV, Markdown, or one
//! self-contained HTML page.
//!
//! Everything in a report comes from documents on the internet, so every
//! output escapes for its format: HTML text and attributes are escaped and
//! the page forbids scripts and external loads (a Content-Security-Policy),
//! only http(s) URLs become links, Markdown table cells escape their
//! delimiters and inline HTML, and CSV cells that a spreadsheet would run as
//! a formula are prefixed with `'`.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::{Finding, Report, Severity};

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns for a terminal.
    Table,
    /// One JSON document.
    Json,
    /// One row per finding, with a header row.
    Csv,
    /// A summary table and a findings table (GitHub-flavoured Markdown).
    Markdown,
    /// One self-contained page.
    Html,
}

impl Format {
    /// Every format, by the name `--format` takes.
    pub const NAMES: [(&'static str, Format); 5] = [
        ("table", Format::Table),
        ("json", Format::Json),
        ("csv", Format::Csv),
        ("markdown", Format::Markdown),
        ("html", Format::Html),
    ];

    /// The format a file name's extension calls for (`report.html`); a
    /// table when it names none.
    pub fn of_path(path: &std::path::Path) -> Format {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("html" | "htm") => Format::Html,
            Some("json") => Format::Json,
            Some("csv") => Format::Csv,
            Some("md" | "markdown") => Format::Markdown,
            _ => Format::Table,
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|(_, f)| *f)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::NAMES.iter().map(|(n, _)| *n).collect();
                format!("{s:?} is not a report format ({})", names.join(", "))
            })
    }
}

/// Writes `report` in `format`.
pub fn write(report: &Report, format: Format, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Table => table(report, out),
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, report)?;
            writeln!(out)
        }
        Format::Csv => csv(&report.findings, out),
        Format::Markdown => markdown(report, out),
        Format::Html => out.write_all(html(report).as_bytes()),
    }
}

fn summary_rows(r: &Report) -> Vec<(&'static str, usize, Option<f64>)> {
    let s = &r.summary;
    vec![
        ("teams", s.teams, None),
        (
            "signed, valid",
            s.signed_valid,
            Some(s.percent(s.signed_valid)),
        ),
        (
            "signed, not valid",
            s.signed_bad,
            Some(s.percent(s.signed_bad)),
        ),
        ("unsigned", s.unsigned, Some(s.percent(s.unsigned))),
        ("stale", s.stale, Some(s.percent(s.stale))),
        ("unreachable", s.unreachable, Some(s.percent(s.unreachable))),
    ]
}

fn table(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "csirt report, {} (stale after {} days)",
        r.generated.format("%Y-%m-%d %H:%M UTC"),
        r.stale_after_days
    )?;
    for (label, n, pct) in summary_rows(r) {
        match pct {
            Some(p) => writeln!(out, "  {label:<18} {n:>6}  {p:>5.1}%")?,
            None => writeln!(out, "  {label:<18} {n:>6}")?,
        }
    }
    let s = &r.summary;
    writeln!(
        out,
        "  findings: {} errors, {} warnings, {} notices\n",
        s.errors, s.warnings, s.notices
    )?;
    if r.findings.is_empty() {
        return writeln!(out, "no findings");
    }
    let team_w = r
        .findings
        .iter()
        .map(|f| f.team.chars().count().min(28))
        .max()
        .unwrap_or(4)
        .max(4);
    let code_w = r
        .findings
        .iter()
        .map(|f| f.code.code().len())
        .max()
        .unwrap_or(4);
    writeln!(
        out,
        "{:<8} {:<team_w$} {:<code_w$} {:>5}  MESSAGE",
        "SEVERITY", "TEAM", "CODE", "LINE"
    )?;
    for f in &r.findings {
        let team: String = f.team.chars().take(team_w).collect();
        let line = f.line.map(|l| l.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{:<8} {team:<team_w$} {:<code_w$} {line:>5}  {}",
            severity(f.severity),
            f.code,
            one_line(&f.message)
        )?;
        if !f.evidence.is_empty() {
            writeln!(
                out,
                "{:>w$}{}",
                "",
                one_line(&f.evidence),
                w = 8 + team_w + code_w + 10
            )?;
        }
    }
    Ok(())
}

/// The severity's lower-case name.
pub fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Notice => "notice",
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A cell a spreadsheet would evaluate as a formula gets a leading `'`.
fn csv_cell(s: &str) -> String {
    let s = one_line(s);
    if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s
    }
}

fn csv(findings: &[Finding], out: &mut dyn Write) -> io::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "severity", "code", "team", "country", "url", "line", "message", "evidence", "fix",
    ])?;
    for f in findings {
        w.write_record([
            severity(f.severity).to_string(),
            f.code.to_string(),
            csv_cell(&f.team),
            f.country.clone().unwrap_or_default(),
            csv_cell(&f.url),
            f.line.map(|l| l.to_string()).unwrap_or_default(),
            csv_cell(&f.message),
            csv_cell(&f.evidence),
            f.fix.to_string(),
        ])?;
    }
    w.flush()
}

/// Escapes a Markdown table cell: no line breaks, no column breaks, no
/// inline HTML, no emphasis or links from untrusted text.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in one_line(s).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn markdown(r: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# CSIRT directory report\n")?;
    writeln!(
        out,
        "Generated {}; a Date of Last Update older than {} days is stale.\n",
        r.generated.format("%Y-%m-%d %H:%M UTC"),
        r.stale_after_days
    )?;
    writeln!(out, "| | Teams | Share |\n|---|---:|---:|")?;
    for (label, n, pct) in summary_rows(r) {
        let pct = pct.map(|p| format!("{p:.1}%")).unwrap_or_default();
        writeln!(out, "| {label} | {n} | {pct} |")?;
    }
    writeln!(out, "\n## Findings\n")?;
    writeln!(
        out,
        "| Severity | Code | Team | Document | Line | Message | Evidence | Fix |\n|---|---|---|---|---:|---|---|---|"
    )?;
    for f in &r.findings {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            severity(f.severity),
            f.code,
            md(&f.team),
            md(&f.url),
            f.line.map(|l| l.to_string()).unwrap_or_default(),
            md(&f.message),
            md(&f.evidence),
            md(f.fix)
        )?;
    }
    Ok(())
}

/// Escapes text for HTML content and quoted attributes.
/// Escapes text for HTML and XML, in content and in quoted attributes; the
/// control characters XML 1.0 forbids even escaped are dropped. The one
/// escaping helper of the project: the HTML report and the Atom feed use
/// it.
pub fn escape_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `url` may become a link: http(s) only, never `javascript:`,
/// `data:` or a path. The one rule of every output that links (this
/// report, the server's pages).
pub fn is_web_url(url: &str) -> bool {
    let t = url.trim_start().as_bytes();
    let scheme = |s: &str| t.len() > s.len() && t[..s.len()].eq_ignore_ascii_case(s.as_bytes());
    scheme("https://") || scheme("http://")
}

/// A link for http(s) URLs; anything else (a path, `javascript:`) is text.
fn link(url: &str) -> String {
    if is_web_url(url) {
        format!(
            "<a href=\"{}\" rel=\"noopener noreferrer\">{}</a>",
            escape_markup(url.trim()),
            escape_markup(url)
        )
    } else {
        escape_markup(url)
    }
}

/// A horizontal bar chart as inline SVG.
fn bars(title: &str, id: &str, data: &[(String, usize)]) -> String {
    let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let (row, label_w, bar_w) = (22, 190, 320);
    let h = row * data.len() + 8;
    let mut s = format!(
        "<figure id=\"{id}\"><figcaption>{}</figcaption><svg role=\"img\" aria-label=\"{}\" width=\"{}\" height=\"{h}\" viewBox=\"0 0 {} {h}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape_markup(title),
        escape_markup(title),
        label_w + bar_w + 60,
        label_w + bar_w + 60
    );
    for (i, (label, n)) in data.iter().enumerate() {
        let y = i * row + 4;
        let w = n * bar_w / max;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text><rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"16\"><title>{}: {n}</title></rect><text x=\"{}\" y=\"{}\">{n}</text>",
            label_w - 8,
            y + 13,
            escape_markup(label),
            escape_markup(label),
            label_w + w + 6,
            y + 13
        );
    }
    s.push_str("</svg></figure>");
    s
}

/// The whole page.
pub fn html(r: &Report) -> String {
    let mut p = String::with_capacity(4096 + r.findings.len() * 400);
    p.push_str(concat!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        "<title>CSIRT directory report</title><style>",
        "body{font:15px/1.4 system-ui,sans-serif;margin:2em;color:#222}",
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}",
        "th{background:#f2f2f2}.error{color:#a00;font-weight:bold}.warning{color:#a60}.notice{color:#555}",
        ".num{text-align:right}figure{display:inline-block;margin:1em 2em 1em 0}figcaption{font-weight:bold}",
        "svg text{font-size:12px;fill:#222}.bar{fill:#4a78b0}.evidence{color:#555;font-size:90%}",
        "</style></head><body>\n<h1>CSIRT directory report</h1>\n"
    ));
    let _ = writeln!(
        p,
        "<p>Generated <time>{}</time>. A Date of Last Update older than {} days is stale.</p>",
        r.generated.format("%Y-%m-%d %H:%M UTC"),
        r.stale_after_days
    );
    p.push_str("<table id=\"summary\"><tr><th></th><th>Teams</th><th>Share</th></tr>\n");
    for (label, n, pct) in summary_rows(r) {
        let pct = pct.map(|x| format!("{x:.1}%")).unwrap_or_default();
        let _ = writeln!(
            p,
            "<tr><th>{label}</th><td class=\"num\">{n}</td><td class=\"num\">{pct}</td></tr>"
        );
    }
    p.push_str("</table>\n");
    let ages = r.ages();
    let outcomes = r.outcomes(|o| o.map_or("not checked", |o| o.code()).to_string());
    p.push_str(&bars("Age of the Date of Last Update", "ages", &ages));
    p.push_str(&bars("Signature outcomes", "outcomes", &outcomes));
    let s = &r.summary;
    let _ = writeln!(
        p,
        "\n<h2>Findings</h2>\n<p>{} errors, {} warnings, {} notices.</p>",
        s.errors, s.warnings, s.notices
    );
    p.push_str("<table id=\"findings\"><thead><tr><th>Severity</th><th>Team</th><th>Code</th><th>Line</th><th>Finding</th><th>Fix</th></tr></thead><tbody>\n");
    for f in &r.findings {
        let sev = severity(f.severity);
        let line = f.line.map(|l| l.to_string()).unwrap_or_default();
        let evidence = if f.evidence.is_empty() {
            String::new()
        } else {
            format!(
                "<div class=\"evidence\">{}</div>",
                escape_markup(&f.evidence)
            )
        };
        let _ = writeln!(
            p,
            "<tr class=\"{sev}\" data-code=\"{}\"><td class=\"{sev}\">{sev}</td><td>{}<br>{}</td><td><code>{}</code></td><td class=\"num\">{line}</td><td>{}{evidence}</td><td>{}</td></tr>",
            f.code,
            escape_markup(&f.team),
            link(&f.url),
            f.code,
            escape_markup(&f.message),
            escape_markup(f.fix)
        );
    }
    p.push_str("</tbody></table>\n</body></html>\n");
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links_and_everything_is_escaped() {
        assert_eq!(link("javascript:alert(1)"), "javascript:alert(1)");
        assert!(is_web_url(" HTTPS://x.org") && !is_web_url("http://") && !is_web_url("data:,x"));
        assert!(link("https://x.org/a?b=1&c=\"2\"")
            .contains("href=\"https://x.org/a?b=1&amp;c=&quot;2&quot;\""));
        assert_eq!(escape_markup("<script>"), "&lt;script&gt;");
    }

    #[test]
    fn formula_cells_are_defused_and_markdown_cells_cannot_break_the_table() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(md("a|b\nc <i>"), "a\\|b c &lt;i&gt;");
    }
}
