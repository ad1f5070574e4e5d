//! `csirt crawl` against real HTTP servers on loopback addresses, each
//! 127.0.0.x standing in for one host.

mod util;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use csirt_store::Outcome;
use serde_json::Value;
use util::server::{Reply, Server};
use util::*;

fn doc(name: &str) -> String {
    format!(
        "1. Document Information\n1.1 Date of Last Update\n2026-01-15\n\
         2. Contact Information\n2.1 Name of the Team\n{name}\n\
         2.7 Electronic Mail Address\ncert@example.org\n3. Charter\n3.2 Constituency\nUniversities.\n"
    )
}

/// Writes `seeds` to `dir/seeds.toml`: `csirt crawl --seeds` it with
/// `--data dir/data`, nothing else set.
fn crawl_command(dir: &Path, seeds: &str) -> Command {
    let seed_file = dir.join("seeds.toml");
    std::fs::write(&seed_file, seeds).unwrap();
    let mut cmd = csirt();
    cmd.arg("crawl")
        .arg("--seeds")
        .arg(&seed_file)
        .arg("--data")
        .arg(dir.join("data"));
    cmd
}

/// Writes a seed file and runs `csirt crawl` on it with `extra` flags.
fn crawl(dir: &Path, seeds: &str, extra: &[&str]) -> (Value, Output) {
    let mut cmd = crawl_command(dir, seeds);
    cmd.args(["--format", "json", "--allow-private"])
        .args(extra);
    // Defaults for the tests, unless a test sets its own.
    for (flag, value) in [("--per-host-interval", "200ms"), ("--timeout", "5s")] {
        if !extra.contains(&flag) {
            cmd.args([flag, value]);
        }
    }
    let out = cmd.output().unwrap();
    let summary = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (summary, out)
}

fn team(name: &str, url: &str) -> String {
    format!("[[team]]\nname = \"{name}\"\ndocument = \"{url}\"\n\n")
}

fn failed(summary: &Value, reason: &str) -> u64 {
    summary["failed"][reason].as_u64().unwrap_or(0)
}

fn store(dir: &Path) -> csirt_store::Store {
    csirt_store::Store::open(&dir.join("data")).unwrap()
}

