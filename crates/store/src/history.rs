//! Read-only views of what the crawler recorded over time, for reports and
//! the HTTP API: teams, the state of each URL, and each URL's versions.

use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::{Cached, FetchOutcome, Outcome, Result, Role, Store};

/// A team as seeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Team {
    /// Store id.
    pub id: i64,
    /// Name from the seed.
    pub name: String,
    /// ISO 3166-1 country from the seed.
    pub country: Option<String>,
    /// Home page from the seed.
    pub homepage: Option<String>,
    /// What the public directories say of the team, when imported.
    pub listing: Option<crate::Listing>,
    /// The last discovery of its document (JSON), for a team the seed list
    /// gives no document URL.
    pub discovery: Option<String>,
}

/// One fetch as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FetchRow {
    /// When it finished (RFC 3339).
    pub finished: String,
    /// HTTP status, when a response came.
    pub status: Option<u16>,
    /// How it ended.
    pub outcome: FetchOutcome,
    /// Why it failed.
    pub error: Option<String>,
    /// The response's Last-Modified header.
    pub last_modified: Option<String>,
}

/// Where a URL stands after the crawls so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UrlState {
    /// Store id.
    pub id: i64,
    /// The URL.
    pub url: String,
    /// What it is.
    pub role: Role,
    /// The most recent fetch, if it was ever fetched.
    pub last_fetch: Option<FetchRow>,
    /// When a fetch last succeeded (200 or 304).
    pub last_success: Option<String>,
    /// When the current run of failed fetches began (none when the last
    /// fetch succeeded).
    pub failing_since: Option<String>,
    /// The version the latest successful fetch returned.
    pub current_version: Option<i64>,
}

/// One distinct version of a URL with its check results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRow {
    /// Version id.
    pub id: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// First fetched with these bytes.
    pub first_seen: String,
    /// Last fetched with these bytes (or confirmed by a 304).
    pub last_seen: String,
    /// Last-Modified of the first fetch that returned these bytes.
    pub first_last_modified: Option<String>,
    /// Last-Modified of the latest fetch that returned (or kept) them.
    pub last_last_modified: Option<String>,
    /// The verification outcome, when checked.
    pub outcome: Option<Outcome>,
    /// The parse result (JSON), when checked.
    pub record: Option<String>,
    /// The verification (JSON), when checked.
    pub verification: Option<String>,
}

/// A crawl run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrawlRow {
    /// Crawl id.
    pub id: i64,
    /// When it started (RFC 3339).
    pub started: String,
    /// When it finished; none if it never did (killed, crashed, running).
    pub finished: Option<String>,
    /// Its summary (JSON), when it finished.
    pub summary: Option<String>,
}

