//! Message-by-message differential harness with gas traces.
//!
//! A [`Pair`] is ref-fvm 4.8 (the oracle, `DefaultExecutor` with the Filecoin kernel) and Fern's
//! `Executor` over two copies of one [`Genesis`], at one network version, with execution
//! tracing on. [`Pair::apply`] runs a message on both and panics at the first difference in
//! anything observable: the receipt (exit code, return bytes, gas used, events root), the events,
//! the fee split, the return codec, the **ordered gas charges** (name, compute and other gas of
//! every charge), then the **whole execution trace** (calls, returns, call errors by number,
//! invoked actors, block reads and writes, logs, interleaved with the charges; see
//! [`Observed::first_trace_difference`]) and the flushed state root.
//!
//! Where [`crate::scenario`] describes messages once and compares final outcomes of whole
//! scenarios, this harness is for tests written as code: hand-written (WAT) actors installed at
//! genesis, implicit messages, gas-limit sweeps, and Fern-only runs with settings the oracle
//! cannot have (see [`FernSide`]).
//!
//! Both VMs get the same externs ([`TestExterns`]): randomness digests that depend on the kind
//! and the epoch, the scenario chain's tipset CIDs ([`crate::scenario::tipset_cid`]) and no
//! consensus faults. Machines run at epoch [`EPOCH`] with base fee [`BASE_FEE`].
//!
//! Fern links `actor::upgrade_actor` here ([`NetworkConfig::with_upgrade_actor`]), because the
//! oracle (ref-fvm as `fvm_integration_tests` builds it) has the `upgrade-actor` feature on.
//!
//! ref-fvm and Fern recurse on the host stack for nested calls; run tests through
//! [`on_deep_stack`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::{anyhow, Result};
use cid::Cid;
use fvm::call_manager::DefaultCallManager;
use fvm::engine::EnginePool;
use fvm::executor::{ApplyKind as RefKind, DefaultExecutor, Executor as _};
use fvm::kernel::filecoin::DefaultFilecoinKernel;
use fvm::machine::{DefaultMachine, Machine as _};
use fvm::state_tree::{ActorState, StateTree};
use fvm_ipld_encoding::{CborStore, RawBytes};
use fvm_shared::address::{Address, Protocol};
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;
use fvm_shared::ActorID;
use multihash_codetable::{Code, MultihashDigest};

use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor};
use fern::machine::{
    ConsensusFaultCheck, Machine, MachineContext, NetworkConfig, NoProofVerifier, ProofVerifier,
};

use crate::genesis::{Genesis, GenesisSpec, RecordingStore};
use crate::scenario::tipset_cid;
use crate::vm::{EventRecord, TraceEvent};

/// The network versions every comparison runs at.
pub const NETWORK_VERSIONS: [NetworkVersion; 3] = [
    NetworkVersion::V21,
    NetworkVersion::V25,
    NetworkVersion::V28,
];
/// The epoch both machines execute.
pub const EPOCH: i64 = 1000;
/// The base fee of both machines, in attoFIL.
pub const BASE_FEE: u64 = 100;
/// Balance of each secp256k1 account of [`genesis`], in whole FIL.
pub const ACCOUNT_FIL: u64 = 10_000;
/// Balance of each actor [`genesis`] installs, in whole FIL.
pub const ACTOR_FIL: u64 = 100;
pub use crate::on_deep_stack;

/// Deterministic externs, one implementation for both VMs.
#[derive(Debug, Clone, Copy, Default)]
pub struct TestExterns;

/// The randomness digest of `kind` (1 chain, 2 beacon) at `epoch`: the kind byte repeated, with
/// the epoch's big-endian bytes in front.
pub fn randomness_digest(kind: u8, epoch: i64) -> [u8; 32] {
    let mut out = [kind; 32];
    out[..8].copy_from_slice(&epoch.to_be_bytes());
    out
}

impl fvm::externs::Rand for TestExterns {
    fn get_chain_randomness(&self, epoch: i64) -> Result<[u8; 32]> {
        Ok(randomness_digest(1, epoch))
    }
    fn get_beacon_randomness(&self, epoch: i64) -> Result<[u8; 32]> {
        Ok(randomness_digest(2, epoch))
    }
}

