//! Discovery at the directory's scale: 1,000 team sites on loopback hosts
//! of their own, listed by website only in a directory file, imported with
//! `csirt seeds import` and crawled by the real `csirt crawl` at 1 request
//! per second per host, which has to find each team's document.
//!
//! The sites are laid out as teams lay theirs out (the mix, of 20):
//! - 6: a security.txt whose `Policy` is the document (one in six of them
//!   clear-signed, one in six expired);
//! - 6: a homepage with navigation that links "RFC 2350" to an HTML page;
//! - 2: a homepage linking "CSIRT description" to a page that only embeds
//!   the PDF;
//! - 2: the document only at a usual path (`/rfc2350.txt`);
//! - 1: the document at the deepest usual path the budget reaches
//!   (`/csirt/rfc2350.txt`);
//! - 1: a homepage that redirects to `/en/`, which links the document;
//! - 1: no document anywhere;
//! - 1: a robots.txt that forbids crawling (a document the crawler must not
//!   see).
//!
//! It prints the share of the findable documents found, the requests each
//! site took to find its document (robots.txt and redirects included; the
//! signature guesses that follow any document are not discovery), the wall
//! time over the politeness bound (the busiest host's requests, less the
//! first, times the interval: what politeness alone forces), and the
//! politeness violations. Targets (issue #24): 100%
//! found, median at most 4 requests and never more than 10, ratio at most
//! 1.05, no violation.
//!
//! Run: `cargo bench --bench discover`. `CSIRT_BENCH_RUNS` (default 3) sets
//! how many crawls, each into a new data directory, the figures are the
//! median of.

use std::process::Command;
use std::time::{Duration, Instant};

use csirt_testkit::http::{Reply, Server};
use csirt_testkit::pgp::TestKey;

mod farm;

const SITES: usize = 1_000;
const INTERVAL: Duration = Duration::from_secs(1);
const RUNS: usize = 3;

/// How a site is laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Layout {
    SecurityTxt,
    HomepageLink,
    WrappedPdf,
    UsualPath,
    DeepestPath,
    Redirected,
    Nothing,
    RobotsDeny,
}

impl Layout {
    fn of(i: usize) -> Layout {
        match i % 20 {
            0..=5 => Layout::SecurityTxt,
            6..=11 => Layout::HomepageLink,
            12 | 13 => Layout::WrappedPdf,
            14 | 15 => Layout::UsualPath,
            16 => Layout::DeepestPath,
            17 => Layout::Redirected,
            18 => Layout::Nothing,
            _ => Layout::RobotsDeny,
        }
    }

    /// Whether a polite crawler can find a document there.
    fn findable(self) -> bool {
        !matches!(self, Layout::Nothing | Layout::RobotsDeny)
    }
}

struct Site {
    server: Server,
    layout: Layout,
    name: String,
    /// Where its document is, for a site that has one.
    document: Option<String>,
}

fn text(name: &str) -> String {
    format!(
        "1. Document Information\n1.1 Date of Last Update\n2026-10-01\n\
         2. Contact Information\n2.1 Name of the Team\n{name}\n\
         2.7 Electronic Mail Address\ncert@{}.example\n\
         3. Charter\n3.2 Constituency\nThe staff and students of the university.\n",
        name.to_lowercase()
    )
}

fn page(body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><title>Team</title></head><body><nav><a href=\"/\">Home</a> \
         <a href=\"/news\">News</a> <a href=\"/contact\">Contact</a> <a href=\"/about\">About us</a></nav>\
         <main>{body}</main><footer><a href=\"/privacy\">Privacy</a></footer></body></html>"
    )
}

fn html_document(name: &str) -> String {
    let mut body = String::new();
    for para in text(name).lines() {
        if para.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            body += &format!("<h2>{para}</h2>");
        } else {
            body += &format!("<p>{para}</p>");
        }
    }
    page(&body)
}

/// The project's own PDF fixture made this team's: the name is replaced by
/// one of the same length, so every offset in the file still holds.
fn pdf(fixture: &[u8], name: &str) -> Vec<u8> {
    assert_eq!(name.len(), "PDF-CSIRT".len());
    let from = b"PDF-CSIRT";
    let mut out = fixture.to_vec();
    let mut i = 0;
    while let Some(at) = out[i..].windows(from.len()).position(|w| w == from) {
        out[i + at..i + at + from.len()].copy_from_slice(name.as_bytes());
        i += at + from.len();
    }
    out
}

