//! `/teams/{id}`: one team, contacts first. Then its key and signature,
//! its document's details and findings, the document's sections, its
//! versions with what changed between them, and the URLs it came from.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::{age, clip, layout, link, outcome, PageError};
use crate::App;

/// Characters of one section shown; the rest is at the document's URL.
const SECTION_CHARS: usize = 6_000;
/// Characters of all sections shown, so that a page stays small whatever
/// the document holds.
const SECTIONS_CHARS: usize = 40_000;
/// Versions listed, newest first.
const VERSIONS: usize = 12;
/// Changed lines shown per pair of versions.
const DIFF_LINES: usize = 80;
/// Time all the page's diffs may take together: large, unrelated versions
/// must not hold a request (a diff past the deadline is coarser, not
/// wrong).
const DIFF_TIME: Duration = Duration::from_millis(50);

pub(crate) async fn page(
    State(app): State<Arc<App>>,
    id: Result<Path<i64>, PathRejection>,
) -> Response {
    match render(app, id).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

/// What the store holds of one URL of the team: its state and, for a
/// document, its versions.
struct Fetched {
    url: csirt_store::UrlState,
    versions: Vec<csirt_store::VersionRow>,
}

async fn render(
    app: Arc<App>,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Response, PageError> {
    let Path(id) = id.map_err(|_| PageError::bad("a team id is an integer"))?;
    let today = chrono::Utc::now().date_naive();
    let snap = app.snapshot();
    let report = snap.report(today, app.config.stale_after);
    let state = report
        .teams
        .iter()
        .find(|t| t.team_id == Some(id))
        .ok_or_else(|| PageError::not_found(format!("There is no team with id {id}.")))?;
    let a = app.clone();
    let fetched = tokio::task::spawn_blocking(move || -> csirt_store::Result<Vec<Fetched>> {
        let store = a.store.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = Vec::new();
        for url in store.urls_of(id)? {
            let versions = if url.role == csirt_store::Role::Document {
                // One more than shown: the oldest shown needs its
                // predecessor to say what changed.
                store.recent_history(url.id, VERSIONS + 1)?
            } else {
                Vec::new()
            };
            out.push(Fetched { url, versions });
        }
        Ok(out)
    })
    .await
    .map_err(|e| PageError::internal(format!("history task failed: {e}")))?
    .map_err(|e| PageError::internal(e.to_string()))?;

    let subjects: Vec<&csirt_report::Subject> = snap
        .subjects
        .iter()
        .filter(|s| s.team_id == Some(id))
        .collect();
    // The document judged first, then the others the team publishes.
    let mut docs = subjects.clone();
    docs.sort_by_key(|s| s.url != state.url);
    let main_doc = docs.first().copied();
    let record = main_doc.and_then(|s| s.record.as_ref());
    let findings: Vec<&csirt_report::Finding> = report
        .findings
        .iter()
        .filter(|f| f.team == state.team)
        .collect();
    let listing = subjects.iter().find_map(|s| s.listing.as_ref());
    let name = if state.team.is_empty() {
        "(unnamed team)"
    } else {
        &state.team
    };

    let diffs_until = Instant::now() + DIFF_TIME;
    let body = html! {
        h1 {
            (name)
            @if let Some(short) = record.and_then(|r| r.team.short_name.as_deref()).filter(|s| *s != name) {
                " " span.short { "(" (short) ")" }
            }
            @if let Some(c) = &state.country { " " span.country title="Country" { (c) } }
        }
        p.meta {
            (age(state.last_update.as_deref().and_then(|d| d.parse().ok()), today, state.stale))
            " · " (outcome(state.outcome))
            @if state.unreachable { " · " span.stale { "unreachable at the last crawl" } }
        }
        section #contact aria-labelledby="contact-h" {
            h2 #contact-h { "How to reach them" }
            @match record {
                Some(r) => (contacts(r, listing)),
                None => p { "The team's document has not been read yet; "
                    @if let Some(l) = listing { "the public directories list "
                        @if l.emails.is_empty() { "no e-mail address" } @else { (l.emails.join(", ")) } "." }
                    @else { "nothing else is known." } },
            }
        }
        @for d in &docs { (signature(d)) }
        @if !findings.is_empty() {
            section #findings aria-labelledby="findings-h" {
                h2 #findings-h { "Findings (" (findings.len()) ")" }
                ul.findings {
                    @for f in &findings {
                        @let sev = csirt_report::render::severity(f.severity);
                        li class=(sev) data-code=(f.code.code()) {
                            span class={ "severity " (sev) } { (sev) } " "
                            code { (f.code.code()) }
                            @if let Some(l) = f.line { " (line " (l) ")" }
                            ": " (f.message)
                            @if !f.evidence.is_empty() { div.evidence { (clip(&f.evidence, 300)) } }
                            div.fix { "Fix: " (f.fix) }
                        }
                    }
                }
            }
        }
        @if let Some(r) = record { (sections(r, main_doc.map_or("", |d| d.url.as_str()))) }
        @for f in fetched.iter().filter(|f| f.versions.len() > 1) { (versions(f, diffs_until)) }
        section #urls aria-labelledby="urls-h" {
            h2 #urls-h { "Where it was fetched from" }
            table {
                thead { tr { th scope="col" { "What" } th scope="col" { "URL" } th scope="col" { "Last fetch" } } }
                tbody {
                    @for f in &fetched {
                        tr {
                            td { (f.url.role.as_str()) }
                            td.url { (link(&f.url.url)) }
                            td { (last_fetch(&f.url)) }
                        }
                    }
                }
            }
        }
        p { "As JSON: " a href={ "/v1/teams/" (id) } { "/v1/teams/" (id) } ", history at "
            a href={ "/v1/teams/" (id) "/history" } { "/v1/teams/" (id) "/history" } "." }
    };
    Ok(layout(name, "", body).into_response())
}

