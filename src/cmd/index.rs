//! `csirt index`: rebuild the search index from the store.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use csirt_index::Entry;
use csirt_parse::Record;
use csirt_store::{Store, TeamDocument};

/// Rebuild the search index from the latest stored version of every team's
/// document.
///
/// `csirt crawl` does this at the end of every crawl; run it by hand after
/// changing the staleness threshold or upgrading csirt. Searches running
/// meanwhile see the old index until the new one is committed.
///
/// Examples:
///   csirt index
///   csirt index --data /var/lib/csirt --stale-after 730
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The data directory.
    #[arg(long, value_name = "DIR", env = "CSIRT_DATA", default_value = "index")]
    data: PathBuf,

    /// A document whose last update is older than this many days is stale.
    #[arg(long, value_name = "DAYS", default_value_t = STALE_AFTER_DAYS)]
    stale_after: i64,
}

/// Runs the subcommand.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let today = chrono::Local::now().date_naive();
    let n = rebuild(&args.data, today, args.stale_after)?;
    println!("indexed {n} teams in {}", search_dir(&args.data).display());
    Ok(ExitCode::SUCCESS)
}

/// Where the search index lives in a data directory.
pub fn search_dir(data: &Path) -> PathBuf {
    data.join("search")
}

/// Rebuilds the search index of `data` from its store; returns the number of
/// teams indexed.
pub fn rebuild(data: &Path, today: NaiveDate, stale_after_days: i64) -> anyhow::Result<usize> {
    let store = Store::open(data)
        .with_context(|| format!("cannot open the data directory {}", data.display()))?;
    let docs = store.team_documents().context("cannot read the store")?;
    // A rebuild is the cure for an index of another version's schema.
    let index = csirt_index::Index::open_or_replace(&search_dir(data))
        .context("cannot open the search index")?;
    let entries = best_per_team(docs)
        .into_iter()
        .map(|(d, r)| entry(&d, r.as_ref(), today, stale_after_days))
        .collect::<Vec<_>>();
    Ok(index.rebuild(entries)?)
}

/// The staleness threshold a crawl indexes with (`csirt index
/// --stale-after` chooses another).
const STALE_AFTER_DAYS: i64 = 365;

/// A crawl's changes to the search index become visible once nothing new
/// came for this long (between host turns), so a long crawl publishes as it
/// goes and leaves its last commit little to write: most team texts arrive a
/// turn or more before the crawl ends.
const PUBLISH_IDLE: Duration = Duration::from_millis(250);

/// ... and at least this often while changes keep coming.
const PUBLISH_EVERY: Duration = Duration::from_secs(10);

/// What the indexing thread does next.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Nothing waits to be published: wait for the crawl, however long.
    Receive,
    /// Wait at most this long for the crawl, then publish.
    ReceiveFor(Duration),
    /// Publish now, though more may be queued: changes have waited
    /// [`PUBLISH_EVERY`].
    Publish,
}

/// The next step when the oldest unpublished change is `waiting` old.
fn next_step(waiting: Option<Duration>) -> Step {
    match waiting {
        None => Step::Receive,
        Some(w) if w >= PUBLISH_EVERY => Step::Publish,
        Some(w) => Step::ReceiveFor(PUBLISH_IDLE.min(PUBLISH_EVERY - w)),
    }
}

/// Updates the search index team by team while a crawl runs, publishing
/// as it goes (see [`PUBLISH_IDLE`]); whatever is left is committed at the
/// end.
pub struct Incremental {
    sender: Option<Sender<Msg>>,
    thread: std::thread::JoinHandle<anyhow::Result<()>>,
}

type Sender<T> = std::sync::mpsc::Sender<T>;

/// What the crawl tells the indexing thread.
enum Msg {
    /// The document of a team with one document, just parsed: indexed at
    /// once, its outcome follows when the team is done.
    Text(csirt_index::Document),
    /// A team the crawl finished, with the documents it checked.
    Done {
        team_id: i64,
        checked: Vec<csirt_crawl::Checked>,
    },
}

/// The crawl's [`csirt_crawl::Observer`]: builds each new record's index
/// document as soon as it is parsed and hands it to the indexing thread
/// then, a host turn or more before the team is done; when it is, only the
/// outcome is left to index.
pub struct Follower {
    sender: Sender<Msg>,
    today: NaiveDate,
}

