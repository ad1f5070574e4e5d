//! The pages for people: search (`/`), a team (`/teams/{id}`) and the
//! report (`/report`), server-rendered from the same index, store and
//! snapshot as the API.
//!
//! Everything on these pages came from documents on the internet, so the
//! rules are those of the HTML report, enforced by construction: maud
//! escapes every value it interpolates, only http(s) URLs become links
//! ([`link`]), and the pages carry no script and no inline style, so the
//! Content-Security-Policy (see [`security_headers`]) can forbid both. A page
//! is complete without JavaScript; colour is never the only signal (every
//! outcome is also written in words, with a symbol).

mod report;
mod search;
mod team;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use maud::{html, Markup, DOCTYPE};

use crate::App;

/// Same-origin styles and scripts only (the pages have no script today);
/// nothing inline, no frames, forms submit only here.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'none'";

const CSS: &str = include_str!("../../assets/csirt.css");
const ICON: &str = include_str!("../../assets/icon.svg");

/// The pages, and the two files they load.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(search::page))
        .route("/teams/{id}", get(team::page))
        .route("/report", get(report::page))
        .route(
            "/static/csirt.css",
            get(|| async { asset("text/css; charset=utf-8", CSS) }),
        )
        .route(
            "/static/icon.svg",
            get(|| async { asset("image/svg+xml", ICON) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        body,
    )
        .into_response()
}

/// Adds the Content-Security-Policy and its companions to every response:
/// the API's JSON never needs more, and a page can never get less.
pub(crate) async fn security_headers(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    resp
}

/// Whether a request not answered by any route wants a page rather than
/// JSON: a browser asking for HTML outside the API's `/v1`.
pub(crate) fn wants_page(path: &str, accept: Option<&str>) -> bool {
    !path.starts_with("/v1/") && accept.is_some_and(|a| a.contains("text/html"))
}

/// An error as a page, with the status the API would give.
#[derive(Debug)]
pub(crate) struct PageError {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
    /// Shown under the message, in a fixed-width block (a query with a
    /// pointer at the offending token).
    pub(crate) detail: Option<String>,
}

impl PageError {
    pub(crate) fn bad(message: impl Into<String>) -> Self {
        PageError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            detail: None,
        }
    }

    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        PageError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            detail: None,
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!("internal error: {message}");
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message,
            detail: None,
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = match self.status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::BAD_REQUEST => "Cannot read that request",
            _ => "Something went wrong",
        };
        let body = html! {
            h1 { (title) }
            p.error-message role="alert" { (self.message) }
            @if let Some(d) = &self.detail { pre { (d) } }
            p { a href="/" { "Search the directory" } }
        };
        (self.status, layout(title, "", body)).into_response()
    }
}

/// A whole page: the header with the site's links, `main`, the footer.
/// `q` fills the header's search box.
pub(crate) fn layout(title: &str, q: &str, main: Markup) -> Html<String> {
    let markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (title) " · CSIRT directory" }
                link rel="stylesheet" href="/static/csirt.css";
                link rel="icon" href="/static/icon.svg" type="image/svg+xml";
                link rel="alternate" type="application/atom+xml" title="Changes to the directory" href="/v1/changes.atom";
            }
            body {
                a.skip href="#main" { "Skip to content" }
                header.site {
                    a.brand href="/" { "CSIRT directory" }
                    form.search role="search" action="/" method="get" {
                        label for="q" { "Search teams" }
                        input #q type="search" name="q" value=(q) maxlength="512"
                            placeholder="constituency: universities Quebec, 192.0.2.7, AS64500"
                            autocomplete="off";
                        button type="submit" { "Search" }
                    }
                    nav aria-label="Site" {
                        a href="/report" { "Report" }
                        a href="/v1/changes.atom" { "Changes (Atom)" }
                        a href="/openapi.json" { "API" }
                    }
                }
                main #main { (main) }
                footer.site {
                    p { "Built from the teams' own RFC 2350 descriptions. "
                        "The same data as JSON: " code { "/v1/" } "." }
                }
            }
        }
    };
    Html(markup.into_string())
}