fn contacts(r: &csirt_parse::Record, listing: Option<&csirt_store::Listing>) -> Markup {
    let c = &r.contact;
    let emails: Vec<&str> = if c.emails.is_empty() {
        listing
            .map(|l| l.emails.iter().map(String::as_str).collect())
            .unwrap_or_default()
    } else {
        c.emails.iter().map(String::as_str).collect()
    };
    html! {
        dl.contact {
            dt { "E-mail" }
            dd { @if emails.is_empty() { "none stated" } @else { @for e in &emails { span.value { (e) } " " } } }
            dt { "Phone" }
            dd { @if c.phones.is_empty() { "none stated" } @else { @for p in &c.phones { span.value { (p) } " " } } }
            @if !c.fax.is_empty() { dt { "Fax" } dd { (c.fax.join(", ")) } }
            @if let Some(h) = &c.operating_hours { dt { "Hours" } dd { (clip(h, 400)) } }
            @if let Some(tz) = &c.time_zone { dt { "Time zone" } dd { (clip(tz, 200)) } }
            @if let Some(p) = &c.points_of_contact { dt { "How to contact" } dd { (clip(p, 600)) } }
            @if let Some(o) = &c.other_telecom { dt { "Other" } dd { (clip(o, 300)) } }
            @if let Some(a) = &c.address { dt { "Address" } dd { (clip(a, 300)) } }
        }
        @if !r.keys.is_empty() {
            h3 { "Keys the document states" }
            ul.keys {
                @for k in r.keys.iter().take(10) {
                    li {
                        @if let Some(f) = &k.fingerprint { code.fingerprint { (spaced(f)) } }
                        @else if let Some(k) = &k.key_id { "key ID " code { (k) } }
                        @if let Some(u) = &k.user_id { " " (clip(u, 120)) }
                        @if let Some(u) = &k.url { " · " (link(u)) }
                    }
                }
            }
        }
    }
}

