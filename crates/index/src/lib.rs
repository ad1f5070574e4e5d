//! Search over the directory: a Tantivy index of every team's latest
//! document, and the query language of `csirt-find`.
//!
//! The question users bring is "who do I call?". [`Index::search`] answers
//! `constituency: universities Quebec` with XYZ-CERT first:
//!
//! - every record field is indexed under the names of the parser's record;
//!   the team name is boosted; e-mail addresses, their domains and key
//!   fingerprints/IDs are also exact terms; the last update (as
//!   `YYYYMMDD`) and staleness are fast fields for filters; the country is
//!   a facet;
//! - a team's verification outcome lives beside the index, in a small file
//!   of every team's outcome (`outcomes.tsv`), so a crawl can index a
//!   team's text as soon as it is parsed and give the outcome a host turn
//!   later ([`Updater::add_text`], [`Updater::set_outcome`]) without a
//!   segment for it; `signed:` filters and hits read it from there, and a
//!   team without one counts as unsigned;
//! - text is lower-cased, accent-folded (`Québec` finds `Quebec` and back)
//!   and stemmed; words of five letters or more also match with one typo;
//!   no stop words are removed, so `"the CERT"` still means something;
//! - [`query`] parses the query language into clauses.
//!
//! The index lives in `DATA/search/`. [`Index::rebuild`] replaces its
//! content from a list of [`Entry`] values in one commit: readers see the
//! old index until the commit, then the new one, never a half-written one
//! (the outcomes file follows the texts a moment later: a search in
//! between sees the new texts with the old outcomes).
//!
//! What it is not: it reads no store and parses no documents; the caller
//! hands it entries (see `csirt index`).
//!
//! ```
//! use csirt_index::{Entry, Index};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let index = Index::open(dir.path()).unwrap();
//! index.rebuild([Entry {
//!     name: "XYZ-CERT".into(),
//!     constituency: "The XYZ University community; fellow universities in Québec.".into(),
//!     ..Entry::default()
//! }]).unwrap();
//! let found = index.search("constituency: universities Quebec", 10, 0).unwrap();
//! assert_eq!(found.hits[0].name, "XYZ-CERT");
//! ```

#![warn(missing_docs)]

mod dir;
mod outcomes;
pub mod query;
mod snippet;
mod stem;

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    Facet, FacetOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing,
    TextOptions, Value, STORED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{doc, DocId, IndexReader, ReloadPolicy, TantivyDocument, Term};

pub use query::{Clause, QueryError, Scope};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Tantivy failed. Its error is in the message and not also the
    /// source: a caller printing the chain (`{:#}`) would say it twice.
    #[error("search index: {0}")]
    Tantivy(tantivy::TantivyError),
    /// The index folder could not be created.
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

/// The outcomes file of the index in `dir` ([`outcomes`]).
fn read_outcomes(dir: &Path) -> Result<outcomes::Outcomes> {
    outcomes::Outcomes::read(dir).map_err(|e| match e {
        outcomes::ReadError::Io(e) => Error::Io(dir.join(outcomes::FILE).display().to_string(), e),
        outcomes::ReadError::Damaged => Error::Damaged(
            dir.display().to_string(),
            "its file of verification outcomes is damaged",
        ),
    })
}

impl From<tantivy::TantivyError> for Error {
    fn from(e: tantivy::TantivyError) -> Error {
        Error::Tantivy(e)
    }
}

/// Results.
pub type Result<T> = std::result::Result<T, Error>;

/// One team as indexed: the searchable text of its record plus what the
/// filters and the result list need.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Entry {
    /// The store's team id.
    pub team_id: u64,
    /// Team name and short name.
    pub name: String,
    /// Short name, as shown.
    pub short_name: String,
    /// Other names the team goes by (the document's own spelling); found
    /// by `name:` but not shown.
    pub aliases: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// Charter fields.
    pub constituency: String,
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
    /// Last update as `YYYYMMDD`, 0 when unknown.
    pub updated: u32,
    /// Verification outcome code.
    pub outcome: String,
    /// Stale by the directory's threshold.
    pub stale: bool,
    /// The document's URL.
    pub url: String,
    /// The full record as JSON, returned with hits.
    pub record: String,
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
    /// Last update `YYYYMMDD`, 0 when unknown.
    pub updated: u32,
    /// Verification outcome code.
    pub outcome: String,
    /// Stale.
    pub stale: bool,
    /// Document URL.
    pub url: String,
    /// A fragment of the document with the matched words between `**`.
    pub snippet: String,
    /// The full record (JSON text).
    #[serde(skip)]
    pub record: String,
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
    stale: Field,
    url: Field,
    record: Field,
    pairs: Field,
    kind: Field,
}

