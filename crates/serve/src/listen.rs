//! Accepting connections: what `axum::serve` does, plus the limits a public
//! server needs against slow or idle clients.
//!
//! `axum::serve` installs no timer in hyper, so a client that opens a
//! connection and never finishes its request headers (slowloris), or keeps
//! an idle keep-alive connection, holds a task and a file descriptor for
//! ever. Here every connection gets hyper's header read timeout, which runs
//! from the moment the server waits for a request until its headers are
//! complete — on a keep-alive connection that includes the idle time before
//! the next request. The number of open connections is capped; past the cap
//! the listener stops accepting until one closes, so the kernel's backlog,
//! not our memory, absorbs a flood.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Limits on connections, as opposed to requests (those are in
/// [`crate::Config`]).
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// Time a client has to send a request's headers, counted from when the
    /// server starts waiting for it (so it also bounds idle keep-alive).
    pub header_timeout: Duration,
    /// Connections open at once; more wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting and waits for the connections' requests in flight to finish
/// (idle connections are closed at once). Callers that want a hard stop put
/// a deadline around this future.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            s = slots.clone().acquire_owned() => match s {
                Ok(s) => s,
                Err(_) => break,
            },
        };
        let (stream, _peer) = tokio::select! {
            _ = &mut shutdown => break,
            a = listener.accept() => match a {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors or a connection reset before
                    // accept: neither should end the server. Back off briefly
                    // so an EMFILE storm does not spin a core.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let conn = http.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A timed-out or reset connection is the client's business.
            if let Err(e) = conn.await {
                tracing::debug!("connection ended: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
