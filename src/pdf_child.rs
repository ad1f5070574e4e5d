//! PDF text extraction in a child process that can be stopped.
//!
//! The PDF library loops for hours on some crafted files (the fuzzer found
//! one), and a thread cannot be stopped from outside: a crawl would keep a
//! core busy for ever, and `csirt parse` would never return. So `csirt` runs
//! the library in a copy of itself (`csirt __pdf-pages`, bytes on stdin,
//! the pages as JSON on stdout), under a time limit and an address-space
//! limit, and kills it when time is up. The parser then reports
//! `pdf-unreadable` for that file, and the run goes on.

use std::io::{Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use csirt_parse::pdf::{self, PdfError};

/// The hidden first argument that makes `csirt` the PDF child.
pub const ARG: &str = "__pdf-pages";

/// Time one PDF may take; `CSIRT_PDF_TIMEOUT` (seconds) overrides it.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Address space the child may use (the binary's own mapping included):
/// real teams' PDFs peak under 20 MB resident, a stream that inflates to
/// gigabytes is stopped within 256 MB.
const MEMORY: u64 = 256 << 20;

/// Pages text larger than this is cut (the parser reads 32 MiB at most).
const MAX_OUTPUT: u64 = 256 << 20;

/// Makes every PDF this process parses go through a child.
pub fn install() {
    pdf::set_pages_reader(read_in_child);
}

fn timeout() -> Duration {
    std::env::var("CSIRT_PDF_TIMEOUT")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .map_or(TIMEOUT, Duration::from_secs_f64)
}

fn read_in_child(bytes: &[u8]) -> Result<Vec<String>, PdfError> {
    let unreadable = |what: &str, e: std::io::Error| PdfError::Unreadable(format!("{what}: {e}"));
    let exe = std::env::current_exe().map_err(|e| unreadable("cannot find csirt itself", e))?;
    let mut child = Command::new(exe)
        .arg(ARG)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unreadable("cannot start the PDF reader", e))?;
    // Both pipes are served by threads, so that neither side can block the
    // other whatever the sizes.
    let mut stdin = child.stdin.take();
    let input = bytes.to_vec();
    let writer = std::thread::spawn(move || {
        if let Some(w) = stdin.as_mut() {
            // A child that dies early closes the pipe; that is its answer.
            let _ = w.write_all(&input);
        }
    });
    let stdout = child.stdout.take();
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        if let Some(r) = stdout {
            let _ = r.take(MAX_OUTPUT).read_to_end(&mut out);
        }
        out
    });
    let limit = timeout();
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(2)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let _ = writer.join();
    let out = reader.join().unwrap_or_default();
    match status {
        None => Err(PdfError::TooSlow(limit)),
        // Killed by its limits (memory, CPU time) or crashed.
        Some(s) if !s.success() => Err(PdfError::LibraryFailure),
        Some(_) => match serde_json::from_slice::<Result<Vec<String>, String>>(&out) {
            Ok(Ok(pages)) => Ok(pages),
            Ok(Err(message)) => Err(PdfError::Unreadable(message)),
            Err(_) => Err(PdfError::LibraryFailure),
        },
    }
}

/// `csirt __pdf-pages`: reads a PDF on stdin, writes its pages as JSON.
pub fn child_main() -> ExitCode {
    limit_self();
    let mut bytes = Vec::new();
    let max = csirt_parse::DEFAULT_MAX_BYTES as u64;
    if std::io::stdin().take(max).read_to_end(&mut bytes).is_err() {
        return ExitCode::FAILURE;
    }
    let pages = match pdf::pages_in_process(&bytes) {
        Ok(pages) => Ok(pages),
        Err(PdfError::Unreadable(m)) => Err(m),
        Err(_) => return ExitCode::FAILURE,
    };
    let mut out = std::io::stdout().lock();
    let written = serde_json::to_writer(&mut out, &pages).is_ok() && out.flush().is_ok();
    if written {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Limits this process so that the parent's deadline is a backstop, not
/// the only bound: memory (an allocation past it fails and aborts the
/// child) and CPU time (the kernel stops it).
fn limit_self() {
    use rustix::process::{setrlimit, Resource, Rlimit};
    let cpu = timeout().as_secs() + 2;
    for (resource, value) in [(Resource::As, MEMORY), (Resource::Cpu, cpu)] {
        let _ = setrlimit(
            resource,
            Rlimit {
                current: Some(value),
                maximum: Some(value),
            },
        );
    }
}
