//! The machine of network version 17 (ref-fvm 2.x rules): the same parts as [`Machine`]
//! (settings, state tree, built-in actors, externs) with what that generation differs in.
//!
//! - The state tree has layout 3 or 4 (four-field actor records, no delegated addresses); a
//!   layout-5 root is refused, as ref-fvm 2.12 cannot decode one.
//! - The manifest needs only the `account`, `system` and `init` actors ([`Fvm2Manifest`]); the
//!   bundle v9 has no placeholder, EAM or Ethereum account actor.
//! - There is no price list of the later kind: charges come from [`SKYR`], and the only limit
//!   the machine carries is the call depth ([`FVM2_MAX_CALL_DEPTH`]).
//!
//! Sources: `fvm` 2.12.2 `machine/default.rs` (`DefaultMachine::new`: supported versions 15 to
//! 17, root check, manifest loading), `machine/manifest.rs` (`Manifest::new`: the three required
//! names), `machine/mod.rs` (`NetworkConfig::new`: `max_call_depth` 1024), `state_tree.rs`
//! (`new_from_root`: layouts 3 and 4 only). Fern runs only nv17 of that generation.
//!
//! [`Machine`]: super::Machine

use std::collections::HashMap;

use anyhow::{anyhow, Context as _};
use cid::Cid;
use fern_shared::state::StateTreeVersion;
use fern_shared::version::NetworkVersion;
use fvm_ipld_blockstore::Blockstore;

use super::manifest::{index_entries, read_block, ManifestError, MANIFEST_VERSION};
use super::{
    flush_state_tree, load_actor_state, put_empty_array, singletons, take_host_fault,
    BufferedBlockstore, Externs, GuardedExterns, HostFault, MachineContext, StateTree, SystemState,
};
use crate::gas::fvm2::{Fvm2PriceList, SKYR};

/// The one network version of the ref-fvm 2.x generation Fern runs.
pub const FVM2_NETWORK_VERSION: NetworkVersion = NetworkVersion::V17;

/// The deepest call stack of the nv17 generation: ref-fvm 2.12's `max_call_depth` (1024). A send
/// fails with `LimitExceeded` when the depth *before* it is already above this, so the top-level
/// call plus 1024 nested sends can run.
pub const FVM2_MAX_CALL_DEPTH: u32 = 1024;

/// Names of the actors of which ref-fvm 2.x lets only one instance exist (`create_actor` refuses
/// their codes): `fvm` 2.12.2 `machine/manifest.rs` `SINGLETON_ACTOR_NAMES`.
pub const FVM2_SINGLETON_ACTORS: [&str; 7] = [
    "system",
    "init",
    "reward",
    "cron",
    "storagepower",
    "storagemarket",
    "verifiedregistry",
];

/// The built-in actor codes of a bundle of the nv17 generation (manifest version 1). Types are
/// 1-based positions in the list, as in later generations; only `account`, `system` and `init`
/// must be present (ref-fvm 2.12 `Manifest::new`).
#[derive(Debug, Clone)]
pub struct Fvm2Manifest {
    entries: Vec<(String, Cid)>,
    types: HashMap<Cid, u32>,
    singletons: std::collections::HashSet<Cid>,
    account: Cid,
    system: Cid,
    init: Cid,
}

impl Fvm2Manifest {
    /// Builds the manifest from `(name, code)` pairs in manifest order; when a name or a code
    /// appears twice, the later entry wins.
    pub fn new<S: Into<String>>(
        entries: impl IntoIterator<Item = (S, Cid)>,
    ) -> Result<Self, ManifestError> {
        let entries: Vec<(String, Cid)> = entries.into_iter().map(|(n, c)| (n.into(), c)).collect();
        let (types, by_name) = index_entries(&entries);
        let named = |name: &'static str| {
            by_name
                .get(name)
                .copied()
                .ok_or(ManifestError::MissingActor(name))
        };
        let singletons = FVM2_SINGLETON_ACTORS
            .iter()
            .filter_map(|name| by_name.get(name).copied())
            .collect();
        Ok(Fvm2Manifest {
            singletons,
            account: named("account")?,
            system: named("system")?,
            init: named("init")?,
            types,
            entries,
        })
    }

    /// Loads the manifest from its versioned root block `[version, data]`.
    pub fn load<B: Blockstore>(store: &B, root: &Cid) -> Result<Self, ManifestError> {
        let (version, data): (u32, Cid) = read_block(store, root)?;
        Self::load_data(store, &data, version)
    }

    /// Loads the manifest from its `data` list, declared with layout `version` (only 1 exists).
    pub fn load_data<B: Blockstore>(
        store: &B,
        data: &Cid,
        version: u32,
    ) -> Result<Self, ManifestError> {
        if version != MANIFEST_VERSION {
            return Err(ManifestError::UnsupportedVersion(version));
        }
        let entries: Vec<(String, Cid)> = read_block(store, data)?;
        Self::new(entries)
    }

    /// The built-in type of `code`, or 0 if it is not a built-in actor's code.
    pub fn type_of_code(&self, code: &Cid) -> u32 {
        self.types.get(code).copied().unwrap_or(0)
    }

    /// The code of built-in type `ty` (1-based), if any.
    pub fn code_by_type(&self, ty: u32) -> Option<&Cid> {
        let index = usize::try_from(ty.checked_sub(1)?).ok()?;
        self.entries.get(index).map(|(_, code)| code)
    }

    /// Whether `code` is the code of a singleton actor ([`FVM2_SINGLETON_ACTORS`]).
    pub fn is_singleton(&self, code: &Cid) -> bool {
        self.singletons.contains(code)
    }

    /// Whether `code` is the account actor's code.
    pub fn is_account(&self, code: &Cid) -> bool {
        *code == self.account
    }

    /// The account actor's code.
    pub fn account_code(&self) -> &Cid {
        &self.account
    }

    /// The system actor's code.
    pub fn system_code(&self) -> &Cid {
        &self.system
    }

    /// The init actor's code.
    pub fn init_code(&self) -> &Cid {
        &self.init
    }

    /// Every entry's code, in manifest order.
    pub fn codes(&self) -> impl Iterator<Item = &Cid> {
        self.entries.iter().map(|(_, code)| code)
    }
}

