//! An index built with another schema is refused, and replaced on request.

use csirt_index::{Error, Index};
use tantivy::schema::{Schema, STRING};

#[test]
fn another_schema_is_refused_then_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let search = dir.path().join("search");
    std::fs::create_dir_all(&search).unwrap();
    let mut b = Schema::builder();
    b.add_text_field("something_else", STRING);
    drop(tantivy::Index::create_in_dir(&search, b.build()).unwrap());

    match Index::open(&search) {
        Err(Error::Outdated(d)) => assert_eq!(d, search.display().to_string()),
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("an index of another schema was opened"),
    }
    // Leftovers of an interrupted swap are cleared.
    std::fs::create_dir_all(dir.path().join("search.new/junk")).unwrap();
    std::fs::create_dir_all(dir.path().join("search.old")).unwrap();
    let index = Index::open_or_replace(&search).unwrap();
    assert!(index.is_empty().unwrap());
    assert!(!dir.path().join("search.new").exists());
    assert!(!dir.path().join("search.old").exists());
    drop(index);
    // Now current: plain open works, and open_or_replace leaves it alone.
    Index::open(&search).unwrap();
    Index::open_or_replace(&search).unwrap();
}