impl csirt_crawl::Observer for Follower {
    fn parsed(
        &self,
        team_id: i64,
        seed: &csirt_crawl::TeamSeed,
        url: &csirt_crawl::Url,
        record: &Record,
        record_json: &str,
    ) {
        // A team with several documents is indexed by the best of them,
        // known only once all are checked, from the store.
        if seed.documents.len() > 1 {
            return;
        }
        let e = Entry {
            team_id: team_id as u64,
            name: seed.name.clone(),
            country: seed.country.clone().unwrap_or_default(),
            url: url.to_string(),
            record: record_json.to_string(),
            stale: true,
            ..Entry::default()
        };
        let d =
            csirt_index::Document::new(with_record(e, Some(record), self.today, STALE_AFTER_DAYS));
        let _ = self.sender.send(Msg::Text(d));
    }

    fn team_done(&self, team_id: i64, checked: Vec<csirt_crawl::Checked>) {
        let _ = self.sender.send(Msg::Done { team_id, checked });
    }
}

impl Incremental {
    /// Starts the indexing thread; returns it and the crawl's observer.
    pub fn start(data: &Path, today: NaiveDate) -> (Incremental, Follower) {
        let (tx, rx) = std::sync::mpsc::channel::<Msg>();
        let data = data.to_path_buf();
        let thread = std::thread::spawn(move || -> anyhow::Result<()> {
            let store = Store::open(&data).context("cannot open the store for indexing")?;
            let index = match csirt_index::Index::open(&search_dir(&data)) {
                // Built by another version, or damaged: rebuild everything
                // first, so the teams this crawl does not touch are
                // searchable too.
                Err(e @ (csirt_index::Error::Outdated(_) | csirt_index::Error::Damaged(..))) => {
                    tracing::info!("rebuilding the search index: {e}");
                    rebuild(&data, today, STALE_AFTER_DAYS)?;
                    csirt_index::Index::open(&search_dir(&data))
                }
                other => other,
            }
            .context("cannot open the search index")?;
            let mut updater = index
                .trickle_updater()
                .context("cannot write to the search index")?;
            // When the oldest change not yet visible to searches was made.
            let mut unpublished: Option<Instant> = None;
            loop {
                let received = match next_step(unpublished.map(|t| t.elapsed())) {
                    Step::Receive => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    Step::ReceiveFor(wait) => rx.recv_timeout(wait),
                    Step::Publish => Err(RecvTimeoutError::Timeout),
                };
                let msg = match received {
                    Ok(m) => m,
                    Err(RecvTimeoutError::Timeout) => {
                        let t = Instant::now();
                        updater.commit()?;
                        tracing::debug!(took = ?t.elapsed(), "index committed");
                        unpublished = None;
                        continue;
                    }
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                unpublished.get_or_insert_with(Instant::now);
                let (team_id, checked) = match msg {
                    Msg::Text(d) => {
                        updater.add_text(d)?;
                        continue;
                    }
                    Msg::Done { team_id, checked } => (team_id, checked),
                };
                // The usual case, one document and checked just now: its
                // text went in when it was parsed, the outcome is all it
                // lacks.
                if let [c] = &checked[..] {
                    if store.document_count(team_id)? == 1 {
                        updater.set_outcome(team_id as u64, &c.outcome)?;
                        continue;
                    }
                }
                // Otherwise the store ranks the team's documents; this also
                // replaces a text indexed early whose check did not finish.
                for (d, r) in best_per_team(store.documents_of(team_id)?) {
                    updater.upsert(entry(&d, r.as_ref(), today, STALE_AFTER_DAYS))?;
                }
            }
            // Closing the last connection checkpoints the database's log:
            // beside the commit, not after it (5-10 ms on the crawl bench).
            let closing = std::thread::spawn(move || drop(store));
            let t = Instant::now();
            updater.finish()?;
            tracing::debug!(took = ?t.elapsed(), "index committed at the end");
            let _ = closing.join();
            Ok(())
        });
        (
            Incremental {
                sender: Some(tx.clone()),
                thread,
            },
            Follower { sender: tx, today },
        )
    }

    /// Waits for the last entries and commits them. The crawl's
    /// [`Follower`] must be dropped first: the thread ends when no one can
    /// send it teams any more.
    pub fn finish(mut self) -> anyhow::Result<()> {
        drop(self.sender.take());
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the indexing thread panicked"))?
    }
}

/// One document per team: a validly signed one first, then the most
/// recently updated.
fn best_per_team(docs: Vec<TeamDocument>) -> Vec<(TeamDocument, Option<Record>)> {
    let mut best: Vec<(TeamDocument, Option<Record>)> = Vec::new();
    for d in docs {
        let rec: Option<Record> = d
            .record
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        let rank = |d: &TeamDocument, r: &Option<Record>| {
            let valid = matches!(
                d.outcome.as_deref(),
                Some("valid" | "valid-key-expired-since")
            );
            let updated = r
                .as_ref()
                .and_then(|r| r.document.last_update.clone())
                .unwrap_or_default();
            (valid, updated)
        };
        match best.iter_mut().find(|(b, _)| b.team_id == d.team_id) {
            Some(slot) => {
                if rank(&d, &rec) > rank(&slot.0, &slot.1) {
                    *slot = (d, rec);
                }
            }
            None => best.push((d, rec)),
        }
    }
    best
}

fn entry(d: &TeamDocument, r: Option<&Record>, today: NaiveDate, stale_after_days: i64) -> Entry {
    let e = Entry {
        team_id: d.team_id as u64,
        name: d.team.clone(),
        country: d.country.clone().unwrap_or_default(),
        outcome: d.outcome.clone().unwrap_or_else(|| "unsigned".into()),
        url: d.version.url.clone(),
        record: d.record.clone().unwrap_or_default(),
        stale: true,
        ..Entry::default()
    };
    with_record(e, r, today, stale_after_days)
}

/// `e` with the fields its team's record gives.
fn with_record(mut e: Entry, r: Option<&Record>, today: NaiveDate, stale_after_days: i64) -> Entry {
    let Some(r) = r else { return e };
    if let Some(n) = &r.team.name {
        if !n.eq_ignore_ascii_case(&e.name) {
            e.aliases.push(n.clone());
        }
    }
    e.short_name = r.team.short_name.clone().unwrap_or_default();
    let opt = |s: &Option<String>| s.clone().unwrap_or_default();
    e.constituency = opt(&r.charter.constituency);
    e.mission = opt(&r.charter.mission);
    e.sponsor = opt(&r.charter.sponsorship);
    e.authority = opt(&r.charter.authority);
    e.services = [&r.services.incident_response, &r.services.proactive]
        .into_iter()
        .flatten()
        .map(|t| format!("{} {}", t.text, t.items.join(" ")))
        .collect::<Vec<_>>()
        .join("\n");
    e.emails = r.contact.emails.clone();
    e.phones = r
        .contact
        .phones
        .iter()
        .chain(&r.contact.fax)
        .cloned()
        .collect();
    e.keys = r
        .keys
        .iter()
        .flat_map(|k| [k.fingerprint.clone(), k.key_id.clone()])
        .flatten()
        .collect();
    e.lang = opt(&r.language);
    e.text = r
        .sections
        .iter()
        .map(|s| format!("{}\n{}", s.title, s.text))
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(day) = r
        .document
        .last_update
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    {
        e.updated = day.format("%Y%m%d").to_string().parse().unwrap_or(0);
        e.stale = (today - day).num_days() > stale_after_days;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_published_when_the_crawl_pauses_and_at_least_every_ten_seconds() {
        assert_eq!(next_step(None), Step::Receive);
        assert_eq!(
            next_step(Some(Duration::ZERO)),
            Step::ReceiveFor(PUBLISH_IDLE)
        );
        // Near the bound, the wait shrinks to what is left of it.
        assert_eq!(
            next_step(Some(PUBLISH_EVERY - Duration::from_millis(100))),
            Step::ReceiveFor(Duration::from_millis(100))
        );
        // Regression: a crawl that keeps the queue full must still publish.
        // Waiting 0 ms while messages were queued received them one after
        // another and never committed.
        assert_eq!(next_step(Some(PUBLISH_EVERY)), Step::Publish);
        assert_eq!(next_step(Some(PUBLISH_EVERY * 3)), Step::Publish);
    }
}
