//! One URL fetched politely: the host's turn, robots.txt, limits, retries,
//! redirects one hop at a time.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{
    HeaderMap, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED, LOCATION, RETRY_AFTER,
};
use reqwest::StatusCode;
use tokio::sync::{OnceCell, Semaphore};
use url::Url;

use crate::net;
use crate::Config;

/// Why a fetch failed. [`FetchError::reason`] is the stable code the
/// summary and the store count by.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// Only non-public addresses and `--allow-private` not given.
    #[error(transparent)]
    Refused(#[from] net::Refused),
    /// DNS failed.
    #[error("{0}")]
    Dns(String),
    /// robots.txt disallows the URL for our user agent.
    #[error("robots.txt disallows {0}")]
    Robots(String),
    /// No connection could be made.
    #[error("connect: {0}")]
    Connect(String),
    /// The request took longer than the timeout.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// The body is larger than the cap (after decompression).
    #[error("body larger than {0} bytes")]
    TooLarge(usize),
    /// More than the allowed number of redirects.
    #[error("more than {0} redirects")]
    TooManyRedirects(usize),
    /// A redirect from https to http.
    #[error("redirect from https to http refused: {0}")]
    Downgrade(String),
    /// A redirect without a usable Location.
    #[error("redirect without a usable Location")]
    BadRedirect,
    /// An HTTP error status after retries.
    #[error("HTTP {0}")]
    Status(u16),
    /// The server asked to wait longer than we are willing to.
    #[error("server asked to retry after {0:?}")]
    RetryAfterTooLong(Duration),
    /// A local file could not be read.
    #[error("{0}")]
    File(String),
    /// The host failed to answer twice in this crawl (timeouts, refused
    /// connections), so it was not asked again; the first failure.
    #[error("the host stopped answering in this crawl (first: {0}); not requested")]
    HostUnresponsive(Box<FetchError>),
    /// Anything else the HTTP stack reported.
    #[error("{0}")]
    Other(String),
}

impl FetchError {
    /// A short stable code for counting failures.
    pub fn reason(&self) -> String {
        match self {
            FetchError::Refused(_) => "private-address".into(),
            FetchError::Dns(_) => "dns".into(),
            FetchError::Robots(_) => "robots-disallowed".into(),
            FetchError::Connect(_) => "connect".into(),
            FetchError::Timeout(_) => "timeout".into(),
            FetchError::TooLarge(_) => "too-large".into(),
            FetchError::TooManyRedirects(_) => "too-many-redirects".into(),
            FetchError::Downgrade(_) => "https-downgrade".into(),
            FetchError::BadRedirect => "bad-redirect".into(),
            FetchError::Status(s) => format!("http-{s}"),
            FetchError::RetryAfterTooLong(_) => "retry-after-too-long".into(),
            FetchError::File(_) => "file".into(),
            FetchError::HostUnresponsive(_) => "host-unresponsive".into(),
            FetchError::Other(_) => "other".into(),
        }
    }
}

/// A successful fetch.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// Final HTTP status (200 or 304; 200 for files).
    pub status: u16,
    /// The body, unless 304.
    pub body: Option<Vec<u8>>,
    /// ETag.
    pub etag: Option<String>,
    /// Last-Modified.
    pub last_modified: Option<String>,
    /// The URL the body came from after redirects.
    pub final_url: Option<Url>,
}

/// The outcome of [`Fetcher::get`] with the number of HTTP requests it took.
#[derive(Debug)]
pub struct Attempted {
    /// What happened.
    pub result: Result<Fetched, FetchError>,
    /// HTTP requests made (retries and redirects included).
    pub requests: u32,
}

enum Robots {
    AllowAll,
    DisallowAll,
    Rules(Box<texting_robots::Robot>),
}

/// Failed requests (timeouts, connections) after which a host is given up
/// for the crawl: Nutch's `fetcher.max.exceptions.per.queue`.
const FAILURES_TO_GIVE_UP: u32 = 2;

/// One host's turn: held while a request to it is in flight (so at most
/// one is), and what the crawl knows of the host.
#[derive(Default)]
struct Host {
    /// When it last answered (the head of its answer, or the failure of the
    /// request): the next request waits the interval from then.
    last_answered: Option<Instant>,
    /// Requests that timed out or could not connect, in this crawl.
    failures: u32,
    /// The first of those failures.
    first_failure: Option<FetchError>,
}

