//! From what is known about a document to its findings.

use chrono::{DateTime, NaiveDate, Utc};
use csirt_parse::{Record, Severity};
use csirt_verify::Outcome;

use crate::{Finding, FindingCode as C, Options, Subject, TeamState};

/// Every finding for one document, in no particular order (see
/// [`crate::sort`]).
pub fn findings(s: &Subject, opts: &Options) -> Vec<Finding> {
    let mut out = Findings { s, out: Vec::new() };
    if let Some(c) = &s.crawl {
        if let Some((since, why)) = &c.failing {
            let what = if c.never_fetched {
                "the document could not be fetched at any crawl".to_string()
            } else {
                format!(
                    "the document could not be fetched at the last crawl (failing since {since})"
                )
            };
            out.push(
                C::Unreachable,
                what,
                format!("{why}; failing since {since}"),
            );
        }
        if c.new_team {
            out.push(
                C::NewTeam,
                "the team is new in the directory".into(),
                s.url.clone(),
            );
        } else if c.changed_recently && c.has_previous {
            out.push(
                C::NewVersion,
                "the document changed since the previous crawl".into(),
                first_seen(c),
            );
        }
    }
    if let Some(r) = &s.record {
        out.record(r, opts);
    }
    if let Some(v) = &s.verification {
        out.verification(v, s.record.as_ref(), opts);
    }
    if let (Some(c), Some(v)) = (&s.crawl, &s.verification) {
        out.crawl(c, v, opts);
    }
    if let Some(d) = s.discovery.as_ref().filter(|d| d.documents.is_empty()) {
        out.push(
            C::NoRfc2350Found,
            format!(
                "no RFC 2350 description was found on {} ({} URLs tried)",
                d.site,
                d.trail.len()
            ),
            format!("{} ({})", d.site, d.via),
        );
    }
    if let (Some(l), Some(r)) = (&s.listing, &s.record) {
        out.listing(l, r, opts);
    }
    out.out
}