fn farm() -> (Vec<Site>, String) {
    let fixture = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/pdf-running-header.pdf"
    ))
    .unwrap();
    let key = TestKey::new("Farm <cert@farm.example>");
    let mut sites = Vec::new();
    let mut csv = String::from("name,website,email,country\n");
    for i in 0..SITES {
        let layout = Layout::of(i);
        let ip = format!("127.0.{}.{}", 30 + i / 250, 1 + i % 250);
        let server = Server::start(&ip);
        let name = format!("T-{i:07}");
        let home = |links: &str| Reply::ok(page(&format!("<p>Welcome to {name}.</p>{links}")));
        let document = match layout {
            Layout::SecurityTxt => {
                let doc = "/about/csirt-description.txt";
                let expires = if i % 6 == 1 {
                    "2020-01-01"
                } else {
                    "2030-01-01"
                };
                let txt = format!(
                    "Contact: mailto:cert@{}.example\nPolicy: {}\nExpires: {expires}T00:00:00Z\n",
                    name.to_lowercase(),
                    server.url(doc)
                );
                let txt = if i % 6 == 0 {
                    key.clearsign(&txt)
                } else {
                    txt.into_bytes()
                };
                server.route("/.well-known/security.txt", Reply::ok(txt));
                server.route(doc, Reply::ok(text(&name)));
                Some(doc)
            }
            Layout::HomepageLink => {
                server.route(
                    "/",
                    home("<p><a href=\"/about/rfc2350.html\">RFC 2350</a></p>"),
                );
                server.route("/about/rfc2350.html", Reply::ok(html_document(&name)));
                Some("/about/rfc2350.html")
            }
            Layout::WrappedPdf => {
                server.route(
                    "/",
                    home("<p><a href=\"/csirt-description\">CSIRT description</a></p>"),
                );
                server.route(
                    "/csirt-description",
                    Reply::ok(page("<object data=\"/files/description.pdf\" type=\"application/pdf\"></object>")),
                );
                server.route("/files/description.pdf", Reply::ok(pdf(&fixture, &name)));
                Some("/files/description.pdf")
            }
            Layout::UsualPath | Layout::DeepestPath | Layout::RobotsDeny => {
                let path = if layout == Layout::DeepestPath {
                    "/csirt/rfc2350.txt"
                } else {
                    "/rfc2350.txt"
                };
                server.route("/", home(""));
                server.route(path, Reply::ok(text(&name)));
                if layout == Layout::RobotsDeny {
                    server.route("/robots.txt", Reply::ok("User-agent: *\nDisallow: /\n"));
                }
                Some(path)
            }
            Layout::Redirected => {
                server.route("/", Reply::redirect("/en/"));
                server.route(
                    "/en/",
                    home("<p><a href=\"/en/rfc-2350\">Our RFC 2350 profile</a></p>"),
                );
                server.route("/en/rfc-2350", Reply::ok(html_document(&name)));
                Some("/en/rfc-2350")
            }
            Layout::Nothing => {
                server.route("/", home(""));
                None
            }
        };
        csv += &format!(
            "{name},{},cert@{}.example,CA\n",
            server.url("/"),
            name.to_lowercase()
        );
        let document = document
            .filter(|_| layout.findable())
            .map(|p| server.url(p));
        sites.push(Site {
            server,
            layout,
            name,
            document,
        });
    }
    (sites, csv)
}

/// What one crawl of the farm measured.
struct Run {
    wall: Duration,
    bound: Duration,
    found: usize,
    findable: usize,
    /// Discovery requests, site by site.
    requests: Vec<usize>,
    busiest: String,
    violations: usize,
    violators: Vec<String>,
    misses: Vec<String>,
}

impl Run {
    fn ratio(&self) -> f64 {
        self.wall.as_secs_f64() / self.bound.as_secs_f64()
    }

    fn median_requests(&self) -> usize {
        let mut r = self.requests.clone();
        r.sort_unstable();
        r[r.len() / 2]
    }
}

