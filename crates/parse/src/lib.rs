//! Tolerant RFC 2350 parser: the bytes of a CSIRT description in, one typed
//! [`Record`] out, with [`Diagnostic`]s saying what could not be found.
//!
//! RFC 2350 (BCP 21) asks every incident response team to describe itself on
//! a fixed outline (Appendix D). Real documents follow it loosely: plain text,
//! Markdown, HTML pages and PDFs, in many languages, with shifted or missing
//! section numbers, clear-signed or not. This crate reads them all the same
//! way:
//!
//! 1. [`format`] detects the layout from the bytes (the file name is a hint);
//! 2. [`decode`], [`html`] and [`pdf`] turn the bytes into lines of text, and
//!    [`clearsign`] keeps only the signed part of a clear-signed message;
//! 3. [`sections`] finds headings by their words ([`headings`]) and splits
//!    the text into sections;
//! 4. [`extract`] reads dates, addresses, numbers and fingerprints out of the
//!    sections the record fields come from.
//!
//! What it is not: it does no I/O, no network, reads no calendar (the
//! reference date for "in the future" is passed in; a time budget, when
//! given, is a monotonic deadline) and verifies no signature — that is
//! `csirt-verify`'s job. Every input yields a record; nothing panics, and
//! nothing costs more than time linear in its size.
//!
//! ```
//! use csirt_parse::{parse, Options};
//!
//! let doc = b"1. Document Information\n1.1 Date of Last Update\n2024-05-01\n\
//! 2. Contact Information\n2.1 Name of the Team\nXYZ-CERT\n2.3 Time Zone\nCET\n\
//! 2.7 Electronic Mail Address\nxyz-cert(at)example(dot)org\n";
//! let record = parse(doc, "example.txt", &Options::default());
//! assert_eq!(record.document.last_update.as_deref(), Some("2024-05-01"));
//! assert_eq!(record.team.name.as_deref(), Some("XYZ-CERT"));
//! assert_eq!(record.contact.emails, ["xyz-cert@example.org"]);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod clearsign;
pub mod decode;
pub mod diag;
pub mod extract;
pub mod format;
pub mod headings;
pub mod html;
pub mod pdf;
pub mod record;
pub mod sections;
pub mod stale;

mod build;

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use regex::Regex;

pub use diag::{Code, Diagnostic, Severity};
pub use headings::Field;
pub use record::*;
pub use stale::StaleAfter;

/// The most a parser reads of one input; the rest is ignored and reported.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// The time one document is given by the programs that read documents
/// from the internet: a 10 MB page of any shape takes well under 2 s.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);

