//! The routes and their handlers.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{feed, ApiError, App};

/// Every route, as the OpenAPI document must list it.
pub const ROUTES: [&str; 10] = [
    "/v1/search",
    "/v1/lookup",
    "/v1/teams",
    "/v1/teams/{id}",
    "/v1/teams/{id}/history",
    "/v1/report",
    "/v1/changes.atom",
    "/healthz",
    "/metrics",
    "/openapi.json",
];

type Result<T> = std::result::Result<T, ApiError>;

pub(crate) fn router(app: Arc<App>) -> Router {
    let timeout = app.config.request_timeout;
    let concurrency = app.config.concurrency;
    Router::new()
        .route(ROUTES[0], get(search))
        .route(ROUTES[1], get(lookup))
        .route(ROUTES[2], get(teams))
        .route(ROUTES[3], get(team))
        .route(ROUTES[4], get(history))
        .route(ROUTES[5], get(report))
        .route(ROUTES[6], get(changes))
        .route(ROUTES[7], get(healthz))
        .route(ROUTES[8], get(metrics))
        .route(ROUTES[9], get(openapi))
        .merge(crate::pages::routes())
        .fallback(|req: Request| async move {
            let accept = req
                .headers()
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok());
            if crate::pages::wants_page(req.uri().path(), accept) {
                crate::pages::PageError::not_found(format!(
                    "There is no page at {}.",
                    req.uri().path()
                ))
                .into_response()
            } else {
                ApiError::not_found("not-found", "no such endpoint; see /openapi.json")
                    .into_response()
            }
        })
        .method_not_allowed_fallback(|| async {
            ApiError {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "method-not-allowed",
                message: "this API is read-only: use GET".into(),
            }
        })
        .layer(axum::middleware::from_fn(crate::pages::security_headers))
        .layer(axum::middleware::from_fn_with_state(app.clone(), track))
        .layer(
            tower_http::cors::CorsLayer::new()
                .allow_methods([Method::GET])
                .allow_origin(tower_http::cors::Any),
        )
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            timeout,
        ))
        .layer(tower::limit::ConcurrencyLimitLayer::new(concurrency))
        .with_state(app)
}

/// Counts every request by route pattern and status.
async fn track(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let resp = next.run(req).await;
    app.metrics
        .observe(&route, resp.status().as_u16(), start.elapsed());
    resp
}

fn query<T>(q: std::result::Result<Query<T>, QueryRejection>) -> Result<T> {
    q.map(|Query(t)| t)
        .map_err(|e| ApiError::bad("bad-parameter", e.body_text()))
}

fn team_id(p: std::result::Result<Path<i64>, PathRejection>) -> Result<i64> {
    p.map(|Path(id)| id)
        .map_err(|_| ApiError::bad("bad-parameter", "a team id is an integer"))
}

fn page(limit: Option<usize>, offset: Option<usize>) -> Result<(usize, usize)> {
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad(
            "bad-parameter",
            format!("limit must be between 1 and 100, not {limit}"),
        ));
    }
    let offset = offset.unwrap_or(0);
    if offset > 10_000 {
        return Err(ApiError::bad(
            "bad-parameter",
            "offset must be at most 10000; narrow the query instead",
        ));
    }
    Ok((limit, offset))
}

/// When staleness is judged: `at` (a day, YYYY-MM-DD; today when none)
/// with `stale_after` (`365`, `365d`, `52w`; the server's default when
/// none). The same parameters on every route that says what is stale.
#[derive(Deserialize)]
struct WhenParams {
    stale_after: Option<String>,
    at: Option<String>,
}

fn when(app: &App, p: &WhenParams) -> Result<csirt_index::When> {
    let stale_after = match p.stale_after.as_deref() {
        None => app.config.stale_after,
        Some(s) => s
            .parse::<csirt_report::StaleAfter>()
            .map_err(|e| ApiError::bad("bad-parameter", format!("stale_after: {e}")))?,
    };
    let today = match p.at.as_deref() {
        None => chrono::Utc::now().date_naive(),
        Some(d) => chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
            ApiError::bad(
                "bad-parameter",
                format!("at must be a date like 2026-12-03, not {d:?}"),
            )
        })?,
    };
    Ok(csirt_index::When { today, stale_after })
}

