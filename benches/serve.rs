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

mod load;
mod synthetic;

use std::sync::Arc;
use std::time::Instant;

use load::{env, load, pct, peak_rss_mb, report, Histogram};

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
    let (_server_rt, addr) = load::serve(&app);

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
