//! The directory: which of a team's documents represents it, how a stored
//! document becomes a search entry, and a crawl followed by its index.
//!
//! The store keeps every version of every document; search shows one entry
//! per team. This crate is where the two meet, so that `csirt crawl`,
//! `csirt index`, the server's scheduled crawls and the report agree:
//!
//! - [`Standing`] ranks a team's documents (checked and validly signed
//!   first, then those that are RFC 2350 descriptions at all, then the most
//!   recently updated); [`representatives`] picks each team's best, and
//!   `csirt-report` ranks with it too;
//! - [`entry`] turns a stored document and its record into a
//!   [`csirt_index::Entry`];
//! - [`rebuild`] refills the index from the store in one commit;
//! - [`crawl`] runs a crawl and indexes each team as soon as the crawl is
//!   done with it; what it indexed becomes searchable every few seconds
//!   and at the end.
//!
//! What it is not: it fetches, parses and verifies nothing itself (the
//! crawler and `csirt-check` do), and prints nothing (the binary does).
//!
//! ```
//! use csirt_directory::Standing;
//! use csirt_verify::Outcome;
//!
//! let signed = Standing::of(Some(Outcome::Valid), None);
//! let unsigned = Standing::of(Some(Outcome::Unsigned), None);
//! let unchecked = Standing::of(None, None);
//! assert!(signed > unsigned && unsigned > unchecked);
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::cmp::Reverse;
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use csirt_crawl::{Config, Progress, Summary, TeamSeed};
use csirt_index::{Entry, Index};
use csirt_parse::Record;
use csirt_store::{Store, TeamDocument};
use csirt_verify::Outcome;

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The store could not be opened or read.
    #[error(transparent)]
    Store(#[from] csirt_store::Error),
    /// The search index could not be opened or written.
    #[error(transparent)]
    Index(#[from] csirt_index::Error),
    /// The crawl could not run.
    #[error(transparent)]
    Crawl(#[from] csirt_crawl::Error),
    /// The indexing thread stopped without saying why.
    #[error("the indexing thread stopped: {0}")]
    Indexer(String),
    /// A file given as RIR statistics is not one.
    #[error("{0}: {1}")]
    NotDelegations(String, csirt_index::lookup::NotDelegations),
}

/// Results.
pub type Result<T> = std::result::Result<T, Error>;

/// Where the search index lives in a data directory.
pub fn search_dir(data: &Path) -> PathBuf {
    data.join("search")
}

/// How well a document represents its team; greater is better.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Standing {
    /// Checked, and how good its outcome is (best first in
    /// [`Outcome::ALL`]); unchecked documents come last.
    outcome: Option<Reverse<usize>>,
    /// An RFC 2350 description at all, not a soft 404 or another page.
    is_description: bool,
    /// Its Date of Last Update.
    updated: Option<NaiveDate>,
}

impl Standing {
    /// The standing of a document with this outcome and record.
    pub fn of(outcome: Option<Outcome>, record: Option<&Record>) -> Standing {
        Standing {
            outcome: outcome
                .and_then(|o| Outcome::ALL.iter().position(|x| *x == o))
                .map(Reverse),
            is_description: record.is_some_and(|r| {
                !r.diagnostics
                    .iter()
                    .any(|d| d.code == csirt_parse::Code::NotRfc2350)
            }),
            updated: record.and_then(|r| r.document.last_update_date()),
        }
    }
}

/// Each team's representative document with its record (none when the
/// document was never checked, or its stored record cannot be read),
/// in the order of `docs`' first document per team.
pub fn representatives(docs: Vec<TeamDocument>) -> Vec<(TeamDocument, Option<Record>)> {
    let mut best: Vec<(TeamDocument, Option<Record>, Standing)> = Vec::new();
    let mut slot = std::collections::HashMap::new();
    for d in docs {
        let rec: Option<Record> = d
            .record
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok());
        let standing = Standing::of(d.outcome, rec.as_ref());
        match slot.get(&d.team_id) {
            Some(&i) => {
                let b: &mut (TeamDocument, Option<Record>, Standing) = &mut best[i];
                if standing > b.2 {
                    *b = (d, rec, standing);
                }
            }
            None => {
                slot.insert(d.team_id, best.len());
                best.push((d, rec, standing));
            }
        }
    }
    best.into_iter().map(|(d, r, _)| (d, r)).collect()
}

