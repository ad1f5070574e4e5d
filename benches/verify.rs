//! In-process verification against `gpgv` once per document, side by side.
//!
//! What users script today is a loop that runs `gpgv --keyring ring sig doc`
//! for every document; `csirt` loads the keyring once and verifies in
//! process. This bench makes 1,000 signed RFC 2350 documents (half RSA-4096,
//! half Ed25519, as teams sign) and a keyring of 500 certificates, then
//! times both over the same files and prints the ratio. Target: 20x
//! (issue #22: every signature through sequoia alone).
//!
//! Run: `cargo bench --bench verify` (needs `gpgv`). Fixtures are generated
//! once under `target/bench-verify/` (RSA key generation is slow).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use csirt_testkit::pgp::{CipherSuite, TestKey, DAY};
use csirt_verify::{verify, Input, KeySource, Keyring, Outcome};

const DOCS: usize = 1_000;
const CERTS: usize = 500;
const RSA_SIGNERS: usize = 2;
const ED_SIGNERS: usize = 8;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-verify");
    let fixtures = Fixtures::load_or_make(&dir);

    // In process: load the keyring once, then verify every document. Each
    // round runs in a fresh child process, as a user's `csirt verify` would:
    // sequoia caches signature checks for the life of a process, so a second
    // round in the same one would be flattered. Five rounds, median reported.
    if std::env::var_os("CSIRT_BENCH_ONE_ROUND").is_some() {
        let (total, load) = in_process(&fixtures);
        println!("{} {}", total.as_nanos(), load.as_nanos());
        return;
    }
    let rounds = std::env::var("CSIRT_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5usize)
        .max(1);
    let mut runs: Vec<(Duration, Duration)> = (0..rounds).map(|_| fresh_round()).collect();
    runs.sort();
    let (ours, load) = runs[runs.len() / 2];

    // gpgv once per document, as a shell loop would.
    let home = tempfile::tempdir().unwrap();
    let t2 = Instant::now();
    for (doc, sig, _) in &fixtures.docs {
        let st = Command::new("gpgv")
            .arg("--homedir")
            .arg(home.path())
            .arg("--keyring")
            .arg(&fixtures.ring)
            .arg(sig)
            .arg(doc)
            .output()
            .expect("gpgv is installed");
        assert!(
            st.status.success(),
            "gpgv {}: {}",
            doc.display(),
            String::from_utf8_lossy(&st.stderr)
        );
    }
    let gpgv = t2.elapsed();

    let per = |d: Duration| d.as_secs_f64() * 1e3 / DOCS as f64;
    println!("verify {DOCS} documents, keyring of {CERTS} certificates ({RSA_SIGNERS} RSA-4096 and {ED_SIGNERS} Ed25519 signers)");
    println!(
        "  csirt in process : {:>8.1} ms total ({:.1} ms keyring load), {:.3} ms/document (median of {rounds} rounds; fastest {:.1} ms, slowest {:.1} ms)",
        ours.as_secs_f64() * 1e3,
        load.as_secs_f64() * 1e3,
        per(ours),
        runs[0].0.as_secs_f64() * 1e3,
        runs[runs.len() - 1].0.as_secs_f64() * 1e3,
    );
    println!(
        "  gpgv per document: {:>8.1} ms total, {:.3} ms/document",
        gpgv.as_secs_f64() * 1e3,
        per(gpgv)
    );
    println!(
        "  ratio            : {:.1}x (target: at least 20x)",
        gpgv.as_secs_f64() / ours.as_secs_f64()
    );
}

