//! The pages for people on a directory of the real size: 1,500 teams, each
//! on a loopback host of its own, crawled by the real `csirt crawl` (signed
//! documents, detached signatures, keys), then served by the `csirt serve`
//! router on an ephemeral port.
//!
//! Printed per page kind (`/`, a search, a team page, the report): time to
//! first byte p50/p99 and the page's weight (smallest, median, largest), for
//! one client asking one page after another, then for four clients at once.
//!
//! Targets (issue #26): time to first byte p99 under 5 ms for `/`, a search
//! and a team page, one client at a time, on loopback; every page under
//! 100 KB.
//!
//! Run: `cargo bench --bench pages` (`CSIRT_BENCH_TEAMS` sets the teams,
//! `CSIRT_BENCH_SAMPLES` the requests per page kind, 2,000 by default).

mod load;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use csirt_testkit::http::{Reply, Server};
use csirt_testkit::pgp::TestKey;
use load::env;

const PROVINCES: [&str; 6] = [
    "Quebec",
    "Ontario",
    "Alberta",
    "Manitoba",
    "Nova Scotia",
    "Yukon",
];
const COUNTRIES: [&str; 8] = ["CA", "FR", "DE", "ID", "JP", "BR", "NO", "KE"];

/// The RFC's example made one team's own, all its links on its host.
fn document(template: &str, i: usize, base: &str, fingerprint: &str) -> String {
    let english = "http://www.xyz-univ.ca/xyz-cert/english/CSIRT-descr";
    let french = "http://www.xyz-univ.ca/xyz-cert/francais/CSIRT-descr";
    let doc = format!("{base}/rfc2350.txt");
    let sig = format!("{base}/rfc2350.txt.asc");
    template
        .replace(&format!("{english}.txt"), &doc)
        .replace(&format!("{french}.txt"), &doc)
        .replace(&format!("{english}.asc"), &sig)
        .replace(&format!("{french}.asc"), &sig)
        .replace("http://www-compserv.xyz-univ.ca", base)
        .replace("http://www.xyz-univ.ca", base)
        .replace("Quebec", PROVINCES[i % PROVINCES.len()])
        .replace("XYZ-CERT", &format!("TEAM-{i}"))
        + &format!("\n2.8 Public Keys\nFingerprint: {fingerprint}\n")
}

