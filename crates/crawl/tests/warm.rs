//! `Fetcher::warm` fetches robots.txt ahead of a host's first request; the
//! request then finds it cached and waits its turn after it. And a host's
//! name is looked up once for all of it.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use csirt_crawl::{Config, Fetcher, Progress, Url};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// A server that answers 404 to robots.txt and 200 to anything else, and
/// remembers each path with when it came.
async fn server() -> (Url, Arc<Mutex<Vec<(String, Instant)>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).await.unwrap_or(0) == 0 || h.trim().is_empty() {
                            break;
                        }
                    }
                    let answer: &[u8] = if path == "/robots.txt" {
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
                    } else {
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                    };
                    log.lock().unwrap().push((path, Instant::now()));
                    if w.write_all(answer).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (base, seen)
}

#[tokio::test]
async fn a_warmed_host_answers_robots_once_and_the_request_waits_its_turn() {
    let (base, seen) = server().await;
    let config = Config {
        allow_private: true,
        per_host_interval: Duration::from_millis(200),
        ..Config::default()
    };
    let fetcher = Fetcher::new(config, Arc::new(Progress::default())).unwrap();
    let doc = base.join("rfc2350.txt").unwrap();
    fetcher.warm(&doc).await;
    fetcher.warm(&doc).await;
    let got = fetcher.get(&doc, None, None).await;
    assert_eq!(got.result.unwrap().body.as_deref(), Some(&b"ok"[..]));
    // robots.txt went with the warming, not with this URL.
    assert_eq!(got.requests, 1);
    let seen = seen.lock().unwrap().clone();
    let paths: Vec<&str> = seen.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["/robots.txt", "/rfc2350.txt"]);
    assert!(seen[1].1 - seen[0].1 >= Duration::from_millis(200));
}

#[tokio::test]
async fn warming_a_refused_address_sends_nothing() {
    let (base, seen) = server().await;
    // Loopback without allow_private: refused before any request.
    let fetcher = Fetcher::new(Config::default(), Arc::new(Progress::default())).unwrap();
    fetcher.warm(&base.join("rfc2350.txt").unwrap()).await;
    fetcher
        .warm(&Url::parse("file:///etc/hostname").unwrap())
        .await;
    assert!(seen.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_hosts_name_is_looked_up_once_for_robots_the_requests_and_the_connection() {
    let (base, seen) = server().await;
    let port = base.port().unwrap();
    let config = Config {
        allow_private: true,
        per_host_interval: Duration::from_millis(10),
        ..Config::default()
    };
    let fetcher = Fetcher::new(config, Arc::new(Progress::default())).unwrap();
    // localhost comes from the hosts file: no network.
    let named = Url::parse(&format!("http://localhost:{port}/")).unwrap();
    fetcher.warm(&named.join("rfc2350.txt").unwrap()).await;
    for path in ["rfc2350.txt", "rfc2350.txt.asc", "key.asc"] {
        let got = fetcher.get(&named.join(path).unwrap(), None, None).await;
        assert_eq!(got.result.unwrap().body.as_deref(), Some(&b"ok"[..]));
    }
    assert_eq!(seen.lock().unwrap().len(), 4);
    assert_eq!(fetcher.dns_lookups(), 1);
}
