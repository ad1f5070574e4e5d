//! Search over a synthetic directory of 100,000 teams: index build time,
//! index size, and query latency p50/p99 for a fixed set of realistic
//! queries, beside the same queries on SQLite FTS5 (bm25) over the same
//! documents in the same run.
//!
//! The corpus is generated from a fixed seed, mixing the vocabularies and
//! section shapes seen in real descriptions (English, French and Indonesian
//! charters; universities, governments, banks, telecoms; services lists).
//! Targets: build under 60 s on 2 cores, p99 under 5 ms, and p99 not worse
//! than FTS5's.
//!
//! Run: `cargo bench --bench search` (`CSIRT_BENCH_DOCS=10000` for a
//! quicker look).

use std::time::{Duration, Instant};

mod synthetic;

use csirt_index::Index;
use synthetic::{generate, QUERIES};

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| {
                    let m = e.metadata().unwrap();
                    if m.is_dir() {
                        dir_size(&e.path())
                    } else {
                        m.len()
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::var("CSIRT_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let rounds = 30;
    let entries = generate(n);
    let tmp = tempfile::tempdir().unwrap();

    // Tantivy.
    let t = Instant::now();
    let index = Index::open(&tmp.path().join("search")).unwrap();
    index.rebuild(entries.clone()).unwrap();
    let build = t.elapsed();
    let size = dir_size(&tmp.path().join("search"));
    let mut lat = Vec::new();
    let mut per_query = vec![Vec::new(); QUERIES.len()];
    for _ in 0..rounds {
        for (i, (q, _, _)) in QUERIES.iter().enumerate() {
            let t = Instant::now();
            let r = index.search(q, 10, 0, synthetic::when()).unwrap();
            lat.push(t.elapsed());
            per_query[i].push(t.elapsed());
            std::hint::black_box(r);
        }
    }

    // SQLite FTS5 over the same documents.
    let db = rusqlite::Connection::open(tmp.path().join("fts.db")).unwrap();
    db.execute_batch(
        "CREATE VIRTUAL TABLE docs USING fts5(name, constituency, mission, sponsor, authority, services, text,
            country UNINDEXED, lang UNINDEXED, signed UNINDEXED, stale UNINDEXED, updated UNINDEXED,
            tokenize = 'porter unicode61 remove_diacritics 2');",
    )
    .unwrap();
    let t = Instant::now();
    let tx = db.unchecked_transaction().unwrap();
    {
        let mut ins = tx
            .prepare("INSERT INTO docs VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)")
            .unwrap();
        for e in &entries {
            let (stale, updated) = synthetic::stale_as_number(e);
            let signed = match e.outcome.map(|o| o.signed()) {
                Some(csirt_verify::Signed::Yes) => "yes",
                Some(csirt_verify::Signed::Bad) => "bad",
                _ => "no",
            };
            ins.execute(rusqlite::params![
                format!("{} {}", e.name, e.short_name),
                e.constituency,
                e.mission,
                e.sponsor,
                e.authority,
                e.services,
                e.text,
                e.country,
                e.lang,
                signed,
                stale as i64,
                updated
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
    let fts_build = t.elapsed();
    let fts_size = std::fs::metadata(tmp.path().join("fts.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    let mut fts_lat = Vec::new();
    for _ in 0..rounds {
        for (_, m, extra) in QUERIES {
            let sql = format!(
                "SELECT rowid FROM docs WHERE docs MATCH ?1 {extra} ORDER BY bm25(docs, 4.0, 1.5, 1.0, 1.0, 1.0, 1.0, 1.0) LIMIT 10"
            );
            let t = Instant::now();
            let mut st = db.prepare_cached(&sql).unwrap();
            let rows: Vec<i64> = st
                .query_map([m], |r| r.get(0))
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            fts_lat.push(t.elapsed());
            std::hint::black_box(rows);
        }
    }

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    if std::env::var_os("CSIRT_BENCH_PER_QUERY").is_some() {
        for (i, (q, _, _)) in QUERIES.iter().enumerate() {
            println!(
                "  {:>8.3} ms p99  {q}",
                ms(percentile(&mut per_query[i], 0.99))
            );
        }
    }
    println!(
        "search over {n} synthetic teams, {} queries x {rounds} rounds",
        QUERIES.len()
    );
    println!("                      tantivy (csirt-find)     SQLite FTS5 (bm25)");
    println!(
        "  build             {:>12.1} s {:>18.1} s   (target: under 60 s)",
        build.as_secs_f64(),
        fts_build.as_secs_f64()
    );
    println!(
        "  size              {:>12.1} MB {:>17.1} MB",
        size as f64 / 1e6,
        fts_size as f64 / 1e6
    );
    println!(
        "  query p50         {:>12.3} ms {:>17.3} ms",
        ms(percentile(&mut lat, 0.50)),
        ms(percentile(&mut fts_lat, 0.50))
    );
    println!(
        "  query p99         {:>12.3} ms {:>17.3} ms   (target: under 5 ms, and not worse than FTS5)",
        ms(percentile(&mut lat, 0.99)),
        ms(percentile(&mut fts_lat, 0.99))
    );
}
