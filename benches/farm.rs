//! What the benches that run the real binary (`crawl`, `discover`,
//! `hostile`) share: one `csirt` process watched for its memory and CPU,
//! and the politeness a loopback farm saw.

#![allow(dead_code)]

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use csirt_testkit::http::Server;

/// A process run to its end, as watched from outside.
pub struct Watched {
    /// From spawn to exit.
    pub wall: Duration,
    /// Peak resident memory, KiB.
    pub peak_kib: u64,
    /// User and system CPU time.
    pub cpu: Duration,
    /// What it printed.
    pub stdout: String,
    /// It exited with status 0.
    pub success: bool,
}

/// Runs `cmd` to its end, sampling its memory and CPU every 20 ms; panics
/// when it fails.
pub fn watch(cmd: Command) -> Watched {
    let w = watch_any(cmd);
    assert!(w.success, "the command failed");
    w
}

/// Runs `cmd` to its end, sampling its memory and CPU every 20 ms (1 ms
/// for its first 100 ms, so that a short run is seen too), whatever its
/// exit status.
pub fn watch_any(mut cmd: Command) -> Watched {
    let start = Instant::now();
    let mut child = cmd
        .env_remove("RUST_BACKTRACE")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    // Read while it runs: a full pipe would stop it.
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stdout.read_to_string(&mut out);
        out
    });
    let (ended_tx, ended) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait().unwrap();
        let _ = ended_tx.send(Instant::now());
        status
    });
    let (mut peak_kib, mut cpu) = (0u64, Duration::ZERO);
    let end = loop {
        if let Some((hwm, used)) = sample(pid) {
            peak_kib = peak_kib.max(hwm);
            cpu = cpu.max(used);
        }
        let every = if start.elapsed() < Duration::from_millis(100) {
            1
        } else {
            20
        };
        if let Ok(t) = ended.recv_timeout(Duration::from_millis(every)) {
            break t;
        }
    };
    let status = waiter.join().unwrap();
    let out = reader.join().unwrap();
    Watched {
        wall: end - start,
        peak_kib,
        cpu,
        stdout: out,
        success: status.success(),
    }
}

/// Peak resident memory (KiB) and CPU time so far of a process.
fn sample(pid: u32) -> Option<(u64, Duration)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let hwm = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime and
    // stime are the 12th and 13th, in clock ticks (100 a second on Linux).
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    Some((hwm, Duration::from_millis(ticks * 10)))
}

/// The politeness a farm saw, host by host.
#[derive(Default)]
pub struct Politeness {
    /// Two requests to one host closer than the interval, or at once.
    pub violations: usize,
    /// Which hosts saw them, and how.
    pub violators: Vec<String>,
    /// The smallest gap between two requests to one host.
    pub min_gap: Option<Duration>,
}

impl Politeness {
    /// Judges one host (`label` names it in a violation); returns how many
    /// requests it saw.
    pub fn host(&mut self, label: &str, server: &Server, interval: Duration) -> usize {
        let mut at: Vec<Duration> = server.seen().iter().map(|s| s.at).collect();
        at.sort();
        for w in at.windows(2) {
            let gap = w[1] - w[0];
            self.min_gap = Some(self.min_gap.map_or(gap, |m| m.min(gap)));
            // Arrival times carry a little jitter; a gap short by more
            // than 10 ms is a real violation.
            if gap + Duration::from_millis(10) < interval {
                self.violations += 1;
                self.violators.push(format!(
                    "{label} {}: gap {:.3} s",
                    server.addr,
                    gap.as_secs_f64()
                ));
            }
        }
        // The same tolerance for a request that arrives while the farm has
        // not yet noticed the client closed the one before.
        let overlap = server.overlaps(Duration::from_millis(10));
        if overlap > 0 {
            self.violations += overlap;
            self.violators.push(format!(
                "{label} {}: {overlap} requests while another was in flight",
                server.addr
            ));
        }
        at.len()
    }
}