/// The most text of one document that goes into the index's full-text
/// field. RFC 2350 descriptions are a few kilobytes, the longest real ones
/// under 100 KB; a 10 MB text cost the indexer about 200 MB, for words no
/// one searches for.
pub const MAX_INDEXED_TEXT: usize = 1 << 20;

/// The sections' titles and texts, at most [`MAX_INDEXED_TEXT`] bytes.
fn indexed_text(r: &Record) -> String {
    let mut text = String::new();
    for s in &r.sections {
        if text.len() >= MAX_INDEXED_TEXT {
            break;
        }
        text.push_str(&s.title);
        text.push('\n');
        text.push_str(&s.text);
        text.push('\n');
    }
    text.truncate(csirt_parse::sections::floor_char_boundary(
        &text,
        MAX_INDEXED_TEXT,
    ));
    text
}

/// The search entry of a team's representative document.
pub fn entry(d: &TeamDocument, r: Option<&Record>) -> Entry {
    let mut e = Entry {
        team_id: d.team_id as u64,
        name: d.team.clone(),
        country: d.country.clone().unwrap_or_default(),
        outcome: d.outcome,
        url: d.version.url.clone(),
        record: d.record.clone().unwrap_or_default(),
        ..Entry::default()
    };
    let Some(r) = r else { return e };
    if let Some(n) = &r.team.name {
        if !n.eq_ignore_ascii_case(&e.name) {
            e.aliases.push(n.clone());
        }
    }
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    e.short_name = text(&r.team.short_name);
    e.constituency = text(&r.charter.constituency);
    e.mission = text(&r.charter.mission);
    e.sponsor = text(&r.charter.sponsorship);
    e.authority = text(&r.charter.authority);
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
    e.lang = text(&r.language);
    e.text = indexed_text(r);
    e.updated = r.document.last_update_date();
    e.scope = r.constituency.clone();
    e
}

/// What a team's listing in the public directories adds to its entry:
/// the constituency values its document does not state (the team's own
/// word comes first), its country and e-mail when the entry has none, and
/// which directories confirm the key that signed its document.
fn with_listing(
    mut e: Entry,
    listing: Option<&csirt_store::Listing>,
    signer: Option<&str>,
) -> Entry {
    let Some(l) = listing else { return e };
    let by: Vec<String> = l.from.iter().map(|p| p.directory.clone()).collect();
    let c = &l.constituency;
    for n in &c.networks {
        if let Some(net) = csirt_parse::extract::scope::parse_network(n) {
            e.scope
                .note_listed(csirt_parse::ScopeKind::Network, net.to_string(), &by);
        }
    }
    for d in &c.domains {
        e.scope
            .note_listed(csirt_parse::ScopeKind::Domain, d.to_ascii_lowercase(), &by);
    }
    for a in &c.asns {
        e.scope
            .note_listed(csirt_parse::ScopeKind::Asn, a.to_string(), &by);
    }
    for cc in c.countries.iter().chain(&l.country) {
        e.scope
            .note_listed(csirt_parse::ScopeKind::Country, cc.clone(), &by);
    }
    for t in &c.types {
        if let Some(s) = sector_of_type(t) {
            e.scope
                .note_listed(csirt_parse::ScopeKind::Sector, s.code().into(), &by);
        }
    }
    if e.country.is_empty() {
        e.country = l.country.clone().unwrap_or_default();
    }
    if e.emails.is_empty() {
        e.emails = l.emails.clone();
    }
    if e.short_name.is_empty() {
        e.short_name = l.short_name.clone().unwrap_or_default();
    }
    if let Some(fp) = signer {
        e.key_confirmed_by = l.key_confirmed_by(fp);
    }
    e
}

