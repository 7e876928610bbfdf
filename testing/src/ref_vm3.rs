//! The oracle for network versions 18 to 20: ref-fvm 3.14, the generation Lotus links for the
//! actor bundles v10 and v11 (through filecoin-ffi), over the same genesis blocks and externs as
//! the 4.8 oracle.
//!
//! Messages, receipts and events are handed over in `fvm_shared` 4.8 types: the 3.14 ones have
//! the same CBOR encoding, so each crossing is an encode/decode round trip. What ref-fvm 3.14
//! shows of an application is turned into the harness's plain [`Observed`]; its execution trace
//! has no `Log` and no `Ipld` events (those came with 4.x), so comparisons against it drop
//! those two kinds from Fern's trace ([`comparable_trace`]).

use anyhow::{Context, Result};
use cid::Cid;
use fvm3::call_manager::DefaultCallManager;
use fvm3::engine::EnginePool;
use fvm3::executor::{ApplyKind, DefaultExecutor, Executor as _};
use fvm3::machine::{DefaultMachine, Machine as _, NetworkConfig};
use fvm3::trace::ExecutionEvent;
use fvm3::DefaultKernel;
use fvm_shared::address::Address;
use fvm_shared::message::Message;
use fvm_shared::receipt::Receipt;

use crate::genesis::{Genesis, RecordingStore};
use crate::harness::{raw_len, Observed, TestExterns, BASE_FEE, EPOCH};
use crate::vm::{EventRecord, TraceEvent};

/// The network versions ref-fvm 3.14 runs (without its `nv21-dev` feature).
pub const VERSIONS: std::ops::RangeInclusive<u32> = 18..=20;

/// ref-fvm 3.14's executor over a [`RecordingStore`] with [`TestExterns`].
pub type Ref3Executor =
    DefaultExecutor<DefaultKernel<DefaultCallManager<DefaultMachine<RecordingStore, TestExterns>>>>;

/// Implements ref-fvm 3.14's extern traits for `$ty` by delegating to its ref-fvm 4.8 ones (the
/// two generations ask the node the same questions).
macro_rules! fvm3_externs_via_fvm4 {
    ($ty:ty) => {
        impl fvm3::externs::Rand for $ty {
            fn get_chain_randomness(&self, round: i64) -> Result<[u8; 32]> {
                fvm::externs::Rand::get_chain_randomness(self, round)
            }
            fn get_beacon_randomness(&self, round: i64) -> Result<[u8; 32]> {
                fvm::externs::Rand::get_beacon_randomness(self, round)
            }
        }

        impl fvm3::externs::Consensus for $ty {
            fn verify_consensus_fault(
                &self,
                h1: &[u8],
                h2: &[u8],
                extra: &[u8],
            ) -> Result<(Option<fvm3_shared::consensus::ConsensusFault>, i64)> {
                let (fault, gas) =
                    fvm::externs::Consensus::verify_consensus_fault(self, h1, h2, extra)?;
                let fault = fault
                    .map(|f| -> Result<_> {
                        Ok(fvm3_shared::consensus::ConsensusFault {
                            target: convert(&f.target)?,
                            epoch: f.epoch,
                            fault_type: {
                                use fvm3_shared::consensus::ConsensusFaultType as T3;
                                use fvm_shared::consensus::ConsensusFaultType as T4;
                                match f.fault_type {
                                    T4::DoubleForkMining => T3::DoubleForkMining,
                                    T4::ParentGrinding => T3::ParentGrinding,
                                    T4::TimeOffsetMining => T3::TimeOffsetMining,
                                }
                            },
                        })
                    })
                    .transpose()?;
                Ok((fault, gas))
            }
        }

        impl fvm3::externs::Chain for $ty {
            fn get_tipset_cid(&self, epoch: i64) -> Result<Cid> {
                fvm::externs::Chain::get_tipset_cid(self, epoch)
            }
        }

        impl fvm3::externs::Externs for $ty {}
    };
}

fvm3_externs_via_fvm4!(TestExterns);
fvm3_externs_via_fvm4!(crate::ref_vm::ScenarioExterns);

