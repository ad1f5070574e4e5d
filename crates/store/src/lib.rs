//! The csirt data directory: everything the crawler learned, kept forever.
//!
//! A data directory (`index/` by default) holds:
//!
//! - `csirt.db`, an SQLite database in WAL mode: teams, the URLs known for
//!   each (document, signature, key), every fetch (time, status, ETag,
//!   Last-Modified, bytes, hash, error), every distinct version of every URL,
//!   and each document version's parse (`records`, stored as soon as it is
//!   parsed) and verification results (`results`; a record counts only
//!   beside them);
//! - `blobs/`, the bytes of every version, content-addressed by SHA-256 and
//!   stored once however many URLs or crawls produced them. Blobs of at most
//!   [`INLINE_MAX`] bytes (signatures, most keys) are kept in their `blobs`
//!   row instead of a file of their own.
//!
//! Invariants: a version is never overwritten (history is kept); a blob file
//! is written to a temporary file, synced and renamed before any row names
//! it, a small blob is written in the same transaction as the row that names
//! it, and every group of rows is written in one transaction, so a crash at
//! any moment leaves either the old state or the new one, never half of
//! either. An orphan blob file (written, never referenced) is harmless and
//! reused.
//!
//! What it is not: it does no network and no parsing; the crawler hands it
//! bytes and results.
//!
//! ```
//! use csirt_store::{Fetch, Role, Store};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let mut store = Store::open(dir.path()).unwrap();
//! let team = store.upsert_team("XYZ-CERT", None, None).unwrap();
//! let url = store.url("https://example.org/rfc2350.txt", team, Role::Document).unwrap();
//! let rec = store.record_fetch(&Fetch::ok(url, 200, b"1. Document Information".to_vec())).unwrap();
//! assert!(rec.new_version);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod delegations;
mod history;
mod listing;
mod lock;

pub use delegations::Delegation;
pub use history::{CrawlRow, FetchRow, Team, UrlState, VersionRow};
pub use listing::{ListedConstituency, ListedKey, Listing, Provenance};
pub use lock::{CrawlLock, LockError};

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use csirt_verify::Outcome;

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database refused an operation.
    #[error("database {path}: {source}")]
    Db {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A file in the data directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A blob's bytes do not hash to its name.
    #[error("blob {0} is corrupt: its bytes do not match its hash")]
    Corrupt(String),
    /// The writes of a [`Store::batch`] could not be committed; the reason
    /// is the error the commit met.
    #[error("not committed: {0}")]
    NotCommitted(String),
    /// A call queued for a thread that owns the store never finished: the
    /// thread stopped, or the call panicked (its writes were rolled back).
    #[error("the store call was abandoned: its thread stopped or the call panicked")]
    Abandoned,
}

/// Store results.
pub type Result<T> = std::result::Result<T, Error>;

/// What a URL is to its team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An RFC 2350 description.
    Document,
    /// A detached signature over a document.
    Signature,
    /// An OpenPGP key.
    Key,
}

impl Role {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Document => "document",
            Role::Signature => "signature",
            Role::Key => "key",
        }
    }

    fn parse(s: &str) -> Option<Role> {
        [Role::Document, Role::Signature, Role::Key]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// How a fetch ended, as the `fetches` table keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchOutcome {
    /// A body came (a new version or the same bytes again).
    Fetched,
    /// The server said 304: the version stored before is current.
    Unchanged,
    /// No usable answer (the row says why).
    Failed,
}