impl fvm::externs::Consensus for TestExterns {
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> Result<(Option<fvm_shared::consensus::ConsensusFault>, i64)> {
        Ok((None, 0))
    }
}

impl fvm::externs::Chain for TestExterns {
    fn get_tipset_cid(&self, epoch: i64) -> Result<Cid> {
        Ok(tipset_cid(epoch))
    }
}

impl fvm::externs::Externs for TestExterns {}

impl fern::machine::Externs for TestExterns {
    fn chain_randomness(&self, epoch: i64) -> Result<[u8; 32]> {
        Ok(randomness_digest(1, epoch))
    }
    fn beacon_randomness(&self, epoch: i64) -> Result<[u8; 32]> {
        Ok(randomness_digest(2, epoch))
    }
    fn tipset_cid(&self, epoch: i64) -> Result<Cid> {
        Ok(tipset_cid(epoch))
    }
    fn verify_consensus_fault(&self, _: &[u8], _: &[u8], _: &[u8]) -> Result<ConsensusFaultCheck> {
        Ok(ConsensusFaultCheck {
            fault: None,
            gas_used: 0,
        })
    }
}

/// The f1 address of the secp256k1 key made of 32 copies of `seed`.
pub fn secp_address(seed: u8) -> Address {
    crate::genesis::secp_address(&[seed; 32]).expect("valid secp256k1 seed")
}

/// The BLAKE2b-256 digest of `data` (what secp256k1 signatures sign).
pub fn blake2b256(data: &[u8]) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(Code::Blake2b256.digest(data).digest());
    out
}

/// The code CID of a Wasm module as the genesis stores it: raw codec, BLAKE2b-256.
pub fn code_cid(wasm: &[u8]) -> Cid {
    Cid::new_v1(0x55, Code::Blake2b256.digest(wasm))
}

/// A genesis with the bundle's singletons and the reward actor ([`GenesisSpec::build`]), `accounts`
/// secp256k1 accounts (seeds 1, 2, ... with [`ACCOUNT_FIL`] each, ids from 100 on), the named
/// test actors of `fern_test_actors` at the given ids, and the Wasm modules of `wasm_actors` at
/// the given ids. Every installed actor has [`ACTOR_FIL`] and the empty list as state.
pub fn genesis(
    accounts: u8,
    test_actors: &[(&str, ActorID)],
    wasm_actors: &[(ActorID, &[u8])],
) -> Result<Genesis> {
    let spec = GenesisSpec {
        secp_accounts: (1..=accounts).map(|seed| (seed, ACCOUNT_FIL)).collect(),
        bls_accounts: Vec::new(),
        poor_account_atto: None,
        placeholders: Vec::new(),
        test_actors: test_actors
            .iter()
            .map(|(name, id)| (name.to_string(), *id, ACTOR_FIL, vec![0x80]))
            .collect(),
    };
    let genesis = spec.build()?;
    with_wasm_actors(genesis, wasm_actors)
}

/// `genesis` plus the Wasm modules of `wasm_actors` installed at the given ids (code stored as a
/// raw block, [`ACTOR_FIL`], the empty list as state).
pub fn with_wasm_actors(mut genesis: Genesis, wasm_actors: &[(ActorID, &[u8])]) -> Result<Genesis> {
    if wasm_actors.is_empty() {
        return Ok(genesis);
    }
    let store = genesis.store();
    let mut tree = StateTree::new_from_root(store.clone(), &genesis.state_root)?;
    let empty = tree.store().put_cbor(&[(); 0], Code::Blake2b256)?;
    for (id, wasm) in wasm_actors {
        let code = code_cid(wasm);
        fvm_ipld_blockstore::Blockstore::put_keyed(tree.store(), &code, wasm)?;
        tree.set_actor(
            *id,
            ActorState::new(code, empty, TokenAmount::from_whole(ACTOR_FIL), 0, None),
        );
    }
    genesis.state_root = tree.flush()?;
    genesis.blocks = store.blocks();
    Ok(genesis)
}