/// ref-fvm 3.14's executor on `pool` (compiled modules are kept per pool) over a copy of
/// `genesis` at network version `nv` (18 to 20), epoch [`EPOCH`], base fee [`BASE_FEE`], tracing
/// on.
pub fn ref3_executor_on(pool: EnginePool, nv: u32, genesis: &Genesis) -> Result<Ref3Executor> {
    anyhow::ensure!(VERSIONS.contains(&nv), "ref-fvm 3.14 does not run nv{nv}");
    let mut nc = NetworkConfig::new(fvm3_shared::version::NetworkVersion::from(nv));
    nc.override_actors(genesis.builtin_actors);
    let mut mc = nc.for_epoch(EPOCH, (EPOCH * 30) as u64, genesis.state_root);
    mc.set_base_fee(fvm3_shared::econ::TokenAmount::from_atto(BASE_FEE));
    mc.enable_tracing();
    let machine = DefaultMachine::new(&mc, genesis.store(), TestExterns)?;
    Ref3Executor::new(pool, machine)
}

/// Re-encodes a value of one `fvm_shared` generation as the same-shaped type of another.
fn convert<T: serde::Serialize, U: serde::de::DeserializeOwned>(v: &T) -> Result<U> {
    let bytes = fvm_ipld_encoding::to_vec(v).context("encode")?;
    fvm_ipld_encoding::from_slice(&bytes).context("decode as the other generation's type")
}

/// Applies `msg` on ref-fvm 3.14: its receipt, in 4.8 types, and everything it showed; `Err` on
/// a fatal error.
pub fn execute(
    exec: &mut Ref3Executor,
    msg: &Message,
    implicit: bool,
) -> Result<(Receipt, Observed)> {
    let msg3: fvm3_shared::message::Message = convert(msg)?;
    let kind = if implicit {
        ApplyKind::Implicit
    } else {
        ApplyKind::Explicit
    };
    let r = exec.execute_message(msg3, kind, raw_len(msg))?;
    let receipt: Receipt = convert(&r.msg_receipt)?;
    let events = crate::ref_vm::plain_events!(r.events);
    let trace: Vec<TraceEvent> = r.exec_trace.iter().map(trace_event).collect();
    let observed = Observed {
        exit_code: r.msg_receipt.exit_code.value(),
        return_data: r.msg_receipt.return_data.to_vec(),
        gas_used: r.msg_receipt.gas_used,
        events_root: r.msg_receipt.events_root,
        events,
        fees: [
            r.penalty.atto().to_string(),
            r.base_fee_burn.atto().to_string(),
            r.over_estimation_burn.atto().to_string(),
            r.miner_tip.atto().to_string(),
            r.refund.atto().to_string(),
        ],
        gas_refund_burned: (r.gas_refund, r.gas_burned),
        // ref-fvm 3.14's result carries no return codec; the receipt's bytes are what counts.
        return_codec: None,
        charges: trace
            .iter()
            .filter_map(|e| match e {
                TraceEvent::GasCharge {
                    name,
                    compute,
                    other,
                } => Some((name.clone(), *compute, *other)),
                _ => None,
            })
            .collect(),
        trace,
    };
    Ok((receipt, observed))
}

/// Flushes ref-fvm 3.14's state tree: the new state root.
pub fn flush(exec: &mut Ref3Executor) -> Result<Cid> {
    exec.flush()
}

/// The id `addr` resolves to in ref-fvm 3.14's state.
pub fn lookup(exec: &Ref3Executor, addr: &Address) -> Result<Option<u64>> {
    let addr3: fvm3_shared::address::Address = convert(addr)?;
    Ok(exec.state_tree().lookup_id(&addr3)?)
}

/// Actor `id`'s record in ref-fvm 3.14's state, as a 4.8 `ActorState`.
pub fn actor(exec: &Ref3Executor, id: u64) -> Result<Option<fvm::state_tree::ActorState>> {
    exec.state_tree()
        .get_actor(id)?
        .map(|a| convert(&a))
        .transpose()
}

/// One event of ref-fvm 3.14's execution trace in the harness's plain form.
pub fn trace_event(e: &ExecutionEvent) -> TraceEvent {
    crate::ref_vm::plain_trace_event!(ExecutionEvent, e, {
        // `ExecutionEvent` is non-exhaustive; 3.14.2 has no other variant.
        other => TraceEvent::Log(format!("unknown ref-fvm 3 trace event: {other:?}")),
    })
}

