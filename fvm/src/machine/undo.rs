//! A hash map that can be rewound to an earlier point.
//!
//! The state tree keeps its uncommitted writes (and some read caches) in maps of this kind, and the
//! call manager's state-access tracker its first-access records. While a transaction is open,
//! every change records what the key held before, so ending a transaction with "revert" only has
//! to replay that log backwards: the cost of a revert is proportional to the number of changes
//! made inside the transaction, not to the size of the cache.
//!
//! The maps hash with [`FastHashMap`]'s hasher (see [`super::fast_hash`]).

use std::collections::hash_map::Entry;
use std::hash::Hash;

use super::fast_hash::FastHashMap;

/// A map plus a log of the previous values of the keys changed since logging was last cleared.
#[derive(Debug)]
pub(crate) struct UndoMap<K, V> {
    entries: FastHashMap<K, V>,
    /// For each recorded change, in order: the key and what it held before (`None` = absent).
    log: Vec<(K, Option<V>)>,
}

impl<K, V> Default for UndoMap<K, V> {
    fn default() -> Self {
        UndoMap {
            entries: FastHashMap::default(),
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
        match self.entries.entry(key) {
            Entry::Occupied(mut slot) => {
                if *slot.get() == value {
                    return;
                }
                if record {
                    let key = slot.key().clone();
                    let previous = std::mem::replace(slot.get_mut(), value);
                    self.log.push((key, Some(previous)));
                } else {
                    *slot.get_mut() = value;
                }
            }
            Entry::Vacant(slot) => {
                if record {
                    let key = slot.key().clone();
                    slot.insert(value);
                    self.log.push((key, None));
                } else {
                    slot.insert(value);
                }
            }
        }
    }

    /// Replaces the value held for `key` with what `f` makes of it, if `f` makes something
    /// (`f` sees the current value; `None` from `f` leaves it). The replaced value moves into the
    /// log when `record` is set. Returns `false` when `key` holds no value (`f` is not called).
    /// One hash lookup, and no copy of the value beyond what `f` makes.
    pub(crate) fn replace_with(
        &mut self,
        key: &K,
        record: bool,
        f: impl FnOnce(&V) -> Option<V>,
    ) -> bool {
        let Some(slot) = self.entries.get_mut(key) else {
            return false;
        };
        if let Some(new) = f(slot) {
            let previous = std::mem::replace(slot, new);
            if record {
                self.log.push((key.clone(), Some(previous)));
            }
        }
        true
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

    #[test]
    fn replaces_in_place_and_rewinds() {
        let mut m = UndoMap::<u32, String>::default();
        assert!(
            !m.replace_with(&1, true, |_| Some("x".into())),
            "absent keys are not created"
        );
        assert_eq!(m.get(&1), None);
        assert_eq!(m.mark(), 0);
        m.insert(1, "a".to_string(), false);
        let mark = m.mark();
        assert!(m.replace_with(&1, true, |v| Some(format!("{v}b"))));
        assert!(
            m.replace_with(&1, true, |_| None),
            "declining keeps the value"
        );
        assert!(m.replace_with(&1, false, |v| Some(format!("{v}c"))));
        assert_eq!(m.get(&1).map(String::as_str), Some("abc"));
        assert_eq!(
            m.mark(),
            mark + 1,
            "only the recorded replacement is logged"
        );
        m.rewind(mark);
        assert_eq!(m.get(&1).map(String::as_str), Some("a"));
    }
}
