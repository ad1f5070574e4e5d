//! The index folder on disk: what a reopened index finds, what is cleaned
//! up, and what is never overwritten.

use csirt_index::{Entry, Error, Index};

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
        let mut u = index.trickle_updater().unwrap();
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
    assert_eq!(index.len(), 30);
    let found = index.search("universities Quebec", 50, 0).unwrap();
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
    assert!(index.is_empty());
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

/// What tantivy has on disk: its file list and commit point.
fn tantivy_state(dir: &std::path::Path) -> (Vec<String>, Vec<u8>) {
    let names = files(dir)
        .into_iter()
        .filter(|n| n != "outcomes.tsv")
        .collect();
    (names, std::fs::read(dir.join("meta.json")).unwrap())
}

#[test]
fn outcomes_alone_are_committed_without_a_segment_and_other_readers_see_them() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut u = index.trickle_updater().unwrap();
    u.upsert(entry(1)).unwrap();
    u.upsert(entry(2)).unwrap();
    u.commit().unwrap();
    let other = Index::open(dir.path()).unwrap();
    let seen = other.generation();
    let before = tantivy_state(dir.path());
    u.set_outcome(1, "valid").unwrap();
    u.set_outcome(2, "bad-signature").unwrap();
    u.finish().unwrap();
    assert_eq!(
        tantivy_state(dir.path()),
        before,
        "a tantivy commit was made"
    );
    // Another process's reader: nothing new until it reloads, then the
    // outcomes and a new generation (what the server keys its cache by).
    let outcome = |i: &Index, q: &str| {
        let found = i.search(q, 5, 0).unwrap();
        found
            .hits
            .iter()
            .map(|h| h.outcome.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(outcome(&other, "signed:yes"), Vec::<String>::new());
    other.reload().unwrap();
    assert_ne!(other.generation(), seen);
    assert_eq!(outcome(&other, "signed:yes"), ["valid"]);
    assert_eq!(outcome(&other, "signed:bad"), ["bad-signature"]);
    // And a fresh open, as csirt-find does.
    drop((index, other));
    let index = Index::open(dir.path()).unwrap();
    assert_eq!(outcome(&index, "signed:yes"), ["valid"]);
}

#[test]
fn a_new_text_or_an_empty_outcome_leaves_the_team_unsigned() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut u = index.trickle_updater().unwrap();
    for t in 1..=2 {
        u.upsert(Entry {
            outcome: "valid".into(),
            ..entry(t)
        })
        .unwrap();
    }
    u.commit().unwrap();
    assert_eq!(index.search("signed:yes", 5, 0).unwrap().total, 2);
    u.add_text(csirt_index::Document::new(entry(1))).unwrap();
    u.set_outcome(2, "").unwrap();
    u.commit().unwrap();
    let found = index.search("signed:no", 5, 0).unwrap();
    assert_eq!(found.total, 2);
    assert!(found.hits.iter().all(|h| h.outcome == "unsigned"));
}

#[test]
fn a_damaged_outcomes_file_is_refused_until_a_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    index
        .rebuild([Entry {
            outcome: "valid".into(),
            ..entry(1)
        }])
        .unwrap();
    drop(index);
    let file = dir.path().join("outcomes.tsv");
    let text = std::fs::read_to_string(&file).unwrap();
    // Cut short by a crash of something other than us.
    std::fs::write(&file, &text[..text.len() - 3]).unwrap();
    let err = Index::open(dir.path())
        .err()
        .expect("a damaged file was read");
    assert!(matches!(err, Error::Damaged(..)), "{err:?}");
    assert!(err.to_string().contains("outcomes"), "{err}");
    assert!(err.to_string().contains("run `csirt index`"), "{err}");
    let index = Index::open_or_replace(dir.path()).unwrap();
    assert!(index.is_empty());
}

#[test]
fn a_writer_removes_what_writes_cut_short_left_and_the_index_stays_whole() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut u = index.trickle_updater().unwrap();
    for t in 0..3 {
        u.upsert(entry(t)).unwrap();
        u.set_outcome(t, "valid").unwrap();
    }
    u.commit().unwrap();
    drop(u);
    let before = files(dir.path());
    // What a crash leaves: an outcomes write and a tantivy write cut before
    // their rename, and a segment file no commit names.
    let leftovers = [
        ".outcomesXyZ789",
        ".tmpAbC123",
        "00000000000000000000000000000abc.idx",
    ];
    for name in leftovers {
        std::fs::write(dir.path().join(name), "half").unwrap();
    }
    drop(index.trickle_updater().unwrap());
    assert_eq!(files(dir.path()), before);
    drop(index);
    let index = Index::open(dir.path()).unwrap();
    assert_eq!(index.len(), 3);
    assert_eq!(index.search("signed:yes", 5, 0).unwrap().total, 3);
}

#[test]
fn an_outcomes_file_that_cannot_be_written_is_named_and_written_by_the_next_commit() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let mut u = index.trickle_updater().unwrap();
    u.upsert(entry(1)).unwrap();
    u.set_outcome(1, "valid").unwrap();
    // Something in the way of the rename: a folder of that name.
    let file = dir.path().join("outcomes.tsv");
    std::fs::create_dir(&file).unwrap();
    std::fs::write(file.join("x"), "").unwrap();
    let err = u.commit().expect_err("the outcomes were written");
    assert!(matches!(err, Error::Io(..)), "{err:?}");
    assert!(err.to_string().contains("outcomes.tsv"), "{err}");
    std::fs::remove_dir_all(&file).unwrap();
    u.commit().unwrap();
    drop(u);
    drop(index);
    let found = Index::open(dir.path())
        .unwrap()
        .search("signed:yes", 5, 0)
        .unwrap();
    assert_eq!(found.total, 1);
}

#[test]
fn an_outcomes_file_that_cannot_be_read_is_named() {
    let dir = tempfile::tempdir().unwrap();
    drop(Index::open(dir.path()).unwrap());
    std::fs::create_dir(dir.path().join("outcomes.tsv")).unwrap();
    let err = Index::open(dir.path()).err().expect("a folder was read");
    assert!(matches!(err, Error::Io(..)), "{err:?}");
    assert!(err.to_string().contains("outcomes.tsv"), "{err}");
}