fn first_seen(c: &crate::CrawlFacts) -> String {
    c.first_seen
        .map(|t| format!("first seen {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default()
}

struct Findings<'a> {
    s: &'a Subject,
    out: Vec<Finding>,
}

impl Findings<'_> {
    fn push(&mut self, code: C, message: String, evidence: String) {
        self.push_at(code, None, message, evidence);
    }

    fn push_at(&mut self, code: C, line: Option<usize>, message: String, evidence: String) {
        self.push_graded(code.severity(), code, line, message, evidence);
    }

    fn push_graded(
        &mut self,
        severity: Severity,
        code: C,
        line: Option<usize>,
        message: String,
        evidence: String,
    ) {
        self.out.push(Finding {
            code,
            severity,
            team: self.s.team.clone(),
            country: self.s.country.clone(),
            url: self.s.url.clone(),
            line,
            message,
            evidence,
            fix: code.fix(),
        });
    }

    fn has(&self, code: C) -> bool {
        self.out.iter().any(|f| f.code == code)
    }

    fn record(&mut self, r: &Record, opts: &Options) {
        use csirt_parse::diag::Code as D;
        // A page that is not a description at all (a soft 404, a login
        // page) lacks everything; one finding says so, not ten.
        let not_a_document = r.diagnostics.iter().any(|d| d.code == D::NotRfc2350);
        let mut missing = Vec::new();
        for d in &r.diagnostics {
            if not_a_document
                && !matches!(
                    d.code,
                    D::NotRfc2350 | D::PrivateKeyPublished | D::PdfUnreadable | D::BudgetExceeded
                )
            {
                continue;
            }
            let code = match d.code {
                D::NotRfc2350 => C::NotRfc2350,
                D::PrivateKeyPublished => C::PrivateKeyPublished,
                D::UnsignedContent => C::UnsignedContent,
                D::UnparsedDate => C::UnparsedDate,
                D::FutureDate => C::FutureDate,
                D::NoLastUpdate => C::NoLastUpdate,
                D::NoFingerprint => C::NoFingerprint,
                D::MalformedFingerprint => C::MalformedFingerprint,
                D::NoEmail => C::NoEmail,
                D::LocationNotUrl => C::LocationNotUrl,
                D::PdfUnreadable => C::PdfUnreadable,
                D::BudgetExceeded => C::BudgetExceeded,
                D::UnrecognisedHeading if opts.layout_notices => C::UnrecognisedHeading,
                D::MissingSection => {
                    missing.push(d.message.trim_start_matches("no section ").to_string());
                    continue;
                }
                _ => continue,
            };
            let evidence = match d.code {
                D::UnparsedDate | D::FutureDate => {
                    r.document.last_update_text.clone().unwrap_or_default()
                }
                _ => String::new(),
            };
            self.push_at(code, d.line, d.message.clone(), evidence);
        }
        if !missing.is_empty() && !self.has(C::NotRfc2350) {
            self.push(
                C::MissingSection,
                format!(
                    "{} section{} of the RFC 2350 outline {} missing",
                    missing.len(),
                    if missing.len() == 1 { "" } else { "s" },
                    if missing.len() == 1 { "is" } else { "are" }
                ),
                missing.join("; "),
            );
        }
        let updated = r.document.last_update_date();
        if let Some(age) = age_days(r, opts.at).filter(|_| !not_a_document) {
            if opts.stale_after.is_stale(updated, opts.at.date_naive()) {
                let text = r.document.last_update_text.as_deref().unwrap_or_default();
                self.push_at(
                    C::Stale,
                    line_of(r, "document.last_update"),
                    format!(
                        "the Date of Last Update is {age} days old (threshold {} days)",
                        opts.stale_after.in_days()
                    ),
                    format!(
                        "{} ({text})",
                        r.document.last_update.as_deref().unwrap_or_default()
                    ),
                );
            }
        }
        if self.s.fetched_over_http
            && !not_a_document
            && !r.document.locations.is_empty()
            && !r
                .document
                .locations
                .iter()
                .any(|l| same_url(l, &self.s.url))
        {
            self.push_at(
                C::LocationMismatch,
                line_of(r, "document.locations"),
                "the Locations section does not list the URL the document was fetched from".into(),
                format!(
                    "fetched {}; states {}",
                    self.s.url,
                    r.document.locations.join(", ")
                ),
            );
        }
    }

    fn verification(&mut self, v: &csirt_check::Verification, r: Option<&Record>, opts: &Options) {
        let rep = &v.report;
        if rep.private_key_published && !self.has(C::PrivateKeyPublished) {
            self.push(
                C::PrivateKeyPublished,
                "the document contains an OpenPGP PRIVATE key block".into(),
                String::new(),
            );
        }
        if (rep.content_before_signed || rep.content_after_signed) && !self.has(C::UnsignedContent)
        {
            let where_ = match (rep.content_before_signed, rep.content_after_signed) {
                (true, true) => "before and after",
                (true, false) => "before",
                _ => "after",
            };
            self.push(
                C::UnsignedContent,
                format!("the clear-signed document has text {where_} the signed part"),
                String::new(),
            );
        }
        let signer = rep
            .signer
            .as_ref()
            .map(|s| match &s.user_id {
                Some(u) => format!("{} ({u})", s.fingerprint),
                None => s.fingerprint.clone(),
            })
            .or_else(|| rep.issuer.clone().map(|i| format!("issuer {i}")))
            .unwrap_or_default();
        let code = C::of_outcome(rep.outcome);
        // A "not a document" page has no signature to speak of.
        if let Some(code) = code.filter(|_| !self.has(C::NotRfc2350)) {
            let message = match rep.outcome {
                Outcome::Unsigned => "no signature was found for the document".to_string(),
                Outcome::UnknownKey => {
                    format!("a signature was found but not its key: {}", rep.detail)
                }
                _ => rep.detail.clone(),
            };
            self.push(code, message, signer.clone());
        }
        if rep.outcome.is_valid() {
            if let Some(exp) = rep.key_expires {
                let left = exp - opts.at;
                if left > chrono::Duration::zero() && left <= opts.expiry_warning {
                    self.push(
                        C::KeyExpiresSoon,
                        format!("the signing key expires in {} days", left.num_days()),
                        format!("{signer}; expires {}", exp.format("%Y-%m-%d")),
                    );
                }
            }
        }
        if rep.outcome == Outcome::Unsigned && v.pdf_x509_signature {
            self.push(
                C::PdfX509Signature,
                "the PDF carries an X.509 (PAdES) signature, which is present but not checked"
                    .into(),
                String::new(),
            );
        } else if v.pdf_x509_signature {
            self.push(
                C::PdfX509Signature,
                "the PDF also carries an X.509 (PAdES) signature, which is not checked".into(),
                String::new(),
            );
        }
        let stated = &rep.stated_fingerprints;
        for k in &v.keys {
            let is_stated = stated
                .iter()
                .any(|s| s.eq_ignore_ascii_case(&k.fingerprint));
            let expired = k.expires.is_some_and(|e| e <= opts.at);
            let who = match &k.user_id {
                Some(u) => format!("{} ({u}), {}", k.fingerprint, k.source),
                None => format!("{}, {}", k.fingerprint, k.source),
            };
            if expired && is_stated {
                self.push(
                    C::StatedKeyExpired,
                    "the key section 2.8 states has expired".into(),
                    format!("{who}; expired {}", fmt_date(k.expires)),
                );
            } else if expired && k.embedded {
                self.push(
                    C::EmbeddedKeyExpired,
                    "the key embedded in the document has expired".into(),
                    format!("{who}; expired {}", fmt_date(k.expires)),
                );
            }
            if let Some(weak) = weak_key(&k.algorithm, k.bits) {
                self.push(
                    C::WeakKey,
                    format!("a published key is {weak}"),
                    who.clone(),
                );
            }
        }
        for p in &v.key_problems {
            self.push(
                C::KeyUnreadable,
                format!("no OpenPGP key could be read from {}", p.source),
                p.message.clone(),
            );
        }
        // Only when some key was found: without any, `unknown-key` or
        // `unsigned` already says what is missing.
        let found: Vec<&str> = v.keys.iter().map(|k| k.fingerprint.as_str()).collect();
        if !found.is_empty() && !stated.is_empty() {
            let missing: Vec<&String> = stated
                .iter()
                .filter(|s| !found.iter().any(|f| f.eq_ignore_ascii_case(s)))
                .collect();
            if missing.len() == stated.len() {
                self.push_at(
                    C::FingerprintMismatch,
                    r.and_then(|r| line_of(r, "keys")),
                    "no key found matches the fingerprint the document states".into(),
                    format!("states {}; found {}", stated.join(", "), found.join(", ")),
                );
            }
        }
    }

    /// What the directories say, against what the team's document says:
    /// every difference with both values and both sources.
    fn listing(&mut self, l: &csirt_store::Listing, r: &Record, opts: &Options) {
        let by = |field: &str| {
            l.sources
                .get(field)
                .map(|d| d.join(", "))
                .unwrap_or_else(|| l.directories())
        };
        let stated: Vec<String> = r
            .keys
            .iter()
            .filter_map(|k| k.fingerprint.clone())
            .collect();
        let stated_here = |fp: &str| stated.iter().any(|s| s.eq_ignore_ascii_case(fp));
        for k in &l.keys {
            let dirs = k.from.join(", ");
            if !stated_here(&k.fingerprint) {
                let doc = if stated.is_empty() {
                    "none".to_string()
                } else {
                    stated.join(", ")
                };
                self.push(
                    C::DirectoryKeyNotStated,
                    format!(
                        "{dirs} lists key {}, which the document does not state",
                        k.fingerprint
                    ),
                    format!("{dirs}: {}; the document (2.8): {doc}", k.fingerprint),
                );
            }
            let expired = k
                .expires
                .as_deref()
                .and_then(|e| NaiveDate::parse_from_str(e, "%Y-%m-%d").ok())
                .is_some_and(|e| e < opts.at.date_naive());
            if expired {
                self.push(
                    C::DirectoryKeyExpired,
                    format!(
                        "{dirs} lists key {}, which expired on {}",
                        k.fingerprint,
                        k.expires.as_deref().unwrap_or_default()
                    ),
                    format!(
                        "{dirs}: {} expires {}",
                        k.fingerprint,
                        k.expires.as_deref().unwrap_or_default()
                    ),
                );
            }
        }
        let doc_emails = &r.contact.emails;
        if !l.emails.is_empty()
            && !doc_emails.is_empty()
            && !l
                .emails
                .iter()
                .any(|e| doc_emails.iter().any(|d| d.eq_ignore_ascii_case(e)))
        {
            self.push(
                C::DirectoryEmailDiffers,
                "the directories' e-mail address is not one the document states".into(),
                format!(
                    "{}: {}; the document (2.7): {}",
                    by("emails"),
                    l.emails.join(", "),
                    doc_emails.join(", ")
                ),
            );
        }
        if let Some(cc) = &l.country {
            let doc: &[String] = &r.constituency.countries;
            if !doc.is_empty() && !doc.iter().any(|c| c == cc) {
                self.push(
                    C::DirectoryCountryDiffers,
                    format!(
                        "the directories place the team in {cc}, its document in {}",
                        doc.join(", ")
                    ),
                    format!("{}: {cc}; the document: {}", by("country"), doc.join(", ")),
                );
            }
        }
        let norm = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let theirs: Vec<String> = [r.team.name.as_deref(), r.team.short_name.as_deref()]
            .into_iter()
            .flatten()
            .map(norm)
            .collect();
        if let Some(short) = l.short_name.as_deref().filter(|_| !theirs.is_empty()) {
            let s = norm(short);
            if !theirs
                .iter()
                .any(|t| t.contains(&s) || s.contains(t.as_str()))
            {
                self.push(
                    C::DirectoryNameDiffers,
                    format!(
                        "the directories call the team {short}, its document {}",
                        r.team
                            .name
                            .as_deref()
                            .or(r.team.short_name.as_deref())
                            .unwrap_or_default()
                    ),
                    format!("{}: {short}", by("short_name")),
                );
            }
        }
    }

    fn crawl(&mut self, c: &crate::CrawlFacts, v: &csirt_check::Verification, opts: &Options) {
        if let (Some(first), Some(lm)) = (c.first_seen, c.last_modified_now) {
            let unchanged_for = opts.at - first;
            let threshold = chrono::Duration::days(i64::from(opts.stale_after.in_days()));
            if unchanged_for > threshold && lm > first + chrono::Duration::minutes(1) {
                self.push(
                    C::ModifiedButUnchanged,
                    format!(
                        "the server says the document changed on {}, but its bytes are those first fetched {}",
                        lm.format("%Y-%m-%d"),
                        first.format("%Y-%m-%d")
                    ),
                    format!("Last-Modified {}", lm.to_rfc2822()),
                );
            }
        }
        if c.changed_recently && c.has_previous {
            if let (Some(now), Some(before)) = (c.last_modified_first, c.previous_last_modified) {
                if now <= before {
                    self.push(
                        C::ChangedButNotModified,
                        "the document's bytes changed but the server's Last-Modified did not move"
                            .into(),
                        format!("Last-Modified {} before and after", now.to_rfc2822()),
                    );
                }
            }
            if let Some(prev) = c.previous_outcome {
                let now = v.report.outcome;
                if prev != now {
                    // Outcomes are ordered best first.
                    let worse = now > prev;
                    let severity = if worse {
                        Severity::Warning
                    } else {
                        Severity::Notice
                    };
                    self.push_graded(
                        severity,
                        C::OutcomeChanged,
                        None,
                        format!(
                            "the signature outcome {} from {prev} to {now}",
                            if worse { "got worse" } else { "changed" }
                        ),
                        format!("{prev} -> {now}"),
                    );
                }
            }
        }
    }
}

