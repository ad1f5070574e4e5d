//! `csirt seeds import`: the public directories' files and URLs merged
//! into a seed file, and what a directory says compared with what the
//! team's own document says once the team is crawled.

mod util;

use std::path::Path;
use std::process::Output;

use serde_json::Value;
use util::server::{Reply, Server};
use util::*;

/// A seed file as a person writes it: comments and one team by hand.
const HAND: &str = "# Our own list; imported teams follow.\n\n\
                    [[team]]\nname = \"OWN-CERT\" # ours\ndocument = \"https://own.example/rfc2350.txt\"\n";

fn import(into: &Path, from: &str, source: &str, extra: &[&str]) -> Output {
    csirt()
        .args(["seeds", "import", "--from", from, source, "--into"])
        .arg(into)
        .args(extra)
        .output()
        .unwrap()
}

fn fixture_str(name: &str) -> String {
    fixture(&format!("directories/{name}"))
        .to_string_lossy()
        .into_owned()
}

#[test]
fn a_directory_file_is_merged_and_a_second_import_adds_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("teams.toml");
    std::fs::write(&into, HAND).unwrap();

    let out = import(
        &into,
        "ti",
        &fixture_str("ti-teams.json"),
        &["--format", "json"],
    );
    assert_ok(&out);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["added"].as_array().unwrap().len(), 2, "{s}");
    assert_eq!(s["skipped"], 2, "{s}");
    // Each skipped entry is named, with why.
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("(A team nobody can reach): neither a website nor an e-mail"),
        "{err}"
    );
    assert!(err.contains("entry 4: no name"), "{err}");
    let text = std::fs::read_to_string(&into).unwrap();
    assert!(
        text.starts_with(HAND),
        "the hand-written part changed:\n{text}"
    );
    assert_eq!(text.matches("[[team]]").count(), 3, "{text}");
    assert!(text.contains("imported"), "{text}");
    // Nothing is left beside the seed file.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["teams.toml"]);

    let again = import(
        &into,
        "ti",
        &fixture_str("ti-teams.json"),
        &["--format", "json"],
    );
    assert_ok(&again);
    let s: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(s["added"], serde_json::json!([]), "{s}");
    assert_eq!(s["updated"].as_array().unwrap().len(), 2, "{s}");
    assert_eq!(std::fs::read_to_string(&into).unwrap(), text);

    // The second directory's listing of the same team joins it.
    assert_ok(&import(
        &into,
        "first",
        &fixture_str("first-teams.json"),
        &[],
    ));
    let merged = std::fs::read_to_string(&into).unwrap();
    assert_eq!(merged.matches("[[team]]").count(), 4, "{merged}");
    assert!(merged.contains("\"first\""), "{merged}");

    // And the result is a seed list a crawl reads, the imported teams with
    // their websites and no document yet.
    let seeds = csirt_crawl::seeds::parse_toml(&merged, "teams.toml", dir.path()).unwrap();
    assert_eq!(seeds.len(), 4);
    let exu = seeds
        .iter()
        .find(|t| t.name == "Example University CERT")
        .unwrap();
    assert!(exu.documents.is_empty());
    assert_eq!(
        exu.homepage.as_ref().map(|u| u.as_str()),
        Some("https://www.exu.example/")
    );
}

#[test]
fn a_file_of_another_format_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("teams.toml");
    std::fs::write(&into, HAND).unwrap();
    for (from, file) in [
        ("ti", "not-ti.json"),
        ("first", "ti-teams.json"),
        ("csv", "ti-teams.json"),
    ] {
        let out = import(&into, from, &fixture_str(file), &[]);
        assert_eq!(out.status.code(), Some(1), "{from} {file}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("nothing written") && err.contains(file),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&into).unwrap(), HAND);
    }
    // A file that does not exist is an error, not an empty directory.
    let out = import(&into, "csv", "/nonexistent/teams.csv", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/teams.csv"));
    // A format nobody knows is a usage error.
    let out = import(&into, "gopher", &fixture_str("own-teams.csv"), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&into).unwrap(), HAND);
}

#[test]
fn a_dry_run_says_what_would_change_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("teams.toml");
    let out = import(
        &into,
        "enisa",
        &fixture_str("enisa-tool_data.json"),
        &["--dry-run"],
    );
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("dry run"));
    assert!(!into.exists());
}

#[test]
fn a_url_is_fetched_politely_and_firsts_pages_are_followed() {
    let api = Server::start("127.0.0.95");
    let team = |id: &str, site: &str| {
        serde_json::json!({"team": id, "team-full": format!("{id} Team"), "country": "NL",
                           "website": site, "email": format!("cert@{}", &site[8..])})
    };
    let page = |offset: usize, data: Vec<Value>| {
        serde_json::json!({"status": "ok", "total": 3, "limit": 2, "offset": offset, "data": data})
            .to_string()
    };
    api.route(
        "/data/v1/teams?limit=2",
        Reply::ok(page(
            0,
            vec![
                team("A-CERT", "https://a.example"),
                team("B-CERT", "https://b.example"),
            ],
        )),
    );
    api.route(
        "/data/v1/teams?offset=2&limit=2",
        Reply::ok(page(2, vec![team("C-CERT", "https://c.example")])),
    );
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("teams.toml");
    let url = api.url("/data/v1/teams?limit=2");

    // The address policy holds for imports as for crawls.
    let out = import(&into, "first", &url, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing written"));
    assert!(!into.exists());
    assert!(api.paths().is_empty(), "{:?}", api.paths());

    let out = import(
        &into,
        "first",
        &url,
        &["--allow-private", "--format", "json"],
    );
    assert_ok(&out);
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        s["added"],
        serde_json::json!(["A-CERT Team", "B-CERT Team", "C-CERT Team"]),
        "{s}"
    );
    let pages: Vec<String> = api
        .paths()
        .into_iter()
        .filter(|p| p.starts_with("/data"))
        .collect();
    assert_eq!(
        pages,
        ["/data/v1/teams?limit=2", "/data/v1/teams?offset=2&limit=2"]
    );
}

