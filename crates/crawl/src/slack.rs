//! Threads for work with time to spare, at a lower CPU priority.
//!
//! A document is parsed, and its keys are read and their self-signatures
//! checked, a host turn (a second or more) before anything waits for them.
//! On a busy machine that work competes for the cores with the tasks that
//! send requests, and every millisecond a task wakes late is a millisecond
//! added to that host's politeness waits, turn after turn. On threads of
//! their own with a lower priority (nice +10 on Unix), the parses take the
//! cores the network tasks leave over. The check of the signature, the
//! crawl's last step, runs here too: in the last host turn it would
//! otherwise delay the last requests, and it catches up once they are out.
//! The store's writer thread lowers itself the same way.

use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send>;

/// How much lower the threads' priority is (Unix nice value).
const NICENESS: i32 = 10;

/// A fixed set of low-priority threads fed from one queue; they end when
/// the pool is dropped and the queue is empty.
pub(crate) struct Slack {
    jobs: crossbeam_channel::Sender<Job>,
    _threads: Vec<JoinHandle<()>>,
}

impl Slack {
    /// Starts `n` threads (at least one).
    pub(crate) fn start(n: usize) -> Slack {
        let (jobs, rx) = crossbeam_channel::unbounded::<Job>();
        let threads = (0..n.max(1))
            .map(|i| {
                let rx = rx.clone();
                std::thread::Builder::new()
                    .name(format!("csirt-slack-{i}"))
                    .spawn(move || {
                        lower_priority();
                        for job in rx {
                            job();
                        }
                    })
                    .expect("a thread can be started")
            })
            .collect();
        Slack {
            jobs,
            _threads: threads,
        }
    }

    /// Runs `f` on one of the threads; a panic in `f` resumes in the
    /// caller, as with `tokio::task::spawn_blocking`.
    pub(crate) async fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        });
        // The threads outlive this handle; were they gone, the job runs here.
        if let Err(crossbeam_channel::SendError(job)) = self.jobs.send(job) {
            job();
        }
        match rx.await {
            Ok(Ok(v)) => v,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => unreachable!("a job always answers"),
        }
    }
}

/// Lowers the calling thread's priority; Linux keeps a nice value per
/// thread. Failing to is harmless: the work runs at normal priority.
pub(crate) fn lower_priority() {
    #[cfg(unix)]
    if let Err(e) = rustix::process::getpriority_process(None)
        .and_then(|now| rustix::process::setpriority_process(None, (now + NICENESS).min(19)))
    {
        tracing::debug!("cannot lower a low-priority thread's priority: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[tokio::test]
    async fn jobs_run_at_a_lower_priority_than_their_caller() {
        let pool = Slack::start(1);
        let caller = rustix::process::getpriority_process(None).unwrap();
        let job = pool
            .run(|| rustix::process::getpriority_process(None).unwrap())
            .await;
        assert_eq!(job, (caller + NICENESS).min(19));
    }

    #[tokio::test]
    async fn a_panic_in_a_job_reaches_its_caller_and_the_threads_go_on() {
        let pool = std::sync::Arc::new(Slack::start(1));
        let p = pool.clone();
        let panicked = tokio::spawn(async move { p.run(|| panic!("a bug in a job")).await }).await;
        assert!(panicked.unwrap_err().is_panic());
        assert_eq!(pool.run(|| 6 * 7).await, 42);
    }
}
