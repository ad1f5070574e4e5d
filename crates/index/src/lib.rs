//! Search over the directory: a Tantivy index with one document per team,
//! and the query language of `csirt-find`.
//!
//! The question users bring is "who do I call?". [`Index::search`] answers
//! `constituency: universities Quebec` with XYZ-CERT first:
//!
//! - every record field is indexed under the names of the parser's record;
//!   the team name is boosted; e-mail addresses, their domains and key
//!   fingerprints/IDs are also exact terms; the country is a facet;
//! - a team's document carries everything about it, written in one commit:
//!   its text, its verification [`Outcome`] (a fast field that `signed:`
//!   filters on) and its Date of Last Update (a fast field that `updated:`
//!   and `stale:` filter on);
//! - staleness is judged at query time from the day and threshold the
//!   caller gives ([`When`]), never stored: a document that does not change
//!   still turns stale;
//! - text is lower-cased, accent-folded (`Québec` finds `Quebec` and back)
//!   and stemmed; words of five letters or more also match with one typo;
//!   no stop words are removed, so `"the CERT"` still means something;
//! - [`query`] parses the query language into clauses.
//!
//! The index lives in `DATA/search/`, in tantivy's own `MmapDirectory`:
//! tantivy syncs a commit's files before `meta.json` names them and
//! removes the files no commit uses. [`Index::rebuild`] replaces the whole
//! content in one commit: readers see the old index until the commit, then
//! the new one, never a half-written one.
//!
//! What it is not: it reads no store, parses no documents and reads no
//! clock; the caller hands it entries (see `csirt-directory`) and the day.
//!
//! ```
//! use csirt_index::{Entry, Index, When};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let index = Index::open(dir.path()).unwrap();
//! index.rebuild([Entry {
//!     name: "XYZ-CERT".into(),
//!     constituency: "The XYZ University community, in Québec.".into(),
//!     ..Entry::default()
//! }]).unwrap();
//! let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
//! let found = index.search("constituency: universities Quebec", 10, 0, When::default_on(today)).unwrap();
//! assert_eq!(found.hits[0].name, "XYZ-CERT");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod lookup;
pub mod query;
mod snippet;
mod stem;

use std::ops::Bound;
use std::path::Path;

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use csirt_parse::Constituency;
use csirt_verify::{Outcome, Signed};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, Value, FAST, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{doc, IndexReader, ReloadPolicy, TantivyDocument, Term};

pub use csirt_parse::{Sector, StaleAfter};
pub use lookup::{CountryOf, Reason};
pub use query::{Clause, QueryError, Scope};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Tantivy failed. Its error is in the message and not also the
    /// source: a caller printing the chain (`{:#}`) would say it twice.
    #[error("search index: {0}")]
    Tantivy(tantivy::TantivyError),
    /// The index folder could not be created or replaced.
    #[error("search index {0}: {1}")]
    Io(String, std::io::Error),
    /// The query cannot be read.
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The index on disk has another schema: it was built by another version
    /// of csirt. Reading it with ours would mix up its fields.
    #[error(
        "the search index in {0} was built by another version of csirt; \
         run `csirt index` to rebuild it from the store"
    )]
    Outdated(String),
    /// The index on disk cannot be read (a damaged `meta.json` or segment,
    /// or files of an incompatible tantivy): the folder and why.
    #[error(
        "search index: {0} cannot be read ({1}); run `csirt index` to rebuild it from the store"
    )]
    Damaged(String, &'static str),
    /// Another writer (a crawl, `csirt index`) holds the index.
    #[error("the search index is being written by another process (a crawl or `csirt index`)")]
    Busy,
}

/// Why an index that exists in `dir` did not open: [`Error::Damaged`] when
/// its content is at fault (a rebuild cures that), tantivy's error
/// otherwise (a permission, a full disk: a rebuild would fail the same).
/// tantivy's own words for a damaged `meta.json` quote the whole file.
fn damaged(dir: &Path, e: tantivy::TantivyError) -> Error {
    let why = match e {
        tantivy::TantivyError::DataCorruption(_) => "its files are damaged",
        tantivy::TantivyError::IncompatibleIndex(_) => {
            "it was written by an incompatible version of tantivy"
        }
        tantivy::TantivyError::SchemaError(_) => "its schema cannot be read",
        e => return Error::Tantivy(e),
    };
    Error::Damaged(dir.display().to_string(), why)
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Error {
        Error::Tantivy(e)
    }
}

