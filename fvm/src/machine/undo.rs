//! A hash map that can be rewound to an earlier point.
//!
//! The state tree keeps its uncommitted writes (and some read caches) in maps of this kind. While a
//! transaction is open, every change records what the key held before, so ending a transaction
//! with "revert" only has to replay that log backwards: the cost of a revert is proportional to the
//! number of changes made inside the transaction, not to the size of the cache.

use std::collections::HashMap;
use std::hash::Hash;

/// A map plus a log of the previous values of the keys changed since logging was last cleared.
#[derive(Debug)]
pub(crate) struct UndoMap<K, V> {
    entries: HashMap<K, V>,
    /// For each recorded change, in order: the key and what it held before (`None` = absent).
    log: Vec<(K, Option<V>)>,
}

impl<K, V> Default for UndoMap<K, V> {
    fn default() -> Self {
        UndoMap {
            entries: HashMap::new(),
            log: Vec::new(),
        }
    }
}

impl<K: Hash + Eq + Clone, V: PartialEq> UndoMap<K, V> {
    /// The value held for `key`, if any.
    pub(crate) fn get(&self, key: &K) -> Option<&V> {
        self.entries.get(key)
    }

    /// Stores `value` under `key`. When `record` is set and the stored value actually changes, the
    /// previous content is logged so that [`UndoMap::rewind`] can restore it.
    pub(crate) fn insert(&mut self, key: K, value: V, record: bool) {
        if self.entries.get(&key) == Some(&value) {
            return;
        }
        let previous = self.entries.insert(key.clone(), value);
        if record {
            self.log.push((key, previous));
        }
    }

    /// A position in the change log to rewind to later.
    pub(crate) fn mark(&self) -> usize {
        self.log.len()
    }

    /// Undoes, newest first, every change logged after `mark`.
    pub(crate) fn rewind(&mut self, mark: usize) {
        while self.log.len() > mark {
            let (key, previous) = self.log.pop().expect("log is longer than the mark");
            match previous {
                Some(value) => {
                    self.entries.insert(key, value);
                }
                None => {
                    self.entries.remove(&key);
                }
            }
        }
    }

    /// Forgets the change log (the current contents become permanent).
    pub(crate) fn clear_log(&mut self) {
        self.log.clear();
    }

    /// Mutable access to every entry, bypassing the log (only valid when no rewind can follow).
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.entries.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::UndoMap;

    #[test]
    fn rewinds_in_layers() {
        let mut m = UndoMap::<u32, &str>::default();
        m.insert(1, "a", false);
        let outer = m.mark();
        assert_eq!(outer, 0, "unrecorded writes leave no log");
        m.insert(1, "b", true);
        m.insert(2, "c", true);
        let inner = m.mark();
        m.insert(1, "d", true);
        m.insert(3, "e", true);
        m.insert(3, "e", true); // unchanged value: nothing logged
        assert_eq!(m.mark(), inner + 2);
        m.rewind(inner);
        assert_eq!(m.get(&1), Some(&"b"));
        assert_eq!(m.get(&3), None);
        m.rewind(outer);
        assert_eq!(m.get(&1), Some(&"a"));
        assert_eq!(m.get(&2), None);
        m.rewind(outer + 10); // a mark beyond the log is a no-op
        assert_eq!(m.get(&1), Some(&"a"));
    }
}
