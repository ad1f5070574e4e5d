//! The polite crawler: seeds in, every new version of every team's document,
//! signature and key fetched, parsed, verified and stored.
//!
//! It talks to other teams' web servers, so it is built to be a guest no
//! team would block, and a client no server can hurt:
//!
//! - **politeness** ([`fetch::Fetcher`]): a host is the IP address and port
//!   a name resolves to, so two names on one server share a budget; at most
//!   one request in flight per host, and at least `per_host_interval` from
//!   the head of its last answer to the next request, a global concurrency
//!   cap, robots.txt per
//!   RFC 9309, conditional GET with the stored ETag and Last-Modified, and
//!   back-off with jitter that honours Retry-After;
//! - **limits**: connect and total timeouts, a body cap applied after
//!   decompression, at most five redirects (each one a separate, polite
//!   request), never from https to http;
//! - **addresses** ([`net`]): loopback, private and other non-public
//!   addresses are refused after every resolution unless `allow_private`.
//!
//! For every document it fetches the key named in the seed or in section 2.8
//! (for a document read from disk, only the seed and the files beside it),
//! then the signature named in the seed, else the signature locations the
//! document states, else tries `<url>.asc` and `<url>.sig`. Each new
//! version is checked with [`csirt_check`] (parsing and verification run on
//! tokio's blocking pool, a few at a time) and its record and verification
//! are stored together with [`csirt_store`]. When a team is done, the
//! caller's [`Observer`] hears of it (`csirt-directory` indexes it then).
//!
//! A host that stops answering (two timeouts or failed connections in one
//! crawl) is given up for the rest of that crawl: its remaining URLs are
//! recorded as failed (`host-unresponsive`) without a request.
//!
//! What it is not: it parses nothing itself, writes nothing but through the
//! store, and knows nothing of the search index. [`seeds`] reads the seed
//! list.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod discover;
pub mod fetch;
pub mod net;
pub mod seeds;
mod writer;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use csirt_store::{Fetch, Role, Store};
use csirt_verify::{KeySource, Keyring, Outcome};
use serde::Serialize;

pub use fetch::{FetchError, Fetcher};
pub use seeds::{SeedError, TeamSeed};
pub use url::Url;

/// The crawler's knobs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Least time between two requests to one host.
    pub per_host_interval: Duration,
    /// Requests in flight over all hosts.
    pub concurrency: usize,
    /// Teams crawled at once. A team holds its documents and their parses
    /// in memory from the first fetch to the last check, so this bounds the
    /// crawl's memory whatever the length of the seed list.
    pub teams_at_once: usize,
    /// Total time for one request, body included.
    pub timeout: Duration,
    /// Largest body accepted, after decompression.
    pub max_bytes: usize,
    /// Redirects followed per URL.
    pub max_redirects: usize,
    /// Requests per URL, retries included; 0 is taken as 1.
    pub tries: u32,
    /// First back-off delay; doubled on each retry, with jitter.
    pub retry_base: Duration,
    /// Longest Retry-After honoured; longer ones fail the fetch.
    pub max_retry_after: Duration,
    /// Allow loopback, private and other non-public addresses.
    pub allow_private: bool,
    /// The User-Agent header, with a contact URL.
    pub user_agent: String,
    /// The product token matched against robots.txt groups.
    pub robots_token: String,
    /// Longest time one document may take to parse and verify (PDFs can be
    /// slow); past it the document is recorded as unchecked.
    pub check_deadline: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            per_host_interval: Duration::from_secs(1),
            concurrency: 32,
            teams_at_once: 1024,
            timeout: Duration::from_secs(30),
            max_bytes: 10 * 1024 * 1024,
            max_redirects: 5,
            tries: 3,
            retry_base: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(120),
            allow_private: false,
            user_agent: format!(
                "csirt/{} (+https://github.com/csirt-directory/csirt; RFC 2350 directory crawler)",
                env!("CARGO_PKG_VERSION")
            ),
            robots_token: "csirt".into(),
            check_deadline: Duration::from_secs(60),
        }
    }
}