impl Store {
    /// Every team, by name.
    pub fn teams(&self) -> Result<Vec<Team>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, country, homepage, listing, discovery FROM teams ORDER BY name",
            )
            .map_err(self.db())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Team {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    country: r.get(2)?,
                    homepage: r.get(3)?,
                    listing: r
                        .get::<_, Option<String>>(4)?
                        .and_then(|j| serde_json::from_str(&j).ok()),
                    discovery: r.get(5)?,
                })
            })
            .map_err(self.db())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.db())
    }

    /// One team.
    pub fn team(&self, id: i64) -> Result<Option<Team>> {
        Ok(self.teams()?.into_iter().find(|t| t.id == id))
    }

    /// The URLs of a team and where each stands.
    pub fn urls_of(&self, team_id: i64) -> Result<Vec<UrlState>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT u.id, u.url, u.role,
                   f.finished, f.status, f.outcome, f.error, f.last_modified,
                   (SELECT max(finished) FROM fetches s WHERE s.url_id = u.id AND s.outcome != 'failed'),
                   (SELECT version_id FROM fetches s WHERE s.url_id = u.id AND s.version_id IS NOT NULL ORDER BY s.id DESC LIMIT 1)
                 FROM urls u
                 LEFT JOIN fetches f ON f.id = (SELECT max(id) FROM fetches WHERE url_id = u.id)
                 WHERE u.team_id = ?1 ORDER BY u.id",
            )
            .map_err(self.db())?;
        let rows = stmt
            .query_map([team_id], |r| {
                let finished: Option<String> = r.get(3)?;
                let last_fetch = match finished {
                    Some(finished) => Some(FetchRow {
                        finished,
                        status: r.get(4)?,
                        outcome: r.get(5)?,
                        error: r.get(6)?,
                        last_modified: r.get(7)?,
                    }),
                    None => None,
                };
                Ok(UrlState {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    role: r.get(2)?,
                    last_fetch,
                    last_success: r.get(8)?,
                    failing_since: None,
                    current_version: r.get(9)?,
                })
            })
            .map_err(self.db())?;
        let mut states: Vec<UrlState> = rows
            .collect::<std::result::Result<_, _>>()
            .map_err(self.db())?;
        for s in &mut states {
            if s.last_fetch
                .as_ref()
                .is_some_and(|f| f.outcome == FetchOutcome::Failed)
            {
                s.failing_since = self.failing_since(s.id)?;
            }
        }
        Ok(states)
    }

    /// The start of the current run of failures of a URL.
    fn failing_since(&self, url_id: i64) -> Result<Option<String>> {
        self.conn
            .query_row_cached(
                "SELECT min(finished) FROM fetches WHERE url_id = ?1 AND id > coalesce(
                   (SELECT max(id) FROM fetches WHERE url_id = ?1 AND outcome != 'failed'), 0)",
                params![url_id],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(self.db())
    }

    /// Every version of a URL, newest first, with results.
    pub fn history(&self, url_id: i64) -> Result<Vec<VersionRow>> {
        self.recent_history(url_id, usize::MAX)
    }

    /// The newest `limit` versions of a URL, newest first, with results: a
    /// page that shows a few need not read years of daily versions.
    pub fn recent_history(&self, url_id: i64, limit: usize) -> Result<Vec<VersionRow>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT v.id, v.sha256, b.size, v.first_seen, v.last_seen,
                   (SELECT last_modified FROM fetches f WHERE f.version_id = v.id ORDER BY f.id ASC LIMIT 1),
                   (SELECT last_modified FROM fetches f WHERE f.version_id = v.id ORDER BY f.id DESC LIMIT 1),
                   r.outcome, p.record, r.verification
                 FROM versions v JOIN blobs b ON b.sha256 = v.sha256
                 LEFT JOIN results r ON r.version_id = v.id
                 LEFT JOIN records p ON p.version_id = r.version_id
                 WHERE v.url_id = ?1 ORDER BY v.first_seen DESC, v.id DESC LIMIT ?2",
            )
            .map_err(self.db())?;
        let rows = stmt
            .query_map([url_id, limit], |r| {
                Ok(VersionRow {
                    id: r.get(0)?,
                    sha256: r.get(1)?,
                    size: r.get(2)?,
                    first_seen: r.get(3)?,
                    last_seen: r.get(4)?,
                    first_last_modified: r.get(5)?,
                    last_last_modified: r.get(6)?,
                    outcome: r.get(7)?,
                    record: r.get(8)?,
                    verification: r.get(9)?,
                })
            })
            .map_err(self.db())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.db())
    }

    /// The most recent crawls, newest first.
    pub fn crawls(&self, limit: usize) -> Result<Vec<CrawlRow>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, started, finished, summary FROM crawls ORDER BY id DESC LIMIT ?1",
            )
            .map_err(self.db())?;
        let rows = stmt
            .query_map([limit as i64], |r| {
                Ok(CrawlRow {
                    id: r.get(0)?,
                    started: r.get(1)?,
                    finished: r.get(2)?,
                    summary: r.get(3)?,
                })
            })
            .map_err(self.db())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.db())
    }
}
