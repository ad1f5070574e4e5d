//! `csirt serve`: the web pages and the JSON API, and crawls on a schedule.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use csirt_crawl::{Config, Progress};
use csirt_serve::App;

/// Serve the directory as web pages and a read-only JSON API, and keep it current.
///
/// Pages for people (open http://127.0.0.1:8350/ in a browser):
///   /                              search: the csirt-find language, or an IP,
///                                  domain or AS number typed alone (lookup)
///   /teams/{id}                    contacts, key, signature, findings,
///                                  sections, versions with what changed
///   /report                        the report, filterable
///
/// API endpoints (all GET; see /openapi.json):
///   /v1/search?q=&limit=&offset=   the csirt-find query language and ranking
///   /v1/lookup?ip=&domain=&asn=&country=&sector=
///   /v1/teams?country=&signed=&stale=&limit=&offset=
///   /v1/teams/{id}                 record, verification, findings, last crawl
///   /v1/teams/{id}/history         versions and what changed
///   /v1/report?country=&unsigned=&stale=&severity=&code=
///   /v1/changes.atom               new teams, new versions, changed outcomes
///   /healthz  /metrics  /openapi.json
///
/// API errors are JSON {"error": {"code", "message"}} with a 4xx status for
/// bad input; pages answer the same status with a page. The server listens on loopback unless told otherwise; put a
/// reverse proxy in front of it to publish it.
///
/// With --crawl-every, the server crawls --seeds on that schedule (with
/// jitter, never two at once); a `csirt crawl` run by cron meanwhile is kept
/// out by the data directory's crawl lock. After every crawl, by this
/// process or another, the index and the team data are reloaded without a
/// restart. SIGTERM or Ctrl-C stops it within a few seconds: requests in
/// flight are finished, a running crawl is abandoned between writes (the
/// store keeps every fetch that completed and nothing half-written).
///
/// Examples:
///   csirt serve
///   csirt serve --listen 0.0.0.0:8350 --crawl-every 24h --seeds seeds/teams.toml
///   curl 'http://127.0.0.1:8350/v1/search?q=constituency:+universities+Quebec'
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The data directory.
    #[arg(long, value_name = "DIR", env = "CSIRT_DATA", default_value = "index")]
    data: PathBuf,

    /// Address and port to listen on (port 0: any free port, printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8350")]
    listen: SocketAddr,

    /// Crawl the seed list this often (e.g. 24h, 6h); no crawls without it.
    #[arg(long, value_name = "DURATION", value_parser = super::crawl::parse_duration)]
    crawl_every: Option<Duration>,

    /// The seed list for scheduled crawls.
    #[arg(long, value_name = "FILE", default_value = "seeds/teams.toml")]
    seeds: PathBuf,

    /// A Date of Last Update this old or older is stale, for requests that
    /// give no `stale_after` (`365`, `365d`, `52w`).
    #[arg(long, value_name = "AGE", default_value_t = csirt_report::StaleAfter::DEFAULT)]
    stale_after: csirt_report::StaleAfter,

    /// Allow scheduled crawls to fetch from loopback and private addresses.
    #[arg(long)]
    allow_private: bool,

    /// Least time between two requests to one host in scheduled crawls.
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = super::crawl::parse_duration)]
    per_host_interval: Duration,

    /// Time a client has to send a request's headers, counted from when the
    /// server waits for it; an idle keep-alive connection is closed after it.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = super::crawl::parse_duration)]
    header_timeout: Duration,

    /// Connections held open at once; more wait until one closes.
    #[arg(long, value_name = "N", default_value_t = 1024)]
    max_connections: usize,

    /// How often to look for a crawl committed by another process.
    #[arg(long, value_name = "DURATION", default_value = "5s", value_parser = super::crawl::parse_duration)]
    reload_every: Duration,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<ExitCode> {
    let mut config = csirt_serve::Config::new(&args.data);
    config.stale_after = args.stale_after;
    let app = tokio::task::spawn_blocking(move || App::open(config)).await??;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let addr = listener.local_addr()?;
    eprintln!("csirt: listening on http://{addr}");

    let reloader = tokio::spawn(reload_loop(app.clone(), args.reload_every));
    let crawler = args.crawl_every.map(|every| {
        tokio::spawn(crawl_loop(
            app.clone(),
            every,
            args.seeds.clone(),
            args.data.clone(),
            Config {
                allow_private: args.allow_private,
                per_host_interval: args.per_host_interval,
                ..Config::default()
            },
        ))
    });

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let mut graceful = stop_rx.clone();
    let limits = csirt_serve::ConnLimits {
        header_timeout: args.header_timeout,
        max_connections: args.max_connections,
    };
    let server = csirt_serve::serve(listener, app.router(), limits, async move {
        let _ = graceful.wait_for(|s| *s).await;
    });
    let mut deadline = stop_rx;
    tokio::select! {
        _ = server => {},
        _ = async {
            let _ = deadline.wait_for(|s| *s).await;
            tokio::time::sleep(Duration::from_secs(5)).await;
        } => eprintln!("csirt: requests still running after 5s; stopping anyway"),
    }
    if let Some(c) = crawler {
        c.abort();
        let _ = c.await;
    }
    reloader.abort();
    eprintln!("csirt: stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
    eprintln!("csirt: stopping");
}

/// Picks up crawls committed by other processes (cron, a systemd timer).
async fn reload_loop(app: Arc<App>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let a = app.clone();
        let r = tokio::task::spawn_blocking(move || {
            a.reload_index()?;
            if a.stale_snapshot() {
                a.refresh().map(|_| true)
            } else {
                Ok(false)
            }
        })
        .await;
        match r {
            Ok(Ok(true)) => tracing::info!("reloaded after a crawl"),
            Ok(Ok(false)) => {}
            Ok(Err(e)) => tracing::warn!("reload failed: {e}"),
            Err(e) => tracing::warn!("reload task failed: {e}"),
        }
    }
}