/// The execution environment of one nv17 tipset. See the [module docs](self).
pub struct Fvm2Machine<B, E> {
    /// The network version (always 17).
    pub network_version: NetworkVersion,
    /// This epoch's settings.
    pub context: MachineContext,
    /// The actors (layout 3 or 4), over the write buffer in front of the node's blockstore.
    pub state_tree: StateTree<BufferedBlockstore<B>>,
    /// Codes of the built-in actors.
    pub manifest: Fvm2Manifest,
    /// The node's services, with their panics contained.
    pub externs: GuardedExterns<E>,
    /// The charge table (Skyr).
    pub prices: &'static Fvm2PriceList,
    /// Whether actors' `debug::log` output is kept and `debug::enabled` says yes.
    pub actor_debugging: bool,
}

impl<B: Blockstore, E: Externs> Fvm2Machine<B, E> {
    /// Prepares an nv17 machine: checks the version, that `blockstore` holds the initial state
    /// root, stores the empty-array block, opens the state tree (layout 3 or 4 only) and loads
    /// the manifest from `builtin_actors` (a versioned manifest root) if given, otherwise from
    /// the system actor's state.
    pub fn new(
        network_version: NetworkVersion,
        context: MachineContext,
        blockstore: B,
        externs: E,
        builtin_actors: Option<Cid>,
    ) -> anyhow::Result<Self> {
        if network_version != FVM2_NETWORK_VERSION {
            return Err(anyhow!(
                "the nv17 machine runs network version 17 only, not {}",
                u32::from(network_version)
            ));
        }
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
        let state_tree = StateTree::new_from_root(BufferedBlockstore::new(blockstore), &root)
            .context("cannot open the state tree at network version 17")?;
        let layout = state_tree.version();
        if !matches!(layout, StateTreeVersion::V3 | StateTreeVersion::V4) {
            return Err(anyhow!(
                "state tree version {} is not supported at network version 17 (3 or 4 is)",
                layout as u64
            ));
        }
        let manifest = match builtin_actors {
            Some(manifest_root) => Fvm2Manifest::load(state_tree.store(), &manifest_root)?,
            None => {
                let system: SystemState =
                    load_actor_state(&state_tree, singletons::SYSTEM_ACTOR_ID)
                        .context("cannot load the system actor's state")?;
                Fvm2Manifest::load_data(
                    state_tree.store(),
                    &system.builtin_actors,
                    MANIFEST_VERSION,
                )?
            }
        };
        Ok(Fvm2Machine {
            network_version,
            context,
            state_tree,
            manifest,
            externs: GuardedExterns::new(externs),
            prices: &SKYR,
            actor_debugging: false,
        })
    }

    /// The buffered blockstore under the state tree.
    pub fn blockstore(&self) -> &BufferedBlockstore<B> {
        self.state_tree.store()
    }

    /// Flushes the state tree and moves the blocks reachable from the new root (or every
    /// buffered block, if the context asks for it) to the node's blockstore: the new root.
    pub fn flush(&mut self) -> anyhow::Result<Cid> {
        flush_state_tree(&mut self.state_tree, self.context.flush_all_blocks)
    }

    /// The first failure of the node's services met since the last call (see
    /// [`faults`](super::faults)).
    pub fn take_host_fault(&self) -> Option<HostFault> {
        take_host_fault(self.blockstore(), &self.externs)
    }

    /// Consumes the machine, returning the node's blockstore (unflushed blocks are dropped).
    pub fn into_store(self) -> B {
        self.state_tree.into_store().into_inner()
    }
}