fn main() {
    let made = Instant::now();
    let (sites, csv) = farm();
    eprintln!(
        "farm of {} sites made in {:.1} s",
        sites.len(),
        made.elapsed().as_secs_f64()
    );
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_csirt");
    std::fs::write(dir.path().join("directory.csv"), csv).unwrap();
    let seeds = dir.path().join("seeds.toml");
    let out = Command::new(bin)
        .args(["seeds", "import", "--from", "csv"])
        .arg(dir.path().join("directory.csv"))
        .arg("--into")
        .arg(&seeds)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let runs_wanted = std::env::var("CSIRT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n: &usize| *n > 0)
        .unwrap_or(RUNS);
    let mut runs = Vec::new();
    for k in 0..runs_wanted {
        if k > 0 {
            std::thread::sleep(Duration::from_secs(2));
        }
        for s in &sites {
            s.server.forget();
        }
        let run = crawl_once(bin, &seeds, &dir.path().join(format!("data-{k}")), &sites);
        println!(
            "  run {}: found {}/{}, requests per site median {} max {}, ratio {:.3} (wall {:.2} s, bound {:.2} s: {}), {} violations",
            k + 1,
            run.found,
            run.findable,
            run.median_requests(),
            run.requests.iter().max().unwrap_or(&0),
            run.ratio(),
            run.wall.as_secs_f64(),
            run.bound.as_secs_f64(),
            run.busiest,
            run.violations
        );
        for v in run.violators.iter().chain(&run.misses) {
            println!("    {v}");
        }
        runs.push(run);
    }
    report(&runs, &sites);
}

fn crawl_once(bin: &str, seeds: &std::path::Path, data: &std::path::Path, sites: &[Site]) -> Run {
    let mut cmd = Command::new(bin);
    cmd.arg("crawl")
        .arg("--seeds")
        .arg(seeds)
        .arg("--data")
        .arg(data)
        .args([
            "--allow-private",
            "--per-host-interval",
            "1s",
            "--format",
            "json",
        ]);
    let w = farm::watch(cmd);

    // Which document represents each team, as the report says.
    let out = Command::new(bin)
        .args(["report", "--format", "json", "--data"])
        .arg(data)
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let url_of = |name: &str| -> Option<String> {
        report["teams"]
            .as_array()?
            .iter()
            .find(|t| t["team"] == name)?["url"]
            .as_str()
            .map(String::from)
    };

    let mut polite = farm::Politeness::default();
    let (mut found, mut findable, mut requests, mut misses) = (0, 0, Vec::new(), Vec::new());
    let (mut bound, mut busiest) = (Duration::ZERO, String::new());
    for s in sites {
        let seen = polite.host(&format!("{:?}", s.layout), &s.server, INTERVAL);
        // The first request waits for nothing: n requests need n - 1
        // intervals.
        let own = INTERVAL * seen.saturating_sub(1) as u32;
        if own > bound {
            bound = own;
            busiest = format!("{:?}, {seen} requests", s.layout);
        }
        // Discovery's requests: all but the signature guesses that follow
        // the document it found.
        let discovery = s
            .server
            .paths()
            .iter()
            .filter(|p| !p.ends_with(".asc") && !p.ends_with(".sig"))
            .count();
        requests.push(discovery);
        if s.layout == Layout::RobotsDeny && s.server.paths().iter().any(|p| p != "/robots.txt") {
            misses.push(format!("{}: fetched despite robots.txt", s.name));
        }
        if let Some(doc) = &s.document {
            findable += 1;
            match url_of(&s.name) {
                Some(u) if u == *doc => found += 1,
                other => misses.push(format!("{:?} {}: {other:?}, not {doc}", s.layout, s.name)),
            }
        }
    }
    Run {
        wall: w.wall,
        bound,
        found,
        findable,
        requests,
        busiest,
        violations: polite.violations,
        violators: polite.violators,
        misses,
    }
}

fn report(runs: &[Run], sites: &[Site]) {
    let mut order: Vec<&Run> = runs.iter().collect();
    order.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
    let median = order[order.len() / 2];
    println!(
        "discovery on a loopback web: {} sites, 1 request/s/host, {} runs",
        sites.len(),
        runs.len()
    );
    println!(
        "  found       : {}/{} findable documents ({:.1}%; target: 100%), {} forbidden by robots.txt untouched",
        median.found,
        median.findable,
        100.0 * median.found as f64 / median.findable.max(1) as f64,
        sites.iter().filter(|s| s.layout == Layout::RobotsDeny).count()
    );
    let mut by_layout: Vec<(Layout, Vec<usize>)> = Vec::new();
    for (s, r) in sites.iter().zip(&median.requests) {
        match by_layout.iter_mut().find(|(l, _)| *l == s.layout) {
            Some((_, v)) => v.push(*r),
            None => by_layout.push((s.layout, vec![*r])),
        }
    }
    println!(
        "  requests    : median {} per site, max {} (targets: median at most 4, never more than 10)",
        median.median_requests(),
        median.requests.iter().max().unwrap_or(&0)
    );
    for (l, v) in &by_layout {
        println!(
            "    {:<13} {:>4} sites, {} requests each",
            format!("{l:?}"),
            v.len(),
            v.iter().max().unwrap_or(&0)
        );
    }
    println!(
        "  ratio       : {:.3} median (min {:.3}, max {:.3}; target: at most 1.05)",
        median.ratio(),
        order[0].ratio(),
        order[order.len() - 1].ratio()
    );
    println!(
        "  violations  : {} (target: 0)",
        runs.iter().map(|r| r.violations).sum::<usize>()
    );
}
