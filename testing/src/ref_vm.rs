//! [`Vm`] on ref-fvm 4.8 (the oracle): a `DefaultExecutor` with the Filecoin kernel over the
//! genesis blocks, with externs that serve the scenario's randomness and tipset CIDs.
//!
//! A run can also be *recorded* ([`RefVm::recording`]): which blocks of the starting state the
//! machine read, which randomness it drew, and which actor code it invoked. The vector
//! generator ([`crate::vectorgen`]) turns that into a self-contained test vector.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use anyhow::Result;
use cid::Cid;
use fvm::call_manager::DefaultCallManager;
use fvm::engine::EnginePool;
use fvm::executor::{ApplyKind, DefaultExecutor, Executor};
use fvm::externs::{Chain, Consensus, Externs, Rand};
use fvm::kernel::filecoin::DefaultFilecoinKernel;
use fvm::machine::{DefaultMachine, NetworkConfig};
use fvm::trace::ExecutionEvent;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;
use fvm_shared::message::Message;

use crate::genesis::RecordingStore;
use crate::scenario::{tipset_cid, Randomness, Scenario};
use crate::vm::{EventRecord, Outcome, TraceEvent, Vm};

/// Which randomness a draw asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RandomnessSource {
    /// Chain (ticket) randomness.
    Chain,
    /// Beacon (drand) randomness.
    Beacon,
}

/// The chain as the scenario describes it: randomness digests per epoch, tipset CIDs from
/// [`tipset_cid`], and no consensus faults. Every randomness draw is noted.
#[derive(Debug, Clone)]
pub struct ScenarioExterns {
    randomness: Randomness,
    draws: Arc<Mutex<BTreeSet<(RandomnessSource, ChainEpoch)>>>,
}

impl ScenarioExterns {
    /// Externs serving `randomness` (and the fallback digest elsewhere).
    pub fn new(randomness: Randomness) -> Self {
        ScenarioExterns {
            randomness,
            draws: Default::default(),
        }
    }

    /// Every draw made so far (by this value and its clones): source and epoch.
    pub fn draws(&self) -> BTreeSet<(RandomnessSource, ChainEpoch)> {
        lock(&self.draws).clone()
    }

    fn note(&self, source: RandomnessSource, round: ChainEpoch) {
        lock(&self.draws).insert((source, round));
    }
}

impl Rand for ScenarioExterns {
    fn get_chain_randomness(&self, round: ChainEpoch) -> Result<[u8; 32]> {
        self.note(RandomnessSource::Chain, round);
        Ok(self.randomness.chain_digest(round))
    }

    fn get_beacon_randomness(&self, round: ChainEpoch) -> Result<[u8; 32]> {
        self.note(RandomnessSource::Beacon, round);
        Ok(self.randomness.beacon_digest(round))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The genesis store as the machine sees it, noting the CID of every block read from it.
/// (Blocks the machine wrote itself are served from its own write buffer and never reach this
/// store, so the reads are exactly the pre-state blocks the run needed.)
#[derive(Debug, Clone)]
pub struct ObservedStore {
    inner: RecordingStore,
    reads: Arc<Mutex<BTreeSet<Cid>>>,
}

impl ObservedStore {
    /// Observes reads of `inner`.
    pub fn new(inner: RecordingStore) -> Self {
        ObservedStore {
            inner,
            reads: Default::default(),
        }
    }

    /// The CIDs read so far (by this store and its clones).
    pub fn reads(&self) -> BTreeSet<Cid> {
        lock(&self.reads).clone()
    }

    /// The store it observes (holding the genesis blocks and everything flushed since).
    pub fn inner(&self) -> &RecordingStore {
        &self.inner
    }
}

impl Blockstore for ObservedStore {
    fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
        lock(&self.reads).insert(*k);
        self.inner.get(k)
    }

    fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
        self.inner.put_keyed(k, block)
    }

    fn has(&self, k: &Cid) -> Result<bool> {
        lock(&self.reads).insert(*k);
        self.inner.has(k)
    }
}

/// What a recorded run touched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recording {
    /// The blocks the machine flushed (the post-state's new blocks), by CID.
    pub written: std::collections::BTreeMap<Cid, Vec<u8>>,
    /// Every pre-state block read (including code blocks read to compile actors, which depends
    /// on what the process compiled before; use [`Recording::invoked_code`] for code).
    pub reads: BTreeSet<Cid>,
    /// Every randomness draw: source and epoch.
    pub draws: BTreeSet<(RandomnessSource, ChainEpoch)>,
    /// The code CID of every actor invoked (from the execution trace).
    pub invoked_code: BTreeSet<Cid>,
}