impl Host {
    /// The error every further request gets, once the host is given up.
    fn given_up(&self) -> Option<FetchError> {
        (self.failures >= FAILURES_TO_GIVE_UP)
            .then(|| self.first_failure.clone())
            .flatten()
            .map(|e| FetchError::HostUnresponsive(Box::new(e)))
    }

    fn failed(&mut self, e: &FetchError) {
        if matches!(e, FetchError::Timeout(_) | FetchError::Connect(_)) {
            self.failures += 1;
            self.first_failure.get_or_insert_with(|| e.clone());
        }
    }
}

/// Shared state for all fetches of one crawl.
pub struct Fetcher {
    client: reqwest::Client,
    config: Config,
    /// One turn per host (see [`Host`]); the one mechanism that decides
    /// when a host's next request may go.
    hosts: Mutex<HashMap<SocketAddr, Arc<tokio::sync::Mutex<Host>>>>,
    global: Semaphore,
    robots: Mutex<HashMap<String, Arc<OnceCell<Arc<Robots>>>>>,
    /// The crawl's DNS answers, shared with the client's connector.
    dns: Arc<net::DnsCache>,
    /// Requests sent, for the summary.
    pub requests: std::sync::atomic::AtomicU64,
    progress: Arc<crate::Progress>,
}

const ROBOTS_MAX: usize = 500 * 1024;

impl Fetcher {
    /// A fetcher for one crawl.
    pub fn new(config: Config, progress: Arc<crate::Progress>) -> Result<Fetcher, FetchError> {
        let dns = Arc::new(net::DnsCache::default());
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .dns_resolver(net::resolver(config.allow_private, dns.clone()))
            .pool_max_idle_per_host(1)
            .build()
            .map_err(|e| FetchError::Other(e.to_string()))?;
        Ok(Fetcher {
            client,
            hosts: Mutex::new(HashMap::new()),
            global: Semaphore::new(config.concurrency.max(1)),
            robots: Mutex::new(HashMap::new()),
            dns,
            requests: 0.into(),
            progress,
            config,
        })
    }

    /// Names looked up so far: once per host name and crawl (see
    /// [`net::DnsCache`]).
    pub fn dns_lookups(&self) -> u64 {
        self.dns.lookups()
    }

    /// The address `url` is fetched from, after the address policy.
    async fn address(&self, url: &Url) -> Result<SocketAddr, FetchError> {
        let host = url.host_str().ok_or(FetchError::BadRedirect)?;
        let port = url.port_or_known_default().unwrap_or(80);
        match net::resolve(host, port, self.config.allow_private, &self.dns).await {
            Ok(a) => Ok(a[0]),
            Err(net::ResolveError::Refused(r)) => Err(r.into()),
            Err(net::ResolveError::Dns(d)) => Err(FetchError::Dns(d)),
        }
    }

    /// Fetches `url`, conditionally when validators are given.
    pub async fn get(
        &self,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
    ) -> Attempted {
        let mut requests = 0;
        let result = self
            .get_inner(url, etag, last_modified, true, &mut requests)
            .await;
        Attempted { result, requests }
    }

    async fn get_inner(
        &self,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        obey_robots: bool,
        requests: &mut u32,
    ) -> Result<Fetched, FetchError> {
        if url.scheme() == "file" {
            return self.read_file(url);
        }
        let mut current = url.clone();
        for hop in 0..=self.config.max_redirects {
            let addr = self.address(&current).await?;
            if obey_robots && !self.robots_allow(&current, requests).await {
                return Err(FetchError::Robots(current.to_string()));
            }
            // Validators only belong to the URL they were stored for.
            let (e, lm) = if hop == 0 {
                (etag, last_modified)
            } else {
                (None, None)
            };
            let resp = self.with_retries(addr, &current, e, lm, requests).await?;
            match resp {
                Step::Done(f) => return Ok(f),
                Step::Redirect(location) => {
                    let next = current
                        .join(&location)
                        .map_err(|_| FetchError::BadRedirect)?;
                    if !matches!(next.scheme(), "http" | "https") {
                        return Err(FetchError::BadRedirect);
                    }
                    if current.scheme() == "https" && next.scheme() == "http" {
                        return Err(FetchError::Downgrade(next.to_string()));
                    }
                    current = next;
                }
            }
        }
        Err(FetchError::TooManyRedirects(self.config.max_redirects))
    }