/// One gas charge: name, compute gas and other gas, in milligas.
pub type Charge = (String, u64, u64);

/// Everything a message application shows, in plain types, from either VM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    /// Receipt exit code.
    pub exit_code: u32,
    /// Receipt return bytes.
    pub return_data: Vec<u8>,
    /// Receipt gas used.
    pub gas_used: u64,
    /// Receipt events root.
    pub events_root: Option<Cid>,
    /// The events, in order.
    pub events: Vec<EventRecord>,
    /// Miner penalty, base-fee burn, over-estimation burn, miner tip and refund, in attoFIL.
    pub fees: [String; 5],
    /// Unused gas refunded and burned.
    pub gas_refund_burned: (u64, u64),
    /// Codec of the return value.
    pub return_codec: Option<u64>,
    /// Every gas charge, in order.
    pub charges: Vec<Charge>,
    /// The whole execution trace (gas charges, calls, returns, call errors, invoked actors,
    /// blocks read and written, logs), in order.
    pub trace: Vec<TraceEvent>,
}

impl Observed {
    /// The first difference from `other` (`self` being the oracle's), if any.
    pub fn first_difference(&self, ours: &Observed) -> Option<String> {
        let theirs = self;
        if theirs.exit_code != ours.exit_code {
            return Some(format!(
                "exit code {} / {}",
                theirs.exit_code, ours.exit_code
            ));
        }
        if theirs.return_data != ours.return_data {
            return Some(format!(
                "return data {:02x?} / {:02x?}",
                theirs.return_data, ours.return_data
            ));
        }
        if theirs.charges != ours.charges {
            let (a, b) = (&theirs.charges, &ours.charges);
            let first = a
                .iter()
                .zip(b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            return Some(format!(
                "gas charges differ at #{first}: ref {:?} / fern {:?} (lengths {} / {})",
                a.get(first),
                b.get(first),
                a.len(),
                b.len()
            ));
        }
        if theirs.gas_used != ours.gas_used {
            return Some(format!("gas used {} / {}", theirs.gas_used, ours.gas_used));
        }
        if theirs.events != ours.events {
            return Some(format!("events {:?} / {:?}", theirs.events, ours.events));
        }
        if theirs.events_root != ours.events_root {
            return Some(format!(
                "events root {:?} / {:?}",
                theirs.events_root, ours.events_root
            ));
        }
        if theirs.fees != ours.fees {
            return Some(format!(
                "fees [penalty, base fee burn, over-estimation burn, tip, refund] {:?} / {:?}",
                theirs.fees, ours.fees
            ));
        }
        if theirs.gas_refund_burned != ours.gas_refund_burned {
            return Some(format!(
                "gas refund/burned {:?} / {:?}",
                theirs.gas_refund_burned, ours.gas_refund_burned
            ));
        }
        if theirs.return_codec != ours.return_codec {
            return Some(format!(
                "return codec {:?} / {:?}",
                theirs.return_codec, ours.return_codec
            ));
        }
        None
    }

    /// The first difference between the two execution traces (`self` being the oracle's), if
    /// any. The text of call errors is not compared (diagnostic only; see
    /// `testing/tests/exec_traces.rs`). Separate from [`first_difference`](Self::first_difference)
    /// because comparisons across different genesis states legitimately see other code CIDs in
    /// `InvokeActor` events.
    pub fn first_trace_difference(&self, ours: &Observed) -> Option<String> {
        let plain = |e: &TraceEvent| match e {
            TraceEvent::CallError { number, .. } => TraceEvent::CallError {
                number: *number,
                message: String::new(),
            },
            other => other.clone(),
        };
        let (a, b) = (&self.trace, &ours.trace);
        let first =
            (0..a.len().max(b.len())).find(|&i| a.get(i).map(plain) != b.get(i).map(plain))?;
        Some(format!(
            "execution traces differ at #{first}: ref {:?} / fern {:?} (lengths {} / {})",
            a.get(first),
            b.get(first),
            a.len(),
            b.len()
        ))
    }
}

/// The on-chain length the harness uses for `msg`: its CBOR length, plus 69 bytes of signature
/// and framing for a secp256k1 sender.
pub fn raw_len(msg: &Message) -> usize {
    let len = fvm_ipld_encoding::to_vec(msg)
        .expect("messages encode")
        .len();
    len + if msg.from.protocol() == Protocol::Secp256k1 {
        69
    } else {
        0
    }
}

/// ref-fvm's executor over a [`RecordingStore`] with [`TestExterns`].
pub type RefExecutor = DefaultExecutor<
    DefaultFilecoinKernel<DefaultCallManager<DefaultMachine<RecordingStore, TestExterns>>>,
>;

/// Fern's executor over a [`RecordingStore`] with [`TestExterns`].
pub type FernExecutor = Executor<RecordingStore, TestExterns>;

/// Engines for one network version, leased to one [`Pair`] at a time: built once and reused by
/// later pairs (so builtin actors compile once per process and version), but never used by two
/// pairs at once (a call stack may hold up to 1 024 instances, and Fern's engine leaves it to
/// its users not to run more call stacks at once than its instance pool was sized for).
struct Engines {
    reference: RefPool,
    fern: Engine,
}

/// The oracle's engine pool: ref-fvm 4.8's, or 3.14's for network versions 18 to 20.
#[derive(Clone)]
enum RefPool {
    V4(EnginePool),
    V3(fvm3::engine::EnginePool),
}

fn free_engines() -> &'static Mutex<HashMap<u32, Vec<Engines>>> {
    static FREE: OnceLock<Mutex<HashMap<u32, Vec<Engines>>>> = OnceLock::new();
    FREE.get_or_init(Default::default)
}

