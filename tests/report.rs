//! `csirt report` and `csirt lint` over a store built by crawling real
//! loopback servers, with real keys and signatures made here.

mod util;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, SystemTime};

use chrono::Utc;
use sequoia_openpgp::types::HashAlgorithm;
use serde_json::Value;
use util::pgp::TestKey;
use util::server::{Reply, Server};
use util::*;

/// A document updated `age_days` ago; `extra` goes at the end (keys,
/// locations).
fn doc(name: &str, age_days: i64, extra: &str) -> String {
    let date = (Utc::now() - chrono::Duration::days(age_days)).format("%Y-%m-%d");
    format!(
        "1. Document Information\n1.1 Date of Last Update\n{date}\n\
         2. Contact Information\n2.1 Name of the Team\n{name}\n\
         2.7 Electronic Mail Address\ncert@example.org\n3. Charter\n3.2 Constituency\nUniversities.\n{extra}"
    )
}

fn keys_section(k: &TestKey, url: Option<&str>) -> String {
    format!(
        "2.8 Public Keys and Encryption Information\nFingerprint: {}\n{}\n",
        k.fingerprint(),
        url.unwrap_or("")
    )
}

/// An armoured key without sequoia's `Comment:` headers, which name the
/// fingerprint (and so would state it).
fn without_comments(armored: &[u8]) -> String {
    String::from_utf8_lossy(armored)
        .lines()
        .filter(|l| !l.starts_with("Comment:"))
        .map(|l| format!("{l}\n"))
        .collect()
}

fn team(name: &str, url: &str) -> String {
    format!("[[team]]\nname = \"{name}\"\ndocument = \"{url}\"\ncountry = \"LU\"\n\n")
}

