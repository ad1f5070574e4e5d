//! Shared helpers for the integration tests: run the real binaries on the
//! fixtures in `tests/fixtures`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

// Keys and loopback servers come from the test-support crate; not every
// test file uses both.
#[allow(unused_imports)]
pub use csirt_testkit::http as server;
#[allow(unused_imports)]
pub use csirt_testkit::pgp;

/// Path of a fixture file.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A command for the real `csirt` binary.
pub fn csirt() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_csirt"));
    c.env_remove("CSIRT_DATA");
    c
}

/// Runs `csirt parse --format json --today 2026-01-01 FIXTURE` and returns the record.
pub fn parse_fixture(name: &str) -> Value {
    let out = csirt()
        .args(["parse", "--format", "json", "--today", "2026-01-01"])
        .arg(fixture(name))
        .output()
        .expect("run csirt");
    assert!(
        out.status.success(),
        "csirt parse {name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    first_json_line(&out)
}

/// Fails the test with the command's stderr unless it exited 0.
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The first line of stdout as JSON.
pub fn first_json_line(out: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().next().expect("one line of output");
    serde_json::from_str(line).expect("valid JSON")
}

/// The codes of a record's diagnostics.
pub fn codes(rec: &Value) -> Vec<String> {
    rec["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(String::from))
        .collect()
}

/// A string field by JSON pointer, or "" when null.
pub fn s<'a>(rec: &'a Value, pointer: &str) -> &'a str {
    rec.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// A list of strings by JSON pointer.
pub fn list(rec: &Value, pointer: &str) -> Vec<String> {
    rec.pointer(pointer)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect()
}

/// The fingerprints of a record's keys.
pub fn fingerprints(rec: &Value) -> Vec<String> {
    rec["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["fingerprint"].as_str().map(String::from))
        .collect()
}

/// A minimal HTTP/1.1 GET: status, headers, body.
pub fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        unchunk(body)
    } else {
        body.to_string()
    };
    (status, head.to_string(), body)
}

fn unchunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        body = &rest[n + 2..];
    }
    out
}

/// A running `csirt serve`; killed when dropped.
pub struct Serve {
    /// The server process.
    pub child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
}

impl Serve {
    /// Starts `csirt serve --data DATA EXTRA...` on an ephemeral port.
    pub fn start(data: &Path, extra: &[&str]) -> Serve {
        let mut child = csirt()
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--reload-every",
                "200ms",
            ])
            .arg("--data")
            .arg(data)
            .args(extra)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let addr = first
            .rsplit("http://")
            .next()
            .unwrap()
            .parse()
            .unwrap_or_else(|_| panic!("{first}"));
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.map_while(Result::ok) {});
        Serve { child, addr }
    }

    /// GET, as (status, head, body).
    pub fn get(&self, path: &str) -> (u16, String, String) {
        get(self.addr, path)
    }

    /// GET, the body as JSON.
    pub fn json(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self.get(path);
        (
            status,
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: {body}")),
        )
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `csirt crawl` of loopback servers, quickly (20 ms between requests, no
/// retries): its JSON summary.
pub fn crawl_loopback(seeds: &Path, data: &Path) -> Value {
    let out = csirt()
        .args([
            "crawl",
            "--allow-private",
            "--per-host-interval",
            "20ms",
            "--tries",
            "1",
        ])
        .args(["--format", "json", "--seeds"])
        .arg(seeds)
        .arg("--data")
        .arg(data)
        .output()
        .unwrap();
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `csirt report --format json` of a data directory.
pub fn report_of(data: &Path) -> Value {
    let out = csirt()
        .args(["report", "--format", "json", "--data"])
        .arg(data)
        .output()
        .unwrap();
    assert_ok(&out);
    serde_json::from_slice(&out.stdout).unwrap()
}