/// One round in a child process of this bench: (total, keyring load).
fn fresh_round() -> (Duration, Duration) {
    let out = Command::new(std::env::current_exe().unwrap())
        .arg("--bench")
        .env("CSIRT_BENCH_ONE_ROUND", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut ns = text
        .split_whitespace()
        .map(|n| Duration::from_nanos(n.parse().unwrap()));
    (ns.next().unwrap(), ns.next().unwrap())
}

/// One in-process round: (total including the keyring load, the load).
fn in_process(fixtures: &Fixtures) -> (Duration, Duration) {
    let t0 = Instant::now();
    let mut keyring = Keyring::new();
    let n = keyring.add_bytes(
        &std::fs::read(&fixtures.ring).unwrap(),
        KeySource::Bytes("ring".into()),
    );
    assert_eq!(n, CERTS, "{:?}", keyring.problems);
    let load = t0.elapsed();
    let at = chrono::DateTime::<chrono::Utc>::from(SystemTime::now());
    let t1 = Instant::now();
    for (doc, sig, fpr) in &fixtures.docs {
        let d = std::fs::read(doc).unwrap();
        let s = std::fs::read(sig).unwrap();
        let mut input = Input::new(&d, at);
        input.signature = Some(&s);
        input.stated_fingerprints = vec![fpr.clone()];
        let r = verify(&input, &[&keyring]);
        assert_eq!(r.outcome, Outcome::Valid, "{}: {}", doc.display(), r.detail);
    }
    (t1.elapsed() + load, load)
}

struct Fixtures {
    ring: PathBuf,
    docs: Vec<(PathBuf, PathBuf, String)>,
}

impl Fixtures {
    fn load_or_make(dir: &Path) -> Fixtures {
        let ring = dir.join("ring.pgp");
        let list = dir.join("docs.tsv");
        if let (true, Ok(tsv)) = (ring.exists(), std::fs::read_to_string(&list)) {
            let docs: Vec<_> = tsv
                .lines()
                .filter_map(|l| {
                    let mut f = l.split('\t');
                    Some((
                        dir.join(f.next()?),
                        dir.join(f.next()?),
                        f.next()?.to_string(),
                    ))
                })
                .collect();
            if docs.len() == DOCS {
                return Fixtures { ring, docs };
            }
        }
        eprintln!(
            "making fixtures in {} (once; RSA-4096 key generation is slow)",
            dir.display()
        );
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        let signers: Vec<TestKey> = (0..RSA_SIGNERS + ED_SIGNERS)
            .map(|i| {
                let suite = if i < RSA_SIGNERS {
                    CipherSuite::RSA4k
                } else {
                    CipherSuite::Cv25519
                };
                let uid = format!("Team {i} <cert{i}@example.org>");
                TestKey::of_suite(&uid, suite, SystemTime::now() - DAY, None)
            })
            .collect();
        let mut ring_bytes = Vec::new();
        for k in &signers {
            ring_bytes.extend(k.public_binary());
        }
        for i in signers.len()..CERTS {
            ring_bytes
                .extend(TestKey::new(&format!("Other {i} <other{i}@example.org>")).public_binary());
        }
        std::fs::write(&ring, &ring_bytes).unwrap();

        let template = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("seeds/examples/xyz-cert.txt"),
        )
        .unwrap();
        let mut tsv = String::new();
        let mut docs = Vec::new();
        for i in 0..DOCS {
            // Alternate RSA and Ed25519 signers, half each.
            let k = if i % 2 == 0 {
                &signers[i / 2 % RSA_SIGNERS]
            } else {
                &signers[RSA_SIGNERS + i / 2 % ED_SIGNERS]
            };
            let fpr = k.fingerprint();
            let body = format!(
                "{}\nDocument {i}\n2.8 Public Keys\nFingerprint: {fpr}\n",
                template
            );
            let doc = format!("docs/{i:04}.txt");
            let sig = format!("docs/{i:04}.txt.sig");
            std::fs::write(dir.join(&doc), &body).unwrap();
            std::fs::write(dir.join(&sig), k.sign(body.as_bytes())).unwrap();
            tsv.push_str(&format!("{doc}\t{sig}\t{fpr}\n"));
            docs.push((dir.join(doc), dir.join(sig), fpr));
        }
        std::fs::write(&list, tsv).unwrap();
        Fixtures { ring, docs }
    }
}
