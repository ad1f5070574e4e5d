//! An observer is the caller's code, run inside the crawl: a bug in it
//! costs nothing that is stored.

use std::sync::{Arc, Mutex};

use csirt_crawl::{Config, Observer, Progress, TeamSeed, Url};

/// Panics for every team it hears of; remembers which teams were done.
#[derive(Default)]
struct Panicky {
    done: Mutex<Vec<i64>>,
}

impl Observer for Panicky {
    fn team_done(&self, team_id: i64) {
        self.done.lock().unwrap().push(team_id);
        panic!("a bug in the observer");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_observer_costs_nothing_stored() {
    let dir = tempfile::tempdir().unwrap();
    let mut seeds = Vec::new();
    for name in ["OBS-A", "OBS-B"] {
        let path = dir.path().join(format!("{name}.txt"));
        std::fs::write(
            &path,
            format!("2.1 Name of the Team\n{name}\n3.2 Constituency\nUniversities.\n"),
        )
        .unwrap();
        seeds.push(TeamSeed::with_document(
            name,
            Url::from_file_path(&path).unwrap(),
        ));
    }
    let data = dir.path().join("data");
    let store = csirt_store::Store::open(&data).unwrap();
    let observer = Arc::new(Panicky::default());
    let summary = csirt_crawl::crawl(
        seeds,
        store,
        Config::default(),
        Arc::new(Progress::default()),
        observer.clone(),
    )
    .await
    .unwrap();
    assert_eq!(summary.fetched, 2, "{summary:?}");
    assert_eq!(summary.checked, 2, "{summary:?}");
    assert_eq!(observer.done.lock().unwrap().len(), 2, "both teams finish");
    let store = csirt_store::Store::open(&data).unwrap();
    assert_eq!(store.count("versions").unwrap(), 2);
    assert_eq!(store.count("results").unwrap(), 2);
    assert!(store.check().unwrap().database_ok);
}