fn lease_engines(nv: NetworkVersion, network: &fvm::machine::NetworkConfig) -> Result<Engines> {
    let leased = free_engines()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_mut(&u32::from(nv))
        .and_then(Vec::pop);
    match leased {
        Some(e) => Ok(e),
        None => Ok(Engines {
            reference: if uses_ref3(nv) {
                let nc = fvm3::machine::NetworkConfig::new(u32::from(nv).into());
                RefPool::V3(fvm3::engine::EnginePool::new_default((&nc).into())?)
            } else {
                RefPool::V4(EnginePool::new(network.into())?)
            },
            fern: Engine::for_network(fern_nv(nv))?,
        }),
    }
}

/// Whether the oracle at `nv` is ref-fvm 3.14 ([`crate::ref_vm3`]) rather than 4.8.
pub fn uses_ref3(nv: NetworkVersion) -> bool {
    crate::ref_vm3::VERSIONS.contains(&u32::from(nv))
}

/// The oracle's executor: ref-fvm 4.8, or 3.14 at network versions 18 to 20.
pub enum Reference {
    /// ref-fvm 4.8 (boxed, as the 3.14 executor: both are large).
    V4(Box<RefExecutor>),
    /// ref-fvm 3.14.
    V3(Box<crate::ref_vm3::Ref3Executor>),
}

impl Reference {
    /// Applies `msg`: the receipt and everything observable, or the fatal error.
    pub fn execute(
        &mut self,
        msg: &Message,
        kind: RefKind,
    ) -> Result<(fvm_shared::receipt::Receipt, Observed, Option<String>)> {
        match self {
            Reference::V4(exec) => {
                let r = exec.execute_message(msg.clone(), kind, raw_len(msg))?;
                let failure = r.failure_info.as_ref().map(|f| f.to_string());
                Ok((r.msg_receipt.clone(), ref_observed(&r), failure))
            }
            Reference::V3(exec) => {
                let (receipt, observed) =
                    crate::ref_vm3::execute(exec, msg, matches!(kind, RefKind::Implicit))?;
                Ok((receipt, observed, None))
            }
        }
    }

    /// Flushes the state tree: the new root.
    pub fn flush(&mut self) -> Result<Cid> {
        match self {
            Reference::V4(exec) => exec.flush(),
            Reference::V3(exec) => crate::ref_vm3::flush(exec),
        }
    }

    /// The id `addr` resolves to.
    pub fn lookup(&self, addr: &Address) -> Result<Option<ActorID>> {
        match self {
            Reference::V4(exec) => Ok(exec.state_tree().lookup_id(addr)?),
            Reference::V3(exec) => crate::ref_vm3::lookup(exec, addr),
        }
    }

