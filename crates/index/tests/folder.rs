//! The index folder on disk, in tantivy's own `MmapDirectory`: what a
//! reopened index finds, what tantivy's garbage collection removes, and
//! what is never overwritten.

use csirt_index::{Entry, Error, Index, When};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
}

fn entry(team_id: u64) -> Entry {
    Entry {
        team_id,
        name: format!("TEAM-{team_id}"),
        constituency: "universities in Quebec".into(),
        ..Entry::default()
    }
}

/// Files of the folder, without tantivy's lock files.
fn files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".tantivy"))
        .collect();
    names.sort();
    names
}

#[test]
fn many_commits_leave_a_folder_that_reopens_whole_and_holds_no_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = Index::open(dir.path()).unwrap();
        let mut u = index.updater().unwrap();
        for round in 0..6 {
            for t in 0..5 {
                u.upsert(entry(round * 5 + t)).unwrap();
            }
            u.commit().unwrap();
        }
        drop(u);
        // Replacing every team leaves the older segments unused.
        index.rebuild((0..30).map(entry)).unwrap();
    }
    let names = files(dir.path());
    // Everything written out: no temporary file, and tantivy's list of
    // its files is on disk.
    assert!(!names.iter().any(|n| n.starts_with(".tmp")), "{names:?}");
    assert!(names.contains(&".managed.json".to_string()), "{names:?}");
    let index = Index::open(dir.path()).unwrap();
    assert_eq!(index.len().unwrap(), 30);
    let found = index
        .search("universities Quebec", 50, 0, When::default_on(today()))
        .unwrap();
    assert_eq!(found.hits.len(), 30);
    // The unused segments were deleted, so the list tantivy keeps is the
    // truth: every file it names exists.
    let managed = std::fs::read_to_string(dir.path().join(".managed.json")).unwrap();
    // A JSON list of file names: every other piece between quotes.
    let listed: Vec<&str> = managed.split('"').skip(1).step_by(2).collect();
    assert!(listed.contains(&"meta.json"), "{managed}");
    for f in &listed {
        assert!(dir.path().join(f).exists(), "{f} is listed but gone");
    }
}

/// What a caller printing `err` with its sources (`{:#}`) shows.
fn chain(err: &Error) -> String {
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push_str(&format!(": {s}"));
        source = s.source();
    }
    chain
}

#[test]
fn a_damaged_index_is_refused_and_left_as_it_is_until_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    drop(Index::open(dir.path()).unwrap());
    let meta = dir.path().join("meta.json");
    std::fs::write(&meta, b"{ not json").unwrap();
    let err = Index::open(dir.path())
        .err()
        .expect("a damaged index opened");
    assert!(matches!(err, Error::Damaged(..)), "{err:?}");
    assert!(err.to_string().starts_with("search index:"), "{err}");
    // The chain names the folder and the cure once, and does not quote
    // the damaged file (tantivy's own message does).
    let chain = chain(&err);
    let folder = dir.path().display().to_string();
    assert_eq!(chain.matches(folder.as_str()).count(), 1, "{chain}");
    assert_eq!(chain.matches("run `csirt index`").count(), 1, "{chain}");
    assert!(!chain.contains("not json"), "{chain}");
    // Not replaced by an empty one on open: `csirt index` is the cure.
    assert_eq!(std::fs::read(&meta).unwrap(), b"{ not json");
    let index = Index::open_or_replace(dir.path()).unwrap();
    assert!(index.is_empty().unwrap());
    drop(index);
    Index::open(dir.path()).unwrap();
}

#[test]
fn a_tantivy_error_is_said_once() {
    let err = Error::from(tantivy::TantivyError::InvalidArgument(
        "a one-off reason".into(),
    ));
    let chain = chain(&err);
    assert_eq!(chain.matches("a one-off reason").count(), 1, "{chain}");
}

#[test]
fn the_files_of_a_writer_that_never_committed_are_removed_by_the_next_commit() {
    // What a crawl killed mid-way leaves: segment files tantivy listed as
    // its own before writing them, named by no commit.
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    index.rebuild((0..3).map(entry)).unwrap();
    let committed = files(dir.path());
    {
        let mut u = index.updater().unwrap();
        // Enough text to fill the writer's memory: it writes segments out.
        for t in 0..400 {
            let mut e = entry(100 + t);
            e.text = (0..4000).map(|w| format!("w{t}x{w} ")).collect();
            u.upsert(e).unwrap();
        }
        // Dropped without a commit: no meta.json names what it wrote.
    }
    let orphans = files(dir.path()).len() - committed.len();
    assert!(
        orphans > 0,
        "the writer wrote no segment: the test shows nothing"
    );
    let reopened = Index::open(dir.path()).unwrap();
    assert_eq!(
        reopened.len().unwrap(),
        3,
        "uncommitted teams are invisible"
    );
    let mut u = reopened.updater().unwrap();
    u.upsert(entry(0)).unwrap();
    u.commit().unwrap();
    drop(u);
    let after = files(dir.path());
    let managed = std::fs::read_to_string(dir.path().join(".managed.json")).unwrap();
    let listed: Vec<&str> = managed.split('"').skip(1).step_by(2).collect();
    for f in &after {
        assert!(
            f.starts_with('.') || listed.contains(&f.as_str()),
            "{f} is on disk but no longer tantivy's ({committed:?} -> {after:?})"
        );
    }
    // Every segment file on disk belongs to the segments of the commit.
    let meta = std::fs::read_to_string(dir.path().join("meta.json"))
        .unwrap()
        .replace('-', "");
    for f in after
        .iter()
        .filter(|f| f.contains('.') && !f.starts_with('.') && *f != "meta.json")
    {
        let segment = f.split('.').next().unwrap().replace('-', "");
        assert!(
            meta.contains(&segment),
            "{f} is left over from the uncommitted writer"
        );
    }
    assert_eq!(reopened.len().unwrap(), 3);
}