fn main() {
    let teams = env("CSIRT_BENCH_TEAMS", 1_500);
    let samples = env("CSIRT_BENCH_SAMPLES", 2_000);
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/examples/xyz-cert.txt"
    ))
    .unwrap();
    let made = Instant::now();
    let mut hosts = Vec::new();
    let mut seeds = String::new();
    for i in 0..teams {
        let server = Server::start(&format!("127.0.{}.{}", 10 + i / 250, 1 + i % 250));
        let key = TestKey::new(&format!("TEAM-{i} <cert@team-{i}.example>"));
        let base = server.url("");
        let text = document(&template, i, &base, &key.fingerprint());
        server.route(
            "/rfc2350.txt.asc",
            Reply::ok(key.sign_armored(text.as_bytes())),
        );
        server.route("/rfc2350.txt", Reply::ok(text));
        server.route("/key.asc", Reply::ok(key.public()));
        seeds.push_str(&format!(
            "[[team]]\nname = \"TEAM-{i}\"\ndocument = \"{base}/rfc2350.txt\"\nsignature = \"{base}/rfc2350.txt.asc\"\nkey = \"{base}/key.asc\"\ncountry = \"{}\"\n\n",
            COUNTRIES[i % COUNTRIES.len()]
        ));
        hosts.push(server);
    }
    let dir = tempfile::tempdir().unwrap();
    let seed_file = dir.path().join("farm.toml");
    std::fs::write(&seed_file, seeds).unwrap();
    let data = dir.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csirt"))
        .arg("crawl")
        .arg("--seeds")
        .arg(&seed_file)
        .arg("--data")
        .arg(&data)
        .args([
            "--allow-private",
            "--per-host-interval",
            "10ms",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The pages read the store, never the farm.
    drop(hosts);
    println!(
        "{teams} teams served, crawled and indexed in {:.1} s",
        made.elapsed().as_secs_f64()
    );

    let app = csirt_serve::App::open(csirt_serve::Config::new(&data)).unwrap();
    let ids: Vec<i64> = app
        .snapshot()
        .subjects
        .iter()
        .filter_map(|s| s.team_id)
        .collect();
    assert!(ids.len() >= teams, "{} teams in the store", ids.len());
    let (_rt, addr) = load::serve(&app);

    let searches: Vec<String> = PROVINCES
        .iter()
        .flat_map(|p| {
            let p = p.replace(' ', "+");
            [
                format!("/?q=constituency%3A+universities+{p}"),
                format!("/?q={p}&signed=yes"),
                format!("/?q=university+{p}&offset=20"),
            ]
        })
        .collect();
    let kinds: Vec<(&str, Vec<String>)> = vec![
        (
            "/",
            vec![
                "/".into(),
                "/?country=CA".into(),
                "/?signed=yes&offset=50".into(),
            ],
        ),
        ("search", searches),
        (
            "team page",
            ids.iter().map(|id| format!("/teams/{id}")).collect(),
        ),
        (
            "report",
            vec![
                "/report".into(),
                "/report?severity=warning&offset=50".into(),
            ],
        ),
    ];
    println!("{samples} requests per page kind, one keep-alive connection:");
    let mut pass = true;
    for (name, paths) in &kinds {
        let (ttfb, sizes) = measure(addr, paths, samples, 1);
        pass &= print(name, &ttfb, &sizes, *name != "report");
    }
    println!("four clients at once:");
    for (name, paths) in &kinds {
        let (ttfb, sizes) = measure(addr, paths, samples, 4);
        print(name, &ttfb, &sizes, false);
    }
    println!(
        "targets (p99 time to first byte < 5 ms for /, search, team page; every page < 100 KB): {}",
        if pass { "met" } else { "NOT met" }
    );
}

/// Times to first byte and page sizes of `samples` requests spread over
/// `paths`, by `clients` connections at once.
fn measure(
    addr: SocketAddr,
    paths: &[String],
    samples: usize,
    clients: usize,
) -> (Vec<Duration>, Vec<usize>) {
    // Warm up: every path once.
    for p in paths.iter().take(samples) {
        fetch(&mut connect(addr), p);
    }
    let per = samples / clients;
    let threads: Vec<_> = (0..clients)
        .map(|c| {
            let paths = paths.to_vec();
            std::thread::spawn(move || {
                let mut conn = connect(addr);
                let mut out = Vec::with_capacity(per);
                for k in 0..per {
                    let path = &paths[(k * clients + c) % paths.len()];
                    out.push(fetch(&mut conn, path));
                }
                out
            })
        })
        .collect();
    let mut ttfb = Vec::new();
    let mut sizes = Vec::new();
    for t in threads {
        for (d, n) in t.join().unwrap() {
            ttfb.push(d);
            sizes.push(n);
        }
    }
    ttfb.sort();
    sizes.sort();
    (ttfb, sizes)
}

fn connect(addr: SocketAddr) -> BufReader<TcpStream> {
    let s = TcpStream::connect(addr).unwrap();
    s.set_nodelay(true).unwrap();
    BufReader::new(s)
}

/// One GET on a keep-alive connection: the time to the first byte of the
/// response, and the body's length. Panics on anything but 200.
fn fetch(conn: &mut BufReader<TcpStream>, path: &str) -> (Duration, usize) {
    let start = Instant::now();
    write!(
        conn.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/html\r\n\r\n"
    )
    .unwrap();
    conn.fill_buf().unwrap();
    let ttfb = start.elapsed();
    let mut status = String::new();
    conn.read_line(&mut status).unwrap();
    assert!(status.contains(" 200 "), "{path}: {status}");
    let mut length = 0;
    loop {
        let mut line = String::new();
        conn.read_line(&mut line).unwrap();
        let l = line.trim().to_ascii_lowercase();
        if l.is_empty() {
            break;
        }
        if let Some(n) = l.strip_prefix("content-length:") {
            length = n.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body).unwrap();
    (ttfb, length)
}

fn print(name: &str, ttfb: &[Duration], sizes: &[usize], judged: bool) -> bool {
    let at = |p: f64| ttfb[((ttfb.len() - 1) as f64 * p).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (p50, p99) = (at(0.5), at(0.99));
    let heaviest = *sizes.last().unwrap_or(&0);
    println!(
        "  {name:<10} ttfb p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms   weight {:.1} / {:.1} / {:.1} KB (min/median/max)",
        ms(p50),
        ms(p99),
        ms(*ttfb.last().unwrap()),
        sizes[0] as f64 / 1024.0,
        sizes[sizes.len() / 2] as f64 / 1024.0,
        heaviest as f64 / 1024.0,
    );
    heaviest < 100_000 && (!judged || p99 < Duration::from_millis(5))
}
