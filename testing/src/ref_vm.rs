//! [`Vm`] on ref-fvm 4.8 (the oracle): a `DefaultExecutor` with the Filecoin kernel over the
//! genesis blocks, with externs that serve the scenario's randomness and tipset CIDs.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use anyhow::Result;
use cid::Cid;
use fvm::call_manager::DefaultCallManager;
use fvm::engine::EnginePool;
use fvm::executor::{ApplyKind, DefaultExecutor, Executor};
use fvm::externs::{Chain, Consensus, Externs, Rand};
use fvm::kernel::filecoin::DefaultFilecoinKernel;
use fvm::machine::{DefaultMachine, NetworkConfig};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::consensus::ConsensusFault;
use fvm_shared::message::Message;

use crate::genesis::RecordingStore;
use crate::scenario::{tipset_cid, Randomness, Scenario};
use crate::vm::{EventRecord, Outcome, Vm};

/// The chain as the scenario describes it: randomness digests per epoch, tipset CIDs from
/// [`tipset_cid`], and no consensus faults.
#[derive(Debug, Clone)]
pub struct ScenarioExterns {
    randomness: Randomness,
}

impl Rand for ScenarioExterns {
    fn get_chain_randomness(&self, round: ChainEpoch) -> Result<[u8; 32]> {
        Ok(self.randomness.chain_digest(round))
    }

    fn get_beacon_randomness(&self, round: ChainEpoch) -> Result<[u8; 32]> {
        Ok(self.randomness.beacon_digest(round))
    }
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
fn engine_for(nc: &NetworkConfig) -> Result<EnginePool> {
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

type RefMachine = DefaultMachine<RecordingStore, ScenarioExterns>;
type RefExecutor = DefaultExecutor<DefaultFilecoinKernel<DefaultCallManager<RefMachine>>>;

/// ref-fvm running a scenario.
pub struct RefVm {
    executor: RefExecutor,
}

impl RefVm {
    /// A machine for `scenario`: its genesis, network version, epoch (timestamp = epoch × 30),
    /// base fee, circulating supply, chain id 0, the bundle as builtin actors, the test actors'
    /// code preloaded.
    pub fn new(scenario: &Scenario) -> Result<Self> {
        let genesis = &scenario.genesis;
        let store = genesis.store();
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
        let engine = engine_for(&mc.network)?;
        engine
            .acquire()
            .preload_all(&store, &genesis.test_codes())?;
        let externs = ScenarioExterns {
            randomness: scenario.randomness.clone(),
        };
        let machine = DefaultMachine::new(&mc, store, externs)?;
        Ok(RefVm {
            executor: DefaultExecutor::new(engine, machine)?,
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
            exit_code: ret.msg_receipt.exit_code.value(),
            return_data: ret.msg_receipt.return_data.to_vec(),
            gas_used: ret.msg_receipt.gas_used,
            events_root: ret.msg_receipt.events_root,
            events,
        }
    }

    fn state_root(&mut self) -> Cid {
        self.executor.flush().expect("ref-fvm flushes its state")
    }
}