/// Results.
pub type Result<T> = std::result::Result<T, Error>;

/// One team as indexed: the searchable text of its representative
/// document plus what the filters and the result list need.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Entry {
    /// The store's team id.
    pub team_id: u64,
    /// Team name.
    pub name: String,
    /// Short name, as shown.
    pub short_name: String,
    /// Other names the team goes by (the document's own spelling); found
    /// by `name:` but not shown.
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Section 3.2's text.
    pub constituency: String,
    /// The constituency as data: what lookups by address, domain, AS
    /// number, country, region and sector match.
    pub scope: Constituency,
    /// Mission.
    pub mission: String,
    /// Sponsorship.
    pub sponsor: String,
    /// Authority.
    pub authority: String,
    /// Services text.
    pub services: String,
    /// E-mail addresses.
    pub emails: Vec<String>,
    /// Phone and fax numbers.
    pub phones: Vec<String>,
    /// Fingerprints and key IDs.
    pub keys: Vec<String>,
    /// ISO 639-1.
    pub lang: String,
    /// Everything in the document.
    pub text: String,
    /// The Date of Last Update, when the document states a readable one.
    pub updated: Option<NaiveDate>,
    /// The verification outcome; none when the document was never checked.
    pub outcome: Option<Outcome>,
    /// The directories that list the key that signed the document: a
    /// second channel confirming it is the team's.
    pub key_confirmed_by: Vec<String>,
    /// The document's URL.
    pub url: String,
    /// The full record as JSON, returned with hits.
    pub record: String,
}

/// The day and threshold staleness is judged with ([`StaleAfter`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct When {
    /// Today, as the caller's clock says.
    pub today: NaiveDate,
    /// How old a last update may be.
    pub stale_after: StaleAfter,
}

impl When {
    /// `today` with the default threshold.
    pub fn default_on(today: NaiveDate) -> When {
        When {
            today,
            stale_after: StaleAfter::DEFAULT,
        }
    }
}

/// A search hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// BM25 score (with boosts).
    pub score: f32,
    /// The store's team id.
    pub team_id: u64,
    /// Team name.
    pub name: String,
    /// Short name.
    pub short_name: String,
    /// Country code.
    pub country: String,
    /// The Date of Last Update, when known.
    pub updated: Option<NaiveDate>,
    /// The verification outcome; none when never checked.
    pub outcome: Option<Outcome>,
    /// The directories that list the key that signed the document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub key_confirmed_by: Vec<String>,
    /// Stale by the threshold of the search ([`When`]).
    pub stale: bool,
    /// Document URL.
    pub url: String,
    /// A fragment of the document with the matched words between `**`.
    pub snippet: String,
    /// For a lookup (`ip:`, `domain:`, `asn:`): why the team answers, most
    /// specific first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub why: Vec<Reason>,
    /// For a lookup: the team answers only as its country's national team.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
    /// The full record (JSON text).
    #[serde(skip)]
    pub record: String,
}

impl Hit {
    /// How to reach the team, from the hit's record.
    pub fn contact(&self) -> lookup::Contact {
        lookup::contact_of(&self.record)
    }
}

/// Hits and how many matched in all.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    /// Teams matching, before limit and offset.
    pub total: usize,
    /// This page of hits, best first.
    pub hits: Vec<Hit>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct Fields {
    team_id: Field,
    name: Field,
    short_name: Field,
    country: Field,
    country_facet: Field,
    constituency: Field,
    mission: Field,
    sponsor: Field,
    authority: Field,
    services: Field,
    email: Field,
    phone: Field,
    key: Field,
    lang: Field,
    text: Field,
    updated: Field,
    outcome: Field,
    url: Field,
    record: Field,
    pairs: Field,
    scope: Field,
    sector: Field,
    region: Field,
    scope_country: Field,
    confirmed_by: Field,
}

/// `outcome` of a document that was never checked: no outcome code is
/// spelled this way.
const NOT_CHECKED: &str = "not-checked";

