//! The pages for people (`/`, `/teams/{id}`, `/report`) served by the real
//! `csirt serve` over a crawled loopback farm: their statuses and headers
//! over plain HTTP, then what a person does with them in headless Chromium
//! (search, follow a result, read the contact and the signature, look an
//! address up, open the report) at 1280 and 390 pixels, light and dark,
//! with no console error and no Content-Security-Policy violation.
//!
//! The browser tests skip when Chromium or chromedriver is missing, unless
//! `CSIRT_REQUIRE_BROWSER` is set (CI sets it). Screenshots are written to
//! `target/tmp/screenshots/`.

mod util;
#[path = "util/webdriver.rs"]
mod webdriver;

use std::path::PathBuf;

use util::pgp::TestKey;
use util::server::{Reply, Server};
use util::*;
use webdriver::{Browser, ENTER, TAB};

/// A Date of Last Update a month ago: current whenever the test runs.
fn recent() -> String {
    (chrono::Utc::now() - chrono::Duration::days(30))
        .format("%Y-%m-%d")
        .to_string()
}

fn document(
    name: &str,
    email: &str,
    fingerprint: &str,
    location: &str,
    constituency: &str,
) -> String {
    format!(
        "1. Document Information\n1.1 Date of Last Update\n{}\n\
         1.3 Locations where this Document May Be Found\n{location}\n\
         2. Contact Information\n2.1 Name of the Team\n{name}\n\
         2.4 Telephone Number\n+1 514 555 0100\n2.6 Time Zone\nAmerica/Montreal\n\
         2.7 Electronic Mail Address\n{email}\n\
         2.8 Public Keys and Encryption Information\nFingerprint: {fingerprint}\n\
         3. Charter\n3.2 Constituency\n{constituency}\n",
        recent()
    )
}

/// The farm: ALPHA signs its document (and changes it between the two
/// crawls), BETA publishes an unsigned HTML page, GAMMA's document is
/// written to break pages (markup in its name, a `javascript:` location).
struct Farm {
    host: Server,
    _dir: tempfile::TempDir,
    seeds: PathBuf,
    data: PathBuf,
    alpha: TestKey,
}

const ALPHA_CONSTITUENCY: &str =
    "Universities in Quebec, on the networks 192.0.2.0/24 and AS64500.";

impl Farm {
    fn new(ip: &str) -> Farm {
        let host = Server::start(ip);
        let alpha = TestKey::new("ALPHA <cert@alpha.example>");
        let gamma = TestKey::new("GAMMA <cert@gamma.example>");
        let dir = tempfile::tempdir().unwrap();
        let farm = Farm {
            seeds: dir.path().join("seeds.toml"),
            data: dir.path().join("data"),
            host,
            _dir: dir,
            alpha,
        };
        farm.publish_alpha("cert@alpha.example");
        let beta = document(
            "BETA",
            "cert@beta.example",
            &gamma.fingerprint(),
            &farm.host.url("/beta.html"),
            "Hospitals in Ontario.",
        );
        let paragraphs: String = beta.lines().map(|l| format!("<p>{l}</p>\n")).collect();
        farm.host.route(
            "/beta.html",
            Reply::ok(format!(
                "<!DOCTYPE html><html><head><title>BETA</title></head><body>{paragraphs}</body></html>"
            )),
        );
        farm.host.route(
            "/gamma.txt",
            Reply::ok(document(
                "GAMMA\"><img src=x id=injected><script>alert(1)</script>",
                "cert@gamma.example",
                &gamma.fingerprint(),
                "javascript:alert(document.domain)",
                "Ships at sea.",
            )),
        );
        // A page with the pages' own policy that breaks it: the control
        // that shows the browser reports violations where we look.
        farm.host.route(
            "/csp-control.html",
            Reply::Full(
                200,
                vec![
                    ("Content-Type".into(), "text/html".into()),
                    (
                        "Content-Security-Policy".into(),
                        csirt_serve::pages::CONTENT_SECURITY_POLICY.into(),
                    ),
                ],
                b"<!DOCTYPE html><title>control</title><script>document.title='ran'</script><p>x</p>"
                    .to_vec(),
            ),
        );
        // A browser asks any page's host for its icon.
        farm.host.route("/favicon.ico", Reply::ok(Vec::new()));
        let seeds = format!(
            "[[team]]\nname = \"ALPHA\"\ndocument = \"{}\"\nsignature = \"{}\"\nkey = \"{}\"\ncountry = \"CA\"\n\n\
             [[team]]\nname = \"BETA\"\ndocument = \"{}\"\ncountry = \"CA\"\n\n\
             [[team]]\nname = \"GAMMA\"\ndocument = \"{}\"\ncountry = \"NO\"\n",
            farm.host.url("/alpha.txt"),
            farm.host.url("/alpha.txt.asc"),
            farm.host.url("/alpha-key.asc"),
            farm.host.url("/beta.html"),
            farm.host.url("/gamma.txt"),
        );
        std::fs::write(&farm.seeds, seeds).unwrap();
        farm
    }