#[derive(Deserialize)]
struct SearchParams {
    q: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    #[serde(flatten)]
    when: WhenParams,
}

async fn search(
    State(app): State<Arc<App>>,
    params: std::result::Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response> {
    let p = query(params)?;
    let q = p.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Err(ApiError::bad("bad-parameter", "q (the query) is required"));
    }
    if q.len() > app.config.max_query {
        return Err(ApiError::bad(
            "query-too-long",
            format!(
                "the query is {} bytes; at most {} are accepted",
                q.len(),
                app.config.max_query
            ),
        ));
    }
    let (limit, offset) = page(p.limit, p.offset)?;
    let when = when(&app, &p.when)?;
    let generation = app.index.generation();
    let key = (q, limit, offset, when);
    if let Some(body) = app.cache.get(generation, &key) {
        return Ok(json_body(body));
    }
    let a = app.clone();
    let q2 = key.0.clone();
    let results = tokio::task::spawn_blocking(move || a.index.search(&q2, limit, offset, when))
        .await
        .map_err(|e| ApiError::internal(format!("search task failed: {e}")))?;
    let results = match results {
        Ok(r) => r,
        Err(csirt_index::Error::Query(e)) => return Err(ApiError::bad("bad-query", e.to_string())),
        Err(e) => return Err(ApiError::internal(e.to_string())),
    };
    let hits: Vec<Value> = results
        .hits
        .iter()
        .map(|h| {
            let mut v = serde_json::to_value(h).unwrap_or(Value::Null);
            v["summary"] = summary(&h.record);
            v
        })
        .collect();
    let mut body = serde_json::to_vec(&json!({
        "query": key.0, "total": results.total, "limit": limit, "offset": offset, "hits": hits
    }))
    .map_err(|e| ApiError::internal(e.to_string()))?;
    // The cache counts bytes by length; a Vec grown by doubling can hold
    // twice that, and Bytes keeps the whole allocation (measured: peak RSS
    // of the load bench 272 -> 343 MB until this).
    body.shrink_to_fit();
    let body = Bytes::from(body);
    app.cache.put(generation, key, body.clone());
    Ok(json_body(body))
}

#[derive(Deserialize)]
struct LookupParams {
    ip: Option<String>,
    domain: Option<String>,
    asn: Option<String>,
    country: Option<String>,
    sector: Option<String>,
    limit: Option<usize>,
    #[serde(flatten)]
    when: WhenParams,
}

/// `GET /v1/lookup`: who is responsible for this address, domain or AS
/// number, with why and how to reach them; the answer of `csirt-find
/// --ip/--domain/--asn`.
async fn lookup(
    State(app): State<Arc<App>>,
    params: std::result::Result<Query<LookupParams>, QueryRejection>,
) -> Result<Json<Value>> {
    let p = query(params)?;
    let (limit, _) = page(p.limit, None)?;
    let when = when(&app, &p.when)?;
    let mut terms = Vec::new();
    for (key, v) in [
        ("ip", &p.ip),
        ("domain", &p.domain),
        ("asn", &p.asn),
        ("country", &p.country),
        ("sector", &p.sector),
    ] {
        let Some(v) = v.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
            continue;
        };
        let term = format!("{key}:{v}");
        let good = csirt_index::query::parse(&term)
            .map_err(|e| ApiError::bad("bad-parameter", format!("{key}: {}", e.message)))?;
        // `country:` takes only a two-letter code; anything else would be
        // read as words.
        if !matches!(good.as_slice(), [c] if !matches!(c, csirt_index::Clause::Word(..))) {
            return Err(ApiError::bad(
                "bad-parameter",
                format!("{key}: {v:?} is not a country code like CA"),
            ));
        }
        terms.push(term);
    }
    if terms.is_empty() {
        return Err(ApiError::bad(
            "bad-parameter",
            "give at least one of ip, domain, asn, country, sector",
        ));
    }
    let q = terms.join(" ");
    let a = app.clone();
    let delegations = app
        .delegations
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    let q2 = q.clone();
    let results = tokio::task::spawn_blocking(move || {
        a.index.search_with(&q2, limit, 0, when, &*delegations)
    })
    .await
    .map_err(|e| ApiError::internal(format!("lookup task failed: {e}")))?
    .map_err(|e| match e {
        csirt_index::Error::Query(e) => ApiError::bad("bad-parameter", e.to_string()),
        e => ApiError::internal(e.to_string()),
    })?;
    let hits: Vec<Value> = results
        .hits
        .iter()
        .map(|h| {
            let mut v = serde_json::to_value(h).unwrap_or(Value::Null);
            v["summary"] = summary(&h.record);
            v
        })
        .collect();
    Ok(Json(
        json!({"query": q, "total": results.total, "hits": hits}),
    ))
}

