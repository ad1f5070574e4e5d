//! `csirt serve`: the real server on an ephemeral port over a store built
//! by crawling loopback servers.

mod util;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use util::server::{Reply, Server};
use util::*;

fn doc(name: &str, constituency: &str) -> String {
    format!(
        "1. Document Information\n1.1 Date of Last Update\n2026-06-01\n\
         2. Contact Information\n2.1 Name of the Team\n{name}\n\
         2.7 Electronic Mail Address\ncert@{}.example\n3. Charter\n3.2 Constituency\n{constituency}\n",
        name.to_lowercase()
    )
}

fn seeds(host: &Server, teams: &[(&str, &str)]) -> String {
    teams
        .iter()
        .map(|(name, path)| {
            format!(
                "[[team]]\nname = \"{name}\"\ndocument = \"{}\"\ncountry = \"CA\"\n\n",
                host.url(path)
            )
        })
        .collect()
}

/// A loopback host serving `teams` (name, path, constituency), a seed file
/// naming them, and an empty data directory beside it.
struct Setup {
    host: Server,
    _dir: tempfile::TempDir,
    seed_file: std::path::PathBuf,
    data: std::path::PathBuf,
}

fn setup(ip: &str, teams: &[(&str, &str, &str)]) -> Setup {
    let host = Server::start(ip);
    for (name, path, constituency) in teams {
        host.route(path, Reply::ok(doc(name, constituency)));
    }
    let dir = tempfile::tempdir().unwrap();
    let seed_file = dir.path().join("seeds.toml");
    let named: Vec<(&str, &str)> = teams.iter().map(|(n, p, _)| (*n, *p)).collect();
    std::fs::write(&seed_file, seeds(&host, &named)).unwrap();
    let data = dir.path().join("data");
    Setup {
        host,
        _dir: dir,
        seed_file,
        data,
    }
}

fn crawl(data: &Path, seed_file: &Path) -> std::process::Output {
    csirt()
        .args([
            "crawl",
            "--allow-private",
            "--per-host-interval",
            "10ms",
            "--tries",
            "1",
        ])
        .arg("--seeds")
        .arg(seed_file)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap()
}