/// `kind` of a team's document: its text and everything searched in it.
/// (Indexes of earlier versions also held status documents.)
const KIND_TEAM: &str = "team";

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
        updated: b.add_u64_field("updated", num.clone()),
        stale: b.add_u64_field("stale", num),
        url: b.add_text_field("url", STRING | STORED),
        record: b.add_text_field("record", STORED),
        // Every pair of consecutive analysed words of the document, as one
        // term: a two-word phrase is then one posting list instead of a
        // position check over every document holding both words.
        pairs: b.add_text_field("pairs", STRING),
        kind: b.add_text_field("kind", STRING),
    };
    (b.build(), f)
}

/// An open search index.
pub struct Index {
    index: tantivy::Index,
    reader: IndexReader,
    f: Fields,
    /// The folder, for the outcomes file beside tantivy's.
    dir: PathBuf,
    /// Every team's outcome, as last read ([`Index::reload`]).
    outcomes: Mutex<Arc<outcomes::Outcomes>>,
    /// The `signed:` table of the commit and outcomes searches saw last.
    statuses: Mutex<Option<Arc<Statuses>>>,
}

/// Each team document's `signed:` state, made from one commit and one
/// version of the outcomes by the first search that needs it: what a
/// `signed:` filter tests for every document a query matches.
struct Statuses {
    /// The commit's generation and the outcomes' version.
    key: (u64, u64),
    /// Per segment, the signed code of each document's team ([`NOT_A_TEAM`]
    /// for a document without a team id).
    per_doc: Vec<Arc<Vec<u8>>>,
}

/// `per_doc` of a document that is not a team's.
const NOT_A_TEAM: u8 = u8::MAX;

impl Statuses {
    fn read(searcher: &tantivy::Searcher, outcomes: &outcomes::Outcomes) -> Statuses {
        let per_doc = searcher
            .segment_readers()
            .iter()
            .map(|seg| {
                let mut codes = vec![NOT_A_TEAM; seg.max_doc() as usize];
                if let Ok(teams) = seg.fast_fields().u64("team_id") {
                    for (doc, code) in codes.iter_mut().enumerate() {
                        if let Some(team) = teams.first(doc as DocId) {
                            *code = outcomes
                                .by_team
                                .get(&team)
                                .map_or(SIGNED_NO, |o| signed_code(o));
                        }
                    }
                }
                Arc::new(codes)
            })
            .collect();
        Statuses {
            key: (searcher.generation().generation_id(), outcomes.version),
            per_doc,
        }
    }
}

/// A collector that passes on only the team documents whose `signed:` state
/// is each of `wanted`; a team without an outcome (its check never
/// finished) counts as unsigned.
struct SignedFilter<C> {
    statuses: Arc<Statuses>,
    wanted: Vec<u8>,
    inner: C,
}

struct SignedFilterSegment<C> {
    codes: Arc<Vec<u8>>,
    wanted: Vec<u8>,
    inner: C,
}

impl<C: tantivy::collector::Collector> tantivy::collector::Collector for SignedFilter<C> {
    type Fruit = C::Fruit;
    type Child = SignedFilterSegment<C::Child>;