fn json_body(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response()
}

/// What a caller needs to reach the team, from the stored record.
///
/// Read through a narrow typed view: serde skips every other field of the
/// record without building it, where a `Value` would allocate the whole
/// record (sections, diagnostics) for every hit of every search.
fn summary(record: &str) -> Value {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct View {
        team: Team,
        contact: Contact,
        document: Document,
        charter: Charter,
        keys: Option<Vec<Key>>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Team {
        name: Option<String>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Contact {
        emails: Option<Vec<String>>,
        phones: Option<Vec<String>>,
        time_zone: Option<String>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Document {
        last_update: Option<String>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Charter {
        constituency: Option<String>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Key {
        fingerprint: Option<String>,
    }
    let r: View = serde_json::from_str(record).unwrap_or_default();
    let constituency: String = r
        .charter
        .constituency
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    json!({
        "name": r.team.name,
        "emails": r.contact.emails,
        "phones": r.contact.phones,
        "time_zone": r.contact.time_zone,
        "last_update": r.document.last_update,
        "constituency": constituency,
        "fingerprints": r.keys.map(|ks| ks.into_iter().filter_map(|k| k.fingerprint).collect::<Vec<_>>()),
    })
}

#[derive(Deserialize)]
struct TeamParams {
    country: Option<String>,
    signed: Option<String>,
    stale: Option<String>,
    limit: Option<usize>,
    offset: Option<usize>,
    #[serde(flatten)]
    when: WhenParams,
}

fn yes_no(name: &str, v: Option<&str>) -> Result<Option<bool>> {
    match v {
        None => Ok(None),
        Some("yes" | "true" | "1") => Ok(Some(true)),
        Some("no" | "false" | "0") => Ok(Some(false)),
        Some(other) => Err(ApiError::bad(
            "bad-parameter",
            format!("{name} must be yes or no, not {other:?}"),
        )),
    }
}

fn is_valid(outcome: Option<csirt_store::Outcome>) -> bool {
    outcome.is_some_and(|o| o.is_valid())
}

async fn teams(
    State(app): State<Arc<App>>,
    params: std::result::Result<Query<TeamParams>, QueryRejection>,
) -> Result<Json<Value>> {
    let p = query(params)?;
    let (limit, offset) = page(p.limit, p.offset)?;
    let signed = yes_no("signed", p.signed.as_deref())?;
    let stale = yes_no("stale", p.stale.as_deref())?;
    let when = when(&app, &p.when)?;
    let report = app.snapshot().report(when.today, when.stale_after);
    let matching: Vec<&csirt_report::TeamState> = report
        .teams
        .iter()
        .filter(|t| {
            p.country.as_deref().is_none_or(|c| t.in_country(c))
                && signed.is_none_or(|s| is_valid(t.outcome) == s)
                && stale.is_none_or(|s| t.stale == s)
        })
        .collect();
    let page: Vec<_> = matching.iter().skip(offset).take(limit).collect();
    Ok(Json(json!({
        "total": matching.len(), "limit": limit, "offset": offset, "teams": page
    })))
}

async fn team(
    State(app): State<Arc<App>>,
    id: std::result::Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>> {
    let id = team_id(id)?;
    let snap = app.snapshot();
    let report = snap.report(chrono::Utc::now().date_naive(), app.config.stale_after);
    let state = report
        .teams
        .iter()
        .find(|t| t.team_id == Some(id))
        .ok_or_else(|| ApiError::not_found("unknown-team", format!("no team with id {id}")))?;
    let documents: Vec<Value> = snap
        .subjects
        .iter()
        .filter(|s| s.team_id == Some(id))
        .map(|s| {
            let c = s.crawl.as_ref();
            json!({
                "url": s.url,
                "record": s.record,
                "verification": s.verification,
                "key_confirmed_by": s.key_confirmed_by(),
                "unreachable_since": c.and_then(|c| c.failing.as_ref().map(|f| f.0.clone())),
                "unreachable_reason": c.and_then(|c| c.failing.as_ref().map(|f| f.1.clone())),
                "first_seen": c.and_then(|c| c.first_seen),
            })
        })
        .collect();
    let findings: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.team == state.team)
        .collect();
    let listing = snap
        .subjects
        .iter()
        .find(|s| s.team_id == Some(id))
        .and_then(|s| s.listing.as_ref());
    let discovery = snap
        .subjects
        .iter()
        .find(|s| s.team_id == Some(id))
        .and_then(|s| s.discovery.as_ref());
    Ok(Json(json!({
        "team": state,
        "listing": listing,
        "discovery": discovery,
        "documents": documents,
        "findings": findings,
        "last_crawl": snap.last_crawl.as_ref().map(|c| json!({
            "id": c.id, "started": c.started, "finished": c.finished,
            "summary": c.summary.as_deref().and_then(|s| serde_json::from_str::<Value>(s).ok()),
        })),
    })))
}

async fn history(
    State(app): State<Arc<App>>,
    id: std::result::Result<Path<i64>, PathRejection>,
) -> Result<Json<Value>> {
    let id = team_id(id)?;
    if !app
        .snapshot()
        .subjects
        .iter()
        .any(|s| s.team_id == Some(id))
    {
        return Err(ApiError::not_found(
            "unknown-team",
            format!("no team with id {id}"),
        ));
    }
    let a = app.clone();
    let docs = tokio::task::spawn_blocking(move || -> csirt_store::Result<Vec<Value>> {
        let store = a.store.lock().unwrap_or_else(|p| p.into_inner());
        let mut docs = Vec::new();
        for u in store.urls_of(id)? {
            if u.role != csirt_store::Role::Document {
                continue;
            }
            docs.push(json!({"url": u.url, "versions": versions(store.history(u.id)?)}));
        }
        Ok(docs)
    })
    .await
    .map_err(|e| ApiError::internal(format!("history task failed: {e}")))?
    .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(Json(json!({"team_id": id, "documents": docs})))
}

/// Versions newest first, each with what changed from the one before.
fn versions(history: Vec<csirt_store::VersionRow>) -> Vec<Value> {
    let last_update = |v: &csirt_store::VersionRow| -> Option<String> {
        let r: Value = serde_json::from_str(v.record.as_deref()?).ok()?;
        r.pointer("/document/last_update")?
            .as_str()
            .map(String::from)
    };
    let mut out = Vec::with_capacity(history.len());
    for (i, v) in history.iter().enumerate() {
        let older = history.get(i + 1);
        let mut changes = Vec::new();
        match older {
            None => changes.push("first version".to_string()),
            Some(o) => {
                if o.outcome != v.outcome {
                    let code =
                        |o: Option<csirt_store::Outcome>| o.map_or("not checked", |o| o.code());
                    changes.push(format!(
                        "signature outcome {} -> {}",
                        code(o.outcome),
                        code(v.outcome)
                    ));
                }
                if last_update(o) != last_update(v) {
                    changes.push(format!(
                        "date of last update {} -> {}",
                        last_update(o).unwrap_or_else(|| "none".into()),
                        last_update(v).unwrap_or_else(|| "none".into())
                    ));
                }
                if o.size != v.size {
                    changes.push(format!("size {} -> {} bytes", o.size, v.size));
                }
                if changes.is_empty() {
                    changes.push("content changed".into());
                }
            }
        }
        out.push(json!({
            "version_id": v.id,
            "sha256": v.sha256,
            "size": v.size,
            "first_seen": v.first_seen,
            "last_seen": v.last_seen,
            "outcome": v.outcome,
            "last_update": last_update(v),
            "changes": changes,
        }));
    }
    out
}

#[derive(Deserialize)]
struct ReportParams {
    country: Option<String>,
    unsigned: Option<bool>,
    stale: Option<bool>,
    severity: Option<String>,
    code: Option<String>,
    #[serde(flatten)]
    when: WhenParams,
}

async fn report(
    State(app): State<Arc<App>>,
    params: std::result::Result<Query<ReportParams>, QueryRejection>,
) -> Result<Json<Value>> {
    let p = query(params)?;
    let findings = crate::filters::Findings::parse(p.severity.as_deref(), p.code.as_deref())
        .map_err(|e| ApiError::bad("bad-parameter", e))?;
    let when = when(&app, &p.when)?;
    let teams = crate::filters::Teams {
        country: p.country.as_deref(),
        unsigned: p.unsigned.unwrap_or(false),
        stale: p.stale.unwrap_or(false),
    };
    let report = app
        .snapshot()
        .report_of(when.today, when.stale_after, &teams);
    let mut r = csirt_report::Report::clone(&report);
    r.findings.retain(|f| findings.keeps(f));
    Ok(Json(
        serde_json::to_value(&r).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}

async fn changes(State(app): State<Arc<App>>, headers: axum::http::HeaderMap) -> Response {
    // Links point back at this server, as the client addressed it.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        })
        .unwrap_or("localhost");
    let body = feed::atom(&app.snapshot(), &format!("http://{host}"));
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

async fn healthz() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let snap = app.snapshot();
    let mut out = String::with_capacity(4096);
    app.metrics.render(&mut out);
    let now = chrono::Utc::now();
    let finished = snap
        .last_crawl
        .as_ref()
        .and_then(|c| c.finished.as_deref())
        .and_then(|f| chrono::DateTime::parse_from_rfc3339(f).ok());
    let age = finished.map_or(-1.0, |f| {
        (now - f.with_timezone(&chrono::Utc)).num_milliseconds() as f64 / 1000.0
    });
    let report = snap.report(chrono::Utc::now().date_naive(), app.config.stale_after);
    let s = &report.summary;
    let complete = snap
        .last_crawl
        .as_ref()
        .map_or(0, |c| u8::from(c.finished.is_some()));
    out.push_str(&format!(
        "# HELP csirt_index_age_seconds Seconds since the latest crawl finished (-1: never).\n# TYPE csirt_index_age_seconds gauge\ncsirt_index_age_seconds {age}\n\
         # HELP csirt_last_crawl_finished Whether the latest crawl ran to its end.\n# TYPE csirt_last_crawl_finished gauge\ncsirt_last_crawl_finished {complete}\n\
         # HELP csirt_teams Teams in the directory by state.\n# TYPE csirt_teams gauge\n\
         csirt_teams{{state=\"all\"}} {}\ncsirt_teams{{state=\"signed_valid\"}} {}\ncsirt_teams{{state=\"signed_bad\"}} {}\ncsirt_teams{{state=\"unsigned\"}} {}\ncsirt_teams{{state=\"stale\"}} {}\ncsirt_teams{{state=\"unreachable\"}} {}\n",
        s.teams, s.signed_valid, s.signed_bad, s.unsigned, s.stale, s.unreachable
    ));
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        out,
    )
        .into_response()
}

async fn openapi() -> Json<Value> {
    Json(crate::openapi::document())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_reads_only_what_it_needs_and_tolerates_what_is_missing() {
        let record = r#"{"source":"x","team":{"name":"XYZ-CERT","short_name":null},
            "contact":{"emails":["a@b.example"],"phones":[],"time_zone":"UTC"},
            "document":{"last_update":"1997-03-31","locations":["https://x"]},
            "charter":{"constituency":"Universities in Quebec.","mission":"m"},
            "keys":[{"fingerprint":null,"key_id":"0123456789ABCDEF"},{"fingerprint":"AB"}],
            "sections":[{"number":"1","title":"t","field":null,"text":"...","line":1}]}"#;
        assert_eq!(
            summary(record),
            json!({"name": "XYZ-CERT", "emails": ["a@b.example"], "phones": [],
                   "time_zone": "UTC", "last_update": "1997-03-31",
                   "constituency": "Universities in Quebec.", "fingerprints": ["AB"]})
        );
        let empty = json!({"name": null, "emails": null, "phones": null, "time_zone": null,
                           "last_update": null, "constituency": "", "fingerprints": null});
        assert_eq!(summary("{}"), empty);
        // A record that is not what the parser writes gives an empty summary,
        // never an error for the whole search.
        assert_eq!(summary("not json"), empty);
        let long = format!(r#"{{"charter":{{"constituency":"{}"}}}}"#, "é".repeat(400));
        assert_eq!(
            summary(&long)["constituency"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            300
        );
    }
}