    /// Actor `id`'s record.
    pub fn actor(&self, id: ActorID) -> Result<Option<ActorState>> {
        match self {
            Reference::V4(exec) => Ok(exec.state_tree().get_actor(id)?),
            Reference::V3(exec) => crate::ref_vm3::actor(exec, id),
        }
    }

    /// Whether the oracle is ref-fvm 3.14, whose traces have no `Log` or `Ipld` events.
    pub fn is_v3(&self) -> bool {
        matches!(self, Reference::V3(_))
    }
}

/// Fern's network version type for an `fvm_shared` one.
pub fn fern_nv(nv: NetworkVersion) -> fern_shared::version::NetworkVersion {
    fern_shared::version::NetworkVersion::new(u32::from(nv))
}

/// Fern on its own, with settings the oracle cannot share: whether `actor::upgrade_actor` is
/// linked, and the proof verifier.
#[derive(Clone)]
pub struct FernSide {
    /// Link `actor::upgrade_actor` (ref-fvm's `upgrade-actor` feature).
    pub upgrade_actor: bool,
    /// The host's proof verifier.
    pub proofs: Arc<dyn ProofVerifier>,
}

impl Default for FernSide {
    /// As the oracle is configured: `upgrade_actor` linked, no proof verifier.
    fn default() -> Self {
        FernSide {
            upgrade_actor: true,
            proofs: Arc::new(NoProofVerifier),
        }
    }
}

impl FernSide {
    /// Fern's settings on mainnet: `upgrade_actor` not linked.
    pub fn mainnet() -> Self {
        FernSide {
            upgrade_actor: false,
            ..Self::default()
        }
    }

    /// Fern's machine over a copy of `genesis` at `nv`, epoch [`EPOCH`], base fee [`BASE_FEE`],
    /// tracing on.
    pub fn machine(
        &self,
        nv: NetworkVersion,
        genesis: &Genesis,
    ) -> Result<Machine<RecordingStore, TestExterns>> {
        let config = NetworkConfig::new(fern_nv(nv))?
            .with_builtin_actors(genesis.builtin_actors)
            .with_upgrade_actor(self.upgrade_actor);
        let ctx = MachineContext::new(EPOCH, (EPOCH * 30) as u64, genesis.state_root)
            .with_base_fee(fern_shared::econ::TokenAmount::from_atto(BASE_FEE))
            .with_tracing();
        Machine::new(config, ctx, genesis.store(), TestExterns)
    }

    /// Fern's executor over a copy of `genesis`, on `engine`, with the builtin actors preloaded.
    pub fn executor_on(
        &self,
        engine: Engine,
        nv: NetworkVersion,
        genesis: &Genesis,
    ) -> Result<FernExecutor> {
        let exec =
            Executor::with_proof_verifier(engine, self.machine(nv, genesis)?, self.proofs.clone());
        if exec.preload_builtin_actors()? == 0 {
            return Err(anyhow!("no builtin actor code preloaded"));
        }
        Ok(exec)
    }

    /// Like [`executor_on`](Self::executor_on), on the process-wide engine of `nv`
    /// (`Engine::shared`; fine for shallow call stacks).
    pub fn executor(&self, nv: NetworkVersion, genesis: &Genesis) -> Result<FernExecutor> {
        self.executor_on(Engine::shared(fern_nv(nv))?, nv, genesis)
    }
}

/// Applies `msg` on Fern and reports what it showed. Panics on a fatal error (no receipt).
pub fn observe_fern(fern: &mut FernExecutor, msg: &Message, kind: RefKind) -> Observed {
    let bytes = fvm_ipld_encoding::to_vec(msg).expect("messages encode");
    let fern_msg: fern_shared::message::Message =
        fvm_ipld_encoding::from_slice(&bytes).expect("Fern decodes fvm_shared messages");
    let kind = match kind {
        RefKind::Explicit => ApplyKind::Explicit,
        RefKind::Implicit => ApplyKind::Implicit,
    };
    let r = fern
        .apply_message(&fern_msg, kind, raw_len(msg))
        .expect("fern: no fatal error");
    fern_observed(&r)
}

