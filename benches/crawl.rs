//! A crawl at the directory's real scale: 1,500 teams, each on a loopback
//! host of its own (127.0.x.y), crawled by the real `csirt crawl` process
//! at 1 request per second per host.
//!
//! The farm is a realistic mix: every team publishes a document, its
//! detached signature and its key on its own host; a fifth publish the
//! document as an HTML page, a tenth publish two documents. A handful of
//! hosts misbehave as real ones do: one trickles its body (one byte a
//! second), one answers 503 with Retry-After before the document, one
//! redirects in a loop, one has lost its document (404), one forbids
//! crawling in robots.txt.
//!
//! It prints, for each crawl and over all of them: the wall time divided by
//! the politeness bound, the politeness violations the farm saw (two
//! requests to one host at once, or closer than the interval), the
//! crawler's peak resident memory, and its CPU seconds per 1,000 documents.
//!
//! The bound is what politeness alone forces on the busiest host: its
//! requests times the interval, a request the host answered with a longer
//! Retry-After counted as that, and a request that trickled counted as a
//! timeout (a trickling host costs two, after which the crawler gives it
//! up). Targets (issue #22): ratio at most 1.03, no violation, peak memory
//! under 200 MB.
//!
//! Run: `cargo bench --bench crawl`. `CSIRT_BENCH_RUNS` (default 3) sets
//! how many crawls the ratio is the median of; `CSIRT_BENCH_BIN` crawls
//! with another build of `csirt` (to compare two builds on one farm);
//! `CSIRT_BENCH_HOSTILE=1` adds three hosts serving 10 MB hostile
//! documents (deep nesting, unclosed formatting, one line), signed, to
//! show that they do not hold the crawl (issue #28).

use std::process::Command;
use std::time::{Duration, Instant};

use csirt_testkit::http::{Reply, Server};
use csirt_testkit::pgp::TestKey;

mod farm;

/// Teams with a well-behaved host.
const TEAMS: usize = 1_500;
const INTERVAL: Duration = Duration::from_secs(1);
const TIMEOUT: Duration = Duration::from_secs(10);
const RETRY_AFTER: u64 = 3;
const RUNS: usize = 3;

/// How a host behaves.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Text,
    Html,
    TwoDocuments,
    Trickle,
    RetryAfter,
    RedirectLoop,
    Gone,
    RobotsDeny,
    /// Serves the hostile document of this name (10 MB).
    Hostile(&'static str),
}

struct Host {
    server: Server,
    kind: Kind,
}

impl Host {
    /// The least time politeness lets a crawl spend on the host after
    /// `requests` requests: an interval per request, but a timeout for each
    /// that trickled and the Retry-After for the one that asked for it.
    fn bound(&self, requests: usize) -> Duration {
        let intervals = INTERVAL * requests as u32;
        match self.kind {
            Kind::Trickle => intervals.saturating_sub(INTERVAL * 2) + TIMEOUT * 2,
            Kind::RetryAfter => {
                intervals.saturating_sub(INTERVAL) + Duration::from_secs(RETRY_AFTER)
            }
            _ => intervals,
        }
    }
}

/// The RFC's example made a team's own: its name, fingerprint, and the
/// URLs it states (section 1.3 the document's, 1.4 its own signature's,
/// every other link on its host), so that nothing points off the farm.
fn document(
    name: &str,
    fingerprint: &str,
    template: &str,
    base: &str,
    doc: &str,
    sig: &str,
) -> String {
    let english = "http://www.xyz-univ.ca/xyz-cert/english/CSIRT-descr";
    let french = "http://www.xyz-univ.ca/xyz-cert/francais/CSIRT-descr";
    template
        .replace(&format!("{english}.txt"), doc)
        .replace(&format!("{french}.txt"), doc)
        .replace(&format!("{english}.asc"), sig)
        .replace(&format!("{french}.asc"), sig)
        .replace("http://www-compserv.xyz-univ.ca", base)
        .replace("http://www.xyz-univ.ca", base)
        .replace("XYZ-CERT", name)
        + &format!("\n2.8 Public Keys\nFingerprint: {fingerprint}\n")
}

fn html(text: &str) -> String {
    let mut page = String::from("<!DOCTYPE html><html><head><title>RFC 2350</title></head><body><nav><a href=\"/\">Home</a></nav><main>");
    for para in text.split("\n\n") {
        let p = para.replace('&', "&amp;").replace('<', "&lt;");
        if p.len() < 80 && p.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            page.push_str(&format!("<h2>{p}</h2>\n"));
        } else {
            page.push_str(&format!("<p>{p}</p>\n"));
        }
    }
    page + "</main><footer>Contact us</footer></body></html>"
}