/// `trace` without the event kinds ref-fvm 3.14 does not report (`Log`, `Ipld`).
pub fn comparable_trace(trace: &[TraceEvent]) -> Vec<TraceEvent> {
    trace
        .iter()
        .filter(|e| !matches!(e, TraceEvent::Log(_) | TraceEvent::Ipld { .. }))
        .cloned()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Scenarios and vectors on ref-fvm 3.14
// ---------------------------------------------------------------------------------------------

type ScenarioExecutor3 = DefaultExecutor<
    DefaultKernel<
        DefaultCallManager<
            DefaultMachine<crate::ref_vm::ObservedStore, crate::ref_vm::ScenarioExterns>,
        >,
    >,
>;

/// One engine pool per network version and debugging flag for the whole process (compiled code
/// depends only on the engine configuration).
fn scenario_engine(nc: &NetworkConfig) -> Result<EnginePool> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static POOLS: OnceLock<Mutex<HashMap<(u32, bool), EnginePool>>> = OnceLock::new();
    let mut pools = POOLS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let key = (u32::from(nc.network_version), nc.actor_debugging);
    if let Some(pool) = pools.get(&key) {
        return Ok(pool.clone());
    }
    let pool = EnginePool::new_default(nc.into())?;
    pools.insert(key, pool.clone());
    Ok(pool)
}

/// ref-fvm 3.14 running a scenario at network version 18, 19 or 20, recording what it touched
/// (as [`crate::ref_vm::RefVm`] does on 4.8; the vector generator uses either).
pub struct RefVm3 {
    executor: ScenarioExecutor3,
    genesis: std::sync::Arc<Genesis>,
    store: crate::ref_vm::ObservedStore,
    externs: crate::ref_vm::ScenarioExterns,
    invoked_code: std::collections::BTreeSet<Cid>,
}

impl RefVm3 {
    /// A machine for `scenario` with tracing on (for the invoked code): its genesis, network
    /// version, epoch (timestamp = epoch × 30), base fee, circulating supply, the bundle as
    /// builtin actors, the test actors' code compiled up front from the unobserved store.
    pub fn recorded(scenario: &crate::scenario::Scenario) -> Result<Self> {
        let nv = u32::from(scenario.network_version);
        anyhow::ensure!(VERSIONS.contains(&nv), "ref-fvm 3.14 does not run nv{nv}");
        let genesis = &scenario.genesis;
        let store = crate::ref_vm::ObservedStore::new(genesis.store());
        let mut nc = NetworkConfig::new(fvm3_shared::version::NetworkVersion::from(nv));
        nc.override_actors(genesis.builtin_actors);
        if scenario.actor_debugging {
            nc.enable_actor_debugging();
        }
        let mut mc = nc.for_epoch(
            scenario.epoch,
            scenario.epoch as u64 * 30,
            genesis.state_root,
        );
        mc.set_base_fee(convert(&scenario.base_fee)?);
        mc.set_circulating_supply(convert(&scenario.circ_supply)?);
        mc.enable_tracing();
        let engine = scenario_engine(&mc.network)?;
        // Compiling is not part of the run: preload from the plain store, unobserved.
        engine
            .acquire()
            .preload(store.inner(), &genesis.test_codes())?;
        let externs = crate::ref_vm::ScenarioExterns::new(scenario.randomness.clone());
        let machine = DefaultMachine::new(&mc, store.clone(), externs.clone())?;
        Ok(RefVm3 {
            executor: DefaultExecutor::new(engine, machine)?,
            genesis: genesis.clone(),
            store,
            externs,
            invoked_code: Default::default(),
        })
    }

    /// What the run touched so far.
    pub fn recording(&self) -> crate::ref_vm::Recording {
        let written = self
            .store
            .inner()
            .blocks()
            .into_iter()
            .filter(|(c, _)| !self.genesis.blocks.contains_key(c))
            .collect();
        crate::ref_vm::Recording {
            written,
            reads: self.store.reads(),
            draws: self.externs.draws(),
            invoked_code: self.invoked_code.clone(),
        }
    }
}

impl crate::vm::Vm for RefVm3 {
    fn apply(&mut self, msg: &Message, raw_len: usize) -> crate::vm::Outcome {
        let Ok(msg3) = convert::<_, fvm3_shared::message::Message>(msg) else {
            return crate::vm::Outcome::fatal();
        };
        let ret = match self
            .executor
            .execute_message(msg3, ApplyKind::Explicit, raw_len)
        {
            Ok(ret) => ret,
            Err(_) => return crate::vm::Outcome::fatal(),
        };
        for event in &ret.exec_trace {
            if let ExecutionEvent::InvokeActor { state, .. } = event {
                self.invoked_code.insert(state.code);
            }
        }
        crate::vm::Outcome {
            exit_code: ret.msg_receipt.exit_code.value(),
            return_data: ret.msg_receipt.return_data.to_vec(),
            gas_used: ret.msg_receipt.gas_used,
            events_root: ret.msg_receipt.events_root,
            events: crate::ref_vm::plain_events!(ret.events),
            trace: ret.exec_trace.iter().map(trace_event).collect(),
        }
    }