/// Polls until `f` holds, at most 20 s.
fn eventually(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < Duration::from_secs(20), "never: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn every_endpoint_answers_and_bad_input_is_a_4xx() {
    let st = setup(
        "127.0.0.41",
        &[
            ("ALPHA", "/a/rfc2350.txt", "Universities in Quebec."),
            ("BETA", "/b/rfc2350.txt", "Hospitals in Ontario."),
        ],
    );
    let (seed_file, data) = (&st.seed_file, &st.data);
    assert!(crawl(data, seed_file).status.success());
    let s = Serve::start(data, &[]);

    let (status, v) = s.json("/v1/search?q=constituency:%20universities%20Quebec");
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["total"], 1);
    assert_eq!(v["hits"][0]["name"], "ALPHA");
    assert!(v["hits"][0]["score"].as_f64().unwrap() > 0.0);
    assert!(v["hits"][0]["snippet"]
        .as_str()
        .unwrap()
        .contains("**Quebec**"));
    assert_eq!(v["hits"][0]["summary"]["emails"][0], "cert@alpha.example");

    let (status, v) = s.json("/v1/teams?limit=1");
    assert_eq!(
        (
            status,
            v["total"].clone(),
            v["teams"].as_array().unwrap().len()
        ),
        (200, 2.into(), 1)
    );
    let id = v["teams"][0]["team_id"].as_i64().unwrap();
    let (status, v) = s.json(&format!("/v1/teams/{id}"));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["team"]["team"], "ALPHA");
    assert_eq!(v["documents"][0]["record"]["team"]["name"], "ALPHA");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "unsigned"));
    assert!(v["last_crawl"]["finished"].is_string());
    let (status, v) = s.json(&format!("/v1/teams/{id}/history"));
    assert_eq!(status, 200);
    assert_eq!(
        v["documents"][0]["versions"][0]["changes"][0],
        "first version"
    );
    let (status, v) = s.json("/v1/report?severity=warning&country=ca");
    assert_eq!(status, 200);
    assert_eq!(v["summary"]["teams"], 2);
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["severity"] != "notice"));
    let (status, v) = s.json("/v1/teams?signed=yes");
    assert_eq!((status, v["total"].clone()), (200, 0.into()));

    // The Atom feed parses, with one "new team" entry per team.
    let (status, head, atom) = s.get("/v1/changes.atom");
    assert_eq!(status, 200);
    assert!(head.to_ascii_lowercase().contains("application/atom+xml"));
    let xml = roxmltree::Document::parse(&atom).unwrap();
    let titles: Vec<&str> = xml
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| {
            e.children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
        })
        .collect();
    assert_eq!(titles.len(), 2, "{atom}");
    assert!(titles.contains(&"New team: ALPHA"));

    let (status, v) = s.json("/healthz");
    assert_eq!((status, v["status"].as_str()), (200, Some("ok")));
    let (status, _, metrics) = s.get("/metrics");
    assert_eq!(status, 200);
    assert!(
        metrics.contains("csirt_http_requests_total{route=\"/v1/search\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("csirt_index_age_seconds "));
    assert!(metrics.contains("csirt_teams{state=\"all\"} 2"));

    // Bad input: JSON errors with a 4xx, never a 5xx.
    let long = format!("/v1/search?q={}", "a".repeat(2000));
    for (path, status, code) in [
        ("/v1/search", 400, "bad-parameter"),
        (long.as_str(), 400, "query-too-long"),
        ("/v1/search?q=%22unclosed", 400, "bad-query"),
        ("/v1/search?q=cert&limit=101", 400, "bad-parameter"),
        ("/v1/search?q=cert&limit=-1", 400, "bad-parameter"),
        ("/v1/search?q=cert&offset=99999", 400, "bad-parameter"),
        ("/v1/teams?signed=maybe", 400, "bad-parameter"),
        ("/v1/teams/abc", 400, "bad-parameter"),
        ("/v1/teams/99999", 404, "unknown-team"),
        ("/v1/teams/99999/history", 404, "unknown-team"),
        ("/v1/report?severity=fatal", 400, "bad-parameter"),
        ("/v1/report?code=nonsense", 400, "bad-parameter"),
        ("/v2/nothing", 404, "not-found"),
    ] {
        let (got, v) = s.json(path);
        assert_eq!(
            (got, v["error"]["code"].as_str()),
            (status, Some(code)),
            "{path}: {v}"
        );
        assert!(v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }

    // The OpenAPI document lists exactly the served routes, and each of
    // them answers a GET with its documented parameters.
    let (status, api) = s.json("/openapi.json");
    assert_eq!(status, 200);
    let mut documented: Vec<&str> = api["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut served = csirt_serve::api::ROUTES.to_vec();
    documented.sort();
    served.sort();
    assert_eq!(documented, served);
    for path in served {
        let mut p = path.replace("{id}", &id.to_string());
        let params = api["paths"][path]["get"]["parameters"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let required: Vec<String> = params
            .iter()
            .filter(|x| x["in"] == "query" && x["required"] == true)
            .map(|x| format!("{}=cert", x["name"].as_str().unwrap()))
            .collect();
        if !required.is_empty() {
            p = format!("{p}?{}", required.join("&"));
        }
        // A lookup needs one of its parameters, whichever.
        if path == "/v1/lookup" {
            assert_eq!(s.get(&p).0, 400, "{p} without a parameter");
            p = format!("{p}?ip=192.0.2.1");
        }
        assert_eq!(s.get(&p).0, 200, "{p}");
    }
}

#[test]
fn a_crawl_committing_during_searches_fails_no_request_and_is_picked_up() {
    let st = setup(
        "127.0.0.42",
        &[("ALPHA", "/a/rfc2350.txt", "Universities in Quebec.")],
    );
    let (seed_file, data) = (&st.seed_file, &st.data);
    assert!(crawl(data, seed_file).status.success());
    let s = Serve::start(data, &[]);

    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let load: Vec<_> = (0..4)
        .map(|_| {
            let (stop, ok, failed, addr) = (stop.clone(), ok.clone(), failed.clone(), s.addr);
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match get(addr, "/v1/search?q=universities").0 {
                        200 => ok.fetch_add(1, Ordering::Relaxed),
                        _ => failed.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();

    // A second crawl, as cron would run it, adds a team and commits.
    st.host.route(
        "/g/rfc2350.txt",
        Reply::ok(doc("GAMMA", "Universities in Manitoba.")),
    );
    std::fs::write(
        seed_file,
        seeds(
            &st.host,
            &[("ALPHA", "/a/rfc2350.txt"), ("GAMMA", "/g/rfc2350.txt")],
        ),
    )
    .unwrap();
    let out = crawl(data, seed_file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eventually("the new team is searchable", || {
        s.json("/v1/search?q=manitoba").1["total"] == 1
    });
    eventually("the new team is listed", || {
        s.json("/v1/teams").1["total"] == 2
    });
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
    assert_eq!(failed.load(Ordering::Relaxed), 0);
    assert!(
        ok.load(Ordering::Relaxed) > 10,
        "{} searches",
        ok.load(Ordering::Relaxed)
    );
}

#[test]
fn scheduled_crawls_run_and_sigterm_stops_the_server_quickly() {
    let st = setup(
        "127.0.0.43",
        &[("ALPHA", "/a/rfc2350.txt", "Universities in Quebec.")],
    );
    let (seed_file, data) = (&st.seed_file, &st.data);
    // Never crawled: the first scheduled crawl runs at once.
    let mut s = Serve::start(
        data,
        &[
            "--crawl-every",
            "1h",
            "--allow-private",
            "--per-host-interval",
            "10ms",
            "--seeds",
            seed_file.to_str().unwrap(),
        ],
    );
    eventually("the scheduled crawl is served", || {
        s.json("/v1/search?q=quebec").1["total"] == 1
    });
    let start = Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = loop {
        if let Some(st) = s.child.try_wait().unwrap() {
            break st;
        }
        assert!(
            start.elapsed() < Duration::from_secs(8),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");
}

#[test]
fn a_second_crawl_on_a_locked_data_directory_exits_with_a_clear_message_or_waits() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lock = csirt_store::CrawlLock::acquire(&data, false).unwrap();
    let out = csirt()
        .args(["crawl", "--seeds", "seeds/example.toml", "--data"])
        .arg(&data)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("another crawl") && err.contains(&std::process::id().to_string()),
        "{err}"
    );
    // --wait: blocks until the lock is released, then crawls.
    let mut waiting = csirt()
        .args(["crawl", "--wait", "--seeds", "seeds/example.toml", "--data"])
        .arg(&data)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert!(waiting.try_wait().unwrap().is_none(), "it did not wait");
    drop(lock);
    assert!(waiting.wait().unwrap().success());
}

/// Reads until the server closes the connection; how long that took.
fn closed_within(mut s: &TcpStream, limit: Duration) -> Option<Duration> {
    let start = Instant::now();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => continue,
            // Reset by the server counts as closed; a read timeout does not.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Some(start.elapsed())
            }
            Err(_) => return None,
        }
    }
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_never_starve_the_others() {
    let st = setup("127.0.0.45", &[]);
    let s = Serve::start(
        &st.data,
        &["--header-timeout", "500ms", "--max-connections", "4"],
    );
    assert_eq!(s.get("/healthz").0, 200);

    // Four slowloris clients: headers started, never finished. They fill
    // every connection slot.
    let slow: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut c = TcpStream::connect(s.addr).unwrap();
            c.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
                .unwrap();
            c
        })
        .collect();
    // A fifth client waits in the backlog and is served once the slow ones
    // are cut off.
    let start = Instant::now();
    assert_eq!(s.get("/healthz").0, 200);
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    for c in &slow {
        let t = closed_within(c, Duration::from_secs(5));
        assert!(t.is_some(), "a slow client was not cut off");
    }

    // A keep-alive connection left idle after a complete request is closed
    // too, after its answer was delivered.
    let mut idle = TcpStream::connect(s.addr).unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(
        closed_within(&idle, Duration::from_secs(5)).is_some(),
        "an idle keep-alive connection was held open"
    );
    assert_eq!(s.get("/healthz").0, 200);
}

/// Staleness is judged when asked, with one rule: `csirt-find`, `csirt
/// report` and the API agree for any threshold and day, and a document
/// 364 days old today is stale tomorrow without a new crawl or index.
#[test]
fn find_report_and_the_api_judge_staleness_alike_on_any_day_and_threshold() {
    let today = chrono::Utc::now().date_naive();
    let ago = |days: u64| today - chrono::Days::new(days);
    let dated = [
        ("EDGE", Some(ago(364))),
        ("YEAR", Some(ago(365))),
        ("MONTH", Some(ago(30))),
        ("TODAY", Some(today)),
        ("OLD", Some(ago(3000))),
        ("UNDATED", None),
    ];
    let host = Server::start("127.0.0.46");
    let mut seed_text = String::new();
    for (name, date) in dated {
        let date = date.map_or("not stated".to_string(), |d| d.to_string());
        let body = doc(name, "Universities in Quebec.").replace("2026-06-01", &date);
        let path = format!("/{}.txt", name.to_lowercase());
        host.route(&path, Reply::ok(body));
        seed_text += &format!(
            "[[team]]\nname = \"{name}\"\ndocument = \"{}\"\ncountry = \"CA\"\n\n",
            host.url(&path)
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let (seed_file, data) = (dir.path().join("seeds.toml"), dir.path().join("data"));
    std::fs::write(&seed_file, seed_text).unwrap();
    assert_ok(&crawl(&data, &seed_file));
    let serve = Serve::start(&data, &[]);

    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let by_find = |extra: &[&str]| -> Vec<String> {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_csirt-find"))
            .arg("--data")
            .arg(&data)
            .args(["--format", "json", "--limit", "50"])
            .args(extra)
            .arg("stale:yes")
            .output()
            .unwrap();
        sorted(
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|l| {
                    serde_json::from_str::<Value>(l).unwrap()["name"]
                        .as_str()
                        .unwrap()
                        .to_string()
                })
                .collect(),
        )
    };
    let by_report = |extra: &[&str]| -> Vec<String> {
        let out = csirt()
            .args(["report", "--stale", "--format", "json", "--data"])
            .arg(&data)
            .args(extra)
            .output()
            .unwrap();
        assert_ok(&out);
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        sorted(
            r["teams"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["team"].as_str().unwrap().to_string())
                .collect(),
        )
    };
    let by_api = |query: &str| -> Vec<String> {
        let (status, v) = serve.json(&format!("/v1/teams?stale=yes&limit=100{query}"));
        assert_eq!(status, 200, "{v}");
        sorted(
            v["teams"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["team"].as_str().unwrap().to_string())
                .collect(),
        )
    };
    let names = |n: &[&str]| sorted(n.iter().map(|s| s.to_string()).collect());

    // The default, 365 days, today: a year old is stale, 364 days is not.
    let want = names(&["OLD", "UNDATED", "YEAR"]);
    assert_eq!(by_find(&[]), want);
    assert_eq!(by_report(&[]), want);
    assert_eq!(by_api(""), want);
    // Tomorrow, with nothing crawled or indexed again: EDGE turns stale.
    let tomorrow = (today + chrono::Days::new(1)).to_string();
    let want = names(&["EDGE", "OLD", "UNDATED", "YEAR"]);
    assert_eq!(by_find(&["--at", &tomorrow]), want);
    assert_eq!(by_report(&["--at", &tomorrow]), want);
    assert_eq!(by_api(&format!("&at={tomorrow}")), want);
    // Any threshold: the three agree.
    for days in [
        "0", "1", "30", "31", "364", "365", "366", "3000", "3001", "52w",
    ] {
        let f = by_find(&["--stale-after", days]);
        assert_eq!(by_report(&["--stale-after", days]), f, "{days}");
        assert_eq!(by_api(&format!("&stale_after={days}")), f, "{days}");
        assert!(f.contains(&"UNDATED".to_string()), "{days}: {f:?}");
    }
    assert_eq!(
        by_find(&["--stale-after", "0"]).len(),
        6,
        "0 days: all stale"
    );
    // A threshold that is no age is refused by all three.
    let (status, v) = serve.json("/v1/teams?stale_after=a%20year");
    assert_eq!(status, 400, "{v}");
    let bad = csirt()
        .args(["report", "--stale-after", "12h", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