/// Live counters, for a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Teams in the seed list.
    pub teams: AtomicU64,
    /// Teams finished.
    pub teams_done: AtomicU64,
    /// Failed fetches so far.
    pub failures: AtomicU64,
    /// HTTP requests in flight now.
    pub in_flight: AtomicU64,
}

/// What a crawl did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    /// Teams crawled.
    pub teams: usize,
    /// URLs fetched with a body.
    pub fetched: usize,
    /// URLs the server said were unchanged (304).
    pub unchanged: usize,
    /// Bodies never seen before at their URL.
    pub new_versions: usize,
    /// Failed fetches by reason (guessed `.asc`/`.sig` that do not exist are
    /// not failures).
    pub failed: BTreeMap<String, usize>,
    /// Documents parsed and verified.
    pub checked: usize,
    /// Verification outcomes of the documents checked.
    pub outcomes: BTreeMap<Outcome, usize>,
    /// Body bytes received.
    pub bytes: u64,
    /// HTTP requests sent (robots.txt, retries and redirects included).
    pub requests: u64,
    /// Teams without a document URL whose document was found on their site.
    pub discovered: usize,
    /// Teams without a document URL whose site gave none (`no-rfc2350-found`).
    pub not_discovered: usize,
    /// Wall time in seconds.
    pub seconds: f64,
}

/// Why a crawl could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] csirt_store::Error),
    /// The HTTP client could not be built.
    #[error(transparent)]
    Fetch(#[from] FetchError),
}

/// Parses and verifications at once. They are CPU work: more than the
/// machine's cores only queue inside the kernel, and each holds a document
/// and its parse in memory meanwhile.
fn cpu_at_once() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// What the rest of the program learns as the crawl goes.
pub trait Observer: Send + Sync {
    /// Everything for the team `team_id` is stored (each document's fetch,
    /// record and verification, or why it failed).
    fn team_done(&self, team_id: i64);
}

/// An observer that wants to hear nothing.
impl Observer for () {
    fn team_done(&self, _: i64) {}
}

/// Crawls `seeds` into `store`; returns what happened. Failures of single
/// URLs are recorded and counted, never fatal.
pub async fn crawl(
    seeds: Vec<TeamSeed>,
    store: Store,
    config: Config,
    progress: Arc<Progress>,
    observer: Arc<dyn Observer>,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let fetcher = Arc::new(Fetcher::new(config.clone(), progress.clone())?);
    if store.last_crawl_unfinished()? {
        // The caller holds the crawl lock: nobody else writes blobs now.
        match store.blobs().remove_unfinished() {
            Ok(0) => {}
            Ok(n) => tracing::info!("removed {n} blob files the last crawl left half-written"),
            Err(e) => tracing::warn!("cannot remove half-written blob files: {e}"),
        }
    }
    let crawl_id = store.begin_crawl()?;
    let blobs = store.blobs();
    let (store, writer_thread) = writer::Writer::start(store);
    let cpu = Arc::new(tokio::sync::Semaphore::new(cpu_at_once()));
    let team_slots = Arc::new(tokio::sync::Semaphore::new(config.teams_at_once.max(1)));
    let summary = Arc::new(Mutex::new(Summary {
        teams: seeds.len(),
        ..Summary::default()
    }));
    progress.teams.store(seeds.len() as u64, Ordering::Relaxed);
    let mut tasks = tokio::task::JoinSet::new();
    for seed in seeds {
        let ctx = Ctx {
            fetcher: fetcher.clone(),
            store: store.clone(),
            blobs: blobs.clone(),
            cpu: cpu.clone(),
            summary: summary.clone(),
            progress: progress.clone(),
            config: config.clone(),
            observer: observer.clone(),
        };
        // Teams start in seed order as others finish; never closed.
        let slot = team_slots.clone().acquire_owned().await;
        tasks.spawn(async move {
            let _slot = slot;
            match ctx.team(&seed).await {
                Ok(team_id) => ctx.observer.team_done(team_id),
                Err(e) => tracing::error!(team = %seed.name, "store error: {e}"),
            }
            ctx.progress.teams_done.fetch_add(1, Ordering::Relaxed);
        });
    }
    while let Some(r) = tasks.join_next().await {
        if let Err(e) = r {
            tracing::error!("a team's crawl task failed: {e}");
        }
    }
    let mut s = summary.lock().unwrap_or_else(|p| p.into_inner()).clone();
    s.requests = fetcher.requests.load(Ordering::Relaxed);
    s.seconds = started.elapsed().as_secs_f64();
    let json = serde_json::to_string(&s).unwrap_or_default();
    store
        .call(move |st| st.finish_crawl(crawl_id, &json))
        .await?;
    drop(store);
    // The writer thread ends once the last handle is gone; what it
    // committed is all there is.
    let _ = blocking(move || writer_thread.join()).await;
    Ok(s)
}