const ANALYZER: &str = "csirt";

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(stem::CachedStemmer)
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let stored_text = text.clone().set_stored();
    let num = NumericOptions::default()
        .set_indexed()
        .set_fast()
        .set_stored();
    let f = Fields {
        team_id: b.add_u64_field("team_id", num.clone()),
        name: b.add_text_field("name", stored_text.clone()),
        short_name: b.add_text_field("short_name", stored_text.clone()),
        country: b.add_text_field("country", STRING | STORED),
        country_facet: b.add_facet_field("country_facet", FacetOptions::default()),
        constituency: b.add_text_field("constituency", text.clone()),
        mission: b.add_text_field("mission", text.clone()),
        sponsor: b.add_text_field("sponsor", text.clone()),
        authority: b.add_text_field("authority", text.clone()),
        services: b.add_text_field("services", text.clone()),
        email: b.add_text_field("email", STRING),
        phone: b.add_text_field("phone", text.clone()),
        key: b.add_text_field("key", STRING),
        lang: b.add_text_field("lang", STRING),
        text: b.add_text_field("text", stored_text),
        // `YYYYMMDD`, 0 when unknown: ordered like the dates.
        updated: b.add_u64_field("updated", num),
        outcome: b.add_text_field("outcome", STRING | STORED | FAST),
        url: b.add_text_field("url", STRING | STORED),
        record: b.add_text_field("record", STORED),
        // Every pair of consecutive analysed words of the document, as one
        // term: a two-word phrase is then one posting list instead of a
        // position check over every document holding both words.
        pairs: b.add_text_field("pairs", STRING),
        // The constituency as data (JSON) for lookups, and what of it word
        // searches and filters match: sector codes, regions, countries.
        scope: b.add_text_field("scope", STORED),
        sector: b.add_text_field("sector", STRING),
        region: b.add_text_field("region", text),
        scope_country: b.add_text_field("scope_country", STRING),
        confirmed_by: b.add_text_field("key_confirmed_by", STRING | STORED),
    };
    (b.build(), f)
}

/// A date as the `updated` field holds it.
fn day_number(d: NaiveDate) -> u64 {
    use chrono::Datelike;
    u64::from(d.year().max(0) as u32) * 10_000 + u64::from(d.month()) * 100 + u64::from(d.day())
}

fn from_day_number(n: u64) -> Option<NaiveDate> {
    let n = u32::try_from(n).ok().filter(|n| *n > 0)?;
    NaiveDate::from_ymd_opt((n / 10_000) as i32, n / 100 % 100, n % 100)
}

/// The index writer's memory and its one indexing thread: a crawl keeps its
/// writer for its whole length, beside a thousand teams in progress, and a
/// directory's teams are few for tantivy. A second thread measured 10-25
/// MB more at the crawl's peak (its arena, and a malloc arena of its own).
const WRITER_MEMORY: usize = 32 * 1024 * 1024;

/// An open search index.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    f: Fields,
    /// The lookup table of the commit searches see, made by the first
    /// lookup that needs it.
    table: Mutex<Option<(u64, Arc<lookup::Table>)>>,
}