/// The farm: the fault hosts first (they take longest, and a crawl starts
/// teams in seed order), then the teams.
fn farm(template: &str) -> (Vec<Host>, String) {
    let faults = [
        Kind::Trickle,
        Kind::RetryAfter,
        Kind::RedirectLoop,
        Kind::Gone,
        Kind::RobotsDeny,
    ];
    let hostile: &[&'static str] = if std::env::var_os("CSIRT_BENCH_HOSTILE").is_some() {
        &[
            "deep-div.html",
            "formatting-with-attributes.html",
            "one-line.txt",
        ]
    } else {
        &[]
    };
    let family = if hostile.is_empty() {
        Vec::new()
    } else {
        csirt_testkit::hostile::family(10_000_000)
    };
    let hostile_body = |name: &str| {
        let h = family.iter().find(|h| h.name == name).expect("a member");
        String::from_utf8_lossy(&h.bytes).into_owned()
    };
    let kinds = faults
        .into_iter()
        .chain(hostile.iter().map(|&n| Kind::Hostile(n)))
        .chain((0..TEAMS).map(|i| match i {
            i if i % 10 == 3 => Kind::TwoDocuments,
            i if i % 5 == 1 => Kind::Html,
            _ => Kind::Text,
        }));
    let mut hosts = Vec::new();
    let mut seeds = String::new();
    for (i, kind) in kinds.enumerate() {
        let ip = format!("127.0.{}.{}", 10 + i / 250, 1 + i % 250);
        let server = Server::start(&ip);
        let name = format!("FARM-{i}");
        let key = TestKey::new(&format!("{name} <cert@farm-{i}.example>"));
        let base = server.url("");
        let path = match kind {
            Kind::Html | Kind::Hostile(_) => "/rfc2350.html",
            _ => "/rfc2350.txt",
        };
        let (doc_url, sig_url) = (format!("{base}{path}"), format!("{base}{path}.sig"));
        let text = document(
            &name,
            &key.fingerprint(),
            template,
            &base,
            &doc_url,
            &sig_url,
        );
        let body = match kind {
            Kind::Html => html(&text),
            Kind::Hostile(member) => hostile_body(member),
            _ => text,
        };
        server.route("/key.asc", Reply::ok(key.public()));
        server.route(&format!("{path}.sig"), Reply::ok(key.sign(body.as_bytes())));
        let doc = match kind {
            Kind::Trickle => Reply::Trickle,
            Kind::RetryAfter => Reply::Seq(vec![
                Reply::retry_after(503, RETRY_AFTER),
                Reply::ok(body.clone()),
            ]),
            Kind::RedirectLoop => Reply::redirect(path),
            Kind::Gone => Reply::status(404),
            _ => Reply::ok(body.clone()),
        };
        server.route(path, doc);
        if kind == Kind::RobotsDeny {
            server.route("/robots.txt", Reply::ok("User-agent: *\nDisallow: /\n"));
        }
        let mut documents = vec![format!("\"{doc_url}\"")];
        if kind == Kind::TwoDocuments {
            let (fr_url, fr_sig) = (
                format!("{base}/fr/rfc2350.txt"),
                format!("{base}/fr/rfc2350.txt.asc"),
            );
            let fr = document(&name, &key.fingerprint(), template, &base, &fr_url, &fr_sig)
                .replace("CSIRT Description", "Description du CSIRT");
            server.route("/fr/rfc2350.txt", Reply::ok(fr.clone()));
            server.route(
                "/fr/rfc2350.txt.asc",
                Reply::ok(key.sign_armored(fr.as_bytes())),
            );
            documents.push(format!("\"{base}/fr/rfc2350.txt\""));
        }
        seeds.push_str(&format!(
            "[[team]]\nname = \"{name}\"\ndocuments = [{}]\nsignature = \"{sig_url}\"\nkey = \"{base}/key.asc\"\n\n",
            documents.join(", ")
        ));
        hosts.push(Host { server, kind });
    }
    (hosts, seeds)
}

/// What one crawl of the farm measured.
struct Run {
    wall: Duration,
    bound: Duration,
    /// The host whose bound is the crawl's.
    busiest: String,
    requests: usize,
    violations: usize,
    /// Which hosts saw them, and how.
    violators: Vec<String>,
    min_gap: Duration,
    peak_kib: u64,
    cpu: Duration,
    summary: serde_json::Value,
}

impl Run {
    fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.bound.as_secs_f64()
    }

    fn documents(&self) -> u64 {
        self.summary["checked"].as_u64().unwrap_or(0)
    }
}