/// See [`Ctx::cpu`].
async fn cpu_work<T: Send + 'static>(
    permits: &tokio::sync::Semaphore,
    deadline: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let work = async {
        let _permit = permits.acquire().await.ok()?;
        tokio::task::spawn_blocking(f).await.ok()
    };
    tokio::time::timeout(deadline, work).await.ok().flatten()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(f).await {
        Ok(v) => v,
        Err(e) => std::panic::resume_unwind(e.into_panic()),
    }
}

struct Ctx {
    fetcher: Arc<Fetcher>,
    store: writer::Writer,
    blobs: csirt_store::Blobs,
    /// Permits for parses and verifications ([`cpu_at_once`]).
    cpu: Arc<tokio::sync::Semaphore>,
    summary: Arc<Mutex<Summary>>,
    progress: Arc<Progress>,
    config: Config,
    observer: Arc<dyn Observer>,
}

/// A URL fetched, not stored yet.
struct Unstored {
    url: Url,
    fetch: Fetch,
    failure: Option<FetchError>,
}

/// What the summary needs of a fetch once it is stored.
type Accounting = (Url, Tally, Option<FetchError>);

/// Splits fetches into what the summary needs and what the store keeps.
fn split(fetches: impl IntoIterator<Item = Unstored>) -> (Vec<Accounting>, Vec<Fetch>) {
    fetches
        .into_iter()
        .map(|u| ((u.url, Tally::of(&u.fetch), u.failure), u.fetch))
        .unzip()
}

/// What a stored fetch adds to the summary.
struct Tally {
    unchanged: bool,
    bytes: u64,
}

impl Tally {
    fn of(f: &Fetch) -> Tally {
        Tally {
            unchanged: f.unchanged,
            bytes: f.body.as_ref().map_or(0, Vec::len) as u64,
        }
    }
}

/// A document's keys, fetched and stored before its signature.
#[derive(Clone)]
struct Keys {
    /// The key URLs, to reuse the keys for a team's next document.
    urls: Vec<Url>,
    /// A key is a new version: the document is checked anew.
    new: bool,
    /// The keyring; none when it could not be read within the check
    /// deadline.
    keyring: Option<Arc<Keyring>>,
}

/// A document's signature as the check gets it.
enum Sig {
    /// Unchanged (304): the version stored before.
    Stored(Got),
    /// Fetched just now, stored beside the result.
    Fetched(Box<Unstored>),
}

/// A URL fetched and stored.
struct Got {
    version_id: i64,
    bytes: Vec<u8>,
    new: bool,
}

