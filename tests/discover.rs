//! From a directory's list of websites to the teams' documents: `csirt
//! seeds import`, then `csirt crawl` finding each document on a loopback
//! web of team sites (security.txt, homepage links, a page that wraps a
//! PDF, a usual path, none, robots.txt forbidding it).

mod util;

use std::path::Path;

use serde_json::Value;
use util::server::{Reply, Server};
use util::*;

fn doc(name: &str, email: &str) -> String {
    format!(
        "1. Document Information\n1.1 Date of Last Update\n2026-05-01\n\
         2. Contact Information\n2.1 Name of the Team\n{name}\n\
         2.7 Electronic Mail Address\n{email}\n3. Charter\n3.2 Constituency\nOur university.\n"
    )
}

fn html(body: &str) -> String {
    format!("<!DOCTYPE html><html><head><title>Team</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/contact\">Contact</a></nav>{body}</body></html>")
}

struct Web {
    sites: Vec<(String, Server)>,
    dir: tempfile::TempDir,
}

impl Web {
    fn site(&self, name: &str) -> &Server {
        &self.sites.iter().find(|(n, _)| n == name).unwrap().1
    }
}

/// The loopback web and a CSV directory naming every site.
fn web() -> Web {
    let k = pgp::TestKey::new("SITE-A <cert@site-a.example>");
    let mut sites = Vec::new();
    let a = Server::start("127.0.0.81");
    let policy = a.url("/docs/csirt-a.txt");
    a.route(
        "/docs/csirt-a.txt",
        Reply::ok(doc("SITE-A-CERT", "cert@site-a.example")),
    );
    let txt = format!(
        "Contact: mailto:cert@site-a.example\nEncryption: {}\nPolicy: {policy}\nExpires: 2030-01-01T00:00:00Z\n",
        a.url("/key.asc")
    );
    a.route("/.well-known/security.txt", Reply::ok(k.clearsign(&txt)));
    a.route("/key.asc", Reply::ok(k.public()));
    sites.push(("SITE-A-CERT".to_string(), a));

    let b = Server::start("127.0.0.82");
    b.route(
        "/",
        Reply::ok(html(
            "<p>Welcome</p><a href=\"/about/rfc2350.html\">Our RFC 2350</a>",
        )),
    );
    b.route(
        "/about/rfc2350.html",
        Reply::ok(html(
            "<h2>1. Document Information</h2><h3>1.1 Date of Last Update</h3><p>2026-04-01</p>\
             <h2>2. Contact Information</h2><h3>2.1 Name of the Team</h3><p>SITE-B-CERT</p>\
             <h3>2.7 Electronic Mail Address</h3><p>cert@site-b.example</p>\
             <h2>3. Charter</h2><h3>3.2 Constituency</h3><p>Students.</p>",
        )),
    );
    sites.push(("SITE-B-CERT".to_string(), b));

    let c = Server::start("127.0.0.83");
    c.route(
        "/",
        Reply::ok(html("<a href=\"/csirt-description\">CSIRT description</a>")),
    );
    c.route(
        "/csirt-description",
        Reply::ok(html(
            "<p>Our description:</p><embed src=\"/files/desc.pdf\" type=\"application/pdf\">",
        )),
    );
    c.route(
        "/files/desc.pdf",
        Reply::ok(std::fs::read(fixture("pdf-running-header.pdf")).unwrap()),
    );
    sites.push(("PDF-CSIRT".to_string(), c));

    let d = Server::start("127.0.0.84");
    d.route("/", Reply::ok(html("<p>Nothing linked here.</p>")));
    d.route(
        "/csirt/rfc2350.txt",
        Reply::ok(doc("SITE-D-CERT", "cert@site-d.example")),
    );
    sites.push(("SITE-D-CERT".to_string(), d));

    let e = Server::start("127.0.0.85");
    e.route("/", Reply::ok(html("<p>Just a homepage.</p>")));
    sites.push(("SITE-E-CERT".to_string(), e));

    let f = Server::start("127.0.0.86");
    f.route("/robots.txt", Reply::ok("User-agent: *\nDisallow: /\n"));
    f.route(
        "/rfc2350.txt",
        Reply::ok(doc("SITE-F-CERT", "cert@site-f.example")),
    );
    sites.push(("SITE-F-CERT".to_string(), f));

    // An unsigned security.txt that expired years ago still says where the
    // description is; the description itself is what is judged.
    let g = Server::start("127.0.0.87");
    let policy = g.url("/policies/csirt.txt");
    g.route(
        "/policies/csirt.txt",
        Reply::ok(doc("SITE-G-CERT", "cert@site-g.example")),
    );
    g.route(
        "/.well-known/security.txt",
        Reply::ok(format!("Contact: mailto:cert@site-g.example\nPolicy: {policy}\nExpires: 2020-01-01T00:00:00Z\n")),
    );
    sites.push(("SITE-G-CERT".to_string(), g));

    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("name,website,email,country\n");
    for (name, s) in &sites {
        csv += &format!(
            "{name},{},cert@{}.example,CA\n",
            s.url("/"),
            name.to_lowercase()
        );
    }
    std::fs::write(dir.path().join("directory.csv"), csv).unwrap();
    Web { sites, dir }
}

