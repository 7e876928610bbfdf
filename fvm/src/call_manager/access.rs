//! [`StateAccessTracker`]: which actors and addresses this message has already paid to read or
//! write, so that `OnActorLookup`, `OnActorUpdate` and `OnResolveAddress` are charged only on first
//! access. Rolled back together with state changes when a call's transaction reverts.

use std::cell::RefCell;

use fern_shared::address::{Address, Protocol};
use fern_shared::ActorID;

use crate::machine::undo::UndoMap;

/// How far an actor has been accessed in the message so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Read (lookup paid).
    Read,
    /// Written (lookup and update paid).
    Updated,
}

/// First-access bookkeeping for one message.
#[derive(Debug)]
pub struct StateAccessTracker {
    /// The network version's preloaded actors: they count as written from the start, and no
    /// transaction can change that, so they are answered from this list, not kept in the map.
    preloaded: &'static [ActorID],
    actors: RefCell<UndoMap<ActorID, Access>>,
    addresses: RefCell<UndoMap<Address, ()>>,
    layers: Vec<(usize, usize)>,
}

impl StateAccessTracker {
    /// A tracker where the `preloaded` actors count as already written.
    pub fn new(preloaded: &'static [ActorID]) -> Self {
        StateAccessTracker {
            preloaded,
            actors: RefCell::default(),
            addresses: RefCell::default(),
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
            self.actors.get_mut().rewind(actors);
            self.addresses.get_mut().rewind(addresses);
        }
        Ok(())
    }

    /// The access recorded for `id`, if any.
    pub fn actor_access(&self, id: ActorID) -> Option<Access> {
        if self.preloaded.contains(&id) {
            return Some(Access::Updated);
        }
        self.actors.borrow().get(&id).copied()
    }

    /// Records a read (never downgrades an update).
    pub fn record_actor_read(&self, id: ActorID) {
        if self.preloaded.contains(&id) {
            return;
        }
        let mut actors = self.actors.borrow_mut();
        if actors.get(&id).is_none() {
            actors.insert(id, Access::Read, true);
        }
    }

    /// Records a write.
    pub fn record_actor_update(&self, id: ActorID) {
        if !self.preloaded.contains(&id) {
            self.actors.borrow_mut().insert(id, Access::Updated, true);
        }
    }

    /// Whether resolving `addr` is already paid for (ID addresses always are).
    pub fn address_resolved(&self, addr: &Address) -> bool {
        addr.protocol() == Protocol::ID || self.addresses.borrow().get(addr).is_some()
    }

    /// Records that `addr` has been resolved (ignored for ID addresses).
    pub fn record_address(&self, addr: &Address) {
        if addr.protocol() != Protocol::ID {
            self.addresses.borrow_mut().insert(*addr, (), true);
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
        t.record_actor_read(99);
        t.end_transaction(true).unwrap();
        assert_eq!(
            t.actor_access(99),
            Some(Access::Updated),
            "preloaded actors stay written"
        );
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
