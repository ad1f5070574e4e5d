//! A second writer is told plainly that the index is taken.

use csirt_index::{Error, Index};

#[test]
fn a_second_writer_hears_the_index_is_busy_until_the_first_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open(dir.path()).unwrap();
    let first = index.updater().unwrap();
    let other = Index::open(dir.path()).unwrap();
    match other.updater() {
        Err(Error::Busy) => {}
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("two writers at once"),
    }
    drop(first);
    other.updater().unwrap();
}