#[test]
fn hosts_are_crawled_politely_and_in_parallel() {
    let hosts = [Server::start("127.0.0.2"), Server::start("127.0.0.3")];
    let mut seeds = String::new();
    for (h, server) in hosts.iter().enumerate() {
        for t in 0..3 {
            let path = format!("/t{t}/rfc2350.txt");
            server.route(&path, Reply::ok(doc(&format!("T{h}{t}"))));
            seeds.push_str(&team(&format!("T{h}{t}"), &server.url(&path)));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let (s, out) = crawl(dir.path(), &seeds, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["fetched"], 6, "{s}");
    assert_eq!(s["checked"], 6, "{s}");
    for server in &hosts {
        // robots.txt, 3 documents, and the .asc/.sig guesses for each.
        assert_eq!(server.seen().len(), 10, "{:?}", server.paths());
        assert_eq!(server.max_in_flight(), 1, "two requests at once");
        let gap = server.min_gap().unwrap();
        assert!(gap >= Duration::from_millis(190), "requests {gap:?} apart");
    }
    // 9 spaced requests per host take 1.8 s; both hosts together, not 3.6 s.
    assert!(s["seconds"].as_f64().unwrap() < 3.4, "{s}");
}

#[test]
fn robots_txt_is_obeyed() {
    let host = Server::start("127.0.0.4");
    host.route(
        "/robots.txt",
        Reply::ok("User-agent: *\nDisallow: /private/\n"),
    );
    host.route("/private/rfc2350.txt", Reply::ok(doc("P")));
    host.route("/public/rfc2350.txt", Reply::ok(doc("Q")));
    let dir = tempfile::tempdir().unwrap();
    let seeds =
        team("P", &host.url("/private/rfc2350.txt")) + &team("Q", &host.url("/public/rfc2350.txt"));
    let (s, _) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(failed(&s, "robots-disallowed"), 1, "{s}");
    assert_eq!(s["fetched"], 1);
    assert!(!host.paths().iter().any(|p| p.starts_with("/private/")));
    assert_eq!(
        host.paths().iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "robots.txt fetched once"
    );
}

#[test]
fn robots_txt_server_error_means_nothing_is_fetched() {
    let host = Server::start("127.0.0.5");
    host.route("/robots.txt", Reply::status(500));
    host.route("/rfc2350.txt", Reply::ok(doc("R")));
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = crawl(
        dir.path(),
        &team("R", &host.url("/rfc2350.txt")),
        &["--tries", "1"],
    );
    assert_eq!(failed(&s, "robots-disallowed"), 1, "{s}");
    assert_eq!(host.paths(), ["/robots.txt"]);
}

#[test]
fn unchanged_documents_cost_a_304_and_keep_one_version() {
    let host = Server::start("127.0.0.6");
    host.route(
        "/rfc2350.txt",
        Reply::Full(200, vec![("ETag".into(), "\"v1\"".into())], doc("E").into()),
    );
    let dir = tempfile::tempdir().unwrap();
    let seeds = team("E", &host.url("/rfc2350.txt"));
    let (s1, _) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(s1["fetched"], 1, "{s1}");
    let (s2, _) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(s2["unchanged"], 1, "{s2}");
    assert_eq!(s2["new_versions"], 0);
    let conditional: Vec<_> = host
        .seen()
        .into_iter()
        .filter(|r| r.path == "/rfc2350.txt")
        .collect();
    assert_eq!(
        conditional[1]
            .headers
            .get("if-none-match")
            .map(String::as_str),
        Some("\"v1\"")
    );
    let st = store(dir.path());
    assert_eq!(st.count("versions").unwrap(), 1);
    assert_eq!(st.count("fetches").unwrap(), 2);
}

#[test]
fn service_unavailable_with_retry_after_is_retried_after_the_wait() {
    let host = Server::start("127.0.0.7");
    host.route(
        "/rfc2350.txt",
        Reply::Seq(vec![
            Reply::Full(503, vec![("Retry-After".into(), "1".into())], Vec::new()),
            Reply::ok(doc("S")),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = crawl(dir.path(), &team("S", &host.url("/rfc2350.txt")), &[]);
    assert_eq!(s["fetched"], 1, "{s}");
    let hits: Vec<_> = host
        .seen()
        .into_iter()
        .filter(|r| r.path == "/rfc2350.txt")
        .collect();
    assert_eq!(hits.len(), 2);
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(990));
}

#[test]
fn a_slow_body_does_not_delay_the_hosts_next_turn_by_its_length() {
    // The document's body takes 1.2 s to arrive, its head none. The next
    // request (the .asc guess) waits an interval from the head, not from
    // the body's end: about 1.2 s after the document's request, not 2.2 s.
    let host = Server::start("127.0.0.22");
    host.route(
        "/rfc2350.txt",
        Reply::Slow(doc("Slow").into_bytes(), Duration::from_millis(1200)),
    );
    let dir = tempfile::tempdir().unwrap();
    let (s, out) = crawl(
        dir.path(),
        &team("Slow", &host.url("/rfc2350.txt")),
        &["--per-host-interval", "1s"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["fetched"], 1, "{s}");
    let seen = host.seen();
    let at = |path: &str| seen.iter().find(|r| r.path == path).unwrap().at;
    let next = at("/rfc2350.txt.asc") - at("/rfc2350.txt");
    assert!(
        next >= Duration::from_millis(1200),
        "{next:?}: before the body ended"
    );
    assert!(
        next < Duration::from_millis(1800),
        "{next:?}: an interval after the body"
    );
    assert!(host.min_gap().unwrap() >= Duration::from_secs(1));
    assert_eq!(host.max_in_flight(), 1);
}

#[test]
fn hostile_servers_are_cut_off() {
    let host = Server::start("127.0.0.8");
    host.route("/trickle", Reply::Trickle);
    host.route("/endless", Reply::Endless);
    host.route("/loop-a", Reply::redirect("/loop-b"));
    host.route("/loop-b", Reply::redirect("/loop-a"));
    let bomb = {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&vec![0u8; 64 << 20]).unwrap();
        gz.finish().unwrap()
    };
    host.route(
        "/bomb",
        Reply::Full(200, vec![("Content-Encoding".into(), "gzip".into())], bomb),
    );
    let seeds = team("Trickle", &host.url("/trickle"))
        + &team("Endless", &host.url("/endless"))
        + &team("Loop", &host.url("/loop-a"))
        + &team("Bomb", &host.url("/bomb"));
    let dir = tempfile::tempdir().unwrap();
    let (s, out) = crawl(
        dir.path(),
        &seeds,
        &[
            "--timeout",
            "2s",
            "--tries",
            "1",
            "--max-bytes",
            "1MiB",
            "--per-host-interval",
            "50ms",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(failed(&s, "timeout"), 1, "{s}");
    assert_eq!(failed(&s, "too-large"), 2, "{s}");
    assert_eq!(failed(&s, "too-many-redirects"), 1, "{s}");
    assert_eq!(
        host.paths()
            .iter()
            .filter(|p| p.starts_with("/loop"))
            .count(),
        6,
        "five redirects, then stop"
    );
}

#[test]
fn private_addresses_are_refused_by_default() {
    let host = Server::start("127.0.0.9");
    host.route("/rfc2350.txt", Reply::ok(doc("L")));
    let dir = tempfile::tempdir().unwrap();
    let out = crawl_command(dir.path(), &team("L", &host.url("/rfc2350.txt")))
        .args(["--format", "json"])
        .output()
        .unwrap();
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(failed(&s, "private-address"), 1, "{s}");
    assert!(host.seen().is_empty());
}

/// Zero requests or zero teams at once would crawl nothing: a usage error
/// naming the flag, before anything is fetched.
#[test]
fn zero_tries_concurrency_or_teams_at_once_is_a_usage_error() {
    let host = Server::start("127.0.0.21");
    host.route("/rfc2350.txt", Reply::ok(doc("Z")));
    let dir = tempfile::tempdir().unwrap();
    let seeds = team("Z", &host.url("/rfc2350.txt"));
    for flag in ["--tries", "--concurrency", "--teams-at-once"] {
        let (_, out) = crawl(dir.path(), &seeds, &[flag, "0"]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.contains("at least 1"), "{err}");
    }
    assert!(host.seen().is_empty());
}

#[test]
fn a_seed_file_with_a_bad_line_is_refused_and_nothing_fetched() {
    let host = Server::start("127.0.0.10");
    host.route("/rfc2350.txt", Reply::ok(doc("B")));
    let dir = tempfile::tempdir().unwrap();
    let seeds = team("Good", &host.url("/rfc2350.txt"))
        + "[[team]]\nname = \"Bad\"\ndocument = \"gopher://x/\"\n";
    let (_, out) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("seeds.toml:7") && err.contains("gopher"),
        "{err}"
    );
    assert!(host.seen().is_empty());
}

#[test]
fn the_shipped_seed_files_are_valid() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let real = csirt_crawl::seeds::load(&root.join("seeds/teams.toml")).unwrap();
    assert!(real.len() >= 40);
    // Every team has its website, and no URL is GitHub's HTML viewer of a
    // file instead of the file.
    for t in &real {
        assert!(t.homepage.is_some(), "{} has no website", t.name);
        for u in t.documents.iter().chain(&t.signature).chain(&t.key) {
            assert!(
                !(u.host_str() == Some("github.com") && u.path().contains("/blob/")),
                "{}: {u}",
                t.name
            );
        }
    }
    let example = csirt_crawl::seeds::load(&root.join("seeds/example.toml")).unwrap();
    assert_eq!(example[0].name, "XYZ-CERT");
}

#[test]
fn a_crawl_killed_mid_run_restarts_into_a_consistent_store() {
    let host = Server::start("127.0.0.11");
    let mut seeds = String::new();
    for t in 0..12 {
        let path = format!("/t{t}.txt");
        host.route(&path, Reply::ok(doc(&format!("K{t}"))));
        seeds.push_str(&team(&format!("K{t}"), &host.url(&path)));
    }
    let dir = tempfile::tempdir().unwrap();
    let mut child = crawl_command(dir.path(), &seeds)
        .args(["--allow-private", "--per-host-interval", "200ms"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // robots.txt, then one document every 200 ms: about five are stored.
    std::thread::sleep(Duration::from_millis(1200));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let before = store(dir.path()).count("versions").unwrap();
    assert!(before < 12, "the crawl finished before it was killed");
    // A blob whose writing the kill cut short, whether or not this kill
    // happened to leave one: the next crawl removes it.
    let shard = dir.path().join("data/blobs/ab");
    std::fs::create_dir_all(&shard).unwrap();
    let orphan = shard.join(format!(".tmp-{}.4242.0", "cd".repeat(32)));
    std::fs::write(&orphan, b"half").unwrap();
    let (s, out) = crawl(dir.path(), &seeds, &["--per-host-interval", "20ms"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["teams"], 12);
    let st = store(dir.path());
    let check = st.check().unwrap();
    assert!(
        check.database_ok && check.missing_blobs.is_empty(),
        "{check:?}"
    );
    assert_eq!(st.count("versions").unwrap(), 12);
    assert!(!orphan.exists(), "a half-written blob was left behind");
    assert_eq!(st.team_documents().unwrap().len(), 12);
    assert!(st
        .team_documents()
        .unwrap()
        .iter()
        .all(|d| d.outcome.is_some()));
}

/// Every (URL, SHA-256) version the store holds, read with SQLite itself.
fn versions(data: &Path) -> std::collections::BTreeSet<(String, String)> {
    let db = rusqlite::Connection::open(data.join("csirt.db")).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT urls.url, versions.sha256 FROM versions JOIN urls ON urls.id = versions.url_id",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    rows
}

/// Crash safety: the crawler killed with SIGKILL at twelve moments of
/// crawls whose documents keep changing. After every kill SQLite's
/// integrity check passes, every version's blob is there with its hash, no
/// version seen before is lost and the crawl lock is free; then a crawl
/// completes and search answers. Slow (about half a minute): `.ci/run`
/// runs it with `--ignored`.
#[test]
#[ignore]
fn kills_at_random_moments_lose_nothing() {
    let hosts = [
        Server::start("127.0.0.31"),
        Server::start("127.0.0.32"),
        Server::start("127.0.0.33"),
    ];
    let teams = 24;
    let url = |t: usize| hosts[t % 3].url(&format!("/t{t}.txt"));
    let mut seeds = String::new();
    for t in 0..teams {
        seeds.push_str(&team(&format!("K{t}"), &url(t)));
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // The same moments every run: xorshift from a fixed seed.
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut seen = std::collections::BTreeSet::new();
    let mut killed_running = 0;
    for round in 0..12 {
        for t in 0..teams {
            // A third of the documents change every round.
            let edition = if t % 3 == round % 3 { round } else { 0 };
            hosts[t % 3].route(
                &format!("/t{t}.txt"),
                Reply::ok(doc(&format!("K{t} edition {edition}"))),
            );
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let after = Duration::from_millis(50 + x % 1500);
        let mut child = crawl_command(dir.path(), &seeds)
            .args([
                "--allow-private",
                "--per-host-interval",
                "100ms",
                "--tries",
                "1",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(after);
        killed_running += usize::from(child.try_wait().unwrap().is_none());
        let _ = child.kill(); // SIGKILL; it may have finished already.
        child.wait().unwrap();
        if !data.join("csirt.db").exists() {
            continue;
        }
        let check = csirt_store::Store::open(&data).unwrap().check().unwrap();
        assert!(
            check.database_ok && check.missing_blobs.is_empty(),
            "round {round}, killed after {after:?}: {check:?}"
        );
        let now = versions(&data);
        assert!(
            seen.is_subset(&now),
            "round {round}: versions lost: {:?}",
            seen.difference(&now).collect::<Vec<_>>()
        );
        seen = now;
        let lock = csirt_store::CrawlLock::acquire(&data, false);
        assert!(
            lock.is_ok(),
            "round {round}: the lock was left held: {lock:?}"
        );
    }
    assert!(
        !seen.is_empty(),
        "no kill came late enough to store anything"
    );
    assert!(
        killed_running >= 8,
        "only {killed_running} of 12 kills hit a running crawl"
    );
    let (s, out) = crawl(dir.path(), &seeds, &["--per-host-interval", "20ms"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s["teams"], teams);
    let check = store(dir.path()).check().unwrap();
    assert!(
        check.database_ok && check.missing_blobs.is_empty(),
        "{check:?}"
    );
    assert!(seen.is_subset(&versions(&data)));
    let found = csirt()
        .args(["find", "--format", "json", "--data"])
        .arg(&data)
        .arg("name: K7")
        .output()
        .unwrap();
    assert_ok(&found);
    assert!(String::from_utf8_lossy(&found.stdout).contains("K7"));
}

/// A host at `ip` serving `name`'s document signed by `k`
/// (`/rfc2350.txt`, `/rfc2350.txt.sig`, `/key.asc`), and a seed list that
/// names the document and the key.
fn signed_team(ip: &str, name: &str, k: &util::pgp::TestKey) -> (Server, String) {
    let document = format!(
        "{}2.8 Public Keys\nFingerprint: {}\n",
        doc(name),
        k.fingerprint()
    );
    let host = Server::start(ip);
    host.route("/rfc2350.txt", Reply::ok(document.clone()));
    host.route("/rfc2350.txt.sig", Reply::ok(k.sign(document.as_bytes())));
    host.route("/key.asc", Reply::ok(k.public()));
    let seeds = format!(
        "[[team]]\nname = \"{name}\"\ndocument = \"{}\"\nkey = \"{}\"\n",
        host.url("/rfc2350.txt"),
        host.url("/key.asc")
    );
    (host, seeds)
}

/// The key comes before the signature: its self-signatures are checked
/// while the host's next turn is still to come, and the signature, the
/// last request, leaves one signature to verify.
#[test]
fn a_signed_document_is_fetched_with_its_key_then_its_signature_and_verified() {
    let k = util::pgp::TestKey::new("Team <cert@example.org>");
    let (host, seeds) = signed_team("127.0.0.12", "SIGNED", &k);
    let dir = tempfile::tempdir().unwrap();
    let (s, _) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(s["outcomes"]["valid"], 1, "{s}");
    let docs = store(dir.path()).team_documents().unwrap();
    assert_eq!(docs[0].outcome, Some(Outcome::Valid));
    // The guessed .asc is not there; .sig is.
    assert_eq!(
        host.paths(),
        [
            "/robots.txt",
            "/rfc2350.txt",
            "/key.asc",
            "/rfc2350.txt.asc",
            "/rfc2350.txt.sig"
        ]
    );
    let st = store(dir.path());
    assert_eq!(
        st.count("fetches").unwrap(),
        3,
        "a missing guess keeps no row"
    );
    let check = st.check().unwrap();
    assert!(
        check.database_ok && check.missing_blobs.is_empty(),
        "{check:?}"
    );
}

/// A key is stored beside its document's check. Served again with the
/// same bytes (no ETag, so no 304), it is stored as a fetch of the version
/// seen before and the check is not stored again; served with other bytes,
/// the document is checked anew.
#[test]
fn a_key_fetched_again_is_stored_and_rechecks_only_when_it_changed() {
    let k = util::pgp::TestKey::new("Team <cert@example.org>");
    let (host, seeds) = signed_team("127.0.0.14", "REKEY", &k);
    let dir = tempfile::tempdir().unwrap();
    let (s1, _) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(s1["checked"], 1, "{s1}");
    assert_eq!(s1["new_versions"], 3, "{s1}");

    let (s2, _) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(s2["fetched"], 3, "{s2}");
    assert_eq!(s2["new_versions"], 0, "{s2}");
    assert_eq!(s2["checked"], 0, "nothing changed: {s2}");
    let st = store(dir.path());
    assert_eq!(st.count("fetches").unwrap(), 6);
    assert_eq!(st.count("versions").unwrap(), 3);
    drop(st);

    // Another key at the same URL: the signature no longer checks out.
    let other = util::pgp::TestKey::new("Other <other@example.org>");
    host.route("/key.asc", Reply::ok(other.public()));
    let (s3, _) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(s3["new_versions"], 1, "{s3}");
    assert_eq!(s3["checked"], 1, "the key changed: {s3}");
    let docs = store(dir.path()).team_documents().unwrap();
    assert_ne!(docs[0].outcome, Some(Outcome::Valid), "{docs:?}");
}

/// A long crawl publishes as it goes: a team finished early is searchable
/// while another team's server still makes the crawl wait.
#[test]
fn a_team_done_early_is_searchable_before_the_crawl_ends() {
    let quick = Server::start("127.0.0.15");
    quick.route("/rfc2350.txt", Reply::ok(doc("EARLY")));
    let slow = Server::start("127.0.0.16");
    slow.route(
        "/rfc2350.txt",
        Reply::Seq(vec![
            Reply::Full(503, vec![("Retry-After".into(), "4".into())], Vec::new()),
            Reply::ok(doc("LATE")),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let seeds =
        team("EARLY", &quick.url("/rfc2350.txt")) + &team("LATE", &slow.url("/rfc2350.txt"));
    let data = dir.path().join("data");
    let mut running = crawl_command(dir.path(), &seeds)
        .args([
            "--allow-private",
            "--per-host-interval",
            "200ms",
            "--format",
            "json",
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let find = |q: &str| {
        Command::new(env!("CARGO_BIN_EXE_csirt-find"))
            .arg("--data")
            .arg(&data)
            .args(["--format", "json", q])
            .output()
            .unwrap()
    };
    let started = std::time::Instant::now();
    let mut early = None;
    while started.elapsed() < Duration::from_secs(15) {
        let out = find("name:EARLY");
        if out.status.success() {
            early = Some(out);
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let still_running = running.try_wait().unwrap().is_none();
    let status = running.wait().unwrap();
    assert!(early.is_some(), "EARLY never became searchable");
    assert!(
        still_running,
        "EARLY was searchable only after the crawl ended"
    );
    assert!(status.success());
    assert_ok(&find("name:LATE"));
}

/// `--teams-at-once` bounds the teams in progress (and so the documents
/// held in memory): with 1, each team is done before the next one starts,
/// in seed order.
#[test]
fn teams_at_once_bounds_the_teams_in_progress() {
    let hosts = [
        Server::start("127.0.0.17"),
        Server::start("127.0.0.18"),
        Server::start("127.0.0.19"),
    ];
    let mut seeds = String::new();
    for (i, h) in hosts.iter().enumerate() {
        h.route("/rfc2350.txt", Reply::ok(doc(&format!("ONE-{i}"))));
        seeds += &team(&format!("ONE-{i}"), &h.url("/rfc2350.txt"));
    }
    let dir = tempfile::tempdir().unwrap();
    let (s, out) = crawl(
        dir.path(),
        &seeds,
        &["--teams-at-once", "1", "--per-host-interval", "50ms"],
    );
    assert_eq!(
        s["fetched"],
        3,
        "{s} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The servers share one clock origin only roughly (each started on its
    // own), so compare with the wall clock each request arrived at.
    let spans: Vec<(std::time::Instant, std::time::Instant)> = hosts
        .iter()
        .map(|h| {
            let seen = h.seen();
            (h.started + seen[0].at, h.started + seen[seen.len() - 1].at)
        })
        .collect();
    for w in spans.windows(2) {
        assert!(
            w[0].1 < w[1].0,
            "a team started before the one before it ended"
        );
    }
}

/// The README's main-job command works offline.
#[test]
fn readme_main_job_crawls_the_example_seeds_offline() {
    let dir = tempfile::tempdir().unwrap();
    let out = csirt()
        .args([
            "crawl",
            "--seeds",
            "seeds/example.toml",
            "--format",
            "json",
            "--data",
        ])
        .arg(dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["fetched"], 1, "{s}");
    assert_eq!(s["checked"], 1, "{s}");
    assert_eq!(s["requests"], 0, "no network");
    assert!(s["failed"].as_object().unwrap().is_empty(), "{s}");
}

/// A team with two documents is searchable by the better one: the signed
/// one, though the other was updated later. (One document is indexed from
/// what the crawl prepared; two go through the store's ranking.)
#[test]
fn a_team_with_two_documents_is_indexed_by_the_signed_one() {
    let k = util::pgp::TestKey::new("Team <cert@example.org>");
    let signed = format!(
        "{}2.8 Public Keys\nFingerprint: {}\n",
        doc("PAIR"),
        k.fingerprint()
    );
    let newer = doc("PAIR").replace("2026-01-15", "2026-03-01");
    let host = Server::start("127.0.0.13");
    host.route("/signed.txt", Reply::ok(signed.clone()));
    host.route("/signed.txt.sig", Reply::ok(k.sign(signed.as_bytes())));
    host.route("/newer.txt", Reply::ok(newer));
    host.route("/key.asc", Reply::ok(k.public()));
    let dir = tempfile::tempdir().unwrap();
    let seeds = format!(
        "[[team]]\nname = \"PAIR\"\ndocuments = [\"{}\", \"{}\"]\nkey = \"{}\"\n",
        host.url("/newer.txt"),
        host.url("/signed.txt"),
        host.url("/key.asc")
    );
    let (s, out) = crawl(dir.path(), &seeds, &[]);
    assert_eq!(
        s["checked"],
        2,
        "{s} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let key_requests = host.paths().iter().filter(|p| *p == "/key.asc").count();
    assert_eq!(key_requests, 1, "one key for both documents");
    let found = Command::new(env!("CARGO_BIN_EXE_csirt-find"))
        .arg("--data")
        .arg(dir.path().join("data"))
        .args(["--format", "json", "name:PAIR"])
        .output()
        .unwrap();
    assert_ok(&found);
    let hits: Vec<Value> = String::from_utf8_lossy(&found.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["outcome"], "valid", "{hits:?}");
    assert!(hits[0]["url"].as_str().unwrap().ends_with("/signed.txt"));
}

#[test]
fn a_search_index_that_cannot_be_updated_fails_the_crawl_but_keeps_it_stored() {
    let host = Server::start("127.0.0.46");
    host.route("/rfc2350.txt", Reply::ok(doc("Gone")));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let child = crawl_command(dir.path(), &team("Gone", &host.url("/rfc2350.txt")))
        .args([
            "--format",
            "json",
            "--allow-private",
            "--per-host-interval",
            "1s",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The crawl's index writer is open once its lock file is there; the
    // document comes a host turn (1 s) after robots.txt, so nothing is
    // indexed yet. The folder then goes from under the writer.
    let lock = data.join("search").join(".tantivy-writer.lock");
    let started = std::time::Instant::now();
    while !lock.exists() {
        assert!(started.elapsed() < Duration::from_secs(10), "no index");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(host.paths().iter().all(|p| p != "/rfc2350.txt"));
    std::fs::remove_dir_all(data.join("search")).unwrap();
    let out = child.wait_with_output().unwrap();

    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("search index was not updated") && err.contains("csirt index"),
        "{err}"
    );
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["fetched"], 1);
    assert_eq!(
        store(dir.path()).count("versions").unwrap(),
        1,
        "the crawl is stored"
    );
}

/// A signature the seed names but the server does not have is a failed
/// fetch, stored and counted like any other, and the document is checked
/// as unsigned; crawled again unchanged, the failure is stored again and
/// nothing is checked anew.
#[test]
fn a_named_signature_that_fails_is_stored_as_a_failure() {
    let k = util::pgp::TestKey::new("Team <cert@example.org>");
    let (host, seeds) = signed_team("127.0.0.47", "NOSIG", &k);
    let seeds = seeds.replace(
        "key = ",
        &format!("signature = \"{}\"\nkey = ", host.url("/gone.asc")),
    );
    let dir = tempfile::tempdir().unwrap();
    let (s1, _) = crawl(dir.path(), &seeds, &["--tries", "1"]);
    assert_eq!(failed(&s1, "http-404"), 1, "{s1}");
    assert_eq!(s1["outcomes"]["unsigned"], 1, "{s1}");
    assert_eq!(store(dir.path()).count("fetches").unwrap(), 3);

    let (s2, _) = crawl(dir.path(), &seeds, &["--tries", "1"]);
    assert_eq!(failed(&s2, "http-404"), 1, "{s2}");
    assert_eq!(s2["checked"], 0, "nothing changed: {s2}");
    let st = store(dir.path());
    assert_eq!(st.count("fetches").unwrap(), 6);
    assert_eq!(
        st.team_documents().unwrap()[0].outcome,
        Some(Outcome::Unsigned)
    );
}

/// Regression (a 300-host crawl lasted 95 s for one trickling host, 3
/// documents x 3 tries x the timeout): after two timeouts on one host, its
/// other URLs are recorded as failed without a request, and the next crawl
/// tries the host afresh.
#[test]
fn a_host_that_stops_answering_is_given_up_for_the_rest_of_the_crawl() {
    let host = Server::start("127.0.0.61");
    for path in ["/en.txt", "/fr.txt", "/de.txt"] {
        host.route(path, Reply::Trickle);
    }
    let seeds = format!(
        "[[team]]\nname = \"STUCK\"\ndocuments = [\"{}\", \"{}\", \"{}\"]\n",
        host.url("/en.txt"),
        host.url("/fr.txt"),
        host.url("/de.txt")
    );
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--timeout",
        "1s",
        "--tries",
        "3",
        "--per-host-interval",
        "50ms",
    ];
    let started = std::time::Instant::now();
    let (s, out) = crawl(dir.path(), &seeds, &args);
    assert_ok(&out);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(failed(&s, "timeout"), 1, "{s}");
    assert_eq!(failed(&s, "host-unresponsive"), 2, "{s}");
    let asked: Vec<String> = host
        .paths()
        .into_iter()
        .filter(|p| p != "/robots.txt")
        .collect();
    assert_eq!(asked, ["/en.txt", "/en.txt"], "two timeouts, then nothing");
    // The failures are stored with the first error, each on its own URL.
    let st = store(dir.path());
    let errors: Vec<String> = st
        .urls_of(st.teams().unwrap()[0].id)
        .unwrap()
        .into_iter()
        .filter_map(|u| u.last_fetch.and_then(|f| f.error))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!(
        errors
            .iter()
            .filter(|e| e.starts_with("host-unresponsive"))
            .count(),
        2,
        "{errors:?}"
    );
    assert!(errors.iter().all(|e| e.contains("timed out")), "{errors:?}");
    // The next crawl asks again.
    let (_, out) = crawl(dir.path(), &seeds, &args);
    assert_ok(&out);
    assert_eq!(
        host.paths().iter().filter(|p| *p == "/en.txt").count(),
        4,
        "{:?}",
        host.paths()
    );
}
