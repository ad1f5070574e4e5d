//! The store's writer: one thread owns the [`Store`] and runs the crawl's
//! store calls in the order they arrive, committing whatever queued up
//! meanwhile as one batch.
//!
//! Why not a lock around the store and the blocking pool: with hundreds of
//! hosts answering within the same few milliseconds, hundreds of pool
//! threads queued on the lock, each call paid its own commit, and the crawl
//! spent more time handing the lock around than writing. One thread and one
//! commit per batch keep the writes in order and cheap.

use std::sync::mpsc;

use csirt_store::{Error, Store};
use tokio::sync::oneshot;

/// A store call: runs inside a batch, returns how to tell its caller once
/// the batch is committed (or not).
type Job = Box<dyn FnOnce(&mut Store) -> Deliver + Send>;
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;

/// Most calls in one commit: a bound on how long the first caller of a
/// batch waits for the last.
const MAX_BATCH: usize = 256;

/// A handle for queueing store calls; the thread stops when every handle
/// is dropped, after the last batch.
#[derive(Clone)]
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer thread; [`Writer::call`] queues work for it.
    pub(crate) fn start(store: Store) -> (Writer, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("csirt-store".into())
            .spawn(move || run(store, rx))
            .expect("a thread can be started");
        (Writer { jobs: tx }, thread)
    }

    /// Runs `f` on the store; its result arrives once its writes are
    /// committed.
    pub(crate) async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, Error> + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            let out = f(store);
            Box::new(move |not_committed: Option<&str>| {
                let out = match (out, not_committed) {
                    (Ok(_), Some(why)) => Err(Error::NotCommitted(why.to_string())),
                    (out, _) => out,
                };
                let _ = tx.send(out);
            })
        });
        self.jobs.send(job).map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

fn stopped() -> Error {
    Error::NotCommitted("the store's writer thread stopped".into())
}

fn run(mut store: Store, rx: mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let mut delivers = Vec::with_capacity(jobs.len());
        // If the batch cannot even begin, the jobs are dropped unrun and
        // their callers hear that the writer stopped.
        let committed = store.batch(|s| {
            for j in jobs {
                // A call that panics has its savepoint rolled back as it
                // unwinds; its caller hears that the writer stopped (its
                // reply is dropped) and the batch goes on.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| j(s))) {
                    Ok(d) => delivers.push(d),
                    Err(_) => tracing::error!("store: a call panicked; its writes are undone"),
                }
            }
        });
        let why = committed.err().map(|e| {
            tracing::error!("store: a batch of writes was not committed: {e}");
            e.to_string()
        });
        for d in delivers {
            d(why.as_deref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use csirt_store::{Fetch, Role};

    #[tokio::test]
    async fn failed_and_panicking_calls_leave_the_others_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (w, thread) = Writer::start(Store::open(dir.path()).unwrap());
        let team = w.call(|s| s.upsert_team("T", None, None)).await.unwrap();
        let url = w
            .call(move |s| s.url("https://t.example/doc", team, Role::Document))
            .await
            .unwrap();
        // Queued together, so very likely in one batch.
        let (good, bad, panicked) = tokio::join!(
            w.call(move |s| s.record_fetch(&Fetch::ok(url, 200, b"v1".to_vec()))),
            w.call(move |s| s.record_fetch(&Fetch::ok(url + 1000, 200, b"v2".to_vec()))),
            w.call(|_| -> Result<(), Error> { panic!("a bug in a store call") }),
        );
        assert!(good.unwrap().new_version);
        assert!(matches!(bad, Err(Error::Db { .. })), "{bad:?}");
        assert!(
            matches!(panicked, Err(Error::NotCommitted(_))),
            "{panicked:?}"
        );
        // The writer goes on after a panic.
        assert_eq!(w.call(|s| s.count("versions")).await.unwrap(), 1);
        drop(w);
        thread.join().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.count("fetches").unwrap(), 1);
    }
}
