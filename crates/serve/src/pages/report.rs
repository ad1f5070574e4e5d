//! `/report`: the report's summary, its two charts and its findings,
//! filtered as `csirt report` filters them (country, unsigned, stale,
//! severity, code).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;

use super::{clip, layout, link, query_string, PageError};
use crate::App;

/// Findings per page.
const PER_PAGE: usize = 50;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct Params {
    country: String,
    unsigned: String,
    stale: String,
    severity: String,
    code: String,
    offset: Option<usize>,
}

impl Params {
    fn link(&self, offset: usize) -> String {
        let offset = if offset == 0 {
            String::new()
        } else {
            offset.to_string()
        };
        format!(
            "/report{}",
            query_string(&[
                ("country", &self.country),
                ("unsigned", &self.unsigned),
                ("stale", &self.stale),
                ("severity", &self.severity),
                ("code", &self.code),
                ("offset", &offset),
            ])
        )
    }
}

fn non_empty(v: &str) -> Option<&str> {
    Some(v).filter(|v| !v.is_empty())
}

fn yes(name: &str, v: &str) -> Result<bool, PageError> {
    match v {
        "" | "no" => Ok(false),
        "yes" => Ok(true),
        other => Err(PageError::bad(format!(
            "{name} must be yes or no, not {other:?}"
        ))),
    }
}

pub(crate) async fn page(
    State(app): State<Arc<App>>,
    params: Result<Query<Params>, QueryRejection>,
) -> Response {
    match render(&app, params) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn render(app: &App, params: Result<Query<Params>, QueryRejection>) -> Result<Response, PageError> {
    let Query(p) = params.map_err(|e| PageError::bad(e.body_text()))?;
    let wanted = crate::filters::Findings::parse(non_empty(&p.severity), non_empty(&p.code))
        .map_err(PageError::bad)?;
    let teams = crate::filters::Teams {
        country: non_empty(p.country.trim()),
        unsigned: yes("unsigned", &p.unsigned)?,
        stale: yes("stale", &p.stale)?,
    };
    let offset = p.offset.unwrap_or(0);
    if offset > 100_000 {
        return Err(PageError::bad("offset must be at most 100000"));
    }
    let r = app.snapshot().report_of(
        chrono::Utc::now().date_naive(),
        app.config.stale_after,
        &teams,
    );
    let r = &*r;
    let findings: Vec<&csirt_report::Finding> =
        r.findings.iter().filter(|f| wanted.keeps(f)).collect();
    let s = &r.summary;
    let shown = findings.len().saturating_sub(offset).min(PER_PAGE);
    let body = html! {
        h1 { "Report" }
        p { "Judged " time datetime=(r.generated.to_rfc3339()) { (r.generated.format("%Y-%m-%d %H:%M UTC")) }
            ". A date of last update older than " (r.stale_after_days) " days is stale. "
            "The same as JSON: " a href="/v1/report" { "/v1/report" } "." }
        (form(&p))
        div.table-wrap {
            table #summary {
                caption { "Summary" }
                thead { tr { th scope="col" { "Teams" } th.num scope="col" { "Count" } th.num scope="col" { "Share" } } }
                tbody {
                    @for (label, n) in [("in the report", s.teams), ("valid signature", s.signed_valid),
                                        ("signature problem", s.signed_bad), ("unsigned", s.unsigned),
                                        ("stale", s.stale), ("unreachable", s.unreachable)] {
                        tr { th scope="row" { (label) } td.num { (n) } td.num { (format!("{:.1}%", s.percent(n))) } }
                    }
                }
            }
        }
        div.charts {
            (bars("Age of the date of last update", "ages", &r.ages()))
            (bars("Signature outcomes", "outcomes", &r.outcomes(|o| o.map_or("not checked", |o| o.in_words()).to_string())))
        }
        h2 #findings-h { "Findings" }
        p.count role="status" { (s.errors) " errors, " (s.warnings) " warnings, " (s.notices) " notices in the report; "
            (findings.len()) " shown by the filters"
            @if shown < findings.len() { ", " (offset + 1) "–" (offset + shown) " on this page" } "." }
        div.table-wrap {
            table #findings aria-labelledby="findings-h" {
                thead { tr { th scope="col" { "Severity" } th scope="col" { "Team" } th scope="col" { "Finding" } th scope="col" { "Fix" } } }
                tbody {
                    @for f in findings.iter().skip(offset).take(PER_PAGE) {
                        @let sev = csirt_report::render::severity(f.severity);
                        tr class=(sev) data-code=(f.code.code()) {
                            td { span class={ "severity " (sev) } { (sev) } }
                            td { (team_link(r, &f.team)) @if let Some(c) = &f.country { " " span.country { (c) } }
                                 br; span.url { (link(&f.url)) } }
                            td { code { (f.code.code()) } @if let Some(l) = f.line { " line " (l) } ": " (f.message)
                                 @if !f.evidence.is_empty() { div.evidence { (clip(&f.evidence, 300)) } } }
                            td { (f.fix) }
                        }
                    }
                }
            }
        }
        @if offset > 0 || offset + shown < findings.len() {
            nav.pager aria-label="Pages" {
                @if offset > 0 { a rel="prev" href=(p.link(offset.saturating_sub(PER_PAGE))) { "← Previous" } }
                @if offset + shown < findings.len() { a rel="next" href=(p.link(offset + PER_PAGE)) { "Next →" } }
            }
        }
    };
    Ok(layout("Report", "", body).into_response())
}

