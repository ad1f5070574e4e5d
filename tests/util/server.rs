//! A real HTTP/1.1 server on a loopback address, for crawler tests: each
//! 127.0.0.x address stands in for one host. It records when every request
//! arrived and how many were in flight at once, and can misbehave on
//! purpose (trickle, endless body, gzip bomb, redirect loops).

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a route answers.
#[derive(Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Full(u16, Vec<(String, String)>, Vec<u8>),
    /// 200 with headers, then one byte per second forever.
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
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// Request path.
    pub path: String,
    /// When it arrived, since the server started.
    pub at: Duration,
    /// Request headers, lower-cased names.
    pub headers: HashMap<String, String>,
}

/// A running server; stops when dropped.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, (Reply, usize)>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    in_flight: Arc<AtomicUsize>,
    max_in_flight: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    /// When it started.
    pub started: Instant,
}

impl Server {
    /// Starts a server on `ip` (e.g. "127.0.0.2") and a free port.
    pub fn start(ip: &str) -> Server {
        let listener = TcpListener::bind((ip, 0)).expect("bind a loopback address");
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let s = Server {
            addr,
            routes: Arc::default(),
            seen: Arc::default(),
            in_flight: Arc::default(),
            max_in_flight: Arc::default(),
            stop: Arc::default(),
            started: Instant::now(),
        };
        let (routes, seen, inf, max, stop, started) = (
            s.routes.clone(),
            s.seen.clone(),
            s.in_flight.clone(),
            s.max_in_flight.clone(),
            s.stop.clone(),
            s.started,
        );
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let (routes, seen, inf, max, stop) = (
                            routes.clone(),
                            seen.clone(),
                            inf.clone(),
                            max.clone(),
                            stop.clone(),
                        );
                        std::thread::spawn(move || {
                            let _ = serve(stream, &routes, &seen, &inf, &max, &stop, started);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(2)),
                }
            }
        });
        s
    }

    /// Sets the reply for a path.
    pub fn route(&self, path: &str, reply: Reply) -> &Self {
        self.routes
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
        self.seen.lock().unwrap().clone()
    }

    /// Paths requested, in order.
    pub fn paths(&self) -> Vec<String> {
        self.seen().into_iter().map(|s| s.path).collect()
    }

    /// The most requests that were ever in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
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
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, (Reply, usize)>>,
    seen: &Mutex<Vec<Seen>>,
    in_flight: &AtomicUsize,
    max: &AtomicUsize,
    stop: &AtomicBool,
    started: Instant,
) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let at = started.elapsed();
        let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(now, Ordering::SeqCst);
        seen.lock().unwrap().push(Seen {
            path: path.clone(),
            at,
            headers: headers.clone(),
        });
        let reply = {
            let mut r = routes.lock().unwrap();
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
        let result = answer(&mut out, reply, &headers, stop);
        in_flight.fetch_sub(1, Ordering::SeqCst);
        result?;
        // Keep-alive: read the next request on this connection.
        let _ = reader.fill_buf();
    }
}

fn answer(
    out: &mut TcpStream,
    reply: Reply,
    req: &HashMap<String, String>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    match reply {
        Reply::Full(status, headers, body) => {
            // Conditional GET: an ETag route answers 304 to a matching
            // If-None-Match.
            let etag = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("etag"))
                .map(|(_, v)| v.clone());
            if status == 200 && etag.is_some() && req.get("if-none-match") == etag.as_ref() {
                return write!(
                    out,
                    "HTTP/1.1 304 Not Modified\r\nContent-Length: 0\r\n\r\n"
                );
            }
            let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            head.push_str("\r\n");
            out.write_all(head.as_bytes())?;
            out.write_all(&body)?;
            out.flush()
        }
        Reply::Trickle => {
            out.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")?;
            while !stop.load(Ordering::Relaxed) {
                out.write_all(b"x")?;
                out.flush()?;
                std::thread::sleep(Duration::from_secs(1));
            }
            Ok(())
        }
        Reply::Endless => {
            out.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")?;
            let chunk = vec![b'0'; 64 * 1024];
            while !stop.load(Ordering::Relaxed) {
                out.write_all(&chunk)?;
            }
            Ok(())
        }
        Reply::Slow(body, over) => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
                body.len()
            )?;
            out.flush()?;
            for part in body.chunks(body.len().div_ceil(10).max(1)) {
                std::thread::sleep(over / 10);
                out.write_all(part)?;
                out.flush()?;
            }
            Ok(())
        }
        Reply::Seq(_) => unreachable!("sequences are resolved before answering"),
    }
}

/// Reads everything from a reader; helper for gzip in tests.
pub fn read_all(mut r: impl Read) -> Vec<u8> {
    let mut v = Vec::new();
    r.read_to_end(&mut v).unwrap();
    v
}