fn crawl(dir: &Path, seeds: &str) -> Output {
    let seed_file = dir.join("seeds.toml");
    std::fs::write(&seed_file, seeds).unwrap();
    let out = csirt()
        .arg("crawl")
        .arg("--seeds")
        .arg(&seed_file)
        .arg("--data")
        .arg(dir.join("data"))
        .args(["--format", "json", "--allow-private"])
        .args([
            "--per-host-interval",
            "20ms",
            "--timeout",
            "5s",
            "--tries",
            "1",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn report(dir: &Path, args: &[&str]) -> Output {
    csirt()
        .arg("report")
        .arg("--data")
        .arg(dir.join("data"))
        .args(args)
        .output()
        .unwrap()
}

fn report_json(dir: &Path, args: &[&str]) -> Value {
    let out = report(dir, &[&["--format", "json"], args].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// (team, code) pairs of a JSON report.
fn pairs(r: &Value) -> BTreeSet<(String, String)> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["team"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn has(r: &Value, team: &str, code: &str) -> bool {
    pairs(r).contains(&(team.to_string(), code.to_string()))
}

/// A farm of teams, each showing some findings, crawled twice with changes
/// in between.
struct Farm {
    host: Server,
    dir: tempfile::TempDir,
    seeds: String,
}

fn farm() -> Farm {
    let host = Server::start("127.0.0.31");
    let seeds = std::cell::RefCell::new(String::new());
    let add = |name: &str, path: &str, body: Vec<u8>| {
        host.route(path, Reply::ok(body));
        seeds.borrow_mut().push_str(&team(name, &host.url(path)));
    };

    // Valid, key expiring in 30 days.
    let k = TestKey::expiring("Good <cert@good.example>", 10, 40);
    let d = doc(
        "GOOD",
        20,
        &format!(
            "1.3 Locations where this Document May Be Found\n{}\n{}",
            host.url("/good/rfc2350.txt"),
            keys_section(&k, Some(&host.url("/good/key.asc")))
        ),
    );
    host.route("/good/key.asc", Reply::ok(k.public()));
    host.route(
        "/good/rfc2350.txt.asc",
        Reply::ok(k.sign_armored(d.as_bytes())),
    );
    add("GOOD", "/good/rfc2350.txt", d.into_bytes());

    // Bad signature (the bytes changed after signing), wrong location.
    let k = TestKey::new("Bad <cert@bad.example>");
    let d = doc(
        "BAD",
        20,
        &format!(
            "1.3 Locations where this Document May Be Found\nhttps://elsewhere.example/rfc2350.txt\n{}",
            keys_section(&k, Some(&host.url("/bad/key.asc")))
        ),
    );
    host.route("/bad/key.asc", Reply::ok(k.public()));
    host.route(
        "/bad/rfc2350.txt.sig",
        Reply::ok(k.sign(b"the text before the edit")),
    );
    add("BAD", "/bad/rfc2350.txt", d.into_bytes());

    // Unsigned, stale, no e-mail, no fingerprint, sections missing.
    add(
        "OLD",
        "/old/rfc2350.txt",
        b"1. Document Information\n1.1 Date of Last Update\n2015-03-01\n2. Contact Information\n2.1 Name of the Team\nOLD\n2.2 Address\nSomewhere\n3. Charter\n3.1 Mission Statement\nTo help.\n".to_vec(),
    );

    // Gone.
    seeds
        .borrow_mut()
        .push_str(&team("GONE", &host.url("/gone/rfc2350.txt")));

    // A login page, not a document.
    add(
        "LOGIN",
        "/login.html",
        std::fs::read(fixture("login-page-not-a-document.html")).unwrap(),
    );

    // A private key published.
    add(
        "LEAKY",
        "/leaky/rfc2350.txt",
        std::fs::read(fixture("private-key-published.txt")).unwrap(),
    );

    // Signed by a key nobody published.
    let k = TestKey::new("Unknown <cert@unknown.example>");
    let d = doc("UNKNOWN", 20, &keys_section(&k, None));
    host.route("/unknown/rfc2350.txt.sig", Reply::ok(k.sign(d.as_bytes())));
    add("UNKNOWN", "/unknown/rfc2350.txt", d.into_bytes());

    // States one key, publishes and signs with another.
    let (stated, actual) = (TestKey::new("Stated"), TestKey::new("Actual"));
    let d = doc(
        "OTHER",
        20,
        &keys_section(&stated, Some(&host.url("/other/key.asc"))),
    );
    host.route("/other/key.asc", Reply::ok(actual.public()));
    host.route(
        "/other/rfc2350.txt.sig",
        Reply::ok(actual.sign(d.as_bytes())),
    );
    add("OTHER", "/other/rfc2350.txt", d.into_bytes());

    // Embedded keys: RSA-1024 (weak) and one expired; a key URL that is a
    // web page; the date in the future.
    let (weak, expired) = (
        TestKey::rsa1024("Weak <cert@weak.example>"),
        TestKey::expiring("Expired", 30, 5),
    );
    let d = format!(
        "{}{}\n{}\n{}",
        doc("WEAK", -400, ""),
        keys_section(&weak, Some(&host.url("/weak/key.asc"))),
        String::from_utf8(weak.public()).unwrap(),
        without_comments(&expired.public())
    );
    host.route(
        "/weak/key.asc",
        Reply::ok("<html><body>Our key: see GitHub</body></html>"),
    );
    add("WEAK", "/weak/rfc2350.txt", d.into_bytes());

    // Signed with SHA-1; no date at all.
    let k = TestKey::new("Sha1");
    let d = format!(
        "2. Contact Information\n2.1 Name of the Team\nSHA1\n2.7 Electronic Mail Address\ncert@example.org\n3. Charter\n3.2 Constituency\nAll.\n{}",
        keys_section(&k, Some(&host.url("/sha1/key.asc")))
    );
    host.route("/sha1/key.asc", Reply::ok(k.public()));
    host.route(
        "/sha1/rfc2350.txt.sig",
        Reply::ok(k.sign_with(d.as_bytes(), SystemTime::now(), HashAlgorithm::SHA1)),
    );
    add("SHA1", "/sha1/rfc2350.txt", d.into_bytes());

    // A team whose document states `k` and its key URL (serving
    // `key_bytes`), with a `.sig` made by `sign`.
    let signed = |name: &str, k: &TestKey, key_bytes: Vec<u8>, sign: &dyn Fn(&[u8]) -> Vec<u8>| {
        let dir = name.to_lowercase();
        let key_url = host.url(&format!("/{dir}/key.asc"));
        let d = doc(name, 20, &keys_section(k, Some(&key_url)));
        host.route(&format!("/{dir}/key.asc"), Reply::ok(key_bytes));
        host.route(
            &format!("/{dir}/rfc2350.txt.sig"),
            Reply::ok(sign(d.as_bytes())),
        );
        add(name, &format!("/{dir}/rfc2350.txt"), d.into_bytes());
    };
    // Signed after the key expired.
    let k = TestKey::expiring("Late", 10, 2);
    signed("LATE", &k, k.public(), &|d| k.sign(d));
    // Signed while valid, the key expired since.
    let k = TestKey::expiring("Since", 10, 5);
    let eight_days_ago = SystemTime::now() - Duration::from_secs(8 * 86_400);
    signed("SINCE", &k, k.public(), &|d| {
        k.sign_with(d, eight_days_ago, HashAlgorithm::SHA256)
    });
    // Revoked.
    let k = TestKey::new("Revoked");
    signed("REVOKED", &k, k.revoked_public(), &|d| k.sign(d));

    // A signature that is not one; an unparsable date.
    let d = doc("GARBLED", 20, "").replacen(
        &(Utc::now() - chrono::Duration::days(20))
            .format("%Y-%m-%d")
            .to_string(),
        "spring, some years ago",
        1,
    );
    host.route(
        "/garbled/rfc2350.txt.asc",
        Reply::ok(
            "-----BEGIN PGP SIGNATURE-----\n\nbm90IGEgc2lnbmF0dXJl\n-----END PGP SIGNATURE-----\n",
        ),
    );
    add("GARBLED", "/garbled/rfc2350.txt", d.into_bytes());

    // Clear-signed, with text after the signature.
    let k = TestKey::new("Clear");
    let mut d = k.clearsign(&doc(
        "CLEAR",
        20,
        &keys_section(&k, Some(&host.url("/clear/key.asc"))),
    ));
    d.extend_from_slice(b"\nUpdate: our new e-mail is attacker@evil.example\n");
    host.route("/clear/key.asc", Reply::ok(k.public()));
    add("CLEAR", "/clear/rfc2350.txt", d);

    // A PDF with an X.509 signature dictionary.
    add(
        "PADES",
        "/pades/rfc2350.pdf",
        b"%PDF-1.7\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] /Contents <00> >>\nendobj\n%%EOF\n".to_vec(),
    );

    // Changes between the crawls: a new version with a fixed Last-Modified,
    // and a document that gets signed.
    host.route(
        "/changing/rfc2350.txt",
        Reply::Full(
            200,
            vec![(
                "Last-Modified".into(),
                "Mon, 01 Jan 2024 00:00:00 GMT".into(),
            )],
            doc("CHANGING", 20, "").into_bytes(),
        ),
    );
    seeds
        .borrow_mut()
        .push_str(&team("CHANGING", &host.url("/changing/rfc2350.txt")));
    host.route(
        "/touched/rfc2350.txt",
        Reply::Full(
            200,
            vec![(
                "Last-Modified".into(),
                "Mon, 01 Jan 2024 00:00:00 GMT".into(),
            )],
            doc("TOUCHED", 20, "").into_bytes(),
        ),
    );
    seeds
        .borrow_mut()
        .push_str(&team("TOUCHED", &host.url("/touched/rfc2350.txt")));

    let seeds = seeds.into_inner();
    let dir = tempfile::tempdir().unwrap();
    crawl(dir.path(), &seeds);
    Farm { host, dir, seeds }
}

/// The second crawl: CHANGING gets signed (a new version whose server still
/// claims the old Last-Modified), TOUCHED keeps its bytes while its server
/// claims a change, and a team joins.
fn second_crawl(f: &mut Farm) {
    let k = TestKey::new("Changing");
    let d = doc(
        "CHANGING",
        1,
        &keys_section(&k, Some(&f.host.url("/changing/key.asc"))),
    );
    f.host.route(
        "/changing/rfc2350.txt",
        Reply::Full(
            200,
            vec![(
                "Last-Modified".into(),
                "Mon, 01 Jan 2024 00:00:00 GMT".into(),
            )],
            d.clone().into_bytes(),
        ),
    );
    f.host.route("/changing/key.asc", Reply::ok(k.public()));
    f.host.route(
        "/changing/rfc2350.txt.asc",
        Reply::ok(k.sign_armored(d.as_bytes())),
    );
    let later = httpdate(SystemTime::now() + Duration::from_secs(3 * 86_400));
    f.host.route(
        "/touched/rfc2350.txt",
        Reply::Full(
            200,
            vec![("Last-Modified".into(), later)],
            doc("TOUCHED", 20, "").into_bytes(),
        ),
    );
    f.host
        .route("/newcomer/rfc2350.txt", Reply::ok(doc("NEWCOMER", 5, "")));
    f.seeds
        .push_str(&team("NEWCOMER", &f.host.url("/newcomer/rfc2350.txt")));
    crawl(f.dir.path(), &f.seeds);
}

fn httpdate(t: SystemTime) -> String {
    chrono::DateTime::<Utc>::from(t)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[test]
fn a_crawled_directory_yields_every_finding_and_every_format_parses_back() {
    let mut f = farm();
    let first = report_json(f.dir.path(), &[]);
    for (team, code) in [
        ("GOOD", "key-expires-soon"),
        ("BAD", "bad-signature"),
        ("BAD", "location-mismatch"),
        ("OLD", "unsigned"),
        ("OLD", "stale"),
        ("OLD", "no-email"),
        ("OLD", "no-fingerprint"),
        ("OLD", "missing-section"),
        ("GONE", "unreachable"),
        ("LOGIN", "not-rfc2350"),
        ("LEAKY", "private-key-published"),
        ("UNKNOWN", "unknown-key"),
        ("OTHER", "signer-not-stated-key"),
        ("OTHER", "fingerprint-mismatch"),
        ("WEAK", "weak-key"),
        ("WEAK", "embedded-key-expired"),
        ("WEAK", "key-unreadable"),
        ("WEAK", "future-date"),
        ("SHA1", "weak-algorithm"),
        ("SHA1", "no-last-update"),
        ("LATE", "expired-key"),
        ("SINCE", "valid-key-expired-since"),
        ("SINCE", "stated-key-expired"),
        ("REVOKED", "revoked-key"),
        ("GARBLED", "malformed-signature"),
        ("GARBLED", "unparsed-date"),
        ("CLEAR", "unsigned-content"),
        ("PADES", "pdf-x509-signature"),
        ("PADES", "pdf-unreadable"),
        ("GOOD", "new-team"),
    ] {
        assert!(
            has(&first, team, code),
            "no {code} for {team}: {:#?}",
            pairs(&first)
        );
    }
    assert!(!has(&first, "GOOD", "bad-signature"));
    assert!(
        !has(&first, "LOGIN", "no-email"),
        "a soft 404 is one finding"
    );
    assert!(
        !has(&first, "GOOD", "location-mismatch"),
        "{:#?}",
        pairs(&first)
    );
    // A published private key comes first, whatever else there is.
    assert_eq!(first["findings"][0]["code"], "private-key-published");
    let s = &first["summary"];
    assert_eq!(s["teams"], 18, "{s}");
    assert_eq!(s["unreachable"], 1, "{s}");
    assert_eq!(s["signed_valid"], 3, "GOOD, SINCE, CLEAR: {s}");

    second_crawl(&mut f);
    let second = report_json(f.dir.path(), &[]);
    for (team, code) in [
        ("NEWCOMER", "new-team"),
        ("CHANGING", "new-version"),
        ("CHANGING", "outcome-changed"),
        ("CHANGING", "changed-but-not-modified"),
    ] {
        assert!(
            has(&second, team, code),
            "no {code} for {team}: {:#?}",
            pairs(&second)
        );
    }
    assert!(
        !has(&second, "GOOD", "new-team"),
        "only since the latest crawl"
    );
    // Bytes unchanged for longer than the threshold (0 days: any time at
    // all), the server says new.
    let touched = report_json(f.dir.path(), &["--stale-after", "0"]);
    assert!(
        has(&touched, "TOUCHED", "modified-but-unchanged"),
        "{:#?}",
        pairs(&touched)
    );

    // Every code in the catalogue is produced by some test: here, by
    // `lint_gives_line_numbers_and_fails_on_errors_only` (layout notices,
    // which only lint shows), by the report crate's unit tests (codes a
    // loopback crawl cannot easily provoke), by `tests/discover.rs` and
    // `tests/seeds.rs` (teams imported from a directory), or by
    // `tests/hostile.rs` (a document past its time budget).
    let mut seen: BTreeSet<String> = [&first, &second, &touched]
        .iter()
        .flat_map(|r| pairs(r).into_iter().map(|(_, c)| c))
        .collect();
    seen.extend(
        [
            "unrecognised-heading",
            "unsupported-format",
            "location-not-url",
            "malformed-fingerprint",
            "no-rfc2350-found",
            "directory-key-not-stated",
            "directory-key-expired",
            "directory-email-differs",
            "directory-country-differs",
            "directory-name-differs",
            "budget-exceeded",
        ]
        .map(String::from),
    );
    let all: BTreeSet<String> = csirt_report::FindingCode::ALL
        .iter()
        .map(|c| c.code().to_string())
        .collect();
    assert_eq!(
        all.difference(&seen).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );

    // Filters.
    let unsigned = report_json(f.dir.path(), &["--unsigned"]);
    assert!(!has(&unsigned, "GOOD", "key-expires-soon"));
    assert!(has(&unsigned, "OLD", "unsigned"));
    let stale = report_json(f.dir.path(), &["--stale"]);
    assert!(stale["teams"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["stale"] == true));
    assert!(has(&stale, "OLD", "stale"));
    assert_eq!(
        report_json(f.dir.path(), &["--country", "de"])["summary"]["teams"],
        0
    );
    assert_eq!(
        report_json(f.dir.path(), &["--country", "lu"])["summary"]["teams"],
        19
    );

    // CSV parses back to the same findings.
    let out = report(f.dir.path(), &["--format", "csv"]);
    let mut rd = csv::Reader::from_reader(&out.stdout[..]);
    let headers = rd.headers().unwrap().clone();
    assert_eq!(&headers[1], "code");
    let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), second["findings"].as_array().unwrap().len());
    let csv_pairs: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r[2].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(csv_pairs, pairs(&second));

    // Markdown: every findings row has the 8 cells of the header.
    let out = report(f.dir.path(), &["--format", "markdown"]);
    let md = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<String>> = md
        .lines()
        .skip_while(|l| !l.starts_with("| Severity"))
        .skip(2)
        .map(markdown_cells)
        .collect();
    assert_eq!(rows.len(), second["findings"].as_array().unwrap().len());
    assert!(rows.iter().all(|r| r.len() == 8), "{md}");
    let md_pairs: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| (r[2].replace('\\', ""), r[1].clone()))
        .collect();
    assert_eq!(md_pairs, pairs(&second));

    // Table: the summary first.
    let out = report(f.dir.path(), &["--format", "table"]);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table
            .lines()
            .nth(1)
            .unwrap()
            .trim_start()
            .starts_with("teams"),
        "{table}"
    );

    // --fail-on sets the exit status; without it a report is success.
    assert_eq!(report(f.dir.path(), &[]).status.code(), Some(0));
    assert_eq!(
        report(f.dir.path(), &["--fail-on", "error"]).status.code(),
        Some(1)
    );
    assert_eq!(
        report(f.dir.path(), &["--fail-on", "error", "--country", "DE"])
            .status
            .code(),
        Some(0)
    );

    // HTML: written atomically to --output, checked in a real browser.
    let html_path = f.dir.path().join("report.html");
    let out = report(f.dir.path(), &["--output", html_path.to_str().unwrap()]);
    assert!(out.status.success());
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    browser::check(&html_path, &second);
}

/// Splits a Markdown table row on unescaped `|`.
fn markdown_cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in inner.chars() {
        match c {
            '|' if !escaped => cells.push(String::new()),
            _ => cells.last_mut().unwrap().push(c),
        }
        escaped = c == '\\' && !escaped;
    }
    cells.iter().map(|c| c.trim().to_string()).collect()
}

mod browser {
    //! The HTML report opened in headless Chromium (Debian's `chromium`).
    use std::path::Path;
    use std::process::Command;

    use serde_json::Value;

    fn chromium() -> Option<&'static str> {
        ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .find(|b| {
                Command::new(b)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
    }

    fn run(bin: &str, profile: &Path, args: &[&str]) -> std::process::Output {
        Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .args(args)
            .output()
            .unwrap()
    }

    pub fn check(page: &Path, report: &Value) {
        let Some(bin) = chromium() else {
            assert!(
                std::env::var_os("CSIRT_REQUIRE_BROWSER").is_none(),
                "CSIRT_REQUIRE_BROWSER is set but no chromium is installed"
            );
            eprintln!("SKIPPED: the HTML report was not opened in a browser: install chromium");
            return;
        };
        let profile = tempfile::tempdir().unwrap();
        let url = format!("file://{}", page.display());
        // The DOM after rendering: the browser parsed what we wrote.
        let out = run(bin, profile.path(), &["--dump-dom", &url]);
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(dom.contains("id=\"findings\""), "no findings table: {dom}");
        let rows = dom.matches("data-code=").count();
        assert_eq!(rows, report["findings"].as_array().unwrap().len());
        assert_eq!(dom.matches("<svg").count(), 2, "two charts");
        // Every finding's document is linked, and only to http(s).
        for f in report["findings"].as_array().unwrap() {
            let u = f["url"].as_str().unwrap();
            assert!(dom.contains(&format!("href=\"{u}\"")), "no link to {u}");
        }
        for href in dom.split("href=\"").skip(1) {
            assert!(
                href.starts_with("http://") || href.starts_with("https://"),
                "{href}"
            );
        }
        // It renders to a picture that is not blank.
        let shot = profile.path().join("shot.png");
        let out = run(
            bin,
            profile.path(),
            &[
                &format!("--screenshot={}", shot.display()),
                "--window-size=1200,2000",
                &url,
            ],
        );
        let png = std::fs::read(&shot)
            .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&out.stderr)));
        assert!(
            png.starts_with(b"\x89PNG") && png.len() > 20_000,
            "{} bytes",
            png.len()
        );
    }
}

