//! A document prepared ahead ([`Document`]) and given its outcome later is
//! found exactly like an entry added whole ([`Updater::upsert`]).

use csirt_index::{Document, Entry, Index};

fn entry(team_id: u64, name: &str, outcome: &str) -> Entry {
    Entry {
        team_id,
        name: name.into(),
        country: "CA".into(),
        constituency: "Universities in Quebec".into(),
        text: "3.2 Constituency\nUniversities in Quebec, faculty and staff.\n\
               2.7 Electronic Mail Address\ncert@xyz.example"
            .into(),
        emails: vec!["cert@xyz.example".into()],
        keys: vec!["0123456789ABCDEF0123456789ABCDEF01234567".into()],
        updated: 20260115,
        outcome: outcome.into(),
        url: format!("https://{name}.example/rfc2350.txt"),
        record: "{}".into(),
        ..Entry::default()
    }
}

/// The hits with their scores, sorted: equal scores come in segment
/// order, which depends on which indexing thread took the document.
fn hits(index: &Index, q: &str) -> Vec<String> {
    let r = index.search(q, 10, 0).unwrap();
    let mut h: Vec<String> = r
        .hits
        .iter()
        .map(|h| {
            format!(
                "{:.4} {} {} {} {}",
                h.score, h.name, h.outcome, h.url, h.snippet
            )
        })
        .collect();
    h.sort();
    h
}

/// An empty index in a folder of its own (kept alive by the caller).
fn fresh() -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    (dir, index)
}

#[test]
fn a_prepared_document_is_found_like_a_whole_entry() {
    let ((_a, whole), (_b, prepared)) = (fresh(), fresh());
    let mut u = whole.updater().unwrap();
    u.upsert(entry(1, "xyz", "valid")).unwrap();
    u.upsert(entry(2, "abc", "bad-signature")).unwrap();
    u.commit().unwrap();
    let mut u = prepared.updater().unwrap();
    let mut e = entry(1, "xyz", "ignored");
    e.outcome.clear();
    u.add(Document::new(e), "valid").unwrap();
    u.add(Document::new(entry(2, "abc", "")), "bad-signature")
        .unwrap();
    u.commit().unwrap();
    for q in [
        "universities quebec",
        "\"faculty and staff\"",
        "signed:yes",
        "signed:bad",
        "email:xyz.example",
        "key:89ABCDEF01234567",
        "country:CA",
        "name:abc",
    ] {
        let h = hits(&whole, q);
        assert!(!h.is_empty(), "{q}");
        assert_eq!(h, hits(&prepared, q), "{q}");
    }
}

#[test]
fn adding_a_prepared_document_replaces_the_teams_entry() {
    let (_dir, index) = fresh();
    let mut u = index.updater().unwrap();
    u.upsert(entry(1, "xyz", "unsigned")).unwrap();
    u.commit().unwrap();
    u.add(Document::new(entry(1, "xyz", "")), "valid").unwrap();
    u.commit().unwrap();
    assert_eq!(hits(&index, "name:xyz").len(), 1);
    assert!(hits(&index, "signed:no").is_empty());
}

#[test]
fn text_indexed_first_and_its_outcome_later_is_found_like_a_whole_entry() {
    let ((_a, whole), (_b, split)) = (fresh(), fresh());
    let mut u = whole.updater().unwrap();
    u.upsert(entry(1, "xyz", "valid")).unwrap();
    u.upsert(entry(2, "abc", "bad-signature")).unwrap();
    u.commit().unwrap();
    let mut u = split.updater().unwrap();
    u.add_text(Document::new(entry(1, "xyz", ""))).unwrap();
    u.add_text(Document::new(entry(2, "abc", ""))).unwrap();
    u.set_outcome(2, "bad-signature").unwrap();
    u.set_outcome(1, "valid").unwrap();
    u.commit().unwrap();
    assert_eq!(split.len(), 2, "status documents are not teams");
    for q in ["universities quebec", "signed:yes", "signed:bad", "-abc"] {
        assert_eq!(hits(&whole, q), hits(&split, q), "{q}");
    }
}

#[test]
fn a_team_without_an_outcome_counts_as_unsigned() {
    let (_dir, index) = fresh();
    let mut u = index.updater().unwrap();
    u.add_text(Document::new(entry(1, "xyz", ""))).unwrap();
    u.upsert(entry(2, "abc", "valid")).unwrap();
    u.commit().unwrap();
    let names = |q: &str| -> Vec<String> {
        let r = index.search(q, 10, 0).unwrap();
        r.hits
            .iter()
            .map(|h| format!("{} {}", h.name, h.outcome))
            .collect()
    };
    assert_eq!(names("signed:no"), ["xyz unsigned"]);
    assert_eq!(names("signed:yes"), ["abc valid"]);
    assert!(names("signed:bad").is_empty());
    // A later outcome replaces the earlier one.
    u.set_outcome(2, "bad-signature").unwrap();
    u.commit().unwrap();
    assert_eq!(names("signed:bad"), ["abc bad-signature"]);
    assert!(names("signed:yes").is_empty());
}

#[test]
fn new_text_drops_the_outcome_of_the_text_it_replaces() {
    let (_dir, index) = fresh();
    let mut u = index.updater().unwrap();
    u.upsert(entry(1, "xyz", "valid")).unwrap();
    u.commit().unwrap();
    // A crawl indexes the team's new document before checking it; a commit
    // in between must not show the old "valid" on the new text.
    let mut changed = entry(1, "xyz", "");
    changed.constituency = "Hospitals in Quebec".into();
    u.add_text(Document::new(changed)).unwrap();
    u.commit().unwrap();
    let outcomes = |q: &str| -> Vec<String> {
        let r = index.search(q, 10, 0).unwrap();
        r.hits.iter().map(|h| h.outcome.clone()).collect()
    };
    assert_eq!(outcomes("hospitals"), ["unsigned"]);
    assert!(outcomes("signed:yes").is_empty());
    u.set_outcome(1, "valid").unwrap();
    u.commit().unwrap();
    assert_eq!(outcomes("hospitals signed:yes"), ["valid"]);
}

#[test]
fn a_finished_updater_leaves_its_changes_for_whoever_opens_the_index() {
    let (dir, index) = fresh();
    let mut u = index.trickle_updater().unwrap();
    u.upsert(entry(1, "xyz", "valid")).unwrap();
    u.finish().unwrap();
    // The writer is gone: another can start.
    index.trickle_updater().unwrap();
    assert_eq!(
        hits(&Index::open(dir.path()).unwrap(), "universities").len(),
        1
    );
    index.reload().unwrap();
    assert_eq!(hits(&index, "universities").len(), 1);
}