/// The sector of a directory's constituency type (the Trusted
/// Introducer's names: "Research & Education", "ISP Customer Base",
/// "Financial Sector", ...).
pub fn sector_of_type(t: &str) -> Option<csirt_parse::Sector> {
    use csirt_parse::Sector;
    let t = t.to_ascii_lowercase();
    Some(match t.as_str() {
        _ if t.contains("vendor") => Sector::Vendor,
        _ if t.contains("isp") || t.contains("service provider") => Sector::Isp,
        _ if t.contains("nren") || t.contains("research") || t.contains("education") => {
            Sector::ResearchEducation
        }
        _ if t.contains("internal") => Sector::Internal,
        _ => {
            return t
                .split(|c: char| !c.is_alphanumeric())
                .find_map(csirt_parse::extract::scope::sector_of_word)
        }
    })
}

/// The signer's fingerprint in a stored verification.
fn signer_of(verification: Option<&str>) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(verification?).ok()?;
    v.pointer("/signer/fingerprint")?.as_str().map(String::from)
}

/// A team the directories list whose document is not known (not found
/// yet, or none): searchable and found by lookups from its listing alone.
fn listed_only(team: &csirt_store::Team) -> Option<Entry> {
    let l = team.listing.as_ref()?;
    let e = Entry {
        team_id: team.id as u64,
        name: team.name.clone(),
        country: team.country.clone().unwrap_or_default(),
        url: l.website.clone().unwrap_or_default(),
        text: format!("{} {}", team.name, l.short_name.clone().unwrap_or_default()),
        ..Entry::default()
    };
    Some(with_listing(e, Some(l), None))
}

/// Every entry of one team: its representative document's, else its
/// listing's.
fn team_entries(store: &Store, team_id: i64) -> Result<Vec<Entry>> {
    let docs = store.documents_of(team_id)?;
    if !docs.is_empty() {
        return Ok(entries_of(docs).collect());
    }
    Ok(store
        .team(team_id)?
        .as_ref()
        .and_then(listed_only)
        .into_iter()
        .collect())
}

/// The entries of every team in `store`.
fn entries_of(docs: Vec<TeamDocument>) -> impl Iterator<Item = Entry> {
    representatives(docs).into_iter().map(|(d, r)| {
        let signer = signer_of(d.verification.as_deref());
        with_listing(entry(&d, r.as_ref()), d.listing.as_ref(), signer.as_deref())
    })
}

/// Rebuilds the search index of the data directory `data` from its store,
/// in one commit (searches see the old index until then); returns the
/// number of teams indexed. An index of another version's schema, or a
/// damaged one, is replaced.
pub fn rebuild(data: &Path) -> Result<usize> {
    let store = Store::open(data)?;
    rebuild_from(&store, data)
}

fn rebuild_from(store: &Store, data: &Path) -> Result<usize> {
    let index = Index::open_or_replace(&search_dir(data))?;
    let docs = store.team_documents()?;
    let with_docs: std::collections::HashSet<i64> = docs.iter().map(|d| d.team_id).collect();
    let listed: Vec<Entry> = store
        .teams()?
        .iter()
        .filter(|t| !with_docs.contains(&t.id))
        .filter_map(listed_only)
        .collect();
    Ok(index.rebuild(entries_of(docs).chain(listed))?)
}