/// A link for http(s) URLs; anything else (a path, `javascript:`) is text.
pub(crate) fn link(url: &str) -> Markup {
    if csirt_report::render::is_web_url(url) {
        html! { a href=(url.trim()) rel="noopener noreferrer" { (url) } }
    } else {
        html! { (url) }
    }
}

/// The signature outcome in words, colour and a symbol.
pub(crate) fn outcome(o: Option<csirt_store::Outcome>) -> Markup {
    let (class, symbol) = match o.map(|o| o.signed()) {
        Some(csirt_verify::Signed::Yes) => ("good", "✓"),
        Some(csirt_verify::Signed::Bad) => ("bad", "✗"),
        Some(csirt_verify::Signed::No) | None => ("none", "–"),
    };
    html! {
        span class={ "outcome " (class) } data-outcome=(o.map_or("not-checked", |o| o.code())) {
            span aria-hidden="true" { (symbol) " " } (o.map_or("not checked", |o| o.in_words()))
        }
    }
}

/// The Date of Last Update with its age, and whether it is stale.
pub(crate) fn age(updated: Option<NaiveDate>, today: NaiveDate, stale: bool) -> Markup {
    match updated {
        Some(d) => html! {
            "updated " time datetime=(d) { (d) } ", " (csirt_report::age_in_words(d, today))
            @if stale { " " span.stale { "stale" } }
        },
        None => html! { "no readable date of last update " span.stale { "stale" } },
    }
}

/// A fragment with the matched words between `**` (as the index writes
/// them), marked.
pub(crate) fn snippet(s: &str) -> Markup {
    html! {
        @for (i, part) in s.split("**").enumerate() {
            @if i % 2 == 1 { mark { (part) } } @else { (part) }
        }
    }
}

/// A query string for a link: `?a=1&b=2`, from the pairs whose value is
/// not empty.
pub(crate) fn query_string(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    match serde_urlencoded::to_string(kept) {
        Ok(s) if !s.is_empty() => format!("?{s}"),
        _ => String::new(),
    }
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub(crate) fn clip(s: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => s.into(),
        Some((i, _)) => format!("{}…", &s[..i]).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links_and_values_are_escaped() {
        assert_eq!(
            link("javascript:alert(1)").into_string(),
            "javascript:alert(1)"
        );
        assert_eq!(
            link("https://x.example/?a=1&b=\"<\"").into_string(),
            "<a href=\"https://x.example/?a=1&amp;b=&quot;&lt;&quot;\" rel=\"noopener noreferrer\">https://x.example/?a=1&amp;b=&quot;&lt;&quot;</a>"
        );
        assert_eq!(
            snippet("a **<b>** c").into_string(),
            "a <mark>&lt;b&gt;</mark> c"
        );
    }

    #[test]
    fn outcomes_are_written_in_words_not_only_colour() {
        let s = outcome(Some(csirt_store::Outcome::BadSignature)).into_string();
        assert!(
            s.contains("class=\"outcome bad\"") && s.contains("bad signature"),
            "{s}"
        );
        assert!(outcome(None).into_string().contains("not checked"));
    }

    #[test]
    fn query_strings_drop_empty_values_and_encode_the_rest() {
        assert_eq!(
            query_string(&[("q", "a&b c"), ("country", ""), ("offset", "20")]),
            "?q=a%26b+c&offset=20"
        );
        assert_eq!(query_string(&[("q", "")]), "");
        assert_eq!(clip("ééé", 2), "éé…");
        assert_eq!(clip("éé", 2), "éé");
    }

    #[test]
    fn unrouted_requests_get_a_page_only_when_a_browser_asks_outside_the_api() {
        assert!(wants_page(
            "/nothing",
            Some("text/html,application/xhtml+xml")
        ));
        assert!(!wants_page("/v1/nothing", Some("text/html")));
        assert!(!wants_page("/nothing", Some("application/json")));
        assert!(!wants_page("/nothing", None));
    }
}