    fn for_segment(
        &self,
        ord: tantivy::SegmentOrdinal,
        reader: &tantivy::SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        Ok(SignedFilterSegment {
            codes: self
                .statuses
                .per_doc
                .get(ord as usize)
                .cloned()
                .unwrap_or_default(),
            wanted: self.wanted.clone(),
            inner: self.inner.for_segment(ord, reader)?,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.inner.requires_scoring()
    }

    fn merge_fruits(
        &self,
        fruits: Vec<<Self::Child as tantivy::collector::SegmentCollector>::Fruit>,
    ) -> tantivy::Result<Self::Fruit> {
        self.inner.merge_fruits(fruits)
    }
}

impl<C: tantivy::collector::SegmentCollector> tantivy::collector::SegmentCollector
    for SignedFilterSegment<C>
{
    type Fruit = C::Fruit;

    fn collect(&mut self, doc: DocId, score: tantivy::Score) {
        let code = self.codes.get(doc as usize).copied().unwrap_or(NOT_A_TEAM);
        if code != NOT_A_TEAM && self.wanted.iter().all(|w| *w == code) {
            self.inner.collect(doc, score);
        }
    }

    fn harvest(self) -> Self::Fruit {
        self.inner.harvest()
    }
}

const SIGNED_NO: u8 = 0;
const SIGNED_YES: u8 = 1;
const SIGNED_BAD: u8 = 2;

fn signed_code(outcome: &str) -> u8 {
    match signed_state(outcome) {
        "yes" => SIGNED_YES,
        "bad" => SIGNED_BAD,
        _ => SIGNED_NO,
    }
}

impl Index {
    /// Opens the index in `dir`, creating an empty one if there is none.
    pub fn open(dir: &Path) -> Result<Index> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
        let (schema, f) = schema();
        let folder = dir::GroupSync::open(dir)?;
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
        let outcomes = read_outcomes(dir)?;
        Ok(Index {
            index,
            reader,
            f,
            dir: dir.to_path_buf(),
            outcomes: Mutex::new(Arc::new(outcomes)),
            statuses: Default::default(),
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
        drop(tantivy::Index::create(
            dir::GroupSync::open(&fresh)?,
            schema().0,
            Default::default(),
        )?);
        std::fs::rename(dir, &old).map_err(|e| io(dir, e))?;
        std::fs::rename(&fresh, dir).map_err(|e| io(&fresh, e))?;
        std::fs::remove_dir_all(&old).map_err(|e| io(&old, e))?;
        Index::open(dir)
    }

    /// Replaces the whole content with `entries`, in one commit.
    pub fn rebuild(&self, entries: impl IntoIterator<Item = Entry>) -> Result<usize> {
        let mut u = self.updater()?;
        u.writer.delete_all_documents()?;
        u.outcomes.by_team.clear();
        (u.text_changed, u.outcomes_changed) = (true, true);
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
        self.updater_with(self.index.writer(96 * 1024 * 1024))
    }

    /// [`Index::updater`] for teams that arrive a few at a time, as in a
    /// crawl: one indexing thread. Each thread builds a segment of its own,
    /// set up anew after every commit (a 4 MB table zeroed) and written out
    /// at the next; for a trickle of teams a second thread only doubles
    /// that. On the crawl bench, where the last commit waits for the last
    /// team, one thread took the median ratio from 1.132 to 1.106 and the
    /// crawl's CPU time from 3.7 s to 3.0 s. A rebuild keeps the threads.
    pub fn trickle_updater(&self) -> Result<Updater<'_>> {
        self.updater_with(self.index.writer_with_num_threads(1, 48 * 1024 * 1024))
    }

    fn updater_with(
        &self,
        writer: tantivy::Result<tantivy::IndexWriter<TantivyDocument>>,
    ) -> Result<Updater<'_>> {
        let writer = match writer {
            Err(tantivy::TantivyError::LockFailure(
                tantivy::directory::error::LockError::LockBusy,
                _,
            )) => return Err(Error::Busy),
            w => w?,
        };
        // Checked under the writer's lock: another process may have
        // written outcomes since this index was opened.
        let outcomes = Arc::unwrap_or_clone(self.fresh_outcomes()?);
        // Under the lock too: no other writer is half-way through a write.
        // Left in place, such files only take room, so a failure to list or
        // remove them stops nothing.
        if let Ok(metas) = self.index.searchable_segment_metas() {
            let used = metas.iter().flat_map(|m| m.list_files()).collect();
            let _ = dir::remove_cut_writes(&self.dir, &used);
        }
        Ok(Updater {
            writer,
            index: self,
            outcomes,
            text_changed: false,
            outcomes_changed: false,
        })
    }

    /// Makes the latest commit (by this process or another) visible to
    /// searches that start from now on; searches already running keep the
    /// view they started with.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        self.fresh_outcomes()?;
        Ok(())
    }

