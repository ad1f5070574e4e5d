//! Hostile documents at 10 MB: seconds per MB and peak memory of `csirt
//! parse` on each member of `csirt_testkit::hostile`, the worst one last.
//!
//! `cargo bench --bench hostile` runs the release binary once per document
//! (a process per document, so that each peak is its own) and, for PDFs,
//! the PDF child (`csirt __pdf-pages`) on its own as well, since the parse
//! runs the library there. Target (issue #28): every document parses in at
//! most 2 s and 256 MB. `CSIRT_BENCH_MB` sets another size.

mod farm;

use std::process::{Command, Stdio};

use csirt_testkit::hostile;

struct Row {
    name: String,
    mb: f64,
    seconds: f64,
    peak_mb: f64,
    outcome: String,
}

fn main() {
    let bin =
        std::env::var("CSIRT_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_csirt").into());
    let mb: usize = std::env::var("CSIRT_BENCH_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let dir = tempfile::tempdir().unwrap();
    let mut rows = Vec::new();
    for h in hostile::family(mb * 1_000_000) {
        let path = dir.path().join(h.name);
        std::fs::write(&path, &h.bytes).unwrap();
        let size = h.bytes.len() as f64 / 1e6;
        let mut parse = Command::new(&bin);
        parse.args(["parse", "--format", "json"]).arg(&path);
        let w = farm::watch_any(parse);
        let codes = outcome(&w.stdout);
        rows.push(Row {
            name: h.name.to_string(),
            mb: size,
            seconds: w.wall.as_secs_f64(),
            peak_mb: w.peak_kib as f64 / 1024.0,
            outcome: if w.success { codes } else { "FAILED".into() },
        });
        if h.name.ends_with(".pdf") {
            let mut child = Command::new(&bin);
            child
                .arg("__pdf-pages")
                .stdin(Stdio::from(std::fs::File::open(&path).unwrap()));
            let w = farm::watch_any(child);
            rows.push(Row {
                name: format!("{} (PDF child)", h.name),
                mb: size,
                seconds: w.wall.as_secs_f64(),
                peak_mb: w.peak_kib as f64 / 1024.0,
                outcome: if w.success {
                    "pages read".into()
                } else {
                    "stopped by its limits".into()
                },
            });
        }
    }
    rows.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
    println!(
        "{:<44} {:>6} {:>8} {:>8} {:>9}  outcome",
        "document", "MB", "s", "s/MB", "peak MB"
    );
    for r in &rows {
        println!(
            "{:<44} {:>6.1} {:>8.3} {:>8.3} {:>9.1}  {}",
            r.name,
            r.mb,
            r.seconds,
            r.seconds / r.mb,
            r.peak_mb,
            r.outcome
        );
    }
    let worst_s = rows.iter().map(|r| r.seconds).fold(0.0, f64::max);
    let worst_mb = rows.iter().map(|r| r.peak_mb).fold(0.0, f64::max);
    println!(
        "worst: {worst_s:.2} s, {worst_mb:.0} MB (target: at most 2 s and 256 MB per document of {mb} MB)"
    );
}

/// The diagnostics that say how a hostile document ended.
fn outcome(stdout: &str) -> String {
    let Ok(rec) = serde_json::from_str::<serde_json::Value>(stdout.lines().next().unwrap_or(""))
    else {
        return "no record".into();
    };
    let codes: Vec<&str> = rec["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str())
        .filter(|c| {
            matches!(
                *c,
                "flattened"
                    | "budget-exceeded"
                    | "pdf-unreadable"
                    | "truncated"
                    | "not-rfc2350"
                    | "damaged-armor"
                    | "encoding-fallback"
            )
        })
        .collect();
    if codes.is_empty() {
        "record".into()
    } else {
        format!("record: {}", codes.join(", "))
    }
}
