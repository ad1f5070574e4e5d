//! Load on the JSON API over loopback: the 100,000-team synthetic directory
//! behind a real `csirt-serve` router on an ephemeral port, driven at
//! saturation by a load client with keep-alive connections.
//!
//! Phases, in one run: `/healthz` (the ceiling of the HTTP stack), then
//! `/v1/search` over a mix of realistic queries and pages (repeated, as a
//! directory's queries are, so the server's answer cache serves most), then
//! `/v1/search` with every request distinct (the search engine's own cost). Printed: requests
//! per second, p50/p99 latency, errors, and the process's peak resident
//! memory (server and client together, so an upper bound).
//!
//! Targets (issue #7): `/v1/search` at least half the throughput of
//! `/healthz`, p99 under 20 ms at saturation on 2 cores, zero errors over a
//! 60-second run, resident memory under 300 MB.
//!
//! Run: `cargo bench --bench serve` (`CSIRT_BENCH_DOCS=10000`,
//! `CSIRT_BENCH_SECONDS=10` for a quicker look; `CSIRT_BENCH_CONNECTIONS`
//! sets the connections, 32 by default; `CSIRT_BENCH_ONLY_UNCACHED=1` runs
//! only the uncached phase, for a profiler).

mod synthetic;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident set size of this process, in MB.
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Reads one HTTP/1.1 response with a Content-Length; returns its status.
async fn response(conn: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
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

struct Phase {
    requests: usize,
    errors: usize,
    seconds: f64,
    latencies: Histogram,
}

/// Latencies in log-linear microsecond buckets (exact below 1 ms, then
/// 512 buckets per doubling: under 0.2% error). A fixed 130 KB per
/// connection: a list of every latency grew with throughput and, at 4
/// million requests a minute, was most of the process's peak memory,
/// which this bench reports as the server's upper bound.
#[derive(Clone)]
struct Histogram {
    counts: Vec<u64>,
    total: u64,
}

impl Histogram {
    const SUB: u32 = 512;

    fn new() -> Self {
        Histogram {
            counts: vec![0; 1024 + 54 * Self::SUB as usize],
            total: 0,
        }
    }

    fn bucket(us: u64) -> usize {
        if us < 1024 {
            return us as usize;
        }
        let e = 63 - us.leading_zeros(); // 10 and up
        let sub = (us >> (e - 9)) as u32 & (Self::SUB - 1);
        1024 + ((e - 10) * Self::SUB + sub) as usize
    }

    /// The smallest latency, in microseconds, that falls in bucket `b`.
    fn floor(b: usize) -> u64 {
        if b < 1024 {
            return b as u64;
        }
        let (e, sub) = ((b - 1024) as u64 / 512 + 10, (b - 1024) as u64 % 512);
        (1 << e) | (sub << (e - 9))
    }

    fn record(&mut self, d: Duration) {
        self.counts[Self::bucket(d.as_micros() as u64)] += 1;
        self.total += 1;
    }

    fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
    }
}

/// Saturates `addr` with `connections` keep-alive connections for
/// `seconds`, each sending the paths in turn.
fn load(addr: SocketAddr, paths: Arc<Vec<String>>, connections: usize, seconds: u64) -> Phase {
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
fn pct(h: &Histogram, p: f64) -> f64 {
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

fn report(name: &str, p: &Phase) -> f64 {
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

fn main() {
    // The histogram's buckets round down by less than 0.2%.
    for us in [
        0u64, 1, 999, 1023, 1024, 1500, 20_000, 1_234_567, 60_000_000,
    ] {
        let f = Histogram::floor(Histogram::bucket(us));
        assert!(f <= us && us - f <= us / 500, "{us} -> {f}");
    }
    let n = env("CSIRT_BENCH_DOCS", 100_000);
    let seconds = env("CSIRT_BENCH_SECONDS", 60) as u64;
    let connections = env("CSIRT_BENCH_CONNECTIONS", 32);
    // The index is built in a child process, so the memory figure below is
    // the server's (and the load client's), not the indexer's.
    if let Ok(dir) = std::env::var("CSIRT_BENCH_BUILD_INTO") {
        let index = csirt_index::Index::open(&std::path::Path::new(&dir).join("search")).unwrap();
        index.rebuild(synthetic::generate(n)).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let built = std::process::Command::new(std::env::current_exe().unwrap())
        .env("CSIRT_BENCH_BUILD_INTO", dir.path())
        .status()
        .unwrap();
    assert!(built.success());
    println!(
        "indexed {n} synthetic teams in {:.1} s (child process)",
        t.elapsed().as_secs_f64()
    );

    let app = csirt_serve::App::open(csirt_serve::Config::new(dir.path())).unwrap();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = server_rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router();
    // The accept loop `csirt serve` runs, header timeout included.
    server_rt.spawn(csirt_serve::serve(
        listener,
        router,
        csirt_serve::ConnLimits::default(),
        std::future::pending(),
    ));

    let encoded: Vec<String> = synthetic::QUERIES
        .iter()
        .map(|(q, _, _)| {
            q.bytes()
                .map(|b| match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' => {
                        (b as char).to_string()
                    }
                    b' ' => "+".to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect()
        })
        .collect();
    // A realistic mix: every query, first and second pages, two page sizes.
    let mut paths = Vec::new();
    for q in &encoded {
        for (limit, offset) in [(10, 0), (10, 10), (20, 0)] {
            paths.push(format!("/v1/search?q={q}&limit={limit}&offset={offset}"));
        }
    }
    // Every request distinct (page sizes 1-100, offsets 0-9): what the
    // search itself costs, with no answer served from the cache.
    let mut distinct = Vec::new();
    for limit in 1..=100 {
        for offset in 0..10 {
            for q in &encoded {
                distinct.push(format!("/v1/search?q={q}&limit={limit}&offset={offset}"));
            }
        }
    }
    println!(
        "{connections} keep-alive connections; {} s of /healthz, then {seconds} s of /v1/search over {} query/page mixes",
        (seconds / 6).max(5),
        paths.len()
    );
    // For a profiler: only the uncached phase, for CSIRT_BENCH_SECONDS.
    if std::env::var_os("CSIRT_BENCH_ONLY_UNCACHED").is_some() {
        let uncached = load(addr, Arc::new(distinct), connections, seconds);
        report("uncached", &uncached);
        return;
    }
    let health = load(
        addr,
        Arc::new(vec!["/healthz".to_string()]),
        connections,
        (seconds / 6).max(5),
    );
    let search = load(addr, Arc::new(paths), connections, seconds);
    let uncached_secs = (seconds / 4).max(5);
    let uncached = load(addr, Arc::new(distinct), connections, uncached_secs);
    let h = report("/healthz", &health);
    let s = report("/v1/search", &search);
    report("uncached", &uncached);
    println!(
        "(uncached: {uncached_secs} s of requests that are all distinct, so none is served from the answer cache)"
    );
    let rss = peak_rss_mb();
    println!("search/healthz throughput {:.2} (target >= 0.5)", s / h);
    println!(
        "search p99 {:.2} ms (target < 20), errors {} (target 0), peak RSS {:.0} MB (target < 300)",
        pct(&search.latencies, 0.99),
        search.errors + health.errors + uncached.errors,
        rss
    );
}