/// A document that states its key, clear-signed by it.
fn signed_doc(k: &pgp::TestKey, key_url: &str) -> Vec<u8> {
    let text = format!(
        "1. Document Information\n1.1 Date of Last Update\n{}\n\
         2. Contact Information\n2.1 Name of the Team\nEXU-CERT\n\
         2.7 Electronic Mail Address\ncert@exu.example\n\
         2.8 Public Keys and Encryption Information\nFingerprint: {}\n{key_url}\n\
         3. Charter\n3.2 Constituency\nThe universities of Canada.\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        k.fingerprint()
    );
    k.clearsign(&text)
}

/// Groups of four, as the Trusted Introducer writes fingerprints.
fn grouped(fp: &str) -> String {
    fp.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn what_a_directory_says_is_checked_against_the_teams_signed_document() {
    let k = pgp::TestKey::new("EXU-CERT <cert@exu.example>");
    let site = Server::start("127.0.0.96");
    site.route(
        "/rfc2350.txt",
        Reply::ok(signed_doc(&k, &site.url("/key.asc"))),
    );
    site.route("/key.asc", Reply::ok(k.public()));
    let listing = serde_json::json!([{
        "official_name": "Example University CERT", "short_name": "EXU-CERT",
        "website": site.url("/"),
        "country": {"code": "FR"},
        "pgp_keys": [
            {"fingerprint": grouped(&k.fingerprint())},
            {"fingerprint": grouped(&"B".repeat(40)), "expires": "2020-01-01"}
        ],
        "emails": [{"address": "soc@exu.example"}]
    }]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("teams.json");
    std::fs::write(&file, listing.to_string()).unwrap();
    let into = dir.path().join("seeds.toml");
    assert_ok(&import(&into, "ti", &file.to_string_lossy(), &[]));
    let data = dir.path().join("data");
    crawl_loopback(&into, &data);

    // The report: every difference, with both values and both sources.
    let r = report_of(&data);
    let findings: Vec<(&str, &str)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["evidence"].as_str().unwrap()))
        .collect();
    let evidence = |code: &str| {
        findings
            .iter()
            .find(|(c, _)| *c == code)
            .unwrap_or_else(|| panic!("no {code} in {findings:?}"))
            .1
    };
    assert!(evidence("directory-key-not-stated").contains(&"B".repeat(40)));
    assert!(evidence("directory-key-expired").contains("2020-01-01"));
    let email = evidence("directory-email-differs");
    assert!(
        email.contains("trusted-introducer: soc@exu.example") && email.contains("cert@exu.example"),
        "{email}"
    );
    assert!(evidence("directory-country-differs").contains("trusted-introducer: FR"));
    assert!(
        !findings.iter().any(|(c, _)| *c == "directory-name-differs"),
        "{findings:?}"
    );
    let team = &r["teams"][0];
    assert_eq!(team["outcome"], "valid", "{team}");
    assert_eq!(
        team["key_confirmed_by"],
        serde_json::json!(["trusted-introducer"]),
        "{team}"
    );

    // csirt-find: the document's own e-mail outranks the directory's, and
    // the key is confirmed by the directory.
    let find = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_csirt-find"))
            .arg("--data")
            .arg(&data)
            .args(["--format", format, "EXU-CERT"])
            .output()
            .unwrap()
    };
    let hit = first_json_line(&find("json"));
    assert_eq!(
        hit["key_confirmed_by"],
        serde_json::json!(["trusted-introducer"]),
        "{hit}"
    );
    let text = String::from_utf8_lossy(&find("text").stdout).into_owned();
    assert!(text.contains("confirmed by trusted-introducer"), "{text}");
    assert!(
        text.contains("cert@exu.example") && !text.contains("soc@exu.example"),
        "{text}"
    );

    // The API: the team, its listing and the confirmation.
    let serve = Serve::start(&data, &[]);
    let (status, teams) = serve.json("/v1/teams");
    assert_eq!(status, 200);
    let id = teams["teams"][0]["team_id"].as_i64().unwrap();
    let (status, t) = serve.json(&format!("/v1/teams/{id}"));
    assert_eq!(status, 200, "{t}");
    assert_eq!(
        t["team"]["key_confirmed_by"],
        serde_json::json!(["trusted-introducer"]),
        "{t}"
    );
    assert_eq!(
        t["listing"]["from"][0]["directory"], "trusted-introducer",
        "{t}"
    );
    assert_eq!(
        t["documents"][0]["key_confirmed_by"],
        serde_json::json!(["trusted-introducer"]),
        "{t}"
    );
}