/// Crawls on a schedule: first at once when the store has never been
/// crawled, then every `every` give or take 10%, never two at once.
async fn crawl_loop(app: Arc<App>, every: Duration, seeds: PathBuf, data: PathBuf, config: Config) {
    let mut first = app.snapshot().last_crawl.is_none();
    loop {
        if !first {
            tokio::time::sleep(jittered(every)).await;
        }
        first = false;
        let lock = match csirt_store::CrawlLock::acquire(&data, false) {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("scheduled crawl skipped: {e}");
                continue;
            }
        };
        let seed_list = match csirt_crawl::seeds::load(&seeds) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!("scheduled crawl skipped: seed file refused: {e}");
                continue;
            }
        };
        tracing::info!("scheduled crawl of {} teams starting", seed_list.len());
        match super::crawl::job(
            seed_list,
            &data,
            config.clone(),
            Arc::new(Progress::default()),
        )
        .await
        {
            Ok(csirt_directory::Crawled { summary: s, index }) => {
                tracing::info!(
                    "scheduled crawl done: {} fetched, {} new versions",
                    s.fetched,
                    s.new_versions
                );
                if let Err(e) = index {
                    tracing::error!(
                        "the scheduled crawl is stored, but the search index was not updated \
                         (`csirt index` rebuilds it): {e:#}"
                    );
                }
            }
            Err(e) => tracing::error!("scheduled crawl failed: {e:#}"),
        }
        drop(lock);
        let a = app.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || a.refresh()).await {
            tracing::warn!("reload after the crawl failed: {e}");
        }
    }
}

/// `every` give or take 10%, so many servers do not crawl in step.
fn jittered(every: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let frac = f64::from(nanos % 1000) / 1000.0;
    every.mul_f64(0.9 + 0.2 * frac)
}
