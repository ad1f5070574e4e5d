//! The index's folder: tantivy's [`MmapDirectory`], with the disk syncs of
//! a commit made together instead of one after another.
//!
//! Why: tantivy syncs each file of a new segment as it finishes it, and
//! rewrites and syncs `.managed.json` (its list of files to clean up) before
//! creating each one: about fourteen syncs in a row for one commit, most of
//! its time when the commit is small. A crawl ends with such a commit (the
//! outcomes of the last teams), and the crawl is not over until it is.
//!
//! Here a finished file is only flushed, and a rewrite of any small file
//! but `meta.json` is kept in memory; [`Directory::sync_directory`], which
//! tantivy calls before it writes `meta.json`, writes those out and syncs
//! everything at once, in parallel, then the folder. So when `meta.json`
//! names a segment, the segment is on disk, as before.
//!
//! Measured on the development machine (an SSD-backed VM, where one
//! `fdatasync` takes 0.3-1 ms): 30 commits of 20 teams each, median commit
//! 15.6-19.3 ms with tantivy's folder, 12.4-15.8 ms with this one. Where a
//! sync costs more (a spinning disk, a network volume), the gap grows with
//! it.
//!
//! What a crash can cost: files created since the last sync may survive it
//! without being listed in `.managed.json` (tantivy deletes only the files
//! it lists), and so may the temporary file of a write cut short. Nothing
//! readable changes: a reader only follows `meta.json`. The next writer
//! removes such files ([`remove_cut_writes`]).

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

/// Written by tantivy only after a sync, and what readers follow: never
/// deferred.
const META: &str = "meta.json";

/// Syncs at once, at most: enough for the files of a segment or two.
const SYNC_THREADS: usize = 16;

/// [`MmapDirectory`] with the syncs gathered at [`Directory::sync_directory`].
#[derive(Clone, Debug)]
pub(crate) struct GroupSync {
    inner: MmapDirectory,
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    root: PathBuf,
    /// Held through a whole sync, so that a sync that comes second waits
    /// until the files the first took are on disk, and a replaced file is
    /// read from memory until it is in place.
    pending: Mutex<Pending>,
}

/// What the next sync must make durable.
#[derive(Debug, Default)]
struct Pending {
    /// Files written and flushed, not synced.
    files: Vec<File>,
    /// Small files replaced in memory (`.managed.json`), by path.
    replaced: BTreeMap<PathBuf, Vec<u8>>,
}

impl GroupSync {
    /// Opens the folder `root`, which must exist.
    pub(crate) fn open(root: &Path) -> tantivy::Result<GroupSync> {
        Ok(GroupSync {
            inner: MmapDirectory::open(root)?,
            shared: Arc::new(Shared {
                root: root.to_path_buf(),
                pending: Mutex::new(Pending::default()),
            }),
        })
    }
}

impl Shared {
    fn pending(&self) -> MutexGuard<'_, Pending> {
        // A panic while the list was held leaves it whole: nothing in it is
        // half-updated.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the replaced files, syncs them and the written files in
    /// parallel, puts the replaced files in place, then syncs the folder.
    /// A failed sync drops what it was given: syncing again after a
    /// failed `fdatasync` proves nothing, and tantivy writes its whole file
    /// list anew with the next change.
    fn sync(&self) -> io::Result<()> {
        let mut pending = self.pending();
        let Pending { files, replaced } = std::mem::take(&mut *pending);
        let mut temps = Vec::with_capacity(replaced.len());
        for (path, data) in replaced {
            let mut temp = tempfile::Builder::new().tempfile_in(&self.root)?;
            temp.write_all(&data)?;
            temps.push((temp, path));
        }
        let mut all: Vec<&File> = files.iter().collect();
        all.extend(temps.iter().map(|(t, _)| t.as_file()));
        sync_all(&all)?;
        for (temp, path) in temps {
            temp.persist(self.root.join(path)).map_err(|e| e.error)?;
        }
        File::open(&self.root)?.sync_data()
    }
}

impl Drop for Shared {
    /// The last handle gone (tantivy's writer and readers closed): a
    /// replaced file still in memory goes to disk. A failure here has no
    /// caller to go to, and costs little: the files in memory are tantivy's
    /// clean-up lists, so the worst is a few unused files left on disk.
    fn drop(&mut self) {
        let pending = self.pending();
        let idle = pending.files.is_empty() && pending.replaced.is_empty();
        drop(pending);
        if !idle {
            let _ = self.sync();
        }
    }
}

