//! [`Vm`] on Fern: Fern's executor over the scenario's genesis blocks, with the conformance
//! runner's externs (the scenario's randomness digests, the conventional tipset CIDs), which
//! answer exactly as the oracle's ([`crate::ref_vm`]) do.
//!
//! Messages arrive in `fvm_shared` types (the scenarios are written once, for both VMs); they
//! cross over to `fern_shared` through their CBOR bytes, which both crates encode identically
//! (the golden tests in `shared/tests` check that).

use anyhow::Result;
use cid::Cid;
use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor};
use fern::machine::{Machine, MachineContext, NetworkConfig};
use fern_conformance::runner::VectorExterns;
use fern_shared::version::NetworkVersion as FernNv;

use crate::genesis::RecordingStore;
use crate::scenario::Scenario;
use crate::vm::{EventRecord, Outcome, Vm};

/// Fern running a scenario.
pub struct FernVm {
    executor: Executor<RecordingStore, VectorExterns>,
}

impl FernVm {
    /// A machine for `scenario` with exactly the settings [`crate::ref_vm::RefVm::new`] uses.
    pub fn new(scenario: &Scenario) -> Result<Self> {
        let genesis = &scenario.genesis;
        let nv = FernNv::new(u32::from(scenario.network_version));
        let mut config = NetworkConfig::new(nv)?
            .with_builtin_actors(genesis.builtin_actors)
            // The oracle is built with ref-fvm's `upgrade-actor` feature (fvm_integration_tests
            // turns it on), so the harness links `upgrade_actor` too.
            .with_upgrade_actor(true);
        if scenario.actor_debugging {
            config = config.with_actor_debugging();
        }
        let context = MachineContext::new(
            scenario.epoch,
            scenario.epoch as u64 * 30,
            genesis.state_root,
        )
        .with_base_fee(to_fern_amount(&scenario.base_fee))
        .with_circulating_supply(to_fern_amount(&scenario.circ_supply));
        let externs = VectorExterns::from_maps(
            scenario.randomness.chain.clone(),
            scenario.randomness.beacon.clone(),
        );
        let machine = Machine::new(config, context, genesis.store(), externs)?;
        Ok(FernVm { executor: Executor::new(Engine::shared(nv)?, machine) })
    }
}

fn to_fern_amount(v: &fvm_shared::econ::TokenAmount) -> fern_shared::econ::TokenAmount {
    fern_shared::econ::TokenAmount::from_atto(v.atto().clone())
}

/// The same message in Fern's types, through its CBOR bytes.
pub fn to_fern_message(msg: &fvm_shared::message::Message) -> fern_shared::message::Message {
    let bytes = fvm_ipld_encoding::to_vec(msg).expect("messages encode");
    fvm_ipld_encoding::from_slice(&bytes).expect("Fern decodes what fvm_shared encodes")
}

impl Vm for FernVm {
    fn apply(&mut self, msg: &fvm_shared::message::Message, raw_len: usize) -> Outcome {
        let ret = match self
            .executor
            .apply_message(&to_fern_message(msg), ApplyKind::Explicit, raw_len)
        {
            Ok(ret) => ret,
            Err(_) => return Outcome::fatal(),
        };
        let events = ret
            .events
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
            .collect();
        Outcome {
            exit_code: ret.receipt.exit_code.value(),
            return_data: ret.receipt.return_data.to_vec(),
            gas_used: ret.receipt.gas_used,
            events_root: ret.receipt.events_root,
            events,
        }
    }

    fn state_root(&mut self) -> Cid {
        self.executor.flush().expect("Fern flushes its state")
    }
}