/// The plain view of Fern's result.
pub fn fern_observed(r: &fern::executor::ApplyRet) -> Observed {
    Observed {
        exit_code: r.receipt.exit_code.value(),
        return_data: r.receipt.return_data.to_vec(),
        gas_used: r.receipt.gas_used,
        events_root: r.receipt.events_root,
        events: crate::fern_vm::fern_events(r),
        fees: [
            r.penalty.atto().to_string(),
            r.base_fee_burn.atto().to_string(),
            r.over_estimation_burn.atto().to_string(),
            r.miner_tip.atto().to_string(),
            r.refund.atto().to_string(),
        ],
        gas_refund_burned: (r.gas_refund, r.gas_burned),
        return_codec: r.return_codec,
        charges: r
            .gas_charges()
            .map(|c| {
                (
                    c.name.to_string(),
                    c.compute_gas.as_milligas(),
                    c.other_gas.as_milligas(),
                )
            })
            .collect(),
        trace: r
            .exec_trace
            .iter()
            .map(crate::fern_vm::trace_event)
            .collect(),
    }
}

/// Applies `msg` on ref-fvm and reports what it showed. Panics on a fatal error (no receipt).
pub fn observe_ref(reference: &mut RefExecutor, msg: &Message, kind: RefKind) -> Observed {
    let r = reference
        .execute_message(msg.clone(), kind, raw_len(msg))
        .expect("ref-fvm: no fatal error");
    ref_observed(&r)
}

/// The plain view of ref-fvm's result.
pub fn ref_observed(r: &fvm::executor::ApplyRet) -> Observed {
    Observed {
        exit_code: r.msg_receipt.exit_code.value(),
        return_data: r.msg_receipt.return_data.to_vec(),
        gas_used: r.msg_receipt.gas_used,
        events_root: r.msg_receipt.events_root,
        events: crate::ref_vm::ref_events(r),
        fees: [
            r.penalty.atto().to_string(),
            r.base_fee_burn.atto().to_string(),
            r.over_estimation_burn.atto().to_string(),
            r.miner_tip.atto().to_string(),
            r.refund.atto().to_string(),
        ],
        gas_refund_burned: (r.gas_refund, r.gas_burned),
        return_codec: r.return_codec,
        charges: r
            .exec_trace
            .iter()
            .filter_map(|e| match e {
                fvm::trace::ExecutionEvent::GasCharge(c) => Some((
                    c.name.to_string(),
                    c.compute_gas.as_milligas(),
                    c.other_gas.as_milligas(),
                )),
                _ => None,
            })
            .collect(),
        trace: r
            .exec_trace
            .iter()
            .map(crate::ref_vm::trace_event)
            .collect(),
    }
}

/// ref-fvm's executor over a copy of `genesis` at `nv`, epoch [`EPOCH`], base fee [`BASE_FEE`],
/// tracing on, on `pool` (a fresh pool when `None`).
pub fn ref_executor(
    nv: NetworkVersion,
    genesis: &Genesis,
    pool: Option<EnginePool>,
) -> Result<RefExecutor> {
    let mc = ref_machine_config(nv, genesis);
    let pool = match pool {
        Some(p) => p,
        None => EnginePool::new((&mc.network).into())?,
    };
    let machine = DefaultMachine::new(&mc, genesis.store(), TestExterns)?;
    RefExecutor::new(pool, machine)
}

fn ref_machine_config(nv: NetworkVersion, genesis: &Genesis) -> fvm::machine::MachineContext {
    let mut nc = fvm::machine::NetworkConfig::new(nv);
    nc.override_actors(genesis.builtin_actors);
    let mut mc = nc.for_epoch(EPOCH, (EPOCH * 30) as u64, genesis.state_root);
    mc.set_base_fee(TokenAmount::from_atto(BASE_FEE));
    mc.enable_tracing();
    mc
}