impl Ctx {
    async fn team(&self, seed: &TeamSeed) -> Result<i64, csirt_store::Error> {
        let (name, country, homepage) = (
            seed.name.clone(),
            seed.country.clone(),
            seed.homepage.as_ref().map(Url::to_string),
        );
        let listing = seed.listing.clone();
        let team_id = self
            .with_store(move |s| {
                let id = s.upsert_team(&name, country.as_deref(), homepage.as_deref())?;
                s.set_listing(id, listing.as_ref())?;
                Ok(id)
            })
            .await?;
        // Without a document URL, the team's site says where it is.
        let (documents, mut prefetched, security_txt) = match seed.documents.is_empty() {
            false => (seed.documents.clone(), Vec::new(), None),
            true => self.found_documents(team_id, seed).await?,
        };
        // A team's documents usually share the seed's key: fetched once.
        let mut team_keys: Option<Keys> = None;
        for (i, doc_url) in documents.iter().enumerate() {
            let pre = prefetched
                .iter()
                .position(|a: &discover::Accepted| a.url == *doc_url)
                .map(|p| prefetched.swap_remove(p).fetched);
            let Some(doc) = (match self
                .fetch(team_id, doc_url, Role::Document, false, pre)
                .await?
            {
                Some(f) => self.store(f).await?,
                None => None,
            }) else {
                continue;
            };
            let clearsigned = csirt_verify::cleartext::is_clearsigned(&doc.bytes);
            // What the document states, for its signature and key URLs: it
            // is parsed now when the seed does not name both, else only
            // when it is checked. A document read from disk is a mirror
            // meant to work offline: its stated URLs point at the internet
            // and are not followed.
            let wants_stated =
                doc_url.scheme() != "file" && (seed.signature.is_none() || seed.key.is_none());
            let mut parsed = None;
            if wants_stated {
                parsed = Some(self.parse(&doc, clearsigned, doc_url).await);
            }
            let stated = parsed
                .as_ref()
                .map(|p| stated_urls(p.record(), doc_url))
                .unwrap_or_default();
            // The seed's key, else the document's, else the one the site's
            // security.txt names.
            let key_urls: Vec<Url> = match &seed.key {
                Some(k) => vec![k.clone()],
                None if stated.keys.is_empty() => security_txt
                    .iter()
                    .flat_map(|t: &discover::SecurityTxt| &t.encryption)
                    .filter_map(|e| Url::parse(e).ok())
                    .filter(|u| matches!(u.scheme(), "http" | "https"))
                    .take(1)
                    .collect(),
                None => stated.keys.iter().take(3).cloned().collect(),
            };
            let keys = match team_keys.take().filter(|k| k.urls == key_urls) {
                Some(k) => k,
                None => self.keys(team_id, key_urls).await?,
            };
            team_keys = Some(keys.clone());
            // The signature's fetch is stored with the result, in one call
            // to the store; failed candidates too.
            let (sig, mut failed) = match clearsigned {
                true => (None, Vec::new()),
                false => {
                    let candidates = signature_candidates(seed, i, &stated, doc_url);
                    self.signature(team_id, candidates).await?
                }
            };
            let sig_new = matches!(&sig, Some(Sig::Stored(g)) if g.new);
            let changed = doc.new || sig_new || keys.new;
            // Nothing new: checked before, unless the last check was cut
            // off. A signature fetched with a body may be new; that is
            // known once it is stored, beside the result.
            if !changed && !matches!(sig, Some(Sig::Fetched(_))) {
                let sig_version = match &sig {
                    Some(Sig::Stored(g)) => Some(g.version_id),
                    _ => None,
                };
                let doc_version = doc.version_id;
                self.store_all(std::mem::take(&mut failed)).await?;
                if self
                    .with_store(move |s| s.has_result(doc_version, sig_version))
                    .await?
                {
                    continue;
                }
            }
            let check = Check {
                doc,
                clearsigned,
                parsed,
                sig,
                failed,
                keys,
                changed,
            };
            self.check(check, doc_url).await?;
        }
        Ok(team_id)
    }