impl Index {
    /// Opens the index in `dir`, creating an empty one if there is none.
    pub fn open(dir: &Path) -> Result<Index> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
        let (schema, f) = schema();
        let folder = MmapDirectory::open(dir).map_err(tantivy::TantivyError::from)?;
        let index = match tantivy::Index::open(folder.clone()) {
            Ok(i) if i.schema() != schema => {
                return Err(Error::Outdated(dir.display().to_string()))
            }
            Ok(i) => i,
            Err(e) => {
                // An index that is there but cannot be opened is not
                // replaced here: only a rebuild (open_or_replace) does that.
                if tantivy::Index::exists(&folder).map_err(tantivy::TantivyError::from)? {
                    return Err(damaged(dir, e));
                }
                tantivy::Index::create(folder, schema, Default::default())?
            }
        };
        index.tokenizers().register(ANALYZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Index {
            index,
            reader,
            f,
            table: Mutex::new(None),
        })
    }

    /// Opens the index in `dir`, replacing an [`Error::Outdated`] or
    /// [`Error::Damaged`] one by an empty index of the current schema (fill
    /// it with [`Self::rebuild`]).
    ///
    /// The new index is made complete beside the old and swapped in by two
    /// renames, so `dir` never holds a half-made index. Only between the two
    /// renames is it missing; a swap interrupted there leaves the old index
    /// in `dir.old`, and searches say to run `csirt index`. Leftover
    /// `dir.new` and `dir.old` folders are cleared by the next replacement.
    pub fn open_or_replace(dir: &Path) -> Result<Index> {
        match Index::open(dir) {
            Err(Error::Outdated(_) | Error::Damaged(..)) => {}
            other => return other,
        }
        let io = |p: &Path, e| Error::Io(p.display().to_string(), e);
        let fresh = dir.with_extension("new");
        let old = dir.with_extension("old");
        for leftover in [&fresh, &old] {
            if leftover.exists() {
                std::fs::remove_dir_all(leftover).map_err(|e| io(leftover, e))?;
            }
        }
        std::fs::create_dir_all(&fresh).map_err(|e| io(&fresh, e))?;
        drop(tantivy::Index::create_in_dir(&fresh, schema().0)?);
        std::fs::rename(dir, &old).map_err(|e| io(dir, e))?;
        std::fs::rename(&fresh, dir).map_err(|e| io(&fresh, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
        Index::open(dir)
    }

    /// Replaces the whole content with `entries`, in one commit.
    pub fn rebuild(&self, entries: impl IntoIterator<Item = Entry>) -> Result<usize> {
        let mut u = self.updater()?;
        u.writer.delete_all_documents()?;
        let mut n = 0;
        for e in entries {
            u.upsert(e)?;
            n += 1;
        }
        u.commit()?;
        Ok(n)
    }

    /// A writer that replaces teams one at a time; nothing is visible to
    /// readers until [`Updater::commit`].
    pub fn updater(&self) -> Result<Updater<'_>> {
        let writer = match self.index.writer_with_num_threads(1, WRITER_MEMORY) {
            Err(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            )) => return Err(Error::Busy),
            w => w?,
        };
        Ok(Updater {
            writer,
            index: self,
        })
    }

    /// Makes the latest commit (by this process or another) visible to
    /// searches that start from now on; searches already running keep the
    /// view they started with.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        Ok(())
    }

    /// Which commit searches see now; it changes when [`Self::reload`]
    /// picks up a new one, so callers can key caches by it.
    pub fn generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// Number of teams in the index, as the current reader sees it.
    pub fn len(&self) -> Result<u64> {
        Ok(self.reader.searcher().search(&AllQuery, &Count)? as u64)
    }

    /// Whether the index holds no team.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Runs a query in the `csirt-find` language; `stale:` and each hit's
    /// `stale` are judged by `when`. A query with `ip:`, `domain:` or
    /// `asn:` is a lookup ([`Index::search_with`] without delegation data).
    pub fn search(&self, q: &str, limit: usize, offset: usize, when: When) -> Result<Results> {
        self.search_with(q, limit, offset, when, &())
    }

    /// [`Index::search`], with the country of an address or AS number that
    /// no team states taken from `countries` (the RIRs' delegations), so
    /// that its national team answers.
    pub fn search_with(
        &self,
        q: &str,
        limit: usize,
        offset: usize,
        when: When,
        countries: &dyn CountryOf,
    ) -> Result<Results> {
        let clauses = query::parse(q)?;
        let searcher = self.reader.searcher();
        let ask = query::lookup_part(&clauses);
        if ask.is_empty() {
            return self.hits(&searcher, &clauses, &clauses, limit, offset, when);
        }
        // A lookup: the table orders the teams; the other clauses, if any,
        // only narrow them.
        let rest: Vec<Clause> = clauses.iter().filter(|c| !c.is_lookup()).cloned().collect();
        let table = self.table()?;
        let mut matches = table.lookup(&ask, countries);
        if !rest.is_empty() {
            let all = (self.len()? as usize).max(1);
            let allowed: std::collections::HashSet<u64> = self
                .hits(&searcher, &clauses, &rest, all, 0, when)?
                .hits
                .into_iter()
                .map(|h| h.team_id)
                .collect();
            matches.retain(|m| allowed.contains(&m.team_id));
        }
        let total = matches.len();
        let mut hits = Vec::new();
        for m in matches.into_iter().skip(offset).take(limit.max(1)) {
            let q = TermQuery::new(
                Term::from_field_u64(self.f.team_id, m.team_id),
                IndexRecordOption::Basic,
            );
            let top = searcher.search(&q, &TopDocs::with_limit(1))?;
            let Some((_, addr)) = top.first() else {
                continue;
            };
            let d: TantivyDocument = searcher.doc(*addr)?;
            let mut h = self.hit(&d, 0.0, String::new(), when);
            h.why = m.why;
            h.fallback = m.fallback;
            hits.push(h);
        }
        Ok(Results { total, hits })
    }

    /// The lookup table of the commit searches see now, made once per
    /// commit.
    pub fn table(&self) -> Result<Arc<lookup::Table>> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        let mut held = self.table.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((g, t)) = &*held {
            if *g == generation {
                return Ok(t.clone());
            }
        }
        let mut teams = Vec::new();
        for seg in searcher.segment_readers() {
            let store = seg
                .get_store_reader(64)
                .map_err(|e| Error::Io(seg.segment_id().uuid_string(), e))?;
            let alive = seg.alive_bitset();
            for doc in 0..seg.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let d: TantivyDocument = store.get(doc)?;
                teams.push(self.team_of(&d));
            }
        }
        let t = Arc::new(lookup::Table::new(teams));
        *held = Some((generation, t.clone()));
        Ok(t)
    }

    /// A team for the lookup table, from its stored document.
    fn team_of(&self, d: &TantivyDocument) -> lookup::Team {
        let s = |field: Field| {
            d.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        lookup::Team {
            team_id: d
                .get_first(self.f.team_id)
                .and_then(|v| v.as_u64())
                .unwrap_or(0),
            name: s(self.f.name),
            short_name: s(self.f.short_name),
            country: s(self.f.country),
            url: s(self.f.url),
            outcome: Outcome::from_code(&s(self.f.outcome)),
            contact: lookup::contact_of(&s(self.f.record)),
            scope: serde_json::from_str(&s(self.f.scope)).unwrap_or_default(),
        }
    }

    /// Runs the tantivy query of `rest`, highlighting the words of
    /// `clauses`.
    fn hits(
        &self,
        searcher: &tantivy::Searcher,
        clauses: &[Clause],
        rest: &[Clause],
        limit: usize,
        offset: usize,
        when: When,
    ) -> Result<Results> {
        let query = self.build(rest, searcher, when);
        let collect = (TopDocs::with_limit(limit.max(1)).and_offset(offset), Count);
        let (top, total) = searcher.search(&query, &collect)?;
        // The snippet shows the query's words in the document text, whatever
        // field they were scoped to (`constituency: Quebec` still highlights
        // Quebec).
        let words: Vec<String> = clauses
            .iter()
            .flat_map(|c| match c {
                Clause::Word(_, w) => vec![w.clone()],
                Clause::Phrase(_, ws) => ws.clone(),
                _ => Vec::new(),
            })
            .flat_map(|w| analyze(&w))
            .collect();
        let snippets =
            (!words.is_empty()).then(|| snippet::generator(searcher, self.f.text, &words, 200));
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let snippet = snippets
                .as_ref()
                .map(|g| {
                    // The text is one stored value: no need for
                    // snippet_from_doc's copy of it.
                    let text = d.get_first(self.f.text).and_then(|v| v.as_str());
                    let sn = g.snippet(text.unwrap_or(""));
                    highlight(sn.fragment(), sn.highlighted())
                })
                .unwrap_or_default();
            hits.push(self.hit(&d, score, snippet, when));
        }
        Ok(Results { total, hits })
    }

    /// A hit from a stored document.
    fn hit(&self, d: &TantivyDocument, score: f32, snippet: String, when: When) -> Hit {
        let s = |field: Field| {
            d.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let n = |field: Field| d.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
        let updated = from_day_number(n(self.f.updated));
        Hit {
            score,
            team_id: n(self.f.team_id),
            name: s(self.f.name),
            short_name: s(self.f.short_name),
            country: s(self.f.country),
            updated,
            outcome: Outcome::from_code(&s(self.f.outcome)),
            key_confirmed_by: d
                .get_all(self.f.confirmed_by)
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
            stale: when.stale_after.is_stale(updated, when.today),
            url: s(self.f.url),
            snippet,
            why: Vec::new(),
            fallback: false,
            record: s(self.f.record),
        }
    }

    fn build(
        &self,
        clauses: &[Clause],
        searcher: &tantivy::Searcher,
        when: When,
    ) -> Box<dyn Query> {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let updated = |lo: Bound<u64>, hi: Bound<u64>| -> Box<dyn Query> {
            let t = |b: Bound<u64>| b.map(|v| Term::from_field_u64(self.f.updated, v));
            Box::new(RangeQuery::new(t(lo), t(hi)))
        };
        for c in clauses {
            match c {
                Clause::Word(scope, w) => {
                    if let Some(q) = self.word(*scope, w, Some(searcher)) {
                        parts.push((Occur::Should, q));
                    }
                }
                Clause::Phrase(scope, ws) => {
                    if let Some(q) = self.phrase(*scope, ws) {
                        parts.push((Occur::Must, q));
                    }
                }
                Clause::Exclude(scope, w) => {
                    if let Some(q) = self.word(*scope, w, None) {
                        parts.push((Occur::MustNot, q));
                    }
                }
                Clause::Signed(want) => parts.push((Occur::Must, self.signed(*want))),
                Clause::Stale(stale) => {
                    // Stale: before the oldest current day, or no date (0).
                    let edge = day_number(when.stale_after.oldest_current(when.today));
                    parts.push(match stale {
                        true => (
                            Occur::Must,
                            updated(Bound::Unbounded, Bound::Excluded(edge)),
                        ),
                        false => (
                            Occur::Must,
                            updated(Bound::Included(edge), Bound::Unbounded),
                        ),
                    });
                }
                Clause::Updated(cmp, from, to) => {
                    let (lo, hi) = match cmp {
                        query::Cmp::After => (Bound::Included(*to), Bound::Unbounded),
                        // Unknown dates are 0: "before 2020" means known and before.
                        query::Cmp::Before => (Bound::Included(1), Bound::Excluded(*from)),
                        query::Cmp::Within => (Bound::Included(*from), Bound::Excluded(*to)),
                    };
                    parts.push((Occur::Must, updated(lo.map(u64::from), hi.map(u64::from))));
                }
                // The team's country, or one its constituency names.
                Clause::Country(c) => parts.push((
                    Occur::Must,
                    Box::new(BooleanQuery::new(vec![
                        (Occur::Should, term(self.f.country, c)),
                        (Occur::Should, term(self.f.scope_country, c)),
                    ])),
                )),
                Clause::Sector(sector) => {
                    parts.push((Occur::Must, term(self.f.sector, sector.code())))
                }
                Clause::Region(r) => {
                    let terms: Vec<Term> = analyze(r)
                        .iter()
                        .map(|t| Term::from_field_text(self.f.region, t))
                        .collect();
                    let q: Option<Box<dyn Query>> = match terms.len() {
                        0 => None,
                        1 => Some(Box::new(TermQuery::new(
                            terms[0].clone(),
                            IndexRecordOption::Basic,
                        ))),
                        _ => Some(Box::new(PhraseQuery::new(terms))),
                    };
                    parts.extend(q.map(|q| (Occur::Must, q)));
                }
                // Answered by the lookup table, never by a tantivy query.
                Clause::Ip(_) | Clause::Domain(_) | Clause::Asn(_) => {}
            }
        }
        // Nothing positive (only exclusions): every team but those.
        if !parts.iter().any(|(o, _)| *o != Occur::MustNot) {
            parts.push((Occur::Must, Box::new(AllQuery)));
        }
        // Only words: at least one must match (the Should clauses do that).
        Box::new(BooleanQuery::new(parts))
    }

    /// The teams whose outcome is in the state `want`; a document never
    /// checked counts as unsigned.
    fn signed(&self, want: Signed) -> Box<dyn Query> {
        let codes = Outcome::ALL
            .into_iter()
            .filter(|o| o.signed() == want)
            .map(Outcome::code)
            .chain((want == Signed::No).then_some(NOT_CHECKED));
        Box::new(BooleanQuery::new(
            codes
                .map(|c| (Occur::Should, term(self.f.outcome, c)))
                .collect(),
        ))
    }

    /// One word in a scope: a disjunction over the scope's fields. A word of
    /// five letters or more that the index does not know is looked for with
    /// one typo (given a searcher to ask); a known word is not, which keeps
    /// the costly fuzzy automaton for the queries that need it.
    fn word(
        &self,
        scope: Scope,
        w: &str,
        fuzzy: Option<&tantivy::Searcher>,
    ) -> Option<Box<dyn Query>> {
        let f = self.f;
        let exact = |field: Field, v: String| -> Box<dyn Query> { term(field, &v) };
        let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match scope {
            Scope::Email => alts.push((Occur::Should, exact(f.email, w.to_ascii_lowercase()))),
            Scope::Key => alts.push((Occur::Should, exact(f.key, hex_of(w)))),
            Scope::Lang => alts.push((Occur::Should, exact(f.lang, w.to_ascii_lowercase()))),
            Scope::Country => alts.push((Occur::Should, exact(f.country, w.to_ascii_uppercase()))),
            _ => {
                let fields: Vec<(Field, f32)> = match scope {
                    Scope::All => vec![
                        (f.name, 4.0),
                        (f.short_name, 4.0),
                        (f.constituency, 1.5),
                        (f.region, 1.5),
                        (f.text, 1.0),
                    ],
                    Scope::Name => vec![(f.name, 1.0), (f.short_name, 1.0)],
                    Scope::Constituency => vec![(f.constituency, 1.0), (f.region, 1.0)],
                    Scope::Mission => vec![(f.mission, 1.0)],
                    Scope::Sponsor => vec![(f.sponsor, 1.0)],
                    Scope::Authority => vec![(f.authority, 1.0)],
                    Scope::Services => vec![(f.services, 1.0)],
                    Scope::Phone => vec![(f.phone, 1.0)],
                    _ => vec![(f.text, 1.0)],
                };
                for tok in analyze(w) {
                    let known = |s: &tantivy::Searcher| {
                        fields.iter().any(|(f, _)| {
                            s.doc_freq(&Term::from_field_text(*f, &tok)).unwrap_or(0) > 0
                        })
                    };
                    let typo = tok.chars().count() >= 5 && fuzzy.is_some_and(|s| !known(s));
                    for (field, boost) in &fields {
                        let t = Term::from_field_text(*field, &tok);
                        let q: Box<dyn Query> = if typo {
                            Box::new(FuzzyTermQuery::new(t, 1, true))
                        } else {
                            Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs))
                        };
                        alts.push((Occur::Should, Box::new(BoostQuery::new(q, *boost))));
                    }
                }
                // A sector word of any language matches the sector it
                // names: `universitas`, `universités` and `universities`
                // find the same teams.
                if matches!(scope, Scope::All | Scope::Constituency) {
                    if let Some(sector) = csirt_parse::extract::scope::sector_of_word(w) {
                        alts.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(term(f.sector, sector.code()), 1.5)),
                        ));
                    }
                }
                if matches!(scope, Scope::All)
                    && (w.contains('@')
                        || w.chars().filter(|c| c.is_ascii_hexdigit()).count() >= 16)
                {
                    alts.push((Occur::Should, exact(f.email, w.to_ascii_lowercase())));
                    alts.push((Occur::Should, exact(f.key, hex_of(w))));
                }
            }
        }
        (!alts.is_empty()).then(|| Box::new(BooleanQuery::new(alts)) as Box<dyn Query>)
    }

    fn phrase(&self, scope: Scope, ws: &[String]) -> Option<Box<dyn Query>> {
        let (fields, in_text) = match scope {
            Scope::Name => (vec![self.f.name, self.f.short_name], false),
            Scope::Constituency => (vec![self.f.constituency], false),
            Scope::Mission => (vec![self.f.mission], false),
            Scope::Services => (vec![self.f.services], false),
            _ => (vec![self.f.name], true),
        };
        let toks: Vec<String> = ws.iter().flat_map(|w| analyze(w)).collect();
        if toks.is_empty() {
            return None;
        }
        let one_or_phrase = |field: Field| -> Box<dyn Query> {
            if toks.len() == 1 {
                Box::new(TermQuery::new(
                    Term::from_field_text(field, &toks[0]),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new(
                    toks.iter()
                        .map(|t| Term::from_field_text(field, t))
                        .collect(),
                ))
            }
        };
        let mut alts: Vec<(Occur, Box<dyn Query>)> = fields
            .into_iter()
            .map(|field| (Occur::Should, one_or_phrase(field)))
            .collect();
        if in_text {
            let q: Box<dyn Query> = if toks.len() == 1 {
                one_or_phrase(self.f.text)
            } else {
                // Consecutive pairs: "a b c" needs "a b" and "b c".
                Box::new(BooleanQuery::new(
                    toks.windows(2)
                        .map(|w| {
                            (
                                Occur::Must,
                                term(self.f.pairs, &format!("{} {}", w[0], w[1])),
                            )
                        })
                        .collect(),
                ))
            };
            alts.push((Occur::Should, q));
        }
        Some(Box::new(BooleanQuery::new(alts)))
    }

    /// The document `e` becomes.
    fn document(&self, e: Entry) -> TantivyDocument {
        let f = self.f;
        let mut pairs: Vec<String> = analyze(&e.text)
            .windows(2)
            .map(|w| format!("{} {}", w[0], w[1]))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut d = doc!(
            f.team_id => e.team_id,
            f.name => e.name,
            f.short_name => e.short_name,
            f.country => e.country.clone(),
            f.constituency => e.constituency,
            f.mission => e.mission,
            f.sponsor => e.sponsor,
            f.authority => e.authority,
            f.services => e.services,
            f.lang => e.lang.to_ascii_lowercase(),
            f.text => e.text,
            f.updated => e.updated.map_or(0, day_number),
            f.outcome => e.outcome.map_or(NOT_CHECKED, Outcome::code),
            f.url => e.url,
            f.record => e.record,
        );
        for a in &e.aliases {
            d.add_text(f.name, a);
        }
        for sector in &e.scope.sectors {
            d.add_text(f.sector, sector.code());
        }
        for by in &e.key_confirmed_by {
            d.add_text(f.confirmed_by, by);
        }
        for r in &e.scope.regions {
            d.add_text(f.region, r);
        }
        for c in &e.scope.countries {
            d.add_text(f.scope_country, c);
        }
        if !e.scope.is_empty() {
            d.add_text(f.scope, serde_json::to_string(&e.scope).unwrap_or_default());
        }
        for p in &pairs {
            d.add_text(f.pairs, p);
        }
        if !e.country.is_empty() {
            d.add_facet(
                f.country_facet,
                Facet::from(&format!("/country/{}", e.country)),
            );
        }
        for m in &e.emails {
            let m = m.to_ascii_lowercase();
            if let Some((_, domain)) = m.split_once('@') {
                d.add_text(f.email, domain);
            }
            d.add_text(f.email, &m);
        }
        for p in &e.phones {
            d.add_text(f.phone, p);
        }
        for k in &e.keys {
            let k = k.to_ascii_uppercase();
            if k.len() >= 16 {
                d.add_text(f.key, &k[k.len() - 16..]);
            }
            d.add_text(f.key, &k);
        }
        d
    }
}

