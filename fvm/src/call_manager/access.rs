//! [`StateAccessTracker`]: which actors and addresses this message has already paid to read or
//! write, so that `OnActorLookup`, `OnActorUpdate` and `OnResolveAddress` are charged only on first
//! access. Rolled back together with state changes when a call's transaction reverts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;

use fern_shared::address::{Address, Protocol};
use fern_shared::ActorID;

/// How far an actor has been accessed in the message so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Read (lookup paid).
    Read,
    /// Written (lookup and update paid).
    Updated,
}

/// A map whose changes can be undone back to a mark.
#[derive(Debug)]
struct UndoMap<K, V> {
    map: HashMap<K, V>,
    log: Vec<(K, Option<V>)>,
}

impl<K: Hash + Eq + Clone, V: Clone> UndoMap<K, V> {
    fn new() -> Self {
        UndoMap {
            map: HashMap::new(),
            log: Vec::new(),
        }
    }
    fn get(&self, k: &K) -> Option<&V> {
        self.map.get(k)
    }
    fn insert(&mut self, k: K, v: V) {
        let old = self.map.insert(k.clone(), v);
        self.log.push((k, old));
    }
    fn mark(&self) -> usize {
        self.log.len()
    }
    fn rollback(&mut self, mark: usize) {
        while self.log.len() > mark {
            let Some((k, old)) = self.log.pop() else {
                break;
            };
            match old {
                Some(v) => self.map.insert(k, v),
                None => self.map.remove(&k),
            };
        }
    }
}

/// First-access bookkeeping for one message.
#[derive(Debug)]
pub struct StateAccessTracker {
    actors: RefCell<UndoMap<ActorID, Access>>,
    addresses: RefCell<UndoMap<Address, ()>>,
    layers: Vec<(usize, usize)>,
}

impl StateAccessTracker {
    /// A tracker where the `preloaded` actors count as already written.
    pub fn new(preloaded: &[ActorID]) -> Self {
        let mut actors = UndoMap::new();
        for id in preloaded {
            actors.map.insert(*id, Access::Updated);
        }
        StateAccessTracker {
            actors: RefCell::new(actors),
            addresses: RefCell::new(UndoMap::new()),
            layers: Vec::new(),
        }
    }

    /// Opens a layer that [`end_transaction`](Self::end_transaction) may undo.
    pub fn begin_transaction(&mut self) {
        self.layers.push((
            self.actors.get_mut().mark(),
            self.addresses.get_mut().mark(),
        ));
    }

    /// Closes the innermost layer, undoing it when `revert`. Fails when no layer is open.
    pub fn end_transaction(&mut self, revert: bool) -> anyhow::Result<()> {
        let (actors, addresses) = self
            .layers
            .pop()
            .ok_or_else(|| anyhow::anyhow!("state access tracker not in a transaction"))?;
        if revert {
            self.actors.get_mut().rollback(actors);
            self.addresses.get_mut().rollback(addresses);
        }
        Ok(())
    }

    /// The access recorded for `id`, if any.
    pub fn actor_access(&self, id: ActorID) -> Option<Access> {
        self.actors.borrow().get(&id).copied()
    }

    /// Records a read (never downgrades an update).
    pub fn record_actor_read(&self, id: ActorID) {
        let mut actors = self.actors.borrow_mut();
        if actors.get(&id).is_none() {
            actors.insert(id, Access::Read);
        }
    }

    /// Records a write.
    pub fn record_actor_update(&self, id: ActorID) {
        self.actors.borrow_mut().insert(id, Access::Updated);
    }

    /// Whether resolving `addr` is already paid for (ID addresses always are).
    pub fn address_resolved(&self, addr: &Address) -> bool {
        addr.protocol() == Protocol::ID || self.addresses.borrow().get(addr).is_some()
    }

    /// Records that `addr` has been resolved (ignored for ID addresses).
    pub fn record_address(&self, addr: &Address) {
        if addr.protocol() != Protocol::ID {
            self.addresses.borrow_mut().insert(*addr, ());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reverted_layers_forget_accesses() {
        let mut t = StateAccessTracker::new(&[99]);
        assert_eq!(t.actor_access(99), Some(Access::Updated));
        t.begin_transaction();
        t.record_actor_read(100);
        t.begin_transaction();
        t.record_actor_update(100);
        t.record_actor_read(101);
        let addr = Address::new_actor(b"x");
        t.record_address(&addr);
        assert!(t.address_resolved(&addr));
        t.end_transaction(true).unwrap();
        assert_eq!(t.actor_access(100), Some(Access::Read));
        assert_eq!(t.actor_access(101), None);
        assert!(!t.address_resolved(&addr));
        t.end_transaction(false).unwrap();
        assert_eq!(t.actor_access(100), Some(Access::Read));
        assert!(t.end_transaction(false).is_err());
        // Reads never downgrade writes; ID addresses are always resolved.
        t.record_actor_update(7);
        t.record_actor_read(7);
        assert_eq!(t.actor_access(7), Some(Access::Updated));
        assert!(t.address_resolved(&Address::new_id(12345)));
    }
}
