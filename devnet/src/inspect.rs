//! Reading a state for people: every actor with its code's name, balance, nonce and addresses,
//! and one actor's state block decoded (`fern state inspect`).

use anyhow::{anyhow, Context, Result};
use cid::Cid;
use fern::machine::{StateTree, SystemState};
use fern_shared::address::{Address, INIT_ACTOR_ID, SYSTEM_ACTOR_ID};
use fern_shared::consts::HAMT_BIT_WIDTH;
use fern_shared::econ::TokenAmount;
use fern_shared::ActorID;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;

/// One actor of a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActorRow {
    /// Actor id.
    pub id: ActorID,
    /// Code CID.
    pub code: Cid,
    /// The code's name (the bundle manifest's, or an installed code's), when known.
    pub code_name: Option<String>,
    /// Balance, attoFIL.
    pub balance: TokenAmount,
    /// Nonce.
    pub sequence: u64,
    /// Its f4 address, if any.
    pub delegated_address: Option<Address>,
    /// The non-ID addresses the init actor maps to it (key and f2 addresses), sorted.
    pub addresses: Vec<Address>,
    /// Root of its state.
    pub state: Cid,
}

/// The (code CID, name) pairs of the manifest the system actor of `root` names; empty when
/// there is none or it cannot be read. Accepts both the mainnet form (the system state names
/// the manifest's list) and the versioned `[version, list]` pair of ref-fvm's test states.
pub fn manifest_names<B: Blockstore>(store: &B, root: &Option<Cid>) -> Vec<(Cid, String)> {
    let read = || -> Option<Vec<(Cid, String)>> {
        let tree = StateTree::new_from_root(store, root.as_ref()?).ok()?;
        let system = tree.get_actor(SYSTEM_ACTOR_ID).ok()??;
        let state: SystemState = store.get_cbor(&system.state).ok()??;
        let list_cid = match store.get_cbor::<(u32, Cid)>(&state.builtin_actors) {
            Ok(Some((_, list))) => list,
            _ => state.builtin_actors,
        };
        let list: Vec<(String, Cid)> = store.get_cbor(&list_cid).ok()??;
        Some(list.into_iter().map(|(n, c)| (c, n)).collect())
    };
    read().unwrap_or_default()
}

/// The init actor's address map, reversed: actor id → its non-ID addresses.
fn address_book<B: Blockstore>(
    tree: &StateTree<&B>,
    store: &B,
) -> Result<std::collections::BTreeMap<ActorID, Vec<Address>>> {
    let mut book = std::collections::BTreeMap::<ActorID, Vec<Address>>::new();
    let Some(init) = tree.get_actor(INIT_ACTOR_ID)? else {
        return Ok(book);
    };
    let state: fern::machine::InitState = store
        .get_cbor(&init.state)?
        .ok_or_else(|| anyhow!("the init actor's state {} is missing", init.state))?;
    let map = fvm_ipld_hamt::Hamt::<&B, ActorID>::load_with_bit_width(
        &state.address_map,
        store,
        HAMT_BIT_WIDTH,
    )
    .map_err(|e| anyhow!("cannot load the init actor's address map: {e}"))?;
    map.for_each(|key, id| {
        if let Ok(address) = Address::from_bytes(key) {
            book.entry(*id).or_default().push(address);
        }
        Ok(())
    })
    .map_err(|e| anyhow!("cannot read the init actor's address map: {e}"))?;
    for addresses in book.values_mut() {
        addresses.sort_by_key(|a| a.to_string());
    }
    Ok(book)
}

/// Every actor of the state `root`, by id, with code names from the manifest and `names`.
pub fn list_actors<B: Blockstore>(
    store: &B,
    root: &Cid,
    names: &[(Cid, String)],
) -> Result<Vec<ActorRow>> {
    let tree = StateTree::new_from_root(store, root)
        .with_context(|| format!("cannot open the state tree {root}"))?;
    // The caller's names first: an installed copy of a bundle actor shows its own name.
    let mut all_names = names.to_vec();
    all_names.extend(manifest_names(store, &Some(*root)));
    let mut book = address_book(&tree, store)?;
    let mut rows = Vec::new();
    tree.for_each(|id, actor| {
        rows.push(ActorRow {
            id,
            code: actor.code,
            code_name: all_names
                .iter()
                .find(|(c, _)| *c == actor.code)
                .map(|(_, n)| n.clone()),
            balance: actor.balance.clone(),
            sequence: actor.sequence,
            delegated_address: actor.delegated_address,
            addresses: book.remove(&id).unwrap_or_default(),
            state: actor.state,
        });
        Ok(())
    })?;
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// The actor `address` (any kind of address, resolved through the init actor) and the bytes of
/// its state block. Errors: an unknown address, a missing state block.
pub fn actor_state<B: Blockstore>(
    store: &B,
    root: &Cid,
    address: &Address,
    names: &[(Cid, String)],
) -> Result<(ActorRow, Vec<u8>)> {
    let tree = StateTree::new_from_root(store, root)
        .with_context(|| format!("cannot open the state tree {root}"))?;
    let id = tree
        .lookup_id(address)?
        .ok_or_else(|| anyhow!("no actor has the address {address}"))?;
    drop(tree);
    let row = list_actors(store, root, names)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| match address.id() {
            Ok(_) => anyhow!("no actor has the address {address}"),
            Err(_) => anyhow!("no actor has the address {address} (it maps to f0{id})"),
        })?;
    let bytes = store
        .get(&row.state)?
        .ok_or_else(|| anyhow!("the state block {} of f0{id} is missing", row.state))?;
    Ok((row, bytes))
}
