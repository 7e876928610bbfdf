//! The parts of the system and init actors' state that the machine itself reads and writes.
//!
//! The actors' logic runs as Wasm; the machine only needs their state layouts: the system actor
//! points at the built-in actors manifest, and the init actor owns the table from non-ID addresses
//! to actor ids (and the next id to hand out).

use cid::Cid;
use fern_shared::address::Address;
use fern_shared::consts::HAMT_BIT_WIDTH;
use fern_shared::ActorID;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::*;
use fvm_ipld_hamt::Hamt;

pub use fern_shared::address::{INIT_ACTOR_ID, SYSTEM_ACTOR_ID};

/// State of the system actor (id 0): CBOR array `[builtin_actors]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SystemState {
    /// CID of the built-in actors list: the manifest's *data* block (a list of `(name, code)`
    /// pairs), not the versioned manifest root. The list is always read as manifest version 1.
    pub builtin_actors: Cid,
}

/// State of the init actor (id 1): CBOR array `[address_map, next_id, network_name]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct InitState {
    /// Root of a HAMT (bit width 5) from an address's byte form to the actor id it was given.
    pub address_map: Cid,
    /// The id the next registered address will receive.
    pub next_id: ActorID,
    /// Human-readable network name.
    pub network_name: String,
}

impl InitState {
    /// The id mapped to `addr` in the address table, or `None` when the table has no entry.
    /// An ID address is answered directly without consulting the table.
    pub fn resolve<B: Blockstore>(
        &self,
        store: B,
        addr: &Address,
    ) -> anyhow::Result<Option<ActorID>> {
        if let Ok(id) = addr.id() {
            return Ok(Some(id));
        }
        let map = Hamt::<B, ActorID>::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
            .map_err(|e| anyhow::anyhow!("cannot load the init actor's address map: {e}"))?;
        let found = map
            .get(addr.to_bytes().as_slice())
            .map_err(|e| anyhow::anyhow!("cannot read the init actor's address map: {e}"))?;
        Ok(found.copied())
    }

    /// Gives `addr` the next free id: writes the mapping (replacing any previous one for the same
    /// address), advances `next_id` (wrapping from `u64::MAX` to 0) and updates `address_map`.
    /// Returns the id assigned.
    pub fn assign_next_id<B: Blockstore>(
        &mut self,
        store: B,
        addr: &Address,
    ) -> anyhow::Result<ActorID> {
        let id = self.next_id;
        // ref-fvm (a release build, as nodes run it) increments without an overflow check: after
        // u64::MAX comes 0. Consensus follows it.
        self.next_id = id.wrapping_add(1);
        let mut map =
            Hamt::<B, ActorID>::load_with_bit_width(&self.address_map, store, HAMT_BIT_WIDTH)
                .map_err(|e| anyhow::anyhow!("cannot load the init actor's address map: {e}"))?;
        map.set(addr.to_bytes().into(), id)
            .map_err(|e| anyhow::anyhow!("cannot write the init actor's address map: {e}"))?;
        self.address_map = map
            .flush()
            .map_err(|e| anyhow::anyhow!("cannot flush the init actor's address map: {e}"))?;
        Ok(id)
    }
}
