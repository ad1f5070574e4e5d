//! `/`: the search box, and what it finds. With no query it lists the
//! directory's teams; an address, domain or AS number typed alone is
//! looked up (who is responsible), anything else is searched in the
//! `csirt-find` language.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use maud::{html, Markup};
use serde::Deserialize;

use super::{age, clip, layout, outcome, query_string, snippet, PageError};
use crate::App;

/// Results per page of a search.
const PER_PAGE: usize = 20;
/// Teams per page of the list shown without a query.
const LISTED_PER_PAGE: usize = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Params {
    q: String,
    offset: Option<usize>,
    country: String,
    signed: String,
    stale: String,
}

/// The filters of the page, checked.
struct Filters<'a> {
    country: &'a str,
    signed: Option<csirt_verify::Signed>,
    stale: Option<bool>,
}

impl Params {
    fn filters(&self) -> Result<Filters<'_>, PageError> {
        let country = self.country.trim();
        let code = country.len() == 2 && country.bytes().all(|b| b.is_ascii_alphabetic());
        if !country.is_empty() && !code {
            return Err(PageError::bad(format!(
                "country must be a two-letter code like CA, not {country:?}"
            )));
        }
        let signed = match self.signed.as_str() {
            "" => None,
            v => Some(v.parse::<csirt_verify::Signed>().map_err(PageError::bad)?),
        };
        let stale = match self.stale.as_str() {
            "" => None,
            "yes" => Some(true),
            "no" => Some(false),
            other => {
                return Err(PageError::bad(format!(
                    "stale must be yes or no, not {other:?}"
                )))
            }
        };
        Ok(Filters {
            country,
            signed,
            stale,
        })
    }

    /// The link to this page with one parameter changed (offset reset).
    fn with(&self, key: &str, value: &str) -> String {
        let get = |k: &str, v: &str| {
            if k == key {
                value.to_string()
            } else {
                v.to_string()
            }
        };
        let pairs = [
            ("q", get("q", &self.q)),
            ("country", get("country", &self.country)),
            ("signed", get("signed", &self.signed)),
            ("stale", get("stale", &self.stale)),
            ("offset", get("offset", "")),
        ];
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        format!("/{}", query_string(&refs))
    }
}