fn team_link(r: &csirt_report::Report, team: &str) -> Markup {
    match r
        .teams
        .iter()
        .find(|t| t.team == team)
        .and_then(|t| t.team_id)
    {
        Some(id) => html! { a href={ "/teams/" (id) } { (team) } },
        None => html! { (team) },
    }
}

fn form(p: &Params) -> Markup {
    html! {
        form.filters action="/report" method="get" {
            div { label for="country" { "Country" }
                  input #country name="country" value=(p.country) size="3" maxlength="2" placeholder="CA"; }
            div { label for="severity" { "At least" }
                  select #severity name="severity" {
                      @for (v, l) in [("", "notice"), ("warning", "warning"), ("error", "error")] {
                          option value=(v) selected[p.severity == v] { (l) }
                      }
                  } }
            div { label for="code" { "Finding" }
                  select #code name="code" {
                      option value="" selected[p.code.is_empty()] { "any" }
                      @for c in csirt_report::FindingCode::ALL {
                          option value=(c.code()) selected[p.code == c.code()] { (c.code()) }
                      }
                  } }
            div { input #unsigned type="checkbox" name="unsigned" value="yes" checked[p.unsigned == "yes"];
                  label for="unsigned" { "Without a valid signature" } }
            div { input #stale type="checkbox" name="stale" value="yes" checked[p.stale == "yes"];
                  label for="stale" { "Stale" } }
            div { button type="submit" { "Filter" } " " a href="/report" { "Clear" } }
        }
    }
}

/// A horizontal bar chart in SVG (sized by attributes, which the
/// Content-Security-Policy allows, not by inline styles, which it does
/// not), with the numbers written beside the bars.
fn bars(title: &str, id: &str, data: &[(String, usize)]) -> Markup {
    let max = data.iter().map(|d| d.1).max().unwrap_or(0).max(1);
    let (row, bar_w) = (36, 360);
    let h = row * data.len() + 4;
    html! {
        figure.chart #(id) {
            figcaption { (title) }
            svg role="img" aria-label=(title) viewBox={ "0 0 " (bar_w) " " (h) } width=(bar_w) height=(h) xmlns="http://www.w3.org/2000/svg" {
                @for (i, (label, n)) in data.iter().enumerate() {
                    @let y = i * row;
                    rect.track x="0" y=(y + 18) width=(bar_w) height="12" {}
                    rect.bar x="0" y=(y + 18) width=(n * bar_w / max) height="12" { title { (label) ": " (n) } }
                    text x="0" y=(y + 13) { (clip(label, 52)) ": " (n) }
                }
            }
        }
    }
}