/// Both VMs on one genesis; see the [module docs](self).
pub struct Pair {
    /// The network version.
    pub nv: NetworkVersion,
    /// The oracle: ref-fvm 4.8, or 3.14 at network versions 18 to 20.
    pub reference: Reference,
    /// Fern.
    pub fern: FernExecutor,
    /// The genesis both started from.
    pub genesis: Arc<Genesis>,
    /// The key accounts: (id, f1 address), seeds 1, 2, ...
    pub accounts: Vec<(ActorID, Address)>,
    /// Messages applied so far.
    pub step: usize,
    engines: Option<Engines>,
}

impl Drop for Pair {
    fn drop(&mut self) {
        if let Some(engines) = self.engines.take() {
            free_engines()
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(u32::from(self.nv))
                .or_default()
                .push(engines);
        }
    }
}

impl Pair {
    /// A pair on a genesis with `accounts` secp256k1 accounts.
    pub fn new(nv: NetworkVersion, accounts: u8) -> Self {
        Self::with_actors(nv, accounts, &[])
    }

    /// Like [`Pair::new`], with Wasm modules installed at genesis (id, Wasm).
    pub fn with_actors(nv: NetworkVersion, accounts: u8, wasm_actors: &[(ActorID, &[u8])]) -> Self {
        let genesis = genesis(accounts, &[], wasm_actors).expect("genesis builds");
        Self::on(nv, Arc::new(genesis))
    }

    /// A pair on `genesis`, Fern configured as the oracle ([`FernSide::default`]).
    pub fn on(nv: NetworkVersion, genesis: Arc<Genesis>) -> Self {
        Self::on_with(nv, genesis, FernSide::default())
    }

    /// A pair on `genesis` with the given Fern settings.
    pub fn on_with(nv: NetworkVersion, genesis: Arc<Genesis>, mut side: FernSide) -> Self {
        let engines = if uses_ref3(nv) {
            // ref-fvm 3.14 has no `actor::upgrade_actor` at all.
            side.upgrade_actor = false;
            lease_engines(nv, &fvm::machine::NetworkConfig::new(NetworkVersion::V21))
        } else {
            lease_engines(nv, &ref_machine_config(nv, &genesis).network)
        }
        .expect("engines build");
        let reference = match &engines.reference {
            RefPool::V4(pool) => {
                let mc = ref_machine_config(nv, &genesis);
                let machine = DefaultMachine::new(&mc, genesis.store(), TestExterns)
                    .expect("ref-fvm machine");
                Reference::V4(Box::new(
                    RefExecutor::new(pool.clone(), machine).expect("ref-fvm executor"),
                ))
            }
            RefPool::V3(pool) => Reference::V3(Box::new(
                crate::ref_vm3::ref3_executor_on(pool.clone(), u32::from(nv), &genesis)
                    .expect("ref-fvm 3.14 executor"),
            )),
        };
        let fern = side
            .executor_on(engines.fern.clone(), nv, &genesis)
            .expect("Fern executor");
        let accounts = genesis.accounts.iter().map(|a| (a.id, a.address)).collect();
        Pair {
            nv,
            reference,
            fern,
            genesis,
            accounts,
            step: 0,
            engines: Some(engines),
        }
    }

    /// The f1 address of account `i` (seed `i + 1`).
    pub fn account(&self, i: usize) -> Address {
        self.accounts[i].1
    }

    /// Applies the explicit message `msg` on both VMs, checks that everything observable
    /// matches (panicking with the step and both failure reasons otherwise) and returns
    /// ref-fvm's receipt.
    pub fn apply(&mut self, msg: Message) -> fvm_shared::receipt::Receipt {
        self.apply_kind(msg, RefKind::Explicit)
    }

    /// [`apply`](Self::apply) for either kind of message.
    pub fn apply_kind(&mut self, msg: Message, kind: RefKind) -> fvm_shared::receipt::Receipt {
        match self.try_apply_kind(msg, kind) {
            Ok(receipt) => receipt,
            Err(e) => panic!("both VMs failed fatally: {e}"),
        }
    }