/// `fdatasync` on every file, several at once: the file system commits
/// them together rather than once each.
fn sync_all(files: &[&File]) -> io::Result<()> {
    if files.len() <= 1 {
        return files.iter().try_for_each(|f| f.sync_data());
    }
    let per_thread = files.len().div_ceil(SYNC_THREADS);
    std::thread::scope(|s| {
        let chunks: Vec<_> = files
            .chunks(per_thread)
            .map(|chunk| s.spawn(move || chunk.iter().try_for_each(|f| f.sync_data())))
            .collect();
        // The scope joins every thread, also those after a failure.
        chunks
            .into_iter()
            .try_for_each(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
    })
}

impl Directory for GroupSync {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        if self.shared.pending().replaced.remove(path).is_some() {
            // Never written out: gone if it was not on disk before either.
            return match self.inner.delete(path) {
                Err(DeleteError::FileDoesNotExist(_)) => Ok(()),
                other => other,
            };
        }
        self.inner.delete(path)
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        if self.shared.pending().replaced.contains_key(path) {
            return Ok(true);
        }
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.shared.root.join(path))
            .map_err(|e| match e.kind() {
                io::ErrorKind::AlreadyExists => OpenWriteError::FileAlreadyExists(path.into()),
                _ => OpenWriteError::wrap_io_error(e, path.into()),
            })?;
        Ok(BufWriter::new(Box::new(Unsynced {
            file: Some(file),
            shared: self.shared.clone(),
        })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        if let Some(data) = self.shared.pending().replaced.get(path) {
            return Ok(data.clone());
        }
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        if path == Path::new(META) {
            // tantivy has just synced; this only makes sure of it.
            self.shared.sync()?;
            return self.inner.atomic_write(path, data);
        }
        self.shared
            .pending()
            .replaced
            .insert(path.to_path_buf(), data.to_vec());
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.shared.sync()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// A new file: flushed when tantivy finishes it, synced at the next
/// [`Directory::sync_directory`].
struct Unsynced {
    /// None once finished.
    file: Option<File>,
    shared: Arc<Shared>,
}

impl Write for Unsynced {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("write after the file was finished")),
        }
    }

    /// A `File` has no buffer of its own: nothing to do (and tantivy's
    /// `MmapDirectory` does the same).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl TerminatingWrite for Unsynced {
    fn terminate_ref(&mut self, _: AntiCallToken) -> io::Result<()> {
        if let Some(f) = self.file.take() {
            self.shared.pending().files.push(f);
        }
        Ok(())
    }
}