    /// The outcomes on disk now: those held when the file's first line
    /// names their version, else the file read anew.
    fn fresh_outcomes(&self) -> Result<Arc<outcomes::Outcomes>> {
        let mut held = self.outcomes.lock().unwrap_or_else(|p| p.into_inner());
        if outcomes::version(&self.dir) != Some(held.version) {
            *held = Arc::new(read_outcomes(&self.dir)?);
        }
        Ok(held.clone())
    }

    /// Which commit and outcomes searches see now; it changes when
    /// [`Self::reload`] picks up new ones, so callers can key caches by it.
    pub fn generation(&self) -> u64 {
        let commit = self.reader.searcher().generation().generation_id();
        commit.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ self.current_outcomes().version
    }

    fn current_outcomes(&self) -> Arc<outcomes::Outcomes> {
        self.outcomes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Number of teams in the index, as the current reader sees it.
    pub fn len(&self) -> u64 {
        let searcher = self.reader.searcher();
        searcher
            .search(&*term(self.f.kind, KIND_TEAM), &Count)
            .map_or(0, |n| n as u64)
    }

    /// Whether the index holds no team.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Runs a query in the `csirt-find` language.
    pub fn search(&self, q: &str, limit: usize, offset: usize) -> Result<Results> {
        let clauses = query::parse(q)?;
        let searcher = self.reader.searcher();
        let query = self.build(&clauses, &searcher);
        let outcomes = self.current_outcomes();
        let statuses = self.statuses(&searcher, &outcomes);
        let wanted: Vec<u8> = clauses
            .iter()
            .filter_map(|c| match c {
                Clause::Signed(query::Signed::Yes) => Some(SIGNED_YES),
                Clause::Signed(query::Signed::No) => Some(SIGNED_NO),
                Clause::Signed(query::Signed::Bad) => Some(SIGNED_BAD),
                _ => None,
            })
            .collect();
        let collect = (TopDocs::with_limit(limit.max(1)).and_offset(offset), Count);
        let (top, total) = if wanted.is_empty() {
            searcher.search(&query, &collect)?
        } else {
            let filter = SignedFilter {
                statuses: statuses.clone(),
                wanted,
                inner: collect,
            };
            searcher.search(&query, &filter)?
        };
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
            (!words.is_empty()).then(|| snippet::generator(&searcher, self.f.text, &words, 200));
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let s = |field: Field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string()
            };
            let n = |field: Field| d.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0);
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
            let team_id = n(self.f.team_id);
            hits.push(Hit {
                score,
                team_id,
                name: s(self.f.name),
                short_name: s(self.f.short_name),
                country: s(self.f.country),
                updated: n(self.f.updated) as u32,
                outcome: outcomes
                    .by_team
                    .get(&team_id)
                    .map_or("unsigned", String::as_str)
                    .to_string(),
                stale: n(self.f.stale) == 1,
                url: s(self.f.url),
                snippet,
                record: s(self.f.record),
            });
        }
        Ok(Results { total, hits })
    }

    fn build(&self, clauses: &[Clause], searcher: &tantivy::Searcher) -> Box<dyn Query> {
        let mut parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
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
                // Applied by the collector, from the outcomes.
                Clause::Signed(_) => {}
                Clause::Stale(b) => parts.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_field_u64(self.f.stale, u64::from(*b)),
                        IndexRecordOption::Basic,
                    )),
                )),
                Clause::Updated(cmp, from, to) => {
                    let t = |v: u32| Term::from_field_u64(self.f.updated, u64::from(v));
                    let (lo, hi) = match cmp {
                        query::Cmp::After => (Bound::Included(t(*to)), Bound::Unbounded),
                        // Unknown dates are 0: "before 2020" means known and before.
                        query::Cmp::Before => (Bound::Included(t(1)), Bound::Excluded(t(*from))),
                        query::Cmp::Within => (Bound::Included(t(*from)), Bound::Excluded(t(*to))),
                    };
                    parts.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
                }
                Clause::Country(c) => parts.push((Occur::Must, term(self.f.country, c))),
            }
        }
        // Nothing positive (only exclusions or `signed:`): every team, and
        // only teams, not their status documents, which no other clause
        // can match.
        let positive = parts.iter().any(|(o, _)| *o != Occur::MustNot);
        if !positive {
            parts.push((Occur::Must, term(self.f.kind, KIND_TEAM)));
        }
        // Only words: at least one must match (the Should clauses do that).
        Box::new(BooleanQuery::new(parts))
    }

    /// The outcome in a team's status document; `unsigned` without one.
    /// The `signed:` table of the commit `searcher` sees and `outcomes`,
    /// made once for both.
    fn statuses(
        &self,
        searcher: &tantivy::Searcher,
        outcomes: &outcomes::Outcomes,
    ) -> Arc<Statuses> {
        let key = (searcher.generation().generation_id(), outcomes.version);
        let mut cached = self.statuses.lock().unwrap_or_else(|p| p.into_inner());
        match &*cached {
            Some(s) if s.key == key => s.clone(),
            _ => {
                let s = Arc::new(Statuses::read(searcher, outcomes));
                *cached = Some(s.clone());
                s
            }
        }
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
            Scope::Key => {
                let k: String = w
                    .chars()
                    .filter(|c| c.is_ascii_hexdigit())
                    .collect::<String>()
                    .to_ascii_uppercase();
                alts.push((Occur::Should, exact(f.key, k)));
            }
            Scope::Lang => alts.push((Occur::Should, exact(f.lang, w.to_ascii_lowercase()))),
            Scope::Country => alts.push((Occur::Should, exact(f.country, w.to_ascii_uppercase()))),
            _ => {
                let fields: Vec<(Field, f32)> = match scope {
                    Scope::All => vec![
                        (f.name, 4.0),
                        (f.short_name, 4.0),
                        (f.constituency, 1.5),
                        (f.text, 1.0),
                    ],
                    Scope::Name => vec![(f.name, 1.0), (f.short_name, 1.0)],
                    Scope::Constituency => vec![(f.constituency, 1.0)],
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
                if matches!(scope, Scope::All)
                    && (w.contains('@')
                        || w.chars().filter(|c| c.is_ascii_hexdigit()).count() >= 16)
                {
                    alts.push((Occur::Should, exact(f.email, w.to_ascii_lowercase())));
                    let k: String = w
                        .chars()
                        .filter(|c| c.is_ascii_hexdigit())
                        .collect::<String>()
                        .to_ascii_uppercase();
                    alts.push((Occur::Should, exact(f.key, k)));
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
        let text_alt: Option<Box<dyn Query>> = in_text.then(|| -> Box<dyn Query> {
            if toks.len() == 1 {
                return Box::new(TermQuery::new(
                    Term::from_field_text(self.f.text, &toks[0]),
                    IndexRecordOption::WithFreqs,
                ));
            }
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
        });
        let mut alts: Vec<(Occur, Box<dyn Query>)> = fields
            .into_iter()
            .map(|field| {
                let q: Box<dyn Query> = if toks.len() == 1 {
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
                };
                (Occur::Should, q)
            })
            .collect();
        alts.extend(text_alt.map(|q| (Occur::Should, q)));
        Some(Box::new(BooleanQuery::new(alts)))
    }
}

/// Adds or replaces teams in the index; each commit makes the changes made
/// since the last one visible at once.
pub struct Updater<'a> {
    writer: tantivy::IndexWriter<TantivyDocument>,
    index: &'a Index,
    /// Every team's outcome, with the changes since the last commit.
    outcomes: outcomes::Outcomes,
    /// Whether tantivy has changes to commit.
    text_changed: bool,
    /// Whether the outcomes file needs writing.
    outcomes_changed: bool,
}

impl Updater<'_> {
    /// Adds a team, replacing any entry with the same `team_id`.
    pub fn upsert(&mut self, e: Entry) -> Result<()> {
        let outcome = e.outcome.clone();
        self.add(Document::new(e), &outcome)
    }

    /// Adds a team's prepared document with its verification outcome,
    /// replacing any entry with the same team id.
    pub fn add(&mut self, d: Document, outcome: &str) -> Result<()> {
        let team_id = d.team_id;
        self.add_text(d)?;
        self.set_outcome(team_id, outcome)
    }

    /// Replaces a team's document and drops its verification outcome until
    /// [`Updater::set_outcome`] gives the new one: a crawl adds a team's text
    /// as soon as it is parsed, and the outcome of the text it replaces
    /// says nothing about the new one. A commit in between shows the team
    /// as unsigned, as a rebuild from the store would.
    pub fn add_text(&mut self, d: Document) -> Result<()> {
        let f = self.index.f;
        debug_assert!(f == fields(), "one schema for documents and indexes");
        self.text_changed = true;
        self.writer
            .delete_term(Term::from_field_u64(f.team_id, d.team_id));
        self.writer.add_document(d.doc)?;
        self.outcomes_changed |= self.outcomes.by_team.remove(&d.team_id).is_some();
        Ok(())
    }

    /// Sets a team's verification outcome. Outcomes are no tantivy
    /// documents: when nothing else changed, a commit writes the small
    /// outcomes file and no segment.
    /// An empty outcome is none: the team shows as unsigned.
    pub fn set_outcome(&mut self, team_id: u64, outcome: &str) -> Result<()> {
        // Codes are words; the file's separators cannot be in one.
        let new = (!outcome.is_empty()).then(|| outcome.replace(['\t', '\n', '\r'], " "));
        let old = match &new {
            Some(code) => self.outcomes.by_team.insert(team_id, code.clone()),
            None => self.outcomes.by_team.remove(&team_id),
        };
        self.outcomes_changed |= old != new;
        Ok(())
    }

    /// Makes every change so far visible at once; the updater can go on.
    pub fn commit(&mut self) -> Result<()> {
        self.write()?;
        self.index.reader.reload()?;
        // The only writer holds what it wrote: no need to read it back.
        *self
            .index
            .outcomes
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Arc::new(self.outcomes.clone());
        Ok(())
    }

    /// Commits and ends: other processes' searches see the changes, and
    /// this [`Index`] sees them after [`Index::reload`]. A crawl's last
    /// commit ends this way, sparing the reload nobody would read from.
    pub fn finish(mut self) -> Result<()> {
        self.write()
    }

    /// The texts first, then the outcomes that go with them; each only
    /// when changed. A failed write is tried again by the next commit.
    fn write(&mut self) -> Result<()> {
        if self.text_changed {
            self.writer.commit()?;
            self.text_changed = false;
        }
        if self.outcomes_changed {
            self.outcomes.version = outcomes::next_version(self.outcomes.version);
            let dir = &self.index.dir;
            self.outcomes
                .write(dir)
                .map_err(|e| Error::Io(dir.join(outcomes::FILE).display().to_string(), e))?;
            self.outcomes_changed = false;
        }
        Ok(())
    }
}