    /// The documents of a team the seed gives none for: those the last
    /// discovery found, else a new discovery's (which is stored). A
    /// discovery's fetches come with it, so they are not made twice.
    async fn found_documents(
        &self,
        team_id: i64,
        seed: &TeamSeed,
    ) -> Result<
        (
            Vec<Url>,
            Vec<discover::Accepted>,
            Option<discover::SecurityTxt>,
        ),
        csirt_store::Error,
    > {
        let last: Option<discover::Discovery> = self
            .with_store(move |s| s.discovery(team_id))
            .await?
            .and_then(|j| serde_json::from_str(&j).ok());
        if let Some(d) = last.filter(|d| !d.documents.is_empty()) {
            let urls: Vec<Url> = d
                .documents
                .iter()
                .filter_map(|u| Url::parse(u).ok())
                .collect();
            // Still there: crawled as any document. Gone: found again.
            let mut answering = Vec::new();
            for u in &urls {
                let got = self.fetcher.get(u, None, None).await;
                if got.result.is_ok() {
                    answering.push(discover::Accepted {
                        url: u.clone(),
                        fetched: got,
                    });
                }
            }
            if !answering.is_empty() {
                return Ok((urls, answering, d.security_txt));
            }
        }
        let Some((site, via)) = seed.discovery_site() else {
            return Ok((Vec::new(), Vec::new(), None));
        };
        let (permits, deadline) = (self.cpu.clone(), self.config.check_deadline);
        let seed = Arc::new(seed.clone());
        let judge = move |bytes: Vec<u8>, url: Url| -> discover::Judged {
            let (permits, seed) = (permits.clone(), seed.clone());
            Box::pin(async move {
                let verdict = cpu_work(&permits, deadline, move || {
                    let r =
                        csirt_parse::parse(&bytes, url.as_str(), &csirt_parse::Options::default());
                    let not = r
                        .diagnostics
                        .iter()
                        .any(|d| d.code == csirt_parse::Code::NotRfc2350);
                    match (not, discover::names_team(&r, &seed)) {
                        (true, _) => discover::Verdict::NotRfc2350,
                        (false, true) => discover::Verdict::Accepted,
                        (false, false) => discover::Verdict::AnotherTeam,
                    }
                })
                .await;
                verdict.unwrap_or(discover::Verdict::NotRfc2350)
            })
        };
        let (d, accepted) = discover::discover(&self.fetcher, &site, via, &judge).await;
        {
            let mut sum = self.summary.lock().unwrap_or_else(|p| p.into_inner());
            sum.discovered += usize::from(!accepted.is_empty());
            sum.not_discovered += usize::from(accepted.is_empty());
        }
        let urls: Vec<Url> = accepted.iter().map(|a| a.url.clone()).collect();
        let security_txt = d.security_txt.clone();
        let json = serde_json::to_string(&d).unwrap_or_default();
        self.with_store(move |s| s.set_discovery(team_id, &json))
            .await?;
        Ok((urls, accepted, security_txt))
    }

    /// Fetches one URL and stores the fetch; the bytes of its current
    /// version, or None when it failed.
    async fn get(
        &self,
        team_id: i64,
        url: &Url,
        role: Role,
        guessed: bool,
    ) -> Result<Option<Got>, csirt_store::Error> {
        match self.fetch(team_id, url, role, guessed, None).await? {
            Some(f) => self.store(f).await,
            None => Ok(None),
        }
    }

    /// Fetches one URL, storing nothing yet; None for a guessed URL that is
    /// not there (not news: it keeps no row).
    async fn fetch(
        &self,
        team_id: i64,
        url: &Url,
        role: Role,
        guessed: bool,
        fetched: Option<fetch::Attempted>,
    ) -> Result<Option<Unstored>, csirt_store::Error> {
        let u = url.to_string();
        let (url_id, (etag, lm)) = self
            .with_store(move |s| {
                let id = s.url(&u, team_id, role)?;
                Ok((id, s.validators(id)?))
            })
            .await?;
        let started = Utc::now();
        // A document discovery fetched already is not asked for again.
        let mut attempted = match fetched {
            Some(a) => a,
            None => self.fetcher.get(url, etag.as_deref(), lm.as_deref()).await,
        };
        if guessed && attempted.result.is_err() {
            return Ok(None);
        }
        let mut fetch = Fetch {
            url_id,
            started: Some(started),
            attempts: attempted.requests,
            ..Fetch::default()
        };
        let failure = match &mut attempted.result {
            Ok(f) => {
                fetch.status = Some(f.status);
                fetch.etag = f.etag.take();
                fetch.last_modified = f.last_modified.take();
                fetch.unchanged = f.status == 304;
                fetch.body = f.body.take();
                None
            }
            Err(e) => {
                fetch.status = match e {
                    FetchError::Status(s) => Some(*s),
                    _ => None,
                };
                fetch.error = Some(format!("{}: {e}", e.reason()));
                Some(e.clone())
            }
        };
        Ok(Some(Unstored {
            url: url.clone(),
            fetch,
            failure,
        }))
    }

