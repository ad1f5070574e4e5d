//! The read-only web server over the CSIRT directory: pages for people
//! (search, team pages, the report; [`pages`]) and a JSON API for other
//! tools (ticketing systems, enrichment pipelines, a team's own scripts).
//!
//! [`App`] holds the data directory open: the search index (the same query
//! language and ranking as `csirt-find`), the store, and a [`Snapshot`] of
//! every team's state and findings built after each crawl. [`App::router`]
//! serves it with axum: the pages at `/`, `/teams/{id}` and `/report`, the
//! API under `/v1`, plus `/healthz`, `/metrics` (Prometheus text) and
//! `/openapi.json`. Both read the same snapshot and index, so a page and
//! the API never disagree. [`App::refresh`] picks up a crawl's commit
//! without a restart; requests in flight keep the view they started with.
//!
//! What it is not: it never writes the store or the index, and it does not
//! crawl. Scheduling crawls (and the crawl lock) is the binary's job, which
//! calls [`App::refresh`] after each one.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
mod cache;
mod feed;
mod filters;
pub mod listen;
mod metrics;
pub mod openapi;
pub mod pages;
mod snapshot;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use csirt_store::Store;

pub use listen::{serve, ConnLimits};
pub use snapshot::Snapshot;

/// How the server behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The data directory.
    pub data: PathBuf,
    /// The staleness threshold of requests that give none (`stale_after`).
    pub stale_after: csirt_report::StaleAfter,
    /// Longest query accepted, in bytes.
    pub max_query: usize,
    /// Time allowed for one request.
    pub request_timeout: Duration,
    /// Requests handled at once; more wait.
    pub concurrency: usize,
}

impl Config {
    /// The defaults for a data directory.
    pub fn new(data: &Path) -> Self {
        Config {
            data: data.to_path_buf(),
            stale_after: csirt_report::StaleAfter::DEFAULT,
            max_query: 512,
            request_timeout: Duration::from_secs(10),
            concurrency: 256,
        }
    }
}

/// Why the server could not start or refresh.
#[derive(Debug)]
pub struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// The server's shared state.
pub struct App {
    config: Config,
    index: csirt_index::Index,
    /// The RIRs' delegations, for lookups of addresses no team states.
    delegations: RwLock<Arc<csirt_index::lookup::Delegations>>,
    store: Mutex<Store>,
    snapshot: RwLock<Arc<Snapshot>>,
    metrics: metrics::Metrics,
    cache: cache::SearchCache,
}

impl App {
    /// Opens the data directory (creating an empty one if needed, so a
    /// server can start before the first crawl) and builds the first
    /// snapshot.
    pub fn open(config: Config) -> Result<Arc<App>, Error> {
        let store = Store::open(&config.data).map_err(|e| {
            Error(format!(
                "cannot open the data directory {}: {e}",
                config.data.display()
            ))
        })?;
        let index = csirt_index::Index::open(&config.data.join("search"))
            .map_err(|e| Error(format!("cannot open the search index: {e}")))?;
        let snapshot =
            Snapshot::build(&store).map_err(|e| Error(format!("cannot read the store: {e}")))?;
        let delegations =
            delegations_of(&store).map_err(|e| Error(format!("cannot read the store: {e}")))?;
        Ok(Arc::new(App {
            config,
            index,
            delegations: RwLock::new(Arc::new(delegations)),
            store: Mutex::new(store),
            snapshot: RwLock::new(Arc::new(snapshot)),
            metrics: metrics::Metrics::default(),
            cache: cache::SearchCache::new(4096, 64 << 20),
        }))
    }

    /// Reloads the search index and rebuilds the snapshot from the store
    /// (blocking: call it from a blocking thread). Requests already running
    /// finish with the old ones.
    pub fn refresh(&self) -> Result<(), Error> {
        self.index
            .reload()
            .map_err(|e| Error(format!("cannot reload the search index: {e}")))?;
        let snapshot = {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            Snapshot::build(&store).map_err(|e| Error(format!("cannot read the store: {e}")))?
        };
        *self.snapshot.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(snapshot);
        Ok(())
    }

    /// Makes the latest index commit visible to new searches. The crawler
    /// records its end in the store before its index commit lands, so the
    /// index is reloaded on every tick, not only when a crawl is seen.
    pub fn reload_index(&self) -> Result<(), Error> {
        self.index
            .reload()
            .map_err(|e| Error(format!("cannot reload the search index: {e}")))
    }

    /// Whether a crawl finished since the snapshot was built (by this
    /// process or another, e.g. `csirt crawl` from cron).
    pub fn stale_snapshot(&self) -> bool {
        let latest = {
            let store = self.store.lock().unwrap_or_else(|p| p.into_inner());
            store.crawls(1).ok().and_then(|c| c.into_iter().next())
        };
        let current = self.snapshot().last_crawl.clone();
        latest.map(|c| (c.id, c.finished)) != current.map(|c| (c.id, c.finished))
    }

    /// The current snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The HTTP routes, with timeouts, a concurrency limit, CORS for GET,
    /// and request metrics.
    pub fn router(self: &Arc<Self>) -> axum::Router {
        api::router(self.clone())
    }
}

fn delegations_of(store: &Store) -> csirt_store::Result<csirt_index::lookup::Delegations> {
    let rows = store.delegations()?;
    Ok(csirt_index::lookup::Delegations::from_rows(
        rows.iter()
            .map(|r| (r.kind.as_str(), r.start.as_str(), r.value, r.cc.as_str())),
    ))
}

/// An API error: `{"error": {"code", "message"}}` with its status.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    pub(crate) fn bad(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code,
            message: message.into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        let message = message.into();
        tracing::error!("internal error: {message}");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"error": {"code": self.code, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}
