//! Everything the team, report and feed endpoints answer from, built once
//! per crawl rather than once per request.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate, Utc};
use csirt_report::{Options, Report, StaleAfter, Subject};
use csirt_store::{CrawlRow, Outcome, Role, Store};

/// The directory's state as of the latest crawl.
#[derive(Debug)]
pub struct Snapshot {
    /// When it was built.
    pub built: DateTime<Utc>,
    /// The latest crawl when it was built.
    pub last_crawl: Option<CrawlRow>,
    /// One subject per team document.
    pub subjects: Vec<Subject>,
    /// Changes, newest first.
    pub feed: Vec<FeedEntry>,
    /// Reports judged on a day with a threshold, the latest few: staleness
    /// depends on both, so a report is made when asked for, once per day
    /// and threshold.
    reports: Mutex<Vec<(Judged, Arc<Report>)>>,
}

/// The day and threshold a report was judged with.
type Judged = (NaiveDate, StaleAfter);

/// Reports kept per snapshot (days and thresholds asked for).
const REPORTS_KEPT: usize = 8;

/// One change in the directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// A stable id (`urn:csirt:...`).
    pub id: String,
    /// When it happened (the version's first fetch).
    pub updated: DateTime<Utc>,
    /// One line.
    pub title: String,
    /// The document.
    pub url: String,
    /// The team.
    pub team_id: i64,
}

/// Changes kept in the feed.
const FEED_LEN: usize = 200;

impl Snapshot {
    /// Reads the store.
    pub fn build(store: &Store) -> csirt_store::Result<Snapshot> {
        let last_crawl = store.crawls(1)?.into_iter().next();
        let gathered = csirt_report::gather(store, None)?;
        let feed = feed(store)?;
        Ok(Snapshot {
            built: Utc::now(),
            last_crawl,
            subjects: gathered.subjects,
            feed,
            reports: Mutex::new(Vec::new()),
        })
    }

    /// Every team's state and every finding, judged on `day` (now, when it
    /// is today) with the staleness threshold `stale_after`.
    pub fn report(&self, day: NaiveDate, stale_after: StaleAfter) -> Arc<Report> {
        let key = (day, stale_after);
        let mut reports = self.reports.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, r)) = reports.iter().find(|(k, _)| *k == key) {
            return r.clone();
        }
        let r = Arc::new(Report::build(
            &self.subjects,
            &report_options(day, stale_after),
            |_| true,
        ));
        if reports.len() >= REPORTS_KEPT {
            reports.remove(0);
        }
        reports.push((key, r.clone()));
        r
    }
}

/// How a report judged on `day` is made: as of now when `day` is
/// today, else as of that day's start.
pub(crate) fn report_options(day: NaiveDate, stale_after: StaleAfter) -> Options {
    let now = Utc::now();
    let at = if day == now.date_naive() {
        now
    } else {
        day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
    };
    let mut options = Options::at(at);
    options.stale_after = stale_after;
    options
}

/// New teams, new versions and changed signature outcomes, from every
/// version the store holds.
fn feed(store: &Store) -> csirt_store::Result<Vec<FeedEntry>> {
    let mut entries = Vec::new();
    for team in store.teams()? {
        let mut first_of_team = true;
        let mut docs = Vec::new();
        for u in store.urls_of(team.id)? {
            if u.role == Role::Document {
                docs.push((u.url.clone(), store.history(u.id)?));
            }
        }
        // The team's very first version is "new team"; later ones per URL.
        let mut all: Vec<(String, csirt_store::VersionRow, Option<Outcome>)> = Vec::new();
        for (url, history) in docs {
            let mut previous_outcome = None;
            for v in history.into_iter().rev() {
                let prev = previous_outcome;
                previous_outcome = v.outcome.or(previous_outcome);
                all.push((url.clone(), v, prev));
            }
        }
        all.sort_by(|a, b| a.1.first_seen.cmp(&b.1.first_seen));
        for (url, v, prev) in all {
            let Some(at) = parse(&v.first_seen) else {
                continue;
            };
            let (id, title) = if first_of_team {
                first_of_team = false;
                (
                    format!("urn:csirt:team:{}", team.id),
                    format!("New team: {}", team.name),
                )
            } else {
                (
                    format!("urn:csirt:version:{}", v.id),
                    format!("New version of {}'s document", team.name),
                )
            };
            entries.push(FeedEntry {
                id,
                updated: at,
                title,
                url: url.clone(),
                team_id: team.id,
            });
            if let (Some(before), Some(now)) = (prev, v.outcome) {
                if before != now {
                    entries.push(FeedEntry {
                        id: format!("urn:csirt:outcome:{}", v.id),
                        updated: at,
                        title: format!(
                            "Signature outcome of {} changed: {before} to {now}",
                            team.name
                        ),
                        url: url.clone(),
                        team_id: team.id,
                    });
                }
            }
        }
    }
    entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    entries.truncate(FEED_LEN);
    Ok(entries)
}

fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