/// Removes from the index folder `dir` what writes cut short by a crash
/// left: temporary files (tantivy's and this module's, named by the
/// `tempfile` crate's default prefix, and the outcomes file's) and segment
/// files that `used` (the files of the segments `meta.json` names) does not
/// hold. Only a writer may call it, holding the index's lock, before it
/// writes anything: no other write can be under way. A file that cannot be
/// removed does not keep the others: the first such error is returned once
/// all were tried.
pub(crate) fn remove_cut_writes(dir: &Path, used: &HashSet<PathBuf>) -> io::Result<()> {
    let mut first_error = None;
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let Some(name) = name.to_str() else { continue };
        let temporary = name.starts_with(".tmp") || name.starts_with(crate::outcomes::TEMP_PREFIX);
        let unused_segment = is_segment_file(name) && !used.contains(Path::new(name));
        if temporary || unused_segment {
            if let Err(e) = std::fs::remove_file(dir.join(name)) {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Whether `name` is one of a segment's files: tantivy names them after the
/// segment's id (32 lowercase hex digits), then a dot and the component.
fn is_segment_file(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() > 33
        && b[32] == b'.'
        && b[..32]
            .iter()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty folder, and the directory over it.
    fn folder() -> (tempfile::TempDir, GroupSync) {
        let tmp = tempfile::tempdir().unwrap();
        let d = GroupSync::open(tmp.path()).unwrap();
        (tmp, d)
    }

    fn finished(d: &GroupSync, name: &str, data: &[u8]) {
        let mut w = d.open_write(Path::new(name)).unwrap();
        w.write_all(data).unwrap();
        w.terminate().unwrap();
    }

    #[test]
    fn written_files_wait_for_the_sync() {
        let (_tmp, d) = folder();
        finished(&d, "a.idx", b"aaaa");
        finished(&d, "b.idx", b"bb");
        assert_eq!(d.shared.pending().files.len(), 2);
        // Readable at once, as tantivy expects of a finished file.
        let read = d.open_read(Path::new("a.idx")).unwrap();
        assert_eq!(read.read_bytes().unwrap().as_slice(), b"aaaa");
        d.sync_directory().unwrap();
        assert!(d.shared.pending().files.is_empty());
    }

    #[test]
    fn a_replaced_file_is_kept_in_memory_until_the_sync() {
        let (tmp, d) = folder();
        let list = Path::new(".managed.json");
        d.atomic_write(list, b"[1]").unwrap();
        d.atomic_write(list, b"[1,2]").unwrap();
        assert!(!tmp.path().join(list).exists());
        assert!(d.exists(list).unwrap());
        assert_eq!(d.atomic_read(list).unwrap(), b"[1,2]");
        d.sync_directory().unwrap();
        assert_eq!(std::fs::read(tmp.path().join(list)).unwrap(), b"[1,2]");
        // No temporary file left beside it.
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn meta_json_is_written_at_once_after_everything_pending() {
        let (tmp, d) = folder();
        finished(&d, "c.store", b"c");
        d.atomic_write(Path::new(".managed.json"), b"[]").unwrap();
        d.atomic_write(Path::new(META), b"{}").unwrap();
        assert_eq!(std::fs::read(tmp.path().join(META)).unwrap(), b"{}");
        assert_eq!(
            std::fs::read(tmp.path().join(".managed.json")).unwrap(),
            b"[]"
        );
        assert!(d.shared.pending().files.is_empty());
    }

    #[test]
    fn the_last_handle_saves_what_is_left() {
        let (tmp, d) = folder();
        let clone = d.clone();
        d.atomic_write(Path::new(".managed.json"), b"[3]").unwrap();
        drop(d);
        assert!(!tmp.path().join(".managed.json").exists());
        drop(clone);
        assert_eq!(
            std::fs::read(tmp.path().join(".managed.json")).unwrap(),
            b"[3]"
        );
    }

    #[test]
    fn deleting_a_file_never_written_out_succeeds() {
        let (_tmp, d) = folder();
        let p = Path::new(".managed.json");
        d.atomic_write(p, b"[]").unwrap();
        d.delete(p).unwrap();
        assert!(!d.exists(p).unwrap());
        assert!(matches!(d.delete(p), Err(DeleteError::FileDoesNotExist(_))));
    }

    #[test]
    fn a_file_deleted_before_the_sync_does_not_fail_it() {
        let (_tmp, d) = folder();
        finished(&d, "gone.pos", b"x");
        d.delete(Path::new("gone.pos")).unwrap();
        d.sync_directory().unwrap();
    }

    #[test]
    fn an_existing_file_is_not_overwritten() {
        let (_tmp, d) = folder();
        finished(&d, "x.fast", b"1");
        assert!(matches!(
            d.open_write(Path::new("x.fast")),
            Err(OpenWriteError::FileAlreadyExists(_))
        ));
    }

    #[test]
    fn what_cut_writes_left_is_removed_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let id = "0123456789abcdef0123456789abcdef";
        let other = "fedcba9876543210fedcba9876543210";
        let kept = [
            "meta.json".to_string(),
            ".managed.json".to_string(),
            ".tantivy-writer.lock".to_string(),
            "outcomes.tsv".to_string(),
            format!("{id}.idx"),
            format!("{id}.2.del"),
            // Not a segment's name: 32 hex digits, but no component.
            other.to_string(),
            format!("{}.idx", other.to_uppercase()),
        ];
        let removed = [
            ".tmpAbC123".to_string(),
            ".outcomesXyZ789".to_string(),
            format!("{other}.idx"),
            format!("{other}.store.temp"),
            format!("{id}.1.del"),
        ];
        for name in kept.iter().chain(&removed) {
            std::fs::write(tmp.path().join(name), b"x").unwrap();
        }
        let used = [format!("{id}.idx"), format!("{id}.2.del")]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        remove_cut_writes(tmp.path(), &used).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let mut want = kept.to_vec();
        want.sort();
        assert_eq!(left, want);
    }

    #[test]
    fn a_leftover_that_cannot_be_removed_does_not_keep_the_others() {
        let tmp = tempfile::tempdir().unwrap();
        // A folder: remove_file refuses it, whatever the user's rights.
        std::fs::create_dir(tmp.path().join(".tmpStuck")).unwrap();
        // Enough of them that some are listed after the folder.
        for i in 0..20 {
            std::fs::write(tmp.path().join(format!(".tmp{i}")), b"x").unwrap();
            std::fs::write(tmp.path().join(format!(".outcomes{i}")), b"x").unwrap();
        }
        assert!(remove_cut_writes(tmp.path(), &HashSet::new()).is_err());
        let left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [".tmpStuck"]);
    }

    #[test]
    fn a_folder_that_cannot_be_listed_is_an_error() {
        let tmp = tempfile::tempdir().unwrap();
        let missing = tmp.path().join("gone");
        assert!(remove_cut_writes(&missing, &HashSet::new()).is_err());
    }
}