/// Imports one RIR's "delegated-extended" statistics file (`name` says
/// which, for messages), replacing what that registry's earlier file gave;
/// returns the registry and how many delegated blocks it holds. A file
/// that is not one is refused whole, with the line at fault.
pub fn import_delegations(data: &Path, name: &str, text: &str) -> Result<Vec<(String, usize)>> {
    let rows = csirt_index::lookup::parse_delegations(text)
        .map_err(|e| Error::NotDelegations(name.to_string(), e))?;
    let mut store = Store::open(data)?;
    let mut registries: Vec<String> = rows.iter().map(|r| r.registry.clone()).collect();
    registries.sort();
    registries.dedup();
    let mut out = Vec::new();
    for reg in registries {
        let of_reg: Vec<csirt_store::Delegation> = rows
            .iter()
            .filter(|r| r.registry == reg)
            .map(|r| csirt_store::Delegation {
                kind: r.kind.clone(),
                start: r.start.clone(),
                value: r.value,
                cc: r.cc.clone(),
            })
            .collect();
        let n = store.replace_delegations(&reg, &of_reg)?;
        out.push((reg, n));
    }
    Ok(out)
}

/// The delegations imported into `data`'s store (none when there is no
/// store yet): where a lookup finds the country of an address no team
/// states.
pub fn delegations(data: &Path) -> Result<csirt_index::lookup::Delegations> {
    if !data.join("csirt.db").is_file() {
        return Ok(Default::default());
    }
    let rows = Store::open(data)?.delegations()?;
    Ok(csirt_index::lookup::Delegations::from_rows(
        rows.iter()
            .map(|r| (r.kind.as_str(), r.start.as_str(), r.value, r.cc.as_str())),
    ))
}

/// What [`crawl`] did: the crawl's summary, and whether the search index
/// followed it. A failed index update does not undo the crawl, which is
/// stored; [`rebuild`] cures it.
#[derive(Debug)]
pub struct Crawled {
    /// The crawl's summary.
    pub summary: Summary,
    /// Teams indexed, or why the search index was not updated.
    pub index: Result<usize>,
}

/// Crawls `seeds` into the data directory `data`; each team is indexed
/// from the store as soon as the crawl is done with it, and committed
/// within [`PUBLISH_EVERY`] and at the end. The caller holds the crawl
/// lock.
pub async fn crawl(
    seeds: Vec<TeamSeed>,
    data: &Path,
    config: Config,
    progress: Arc<Progress>,
) -> Result<Crawled> {
    let store = Store::open(data)?;
    let (indexer, done) = Indexer::start(data.to_path_buf());
    let summary = csirt_crawl::crawl(seeds, store, config, progress, Arc::new(done)).await?;
    let index = tokio::task::spawn_blocking(move || indexer.finish())
        .await
        .unwrap_or_else(|e| Err(Error::Indexer(e.to_string())));
    Ok(Crawled { summary, index })
}

/// While a crawl runs, the teams it finished become searchable at most this
/// long after: a crawl of the whole directory waits minutes for its
/// slowest hosts, and the others need not wait with them.
const PUBLISH_EVERY: Duration = Duration::from_secs(2);

/// How long the indexing thread may wait for the next team: for ever when
/// nothing waits to be published (a wait of zero would spin), else until
/// [`PUBLISH_EVERY`] has passed since the last commit.
fn publish_within(pending: bool, since_commit: Duration) -> Option<Duration> {
    pending.then(|| PUBLISH_EVERY.saturating_sub(since_commit))
}

/// The thread that indexes teams as the crawl finishes them.
struct Indexer {
    thread: std::thread::JoinHandle<Result<usize>>,
}

/// The crawl's [`csirt_crawl::Observer`]: hands each finished team to the
/// indexing thread. The thread ends when this is dropped, with the crawl.
struct Done(std::sync::mpsc::Sender<i64>);

impl csirt_crawl::Observer for Done {
    fn team_done(&self, team_id: i64) {
        // The thread is gone only when it failed; `finish` says why.
        let _ = self.0.send(team_id);
    }
}