/// Why a key is weak, per common guidance (NIST SP 800-131A): DSA of 1024
/// bits or fewer, RSA below 2048 bits.
fn weak_key(algorithm: &str, bits: Option<usize>) -> Option<String> {
    let bits = bits?;
    let a = algorithm.to_ascii_uppercase();
    if a.starts_with("DSA") && bits <= 1024 {
        Some(format!("DSA-{bits}"))
    } else if a.starts_with("RSA") && bits < 2048 {
        Some(format!("RSA-{bits}"))
    } else {
        None
    }
}

fn fmt_date(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// Days between the Date of Last Update and `at`.
pub(crate) fn age_days(r: &Record, at: DateTime<Utc>) -> Option<i64> {
    let d = NaiveDate::parse_from_str(r.document.last_update.as_deref()?, "%Y-%m-%d").ok()?;
    Some((at.date_naive() - d).num_days())
}

/// The line of the section that filled `field`.
fn line_of(r: &Record, field: &str) -> Option<usize> {
    r.sections
        .iter()
        .find(|s| s.field.as_deref() == Some(field))
        .map(|s| s.line)
        .filter(|&l| l > 0)
}

/// Whether a stated location names the fetched URL: scheme, a `www.`
/// prefix, case of the host and a trailing slash do not matter.
fn same_url(stated: &str, fetched: &str) -> bool {
    fn norm(u: &str) -> String {
        let u = u.trim().trim_end_matches(['.', ',', ';', ')', '>']);
        let u = u
            .split_once("://")
            .map_or(u, |(_, rest)| rest)
            .trim_end_matches('/');
        let (host, path) = u.split_once('/').unwrap_or((u, ""));
        let host = host.to_ascii_lowercase();
        let host = host.strip_prefix("www.").unwrap_or(&host);
        format!("{host}/{path}")
    }
    norm(stated) == norm(fetched)
}

/// How well a document represents its team: the directory's one ranking
/// (`csirt_directory::Standing`), which search uses too.
pub(crate) fn standing(s: &Subject) -> csirt_directory::Standing {
    csirt_directory::Standing::of(
        s.verification.as_ref().map(|v| v.report.outcome),
        s.record.as_ref(),
    )
}

/// A team's state at a glance, from its representative document.
pub(crate) fn state(s: &Subject, opts: &Options) -> TeamState {
    let age = s.record.as_ref().and_then(|r| age_days(r, opts.at));
    let unreachable = s.crawl.as_ref().is_some_and(|c| c.failing.is_some());
    TeamState {
        team_id: s.team_id,
        team: s.team.clone(),
        country: s.country.clone(),
        url: s.url.clone(),
        outcome: s.verification.as_ref().map(|v| v.report.outcome),
        last_update: s
            .record
            .as_ref()
            .and_then(|r| r.document.last_update.clone()),
        age_days: age,
        stale: s.record.as_ref().is_some_and(|r| {
            opts.stale_after
                .is_stale(r.document.last_update_date(), opts.at.date_naive())
        }),
        unreachable,
        key_confirmed_by: s.key_confirmed_by(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_match_across_scheme_www_and_trailing_slash() {
        assert!(same_url(
            "http://www.Example.org/csirt/",
            "https://example.org/csirt"
        ));
        assert!(!same_url(
            "https://example.org/other",
            "https://example.org/csirt"
        ));
    }

    /// The codes that a loopback crawl cannot easily produce, from a
    /// subject made by hand. `tests/report.rs` covers the rest.
    #[test]
    fn unsupported_format_and_layout_codes_come_from_their_evidence() {
        use csirt_parse::diag::{Code, Diagnostic};
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut report: csirt_verify::Report = serde_json::from_value(serde_json::json!({
            "outcome": "unsupported-format", "detail": "version 5 signature", "kind": null,
            "issuer": "ABCDEF0123456789", "signer": null, "created": null, "key_expires": null,
            "hash_algorithm": null, "public_key_algorithm": null, "stated_fingerprints": [],
            "signer_is_stated": null, "key_source": null, "key_repaired": false,
            "content_before_signed": false, "content_after_signed": false,
            "private_key_published": false, "at": at
        }))
        .unwrap();
        report.detail = "the signature is a LibrePGP version 5 packet".into();
        let record = Record {
            diagnostics: vec![
                Diagnostic::new(Code::LocationNotUrl, Severity::Notice, "not a URL").at(4),
                Diagnostic::new(
                    Code::MalformedFingerprint,
                    Severity::Warning,
                    "31 hex digits",
                )
                .at(9),
            ],
            ..Record::default()
        };
        let s = Subject {
            team: "T".into(),
            url: "https://t.example/rfc2350.txt".into(),
            record: Some(record),
            verification: Some(csirt_check::Verification {
                report,
                keys: vec![],
                key_problems: vec![],
                pdf_x509_signature: false,
            }),
            ..Subject::default()
        };
        let codes: Vec<(C, Option<usize>)> = findings(&s, &Options::at(at))
            .iter()
            .map(|f| (f.code, f.line))
            .collect();
        assert!(codes.contains(&(C::UnsupportedFormat, None)), "{codes:?}");
        assert!(codes.contains(&(C::LocationNotUrl, Some(4))), "{codes:?}");
        assert!(
            codes.contains(&(C::MalformedFingerprint, Some(9))),
            "{codes:?}"
        );
    }

    #[test]
    fn every_code_reads_back_and_every_outcome_but_valid_has_one() {
        for c in C::ALL {
            assert_eq!(c.code().parse::<C>(), Ok(*c));
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
            assert!(c.summary().ends_with('.') && c.fix().ends_with('.'), "{c}");
        }
        assert!("no-such-thing".parse::<C>().is_err());
        for o in Outcome::ALL {
            match C::of_outcome(o) {
                None => assert_eq!(o, Outcome::Valid),
                Some(c) => assert_eq!(c.code(), o.code()),
            }
        }
    }

    /// Each difference between a directory's listing and the document is
    /// its own finding, with both values and both sources.
    #[test]
    fn a_listing_that_disagrees_with_the_document_yields_each_difference() {
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut record = Record::default();
        record.team.name = Some("EXU-CERT".into());
        record.contact.emails = vec!["cert@exu.example".into()];
        record.constituency.countries = vec!["CA".into()];
        record.keys = vec![csirt_parse::record::StatedKey {
            fingerprint: Some("AAAA".repeat(10)),
            ..Default::default()
        }];
        let listing = csirt_store::Listing {
            from: vec![csirt_store::Provenance {
                directory: "trusted-introducer".into(),
                at: "2026-12-01".into(),
            }],
            short_name: Some("OTHER-TEAM".into()),
            emails: vec!["soc@exu.example".into()],
            country: Some("FR".into()),
            keys: vec![
                csirt_store::ListedKey {
                    fingerprint: "AAAA".repeat(10),
                    expires: None,
                    from: vec!["trusted-introducer".into()],
                },
                csirt_store::ListedKey {
                    fingerprint: "BBBB".repeat(10),
                    expires: Some("2020-01-01".into()),
                    from: vec!["trusted-introducer".into()],
                },
            ],
            ..Default::default()
        };
        let s = Subject {
            team: "EXU-CERT".into(),
            url: "https://exu.example/rfc2350.txt".into(),
            record: Some(record),
            listing: Some(listing.clone()),
            ..Subject::default()
        };
        let got = findings(&s, &Options::at(at));
        let of = |c: C| got.iter().filter(|f| f.code == c).collect::<Vec<_>>();
        assert_eq!(of(C::DirectoryKeyNotStated).len(), 1, "{got:?}");
        assert!(of(C::DirectoryKeyNotStated)[0]
            .evidence
            .contains(&"BBBB".repeat(10)));
        assert_eq!(of(C::DirectoryKeyExpired).len(), 1, "{got:?}");
        let email = &of(C::DirectoryEmailDiffers)[0].evidence;
        assert!(
            email.contains("soc@exu.example") && email.contains("cert@exu.example"),
            "{email}"
        );
        assert!(of(C::DirectoryCountryDiffers)[0]
            .evidence
            .starts_with("trusted-introducer: FR"));
        assert_eq!(of(C::DirectoryNameDiffers).len(), 1, "{got:?}");

        // A listing that agrees is silent.
        let agreeing = csirt_store::Listing {
            short_name: Some("EXU CERT".into()),
            emails: vec!["CERT@exu.example".into()],
            country: Some("CA".into()),
            keys: listing.keys[..1].to_vec(),
            ..listing
        };
        let s = Subject {
            listing: Some(agreeing),
            ..s
        };
        let got = findings(&s, &Options::at(at));
        assert!(
            !got.iter().any(|f| f.code.code().starts_with("directory-")),
            "{got:?}"
        );
    }

    #[test]
    fn weak_keys_are_dsa_1024_and_small_rsa() {
        assert_eq!(weak_key("DSA", Some(1024)).as_deref(), Some("DSA-1024"));
        assert_eq!(weak_key("RSA", Some(1024)).as_deref(), Some("RSA-1024"));
        assert_eq!(weak_key("RSA", Some(2048)), None);
        assert_eq!(weak_key("EdDSA", Some(256)), None);
    }
}