    /// [`apply_kind`](Self::apply_kind) for messages that may end in a fatal error (fuzzing):
    /// `Err` with ref-fvm's error when both VMs fail fatally (the pair must not be used
    /// afterwards), `Ok` with the receipt when both give one and everything observable
    /// matches; panics when they differ, or when only one of them fails fatally.
    pub fn try_apply_kind(
        &mut self,
        msg: Message,
        kind: RefKind,
    ) -> Result<fvm_shared::receipt::Receipt, String> {
        self.step += 1;
        let theirs = self.reference.execute(&msg, kind);
        let bytes = fvm_ipld_encoding::to_vec(&msg).expect("messages encode");
        let fern_msg: fern_shared::message::Message =
            fvm_ipld_encoding::from_slice(&bytes).expect("Fern decodes fvm_shared messages");
        let fern_kind = match kind {
            RefKind::Explicit => ApplyKind::Explicit,
            RefKind::Implicit => ApplyKind::Implicit,
        };
        let ours = self.fern.apply_message(&fern_msg, fern_kind, raw_len(&msg));
        let (theirs, ours) = match (theirs, ours) {
            (Ok(t), Ok(o)) => (t, o),
            (Err(t), Err(_)) => return Err(format!("{t:#}")),
            (Ok(t), Err(o)) => panic!(
                "step {}: only Fern failed fatally ({:#}); ref-fvm exited {:?}",
                self.step, o.0, t.0.exit_code
            ),
            (Err(t), Ok(o)) => panic!(
                "step {}: only ref-fvm failed fatally ({t:#}); Fern exited {}",
                self.step, o.receipt.exit_code
            ),
        };
        let ctx = || {
            format!(
                "nv{} step {}: ref failure {:?}, fern failure {:?}",
                u32::from(self.nv),
                self.step,
                theirs.2,
                ours.failure_info
            )
        };
        let t = &theirs.1;
        let mut o = fern_observed(&ours);
        if self.reference.is_v3() {
            o.trace = crate::ref_vm3::comparable_trace(&o.trace);
        }
        if trace_enabled() {
            eprintln!(
                "nv{} step {}: exit {} gas {} events {:?} charges {} ret {:02x?}",
                u32::from(self.nv),
                self.step,
                t.exit_code,
                t.gas_used,
                t.events_root,
                t.charges.len(),
                &t.return_data[..t.return_data.len().min(12)]
            );
        }
        if self.reference.is_v3() {
            // ref-fvm 3.14 reports no return codec.
            o.return_codec = None;
        }
        if let Some(diff) = t.first_difference(&o) {
            panic!("{diff}; {}", ctx());
        }
        if let Some(diff) = t.first_trace_difference(&o) {
            panic!("{diff}; {}", ctx());
        }
        let ref_root = self.reference.flush().expect("ref-fvm flushes");
        let fern_root = self.fern.flush().expect("Fern flushes");
        assert_eq!(fern_root, ref_root, "state root; {}", ctx());
        Ok(theirs.0)
    }

    /// The code CID of a bundle actor.
    pub fn code(&self, name: &str) -> Cid {
        self.genesis
            .code(name)
            .unwrap_or_else(|| panic!("no bundle actor {name}"))
    }

    /// ref-fvm's record of actor `id`.
    pub fn actor(&self, id: ActorID) -> Option<ActorState> {
        self.reference
            .actor(id)
            .expect("ref-fvm reads its state tree")
    }

    /// The id `addr` resolves to in ref-fvm's state.
    pub fn lookup(&self, addr: &Address) -> Option<ActorID> {
        self.reference
            .lookup(addr)
            .expect("ref-fvm reads its state tree")
    }
}

/// Whether `FERN_TRACE` asks for a line per message.
pub fn trace_enabled() -> bool {
    std::env::var_os("FERN_TRACE").is_some()
}

/// A message with the harness defaults: gas limit 50 M, fee cap 300, premium 20 attoFIL.
pub fn msg(
    from: Address,
    to: Address,
    seq: u64,
    value: TokenAmount,
    method: u64,
    params: RawBytes,
) -> Message {
    Message {
        version: 0,
        from,
        to,
        sequence: seq,
        value,
        method_num: method,
        params,
        gas_limit: 50_000_000,
        gas_fee_cap: TokenAmount::from_atto(300),
        gas_premium: TokenAmount::from_atto(20),
    }
}
