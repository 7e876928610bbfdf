//! The hasher of the kernel's per-message maps and sets (state-tree cache, access tracker, block
//! registry, write buffer): foldhash's fast hasher, randomly seeded per process.
//!
//! Their keys are actor ids, addresses and CIDs, hashed several times per message; SipHash (the
//! standard library's default) was a sixth of a plain transfer's time (FIPS/engine.md, 1.2).
//! Iteration order is unspecified with either hasher, and nothing depends on it.

/// A standard `HashMap` with foldhash's fast, per-process randomly seeded hasher.
pub type FastHashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A standard `HashSet` with the hasher of [`FastHashMap`].
pub type FastHashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;