    fn publish_alpha(&self, email: &str) {
        let text = document(
            "ALPHA",
            email,
            &self.alpha.fingerprint(),
            &self.host.url("/alpha.txt"),
            ALPHA_CONSTITUENCY,
        );
        self.host.route("/alpha.txt", Reply::ok(text.clone()));
        self.host.route(
            "/alpha.txt.asc",
            Reply::ok(self.alpha.sign_armored(text.as_bytes())),
        );
        self.host
            .route("/alpha-key.asc", Reply::ok(self.alpha.public()));
    }

    /// Two crawls, ALPHA's e-mail changed between them, then the server.
    fn crawled_and_served(&self) -> Serve {
        crawl_loopback(&self.seeds, &self.data);
        self.publish_alpha("incident@alpha.example");
        crawl_loopback(&self.seeds, &self.data);
        Serve::start(&self.data, &[])
    }
}

fn team_id(s: &Serve, name: &str) -> i64 {
    let (_, v) = s.json("/v1/teams?limit=100");
    v["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["team"] == name)
        .and_then(|t| t["team_id"].as_i64())
        .unwrap_or_else(|| panic!("no {name}: {v}"))
}

#[test]
fn pages_are_html_with_the_policy_escaped_small_and_fail_like_the_api() {
    let farm = Farm::new("127.0.0.91");
    let s = farm.crawled_and_served();
    let alpha = team_id(&s, "ALPHA");
    let gamma = team_id(&s, "GAMMA");
    let pages = [
        "/".to_string(),
        "/?q=constituency%3A+universities+Quebec".into(),
        "/?q=192.0.2.7".into(),
        "/?signed=yes".into(),
        format!("/teams/{alpha}"),
        format!("/teams/{gamma}"),
        "/report".into(),
        "/report?severity=warning&country=ca".into(),
    ];
    for path in &pages {
        let (status, head, body) = s.get(path);
        assert_eq!(status, 200, "{path}: {body}");
        let head = head.to_ascii_lowercase();
        assert!(
            head.contains("content-type: text/html; charset=utf-8"),
            "{path}: {head}"
        );
        assert!(
            head.contains(
                "content-security-policy: default-src 'none'; script-src 'self'; style-src 'self'"
            ),
            "{path}: {head}"
        );
        assert!(head.contains("x-content-type-options: nosniff"));
        assert!(body.len() < 100_000, "{path}: {} bytes", body.len());
        // No markup from a document survives as markup, and only web
        // URLs are links.
        assert!(!body.contains("<script"), "{path}");
        assert!(!body.contains("<img"), "{path}");
        assert!(!body.contains("style="), "{path}");
        for href in body.split("href=\"").skip(1) {
            assert!(
                href.starts_with('/')
                    || href.starts_with('#')
                    || href.starts_with("http://")
                    || href.starts_with("https://"),
                "{path}: href={}",
                &href[..href.len().min(60)]
            );
        }
    }
    let (_, _, gamma_page) = s.get(&format!("/teams/{gamma}"));
    assert!(
        gamma_page.contains("GAMMA&quot;&gt;&lt;img src=x id=injected&gt;"),
        "{gamma_page}"
    );
    assert!(gamma_page.contains("javascript:alert(document.domain)"));

    // An address typed alone is a lookup; words are a search.
    let (_, _, lookup) = s.get("/?q=192.0.2.7");
    assert!(lookup.contains("Who is responsible for"), "{lookup}");
    assert!(
        lookup.contains(&format!("href=\"/teams/{alpha}\"")),
        "{lookup}"
    );
    let (_, _, search) = s.get("/?q=constituency%3A+universities+Quebec");
    assert!(search.contains("<mark>Quebec</mark>"), "{search}");
    assert!(!search.contains("BETA"));

    // The team page: contacts, the signature in words, what changed.
    let (_, _, team) = s.get(&format!("/teams/{alpha}"));
    for want in [
        "incident@alpha.example",
        "+1 514 555 0100",
        "America/Montreal",
        "valid signature",
        "<ins>+ incident@alpha.example",
        "<del>- cert@alpha.example",
        "/alpha.txt.asc",
    ] {
        assert!(team.contains(want), "no {want:?} in the team page:\n{team}");
    }

    // The same 4xx as the API, as pages.
    for (path, status) in [
        ("/teams/abc", 400),
        ("/teams/99999", 404),
        ("/?q=%22unclosed", 400),
        ("/?signed=maybe", 400),
        ("/?country=Canada", 400),
        ("/?offset=99999&q=cert", 400),
        ("/report?severity=fatal", 400),
        ("/report?code=nonsense", 400),
        ("/?offset=abc", 400),
        ("/report?offset=abc", 400),
        ("/report?unsigned=maybe", 400),
        ("/teams/99999999999999999999", 400),
    ] {
        let (got, head, body) = s.get(path);
        assert_eq!(got, status, "{path}: {body}");
        assert!(head.to_ascii_lowercase().contains("text/html"), "{path}");
        assert!(body.contains("role=\"alert\""), "{path}: {body}");
    }
    let long = format!("/?q={}", "a".repeat(2000));
    assert_eq!(s.get(&long).0, 400);
    // The API's own errors stay JSON.
    assert_eq!(s.json("/v1/teams/99999").1["error"]["code"], "unknown-team");
    // The style sheet is served, and the feed links to the team pages.
    let (status, head, css) = s.get("/static/csirt.css");
    assert_eq!(status, 200);
    assert!(head.contains("text/css"));
    assert!(css.contains("prefers-color-scheme: dark"));
    let (_, _, atom) = s.get("/v1/changes.atom");
    assert!(atom.contains(&format!("/teams/{alpha}\"")), "{atom}");
}

/// Screenshots land here, to be looked at.
fn shots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn browser() -> Option<Browser> {
    let b = Browser::start();
    if b.is_none() {
        assert!(
            std::env::var_os("CSIRT_REQUIRE_BROWSER").is_none(),
            "CSIRT_REQUIRE_BROWSER is set but chromium or chromedriver is not installed \
             (apt-get install chromium chromium-driver)"
        );
        eprintln!("SKIPPED: no browser test: install chromium and chromium-driver");
    }
    b
}

/// The console's errors and policy violations (a page that loads cleanly
/// has none).
fn problems(b: &Browser) -> Vec<String> {
    b.logs()
        .into_iter()
        .filter(|e| {
            e["level"] == "SEVERE"
                || e["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("Content Security Policy"))
        })
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn a_handler_searches_follows_a_result_and_reads_how_to_reach_the_team() {
    let Some(b) = browser() else { return };
    let farm = Farm::new("127.0.0.92");
    let s = farm.crawled_and_served();
    let base = format!("http://{}", s.addr);
    let shots = shots();

    // The control: the browser does report a violation of this policy.
    b.goto(&farm.host.url("/csp-control.html"));
    let control = problems(&b);
    assert!(
        control
            .iter()
            .any(|m| m.contains("Content Security Policy")),
        "the browser did not report the control's violation: {control:?}"
    );
    assert_ne!(b.script("return document.title"), "ran");

    for (width, height) in [(1280, 900), (390, 844)] {
        b.viewport(width, height, false);
        b.goto(&format!("{base}/"));
        // Keyboard first: the skip link, the home link, then the search box.
        b.press(&[TAB, TAB, TAB]);
        assert_eq!(b.script("return document.activeElement.id"), "q");
        assert_eq!(
            b.script("return document.querySelector('label[for=q]').textContent"),
            "Search teams"
        );
        b.screenshot(&shots.join(format!("home-{width}.png")));

        let q = b.find("#q");
        b.type_into(&q, &format!("constituency: universities Quebec{ENTER}"));
        b.wait_for("the results page", |b| b.url().contains("q="));
        let hits = b.find_all("article.hit h2 a");
        assert_eq!(hits.len(), 1, "one team matches");
        assert_eq!(b.text(&hits[0]), "ALPHA");
        let marked: Vec<String> = b
            .find_all("article.hit mark")
            .iter()
            .map(|m| b.text(m))
            .collect();
        assert!(marked.iter().any(|m| m == "Quebec"), "{marked:?}");
        b.screenshot(&shots.join(format!("search-{width}.png")));
        fits(&b, width, "search");

        b.click(&hits[0]);
        b.wait_for("the team page", |b| b.url().contains("/teams/"));
        let contact = b.text(&b.find("dl.contact"));
        assert!(contact.contains("incident@alpha.example"), "{contact}");
        assert!(contact.contains("+1 514 555 0100"), "{contact}");
        let outcome = b.find("section.document .outcome");
        assert_eq!(b.attr(&outcome, "data-outcome").as_deref(), Some("valid"));
        assert!(b.text(&outcome).contains("valid signature"));
        // What changed between the two versions, in signs as well as colour.
        let diff = b.find("details.diff summary");
        b.click(&diff);
        assert!(b
            .text(&b.find("pre.diff ins"))
            .starts_with("+ incident@alpha.example"));
        b.screenshot(&shots.join(format!("team-{width}.png")));
        fits(&b, width, "team");

        // An address typed alone finds who is responsible for it.
        let q = b.find("#q");
        b.type_into(&q, &format!("192.0.2.7{ENTER}"));
        b.wait_for("the lookup page", |b| b.url().contains("q=192.0.2.7"));
        assert!(b.text(&b.find("h1")).starts_with("Who is responsible for"));
        assert_eq!(b.text(&b.find("article.hit h2 a")), "ALPHA");
        assert!(!b.text(&b.find("article.hit .why")).is_empty());

        b.goto(&format!("{base}/report"));
        let rows = b.find_all("#findings tbody tr");
        assert!(!rows.is_empty(), "the report lists findings");
        assert_eq!(
            b.script(
                "return [...document.querySelectorAll('input,select')].every(e => e.labels && e.labels.length > 0)"
            ),
            true,
            "every input has a label"
        );
        assert_eq!(b.find_all("figure.chart svg").len(), 2);
        b.screenshot(&shots.join(format!("report-{width}.png")));
        fits(&b, width, "report");

        // A page built from a document written to break it is inert.
        let gamma = team_id(&s, "GAMMA");
        b.goto(&format!("{base}/teams/{gamma}"));
        assert_eq!(
            b.script(
                "return [document.scripts.length, document.images.length, \
                 [...document.links].every(a => a.protocol == 'http:' || a.protocol == 'https:')]"
            ),
            serde_json::json!([0, 0, true])
        );
        let problems = problems(&b);
        assert!(
            problems.is_empty(),
            "console errors at {width} px: {problems:?}"
        );
    }

    // Dark mode follows the system's colour scheme.
    let alpha = team_id(&s, "ALPHA");
    b.viewport(390, 844, true);
    b.goto(&format!("{base}/teams/{alpha}"));
    assert_eq!(
        b.script("return getComputedStyle(document.body).backgroundColor"),
        "rgb(21, 23, 26)"
    );
    b.screenshot(&shots.join("team-390-dark.png"));
    b.viewport(1280, 900, true);
    b.goto(&format!("{base}/report"));
    b.screenshot(&shots.join("report-1280-dark.png"));
    let problems = problems(&b);
    assert!(
        problems.is_empty(),
        "console errors in dark mode: {problems:?}"
    );
    eprintln!("screenshots in {}", shots.display());
}

/// Nothing on the page is wider than the screen.
fn fits(b: &Browser, width: u32, page: &str) {
    let w = b.script("return document.documentElement.scrollWidth");
    assert!(
        w.as_u64().is_some_and(|w| w <= u64::from(width)),
        "{page} is {w} px wide at {width} px"
    );
}