/// Knobs for [`parse`].
#[derive(Debug, Clone)]
pub struct Options {
    /// When to stop reading: past it the record holds what was read so far
    /// and a `budget-exceeded` diagnostic. `None` reads to the end.
    pub deadline: Option<Instant>,
    /// The reference date for "in the future"; `None` skips that check.
    pub today: Option<NaiveDate>,
    /// A file name or content type, used only when the bytes are ambiguous.
    pub hint: Option<String>,
    /// The most bytes read of one input.
    pub max_bytes: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            deadline: None,
            today: None,
            hint: None,
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl Options {
    /// These options with a deadline `budget` from now.
    pub fn with_budget(mut self, budget: Duration) -> Self {
        self.deadline = Instant::now().checked_add(budget);
        self
    }

    /// Whether the deadline has passed; the first time it is seen passed,
    /// a `budget-exceeded` diagnostic naming `stage` is added.
    pub(crate) fn out_of_time(&self, diagnostics: &mut Vec<Diagnostic>, stage: &str) -> bool {
        let Some(deadline) = self.deadline else {
            return false;
        };
        if diagnostics.iter().any(|d| d.code == Code::BudgetExceeded) {
            return true;
        }
        if Instant::now() < deadline {
            return false;
        }
        diagnostics.push(Diagnostic::new(
            Code::BudgetExceeded,
            Severity::Error,
            format!("the document was not read within its time budget; reading stopped {stage}"),
        ));
        true
    }
}

/// Text extracted from a document, before sections are found.
#[derive(Debug, Clone, Default)]
pub struct Extracted {
    /// The detected layout.
    pub format: Format,
    /// The text the parser reads (for a clear-signed message, only the signed part).
    pub text: String,
    /// Whether `text` is the inside of a clear-signed message.
    pub clearsigned: bool,
    /// What happened on the way.
    pub diagnostics: Vec<Diagnostic>,
}

/// Turns bytes into the text the parser reads, without parsing sections.
/// `csirt parse --show-text` prints this, so a team can see what we saw.
pub fn extract_text(bytes: &[u8], opts: &Options) -> Extracted {
    let mut diagnostics = Vec::new();
    let bytes = if bytes.len() > opts.max_bytes {
        diagnostics.push(Diagnostic::new(
            Code::Truncated,
            Severity::Warning,
            format!(
                "input is {} bytes; only the first {} were read",
                bytes.len(),
                opts.max_bytes
            ),
        ));
        &bytes[..opts.max_bytes]
    } else {
        bytes
    };
    let format = format::detect(bytes, opts.hint.as_deref());
    let mut text = match format {
        Format::Pdf => match pdf::to_text(bytes) {
            Ok(t) => t,
            Err(e) => {
                let code = match e {
                    pdf::PdfError::TooSlow(_) => Code::BudgetExceeded,
                    _ => Code::PdfUnreadable,
                };
                diagnostics.push(Diagnostic::new(code, Severity::Error, e.to_string()));
                String::new()
            }
        },
        _ => {
            let d = decode::decode(bytes);
            if let Some(enc) = d.fallback {
                diagnostics.push(Diagnostic::new(
                    Code::EncodingFallback,
                    Severity::Notice,
                    format!("the bytes are not UTF-8; decoded as {enc}"),
                ));
            }
            let text = unescape_json_text(d.text);
            match format {
                Format::Html => {
                    let (markup, templated) = html::strip_templates(&text);
                    if templated {
                        diagnostics.push(Diagnostic::new(
                            Code::TemplateSource,
                            Severity::Notice,
                            "template source (PHP, Blade or JSX) was removed from the page",
                        ));
                    }
                    let (text, flattened) = html::to_text(&markup);
                    if let Some(f) = flattened {
                        diagnostics.push(Diagnostic::new(
                            Code::Flattened,
                            Severity::Notice,
                            format!(
                                "{} tags of the page were ignored, their text kept: {} nested deeper than {} levels, {} past {} elements, {} left more than {} formatting elements open",
                                f.too_deep + f.too_many + f.formatting,
                                f.too_deep,
                                html::MAX_NESTING,
                                f.too_many,
                                html::MAX_ELEMENTS,
                                f.formatting,
                                html::MAX_FORMATTING,
                            ),
                        ));
                    }
                    text
                }
                Format::Markdown => markdown_to_text(&text),
                _ => text,
            }
        }
    };
    if extract::keys::has_private_key(&text) {
        diagnostics.push(Diagnostic::new(Code::PrivateKeyPublished, Severity::Error, "the document contains an OpenPGP PRIVATE key block: the team's secret key is published"));
    }
    let mut clearsigned = false;
    if opts.out_of_time(&mut diagnostics, "after the text was extracted") {
        return Extracted {
            format,
            text,
            clearsigned,
            diagnostics,
        };
    }
    if let Some(cs) = clearsign::extract(&text) {
        if let Some(damage) = cs.damage {
            let what = match damage {
                clearsign::Damage::Header => "its armour header is damaged",
                clearsign::Damage::NoSignature => "no signature block follows it",
            };
            diagnostics.push(Diagnostic::new(Code::DamagedArmor, Severity::Warning, format!("the clear-signed message cannot be checked ({what}): read as unsigned text")).at(cs.line));
        }
        if cs.before || cs.after {
            let place = match (cs.before, cs.after) {
                (true, true) => "before and after",
                (true, false) => "before",
                _ => "after",
            };
            diagnostics.push(Diagnostic::new(Code::UnsignedContent, Severity::Warning, format!("text {place} the clear-signed message is not covered by the signature and was ignored")).at(cs.line));
        }
        clearsigned = cs.damage.is_none();
        text = cs.text;
    }
    Extracted {
        format,
        text,
        clearsigned,
        diagnostics,
    }
}

/// Parses one document. Never panics; bad input yields a record whose
/// diagnostics say what was wrong.
pub fn parse(bytes: &[u8], source: &str, opts: &Options) -> Record {
    let extracted = extract_text(bytes, opts);
    build::record(source, extracted, opts)
}

/// Parses text already produced by [`extract_text`], for callers that also
/// need the text itself (a verifier looking for an embedded key block) and
/// should not pay for PDF extraction twice.
pub fn parse_extracted(extracted: Extracted, source: &str, opts: &Options) -> Record {
    build::record(source, extracted, opts)
}

/// Markdown to the line layout the section finder reads: front matter,
/// comments and code fences go; headings keep their `#`.
fn markdown_to_text(text: &str) -> String {
    let mut body = text;
    if let Some(rest) = text.strip_prefix("---\n") {
        if let Some(end) = rest.find("\n---\n") {
            body = &rest[end + 5..];
        }
    }
    let mut out = String::with_capacity(body.len());
    let mut in_comment = false;
    for line in body.lines() {
        let t = line.trim();
        if in_comment {
            if t.contains("-->") {
                in_comment = false;
            }
            continue;
        }
        if t.starts_with("<!--") {
            in_comment = !t.contains("-->");
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            continue;
        }
        let line = line.replace("<!-- markdownlint-disable-line GHD034 -->", "");
        out.push_str(strip_inline_markdown(&line).trim_end());
        out.push('\n');
    }
    out
}

fn strip_inline_markdown(line: &str) -> String {
    // `[text](url)` keeps both, so the URL is still found.
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[([^\[\]]*)\]\(([^()]*)\)").expect("valid regex"));
    let s = line.replace('`', "");
    LINK.replace_all(&s, "$1 $2").into_owned()
}

/// A document delivered inside a JSON string (a mirror's API) has its line
/// breaks escaped; undo the escapes so that sections can be found.
fn unescape_json_text(text: String) -> String {
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) || text.matches("\\n").count() < 10 {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => {}
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                if let Some(ch) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(ch);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}
