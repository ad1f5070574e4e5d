//! `csirt crawl`: fetch every seed's document, signature and key politely,
//! and keep every new version, parsed and verified, in the data directory.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use csirt_crawl::{Config, Progress, Summary};
use csirt_directory::Crawled;

use super::OutputFormat;

/// Crawl the seed list into the data directory.
///
/// For every team: fetch its document(s), the signature (named in the seed,
/// else stated in the document, else `<url>.asc` / `<url>.sig`) and its key
/// (named in the seed or in section 2.8); parse and verify each new version
/// and store it. Nothing is overwritten: every version is kept.
///
/// Politeness: at most one request in flight per host (a host is an IP
/// address and port, as resolved), at least --per-host-interval between
/// requests to it, robots.txt obeyed, conditional GET, back-off on 429/5xx
/// honouring Retry-After. Loopback, private and link-local addresses are
/// refused unless --allow-private.
///
/// Seeds: a TOML file of [[team]] tables (see seeds/teams.toml) or a file of
/// URLs, one per line; locations may be https://, file:// or local paths.
/// A seed file with errors is refused with the line and the reason.
///
/// One crawl at a time per data directory: a second one (cron, a systemd
/// timer, `csirt serve --crawl-every`) exits with status 1 and says which
/// process holds the lock, or waits for it with --wait.
///
/// Exit status: 0 when the crawl ran (failed fetches are reported in the
/// summary and stored), 1 when it could not run (store, seeds, another
/// crawl running) or ran but could not update the search index (`csirt
/// index` rebuilds it from the store), 2 on a usage error.
///
/// Examples:
///   csirt crawl --seeds seeds/example.toml --data /tmp/csirt
///   csirt crawl --per-host-interval 2s --concurrency 8
///   CSIRT_DATA=/var/lib/csirt csirt crawl --format json
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The seed list.
    #[arg(long, value_name = "FILE", default_value = "seeds/teams.toml")]
    seeds: PathBuf,

    /// The data directory (database and stored versions).
    #[arg(long, value_name = "DIR", env = "CSIRT_DATA", default_value = "index")]
    data: PathBuf,

    /// Least time between two requests to one host (e.g. 1s, 500ms).
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    per_host_interval: Duration,

    /// Requests in flight over all hosts.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = at_least_one::<usize>)]
    concurrency: usize,

    /// Teams crawled at once; the others wait their turn in seed order.
    /// Each holds its documents in memory until they are checked, so this
    /// bounds memory on long seed lists.
    #[arg(long, value_name = "N", default_value_t = 1024, value_parser = at_least_one::<usize>)]
    teams_at_once: usize,

    /// Total time allowed for one request, body included.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    timeout: Duration,

    /// Largest body accepted, after decompression (e.g. 10MiB, 500KiB).
    #[arg(long, value_name = "SIZE", default_value = "10MiB", value_parser = parse_size)]
    max_bytes: usize,

    /// Requests per URL, retries included (retries follow connect errors,
    /// timeouts, 429 and 5xx, with back-off and Retry-After).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = at_least_one::<u32>)]
    tries: u32,

    /// Allow loopback, private and link-local addresses (tests, intranets).
    #[arg(long)]
    allow_private: bool,

    /// The User-Agent sent; include a way to contact you.
    #[arg(long, value_name = "UA")]
    user_agent: Option<String>,

    /// When another crawl runs on the data directory, wait for it to end
    /// instead of exiting.
    #[arg(long)]
    wait: bool,

    /// Summary format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
}

/// A count that must be 1 or more: 0 tries per URL, 0 requests or 0 teams
/// at once would crawl nothing, and was quietly taken as 1.
fn at_least_one<T: std::str::FromStr + Default + PartialEq>(s: &str) -> Result<T, String> {
    match s.trim().parse::<T>() {
        Ok(n) if n == T::default() => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("{s:?} is not a whole number")),
    }
}