impl FetchOutcome {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchOutcome::Fetched => "fetched",
            FetchOutcome::Unchanged => "unchanged",
            FetchOutcome::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<FetchOutcome> {
        [
            FetchOutcome::Fetched,
            FetchOutcome::Unchanged,
            FetchOutcome::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// `ToSql`/`FromSql` for a closed set stored by its name: a name the set
/// lacks (a newer csirt wrote it) is an error naming it, never a guess.
macro_rules! stored_by_name {
    ($t:ty, $what:literal) => {
        impl rusqlite::types::ToSql for $t {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $t {
            fn column_result(
                v: rusqlite::types::ValueRef<'_>,
            ) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                <$t>::parse(s).ok_or_else(|| {
                    rusqlite::types::FromSqlError::Other(format!("unknown {} {s:?}", $what).into())
                })
            }
        }
    };
}

stored_by_name!(Role, "URL role");
stored_by_name!(FetchOutcome, "fetch outcome");

/// One fetch of one URL, as the crawler saw it.
#[derive(Debug, Clone, Default)]
pub struct Fetch {
    /// The URL's id from [`Store::url`].
    pub url_id: i64,
    /// When the fetch started.
    pub started: Option<DateTime<Utc>>,
    /// The HTTP status, when a response came.
    pub status: Option<u16>,
    /// The response's ETag.
    pub etag: Option<String>,
    /// The response's Last-Modified.
    pub last_modified: Option<String>,
    /// The body, for a 200.
    pub body: Option<Vec<u8>>,
    /// The server said 304 Not Modified.
    pub unchanged: bool,
    /// Why the fetch failed (a short stable reason, then details).
    pub error: Option<String>,
    /// Requests it took (retries included).
    pub attempts: u32,
    /// The body's blob, when [`Blobs::put`] wrote it already: spares
    /// [`Store::record_fetch`] hashing the body and looking for its file a
    /// second time, under the store's single writer.
    pub written: Option<Written>,
}

/// A blob known to be on disk, or small enough to go into its row with the
/// fetch that names it. Only [`Blobs::put`] makes one.
#[derive(Debug, Clone)]
pub struct Written {
    sha256: String,
    in_row: bool,
}

impl Written {
    /// The blob's SHA-256 (hex).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }
}

/// Largest blob kept in its `blobs` row rather than a file of its own. A
/// file costs an inode, a name and two fsyncs (each a cache flush on the
/// disk, about 0.5 ms here, and they queue on the device), which is most
/// of what storing a 300-byte signature took. A row is written with the
/// fetch that names it, in the same transaction. One SQLite page: bigger
/// blobs (documents, large keys) stay files.
pub const INLINE_MAX: usize = 4096;

/// Whether a blob of `len` bytes is kept in its row (no file, no disk
/// work before the row is written) rather than in a file.
pub fn kept_in_row(len: usize) -> bool {
    len <= INLINE_MAX
}

impl Fetch {
    /// A successful fetch with a body.
    pub fn ok(url_id: i64, status: u16, body: Vec<u8>) -> Self {
        Fetch {
            url_id,
            started: Some(Utc::now()),
            status: Some(status),
            body: Some(body),
            attempts: 1,
            ..Fetch::default()
        }
    }
}

/// What recording a fetch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The fetch row.
    pub fetch_id: i64,
    /// The version the body is (new or seen before); none for 304 or errors.
    pub version_id: Option<i64>,
    /// The body was never seen at this URL before.
    pub new_version: bool,
    /// SHA-256 of the body, hex.
    pub sha256: Option<String>,
}

/// The latest stored version of a URL.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// Version id.
    pub id: i64,
    /// The URL.
    pub url: String,
    /// What the URL is.
    pub role: Role,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: i64,
    /// First fetched with these bytes.
    pub first_seen: String,
}

/// A team's current document, for indexing and reporting.
#[derive(Debug, Clone, Serialize)]
pub struct TeamDocument {
    /// Team id.
    pub team_id: i64,
    /// Team name from the seed.
    pub team: String,
    /// Country from the seed.
    pub country: Option<String>,
    /// The document's latest version.
    pub version: Version,
    /// The parse result (a `csirt-parse` record as JSON), when checked.
    pub record: Option<String>,
    /// The verification outcome, when checked.
    pub outcome: Option<Outcome>,
    /// The verification report as JSON, when checked.
    pub verification: Option<String>,
    /// What the public directories say of the team, when imported.
    pub listing: Option<Listing>,
}

/// Totals for a consistency check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Consistency {
    /// Versions whose blob exists and hashes right.
    pub versions_ok: usize,
    /// Versions whose blob is missing.
    pub missing_blobs: Vec<String>,
    /// SQLite's own integrity check said "ok".
    pub database_ok: bool,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    country TEXT,
    homepage TEXT
);
CREATE TABLE IF NOT EXISTS urls (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    team_id INTEGER NOT NULL REFERENCES teams(id),
    role TEXT NOT NULL,
    UNIQUE (url, team_id, role)
);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    data BLOB
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    url_id INTEGER NOT NULL REFERENCES urls(id),
    sha256 TEXT NOT NULL REFERENCES blobs(sha256),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    UNIQUE (url_id, sha256)
);
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY,
    url_id INTEGER NOT NULL REFERENCES urls(id),
    started TEXT NOT NULL,
    finished TEXT NOT NULL,
    status INTEGER,
    etag TEXT,
    last_modified TEXT,
    bytes INTEGER,
    sha256 TEXT,
    outcome TEXT NOT NULL,
    error TEXT,
    attempts INTEGER NOT NULL,
    version_id INTEGER REFERENCES versions(id)
);
CREATE INDEX IF NOT EXISTS fetches_by_url ON fetches (url_id, id);
-- A team's documents are looked up after each team of a crawl; without
-- this, each lookup scanned every URL of every team (quadratic in teams).
CREATE INDEX IF NOT EXISTS urls_by_team ON urls (team_id, role);
-- A document version's parse, stored as soon as it is parsed: the record
-- is most of what checking a document writes, and the check itself ends in
-- the crawl's last host turn. Read only beside a row of results.
CREATE TABLE IF NOT EXISTS records (
    version_id INTEGER PRIMARY KEY REFERENCES versions(id),
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    version_id INTEGER PRIMARY KEY REFERENCES versions(id),
    outcome TEXT NOT NULL,
    verification TEXT NOT NULL,
    signature_version_id INTEGER REFERENCES versions(id),
    checked TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS crawls (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    finished TEXT,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS delegations (
    registry TEXT NOT NULL,
    kind TEXT NOT NULL,
    start TEXT NOT NULL,
    value INTEGER NOT NULL,
    cc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS delegations_registry ON delegations(registry);
";

/// What [`Store::checkpoint`] did, in pages of the write-ahead log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// Pages in the log.
    pub log_frames: i64,
    /// Pages of the log now in the database too.
    pub copied_frames: i64,
}

/// An open data directory.
pub struct Store {
    conn: Connection,
    dir: PathBuf,
    db_path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("dir", &self.dir).finish()
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// Opens (creating if needed) the data directory `dir`.
    pub fn open(dir: &Path) -> Result<Store> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        fs::create_dir_all(dir.join("blobs")).map_err(io(dir))?;
        let db_path = dir.join("csirt.db");
        let db = |source| Error::Db {
            path: db_path.clone(),
            source,
        };
        let conn = Connection::open(&db_path).map_err(db)?;
        // WAL: readers (csirt-find, the server) never block the crawler's
        // writer; synchronous=NORMAL is durable at each checkpoint and never
        // corrupts on a crash, which is what WAL mode promises.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        // Stores made before small blobs moved into their rows: every blob
        // there is a file, and stays one.
        if !has_column(&conn, "blobs", "data").map_err(db)? {
            conn.execute_batch("ALTER TABLE blobs ADD COLUMN data BLOB")
                .map_err(db)?;
        }
        // Stores made before directory listings were imported and documents
        // discovered.
        for column in ["listing", "discovery"] {
            if !has_column(&conn, "teams", column).map_err(db)? {
                conn.execute_batch(&format!("ALTER TABLE teams ADD COLUMN {column} TEXT"))
                    .map_err(db)?;
            }
        }
        // Stores made before records had a table of their own kept them in
        // their results.
        if has_column(&conn, "results", "record").map_err(db)? {
            conn.execute_batch(
                "BEGIN IMMEDIATE;
                 INSERT OR IGNORE INTO records (version_id, record)
                   SELECT version_id, record FROM results;
                 ALTER TABLE results DROP COLUMN record;
                 COMMIT;",
            )
            .map_err(|e| {
                let _ = conn.execute_batch("ROLLBACK");
                db(e)
            })?;
        }
        Ok(Store {
            conn,
            dir: dir.to_path_buf(),
            db_path,
        })
    }

    /// How long a write waits for another process's write to end before
    /// failing with "database is locked"; 30 seconds from [`Store::open`].
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<()> {
        self.conn.busy_timeout(wait).map_err(self.db())
    }

    /// Copies what the write-ahead log holds into the database, as far as
    /// it can without waiting for readers or writers (a passive
    /// checkpoint). Run by the only writer, it copies the whole log, and the
    /// next commit starts the log from its beginning.
    pub fn checkpoint(&self) -> Result<Checkpointed> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok(Checkpointed {
                    log_frames: r.get(1)?,
                    copied_frames: r.get(2)?,
                })
            })
            .map_err(self.db())
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn db(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        |source| Error::Db {
            path: self.db_path.clone(),
            source,
        }
    }

    /// Adds a team, or updates its country and homepage; returns its id.
    pub fn upsert_team(
        &self,
        name: &str,
        country: Option<&str>,
        homepage: Option<&str>,
    ) -> Result<i64> {
        self.conn
            .query_row_cached(
                "INSERT INTO teams (name, country, homepage) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET country = excluded.country, homepage = excluded.homepage
                 RETURNING id",
                params![name, country, homepage],
                |r| r.get(0),
            )
            .map_err(self.db())
    }

    /// The id of a team's URL in a role, created if new.
    pub fn url(&self, url: &str, team_id: i64, role: Role) -> Result<i64> {
        self.conn
            .query_row_cached(
                "INSERT INTO urls (url, team_id, role) VALUES (?1, ?2, ?3)
                 ON CONFLICT(url, team_id, role) DO UPDATE SET url = excluded.url
                 RETURNING id",
                params![url, team_id, role],
                |r| r.get(0),
            )
            .map_err(self.db())
    }

    /// ETag and Last-Modified of the last successful fetch of a URL, for a
    /// conditional GET.
    pub fn validators(&self, url_id: i64) -> Result<(Option<String>, Option<String>)> {
        Ok(self
            .conn
            .query_row_cached(
                "SELECT etag, last_modified FROM fetches
                 WHERE url_id = ?1 AND outcome IN ('fetched', 'unchanged') AND version_id IS NOT NULL
                 ORDER BY id DESC LIMIT 1",
                params![url_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(self.db())?
            .unwrap_or((None, None)))
    }

    /// The version a URL had at its last successful fetch.
    pub fn latest_version(&self, url_id: i64) -> Result<Option<Version>> {
        self.conn
            .query_row_cached(
                "SELECT v.id, u.url, u.role, v.sha256, b.size, v.first_seen
                 FROM fetches f JOIN versions v ON v.id = f.version_id
                 JOIN urls u ON u.id = v.url_id JOIN blobs b ON b.sha256 = v.sha256
                 WHERE f.url_id = ?1 ORDER BY f.id DESC LIMIT 1",
                params![url_id],
                row_version,
            )
            .optional()
            .map_err(self.db())
    }

    /// Records one fetch: the blob first (durably), then the fetch and the
    /// version rows in one transaction. A 304 refers to the previous version.
    pub fn record_fetch(&mut self, f: &Fetch) -> Result<Recorded> {
        let written = match (&f.body, &f.written) {
            (Some(_), Some(w)) => Some(w.clone()),
            (Some(b), None) => Some(put_blob(&self.dir, b)?),
            (None, _) => None,
        };
        let sha = written.as_ref().map(|w| w.sha256.clone());
        let in_row = written.is_some_and(|w| w.in_row);
        let started = f
            .started
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_else(now);
        let finished = now();
        let previous = if f.unchanged {
            self.latest_version(f.url_id)?.map(|v| v.id)
        } else {
            None
        };
        let db_path = self.db_path.clone();
        let db = move |source| Error::Db {
            path: db_path.clone(),
            source,
        };
        // A savepoint, not a transaction: inside a [`Store::batch`] it
        // nests, on its own it is a transaction.
        let tx = self.conn.savepoint().map_err(&db)?;
        let mut version_id = previous;
        let mut new_version = false;
        if let (Some(sha), Some(body)) = (&sha, &f.body) {
            // A blob stored before as a file keeps its row (and file).
            tx.execute_cached(
                "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?1, ?2, ?3)",
                params![sha, body.len() as i64, in_row.then_some(body)],
            )
            .map_err(&db)?;
            let existing: Option<i64> = tx
                .query_row_cached(
                    "SELECT id FROM versions WHERE url_id = ?1 AND sha256 = ?2",
                    params![f.url_id, sha],
                    |r| r.get(0),
                )
                .optional()
                .map_err(&db)?;
            version_id = Some(match existing {
                Some(id) => {
                    tx.execute_cached(
                        "UPDATE versions SET last_seen = ?1 WHERE id = ?2",
                        params![finished, id],
                    )
                    .map_err(&db)?;
                    id
                }
                None => {
                    new_version = true;
                    tx.query_row_cached(
                        "INSERT INTO versions (url_id, sha256, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3) RETURNING id",
                        params![f.url_id, sha, finished],
                        |r| r.get(0),
                    )
                    .map_err(&db)?
                }
            });
        } else if let Some(id) = previous {
            tx.execute_cached(
                "UPDATE versions SET last_seen = ?1 WHERE id = ?2",
                params![finished, id],
            )
            .map_err(&db)?;
        }
        let outcome = if f.error.is_some() {
            FetchOutcome::Failed
        } else if f.unchanged {
            FetchOutcome::Unchanged
        } else {
            FetchOutcome::Fetched
        };
        let fetch_id: i64 = tx
            .query_row_cached(
                "INSERT INTO fetches (url_id, started, finished, status, etag, last_modified, bytes, sha256, outcome, error, attempts, version_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) RETURNING id",
                params![
                    f.url_id,
                    started,
                    finished,
                    f.status,
                    f.etag,
                    f.last_modified,
                    f.body.as_ref().map(|b| b.len() as i64),
                    sha,
                    outcome,
                    f.error,
                    f.attempts,
                    version_id
                ],
                |r| r.get(0),
            )
            .map_err(&db)?;
        tx.commit().map_err(&db)?;
        Ok(Recorded {
            fetch_id,
            version_id,
            new_version,
            sha256: sha,
        })
    }

    /// Runs `f` with all the writes it makes committed at once, or none of
    /// them. The crawler's writer thread runs the store calls that queued up
    /// meanwhile this way: one commit per batch instead of one per call is
    /// most of what writing costs. A call that fails inside `f` undoes only
    /// its own writes.
    pub fn batch<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> Result<T> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(self.db())?;
        let out = f(self);
        if let Err(e) = self.conn.execute_batch("COMMIT") {
            // SQLite may have rolled back already; a second rollback then
            // fails harmlessly.
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(self.db()(e));
        }
        Ok(out)
    }

    /// Stores the parse of a document version (replacing an earlier one:
    /// a newer parser may read more). It is read once the version also has
    /// results ([`Store::record_result`]): a crawl stores the record as soon
    /// as the document is parsed, the verification when the signature is
    /// in.
    pub fn record_parse(&self, version_id: i64, record_json: &str) -> Result<()> {
        self.conn
            .execute_cached(
                "INSERT INTO records (version_id, record) VALUES (?1, ?2)
                 ON CONFLICT(version_id) DO UPDATE SET record = excluded.record
                 WHERE record IS NOT excluded.record",
                params![version_id, record_json],
            )
            .map_err(self.db())?;
        Ok(())
    }

    /// Stores the verification results of a document version (replacing
    /// earlier results for it: a newer verifier may know more); its record
    /// is stored by [`Store::record_parse`], before or in the same batch.
    pub fn record_result(
        &self,
        version_id: i64,
        outcome: Outcome,
        verification_json: &str,
        signature_version_id: Option<i64>,
    ) -> Result<()> {
        self.conn
            .execute_cached(
                "INSERT INTO results (version_id, outcome, verification, signature_version_id, checked)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(version_id) DO UPDATE SET outcome = excluded.outcome,
                   verification = excluded.verification, signature_version_id = excluded.signature_version_id,
                   checked = excluded.checked",
                params![version_id, outcome, verification_json, signature_version_id, now()],
            )
            .map_err(self.db())?;
        Ok(())
    }

    /// Whether a document version already has results checked against this
    /// signature version.
    pub fn has_result(&self, version_id: i64, signature_version_id: Option<i64>) -> Result<bool> {
        self.conn
            .query_row_cached(
                "SELECT 1 FROM results WHERE version_id = ?1 AND signature_version_id IS ?2",
                params![version_id, signature_version_id],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(self.db())
    }

    /// The bytes of a blob, from its row or its file, checked against its
    /// hash.
    pub fn blob(&self, sha256: &str) -> Result<Vec<u8>> {
        let in_row: Option<Vec<u8>> = self
            .conn
            .query_row_cached(
                "SELECT data FROM blobs WHERE sha256 = ?1 AND data IS NOT NULL",
                params![sha256],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db())?;
        let bytes = match in_row {
            Some(b) => b,
            None => {
                let path = self.blob_path(sha256);
                fs::read(&path).map_err(|source| Error::Io { path, source })?
            }
        };
        if hex(&Sha256::digest(&bytes)) != sha256 {
            return Err(Error::Corrupt(sha256.to_string()));
        }
        Ok(bytes)
    }

    /// Every team's latest document version with its results.
    pub fn team_documents(&self) -> Result<Vec<TeamDocument>> {
        self.documents_where("1 = ?1", 1)
    }

    /// One team's latest document versions with their results.
    pub fn documents_of(&self, team_id: i64) -> Result<Vec<TeamDocument>> {
        self.documents_where("t.id = ?1", team_id)
    }

    fn documents_where(&self, cond: &str, arg: i64) -> Result<Vec<TeamDocument>> {
        let mut stmt = self
            .conn
            .prepare_cached(&documents_sql(cond))
            .map_err(self.db())?;
        let rows = stmt
            .query_map([arg], |r| {
                Ok(TeamDocument {
                    team_id: r.get(0)?,
                    team: r.get(1)?,
                    country: r.get(2)?,
                    version: Version {
                        id: r.get(3)?,
                        url: r.get(4)?,
                        role: r.get(5)?,
                        sha256: r.get(6)?,
                        size: r.get(7)?,
                        first_seen: r.get(8)?,
                    },
                    record: r.get(9)?,
                    outcome: r.get(10)?,
                    verification: r.get(11)?,
                    listing: r
                        .get::<_, Option<String>>(12)?
                        .and_then(|j| serde_json::from_str(&j).ok()),
                })
            })
            .map_err(self.db())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.db())
    }

    /// Starts a crawl row; returns its id.
    pub fn begin_crawl(&self) -> Result<i64> {
        self.conn
            .query_row_cached(
                "INSERT INTO crawls (started) VALUES (?1) RETURNING id",
                params![now()],
                |r| r.get(0),
            )
            .map_err(self.db())
    }

    /// Whether the last crawl begun never finished: its process died, and
    /// may have left blob files half-written ([`Blobs::remove_unfinished`]).
    pub fn last_crawl_unfinished(&self) -> Result<bool> {
        Ok(self
            .conn
            .query_row_cached(
                "SELECT finished IS NULL FROM crawls ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.db())?
            .unwrap_or(false))
    }

    /// Closes a crawl row with its summary.
    pub fn finish_crawl(&self, id: i64, summary_json: &str) -> Result<()> {
        self.conn
            .execute_cached(
                "UPDATE crawls SET finished = ?1, summary = ?2 WHERE id = ?3",
                params![now(), summary_json, id],
            )
            .map_err(self.db())?;
        Ok(())
    }

    /// Counts rows in a table (for tests and summaries).
    pub fn count(&self, table: &str) -> Result<i64> {
        let table = match table {
            "teams" | "urls" | "blobs" | "versions" | "fetches" | "records" | "results"
            | "crawls" => table,
            _ => return Ok(0),
        };
        self.conn
            .query_row_cached(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .map_err(self.db())
    }

    /// Checks that the database is sound and every version's bytes exist
    /// and hash right.
    pub fn check(&self) -> Result<Consistency> {
        let integrity: String = self
            .conn
            .query_row_cached("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(self.db())?;
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT sha256 FROM versions")
            .map_err(self.db())?;
        let hashes: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(self.db())?
            .collect::<std::result::Result<_, _>>()
            .map_err(self.db())?;
        let mut c = Consistency {
            database_ok: integrity == "ok",
            ..Consistency::default()
        };
        for h in hashes {
            match self.blob(&h) {
                Ok(_) => c.versions_ok += 1,
                Err(_) => c.missing_blobs.push(h),
            }
        }
        Ok(c)
    }

    fn blob_path(&self, sha256: &str) -> PathBuf {
        blob_path(&self.dir, sha256)
    }

    /// A handle that writes blobs without this store's lock.
    pub fn blobs(&self) -> Blobs {
        Blobs {
            dir: self.dir.clone(),
        }
    }
}

/// Writes blobs without holding the database: content-addressed files need
/// no lock, so several can be synced to disk at once while another thread
/// holds the [`Store`]. [`Store::record_fetch`] then finds the file there.
#[derive(Debug, Clone)]
pub struct Blobs {
    dir: PathBuf,
}

impl Blobs {
    /// Writes `bytes` if no blob has them yet; returns the proof that they
    /// are on disk (or, at most [`INLINE_MAX`] bytes, ready for their row),
    /// for [`Fetch::written`].
    pub fn put(&self, bytes: &[u8]) -> Result<Written> {
        put_blob(&self.dir, bytes)
    }

    /// Removes the temporary files of blobs whose writing never finished
    /// (a process killed between writing a blob and naming it); returns how
    /// many. No row names them. Only while nobody writes blobs: a crawl
    /// calls it under the crawl lock.
    pub fn remove_unfinished(&self) -> Result<usize> {
        let root = self.dir.join("blobs");
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Io { path, source }
        };
        let mut removed = 0;
        for shard in fs::read_dir(&root).map_err(io(&root))? {
            let shard = shard.map_err(io(&root))?.path();
            if !shard.is_dir() {
                continue;
            }
            for f in fs::read_dir(&shard).map_err(io(&shard))? {
                let f = f.map_err(io(&shard))?;
                if f.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    fs::remove_file(f.path()).map_err(io(&f.path()))?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// How a blob's temporary file name starts (see [`put_blob`]).
const TMP_PREFIX: &str = ".tmp-";

fn blob_path(dir: &Path, sha256: &str) -> PathBuf {
    let (a, b) = sha256.split_at(2.min(sha256.len()));
    dir.join("blobs").join(a).join(b)
}

/// Whether `table` has `column`: what tells a store made by an older
/// version, whose schema [`Store::open`] brings up to date.
fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2",
        params![table, column],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// The latest version of each document URL matching `cond`, with its
/// results.
fn documents_sql(cond: &str) -> String {
    format!(
        "SELECT t.id, t.name, t.country, v.id, u.url, u.role, v.sha256, b.size, v.first_seen,
                p.record, r.outcome, r.verification, t.listing
         FROM urls u JOIN teams t ON t.id = u.team_id
         JOIN versions v ON v.id = (SELECT f.version_id FROM fetches f WHERE f.url_id = u.id AND f.version_id IS NOT NULL ORDER BY f.id DESC LIMIT 1)
         JOIN blobs b ON b.sha256 = v.sha256
         LEFT JOIN results r ON r.version_id = v.id
         LEFT JOIN records p ON p.version_id = r.version_id
         WHERE u.role = 'document' AND {cond} ORDER BY t.name, u.url"
    )
}

/// Temporary file, fsync, rename, fsync the folder: a blob is either whole
/// under its name or not there. A blob of at most [`INLINE_MAX`] bytes gets
/// no file: its row will hold it.
fn put_blob(dir: &Path, bytes: &[u8]) -> Result<Written> {
    let sha = hex(&Sha256::digest(bytes));
    if kept_in_row(bytes.len()) {
        return Ok(Written {
            sha256: sha,
            in_row: true,
        });
    }
    let path = blob_path(dir, &sha);
    let written = Written {
        sha256: sha.clone(),
        in_row: false,
    };
    if path.exists() {
        return Ok(written);
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let parent = path.parent().unwrap_or(dir);
    fs::create_dir_all(parent).map_err(io(parent))?;
    // Unique per writer: two threads may write the same new blob at once.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    // Beside its final name: a rename within one folder takes only that
    // folder's lock, and writers of different blobs rarely share one of the
    // 256 folders. One shared `tmp/` made every blob of a 500-host crawl
    // queue on that folder's lock (ratio 1.14-1.17 -> 1.125-1.13). A crash
    // leaves a dot-file that no row names; the next crawl removes it.
    let tmp = parent.join(format!("{TMP_PREFIX}{sha}.{}.{n}", std::process::id()));
    {
        let mut f = fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(bytes).map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    fs::rename(&tmp, &path).map_err(io(&path))?;
    if let Ok(d) = fs::File::open(parent) {
        let _ = d.sync_all();
    }
    Ok(written)
}

/// Prepared statements are cached per connection: the crawler runs the same
/// few statements thousands of times, and parsing SQL each time showed up as
/// contention on the store's lock.
trait Cached {
    fn query_row_cached<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T>;
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Cached for Connection {
    fn query_row_cached<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

fn row_version(r: &rusqlite::Row<'_>) -> rusqlite::Result<Version> {
    Ok(Version {
        id: r.get(0)?,
        url: r.get(1)?,
        role: r.get(2)?,
        sha256: r.get(3)?,
        size: r.get(4)?,
        first_seen: r.get(5)?,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regression: one team's documents were found by scanning the URLs of
    /// all teams, which made indexing after a crawl quadratic in teams.
    #[test]
    fn a_teams_documents_are_found_without_scanning_all_urls() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let plan: Vec<String> = store
            .conn
            .prepare(&format!(
                "EXPLAIN QUERY PLAN {}",
                documents_sql("t.id = ?1")
            ))
            .unwrap()
            .query_map([1], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<std::result::Result<_, _>>()
            .unwrap();
        assert!(!plan.iter().any(|p| p.starts_with("SCAN")), "{plan:?}");
    }

    #[test]
    fn a_killed_crawls_half_written_blobs_are_found_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert!(!s.last_crawl_unfinished().unwrap(), "no crawl yet");
        // A file: small blobs are written with their rows, never half.
        let bytes = vec![b'v'; INLINE_MAX + 1];
        let kept = s.blobs().put(&bytes).unwrap();
        // What a process killed between writing a blob and naming it leaves.
        let shard = blob_path(dir.path(), kept.sha256())
            .parent()
            .unwrap()
            .to_path_buf();
        let orphan = shard.join(format!("{TMP_PREFIX}{}.4242.0", "ab".repeat(32)));
        fs::write(&orphan, b"half").unwrap();
        let crawl = s.begin_crawl().unwrap();
        assert!(s.last_crawl_unfinished().unwrap());
        assert_eq!(s.blobs().remove_unfinished().unwrap(), 1);
        assert!(!orphan.exists());
        assert_eq!(s.blob(kept.sha256()).unwrap(), bytes);
        s.finish_crawl(crawl, "{}").unwrap();
        assert!(!s.last_crawl_unfinished().unwrap());
    }

    #[test]
    fn versions_are_kept_and_deduplicated() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let t = s.upsert_team("T", Some("LU"), None).unwrap();
        assert_eq!(s.upsert_team("T", Some("LU"), None).unwrap(), t);
        let u = s.url("https://x/doc", t, Role::Document).unwrap();
        let a = s.record_fetch(&Fetch::ok(u, 200, b"v1".to_vec())).unwrap();
        let b = s.record_fetch(&Fetch::ok(u, 200, b"v1".to_vec())).unwrap();
        let c = s.record_fetch(&Fetch::ok(u, 200, b"v2".to_vec())).unwrap();
        assert!(a.new_version && !b.new_version && c.new_version);
        assert_eq!(a.version_id, b.version_id);
        assert_eq!(s.count("versions").unwrap(), 2);
        assert_eq!(s.count("fetches").unwrap(), 3);
        let unchanged = Fetch {
            url_id: u,
            unchanged: true,
            status: Some(304),
            attempts: 1,
            ..Fetch::default()
        };
        let d = s.record_fetch(&unchanged).unwrap();
        assert_eq!(d.version_id, c.version_id);
        assert_eq!(s.blob(c.sha256.as_deref().unwrap()).unwrap(), b"v2");
        let check = s.check().unwrap();
        assert!(check.database_ok && check.missing_blobs.is_empty());
        assert_eq!(check.versions_ok, 2);
    }

    /// A store with one team whose document has one version: the team,
    /// URL and version ids.
    fn one_document(s: &mut Store) -> (i64, i64, i64) {
        let t = s.upsert_team("T", None, None).unwrap();
        let u = s.url("https://x/doc", t, Role::Document).unwrap();
        let v = s
            .record_fetch(&Fetch::ok(u, 200, b"v1".to_vec()))
            .unwrap()
            .version_id
            .unwrap();
        (t, u, v)
    }

    #[test]
    fn recent_history_reads_only_the_newest_versions() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let (_, u, _) = one_document(&mut s);
        for body in [b"v2".to_vec(), b"v3".to_vec()] {
            s.record_fetch(&Fetch::ok(u, 200, body)).unwrap();
        }
        let all = s.history(u).unwrap();
        assert_eq!(all.len(), 3);
        let recent = s.recent_history(u, 2).unwrap();
        assert_eq!(recent, all[..2]);
        assert!(s.recent_history(u, 0).unwrap().is_empty());
    }

    #[test]
    fn a_record_without_its_result_reads_as_not_checked() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let (t, u, v) = one_document(&mut s);
        // A record alone (a store of an older version that wrote records
        // first, killed before the result): the version is not checked.
        s.record_parse(v, r#"{"a":1}"#).unwrap();
        let d = &s.documents_of(t).unwrap()[0];
        assert_eq!((d.record.as_deref(), d.outcome), (None, None));
        s.record_result(v, Outcome::Unsigned, "{}", None).unwrap();
        let d = &s.documents_of(t).unwrap()[0];
        assert_eq!(d.record.as_deref(), Some(r#"{"a":1}"#));
        assert_eq!(d.outcome, Some(Outcome::Unsigned));
        // A newer parse replaces the record; the history reads it too.
        s.record_parse(v, r#"{"a":2}"#).unwrap();
        assert_eq!(
            s.history(u).unwrap()[0].record.as_deref(),
            Some(r#"{"a":2}"#)
        );
    }

    #[test]
    fn a_store_whose_records_are_in_their_results_opens_and_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let (t, u) = {
            let mut s = Store::open(dir.path()).unwrap();
            let (t, u, v) = one_document(&mut s);
            // As stores before records had a table of their own kept them.
            s.conn
                .execute_batch(&format!(
                    "DROP TABLE records;
                     DROP TABLE results;
                     CREATE TABLE results (
                         version_id INTEGER PRIMARY KEY REFERENCES versions(id),
                         record TEXT NOT NULL,
                         outcome TEXT NOT NULL,
                         verification TEXT NOT NULL,
                         signature_version_id INTEGER REFERENCES versions(id),
                         checked TEXT NOT NULL
                     );
                     INSERT INTO results VALUES ({v}, '{{\"old\":true}}', 'valid', '{{}}', NULL, 'then');"
                ))
                .unwrap();
            (t, u)
        };
        let s = Store::open(dir.path()).unwrap();
        assert!(!has_column(&s.conn, "results", "record").unwrap());
        let d = &s.documents_of(t).unwrap()[0];
        assert_eq!(d.record.as_deref(), Some(r#"{"old":true}"#));
        assert_eq!(d.outcome, Some(Outcome::Valid));
        assert_eq!(s.count("records").unwrap(), 1);
        // Results are written the new way from now on.
        s.record_result(d.version.id, Outcome::Unsigned, "{}", None)
            .unwrap();
        assert_eq!(
            s.history(u).unwrap()[0].record.as_deref(),
            Some(r#"{"old":true}"#)
        );
        // Opening again finds nothing left to move.
        drop(s);
        assert_eq!(
            Store::open(dir.path()).unwrap().count("records").unwrap(),
            1
        );
    }

    #[test]
    fn an_outcome_this_version_does_not_know_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let (t, _, v) = one_document(&mut s);
        s.record_parse(v, "{}").unwrap();
        s.record_result(v, Outcome::Valid, "{}", None).unwrap();
        s.conn
            .execute("UPDATE results SET outcome = 'valid-in-2030'", [])
            .unwrap();
        let err = s.documents_of(t).unwrap_err().to_string();
        assert!(err.contains("valid-in-2030"), "{err}");
    }

    #[test]
    fn a_call_that_fails_in_a_batch_undoes_only_its_own_writes() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let t = s.upsert_team("T", None, None).unwrap();
        let u = s.url("https://x/doc", t, Role::Document).unwrap();
        let (good, bad) = s
            .batch(|s| {
                let good = s.record_fetch(&Fetch::ok(u, 200, b"v1".to_vec()));
                // No such URL: the fetch row breaks a foreign key after the
                // version row was written.
                let bad = s.record_fetch(&Fetch::ok(u + 1000, 200, b"v2".to_vec()));
                (good, bad)
            })
            .unwrap();
        assert!(good.unwrap().new_version);
        assert!(matches!(bad, Err(Error::Db { .. })), "{bad:?}");
        drop(s);
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.count("versions").unwrap(), 1);
        assert_eq!(s.count("fetches").unwrap(), 1);
    }

    #[test]
    fn a_fetch_whose_blob_is_written_is_recorded_under_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let t = s.upsert_team("T", None, None).unwrap();
        let u = s.url("https://x/doc", t, Role::Document).unwrap();
        let written = s.blobs().put(b"v1").unwrap();
        let f = Fetch {
            written: Some(written.clone()),
            ..Fetch::ok(u, 200, b"v1".to_vec())
        };
        let r = s.record_fetch(&f).unwrap();
        assert_eq!(r.sha256.as_deref(), Some(written.sha256()));
        assert_eq!(s.blob(written.sha256()).unwrap(), b"v1");
        assert_eq!(s.check().unwrap().versions_ok, 1);
    }

    /// Every file under `blobs/`, hidden ones included.
    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for shard in fs::read_dir(dir.join("blobs")).unwrap() {
            let shard = shard.unwrap().path();
            if shard.is_dir() {
                out.extend(fs::read_dir(&shard).unwrap().map(|f| f.unwrap().path()));
            } else {
                out.push(shard);
            }
        }
        out
    }

    #[test]
    fn small_blobs_live_in_their_rows_and_big_ones_in_files() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let t = s.upsert_team("T", None, None).unwrap();
        let sig = s.url("https://x/doc.asc", t, Role::Signature).unwrap();
        let doc = s.url("https://x/doc", t, Role::Document).unwrap();
        let small = vec![b's'; INLINE_MAX];
        let big = vec![b'd'; INLINE_MAX + 1];
        // One through the crawler's path (written first), one through the
        // store alone.
        let written = s.blobs().put(&small).unwrap();
        let a = s
            .record_fetch(&Fetch {
                written: Some(written),
                ..Fetch::ok(sig, 200, small.clone())
            })
            .unwrap();
        let b = s.record_fetch(&Fetch::ok(doc, 200, big.clone())).unwrap();
        let (a, b) = (a.sha256.unwrap(), b.sha256.unwrap());
        assert_eq!(files_under(dir.path()), [blob_path(dir.path(), &b)]);
        assert_eq!(s.blob(&a).unwrap(), small);
        assert_eq!(s.blob(&b).unwrap(), big);
        let c = s.check().unwrap();
        assert_eq!((c.versions_ok, c.missing_blobs.len()), (2, 0));
    }

    #[test]
    fn a_store_whose_blobs_are_all_files_opens_and_reads_them() {
        let dir = tempfile::tempdir().unwrap();
        let old = {
            let s = Store::open(dir.path()).unwrap();
            let t = s.upsert_team("T", None, None).unwrap();
            let u = s.url("https://x/doc.asc", t, Role::Signature).unwrap();
            // As stores before row blobs kept a small blob: a file, and a
            // row without its bytes.
            let sha = hex(&Sha256::digest(b"old signature"));
            let path = blob_path(dir.path(), &sha);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, b"old signature").unwrap();
            s.conn
                .execute_batch(&format!(
                    "ALTER TABLE blobs DROP COLUMN data;
                     INSERT INTO blobs (sha256, size) VALUES ('{sha}', 13);
                     INSERT INTO versions (url_id, sha256, first_seen, last_seen)
                     VALUES ({u}, '{sha}', 'then', 'then');"
                ))
                .unwrap();
            sha
        };
        let mut s = Store::open(dir.path()).unwrap();
        assert_eq!(s.blob(&old).unwrap(), b"old signature");
        // The same bytes fetched again keep their file.
        let t = s.upsert_team("T", None, None).unwrap();
        let u = s.url("https://x/doc.asc", t, Role::Signature).unwrap();
        let r = s
            .record_fetch(&Fetch::ok(u, 200, b"old signature".to_vec()))
            .unwrap();
        assert!(!r.new_version);
        assert_eq!(s.blob(&old).unwrap(), b"old signature");
        let new = s
            .record_fetch(&Fetch::ok(u, 200, b"new signature".to_vec()))
            .unwrap();
        assert_eq!(s.blob(&new.sha256.unwrap()).unwrap(), b"new signature");
        assert_eq!(files_under(dir.path()), [blob_path(dir.path(), &old)]);
    }

    #[test]
    fn a_corrupt_blob_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let t = s.upsert_team("T", None, None).unwrap();
        let u = s.url("https://x/doc", t, Role::Document).unwrap();
        let in_file = s
            .record_fetch(&Fetch::ok(u, 200, vec![b'f'; INLINE_MAX + 1]))
            .unwrap()
            .sha256
            .unwrap();
        fs::write(s.blob_path(&in_file), b"other").unwrap();
        assert!(matches!(s.blob(&in_file), Err(Error::Corrupt(_))));
        let in_row = s
            .record_fetch(&Fetch::ok(u, 200, b"bytes".to_vec()))
            .unwrap()
            .sha256
            .unwrap();
        s.conn
            .execute("UPDATE blobs SET data = x'00' WHERE sha256 = ?1", [&in_row])
            .unwrap();
        assert!(matches!(s.blob(&in_row), Err(Error::Corrupt(_))));
        let mut missing = s.check().unwrap().missing_blobs;
        missing.sort();
        let mut both = [in_file, in_row];
        both.sort();
        assert_eq!(missing, both);
    }

    #[test]
    fn failures_are_recorded_and_do_not_touch_validators() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        let t = s.upsert_team("T", None, None).unwrap();
        let u = s.url("https://x/doc", t, Role::Document).unwrap();
        let mut ok = Fetch::ok(u, 200, b"v1".to_vec());
        ok.etag = Some("\"abc\"".into());
        s.record_fetch(&ok).unwrap();
        let failed = Fetch {
            url_id: u,
            error: Some("timeout".into()),
            attempts: 3,
            ..Fetch::default()
        };
        s.record_fetch(&failed).unwrap();
        assert_eq!(s.validators(u).unwrap().0.as_deref(), Some("\"abc\""));
    }
}