    /// Stores a fetch: its body's blob, then its row; the bytes of the
    /// URL's current version, or None when the fetch failed.
    async fn store(&self, f: Unstored) -> Result<Option<Got>, csirt_store::Error> {
        let Unstored {
            url,
            fetch,
            failure,
        } = f;
        let url_id = fetch.url_id;
        let mut fetches = self.write_blobs(vec![fetch]).await?;
        let fetch = fetches.pop().expect("one fetch in, one out");
        let tally = Tally::of(&fetch);
        let (rec, body) = self
            .with_store(move |s| {
                let r = s.record_fetch(&fetch)?;
                Ok((r, fetch.body))
            })
            .await?;
        self.account(&url, &tally, &failure, rec.new_version);
        if failure.is_some() {
            return Ok(None);
        }
        let Some(version_id) = rec.version_id else {
            return Ok(None);
        };
        let bytes = match body {
            Some(b) => b,
            None => {
                // 304: the bytes of the version stored before.
                let v = self.with_store(move |s| s.latest_version(url_id)).await?;
                let Some(v) = v else { return Ok(None) };
                self.with_store(move |s| s.blob(&v.sha256)).await?
            }
        };
        Ok(Some(Got {
            version_id,
            bytes,
            new: rec.new_version,
        }))
    }

    /// Counts a stored fetch in the summary and the progress; logs a
    /// failure.
    fn account(&self, url: &Url, t: &Tally, failure: &Option<FetchError>, new_version: bool) {
        self.tally(t, failure, new_version);
        if let Some(e) = failure {
            self.progress.failures.fetch_add(1, Ordering::Relaxed);
            tracing::info!(%url, "fetch failed: {e}");
        }
    }

    /// [`Ctx::account`] for each of a batch of stored fetches.
    fn account_all(&self, meta: &[Accounting], recorded: &[csirt_store::Recorded]) {
        for ((url, t, failure), r) in meta.iter().zip(recorded) {
            self.account(url, t, failure, r.new_version);
        }
    }

    /// Stores fetches that have no bytes to use (failures), in one call.
    async fn store_all(&self, fetches: Vec<Unstored>) -> Result<(), csirt_store::Error> {
        if fetches.is_empty() {
            return Ok(());
        }
        let (meta, rows) = split(fetches);
        let rows = self.write_blobs(rows).await?;
        let recorded = self
            .with_store(move |s| {
                rows.iter()
                    .map(|f| s.record_fetch(f))
                    .collect::<Result<Vec<_>, _>>()
            })
            .await?;
        self.account_all(&meta, &recorded);
        Ok(())
    }

    /// Fetches the first of `candidates` that has a signature: fetched
    /// (not stored yet) or, unchanged, the version stored before. Also the
    /// candidates that failed, to be stored with the result; a guess that is
    /// not there is not a failure.
    async fn signature(
        &self,
        team_id: i64,
        candidates: Vec<(Url, bool)>,
    ) -> Result<(Option<Sig>, Vec<Unstored>), csirt_store::Error> {
        let mut failed = Vec::new();
        for (u, guessed) in candidates {
            let Some(f) = self
                .fetch(team_id, &u, Role::Signature, guessed, None)
                .await?
            else {
                continue;
            };
            if f.failure.is_some() {
                failed.push(f);
            } else if f.fetch.body.is_some() {
                return Ok((Some(Sig::Fetched(Box::new(f))), failed));
            } else if let Some(g) = self.store(f).await? {
                return Ok((Some(Sig::Stored(g)), failed));
            }
        }
        Ok((None, failed))
    }

    /// Fetches and stores a document's keys, then reads them into a
    /// keyring on the blocking pool, within the check deadline.
    async fn keys(&self, team_id: i64, urls: Vec<Url>) -> Result<Keys, csirt_store::Error> {
        let mut new = false;
        let mut bytes = Vec::new();
        for k in &urls {
            if let Some(g) = self.get(team_id, k, Role::Key, false).await? {
                new |= g.new;
                bytes.push((g.bytes, k.to_string()));
            }
        }
        if bytes.is_empty() {
            return Ok(Keys {
                urls,
                new,
                keyring: Some(Arc::new(Keyring::new())),
            });
        }
        let deadline = self.config.check_deadline;
        let keyring = self
            .cpu(move || {
                let mut keyring = Keyring::new();
                for (bytes, url) in &bytes {
                    keyring.add_bytes(bytes, KeySource::Bytes(url.clone()));
                }
                Arc::new(keyring)
            })
            .await;
        if keyring.is_none() {
            tracing::warn!(?urls, "keys could not be read within {deadline:?}");
        }
        Ok(Keys { urls, new, keyring })
    }