fn import(dir: &Path) {
    let out = csirt()
        .args(["seeds", "import", "--from", "csv"])
        .arg(dir.join("directory.csv"))
        .arg("--into")
        .arg(dir.join("seeds.toml"))
        .output()
        .unwrap();
    assert_ok(&out);
}

fn crawl(dir: &Path) -> Value {
    crawl_loopback(&dir.join("seeds.toml"), &dir.join("data"))
}

fn found(dir: &Path, team: &str) -> Option<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csirt-find"))
        .arg("--data")
        .arg(dir.join("data"))
        .args(["--format", "json"])
        .arg(format!("name:\"{team}\""))
        .output()
        .unwrap();
    let line = String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()?
        .to_string();
    let v: Value = serde_json::from_str(&line).ok()?;
    Some(v["url"].as_str()?.to_string())
}

#[test]
fn each_teams_document_is_found_where_teams_put_it() {
    let w = web();
    import(w.dir.path());
    let s = crawl(w.dir.path());
    assert_eq!(s["discovered"], 5, "{s}");
    assert_eq!(s["not_discovered"], 2, "{s}");
    let site = |n: &str| w.site(n).url("");
    assert_eq!(
        found(w.dir.path(), "SITE-A-CERT").unwrap(),
        site("SITE-A-CERT") + "/docs/csirt-a.txt"
    );
    assert_eq!(
        found(w.dir.path(), "SITE-B-CERT").unwrap(),
        site("SITE-B-CERT") + "/about/rfc2350.html"
    );
    assert_eq!(
        found(w.dir.path(), "PDF-CSIRT").unwrap(),
        site("PDF-CSIRT") + "/files/desc.pdf"
    );
    assert_eq!(
        found(w.dir.path(), "SITE-G-CERT").unwrap(),
        site("SITE-G-CERT") + "/policies/csirt.txt"
    );
    assert_eq!(
        found(w.dir.path(), "SITE-D-CERT").unwrap(),
        site("SITE-D-CERT") + "/csirt/rfc2350.txt"
    );
    // Never more than ten requests a site to find the document, robots.txt
    // included (the signature and key come after, as for any document).
    for (name, s) in &w.sites {
        let finding: Vec<String> = s
            .paths()
            .into_iter()
            .filter(|p| !p.ends_with(".asc") && !p.ends_with(".sig"))
            .collect();
        assert!(finding.len() <= 11, "{name}: {finding:?}");
        assert!(
            finding.len() - 1 <= 10 || !finding.contains(&"/robots.txt".to_string()),
            "{name}: {finding:?}"
        );
    }
    // The robots.txt that forbids crawling was obeyed.
    assert_eq!(w.site("SITE-F-CERT").paths(), ["/robots.txt"]);
    // security.txt's Encryption is where the key came from.
    assert!(w
        .site("SITE-A-CERT")
        .paths()
        .contains(&"/key.asc".to_string()));
    // A site without a document is a finding, not an error.
    let r = report_of(&w.dir.path().join("data"));
    let none: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "no-rfc2350-found")
        .map(|f| f["team"].as_str().unwrap())
        .collect();
    assert_eq!(none, ["SITE-E-CERT", "SITE-F-CERT"]);
}

#[test]
fn the_next_crawl_starts_from_what_was_found() {
    let w = web();
    import(w.dir.path());
    crawl(w.dir.path());
    let before = w.site("SITE-B-CERT").paths().len();
    crawl(w.dir.path());
    let again: Vec<String> = w.site("SITE-B-CERT").paths()[before..].to_vec();
    // The document itself (twice: checked, then crawled) and robots.txt;
    // no homepage, no security.txt.
    assert!(
        again.iter().all(|p| p == "/about/rfc2350.html"
            || p == "/robots.txt"
            || p.ends_with(".asc")
            || p.ends_with(".sig")),
        "{again:?}"
    );
    assert!(!again.contains(&"/".to_string()), "{again:?}");
}
