//! A real HTTP/1.1 server on a loopback address: each 127.0.x.y address
//! stands in for one host. It records when every request arrived and how
//! many were in flight at once, and can misbehave on purpose.
//!
//! All servers of a process run on one small tokio runtime of their own,
//! so a test (blocking or async) and a bench's farm of thousands of hosts
//! use the same server at the cost of two threads.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// What a route answers.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Status, extra headers, body. With an `ETag` header, a request whose
    /// `If-None-Match` matches it gets 304.
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// 200 with a length, then one byte per second, never all of it.
    Trickle,
    /// 200 with no length, then zeros forever.
    Endless,
    /// 200 with the head at once, then the body in ten parts spread over
    /// the duration: a large document on a slow link.
    Slow(Vec<u8>, Duration),
    /// A sequence: the n-th request to the route gets the n-th reply (the
    /// last one repeats).
    Seq(Vec<Reply>),
}

impl Reply {
    /// 200 with a body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full(200, vec![], body.into())
    }

    /// A status with no body.
    pub fn status(code: u16) -> Reply {
        Reply::Full(code, vec![], Vec::new())
    }

    /// A redirect.
    pub fn redirect(to: &str) -> Reply {
        Reply::Full(302, vec![("Location".into(), to.into())], Vec::new())
    }

    /// A status with a `Retry-After` of `seconds`.
    pub fn retry_after(code: u16, seconds: u64) -> Reply {
        Reply::Full(
            code,
            vec![("Retry-After".into(), seconds.to_string())],
            Vec::new(),
        )
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Request path.
    pub path: String,
    /// When it arrived (its head was read), since the server started.
    pub at: Duration,
    /// When its answer ended (written whole, or the client went away);
    /// none while it is in progress.
    pub ended: Option<Duration>,
    /// Request headers, lower-cased names.
    pub headers: HashMap<String, String>,
}

#[derive(Default)]
struct State {
    routes: Mutex<HashMap<String, (Reply, usize)>>,
    seen: Mutex<Vec<Seen>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    stop: AtomicBool,
}

/// A running server; it stops when dropped.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// When it started.
    pub started: Instant,
    state: Arc<State>,
    accept: tokio::task::JoinHandle<()>,
}

/// The runtime every server of the process runs on.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("csirt-testkit-http")
            .enable_all()
            .build()
            .expect("a runtime for the test servers")
    })
}

impl Server {
    /// Starts a server on `ip` (e.g. "127.0.0.2") and a free port.
    pub fn start(ip: &str) -> Server {
        let listener = std::net::TcpListener::bind((ip, 0)).expect("bind a loopback address");
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let state = Arc::new(State::default());
        let started = Instant::now();
        let rt = runtime();
        let listener = {
            let _in = rt.enter();
            tokio::net::TcpListener::from_std(listener).unwrap()
        };
        let s = state.clone();
        let accept = rt.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, &s, started).await;
                });
            }
        });
        Server {
            addr,
            started,
            state,
            accept,
        }
    }

    /// Sets the reply for a path.
    pub fn route(&self, path: &str, reply: Reply) -> &Self {
        self.state
            .routes
            .lock()
            .unwrap()
            .insert(path.to_string(), (reply, 0));
        self
    }

    /// `http://ip:port` + path.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }

    /// Forgets the requests seen so far (between two crawls of a bench).
    pub fn forget(&self) {
        self.state.seen.lock().unwrap().clear();
        self.state.max_in_flight.store(0, Ordering::SeqCst);
    }

    /// Paths requested, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.path).collect()
    }

    /// The most requests that were ever in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.state.max_in_flight.load(Ordering::SeqCst)
    }

    /// Requests that arrived more than `tolerance` before an earlier one
    /// had ended: two in flight at once, beyond what the farm's own
    /// noticing of a closed connection takes.
    pub fn overlaps(&self, tolerance: Duration) -> usize {
        let mut seen = self.seen();
        seen.sort_by_key(|s| s.at);
        let mut n = 0;
        for (i, later) in seen.iter().enumerate() {
            n += usize::from(
                seen[..i]
                    .iter()
                    .any(|earlier| earlier.ended.is_none_or(|e| later.at + tolerance < e)),
            );
        }
        n
    }

    /// The smallest gap between two request arrivals.
    pub fn min_gap(&self) -> Option<Duration> {
        let mut at: Vec<Duration> = self.seen().iter().map(|s| s.at).collect();
        at.sort();
        at.windows(2).map(|w| w[1] - w[0]).min()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::Relaxed);
        self.accept.abort();
    }
}