    /// Writes the fetches' bodies (those too large for a row) to disk on
    /// the blocking pool, so that the store's writer thread only records
    /// them; as many at once as parses, so that a thousand teams answering
    /// together do not start a thread each.
    async fn write_blobs(&self, fetches: Vec<Fetch>) -> Result<Vec<Fetch>, csirt_store::Error> {
        let blobs = self.blobs.clone();
        let _permit = self.cpu.acquire().await;
        blocking(move || {
            fetches
                .into_iter()
                .map(|f| match &f.body {
                    Some(b) => Ok(Fetch {
                        written: Some(blobs.put(b)?),
                        ..f
                    }),
                    None => Ok(f),
                })
                .collect()
        })
        .await
    }

    /// Counts a stored fetch in the summary.
    fn tally(&self, t: &Tally, failure: &Option<FetchError>, new_version: bool) {
        let mut sum = self.summary.lock().unwrap_or_else(|p| p.into_inner());
        match failure {
            Some(e) => *sum.failed.entry(e.reason()).or_default() += 1,
            None if t.unchanged => sum.unchanged += 1,
            None => sum.fetched += 1,
        }
        sum.bytes += t.bytes;
        sum.new_versions += usize::from(new_version);
    }

    /// Runs CPU work on tokio's blocking pool, at most [`cpu_at_once`] at
    /// a time and within the check deadline; None past it, or when `f`
    /// panics (a bug costs this document its check, not the team's crawl).
    async fn cpu<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        cpu_work(&self.cpu, self.config.check_deadline, f).await
    }

    /// Parses a document (and reads the keys embedded in it). One that
    /// did not come back within the check deadline (the parser keeps its
    /// own, shorter budget, so only a bug gets here) is a record saying so.
    async fn parse(&self, doc: &Got, clearsigned: bool, url: &Url) -> csirt_check::Prepared {
        let (bytes, u) = (doc.bytes.clone(), url.clone());
        let parsed = self
            .cpu(move || csirt_check::prepare(&bytes, !clearsigned, u.as_str(), Utc::now()))
            .await;
        parsed.unwrap_or_else(|| {
            let deadline = self.config.check_deadline;
            tracing::warn!(%doc.version_id, "document could not be parsed within {deadline:?}");
            csirt_check::Prepared::unread(
                url.as_str(),
                format!("the document was not parsed within {deadline:?}"),
            )
        })
    }

    /// Verifies a document (parsing it first unless it was parsed for its
    /// stated URLs) and stores its record and verification together, with
    /// its signature's fetch and the failed ones: the signature's row gives
    /// the version id the result names.
    async fn check(&self, c: Check, doc_url: &Url) -> Result<(), csirt_store::Error> {
        let Check {
            doc,
            clearsigned,
            parsed,
            sig,
            failed,
            keys,
            changed,
        } = c;
        let doc_version = doc.version_id;
        let (stored_sig, sig_bytes, fetched) = match sig {
            Some(Sig::Stored(g)) => (Some(g.version_id), Some(g.bytes), None),
            Some(Sig::Fetched(u)) => (None, u.fetch.body.clone(), Some(*u)),
            None => (None, None, None),
        };
        // The signature's fetch last: its row gives the version id.
        let has_fetched = fetched.is_some();
        let (meta, rows) = split(failed.into_iter().chain(fetched));
        let rows = self.write_blobs(rows).await?;
        let parsed = match parsed {
            Some(p) => p,
            None => self.parse(&doc, clearsigned, doc_url).await,
        };
        let verified = match keys.keyring {
            Some(keyring) => {
                let prepared = parsed;
                let checked = self
                    .cpu(move || {
                        let c = csirt_check::finish(
                            prepared,
                            &doc.bytes,
                            sig_bytes.as_deref(),
                            &keyring,
                            Utc::now(),
                        );
                        let record = serde_json::to_string(&c.record).unwrap_or_default();
                        let report =
                            serde_json::to_string(&c.verification(&keyring)).unwrap_or_default();
                        (c.report.outcome, record, report)
                    })
                    .await;
                if checked.is_none() {
                    tracing::warn!(%doc_version, "document could not be verified within {:?}", self.config.check_deadline);
                }
                checked
            }
            None => None,
        };
        let outcome = verified.as_ref().map(|v| v.0);
        let (recorded, stored) = self
            .with_store(move |s| {
                let mut recorded = Vec::with_capacity(rows.len());
                for f in &rows {
                    recorded.push(s.record_fetch(f)?);
                }
                let Some((outcome, record, report)) = verified else {
                    return Ok((recorded, false));
                };
                let (sig_version, sig_new) = match (has_fetched, recorded.last()) {
                    (true, Some(r)) => (r.version_id, r.new_version),
                    _ => (stored_sig, false),
                };
                // Unchanged document, signature and keys: checked before,
                // unless the last check was cut off.
                if !changed && !sig_new && s.has_result(doc_version, sig_version)? {
                    return Ok((recorded, false));
                }
                s.record_parse(doc_version, &record)?;
                s.record_result(doc_version, outcome, &report, sig_version)?;
                Ok((recorded, true))
            })
            .await?;
        self.account_all(&meta, &recorded);
        if let Some(outcome) = outcome.filter(|_| stored) {
            let mut sum = self.summary.lock().unwrap_or_else(|p| p.into_inner());
            sum.checked += 1;
            *sum.outcomes.entry(outcome).or_default() += 1;
        }
        Ok(())
    }

    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, csirt_store::Error> + Send + 'static,
    ) -> Result<T, csirt_store::Error> {
        self.store.call(f).await
    }
}