    fn state_root(&mut self) -> Cid {
        self.executor
            .flush()
            .expect("ref-fvm 3.14 flushes its state")
    }
}

/// Every way ref-fvm 3.14's run of `variant` (network version 18 to 20) differs from the
/// vector's postconditions, one line each (empty when it matches), with the machine settings of
/// `FIPS/conformance.md`; `extra` blocks (an actor bundle) are added to the vector's. `Err` when
/// no machine can be built over the vector's state or a message is refused with a fatal error.
///
/// ref-fvm 3.14 verifies proofs for real; without proof parameters on the machine a message that
/// verifies one cannot agree with a vector recorded on a chain.
pub fn replay_variant(
    vector: &fern_conformance::TestVector,
    variant: &fern_conformance::vector::Variant,
    extra: &[(Cid, Vec<u8>)],
) -> Result<Vec<String>> {
    use fern_conformance::runner::{DEFAULT_BASE_FEE, EPOCH_SECONDS, SECP_SIGNATURE_OVERHEAD};
    use fvm_ipld_blockstore::Blockstore;
    anyhow::ensure!(
        VERSIONS.contains(&variant.nv),
        "ref-fvm 3.14 does not run nv{}",
        variant.nv
    );
    let store = RecordingStore::default();
    vector.load_car(&store).context("loading the CAR")?;
    for (cid, data) in extra {
        store.put_keyed(cid, data)?;
    }
    let pre = &vector.preconditions;
    let root = pre.state_tree.root_cid.0;
    let mut nc = NetworkConfig::new(fvm3_shared::version::NetworkVersion::from(variant.nv));
    if let Some(manifest) = crate::ref_replay::versioned_manifest(&store, &root)? {
        nc.override_actors(manifest);
    }
    let mut mc = nc.for_epoch(
        variant.epoch,
        (variant.epoch as u64).wrapping_mul(EPOCH_SECONDS),
        root,
    );
    let atto = |b: Option<&fern_conformance::vector::BigNum>, default: u64| {
        fvm3_shared::econ::TokenAmount::from_atto(
            b.map(|b| b.0.clone()).unwrap_or_else(|| default.into()),
        )
    };
    mc.set_base_fee(atto(pre.basefee.as_ref(), DEFAULT_BASE_FEE));
    mc.set_circulating_supply(atto(pre.circ_supply.as_ref(), 0));
    let (chain, beacon) = vector.randomness_maps();
    let externs =
        crate::ref_vm::ScenarioExterns::new(crate::scenario::Randomness { chain, beacon });
    let machine = DefaultMachine::new(&mc, crate::ref_vm::ObservedStore::new(store), externs)?;
    let mut exec: ScenarioExecutor3 = DefaultExecutor::new(scenario_engine(&mc.network)?, machine)?;
    let mut diffs = Vec::new();
    for (i, (am, want)) in vector
        .apply_messages
        .iter()
        .zip(&vector.postconditions.receipts)
        .enumerate()
    {
        let msg: fvm3_shared::message::Message = fvm_ipld_encoding::from_slice(&am.bytes.0)
            .with_context(|| format!("message {i} does not decode"))?;
        let len = am.bytes.0.len()
            + if msg.from.protocol() == fvm3_shared::address::Protocol::Secp256k1 {
                SECP_SIGNATURE_OVERHEAD
            } else {
                0
            };
        let ret = exec
            .execute_message(msg, ApplyKind::Explicit, len)
            .with_context(|| format!("message {i}: fatal error"))?;
        let got = &ret.msg_receipt;
        diffs.extend(crate::ref_replay::receipt_differences(
            i,
            want,
            got.exit_code.value(),
            got.return_data.bytes(),
            got.gas_used,
            got.events_root,
        ));
    }
    let got = exec.flush()?;
    let want = vector.postconditions.state_tree.root_cid.0;
    if got != want {
        diffs.push(format!("state root {want} vs {got}"));
    }
    Ok(diffs)
}