/// `500ms`, `1s`, `2m`, `1h`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(
        s.find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(s.len()),
    );
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration like 500ms, 1s, 2m"))?;
    let secs = match unit.trim() {
        "ms" => n / 1000.0,
        "" | "s" => n,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86400.0,
        u => return Err(format!("{s:?}: unknown unit {u:?} (ms, s, m, h, d)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|_| format!("{s:?} is out of range"))
}

/// `10MiB`, `500KiB`, `1MB`, or plain bytes.
fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    let n: usize = num
        .parse()
        .map_err(|_| format!("{s:?} is not a size like 10MiB"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" | "k" => 1 << 10,
        "mib" | "m" => 1 << 20,
        "gib" | "g" => 1 << 30,
        "kb" => 1000,
        "mb" => 1_000_000,
        u => return Err(format!("{s:?}: unknown unit {u:?} (KiB, MiB, GiB)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{s:?} is too large"))
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let seeds = match csirt_crawl::seeds::load(&args.seeds) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("csirt: seed file refused, nothing fetched: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let _lock = match csirt_store::CrawlLock::acquire(&args.data, args.wait) {
        Ok(l) => l,
        Err(e @ csirt_store::LockError::Busy { .. }) => {
            eprintln!("csirt: {e}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let mut config = Config {
        per_host_interval: args.per_host_interval,
        concurrency: args.concurrency,
        teams_at_once: args.teams_at_once,
        timeout: args.timeout,
        max_bytes: args.max_bytes,
        tries: args.tries,
        allow_private: args.allow_private,
        ..Config::default()
    };
    if let Some(ua) = args.user_agent {
        config.user_agent = ua;
    }
    let progress = Arc::new(Progress::default());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let bar = show_progress(progress.clone());
    let summary = runtime.block_on(job(seeds, &args.data, config, progress));
    // Everything the crawl started has ended; the pool's idle threads need
    // not be waited for (about 4 ms on the crawl bench).
    runtime.shutdown_background();
    if let Some(bar) = bar {
        bar.finish();
    }
    let Crawled { summary, index } = summary?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string(&summary)?)?,
        OutputFormat::Text => write_summary(&mut out, &summary, &args.data)?,
    }
    // Searches would go on finding what the index held before this crawl:
    // a scheduled crawl must hear about it.
    if let Err(e) = index {
        eprintln!(
            "csirt: the crawl is stored, but the search index was not updated: {e:#}\n\
             `csirt index` rebuilds it from the store"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// One crawl of `seeds` into the data directory `data`, each team indexed
/// as the crawl finishes it (`csirt_directory::crawl`). The caller holds
/// the crawl lock.
pub async fn job(
    seeds: Vec<csirt_crawl::TeamSeed>,
    data: &std::path::Path,
    config: Config,
    progress: Arc<Progress>,
) -> anyhow::Result<Crawled> {
    csirt_directory::crawl(seeds, data, config, progress)
        .await
        .with_context(|| format!("cannot crawl into the data directory {}", data.display()))
}

/// A progress bar on a terminal; nothing otherwise (logs say enough).
fn show_progress(progress: Arc<Progress>) -> Option<Bar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} teams {pos}/{len} {wide_bar} {elapsed} {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let s = stop.clone();
    let handle = std::thread::spawn(move || {
        while !s.load(Ordering::Relaxed) {
            bar.set_length(progress.teams.load(Ordering::Relaxed));
            bar.set_position(progress.teams_done.load(Ordering::Relaxed));
            bar.set_message(format!(
                "{} failures",
                progress.failures.load(Ordering::Relaxed)
            ));
            std::thread::sleep(Duration::from_millis(100));
        }
        bar.finish_and_clear();
    });
    Some(Bar { stop, handle })
}

/// The thread drawing the progress bar.
struct Bar {
    stop: Arc<std::sync::atomic::AtomicBool>,
    handle: std::thread::JoinHandle<()>,
}

impl Bar {
    fn finish(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.join();
    }
}

fn write_summary(out: &mut impl Write, s: &Summary, data: &std::path::Path) -> std::io::Result<()> {
    writeln!(
        out,
        "crawled {} teams in {:.1}s into {}",
        s.teams,
        s.seconds,
        data.display()
    )?;
    writeln!(
        out,
        "  fetched {}, unchanged {}, new versions {}, {} requests, {} bytes",
        s.fetched, s.unchanged, s.new_versions, s.requests, s.bytes
    )?;
    let failed: usize = s.failed.values().sum();
    if failed > 0 {
        let by: Vec<String> = s.failed.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(out, "  failed {failed}: {}", by.join(", "))?;
    }
    if s.checked > 0 {
        let by: Vec<String> = s.outcomes.iter().map(|(k, v)| format!("{k} {v}")).collect();
        writeln!(out, "  checked {} documents: {}", s.checked, by.join(", "))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_size("10MiB"), Ok(10 << 20));
        assert_eq!(parse_size("500KiB"), Ok(500 << 10));
        assert!(parse_size("lots").is_err());
        assert_eq!(at_least_one::<usize>("8"), Ok(8));
        assert!(at_least_one::<usize>("0").is_err());
        assert!(at_least_one::<usize>("-1").is_err());
        assert_eq!(at_least_one::<u32>("3"), Ok(3));
        assert!(at_least_one::<u32>("0").is_err());
    }
}