impl Consensus for ScenarioExterns {
    fn verify_consensus_fault(
        &self,
        _h1: &[u8],
        _h2: &[u8],
        _extra: &[u8],
    ) -> Result<(Option<ConsensusFault>, i64)> {
        Ok((None, 0))
    }
}

impl Chain for ScenarioExterns {
    fn get_tipset_cid(&self, epoch: ChainEpoch) -> Result<Cid> {
        Ok(tipset_cid(epoch))
    }
}

impl Externs for ScenarioExterns {}

/// One engine pool per network version, shared by every machine of the process, so actor code
/// is compiled once rather than once per scenario (compiled code depends only on the engine
/// configuration, which depends only on the network settings).
pub(crate) fn engine_for(nc: &NetworkConfig) -> Result<EnginePool> {
    static POOLS: OnceLock<Mutex<HashMap<u32, EnginePool>>> = OnceLock::new();
    let pools = POOLS.get_or_init(Default::default);
    let mut pools = pools.lock().unwrap_or_else(|e| e.into_inner());
    let key = u32::from(nc.network_version) * 2 + nc.actor_debugging as u32;
    if let Some(pool) = pools.get(&key) {
        return Ok(pool.clone());
    }
    let pool = EnginePool::new(nc.into())?;
    pools.insert(key, pool.clone());
    Ok(pool)
}

pub(crate) type RefMachine = DefaultMachine<ObservedStore, ScenarioExterns>;
pub(crate) type RefExecutor =
    DefaultExecutor<DefaultFilecoinKernel<DefaultCallManager<RefMachine>>>;

/// ref-fvm running a scenario.
pub struct RefVm {
    executor: RefExecutor,
    tracing: bool,
    genesis: Arc<crate::genesis::Genesis>,
    store: ObservedStore,
    draws: Arc<Mutex<BTreeSet<(RandomnessSource, ChainEpoch)>>>,
    invoked_code: BTreeSet<Cid>,
}

impl RefVm {
    /// A machine for `scenario`: its genesis, network version, epoch (timestamp = epoch × 30),
    /// base fee, circulating supply, chain id 0, the bundle as builtin actors, the test actors'
    /// code preloaded.
    pub fn new(scenario: &Scenario) -> Result<Self> {
        Self::build(scenario, false)
    }

    /// Like [`RefVm::new`], with execution tracing on so that [`RefVm::recording`] can report
    /// the actors invoked (tracing changes no result).
    pub fn recorded(scenario: &Scenario) -> Result<Self> {
        Self::build(scenario, true)
    }

    /// What the run touched so far (see [`Recording`]); actor code only when built with
    /// [`RefVm::recorded`].
    pub fn recording(&self) -> Recording {
        let written = self
            .store
            .inner
            .blocks()
            .into_iter()
            .filter(|(c, _)| !self.genesis.blocks.contains_key(c))
            .collect();
        Recording {
            written,
            reads: self.store.reads(),
            draws: lock(&self.draws).clone(),
            invoked_code: self.invoked_code.clone(),
        }
    }

    fn build(scenario: &Scenario, tracing: bool) -> Result<Self> {
        let genesis = &scenario.genesis;
        let store = ObservedStore::new(genesis.store());
        let observed = store.clone();
        let mut nc = NetworkConfig::new(scenario.network_version);
        nc.override_actors(genesis.builtin_actors);
        if scenario.actor_debugging {
            nc.enable_actor_debugging();
        }
        let mut mc = nc.for_epoch(
            scenario.epoch,
            scenario.epoch as u64 * 30,
            genesis.state_root,
        );
        mc.set_base_fee(scenario.base_fee.clone());
        mc.set_circulating_supply(scenario.circ_supply.clone());
        if tracing {
            mc.enable_tracing();
        }
        let engine = engine_for(&mc.network)?;
        // Compiling is not part of the run: preload from the plain store, unobserved.
        engine
            .acquire()
            .preload_all(&store.inner, &genesis.test_codes())?;
        let draws = Arc::new(Mutex::new(BTreeSet::new()));
        let externs = ScenarioExterns {
            randomness: scenario.randomness.clone(),
            draws: draws.clone(),
        };
        let machine = DefaultMachine::new(&mc, store, externs)?;
        Ok(RefVm {
            executor: DefaultExecutor::new(engine, machine)?,
            tracing,
            genesis: genesis.clone(),
            store: observed,
            draws,
            invoked_code: BTreeSet::new(),
        })
    }
}