fn main() {
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/examples/xyz-cert.txt"
    ))
    .unwrap();
    let made = Instant::now();
    let (hosts, seeds) = farm(&template);
    eprintln!(
        "farm of {} hosts made in {:.1} s",
        hosts.len(),
        made.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().unwrap();
    let seed_file = dir.path().join("farm.toml");
    std::fs::write(&seed_file, seeds).unwrap();
    let bin =
        std::env::var("CSIRT_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_csirt").into());
    let runs_wanted: usize = match std::env::var("CSIRT_BENCH_RUNS") {
        Ok(v) => v
            .parse()
            .ok()
            .filter(|n| *n > 0)
            .unwrap_or_else(|| panic!("CSIRT_BENCH_RUNS={v}: expected a count of crawls")),
        Err(_) => RUNS,
    };
    let mut runs = Vec::new();
    for k in 0..runs_wanted {
        if k > 0 {
            // Let the last crawl's connections close before the next.
            std::thread::sleep(Duration::from_secs(2));
        }
        for h in &hosts {
            h.server.forget();
        }
        let run = crawl_once(
            &bin,
            &seed_file,
            &dir.path().join(format!("data-{k}")),
            &hosts,
        );
        println!(
            "  run {}: ratio {:.3}, wall {:.2} s, bound {:.2} s ({}), {} requests, {} violations, peak {:.1} MB, {:.2} CPU s per 1,000 documents",
            k + 1,
            run.ratio(),
            run.wall.as_secs_f64(),
            run.bound.as_secs_f64(),
            run.busiest,
            run.requests,
            run.violations,
            run.peak_kib as f64 / 1024.0,
            run.cpu.as_secs_f64() * 1000.0 / run.documents().max(1) as f64,
        );
        for v in &run.violators {
            println!("    violation: {v}");
        }
        runs.push(run);
    }
    report(&runs, hosts.len());
}

/// One real `csirt crawl` of the farm into a new data folder `data`.
fn crawl_once(
    bin: &str,
    seed_file: &std::path::Path,
    data: &std::path::Path,
    hosts: &[Host],
) -> Run {
    let mut cmd = Command::new(bin);
    cmd.arg("crawl")
        .arg("--seeds")
        .arg(seed_file)
        .arg("--data")
        .arg(data)
        .args(["--allow-private", "--per-host-interval", "1s", "--timeout"])
        .arg(format!("{}s", TIMEOUT.as_secs()))
        .args(["--format", "json"]);
    let w = farm::watch(cmd);
    let summary: serde_json::Value = serde_json::from_str(w.stdout.trim()).unwrap_or_default();
    let mut polite = farm::Politeness::default();
    let mut requests = 0;
    let (mut bound, mut busiest) = (Duration::ZERO, String::new());
    for h in hosts {
        let seen = polite.host(&format!("{:?}", h.kind), &h.server, INTERVAL);
        requests += seen;
        let own = h.bound(seen);
        if own > bound {
            bound = own;
            busiest = format!("{:?}, {seen} requests", h.kind);
        }
    }
    Run {
        wall: w.wall,
        bound,
        busiest,
        requests,
        violations: polite.violations,
        violators: polite.violators,
        min_gap: polite.min_gap.unwrap_or_default(),
        peak_kib: w.peak_kib,
        cpu: w.cpu,
        summary,
    }
}

fn report(runs: &[Run], hosts: usize) {
    let mut order: Vec<&Run> = runs.iter().collect();
    order.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
    let median = order[order.len() / 2];
    println!(
        "crawl of a loopback farm: {hosts} hosts ({TEAMS} teams and 5 faults), 1 request/s/host, timeout {} s, {} runs",
        TIMEOUT.as_secs(),
        runs.len()
    );
    println!("  the median run's summary: {}", median.summary);
    println!(
        "  ratio       : {:.3} median (min {:.3}, max {:.3}; target: at most 1.03)",
        median.ratio(),
        order[0].ratio(),
        order[order.len() - 1].ratio()
    );
    println!(
        "  violations  : {} (smallest gap {:.3} s; target: 0)",
        runs.iter().map(|r| r.violations).sum::<usize>(),
        runs.iter()
            .map(|r| r.min_gap)
            .min()
            .unwrap_or_default()
            .as_secs_f64()
    );
    println!(
        "  peak memory : {:.1} MB, the most of any run (target: under 200 MB)",
        runs.iter().map(|r| r.peak_kib).max().unwrap_or_default() as f64 / 1024.0
    );
    println!(
        "  CPU         : {:.2} s per 1,000 documents (median run: {:.1} s for {} documents)",
        median.cpu.as_secs_f64() * 1000.0 / median.documents().max(1) as f64,
        median.cpu.as_secs_f64(),
        median.documents()
    );
}