pub(crate) async fn page(
    State(app): State<Arc<App>>,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    match render(app, params).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn render(
    app: Arc<App>,
    params: Result<Query<Params>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(p) = params.map_err(|e| PageError::bad(e.body_text()))?;
    let filters = p.filters()?;
    let offset = p.offset.unwrap_or(0);
    if offset > 10_000 {
        return Err(PageError::bad(
            "offset must be at most 10000; narrow the query instead",
        ));
    }
    if p.q.len() > app.config.max_query {
        return Err(PageError::bad(format!(
            "the query is {} bytes; at most {} are accepted",
            p.q.len(),
            app.config.max_query
        )));
    }
    let today = chrono::Utc::now().date_naive();
    let body = if p.q.trim().is_empty() {
        listing(&app, &p, &filters, offset, today)
    } else {
        results(&app, &p, &filters, offset, today).await?
    };
    let title = if p.q.trim().is_empty() {
        "Teams".to_string()
    } else {
        format!("{} — search", clip(p.q.trim(), 60))
    };
    Ok(layout(&title, &p.q, body).into_response())
}

/// The query the index runs: the lookup a bare address stands for, or the
/// words; then the filters as clauses.
fn effective_query(p: &Params, f: &Filters<'_>) -> (String, bool) {
    let lookup = csirt_index::query::bare_lookup(&p.q);
    let looked_up = lookup.is_some();
    let mut q = lookup.unwrap_or_else(|| p.q.trim().to_string());
    if !f.country.is_empty() {
        q.push_str(&format!(" country:{}", f.country.to_ascii_uppercase()));
    }
    if !p.signed.is_empty() {
        q.push_str(&format!(" signed:{}", p.signed));
    }
    if !p.stale.is_empty() {
        q.push_str(&format!(" stale:{}", p.stale));
    }
    (q, looked_up)
}

async fn results(
    app: &Arc<App>,
    p: &Params,
    f: &Filters<'_>,
    offset: usize,
    today: NaiveDate,
) -> Result<Markup, PageError> {
    let (q, looked_up) = effective_query(p, f);
    let when = csirt_index::When {
        today,
        stale_after: app.config.stale_after,
    };
    let delegations = app
        .delegations
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let a = app.clone();
    let q2 = q.clone();
    let results = tokio::task::spawn_blocking(move || {
        a.index
            .search_with(&q2, PER_PAGE, offset, when, &*delegations)
    })
    .await
    .map_err(|e| PageError::internal(format!("search task failed: {e}")))?;
    let results = match results {
        Ok(r) => r,
        Err(csirt_index::Error::Query(e)) => {
            return Err(PageError {
                detail: Some(e.pointer(&q)),
                ..PageError::bad(format!("The query cannot be read: {}", e.message))
            })
        }
        Err(e) => return Err(PageError::internal(e.to_string())),
    };
    let shown = results.hits.len();
    Ok(html! {
        h1 {
            @if looked_up { "Who is responsible for " code { (p.q.trim()) } }
            @else { "Teams matching " code { (p.q.trim()) } }
        }
        (filter_links(p, f))
        p.count role="status" {
            @match results.total {
                0 => "No team matches.",
                1 => "1 team.",
                n => { (n) " teams" @if shown < n { ", " (offset + 1) "–" (offset + shown) " shown" } "." },
            }
            @if looked_up { " Looked up as " code { (q) } "." }
        }
        ol.results start=(offset + 1) {
            @for h in &results.hits { li { (hit(h, today)) } }
        }
        (pager(p, offset, PER_PAGE, shown, results.total))
    })
}

/// One search hit, as `csirt-find` shows it: name, country, how to reach
/// the team, age of the document, signature, snippet.
fn hit(h: &csirt_index::Hit, today: NaiveDate) -> Markup {
    let c = h.contact();
    let tz = c.time_zone.as_deref().map(|t| clip(t, 40));
    let hours = c.hours.as_deref().map(|t| clip(t, 60));
    let name = if h.name.is_empty() {
        "(unnamed team)"
    } else {
        &h.name
    };
    html! {
        article.hit {
            h2 {
                a href={ "/teams/" (h.team_id) } { (name) }
                @if !h.short_name.is_empty() && h.short_name != h.name { " " span.short { "(" (h.short_name) ")" } }
                @if !h.country.is_empty() { " " span.country title="Country" { (h.country) } }
            }
            @if !h.why.is_empty() || h.fallback {
                p.why {
                    @if h.fallback { "National team of the country the address is delegated to. " }
                    @for r in h.why.iter().take(3) { (r.says) ". " }
                }
            }
            @if !c.emails.is_empty() || !c.phones.is_empty() || tz.is_some() || hours.is_some() {
                p.reach {
                    @if !c.emails.is_empty() { span { "E-mail " (c.emails.join(", ")) } }
                    @if !c.phones.is_empty() { span { "Phone " (c.phones.join(", ")) } }
                    @if let Some(tz) = &tz { span { "Time zone " (tz) } }
                    @if let Some(h) = &hours { span { "Hours " (h) } }
                }
            }
            p.meta {
                (age(h.updated, today, h.stale)) " · " (outcome(h.outcome))
                @if !h.key_confirmed_by.is_empty() {
                    " · key confirmed by " (h.key_confirmed_by.join(" and "))
                }
            }
            @if !h.snippet.is_empty() { p.snippet { "…" (snippet(&h.snippet)) "…" } }
        }
    }
}

/// The directory's teams, filtered, for a visit with no query.
fn listing(app: &App, p: &Params, f: &Filters<'_>, offset: usize, today: NaiveDate) -> Markup {
    let report = app.snapshot().report(today, app.config.stale_after);
    let teams: Vec<&csirt_report::TeamState> = report
        .teams
        .iter()
        .filter(|t| {
            (f.country.is_empty() || t.in_country(f.country))
                && f.signed
                    .is_none_or(|s| t.outcome.map_or(csirt_verify::Signed::No, |o| o.signed()) == s)
                && f.stale.is_none_or(|s| t.stale == s)
        })
        .collect();
    let s = &report.summary;
    let shown = teams.len().saturating_sub(offset).min(LISTED_PER_PAGE);
    html! {
        h1 { "CSIRT directory" }
        p.lead {
            "Search by words in the " code { "csirt-find" } " language ("
            code { "constituency: universities Quebec" } "), or paste an IP address, a domain or an AS number to find who is responsible."
        }
        p.count {
            (s.teams) " teams: " (s.signed_valid) " with a valid signature, " (s.signed_bad) " with a signature problem, "
            (s.unsigned) " unsigned, " (s.stale) " stale, " (s.unreachable) " unreachable at the last crawl."
        }
        (filter_links(p, f))
        (countries(p, &report))
        h2 { (teams.len()) " teams listed" }
        ol.teams start=(offset + 1) {
            @for t in teams.iter().skip(offset).take(LISTED_PER_PAGE) {
                li {
                    @match t.team_id {
                        Some(id) => a href={ "/teams/" (id) } { (t.team) },
                        None => (t.team),
                    }
                    @if let Some(c) = &t.country { " " span.country title="Country" { (c) } }
                    " · " (age(t.last_update.as_deref().and_then(|d| d.parse().ok()), today, t.stale))
                    " · " (outcome(t.outcome))
                    @if t.unreachable { " · " span.stale { "unreachable" } }
                }
            }
        }
        (pager(p, offset, LISTED_PER_PAGE, shown, teams.len()))
    }
}

/// The filters as links, the current one marked in words as well as
/// weight.
fn filter_links(p: &Params, f: &Filters<'_>) -> Markup {
    let choice = |key: &str, current: &str, options: &[(&str, &str)]| {
        html! {
            li {
                span.filter-name { (key) ": " }
                @for (value, label) in options {
                    @if *value == current {
                        strong aria-current="true" { (label) span.visually-hidden { " (current)" } }
                    } @else {
                        a href=(p.with(key, value)) { (label) }
                    }
                    " "
                }
            }
        }
    };
    html! {
        nav.filters aria-label="Filters" {
            ul {
                (choice("signed", &p.signed, &[("", "any"), ("yes", "valid signature"), ("bad", "signature problem"), ("no", "not signed")]))
                (choice("stale", &p.stale, &[("", "any"), ("no", "current"), ("yes", "stale")]))
                @if !f.country.is_empty() {
                    li { span.filter-name { "country: " } strong aria-current="true" { (f.country.to_ascii_uppercase()) } " " a href=(p.with("country", "")) { "any country" } }
                }
            }
        }
    }
}

/// Every country of the directory, as filter links with their counts.
fn countries(p: &Params, report: &csirt_report::Report) -> Markup {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for t in &report.teams {
        if let Some(c) = t.country.as_deref().filter(|c| c.len() == 2) {
            *counts.entry(c.to_ascii_uppercase()).or_default() += 1;
        }
    }
    html! {
        @if !counts.is_empty() {
            details.countries {
                summary { "By country (" (counts.len()) ")" }
                ul {
                    @for (c, n) in &counts {
                        li { a href=(p.with("country", c)) { (c) } " " span.n { (n) } }
                    }
                }
            }
        }
    }
}

fn pager(p: &Params, offset: usize, per: usize, shown: usize, total: usize) -> Markup {
    let at = |o: usize| {
        p.with(
            "offset",
            &if o == 0 { String::new() } else { o.to_string() },
        )
    };
    html! {
        @if offset > 0 || offset + shown < total {
            nav.pager aria-label="Pages" {
                @if offset > 0 { a rel="prev" href=(at(offset.saturating_sub(per))) { "← Previous" } }
                @if offset + shown < total { a rel="next" href=(at(offset + per)) { "Next →" } }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str, country: &str, signed: &str, stale: &str) -> Params {
        Params {
            q: q.into(),
            offset: None,
            country: country.into(),
            signed: signed.into(),
            stale: stale.into(),
        }
    }

    #[test]
    fn bare_addresses_are_looked_up_and_filters_become_clauses() {
        let p = params("192.0.2.7", "ca", "yes", "");
        let (q, looked_up) = effective_query(&p, &p.filters().unwrap());
        assert_eq!(q, "ip:192.0.2.7 country:CA signed:yes");
        assert!(looked_up);
        let p = params("constituency: universities", "", "", "no");
        let (q, looked_up) = effective_query(&p, &p.filters().unwrap());
        assert_eq!(q, "constituency: universities stale:no");
        assert!(!looked_up);
    }

    #[test]
    fn bad_filters_are_refused_with_what_was_wrong() {
        for (p, what) in [
            (params("", "Canada", "", ""), "two-letter"),
            (params("", "", "maybe", ""), "yes, no or bad"),
            (params("", "", "", "1"), "yes or no"),
        ] {
            let e = p.filters().err().unwrap();
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST);
            assert!(e.message.contains(what), "{}", e.message);
        }
    }

    #[test]
    fn filter_links_keep_the_query_and_reset_the_page() {
        let p = Params {
            offset: Some(40),
            ..params("a b", "CA", "", "")
        };
        assert_eq!(p.with("signed", "yes"), "/?q=a+b&country=CA&signed=yes");
        assert_eq!(p.with("country", ""), "/?q=a+b");
    }
}
