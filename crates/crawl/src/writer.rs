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
use std::time::{Duration, Instant};

use csirt_store::{Error, Store};
use tokio::sync::oneshot;

/// A store call: runs inside a batch (given the store), or not at all when
/// the batch cannot begin (given `None`); returns how to tell its caller
/// once the batch is committed (or not).
type Job = Box<dyn FnOnce(Option<&mut Store>) -> Deliver + Send>;
type Deliver = Box<dyn FnOnce(Option<&str>) + Send>;

/// Most calls in one commit: a bound on how long the first caller of a
/// batch waits for the last.
const MAX_BATCH: usize = 256;

/// How long the writer waits for a call before it checkpoints what it
/// committed: longer than the gaps between calls within a host turn.
const IDLE: Duration = Duration::from_millis(50);

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
            let out = store.map(f);
            Box::new(move |not_committed: Option<&str>| {
                let out = match (out, not_committed) {
                    (Some(Err(e)), _) => Err(e),
                    (Some(Ok(v)), None) => Ok(v),
                    (_, Some(why)) => Err(Error::NotCommitted(why.to_string())),
                    (None, None) => Err(Error::Abandoned),
                };
                let _ = tx.send(out);
            })
        });
        self.jobs.send(job).map_err(|_| Error::Abandoned)?;
        rx.await.map_err(|_| Error::Abandoned)?
    }
}

fn run(mut store: Store, rx: mpsc::Receiver<Job>) {
    // Commits not checkpointed yet.
    let mut dirty = false;
    loop {
        let first = match rx.recv_timeout(IDLE) {
            Ok(j) => j,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                if dirty {
                    checkpoint(&store);
                    dirty = false;
                }
                match rx.recv() {
                    Ok(j) => j,
                    Err(_) => break,
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        let (calls, began) = (jobs.len(), Instant::now());
        let mut delivers = Vec::with_capacity(jobs.len());
        let mut jobs = Some(jobs);
        let committed = store.batch(|s| {
            for j in jobs.take().into_iter().flatten() {
                // A call that panics has its savepoint rolled back as it
                // unwinds; its caller hears that the call was abandoned (its
                // reply is dropped) and the batch goes on.
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| j(Some(s)))) {
                    Ok(d) => delivers.push(d),
                    Err(_) => tracing::error!("store: a call panicked; its writes are undone"),
                }
            }
        });
        // A batch that could not begin ran none of its calls: their callers
        // hear why, and the next batch tries again.
        delivers.extend(jobs.into_iter().flatten().map(|j| j(None)));
        let why = committed.err().map(|e| {
            tracing::error!("store: a batch of writes was not committed: {e}");
            e.to_string()
        });
        tracing::debug!(calls, took = ?began.elapsed(), "store batch");
        dirty |= why.is_none();
        for d in delivers {
            d(why.as_deref());
        }
    }
}

fn checkpoint(store: &Store) {
    let began = Instant::now();
    match store.checkpoint() {
        Ok(c) => {
            // Fewer copied than logged: a reader held part of the log.
            tracing::debug!(
                copied = c.copied_frames,
                log = c.log_frames,
                took = ?began.elapsed(),
                "store checkpoint"
            )
        }
        // The log keeps what it holds; SQLite's own checkpoints go on.
        Err(e) => tracing::warn!("store: checkpoint failed: {e}"),
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
        assert!(matches!(panicked, Err(Error::Abandoned)), "{panicked:?}");
        // The writer goes on after a panic.
        assert_eq!(w.call(|s| s.count("versions")).await.unwrap(), 1);
        drop(w);
        thread.join().unwrap();
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.count("fetches").unwrap(), 1);
    }

    #[tokio::test]
    async fn the_log_is_copied_into_the_database_once_calls_pause() {
        let dir = tempfile::tempdir().unwrap();
        let (w, thread) = Writer::start(Store::open(dir.path()).unwrap());
        let db = dir.path().join("csirt.db");
        let before = std::fs::metadata(&db).unwrap().len();
        let team = w.call(|s| s.upsert_team("T", None, None)).await.unwrap();
        let url = w
            .call(move |s| s.url("https://t.example/doc", team, Role::Document))
            .await
            .unwrap();
        // Far below SQLite's own checkpoint: without the writer's, these
        // pages would stay in the log.
        let v = w
            .call(move |s| s.record_fetch(&Fetch::ok(url, 200, b"v1".to_vec())))
            .await
            .unwrap()
            .version_id
            .unwrap();
        let record = format!("{{\"text\":\"{}\"}}", "x".repeat(64 * 1024));
        w.call(move |s| s.record_parse(v, &record)).await.unwrap();
        let copied = async {
            while std::fs::metadata(&db).unwrap().len() < before + 64 * 1024 {
                tokio::time::sleep(IDLE).await;
            }
        };
        tokio::time::timeout(Duration::from_secs(10), copied)
            .await
            .expect("the writer checkpoints when idle");
        drop(w);
        thread.join().unwrap();
    }

    #[tokio::test]
    async fn a_batch_that_cannot_begin_tells_its_callers_why_and_the_next_one_runs() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store
            .set_busy_timeout(std::time::Duration::from_millis(50))
            .unwrap();
        let (w, thread) = Writer::start(store);
        // Another process's write holds the database while the writer
        // tries to begin.
        let (held_tx, held_rx) = std::sync::mpsc::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let path = dir.path().to_path_buf();
        let other = std::thread::spawn(move || {
            let mut s = Store::open(&path).unwrap();
            s.batch(|_| {
                held_tx.send(()).unwrap();
                let _ = release_rx.recv();
            })
            .unwrap();
        });
        held_rx.recv().unwrap();
        let refused = w.call(|s| s.upsert_team("T", None, None)).await;
        match &refused {
            Err(Error::NotCommitted(why)) => assert!(why.contains("locked"), "{why}"),
            other => panic!("{other:?}"),
        }
        release_tx.send(()).unwrap();
        other.join().unwrap();
        w.call(|s| s.upsert_team("T", None, None)).await.unwrap();
        drop(w);
        thread.join().unwrap();
        assert_eq!(Store::open(dir.path()).unwrap().count("teams").unwrap(), 1);
    }
}