/// Adds or replaces teams in the index; each commit makes the changes made
/// since the last one visible at once.
pub struct Updater<'a> {
    writer: tantivy::IndexWriter<TantivyDocument>,
    index: &'a Index,
}

impl Updater<'_> {
    /// Adds a team (its text, outcome and date together), replacing any
    /// entry with the same `team_id`.
    pub fn upsert(&mut self, e: Entry) -> Result<()> {
        let f = self.index.f;
        self.writer
            .delete_term(Term::from_field_u64(f.team_id, e.team_id));
        self.writer.add_document(self.index.document(e))?;
        Ok(())
    }

    /// Removes a team.
    pub fn remove(&mut self, team_id: u64) {
        let f = self.index.f;
        self.writer
            .delete_term(Term::from_field_u64(f.team_id, team_id));
    }

    /// Makes every change so far visible at once, to this [`Index`] and to
    /// every other reader that reloads; the updater can go on.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        self.index.reader.reload()?;
        Ok(())
    }
}

fn term(field: Field, v: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, v),
        IndexRecordOption::Basic,
    ))
}

/// The hexadecimal digits of a fingerprint or key ID as typed, upper-case.
fn hex_of(w: &str) -> String {
    w.chars()
        .filter(|c| c.is_ascii_hexdigit())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The tokens the index stores for `text`.
fn analyze(text: &str) -> Vec<String> {
    let mut a = analyzer();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

fn highlight(fragment: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::with_capacity(fragment.len() + ranges.len() * 4);
    let mut at = 0;
    for r in ranges {
        if r.start < at || r.end > fragment.len() {
            continue;
        }
        out.push_str(&fragment[at..r.start]);
        out.push_str("**");
        out.push_str(&fragment[r.clone()]);
        out.push_str("**");
        at = r.end;
    }
    out.push_str(&fragment[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_keep_the_order_of_dates() {
        let a = NaiveDate::from_ymd_opt(2019, 12, 31).unwrap();
        let b = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        assert_eq!(day_number(a), 20191231);
        assert!(day_number(a) < day_number(b));
        assert_eq!(from_day_number(day_number(b)), Some(b));
        assert_eq!(from_day_number(0), None);
        assert_eq!(from_day_number(20261399), None);
    }
}