impl Vm for RefVm {
    fn apply(&mut self, msg: &Message, raw_len: usize) -> Outcome {
        let ret = match self
            .executor
            .execute_message(msg.clone(), ApplyKind::Explicit, raw_len)
        {
            Ok(ret) => ret,
            Err(_) => return Outcome::fatal(),
        };
        if self.tracing {
            for event in &ret.exec_trace {
                if let ExecutionEvent::InvokeActor { state, .. } = event {
                    self.invoked_code.insert(state.code);
                }
            }
        }
        let events = ref_events(&ret);
        Outcome {
            exit_code: ret.msg_receipt.exit_code.value(),
            return_data: ret.msg_receipt.return_data.to_vec(),
            gas_used: ret.msg_receipt.gas_used,
            events_root: ret.msg_receipt.events_root,
            events,
            // Whatever ref-fvm reports: with tracing off, 4.8.4 still records `Ipld` and `Log`
            // events (its `trace_ipld` and `log` do not check the tracing flag).
            trace: ret.exec_trace.iter().map(trace_event).collect(),
        }
    }

    fn state_root(&mut self) -> Cid {
        self.executor.flush().expect("ref-fvm flushes its state")
    }
}

/// Converts one event of a ref-fvm execution trace (`$event` is that generation's
/// `ExecutionEvent` type path, `$e` a reference to one) to the plain [`TraceEvent`], with
/// `$($extra)*` as further match arms for the variants only that generation has. ref-fvm 3.14
/// and 4.8 name the shared variants and their fields alike.
macro_rules! plain_trace_event {
    ($($event:ident)::+, $e:expr, { $($extra:tt)* }) => {{
        let block = |b: &Option<fvm_ipld_encoding::ipld_block::IpldBlock>| {
            b.as_ref().map(|b| (b.codec, b.data.clone()))
        };
        match $e {
            $($event)::+::GasCharge(c) => TraceEvent::GasCharge {
                name: c.name.to_string(),
                compute: c.compute_gas.as_milligas(),
                other: c.other_gas.as_milligas(),
            },
            $($event)::+::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            } => TraceEvent::Call {
                from: *from,
                to: to.to_bytes(),
                method: *method,
                params: block(params),
                value: value.atto().to_string(),
                gas_limit: *gas_limit,
                read_only: *read_only,
            },
            $($event)::+::CallReturn(exit_code, value) => TraceEvent::CallReturn {
                exit_code: exit_code.value(),
                value: block(value),
            },
            $($event)::+::CallError(e) => TraceEvent::CallError {
                number: e.1 as u32,
                message: e.0.clone(),
            },
            $($event)::+::InvokeActor { id, state } => TraceEvent::InvokeActor {
                id: *id,
                code: state.code,
                state: state.state,
                sequence: state.sequence,
                balance: state.balance.atto().to_string(),
                delegated_address: state.delegated_address.map(|a| a.to_bytes()),
            },
            $($extra)*
        }
    }};
}
pub(crate) use plain_trace_event;

/// Converts the stamped events of a ref-fvm result (`$events`, either generation's) to plain
/// records, in emission order.
macro_rules! plain_events {
    ($events:expr) => {
        $events
            .iter()
            .map(|e| EventRecord {
                emitter: e.emitter,
                entries: e
                    .event
                    .entries
                    .iter()
                    .map(|x| (x.flags.bits(), x.key.clone(), x.codec, x.value.clone()))
                    .collect(),
            })
            .collect()
    };
}
pub(crate) use plain_events;

/// One event of ref-fvm's execution trace as plain data (as kept in [`Outcome::trace`]).
pub fn trace_event(e: &ExecutionEvent) -> TraceEvent {
    plain_trace_event!(ExecutionEvent, e, {
        ExecutionEvent::Log(m) => TraceEvent::Log(m.clone()),
        ExecutionEvent::Ipld { op, cid, size } => TraceEvent::Ipld {
            put: matches!(op, fvm::trace::IpldOperation::Put),
            cid: *cid,
            size: *size,
        },
        // `ExecutionEvent` is non-exhaustive; 4.8.4 has no other variant.
        other => TraceEvent::Log(format!("unknown ref-fvm trace event: {other:?}")),
    })
}

/// The events of one message's result as plain records, in emission order.
pub fn ref_events(ret: &fvm::executor::ApplyRet) -> Vec<EventRecord> {
    plain_events!(ret.events)
}
