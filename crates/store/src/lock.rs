//! One crawl at a time per data directory.
//!
//! The crawler writes the store and the search index; two crawls at once
//! would fetch everything twice and fight over the index writer. A crawl
//! holds an exclusive lock on `DATA/crawl.lock` (an OS file lock, released
//! by the kernel when the process ends, however it ends). The file holds
//! the holder's process id, for the message the second crawl prints.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A held crawl lock; released on drop.
#[derive(Debug)]
pub struct CrawlLock {
    file: File,
    path: PathBuf,
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds it.
    #[error("another crawl (pid {holder}) is running on {dir}; wait for it, or pass --wait")]
    Busy {
        /// The data directory.
        dir: String,
        /// The holder's pid as it wrote it, or "unknown".
        holder: String,
    },
    /// The lock file could not be opened or locked.
    #[error("cannot lock {path}: {source}")]
    Io {
        /// The lock file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl CrawlLock {
    /// Takes the lock of data directory `dir`, creating the directory if
    /// needed. With `wait`, blocks until the holder releases it; without,
    /// fails at once with [`LockError::Busy`].
    pub fn acquire(dir: &Path, wait: bool) -> Result<CrawlLock, LockError> {
        let path = dir.join("crawl.lock");
        let io = |source| LockError::Io {
            path: path.display().to_string(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        if wait {
            file.lock().map_err(io)?;
        } else {
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    let mut holder = String::new();
                    let _ = file.read_to_string(&mut holder);
                    let holder = holder.trim();
                    return Err(LockError::Busy {
                        dir: dir.display().to_string(),
                        holder: if holder.is_empty() {
                            "unknown".into()
                        } else {
                            holder.to_string()
                        },
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(io(e)),
            }
        }
        // Best effort: the pid is only for the message above.
        let _ = file.set_len(0);
        let _ = file.rewind();
        let _ = write!(file, "{}", std::process::id());
        let _ = file.flush();
        Ok(CrawlLock { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for CrawlLock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let first = CrawlLock::acquire(dir.path(), false).unwrap();
        let err = CrawlLock::acquire(dir.path(), false).unwrap_err();
        assert!(
            err.to_string().contains(&std::process::id().to_string()),
            "{err}"
        );
        drop(first);
        CrawlLock::acquire(dir.path(), false).unwrap();
    }
}
