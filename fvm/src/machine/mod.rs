//! The machine: everything that stays the same while the messages of one tipset execute.
//!
//! A [`Machine`] bundles the network settings ([`NetworkConfig`]), the epoch's settings
//! ([`MachineContext`]), the [`StateTree`] (over a [`BufferedBlockstore`] so that intermediate
//! blocks never reach the node's store), the built-in actors [`Manifest`] and the node's
//! [`Externs`]. Higher layers (call manager, kernel, executor) borrow its fields directly.
//!
//! This layer imports only [`crate::gas`] (price lists and limits) from the rest of the kernel.

#![warn(missing_docs)]

pub mod blockstore;
pub mod config;
pub mod externs;
pub(crate) mod fast_hash;
pub mod faults;
pub mod fvm2;
pub mod manifest;
pub mod proofs;
pub mod singletons;
pub mod state_tree;
pub(crate) mod undo;

use anyhow::{anyhow, Context as _};
use cid::Cid;
use fern_shared::consts::{empty_arr_cid, EMPTY_ARR_BYTES};
use fern_shared::state::StateTreeVersion;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;

pub use blockstore::BufferedBlockstore;
pub use config::{Limits, MachineContext, NetworkConfig, UnsupportedNetworkVersion};
pub use externs::{ConsensusFaultCheck, Externs};
pub use faults::{GuardedExterns, GuardedProofs, HostFault};
pub use fvm2::{
    Fvm2Machine, Fvm2Manifest, FVM2_MAX_CALL_DEPTH, FVM2_NETWORK_VERSION, FVM2_SINGLETON_ACTORS,
};
pub use manifest::{Manifest, ManifestError};
pub use proofs::{AcceptAllProofs, NoProofVerifier, ProofVerifier};
pub use singletons::{InitState, SystemState};
pub use state_tree::StateTree;

/// The execution environment of one tipset.
pub struct Machine<B, E> {
    /// Network-wide settings.
    pub config: NetworkConfig,
    /// This epoch's settings.
    pub context: MachineContext,
    /// The actors, over the write buffer in front of the node's blockstore.
    pub state_tree: StateTree<BufferedBlockstore<B>>,
    /// Codes of the built-in actors.
    pub manifest: Manifest,
    /// The node's services, with their panics contained (dereferences to the node's value).
    pub externs: GuardedExterns<E>,
}

impl<B: Blockstore, E: Externs> Machine<B, E> {
    /// Prepares a machine: checks the network version, checks that `blockstore` holds the initial
    /// state root, stores the empty-array block (the default actor state) directly in
    /// `blockstore`, opens the state tree (layout version 5 only) and loads the manifest, from the
    /// configuration's override if set, otherwise from the system actor's state.
    pub fn new(
        config: NetworkConfig,
        context: MachineContext,
        blockstore: B,
        externs: E,
    ) -> anyhow::Result<Self> {
        config.check()?;
        let root = context.initial_state_root;
        if !blockstore
            .has(&root)
            .context("cannot query the blockstore for the initial state root")?
        {
            return Err(anyhow!(
                "the blockstore does not have the initial state root {root}"
            ));
        }
        put_empty_array(&blockstore)?;
        // Every network version Fern runs (18 on) uses layout 5; ref-fvm 3.x and 4.x refuse
        // older roots on their version alone, before reading the actor table.
        let state_tree = StateTree::new_from_root_of_version(
            BufferedBlockstore::new(blockstore),
            &root,
            StateTreeVersion::V5,
        )
        .with_context(|| {
            format!(
                "cannot open the state tree at network version {}",
                u32::from(config.network_version)
            )
        })?;
        let manifest = match config.builtin_actors_override {
            Some(manifest_root) => Manifest::load(state_tree.store(), &manifest_root)?,
            None => {
                let system: SystemState =
                    load_actor_state(&state_tree, singletons::SYSTEM_ACTOR_ID)
                        .context("cannot load the system actor's state")?;
                Manifest::load_data(
                    state_tree.store(),
                    &system.builtin_actors,
                    manifest::MANIFEST_VERSION,
                )?
            }
        };
        Ok(Machine {
            config,
            context,
            state_tree,
            manifest,
            externs: GuardedExterns::new(externs),
        })
    }

    /// The buffered blockstore under the state tree.
    pub fn blockstore(&self) -> &BufferedBlockstore<B> {
        self.state_tree.store()
    }

    /// Flushes the state tree, then moves the blocks reachable from the new root (or every
    /// buffered block, if the context asks for it) to the node's blockstore. Returns the new
    /// state root.
    pub fn flush(&mut self) -> anyhow::Result<Cid> {
        flush_state_tree(&mut self.state_tree, self.context.flush_all_blocks)
    }

    /// The first failure of the node's services (blockstore, externs) met since the last call,
    /// leaving none recorded: see [`faults`].
    pub fn take_host_fault(&self) -> Option<HostFault> {
        take_host_fault(self.blockstore(), &self.externs)
    }

    /// Consumes the machine, returning the node's blockstore (unflushed blocks are dropped).
    pub fn into_store(self) -> B {
        self.state_tree.into_store().into_inner()
    }
}

/// Flushes `tree`, then moves the blocks reachable from the new root (or every buffered block,
/// with `flush_all_blocks`) to the node's blockstore: the new root.
fn flush_state_tree<B: Blockstore>(
    tree: &mut StateTree<BufferedBlockstore<B>>,
    flush_all_blocks: bool,
) -> anyhow::Result<Cid> {
    let root = tree.flush()?;
    if flush_all_blocks {
        tree.store().flush_all()?;
    } else {
        tree.store().flush(&root)?;
    }
    Ok(root)
}

/// The first recorded failure of the blockstore, else of the externs, clearing both.
fn take_host_fault<B: Blockstore, E>(
    store: &BufferedBlockstore<B>,
    externs: &GuardedExterns<E>,
) -> Option<HostFault> {
    let store = store.take_fault();
    let externs = externs.take_fault();
    store.or(externs)
}

/// Stores the DAG-CBOR empty array, the state every new actor starts with.
fn put_empty_array<B: Blockstore>(store: &B) -> anyhow::Result<()> {
    store
        .put_keyed(&empty_arr_cid(), &EMPTY_ARR_BYTES)
        .context("cannot store the empty-array block")
}

/// Reads and decodes the state of actor `id`.
pub fn load_actor_state<B: Blockstore, T: serde::de::DeserializeOwned>(
    tree: &StateTree<B>,
    id: fern_shared::ActorID,
) -> anyhow::Result<T> {
    let actor = tree
        .get_actor(id)?
        .ok_or_else(|| anyhow!("actor {id} is not in the state tree"))?;
    tree.store().get_cbor(&actor.state)?.ok_or_else(|| {
        anyhow!(
            "the state {} of actor {id} is not in the blockstore",
            actor.state
        )
    })
}
