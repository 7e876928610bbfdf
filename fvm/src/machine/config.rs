//! What a machine needs to know about the network and the epoch it executes.
//!
//! [`NetworkConfig`] holds settings that only change at network upgrades (version, price list,
//! limits, chain id); [`MachineContext`] holds what changes every epoch (height, time, base fee,
//! circulating supply, the state root to start from).

use cid::Cid;
use fern_shared::econ::TokenAmount;
use fern_shared::version::NetworkVersion;
use fern_shared::ChainEpoch;

use crate::gas::{self, limits, PriceList};

/// A network version Fern cannot execute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "network version {0} is not supported (Fern executes network versions {min} to {max})",
    min = gas::MIN_NETWORK_VERSION,
    max = gas::MAX_NETWORK_VERSION
)]
pub struct UnsupportedNetworkVersion(pub NetworkVersion);

/// The price list of `nv`, counting the development version only when `development`.
fn price_list(nv: NetworkVersion, development: bool) -> Option<&'static PriceList> {
    if development {
        gas::development_price_list_for(nv)
    } else {
        gas::price_list_for(nv)
    }
}

/// Resource limits that are part of consensus. [`Limits::CONSENSUS`] holds the values every
/// supported network uses; other values are only meant for local experiments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest nesting of actor calls (the message's own call is depth 1).
    pub max_call_depth: u32,
    /// Value-stack slots the Wasm stack-height instrumentation allows per instance.
    pub max_wasm_stack_slots: u32,
    /// Largest linear memory of one Wasm instance, in bytes.
    pub max_instance_memory_bytes: u64,
    /// Largest total of memories and tables across one message's call stack, in bytes.
    pub max_message_memory_bytes: u64,
    /// Largest IPLD block an actor may create, in bytes.
    pub max_block_size: usize,
}

impl Limits {
    /// The limits of network versions 21 to 29.
    pub const CONSENSUS: Limits = Limits {
        max_call_depth: limits::MAX_CALL_DEPTH,
        max_wasm_stack_slots: limits::MAX_WASM_STACK_SLOTS,
        max_instance_memory_bytes: limits::MAX_INSTANCE_MEMORY_BYTES,
        max_message_memory_bytes: limits::MAX_MESSAGE_MEMORY_BYTES,
        max_block_size: limits::MAX_BLOCK_SIZE,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::CONSENSUS
    }
}

/// Network-wide settings, fixed between upgrades.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// The network version in force.
    pub network_version: NetworkVersion,
    /// The gas prices of that version.
    pub price_list: &'static PriceList,
    /// Resource limits.
    pub limits: Limits,
    /// The network's chain id (as used by Ethereum transactions); 0 when unset.
    pub chain_id: u64,
    /// Enables actor debugging syscalls (logging, artifacts). Consensus-relevant: only for local
    /// networks or when every node agrees.
    pub actor_debugging: bool,
    /// Root of a built-in actors manifest (`[version, data]`) to use instead of the one the
    /// system actor points at.
    pub builtin_actors_override: Option<Cid>,
    /// Links the `actor::upgrade_actor` syscall. Off by default, as on mainnet: ref-fvm 4.8
    /// links it only when built with its `upgrade-actor` cargo feature, which the Filecoin nodes
    /// do not enable, so there an actor importing it cannot be instantiated (the message fails
    /// with `SYS_ASSERTION_FAILED` and uses its whole gas limit; FIPS/abi.md, section 2.1).
    /// Turn it on only to agree with a ref-fvm built with that feature (its integration-test
    /// harness `fvm_integration_tests` is one).
    pub upgrade_actor: bool,
    /// Whether the development network version ([`gas::DEVELOPMENT_NETWORK_VERSION`]) is
    /// allowed (see [`NetworkConfig::development`]).
    pub development_versions: bool,
}

impl NetworkConfig {
    /// The settings of network version `nv`, with chain id 0, no debugging, no manifest override
    /// and without the `actor::upgrade_actor` syscall (as on mainnet). Fails for a version
    /// outside 21..=29.
    pub fn new(nv: NetworkVersion) -> Result<Self, UnsupportedNetworkVersion> {
        Self::with_versions(nv, false)
    }