async fn serve(stream: tokio::net::TcpStream, s: &State, started: Instant) -> std::io::Result<()> {
    let (r, mut out) = stream.into_split();
    let mut reader = BufReader::new(r);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 || s.stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).await? == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let at = started.elapsed();
        let now = s.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        s.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let seen_at = {
            let mut seen = s.seen.lock().unwrap();
            seen.push(Seen {
                path: path.clone(),
                at,
                ended: None,
                headers: headers.clone(),
            });
            seen.len() - 1
        };
        let reply = {
            let mut r = s.routes.lock().unwrap();
            match r.get_mut(&path) {
                Some((reply, n)) => {
                    *n += 1;
                    match reply {
                        Reply::Seq(v) => v[(*n - 1).min(v.len() - 1)].clone(),
                        other => other.clone(),
                    }
                }
                None => Reply::status(404),
            }
        };
        let result = answer(&mut out, &mut reader, reply, &headers, &s.stop).await;
        s.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(seen) = s.seen.lock().unwrap().get_mut(seen_at) {
            seen.ended = Some(started.elapsed());
        }
        result?;
    }
}

/// Resolves when the client closes its side (or sends something, which no
/// client does while it waits for a body): a reply in progress then ends,
/// so the farm never counts a request the client gave up as in flight.
async fn gone(reader: &mut BufReader<OwnedReadHalf>) {
    let mut byte = [0u8; 1];
    let _ = reader.read(&mut byte).await;
}

async fn answer(
    out: &mut OwnedWriteHalf,
    reader: &mut BufReader<OwnedReadHalf>,
    reply: Reply,
    req: &HashMap<String, String>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    match reply {
        Reply::Full(status, headers, body) => {
            let etag = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
                .map(|(_, v)| v.clone());
            if status == 200 && etag.is_some() && req.get("if-none-match") == etag.as_ref() {
                return out
                    .write_all(b"HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n")
                    .await;
            }
            let mut r = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
            for (k, v) in headers {
                r.push_str(&format!("{k}: {v}\r\n"));
            }
            r.push_str("\r\n");
            // One write for head and body: the client is woken once.
            let mut bytes = r.into_bytes();
            bytes.extend_from_slice(&body);
            out.write_all(&bytes).await
        }
        Reply::Trickle => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                .await?;
            while !stop.load(Ordering::Relaxed) {
                out.write_all(b"x").await?;
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = gone(reader) => return Ok(()),
                }
            }
            Ok(())
        }
        Reply::Endless => {
            out.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
                .await?;
            let chunk = vec![b'0'; 64 * 1024];
            while !stop.load(Ordering::Relaxed) {
                tokio::select! {
                    w = out.write_all(&chunk) => w?,
                    _ = gone(reader) => return Ok(()),
                }
            }
            Ok(())
        }
        Reply::Slow(body, over) => {
            out.write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).as_bytes(),
            )
            .await?;
            for part in body.chunks(body.len().div_ceil(10).max(1)) {
                tokio::select! {
                    _ = tokio::time::sleep(over / 10) => {}
                    _ = gone(reader) => return Ok(()),
                }
                out.write_all(part).await?;
            }
            Ok(())
        }
        Reply::Seq(_) => unreachable!("sequences are resolved before answering"),
    }
}
