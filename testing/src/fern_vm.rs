//! [`Vm`] on Fern: Fern's executor over the scenario's genesis blocks, with the conformance
//! runner's externs (the scenario's randomness digests, the conventional tipset CIDs), which
//! answer exactly as the oracle's ([`crate::ref_vm`]) do.
//!
//! Messages arrive in `fvm_shared` types (the scenarios are written once, for both VMs); they
//! cross over to `fern_shared` through their CBOR bytes, which both crates encode identically
//! (the golden tests in `shared/tests` check that).

use anyhow::Result;
use cid::Cid;
use fern::call_manager::{ExecEvent, IpldOp};
use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor};
use fern::machine::{Machine, MachineContext, NetworkConfig};
use fern_conformance::runner::VectorExterns;
use fern_shared::version::NetworkVersion as FernNv;

use crate::genesis::RecordingStore;
use crate::scenario::Scenario;
use crate::vm::{EventRecord, Outcome, TraceEvent, Vm};

/// Fern running a scenario.
pub struct FernVm {
    executor: Executor<RecordingStore, VectorExterns>,
}

impl FernVm {
    /// A machine for `scenario` with exactly the settings [`crate::ref_vm::RefVm::new`] uses.
    pub fn new(scenario: &Scenario) -> Result<Self> {
        Self::build(scenario, false)
    }

    /// Like [`FernVm::new`], with execution tracing on: every [`Outcome`] carries the message's
    /// trace (as [`crate::ref_vm::RefVm::recorded`] does on the oracle).
    pub fn traced(scenario: &Scenario) -> Result<Self> {
        Self::build(scenario, true)
    }

    fn build(scenario: &Scenario, tracing: bool) -> Result<Self> {
        let genesis = &scenario.genesis;
        let nv = FernNv::new(u32::from(scenario.network_version));
        // The development version runs only on request, as ref-fvm's `nv30-dev` feature.
        let config = if nv == fern::gas::DEVELOPMENT_NETWORK_VERSION {
            NetworkConfig::development(nv)?
        } else {
            NetworkConfig::new(nv)?
        };
        let mut config = config
            .with_builtin_actors(genesis.builtin_actors)
            // The oracle is built with ref-fvm's `upgrade-actor` feature (fvm_integration_tests
            // turns it on), so the harness links `upgrade_actor` too.
            .with_upgrade_actor(true);
        if scenario.actor_debugging {
            config = config.with_actor_debugging();
        }
        let mut context = MachineContext::new(
            scenario.epoch,
            scenario.epoch as u64 * 30,
            genesis.state_root,
        )
        .with_base_fee(to_fern_amount(&scenario.base_fee))
        .with_circulating_supply(to_fern_amount(&scenario.circ_supply));
        if tracing {
            context = context.with_tracing();
        }
        let externs = VectorExterns::from_maps(
            scenario.randomness.chain.clone(),
            scenario.randomness.beacon.clone(),
        );
        let machine = Machine::new(config, context, genesis.store(), externs)?;
        Ok(FernVm {
            executor: Executor::new(Engine::shared(nv)?, machine),
        })
    }
}

fn to_fern_amount(v: &fvm_shared::econ::TokenAmount) -> fern_shared::econ::TokenAmount {
    fern_shared::econ::TokenAmount::from_atto(v.atto().clone())
}

/// One event of Fern's execution trace as plain data.
pub fn trace_event(e: &ExecEvent) -> TraceEvent {
    let block =
        |b: &Option<fern::call_manager::TraceBlock>| b.as_ref().map(|b| (b.codec, b.data.clone()));
    match e {
        ExecEvent::GasCharge(c) => TraceEvent::GasCharge {
            name: c.name.to_string(),
            compute: c.compute_gas.as_milligas(),
            other: c.other_gas.as_milligas(),
        },
        ExecEvent::Call {
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
        ExecEvent::CallReturn { exit_code, value } => TraceEvent::CallReturn {
            exit_code: exit_code.value(),
            value: block(value),
        },
        ExecEvent::CallError(e) => TraceEvent::CallError {
            number: e.number as u32,
            message: e.message.clone(),
        },
        ExecEvent::InvokeActor { id, state } => TraceEvent::InvokeActor {
            id: *id,
            code: state.code,
            state: state.state,
            sequence: state.sequence,
            balance: state.balance.atto().to_string(),
            delegated_address: state.delegated_address.map(|a| a.to_bytes()),
        },
        ExecEvent::Log(m) => TraceEvent::Log(m.clone()),
        ExecEvent::Ipld { op, cid, size } => TraceEvent::Ipld {
            put: *op == IpldOp::Put,
            cid: *cid,
            size: *size,
        },
    }
}

/// The same message in Fern's types, through its CBOR bytes.
pub fn to_fern_message(msg: &fvm_shared::message::Message) -> fern_shared::message::Message {
    let bytes = fvm_ipld_encoding::to_vec(msg).expect("messages encode");
    fvm_ipld_encoding::from_slice(&bytes).expect("Fern decodes what fvm_shared encodes")
}

impl FernVm {
    /// [`Vm::apply`] for a message already in Fern's type (benchmarks convert messages before
    /// timing, so that the conversion, which ref-fvm does not need, is not counted).
    pub fn apply_fern(&mut self, msg: &fern_shared::message::Message, raw_len: usize) -> Outcome {
        let ret = match self
            .executor
            .apply_message(msg, ApplyKind::Explicit, raw_len)
        {
            Ok(ret) => ret,
            Err(_) => return Outcome::fatal(),
        };
        let events = fern_events(&ret);
        Outcome {
            exit_code: ret.receipt.exit_code.value(),
            return_data: ret.receipt.return_data.to_vec(),
            gas_used: ret.receipt.gas_used,
            events_root: ret.receipt.events_root,
            events,
            trace: ret.exec_trace.iter().map(trace_event).collect(),
        }
    }
}

impl Vm for FernVm {
    fn apply(&mut self, msg: &fvm_shared::message::Message, raw_len: usize) -> Outcome {
        self.apply_fern(&to_fern_message(msg), raw_len)
    }

    fn state_root(&mut self) -> Cid {
        self.executor.flush().expect("Fern flushes its state")
    }
}

/// The events of one message's result as plain records, in emission order.
pub fn fern_events(ret: &fern::executor::ApplyRet) -> Vec<EventRecord> {
    ret.events
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
}