    /// Like [`new`](Self::new), also accepting the network version in development (nv30, with
    /// nv29's prices and rules), as ref-fvm 4.8.4 does when built with its `nv30-dev` feature.
    /// Off by default: nodes validating a real chain use [`new`](Self::new).
    pub fn development(nv: NetworkVersion) -> Result<Self, UnsupportedNetworkVersion> {
        Self::with_versions(nv, true)
    }

    fn with_versions(
        nv: NetworkVersion,
        development_versions: bool,
    ) -> Result<Self, UnsupportedNetworkVersion> {
        let price_list =
            price_list(nv, development_versions).ok_or(UnsupportedNetworkVersion(nv))?;
        Ok(NetworkConfig {
            network_version: nv,
            price_list,
            limits: Limits::CONSENSUS,
            chain_id: 0,
            actor_debugging: false,
            builtin_actors_override: None,
            upgrade_actor: false,
            development_versions,
        })
    }

    /// Checks that the network version is one Fern executes (with this configuration's choice
    /// about the development version), and that the price list follows that version's kernel
    /// rules ([`gas::KernelGeneration`]): a hand-edited configuration pairing, say, nv18 with a
    /// ref-fvm 4.x table would link the wrong syscalls, so it is refused as unsupported.
    pub fn check(&self) -> Result<(), UnsupportedNetworkVersion> {
        price_list(self.network_version, self.development_versions)
            .filter(|p| p.generation == self.price_list.generation)
            .map(|_| ())
            .ok_or(UnsupportedNetworkVersion(self.network_version))
    }

    /// Sets the chain id.
    pub fn with_chain_id(mut self, chain_id: u64) -> Self {
        self.chain_id = chain_id;
        self
    }

    /// Turns actor debugging on.
    pub fn with_actor_debugging(mut self) -> Self {
        self.actor_debugging = true;
        self
    }

    /// Links (`true`) or leaves out (`false`, the default) the `actor::upgrade_actor` syscall,
    /// like ref-fvm's `upgrade-actor` cargo feature. Consensus-relevant: mainnet leaves it out.
    pub fn with_upgrade_actor(mut self, linked: bool) -> Self {
        self.upgrade_actor = linked;
        self
    }

    /// Uses the manifest rooted at `manifest_root` instead of the system actor's.
    pub fn with_builtin_actors(mut self, manifest_root: Cid) -> Self {
        self.builtin_actors_override = Some(manifest_root);
        self
    }
}

/// Settings of the epoch being executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineContext {
    /// The epoch (height) of the tipset being executed.
    pub epoch: ChainEpoch,
    /// UNIX time of that tipset, in seconds.
    pub timestamp: u64,
    /// The base fee in force.
    pub base_fee: TokenAmount,
    /// The circulating supply reported to actors.
    pub circulating_supply: TokenAmount,
    /// The state root execution starts from.
    pub initial_state_root: Cid,
    /// Whether to record execution traces (not consensus-relevant).
    pub tracing: bool,
    /// Whether flushing writes every buffered block to the base store, not only those reachable
    /// from the new state root (a debugging aid; not consensus-relevant).
    pub flush_all_blocks: bool,
}

impl MachineContext {
    /// A context for `epoch` at `timestamp` starting from `initial_state_root`, with zero base fee,
    /// zero circulating supply and tracing off.
    pub fn new(epoch: ChainEpoch, timestamp: u64, initial_state_root: Cid) -> Self {
        MachineContext {
            epoch,
            timestamp,
            base_fee: TokenAmount::zero(),
            circulating_supply: TokenAmount::zero(),
            initial_state_root,
            tracing: false,
            flush_all_blocks: false,
        }
    }

    /// Sets the base fee.
    pub fn with_base_fee(mut self, base_fee: TokenAmount) -> Self {
        self.base_fee = base_fee;
        self
    }

    /// Sets the circulating supply.
    pub fn with_circulating_supply(mut self, supply: TokenAmount) -> Self {
        self.circulating_supply = supply;
        self
    }

    /// Turns execution tracing on.
    pub fn with_tracing(mut self) -> Self {
        self.tracing = true;
        self
    }
}
