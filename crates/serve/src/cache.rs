//! Answers to recent searches, kept until the index changes.
//!
//! A directory is asked the same things over and over (enrichment pipelines
//! look up the same constituencies and addresses for every ticket), and a
//! search costs a millisecond or two of CPU where serving stored bytes
//! costs microseconds. Entries are keyed by the exact query and page and
//! dropped as soon as the index generation changes, so a cached answer is
//! never older than what a fresh search would return.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

// `Bytes`, not `Arc<str>`: a response body made from it shares the cached
// buffer instead of copying it for every answer.
use axum::body::Bytes;

/// The query, limit, offset, and the day and threshold staleness was
/// judged with.
type Key = (String, usize, usize, csirt_index::When);

struct Inner {
    generation: u64,
    map: HashMap<Key, Bytes>,
    order: VecDeque<Key>,
    bytes: usize,
}

/// A bounded first-in-first-out cache of search responses.
pub(crate) struct SearchCache {
    inner: Mutex<Inner>,
    max_entries: usize,
    max_bytes: usize,
}

impl SearchCache {
    pub(crate) fn new(max_entries: usize, max_bytes: usize) -> Self {
        SearchCache {
            inner: Mutex::new(Inner {
                generation: u64::MAX,
                map: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
            max_entries,
            max_bytes,
        }
    }

    /// The cached body for `key` at index `generation`.
    pub(crate) fn get(&self, generation: u64, key: &Key) -> Option<Bytes> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.generation != generation {
            inner.generation = generation;
            inner.map.clear();
            inner.order.clear();
            inner.bytes = 0;
            return None;
        }
        inner.map.get(key).cloned()
    }

    /// Keeps `body` for `key`, if it was computed at the current generation.
    pub(crate) fn put(&self, generation: u64, key: Key, body: Bytes) {
        if body.len() > self.max_bytes / 16 {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if inner.generation != generation || inner.map.contains_key(&key) {
            return;
        }
        while inner.map.len() >= self.max_entries || inner.bytes + body.len() > self.max_bytes {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(b) = inner.map.remove(&old) {
                inner.bytes -= b.len();
            }
        }
        inner.bytes += body.len();
        inner.order.push_back(key.clone());
        inner.map.insert(key, body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_generation_empties_the_cache_and_size_is_bounded() {
        let c = SearchCache::new(2, 1 << 20);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let k = |q: &str| (q.to_string(), 10, 0, csirt_index::When::default_on(day));
        assert!(c.get(1, &k("a")).is_none());
        c.put(1, k("a"), "A".into());
        c.put(1, k("b"), "B".into());
        c.put(1, k("c"), "C".into());
        assert!(c.get(1, &k("a")).is_none(), "oldest evicted");
        assert_eq!(c.get(1, &k("c")).as_deref(), Some(&b"C"[..]));
        assert!(c.get(2, &k("c")).is_none(), "new index generation");
        c.put(1, k("d"), "D".into());
        assert!(c.get(2, &k("d")).is_none(), "stale put ignored");
    }
}
