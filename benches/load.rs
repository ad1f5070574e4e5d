//! The load client of the HTTP benches (`serve`, `lookup`): keep-alive
//! connections over loopback, latencies in a fixed-size histogram.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size of this process, in MB.
pub fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Serves `app` as `csirt serve` does (its accept loop, header timeout
/// included) on an ephemeral loopback port, on a runtime of two workers:
/// the runtime (keep it alive) and the address.
pub fn serve(app: &std::sync::Arc<csirt_serve::App>) -> (tokio::runtime::Runtime, SocketAddr) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(csirt_serve::serve(
        listener,
        app.router(),
        csirt_serve::ConnLimits::default(),
        std::future::pending(),
    ));
    (rt, addr)
}

/// Reads one HTTP/1.1 response with a Content-Length; returns its status.
pub async fn response(conn: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        while buf.len() < end + 4 + len {
            let n = conn.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        return Ok(status);
    }
}

pub struct Phase {
    pub requests: usize,
    pub errors: usize,
    pub seconds: f64,
    pub latencies: Histogram,
}

/// Latencies in log-linear microsecond buckets (exact below 1 ms, then
/// 512 buckets per doubling: under 0.2% error). A fixed 130 KB per
/// connection: a list of every latency grew with throughput and, at 4
/// million requests a minute, was most of the process's peak memory,
/// which this bench reports as the server's upper bound.
#[derive(Clone)]
pub struct Histogram {
    pub counts: Vec<u64>,
    pub total: u64,
}

impl Histogram {
    const SUB: u32 = 512;

    pub fn new() -> Self {
        Histogram {
            counts: vec![0; 1024 + 54 * Self::SUB as usize],
            total: 0,
        }
    }

    pub fn bucket(us: u64) -> usize {
        if us < 1024 {
            return us as usize;
        }
        let e = 63 - us.leading_zeros(); // 10 and up
        let sub = (us >> (e - 9)) as u32 & (Self::SUB - 1);
        1024 + ((e - 10) * Self::SUB + sub) as usize
    }

    /// The smallest latency, in microseconds, that falls in bucket `b`.
    pub fn floor(b: usize) -> u64 {
        if b < 1024 {
            return b as u64;
        }
        let (e, sub) = ((b - 1024) as u64 / 512 + 10, (b - 1024) as u64 % 512);
        (1 << e) | (sub << (e - 9))
    }

    pub fn record(&mut self, d: Duration) {
        self.counts[Self::bucket(d.as_micros() as u64)] += 1;
        self.total += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
    }
}

/// Saturates `addr` with `connections` keep-alive connections for
/// `seconds`, each sending the paths in turn.
pub fn load(addr: SocketAddr, paths: Arc<Vec<String>>, connections: usize, seconds: u64) -> Phase {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let stop = Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for c in 0..connections {
            let (stop, paths) = (stop.clone(), paths.clone());
            tasks.push(tokio::spawn(async move {
                let mut lat = Histogram::new();
                let mut errors = 0usize;
                let mut conn = TcpStream::connect(addr).await.unwrap();
                conn.set_nodelay(true).unwrap();
                let mut buf = Vec::with_capacity(64 * 1024);
                // Connections start far apart in the list, so no two ask
                // the same thing within the cache's reach.
                let mut i = c * paths.len() / connections;
                while !stop.load(Ordering::Relaxed) {
                    let path = &paths[i % paths.len()];
                    i += 1;
                    let req = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
                    let t = Instant::now();
                    let ok = match conn.write_all(req.as_bytes()).await {
                        Ok(()) => matches!(response(&mut conn, &mut buf).await, Ok(200)),
                        Err(_) => false,
                    };
                    if ok {
                        lat.record(t.elapsed());
                    } else {
                        errors += 1;
                        conn = TcpStream::connect(addr).await.unwrap();
                    }
                }
                (lat, errors)
            }));
        }
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        stop.store(true, Ordering::Relaxed);
        let mut latencies = Histogram::new();
        let mut errors = 0;
        for t in tasks {
            let (l, e) = t.await.unwrap();
            latencies.merge(&l);
            errors += e;
        }
        let seconds = start.elapsed().as_secs_f64();
        Phase {
            requests: latencies.total as usize,
            errors,
            seconds,
            latencies,
        }
    })
}

/// The `p` quantile in milliseconds.
pub fn pct(h: &Histogram, p: f64) -> f64 {
    if h.total == 0 {
        return 0.0;
    }
    let rank = ((h.total - 1) as f64 * p).round() as u64;
    let mut seen = 0;
    for (b, &n) in h.counts.iter().enumerate() {
        seen += n;
        if seen > rank {
            return Histogram::floor(b) as f64 / 1000.0;
        }
    }
    0.0
}

pub fn report(name: &str, p: &Phase) -> f64 {
    let rps = p.requests as f64 / p.seconds;
    println!(
        "{name:<12} {:>9.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  errors {}  ({} requests in {:.1} s)",
        rps,
        pct(&p.latencies, 0.50),
        pct(&p.latencies, 0.99),
        p.errors,
        p.requests,
        p.seconds
    );
    rps
}