impl Indexer {
    fn start(data: PathBuf) -> (Indexer, Done) {
        let (tx, rx) = std::sync::mpsc::channel::<i64>();
        let thread = std::thread::spawn(move || -> Result<usize> {
            let store = Store::open(&data)?;
            let index = match Index::open(&search_dir(&data)) {
                // Built by another version, or damaged: rebuilt first, so
                // the teams this crawl does not touch are searchable too.
                Err(e @ (csirt_index::Error::Outdated(_) | csirt_index::Error::Damaged(..))) => {
                    tracing::info!("rebuilding the search index: {e}");
                    rebuild_from(&store, &data)?;
                    Index::open(&search_dir(&data))?
                }
                other => other?,
            };
            let mut updater = index.updater()?;
            let (mut n, mut pending) = (0, false);
            let mut published = Instant::now();
            loop {
                let received = match publish_within(pending, published.elapsed()) {
                    None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                    Some(wait) => rx.recv_timeout(wait),
                };
                match received {
                    Ok(team_id) => {
                        for e in team_entries(&store, team_id)? {
                            updater.upsert(e)?;
                            n += 1;
                            pending = true;
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    // The crawl is over: the observer was dropped with it.
                    Err(RecvTimeoutError::Disconnected) => break,
                }
                if pending && published.elapsed() >= PUBLISH_EVERY {
                    updater.commit()?;
                    (pending, published) = (false, Instant::now());
                }
            }
            updater.commit()?;
            Ok(n)
        });
        (Indexer { thread }, Done(tx))
    }

    /// Waits for the teams still queued and the commit; the crawl (and
    /// with it the [`Done`] observer) must be over.
    fn finish(self) -> Result<usize> {
        self.thread
            .join()
            .map_err(|_| Error::Indexer("it panicked".into()))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_indexer_blocks_when_nothing_waits_to_be_published() {
        // Regression: a wait of zero with nothing pending spun a core for the
        // whole crawl (46% of a 1,500-team crawl's CPU in clock_gettime).
        assert_eq!(publish_within(false, Duration::ZERO), None);
        assert_eq!(publish_within(false, PUBLISH_EVERY * 10), None);
        assert_eq!(publish_within(true, Duration::ZERO), Some(PUBLISH_EVERY));
        assert_eq!(
            publish_within(true, PUBLISH_EVERY * 3),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn the_indexed_text_is_bounded() {
        let section = |title: &str, text: String| csirt_parse::Section {
            number: None,
            title: title.into(),
            field: None,
            text,
            line: 1,
        };
        let r = Record {
            sections: vec![
                section("2.1 Name of the Team", "ONE-CERT".into()),
                section("5. Services", "é".repeat(MAX_INDEXED_TEXT)),
                section("6. Forms", "never indexed".into()),
            ],
            ..Record::default()
        };
        let t = indexed_text(&r);
        assert!(t.starts_with("2.1 Name of the Team\nONE-CERT\n5. Services\n"));
        assert!(t.len() <= MAX_INDEXED_TEXT && t.len() > MAX_INDEXED_TEXT - 2);
        assert!(!t.contains("never indexed"));
    }

    #[test]
    fn a_signed_document_represents_its_team_before_an_unsigned_newer_one() {
        let rec = |date: &str| {
            let mut r = Record::default();
            r.document.last_update = Some(date.into());
            r
        };
        let old_signed = Standing::of(Some(Outcome::Valid), Some(&rec("2019-01-01")));
        let new_unsigned = Standing::of(Some(Outcome::Unsigned), Some(&rec("2026-01-01")));
        let new_signed = Standing::of(Some(Outcome::Valid), Some(&rec("2026-01-01")));
        assert!(old_signed > new_unsigned);
        assert!(new_signed > old_signed);
        let mut soft404 = rec("2026-06-01");
        soft404.diagnostics.push(csirt_parse::Diagnostic::new(
            csirt_parse::Code::NotRfc2350,
            csirt_parse::Severity::Error,
            "a login page",
        ));
        assert!(
            Standing::of(Some(Outcome::Unsigned), Some(&rec("2001-01-01")))
                > Standing::of(Some(Outcome::Unsigned), Some(&soft404))
        );
    }
}