#[test]
fn report_without_a_crawl_says_what_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = report(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("run `csirt crawl"));
}

#[test]
fn lint_gives_line_numbers_and_fails_on_errors_only() {
    let dir = tempfile::tempdir().unwrap();
    let k = TestKey::new("Team <cert@team.example>");
    let text = format!(
        "1. Document Information\n1.1 Date of Last Update\n2015-01-01\n\
         2. Contact Information\n2.1 Name of the Team\nTEAM\n2.7 Electronic Mail Address\ncert@team.example\n\
         3. Our Cat\nMittens.\n{}",
        keys_section(&k, None)
    );
    let path = dir.path().join("rfc2350.txt");
    std::fs::write(&path, &text).unwrap();
    std::fs::write(dir.path().join("key.asc"), k.public()).unwrap();
    std::fs::write(
        dir.path().join("rfc2350.txt.asc"),
        k.sign_armored(text.as_bytes()),
    )
    .unwrap();
    let lint = |extra: &[&str]| csirt().arg("lint").arg(&path).args(extra).output().unwrap();
    let out = lint(&[
        "--format",
        "json",
        "--keyring",
        dir.path().join("key.asc").to_str().unwrap(),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "warnings only: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "valid");
    let find = |code: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == code)
            .cloned()
            .unwrap_or_else(|| panic!("no {code}: {v}"))
    };
    assert_eq!(find("stale")["line"], 2);
    assert_eq!(find("unrecognised-heading")["line"], 9);

    // Text output reads like a compiler's.
    let out = lint(&["--keyring", dir.path().join("key.asc").to_str().unwrap()]);
    let text_out = String::from_utf8(out.stdout).unwrap();
    assert!(
        text_out.contains(&format!("{}:2: warning[stale]", path.display())),
        "{text_out}"
    );

    // Tampered: an error, exit 1.
    std::fs::write(&path, text.replace("TEAM", "MEAT")).unwrap();
    let out = lint(&["--keyring", dir.path().join("key.asc").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("error[bad-signature]"));

    // Unreadable file: exit 2 and the path named.
    let out = csirt()
        .args(["lint", "/nonexistent/rfc2350.txt"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/rfc2350.txt"));
}

#[test]
fn lint_fetches_a_url_with_its_signature_and_stated_key() {
    let host = Server::start("127.0.0.32");
    let k = TestKey::new("Team <cert@team.example>");
    let d = doc(
        "TEAM",
        10,
        &format!(
            "1.3 Locations where this Document May Be Found\n{}\n{}",
            host.url("/rfc2350.txt"),
            keys_section(&k, Some(&host.url("/key.asc")))
        ),
    );
    host.route("/rfc2350.txt", Reply::ok(d.clone()));
    host.route("/rfc2350.txt.asc", Reply::ok(k.sign_armored(d.as_bytes())));
    host.route("/key.asc", Reply::ok(k.public()));
    let out = csirt()
        .args(["lint", "--allow-private", "--format", "json"])
        .arg(host.url("/rfc2350.txt"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["outcome"], "valid", "{v}");
    assert_eq!(out.status.code(), Some(0), "{v}");
    assert!(v["signature"]
        .as_str()
        .unwrap()
        .ends_with("/rfc2350.txt.asc"));

    // Unreachable: an error finding, exit 1.
    let out = csirt()
        .args(["lint", "--allow-private", "--format", "json"])
        .arg(host.url("/missing.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["code"], "unreachable");

    // Private addresses are refused unless allowed.
    let out = csirt()
        .arg("lint")
        .arg(host.url("/rfc2350.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("unreachable"));
}
