//! Parse throughput on text, HTML and PDF inputs, one core.
//!
//! `cargo bench --bench parse` prints time per document (documents/s is its
//! inverse) and, on criterion's throughput line, decimal MB/s for each
//! input, the unit the target is stated in (50 MB/s of text per core). When
//! `../shared/corpus` is present its real documents are measured too.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use csirt_parse::{parse, Options};

fn inputs() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v = Vec::new();
    let xyz = std::fs::read(root.join("seeds/examples/xyz-cert.txt")).expect("example document");
    v.push(("text/xyz-cert".to_string(), xyz.clone()));
    // A long plain-text description: the example's sections followed by a
    // long services section, as big teams write them (~1 MB).
    let mut long = xyz.clone();
    let para = b"The team coordinates the response to incidents affecting its constituency, \
        shares indicators with partner teams and publishes advisories on vulnerabilities.\n";
    while long.len() < 1 << 20 {
        long.extend_from_slice(para);
    }
    v.push(("text/long-1MiB".to_string(), long));
    for name in [
        "html-page-with-navigation.html",
        "pdf-running-header.pdf",
        "indonesian-bssn-template.txt",
    ] {
        let bytes = std::fs::read(root.join("tests/fixtures").join(name)).expect("fixture");
        v.push((format!("fixture/{name}"), bytes));
    }
    let corpus = root.join("../shared/corpus/docs");
    for name in [
        "06-unm-csirt.pdf",
        "24-acn-fr-cert-v1.3.pdf",
        "03-github-sirt.md",
        "08-ap1-csirt.blade.php",
        "02-csirt-net-za-mangled.txt",
    ] {
        if let Ok(bytes) = std::fs::read(corpus.join(name)) {
            v.push((format!("corpus/{name}"), bytes));
        }
    }
    v
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.sample_size(20);
    for (name, bytes) in inputs() {
        group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(&name), &bytes, |b, bytes| {
            b.iter(|| parse(bytes, &name, &Options::default()));
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