/// A team's entry made into an index document, all but its verification
/// outcome: the costly half of [`Updater::upsert`] (analysing the text,
/// building the word pairs), which a crawler does while it still waits for
/// the signature and key. [`Updater::add_text`] indexes it;
/// [`Updater::set_outcome`] or [`Updater::add`] gives it its outcome.
#[derive(Debug)]
pub struct Document {
    team_id: u64,
    doc: TantivyDocument,
}

impl Document {
    /// Builds the document of `e`; `e.outcome` is left out.
    pub fn new(e: Entry) -> Document {
        let f = fields();
        let mut pairs: Vec<String> = analyze(&e.text)
            .windows(2)
            .map(|w| format!("{} {}", w[0], w[1]))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut d = doc!(
            f.kind => KIND_TEAM,
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
            f.updated => u64::from(e.updated),
            f.stale => u64::from(e.stale),
            f.url => e.url,
            f.record => e.record,
        );
        for a in &e.aliases {
            d.add_text(f.name, a);
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
        Document {
            team_id: e.team_id,
            doc: d,
        }
    }
}

/// The schema's field handles, the same for every index this version
/// opens (fields are numbered in the order [`schema`] adds them).
fn fields() -> Fields {
    static FIELDS: std::sync::OnceLock<Fields> = std::sync::OnceLock::new();
    *FIELDS.get_or_init(|| schema().1)
}

fn term(field: Field, v: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, v),
        IndexRecordOption::Basic,
    ))
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

/// `yes`, `no` or `bad` for an outcome code.
pub fn signed_state(outcome: &str) -> &'static str {
    match outcome {
        "valid" | "valid-key-expired-since" => "yes",
        "unsigned" | "" => "no",
        _ => "bad",
    }
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