/// A fingerprint in groups of four, as people read them aloud.
fn spaced(f: &str) -> String {
    let mut out = String::with_capacity(f.len() + f.len() / 4);
    for (i, c) in f.chars().take(80).enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn signature(s: &csirt_report::Subject) -> Markup {
    let v = s.verification.as_ref();
    let signer = v.and_then(|v| v.report.signer.as_ref());
    let confirmed = s.key_confirmed_by();
    let r = s.record.as_ref();
    html! {
        section.document aria-label="Document" {
            h2 { "Document " span.url { (link(&s.url)) } }
            p { (outcome(v.map(|v| v.report.outcome))) }
            @if let Some(v) = v {
                @if !v.report.detail.is_empty() { p.detail { (v.report.detail) } }
                dl {
                    @if let Some(signer) = signer {
                        dt { "Signed by" }
                        dd { code.fingerprint { (spaced(&signer.fingerprint)) }
                             @if let Some(u) = &signer.user_id { " " (clip(u, 120)) } }
                        dt { "Key confirmed by" }
                        dd { @if confirmed.is_empty() { "no public directory lists this key" } @else { (confirmed.join(" and ")) } }
                    }
                    @if let Some(c) = v.report.created { dt { "Signed on" } dd { (c.format("%Y-%m-%d")) } }
                    @if let Some(src) = &v.report.key_source { dt { "Key from" } dd { (link(src)) } }
                }
            }
            @if let Some(r) = r {
                dl {
                    dt { "Date of last update" }
                    dd { @match &r.document.last_update { Some(d) => (d), None => "not stated" } }
                    @if let Some(v) = &r.document.version { dt { "Version" } dd { (clip(v, 80)) } }
                    @if !r.document.locations.is_empty() {
                        dt { "Locations it states" }
                        dd { @for l in r.document.locations.iter().take(5) { (link(l)) " " } }
                    }
                    @if let Some(l) = &r.language { dt { "Language" } dd { (l) } }
                }
            }
            @if let Some(c) = s.crawl.as_ref().and_then(|c| c.failing.as_ref()) {
                p.stale { "Unreachable since " (c.0) ": " (c.1) }
            }
        }
    }
}

fn sections(r: &csirt_parse::Record, url: &str) -> Markup {
    let mut budget = SECTIONS_CHARS;
    let mut shown = Vec::new();
    for s in &r.sections {
        if budget == 0 {
            break;
        }
        let text = clip(&s.text, SECTION_CHARS.min(budget));
        budget = budget.saturating_sub(text.chars().count());
        shown.push((s, text));
    }
    html! {
        @if !shown.is_empty() {
            section #sections aria-labelledby="sections-h" {
                h2 #sections-h { "The document's sections" }
                @for (s, text) in &shown {
                    details.section open[s.text.len() < 600] {
                        summary { @if let Some(n) = &s.number { (n) " " } (clip(&s.title, 120)) }
                        div.text { (text) }
                    }
                }
                @if shown.len() < r.sections.len() || budget == 0 { p { "The rest is in " (link(url)) "." } }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SectionsView {
    sections: Vec<SectionView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SectionView {
    number: Option<String>,
    title: String,
    text: String,
}

/// A version's text as the diff compares it: its sections, numbered.
fn text_of(v: &csirt_store::VersionRow) -> String {
    let view: SectionsView = v
        .record
        .as_deref()
        .and_then(|r| serde_json::from_str(r).ok())
        .unwrap_or_default();
    let mut out = String::new();
    for s in view.sections {
        if let Some(n) = s.number {
            out.push_str(&n);
            out.push(' ');
        }
        out.push_str(&s.title);
        out.push('\n');
        out.push_str(&s.text);
        out.push('\n');
    }
    out
}

fn versions(f: &Fetched, deadline: Instant) -> Markup {
    let shown = f.versions.len().min(VERSIONS);
    // Each version's text once: it is the newer side of one diff and the
    // older side of the next.
    let texts: Vec<String> = f.versions.iter().map(text_of).collect();
    html! {
        section.versions aria-label="Versions" {
            h2 { "Versions of " span.url { (link(&f.url.url)) } }
            ol.versions {
                @for (i, v) in f.versions.iter().take(shown).enumerate() {
                    li {
                        "first fetched " (v.first_seen.get(..10).unwrap_or(&v.first_seen))
                        ", last seen " (v.last_seen.get(..10).unwrap_or(&v.last_seen))
                        ", " (v.size) " bytes · " (outcome(v.outcome))
                        @if let Some(older) = texts.get(i + 1) { (diff(older, &texts[i], deadline)) }
                    }
                }
            }
        }
    }
}

/// What changed between two versions' texts, as a unified diff with a
/// little context; `+` and `-` say it as well as the colour.
fn diff(older: &str, newer: &str, deadline: Instant) -> Markup {
    let d = similar::TextDiff::configure()
        .deadline(deadline)
        .diff_lines(older, newer);
    let mut lines: Vec<(char, &str)> = Vec::new();
    let mut changed = 0usize;
    for group in d.grouped_ops(2) {
        if !lines.is_empty() {
            lines.push((' ', "…"));
        }
        for op in group {
            for change in d.iter_changes(&op) {
                let tag = match change.tag() {
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                    similar::ChangeTag::Equal => ' ',
                };
                if tag != ' ' {
                    changed += 1;
                }
                if changed <= DIFF_LINES {
                    lines.push((tag, change.value().trim_end_matches('\n')));
                }
            }
        }
    }
    html! {
        details.diff {
            summary {
                @if changed == 0 { "No change in the text (the file's bytes changed)" }
                @else { (changed) " lines changed from the version before" }
            }
            @if changed > 0 {
                pre.diff {
                    @for (tag, line) in &lines {
                        @match tag {
                            '+' => ins { "+ " (clip(line, 300)) "\n" },
                            '-' => del { "- " (clip(line, 300)) "\n" },
                            _ => span { "  " (clip(line, 300)) "\n" },
                        }
                    }
                    @if changed > DIFF_LINES { "… and " (changed - DIFF_LINES) " more changed lines\n" }
                }
            }
        }
    }
}

fn last_fetch(u: &csirt_store::UrlState) -> Markup {
    html! {
        @match &u.last_fetch {
            None => "never fetched",
            Some(f) => {
                (f.finished.get(..10).unwrap_or(&f.finished))
                @if let Some(s) = f.status { ", HTTP " (s) }
                @if let Some(e) = &f.error { ", " span.stale { (clip(e, 200)) } }
                @if let Some(since) = &u.failing_since { " (failing since " (since.get(..10).unwrap_or(since)) ")" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(record: &str) -> csirt_store::VersionRow {
        csirt_store::VersionRow {
            id: 1,
            sha256: String::new(),
            size: 1,
            first_seen: "2026-01-01T00:00:00Z".into(),
            last_seen: "2026-01-01T00:00:00Z".into(),
            first_last_modified: None,
            last_last_modified: None,
            outcome: None,
            record: Some(record.into()),
            verification: None,
        }
    }

    #[test]
    fn a_diff_says_what_changed_in_the_sections_with_signs_as_well_as_colour() {
        let old = version(
            r#"{"sections":[{"number":"2.7","title":"E-mail","text":"old@team.example"}]}"#,
        );
        let new = version(
            r#"{"sections":[{"number":"2.7","title":"E-mail","text":"new@team.example"}]}"#,
        );
        let soon = Instant::now() + DIFF_TIME;
        let (old, new) = (text_of(&old), text_of(&new));
        let html = diff(&old, &new, soon).into_string();
        assert!(html.contains("<del>- old@team.example"), "{html}");
        assert!(html.contains("<ins>+ new@team.example"), "{html}");
        assert!(html.contains("2 lines changed"), "{html}");
        // A record that is not what the parser writes: no text, no panic.
        assert!(diff(&text_of(&version("not json")), &new, soon)
            .into_string()
            .contains("lines changed"));
        assert!(diff(&new, &new, soon)
            .into_string()
            .contains("No change in the text"));
    }

    #[test]
    fn fingerprints_are_grouped_by_four() {
        assert_eq!(spaced("ABCDEF0123456789"), "ABCD EF01 2345 6789");
    }
}