    /// Sends one request (retrying transient failures) while holding the
    /// host's turn: nobody else talks to that host meanwhile, back-off and
    /// Retry-After waits included.
    async fn with_retries(
        &self,
        addr: SocketAddr,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        requests: &mut u32,
    ) -> Result<Step, FetchError> {
        let turn = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            hosts.entry(addr).or_default().clone()
        };
        // The host's turn. Spacing runs from the head of one answer (or the
        // failure of the request) to the send of the next: the server had
        // the request before it answered, so the next one reaches it at
        // least an interval later whatever delayed either on the way.
        // Measured from the send instead, a request held up on its way in
        // (connection set-up, the server's accept queue) would reach the
        // server less than an interval before the next one.
        let mut host = turn.lock().await;
        let mut attempt = 0;
        loop {
            attempt += 1;
            if let Some(e) = host.given_up() {
                return Err(e);
            }
            if let Some(t) = host.last_answered {
                tokio::time::sleep_until((t + self.config.per_host_interval).into()).await;
            }
            let sent = Instant::now();
            let outcome = {
                let _permit = self
                    .global
                    .acquire()
                    .await
                    .map_err(|e| FetchError::Other(e.to_string()))?;
                *requests += 1;
                self.requests
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                self.progress
                    .in_flight
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::debug!(%url, "request");
                let mut answered = None;
                let r = self.once(url, etag, last_modified, &mut answered).await;
                host.last_answered = Some(answered.unwrap_or_else(Instant::now));
                self.progress
                    .in_flight
                    .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
                r
            };
            // Retry-After counts from the answer that says it; a back-off
            // from the failed attempt's start (after a 10 s timeout, a
            // half-second back-off has long passed). The host's turn still
            // spaces the retry from the last answer.
            let retry_at = match outcome {
                Ok(step) => return Ok(step),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Retry(e, after)) => {
                    host.failed(&e);
                    if attempt >= self.config.tries || host.given_up().is_some() {
                        return Err(e);
                    }
                    match after {
                        Some(d) if d > self.config.max_retry_after => {
                            return Err(FetchError::RetryAfterTooLong(d));
                        }
                        Some(d) => Instant::now() + d,
                        None => sent + backoff(self.config.retry_base, attempt),
                    }
                }
            };
            tracing::debug!(%url, attempt, "retrying");
            tokio::time::sleep_until(retry_at.into()).await;
        }
    }

    async fn once(
        &self,
        url: &Url,
        etag: Option<&str>,
        last_modified: Option<&str>,
        answered: &mut Option<Instant>,
    ) -> Result<Step, Failure> {
        let mut req = self.client.get(url.clone());
        if let Some(e) = etag {
            req = req.header(IF_NONE_MATCH, e);
        }
        if let Some(lm) = last_modified {
            req = req.header(IF_MODIFIED_SINCE, lm);
        }
        let resp = req.send().await.map_err(|e| self.classify(e))?;
        *answered = Some(Instant::now());
        let status = resp.status();
        let headers = resp.headers().clone();
        if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
            let loc = header(&headers, LOCATION).ok_or(Failure::Final(FetchError::BadRedirect))?;
            return Ok(Step::Redirect(loc));
        }
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(Failure::Retry(
                FetchError::Status(status.as_u16()),
                retry_after(&headers),
            ));
        }
        if status == StatusCode::NOT_MODIFIED {
            return Ok(Step::Done(Fetched {
                status: 304,
                body: None,
                etag: header(&headers, ETAG),
                last_modified: header(&headers, LAST_MODIFIED),
                final_url: Some(url.clone()),
            }));
        }
        if !status.is_success() {
            return Err(Failure::Final(FetchError::Status(status.as_u16())));
        }
        let body = self.read_body(resp).await?;
        Ok(Step::Done(Fetched {
            status: status.as_u16(),
            body: Some(body),
            etag: header(&headers, ETAG),
            last_modified: header(&headers, LAST_MODIFIED),
            final_url: Some(url.clone()),
        }))
    }

    /// Reads the body chunk by chunk, stopping at the cap: a server that
    /// sends forever, or a small gzip that inflates to gigabytes, costs at
    /// most `max_bytes`.
    async fn read_body(&self, mut resp: reqwest::Response) -> Result<Vec<u8>, Failure> {
        let max = self.config.max_bytes;
        if resp.content_length().is_some_and(|n| n as usize > max) {
            return Err(Failure::Final(FetchError::TooLarge(max)));
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.classify(e))? {
            if body.len() + chunk.len() > max {
                return Err(Failure::Final(FetchError::TooLarge(max)));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn classify(&self, e: reqwest::Error) -> Failure {
        if e.is_timeout() {
            return Failure::Retry(FetchError::Timeout(self.config.timeout), None);
        }
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            if let Some(r) = s.downcast_ref::<net::ResolveError>() {
                return Failure::Final(match r {
                    net::ResolveError::Refused(r) => FetchError::Refused(r.clone()),
                    net::ResolveError::Dns(d) => FetchError::Dns(d.clone()),
                });
            }
            msg = format!("{msg}: {s}");
            source = s.source();
        }
        if e.is_connect() {
            Failure::Retry(FetchError::Connect(msg), None)
        } else if e.is_body() || e.is_decode() {
            Failure::Retry(FetchError::Other(msg), None)
        } else {
            Failure::Final(FetchError::Other(msg))
        }
    }

    fn read_file(&self, url: &Url) -> Result<Fetched, FetchError> {
        let path = url
            .to_file_path()
            .map_err(|_| FetchError::File(format!("{url} is not a local path")))?;
        let meta = std::fs::metadata(&path)
            .map_err(|e| FetchError::File(format!("{}: {e}", path.display())))?;
        if meta.len() as usize > self.config.max_bytes {
            return Err(FetchError::TooLarge(self.config.max_bytes));
        }
        let body = std::fs::read(&path)
            .map_err(|e| FetchError::File(format!("{}: {e}", path.display())))?;
        Ok(Fetched {
            status: 200,
            body: Some(body),
            final_url: Some(url.clone()),
            ..Fetched::default()
        })
    }

    /// RFC 9309: fetched once per origin per crawl; 4xx allows everything,
    /// 5xx and unreachable disallow everything; at most 500 KiB is parsed.
    async fn robots_allow(&self, url: &Url, requests: &mut u32) -> bool {
        if url.path() == "/robots.txt" {
            return true;
        }
        let origin = url.origin().ascii_serialization();
        let cell = {
            let mut m = self.robots.lock().unwrap_or_else(|p| p.into_inner());
            m.entry(origin.clone()).or_default().clone()
        };
        let mut made = 0;
        let robots = cell
            .get_or_init(|| async {
                let Ok(robots_url) = Url::parse(&format!("{origin}/robots.txt")) else {
                    return Arc::new(Robots::AllowAll);
                };
                let r = Box::pin(self.get_inner(&robots_url, None, None, false, &mut made)).await;
                Arc::new(match r {
                    Ok(f) => {
                        let body = f.body.unwrap_or_default();
                        let body = &body[..body.len().min(ROBOTS_MAX)];
                        match texting_robots::Robot::new(&self.config.robots_token, body) {
                            Ok(r) => Robots::Rules(Box::new(r)),
                            Err(_) => Robots::AllowAll,
                        }
                    }
                    Err(FetchError::Status(s)) if (400..500).contains(&s) => Robots::AllowAll,
                    Err(FetchError::TooLarge(_)) => Robots::AllowAll,
                    Err(_) => Robots::DisallowAll,
                })
            })
            .await
            .clone();
        *requests += made;
        match &*robots {
            Robots::AllowAll => true,
            Robots::DisallowAll => false,
            Robots::Rules(r) => r.allowed(url.as_str()),
        }
    }
}

enum Step {
    Done(Fetched),
    Redirect(String),
}

enum Failure {
    Retry(FetchError, Option<Duration>),
    Final(FetchError),
}

fn header(h: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    h.get(name).and_then(|v| v.to_str().ok()).map(String::from)
}

/// Retry-After as seconds or an HTTP date.
fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let v = header(h, RETRY_AFTER)?;
    if let Ok(secs) = v.trim().parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v.trim()).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or_default(),
    )
}

/// Exponential back-off with full jitter: base * 2^(attempt-1) * [0.5, 1.5).
fn backoff(base: Duration, attempt: u32) -> Duration {
    let exp = base.saturating_mul(1 << attempt.saturating_sub(1).min(10));
    exp.mul_f64(0.5 + fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let b = Duration::from_millis(100);
        assert!(backoff(b, 1) < Duration::from_millis(150));
        assert!(backoff(b, 3) >= Duration::from_millis(200));
        assert!(backoff(b, 40) < Duration::from_secs(200));
    }
}
