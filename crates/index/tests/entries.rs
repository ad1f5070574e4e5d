//! What a team's entry carries into search: its outcome, filtered by
//! `signed:`, and its Date of Last Update, judged stale when asked.

use chrono::NaiveDate;
use csirt_index::{Entry, Index, StaleAfter, When};
use csirt_verify::Outcome;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn entry(team_id: u64, name: &str, outcome: Option<Outcome>, updated: Option<&str>) -> Entry {
    Entry {
        team_id,
        name: name.into(),
        country: "CA".into(),
        constituency: "Universities in Quebec".into(),
        text: "3.2 Constituency\nUniversities in Quebec, faculty and staff.".into(),
        updated: updated.map(day),
        outcome,
        url: format!("https://{name}.example/rfc2350.txt"),
        record: "{}".into(),
        ..Entry::default()
    }
}

fn names(index: &Index, q: &str, when: When) -> Vec<String> {
    let mut n: Vec<String> = index
        .search(q, 50, 0, when)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.name)
        .collect();
    n.sort();
    n
}

fn index_of(entries: Vec<Entry>) -> (tempfile::TempDir, Index) {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    index.rebuild(entries).unwrap();
    (dir, index)
}

#[test]
fn signed_filters_read_the_outcome_written_with_the_text() {
    let (_d, index) = index_of(vec![
        entry(1, "good", Some(Outcome::Valid), None),
        entry(2, "old-key", Some(Outcome::ValidKeyExpiredSince), None),
        entry(3, "broken", Some(Outcome::BadSignature), None),
        entry(4, "plain", Some(Outcome::Unsigned), None),
        entry(5, "unchecked", None, None),
    ]);
    let when = When::default_on(day("2026-12-03"));
    assert_eq!(names(&index, "signed:yes", when), ["good", "old-key"]);
    assert_eq!(names(&index, "signed:bad", when), ["broken"]);
    // Never checked counts as unsigned.
    assert_eq!(names(&index, "signed:no", when), ["plain", "unchecked"]);
    assert_eq!(
        names(&index, "quebec signed:yes", when),
        ["good", "old-key"]
    );
    let hits = index.search("name:broken", 10, 0, when).unwrap().hits;
    assert_eq!(hits[0].outcome, Some(Outcome::BadSignature));
    let hits = index.search("name:unchecked", 10, 0, when).unwrap().hits;
    assert_eq!(hits[0].outcome, None);
}

#[test]
fn a_replaced_team_has_the_outcome_of_its_new_entry_only() {
    let (_d, index) = index_of(vec![entry(1, "xyz", Some(Outcome::Valid), None)]);
    let mut u = index.updater().unwrap();
    u.upsert(entry(1, "xyz", Some(Outcome::BadSignature), None))
        .unwrap();
    u.commit().unwrap();
    let when = When::default_on(day("2026-12-03"));
    assert_eq!(names(&index, "signed:bad", when), ["xyz"]);
    assert!(names(&index, "signed:yes", when).is_empty());
    assert_eq!(index.len().unwrap(), 1);
}

#[test]
fn a_document_364_days_old_is_current_today_and_stale_tomorrow_without_a_reindex() {
    let (_d, index) = index_of(vec![
        entry(1, "edge", None, Some("2025-12-04")),
        entry(2, "fresh", None, Some("2026-11-01")),
        entry(3, "undated", None, None),
    ]);
    let today = When::default_on(day("2026-12-03"));
    let tomorrow = When::default_on(day("2026-12-04"));
    assert_eq!(names(&index, "stale:no", today), ["edge", "fresh"]);
    assert_eq!(names(&index, "stale:yes", today), ["undated"]);
    assert_eq!(names(&index, "stale:yes", tomorrow), ["edge", "undated"]);
    let hit = |when| index.search("name:edge", 1, 0, when).unwrap().hits[0].stale;
    assert!(!hit(today));
    assert!(hit(tomorrow));
}

#[test]
fn the_stale_filter_and_each_hits_flag_agree_for_any_threshold() {
    let dates = [
        "2026-12-03",
        "2026-06-01",
        "2025-12-04",
        "2025-12-03",
        "2019-01-01",
    ];
    let (_d, index) = index_of(
        dates
            .iter()
            .enumerate()
            .map(|(i, d)| entry(i as u64, &format!("t{i}"), None, Some(d)))
            .collect(),
    );
    for days in [0, 1, 100, 364, 365, 366, 3000] {
        let when = When {
            today: day("2026-12-03"),
            stale_after: StaleAfter::days(days),
        };
        let all = index.search("quebec", 50, 0, when).unwrap().hits;
        let flagged: Vec<String> = {
            let mut v: Vec<String> = all
                .iter()
                .filter(|h| h.stale)
                .map(|h| h.name.clone())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&index, "stale:yes", when), flagged, "{days} days");
        for h in &all {
            assert_eq!(
                h.stale,
                when.stale_after.is_stale(h.updated, when.today),
                "{days}: {}",
                h.name
            );
        }
    }
}