/// A document ready to be checked: everything fetched for it.
struct Check {
    doc: Got,
    clearsigned: bool,
    /// Its parse, when it was parsed for the URLs it states.
    parsed: Option<csirt_check::Prepared>,
    sig: Option<Sig>,
    /// Signature candidates that failed, stored with the result.
    failed: Vec<Unstored>,
    keys: Keys,
    /// The document, its stored signature or a key is a new version, so
    /// the result is stored whatever the signature turns out to be.
    changed: bool,
}

/// Where a document's signature may be, in order, each with whether it is
/// a guess: the seed's (for its first document), else the locations the
/// document states, then `<url>.asc` and `<url>.sig`.
fn signature_candidates(
    seed: &TeamSeed,
    i: usize,
    stated: &Stated,
    doc_url: &Url,
) -> Vec<(Url, bool)> {
    if let (Some(s), 0) = (&seed.signature, i) {
        return vec![(s.clone(), false)];
    }
    let mut candidates: Vec<(Url, bool)> = stated
        .signatures
        .iter()
        .map(|u| (u.clone(), false))
        .collect();
    for ext in ["asc", "sig"] {
        if let Ok(u) = Url::parse(&format!("{doc_url}.{ext}")) {
            candidates.push((u, true));
        }
    }
    candidates
}

/// The signature and key URLs a record states, made absolute against the
/// document's URL; only http(s).
pub fn stated_urls(r: &csirt_parse::Record, doc_url: &Url) -> Stated {
    let abs = |s: &String| {
        Url::parse(s)
            .ok()
            .or_else(|| doc_url.join(s).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
    };
    Stated {
        signatures: r
            .document
            .signature_locations
            .iter()
            .filter_map(abs)
            .collect(),
        keys: r
            .keys
            .iter()
            .filter_map(|k| k.url.as_ref())
            .filter_map(abs)
            .collect(),
    }
}

/// URLs a document states for its signature and keys.
#[derive(Debug, Default)]
pub struct Stated {
    /// Detached signatures (section 1.4 or wherever the document names
    /// `.asc`/`.sig` files).
    pub signatures: Vec<Url>,
    /// Key URLs (section 2.8).
    pub keys: Vec<Url>,
}
