//! Subjects from the store: every team's documents with their results and
//! fetch history.

use chrono::{DateTime, Utc};
use csirt_store::{Role, Store, VersionRow};

use crate::{CrawlFacts, Subject};

/// What [`gather`] read.
#[derive(Debug, Clone)]
pub struct Gathered {
    /// One subject per document URL of every team.
    pub subjects: Vec<Subject>,
    /// Changes are counted from this time (the start of the latest crawl,
    /// or the caller's `since`).
    pub since: Option<DateTime<Utc>>,
    /// Rows whose stored JSON could not be read back (a newer csirt wrote
    /// them, or they are damaged); they are reported as not checked.
    pub unreadable: usize,
}

/// Reads every team's documents from `store`. Changes (`new-team`,
/// `new-version`, `outcome-changed`) are those after `since`, or after the
/// start of the latest crawl when `since` is none.
pub fn gather(store: &Store, since: Option<DateTime<Utc>>) -> csirt_store::Result<Gathered> {
    let since = match since {
        Some(s) => Some(s),
        None => store
            .crawls(1)?
            .first()
            .and_then(|c| parse_time(&c.started)),
    };
    let mut g = Gathered {
        subjects: Vec::new(),
        since,
        unreadable: 0,
    };
    for team in store.teams()? {
        let mut subjects = Vec::new();
        let mut team_first_seen: Option<DateTime<Utc>> = None;
        for u in store.urls_of(team.id)? {
            if u.role != Role::Document || u.last_fetch.is_none() {
                continue;
            }
            let history = store.history(u.id)?;
            if let Some(oldest) = history.last().and_then(|v| parse_time(&v.first_seen)) {
                team_first_seen = Some(team_first_seen.map_or(oldest, |t| t.min(oldest)));
            }
            let pos = u
                .current_version
                .and_then(|id| history.iter().position(|v| v.id == id));
            let current = pos.map(|i| &history[i]);
            let previous = pos.and_then(|i| history.get(i + 1));
            let last = u.last_fetch.as_ref();
            let failing = u.failing_since.as_ref().map(|since| {
                let why = last
                    .and_then(|f| f.error.clone())
                    .unwrap_or_else(|| "failed".into());
                (since.clone(), why)
            });
            let first_seen = current.and_then(|v| parse_time(&v.first_seen));
            let crawl = CrawlFacts {
                failing,
                never_fetched: current.is_none(),
                first_seen,
                last_modified_now: last
                    .and_then(|f| f.last_modified.as_deref())
                    .and_then(parse_http_date),
                last_modified_first: current
                    .and_then(|v| v.first_last_modified.as_deref())
                    .and_then(parse_http_date),
                previous_last_modified: previous
                    .and_then(|v| v.last_last_modified.as_deref())
                    .and_then(parse_http_date),
                previous_outcome: previous.and_then(|v| v.outcome),
                has_previous: previous.is_some(),
                changed_recently: match (first_seen, since) {
                    (Some(f), Some(s)) => f >= s,
                    _ => false,
                },
                new_team: false,
            };
            let (record, verification) = match current {
                Some(v) => read(v, &mut g.unreadable),
                None => (None, None),
            };
            subjects.push(Subject {
                team_id: Some(team.id),
                team: team.name.clone(),
                country: team.country.clone(),
                fetched_over_http: u.url.starts_with("http://") || u.url.starts_with("https://"),
                url: u.url,
                record,
                verification,
                crawl: Some(crawl),
                listing: team.listing.clone(),
                discovery: None,
            });
        }
        // A team the seed list gives no document URL: what discovery found
        // on its site, and nothing else to judge when it found nothing.
        let discovery: Option<csirt_crawl::discover::Discovery> = team
            .discovery
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        if let Some(facts) = discovery {
            match subjects.first_mut() {
                Some(s) => s.discovery = Some(facts),
                None => subjects.push(Subject {
                    team_id: Some(team.id),
                    team: team.name.clone(),
                    country: team.country.clone(),
                    url: facts.site.clone(),
                    listing: team.listing.clone(),
                    discovery: Some(facts),
                    ..Subject::default()
                }),
            }
        }
        let new_team = match (team_first_seen, since) {
            (Some(f), Some(s)) => f >= s,
            _ => false,
        };
        // One `new-team` per team, on its first document.
        if let Some(c) = subjects.first_mut().and_then(|s| s.crawl.as_mut()) {
            c.new_team = new_team;
        }
        g.subjects.extend(subjects);
    }
    Ok(g)
}

fn read(
    v: &VersionRow,
    unreadable: &mut usize,
) -> (
    Option<csirt_parse::Record>,
    Option<csirt_check::Verification>,
) {
    (
        from_json(v.record.as_deref(), unreadable),
        from_json(v.verification.as_deref(), unreadable),
    )
}

fn from_json<T: serde::de::DeserializeOwned>(
    json: Option<&str>,
    unreadable: &mut usize,
) -> Option<T> {
    let parsed = serde_json::from_str(json?);
    if parsed.is_err() {
        *unreadable += 1;
    }
    parsed.ok()
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// An HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`).
fn parse_http_date(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        let t = parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(t.to_rfc3339(), "2015-10-21T07:28:00+00:00");
        assert!(parse_http_date("yesterday").is_none());
    }
}
