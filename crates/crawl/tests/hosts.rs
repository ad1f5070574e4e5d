//! What the fetcher does per host: one name lookup for everything, and a
//! host that stops answering given up for the rest of the crawl.

use std::sync::Arc;
use std::time::{Duration, Instant};

use csirt_crawl::{Config, FetchError, Fetcher, Progress, Url};
use csirt_testkit::http::{Reply, Server};

fn config(interval_ms: u64) -> Config {
    Config {
        allow_private: true,
        per_host_interval: Duration::from_millis(interval_ms),
        ..Config::default()
    }
}

#[tokio::test]
async fn a_hosts_name_is_looked_up_once_for_robots_the_requests_and_the_connection() {
    let server = Server::start("127.0.0.1");
    for path in ["/rfc2350.txt", "/rfc2350.txt.asc", "/key.asc"] {
        server.route(path, Reply::ok("ok"));
    }
    let fetcher = Fetcher::new(config(10), Arc::new(Progress::default())).unwrap();
    // localhost comes from the hosts file: no network.
    let named = Url::parse(&format!("http://localhost:{}/", server.addr.port())).unwrap();
    for path in ["rfc2350.txt", "rfc2350.txt.asc", "key.asc"] {
        let got = fetcher.get(&named.join(path).unwrap(), None, None).await;
        assert_eq!(got.result.unwrap().body.as_deref(), Some(&b"ok"[..]));
    }
    assert_eq!(
        server.paths(),
        [
            "/robots.txt",
            "/rfc2350.txt",
            "/rfc2350.txt.asc",
            "/key.asc"
        ]
    );
    assert_eq!(fetcher.dns_lookups(), 1);
}

#[tokio::test]
async fn a_host_that_trickles_is_given_up_after_two_timeouts() {
    let server = Server::start("127.0.0.1");
    server.route("/robots.txt", Reply::status(404));
    for path in ["/a.txt", "/b.txt", "/c.txt"] {
        server.route(path, Reply::Trickle);
    }
    let timeout = Duration::from_millis(600);
    let fetcher = Fetcher::new(
        Config {
            timeout,
            tries: 3,
            retry_base: Duration::from_millis(10),
            ..config(50)
        },
        Arc::new(Progress::default()),
    )
    .unwrap();
    let start = Instant::now();
    let mut errors = Vec::new();
    for path in ["a.txt", "b.txt", "c.txt"] {
        let got = fetcher
            .get(
                &Url::parse(&server.url(&format!("/{path}"))).unwrap(),
                None,
                None,
            )
            .await;
        errors.push(got.result.unwrap_err());
    }
    // Two timed-out requests (the first URL and its one retry), then
    // nothing more: not 3 URLs x 3 tries.
    let trickled: Vec<String> = server
        .paths()
        .into_iter()
        .filter(|p| p != "/robots.txt")
        .collect();
    assert_eq!(trickled, ["/a.txt", "/a.txt"]);
    assert!(
        matches!(errors[0], FetchError::Timeout(_)),
        "{:?}",
        errors[0]
    );
    for e in &errors[1..] {
        match e {
            FetchError::HostUnresponsive(first) => {
                assert!(matches!(**first, FetchError::Timeout(_)), "{first:?}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(e.reason(), "host-unresponsive");
    }
    assert!(start.elapsed() < timeout * 4, "{:?}", start.elapsed());
}

#[tokio::test]
async fn a_host_that_answers_between_failures_is_kept_until_the_second_failure() {
    // One timeout, then good answers: the host is still asked.
    let server = Server::start("127.0.0.1");
    server.route("/robots.txt", Reply::status(404));
    server.route(
        "/slow.txt",
        Reply::Seq(vec![Reply::Trickle, Reply::ok("late")]),
    );
    server.route("/fine.txt", Reply::ok("fine"));
    let fetcher = Fetcher::new(
        Config {
            timeout: Duration::from_millis(500),
            retry_base: Duration::from_millis(10),
            ..config(20)
        },
        Arc::new(Progress::default()),
    )
    .unwrap();
    let url = |p: &str| Url::parse(&server.url(p)).unwrap();
    let slow = fetcher.get(&url("/slow.txt"), None, None).await;
    assert_eq!(slow.result.unwrap().body.as_deref(), Some(&b"late"[..]));
    let fine = fetcher.get(&url("/fine.txt"), None, None).await;
    assert_eq!(fine.result.unwrap().body.as_deref(), Some(&b"fine"[..]));
}

#[tokio::test]
async fn a_retry_after_a_timeout_does_not_wait_a_back_off_that_has_passed() {
    // The back-off runs from the failed attempt's start: after a timeout
    // longer than it, the retry goes once the host's spacing allows.
    let server = Server::start("127.0.0.1");
    server.route("/robots.txt", Reply::status(404));
    server.route(
        "/slow.txt",
        Reply::Seq(vec![Reply::Trickle, Reply::ok("late")]),
    );
    let timeout = Duration::from_millis(1500);
    let fetcher = Fetcher::new(
        Config {
            timeout,
            retry_base: Duration::from_millis(500),
            ..config(50)
        },
        Arc::new(Progress::default()),
    )
    .unwrap();
    let got = fetcher
        .get(&Url::parse(&server.url("/slow.txt")).unwrap(), None, None)
        .await;
    assert_eq!(got.result.unwrap().body.as_deref(), Some(&b"late"[..]));
    let at: Vec<Duration> = server
        .seen()
        .into_iter()
        .filter(|s| s.path == "/slow.txt")
        .map(|s| s.at)
        .collect();
    let gap = at[1] - at[0];
    assert!(gap >= timeout, "{gap:?}");
    assert!(
        gap < timeout + Duration::from_millis(200),
        "{gap:?}: a back-off after the timeout"
    );
}
