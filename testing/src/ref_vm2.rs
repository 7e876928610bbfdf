//! The oracle for network version 17: ref-fvm 2.12, the generation Lotus links for the actor
//! bundle v9, beside Fern's nv17 executor ([`fern::executor::Fvm2Executor`]) on the same state.
//!
//! [`Genesis2`] builds a layout-4 state tree (four-field actor records) holding a system actor,
//! an init actor, a reward actor, the burnt-funds account, secp256k1 accounts and actors of
//! given Wasm code, with a version-1 manifest naming every code. Both VMs load it from the same
//! blocks. ref-fvm 2.12 compiles every manifest code when its machine is created and runs no
//! other code, so each test actor is an entry of the manifest.
//!
//! [`apply_ref2`] and [`apply_fern2`] apply a message and reduce the outcome to the plain
//! [`Outcome2`], which must be equal on both.

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use cid::Cid;
use fern::executor::{ApplyKind, ApplyRet, Fvm2Executor};
use fern::machine::{Fvm2Machine, InitState, MachineContext, StateTree, SystemState};
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_shared::state::{ActorState, StateTreeVersion};
use fern_shared::version::NetworkVersion;
use fvm2::call_manager::DefaultCallManager;
use fvm2::executor::{DefaultExecutor, Executor as _};
use fvm2::machine::{DefaultMachine, Engine as Engine2, NetworkConfig};
use fvm2::DefaultKernel;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_ipld_encoding::CborStore;
use multihash_codetable::{Code, MultihashDigest};

use crate::genesis::{secp_address, RecordingStore};
use crate::harness::{TestExterns, BASE_FEE, EPOCH};

impl fvm2::externs::Rand for TestExterns {
    fn get_chain_randomness(&self, round: i64) -> Result<[u8; 32]> {
        fvm::externs::Rand::get_chain_randomness(self, round)
    }
    fn get_beacon_randomness(&self, round: i64) -> Result<[u8; 32]> {
        fvm::externs::Rand::get_beacon_randomness(self, round)
    }
}

impl fvm2::externs::Consensus for TestExterns {
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> Result<(Option<fvm2_shared::consensus::ConsensusFault>, i64)> {
        Ok((None, 0))
    }
}

impl fvm2::externs::Externs for TestExterns {}

/// ref-fvm 2.12's executor over a [`MemoryBlockstore`] with [`TestExterns`].
pub type Ref2Executor = DefaultExecutor<
    DefaultKernel<DefaultCallManager<DefaultMachine<MemoryBlockstore, TestExterns>>>,
>;

/// Fern's nv17 executor over the same store type and externs.
pub type Fern2Executor = Fvm2Executor<MemoryBlockstore, TestExterns>;

/// The state both VMs start from.
#[derive(Debug, Clone)]
pub struct Genesis2 {
    /// Every block: state, manifest and code.
    pub blocks: BTreeMap<Cid, Vec<u8>>,
    /// The versioned state root (layout 4).
    pub state_root: Cid,
    /// The secp256k1 accounts: id and key address.
    pub accounts: Vec<(u64, Address)>,
    /// The test actors: name, id, code.
    pub actors: Vec<(String, u64, Cid)>,
    /// The code of each manifest entry, by name.
    pub codes: BTreeMap<String, Cid>,
}

/// The id of the first test actor; later ones follow.
pub const FIRST_ACTOR_ID: u64 = 1000;

/// A Wasm module with an `invoke` export that returns 0 and does nothing else: the code of the
/// built-in actors the tests never call for their behaviour (system, init, reward, account). The
/// `tag` goes into a custom section, so each entry has its own CID.
pub fn inert_actor(tag: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module (@custom "fern-test" "{tag}")
             (memory (export "memory") 1)
             (func (export "invoke") (param i32) (result i32) (i32.const 0)))"#
    ))
    .expect("inert actor")
}

fn put_raw(store: &RecordingStore, codec: u64, bytes: &[u8]) -> Result<Cid> {
    let cid = Cid::new_v1(codec, Code::Blake2b256.digest(bytes));
    store.put_keyed(&cid, bytes)?;
    Ok(cid)
}

impl Genesis2 {
    /// A state with `accounts` secp256k1 accounts (key seeds 1, 2, ...) of 10 000 FIL each, and
    /// the actors of `actors` (name and Wasm code; 100 FIL each) at ids from
    /// [`FIRST_ACTOR_ID`]. The account constructor is [`inert_actor`].
    pub fn build(accounts: u8, actors: &[(&str, Vec<u8>)]) -> Result<Genesis2> {
        let store = RecordingStore::default();
        let mut codes = BTreeMap::new();
        let mut manifest: Vec<(String, Cid)> = Vec::new();
        for name in ["system", "init", "cron", "account", "reward"] {
            let code = put_raw(&store, fvm_ipld_encoding::IPLD_RAW, &inert_actor(name))?;
            manifest.push((name.to_owned(), code));
            codes.insert(name.to_owned(), code);
        }
        for (name, wasm) in actors {
            let code = put_raw(&store, fvm_ipld_encoding::IPLD_RAW, wasm)?;
            manifest.push(((*name).to_owned(), code));
            codes.insert((*name).to_owned(), code);
        }
        let manifest_data = store.put_cbor(&manifest, Code::Blake2b256)?;
        let empty = store.put_cbor(&[(); 0], Code::Blake2b256)?;
        // The empty HAMT root: no bitfield bits, no pointers.
        let empty_map = put_raw(&store, fvm_ipld_encoding::DAG_CBOR, &[0x82, 0x40, 0x80])?;

        let mut tree = StateTree::new(&store, StateTreeVersion::V4)?;
        let system_state = store.put_cbor(
            &SystemState {
                builtin_actors: manifest_data,
            },
            Code::Blake2b256,
        )?;
        tree.set_actor(
            0,
            ActorState::new(codes["system"], system_state, TokenAmount::zero(), 0, None),
        );
        let init_state = store.put_cbor(
            &InitState {
                address_map: empty_map,
                next_id: 100,
                network_name: "fern-nv17".into(),
            },
            Code::Blake2b256,
        )?;
        tree.set_actor(
            1,
            ActorState::new(codes["init"], init_state, TokenAmount::zero(), 0, None),
        );
        tree.set_actor(
            2,
            ActorState::new(codes["reward"], empty, TokenAmount::zero(), 0, None),
        );
        tree.set_actor(
            99,
            ActorState::new(codes["account"], empty, TokenAmount::zero(), 0, None),
        );
        let mut accs = Vec::new();
        for seed in 1..=accounts {
            let address = Address::from_bytes(&secp_address(&[seed; 32])?.to_bytes())?;
            let id = tree.register_new_address(&address)?;
            let state = store.put_cbor(&(address,), Code::Blake2b256)?;
            tree.set_actor(
                id,
                ActorState::new(
                    codes["account"],
                    state,
                    TokenAmount::from_whole(10_000),
                    0,
                    None,
                ),
            );
            accs.push((id, address));
        }
        let mut installed = Vec::new();
        for (i, (name, _)) in actors.iter().enumerate() {
            let id = FIRST_ACTOR_ID + i as u64;
            tree.set_actor(
                id,
                ActorState::new(codes[*name], empty, TokenAmount::from_whole(100), 0, None),
            );
            installed.push(((*name).to_owned(), id, codes[*name]));
        }
        let state_root = tree.flush()?;
        let blocks = store.blocks();
        Ok(Genesis2 {
            blocks,
            state_root,
            accounts: accs,
            actors: installed,
            codes,
        })
    }

    /// A fresh blockstore holding every block of the state.
    pub fn store(&self) -> Result<MemoryBlockstore> {
        let store = MemoryBlockstore::new();
        for (cid, data) in &self.blocks {
            store.put_keyed(cid, data)?;
        }
        Ok(store)
    }

    /// The id of the test actor `name`.
    pub fn actor(&self, name: &str) -> Result<u64> {
        self.actors
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, id, _)| *id)
            .ok_or_else(|| anyhow!("no test actor {name}"))
    }
}

/// ref-fvm 2.12's executor over a copy of `genesis` at nv17, epoch [`EPOCH`], base fee
/// `base_fee` (attoFIL), circulating supply [`CIRCULATING_SUPPLY`].
pub fn ref2_executor(genesis: &Genesis2, base_fee: u64) -> Result<Ref2Executor> {
    let nc = NetworkConfig::new(fvm2_shared::version::NetworkVersion::V17);
    let engine = Engine2::new_default((&nc).into())?;
    // A production build of ref-fvm 2.12 compiles every manifest code when the machine is
    // created; the `testing` feature the oracle is built with skips that, so it is done here.
    engine.preload(genesis.store()?, genesis.codes.values())?;
    let mut mc = nc.for_epoch(EPOCH, genesis.state_root);
    mc.set_base_fee(fvm2_shared::econ::TokenAmount::from_atto(base_fee));
    mc.set_circulating_supply(fvm2_shared::econ::TokenAmount::from_atto(
        CIRCULATING_SUPPLY,
    ));
    let machine = DefaultMachine::new(&engine, &mc, genesis.store()?, TestExterns)?;
    Ok(Ref2Executor::new(machine))
}

/// Fern's nv17 executor over a copy of `genesis`, like [`ref2_executor`], with the built-in
/// actors compiled up front as ref-fvm 2.12 does.
pub fn fern2_executor(genesis: &Genesis2, base_fee: u64) -> Result<Fern2Executor> {
    fern2_executor_with_proofs(
        genesis,
        base_fee,
        std::sync::Arc::new(fern::machine::NoProofVerifier),
    )
}

/// Like [`fern2_executor`], with `proofs` as the host's proof verifier.
pub fn fern2_executor_with_proofs(
    genesis: &Genesis2,
    base_fee: u64,
    proofs: std::sync::Arc<dyn fern::machine::ProofVerifier>,
) -> Result<Fern2Executor> {
    let engine = fern::engine::Engine::for_network(NetworkVersion::V17)?;
    let context = MachineContext::new(EPOCH, (EPOCH * 30) as u64, genesis.state_root)
        .with_base_fee(TokenAmount::from_atto(base_fee))
        .with_circulating_supply(TokenAmount::from_atto(CIRCULATING_SUPPLY));
    let machine = Fvm2Machine::new(
        NetworkVersion::V17,
        context,
        genesis.store()?,
        TestExterns,
        None,
    )?;
    let exec = Fvm2Executor::with_proof_verifier(engine, machine, proofs);
    exec.preload_builtin_actors()?;
    Ok(exec)
}

/// Circulating supply both machines report (attoFIL): 400 million FIL.
pub const CIRCULATING_SUPPLY: u128 = 400_000_000 * 1_000_000_000_000_000_000;

/// Base fee of [`ref2_executor`] and [`fern2_executor`] in the tests (attoFIL).
pub const BASE_FEE2: u64 = BASE_FEE;

/// What both VMs must agree on for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome2 {
    /// Exit code.
    pub exit_code: u32,
    /// Return bytes.
    pub return_data: Vec<u8>,
    /// Gas used.
    pub gas_used: u64,
    /// Penalty, base fee burn, over-estimation burn, miner tip, refund (attoFIL, decimal).
    pub fees: [String; 5],
    /// Gas refunded and gas burned.
    pub gas_refund_burned: (u64, u64),
}

/// The serialized length both VMs are told the message has (its CBOR encoding's).
pub fn raw_len2(msg: &Message) -> usize {
    fvm_ipld_encoding::to_vec(msg).map(|b| b.len()).unwrap_or(0)
}

/// Applies `msg` on ref-fvm 2.12. `Err` is a fatal error of the application.
pub fn apply_ref2(exec: &mut Ref2Executor, msg: &Message, implicit: bool) -> Result<Outcome2> {
    let bytes = fvm_ipld_encoding::to_vec(msg)?;
    let msg2: fvm2_shared::message::Message = fvm_ipld_encoding::from_slice(&bytes)?;
    let kind = if implicit {
        fvm2::executor::ApplyKind::Implicit
    } else {
        fvm2::executor::ApplyKind::Explicit
    };
    let r = exec.execute_message(msg2, kind, raw_len2(msg))?;
    let to_u64 = |v: i64| u64::try_from(v).map_err(|_| anyhow!("negative amount {v}"));
    Ok(Outcome2 {
        exit_code: r.msg_receipt.exit_code.value(),
        return_data: r.msg_receipt.return_data.to_vec(),
        gas_used: to_u64(r.msg_receipt.gas_used)?,
        fees: [
            r.penalty.atto().to_string(),
            r.base_fee_burn.atto().to_string(),
            r.over_estimation_burn.atto().to_string(),
            r.miner_tip.atto().to_string(),
            r.refund.atto().to_string(),
        ],
        gas_refund_burned: (to_u64(r.gas_refund)?, to_u64(r.gas_burned)?),
    })
}

/// Applies `msg` on Fern's nv17 executor. `Err` is a fatal error of the application.
pub fn apply_fern2(exec: &mut Fern2Executor, msg: &Message, implicit: bool) -> Result<Outcome2> {
    let kind = if implicit {
        ApplyKind::Implicit
    } else {
        ApplyKind::Explicit
    };
    let r: ApplyRet = exec.apply_message(msg, kind, raw_len2(msg))?;
    Ok(Outcome2 {
        exit_code: r.receipt.exit_code.value(),
        return_data: r.receipt.return_data.to_vec(),
        gas_used: r.receipt.gas_used,
        fees: [
            r.penalty.atto().to_string(),
            r.base_fee_burn.atto().to_string(),
            r.over_estimation_burn.atto().to_string(),
            r.miner_tip.atto().to_string(),
            r.refund.atto().to_string(),
        ],
        gas_refund_burned: (r.gas_refund, r.gas_burned),
    })
}

/// The state root ref-fvm 2.12 flushes to.
pub fn flush_ref2(exec: &mut Ref2Executor) -> Result<Cid> {
    exec.flush()
}

/// The state root Fern's nv17 executor flushes to.
pub fn flush_fern2(exec: &mut Fern2Executor) -> Result<Cid> {
    Ok(exec.flush()?)
}

// ---------------------------------------------------------------------------------------------
// Vectors on ref-fvm 2.12
// ---------------------------------------------------------------------------------------------

impl fvm2::externs::Rand for crate::ref_vm::ScenarioExterns {
    fn get_chain_randomness(&self, round: i64) -> Result<[u8; 32]> {
        fvm::externs::Rand::get_chain_randomness(self, round)
    }
    fn get_beacon_randomness(&self, round: i64) -> Result<[u8; 32]> {
        fvm::externs::Rand::get_beacon_randomness(self, round)
    }
}

impl fvm2::externs::Consensus for crate::ref_vm::ScenarioExterns {
    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> Result<(Option<fvm2_shared::consensus::ConsensusFault>, i64)> {
        Ok((None, 0))
    }
}

impl fvm2::externs::Externs for crate::ref_vm::ScenarioExterns {}

/// One ref-fvm 2.12 engine for every replay of the process: its module cache is keyed by code
/// CID, so each bundle actor is compiled once.
fn shared_engine(nc: &NetworkConfig) -> Result<Engine2> {
    static ENGINE: std::sync::OnceLock<Engine2> = std::sync::OnceLock::new();
    if let Some(e) = ENGINE.get() {
        return Ok(e.clone());
    }
    let engine = Engine2::new_default(nc.into())?;
    Ok(ENGINE.get_or_init(|| engine).clone())
}

/// Every way ref-fvm 2.12's run of `variant` (network version 17) differs from the vector's
/// postconditions, one line each (empty when it matches), with the machine settings of
/// `FIPS/conformance.md`; `extra` blocks (an actor bundle) are added to the vector's, and its
/// raw blocks (the actors' Wasm) are compiled first, as a production build of ref-fvm 2.12 does
/// when its machine is created. `Err` when no machine can be built or a message is refused with
/// a fatal error.
///
/// ref-fvm 2.12 verifies proofs for real; without proof parameters on the machine a message that
/// verifies one cannot agree with a vector recorded on a chain.
pub fn replay_variant(
    vector: &fern_conformance::TestVector,
    variant: &fern_conformance::vector::Variant,
    extra: &[(Cid, Vec<u8>)],
) -> Result<Vec<String>> {
    use anyhow::Context as _;
    use fern_conformance::runner::{DEFAULT_BASE_FEE, SECP_SIGNATURE_OVERHEAD};
    anyhow::ensure!(variant.nv == 17, "ref-fvm 2.12 is run at nv17 only here");
    let store = RecordingStore::default();
    vector.load_car(&store).context("loading the CAR")?;
    for (cid, data) in extra {
        store.put_keyed(cid, data)?;
    }
    let pre = &vector.preconditions;
    let root = pre.state_tree.root_cid.0;
    let mut nc = NetworkConfig::new(fvm2_shared::version::NetworkVersion::V17);
    // ref-fvm 4.8's state tree (behind `ref_replay::versioned_manifest`) cannot open layout 4;
    // Fern's runner reads the same override.
    let memory = MemoryBlockstore::new();
    let blocks = store.blocks();
    for (cid, data) in &blocks {
        memory.put_keyed(cid, data)?;
    }
    if let Some(manifest) = fern_conformance::runner::manifest_root_override(&memory, &root) {
        nc.override_actors(manifest);
    }
    let engine = shared_engine(&nc)?;
    // Every raw block (the actors' Wasm, from the vector or the extra bundle) is compiled.
    let codes: Vec<Cid> = blocks
        .keys()
        .filter(|c| c.codec() == fvm_ipld_encoding::IPLD_RAW)
        .copied()
        .collect();
    engine.preload(&memory, codes.iter())?;
    let store = memory;
    let mut mc = nc.for_epoch(variant.epoch, root);
    let atto = |b: Option<&fern_conformance::vector::BigNum>, default: u64| {
        fvm2_shared::econ::TokenAmount::from_atto(
            b.map(|b| b.0.clone()).unwrap_or_else(|| default.into()),
        )
    };
    mc.set_base_fee(atto(pre.basefee.as_ref(), DEFAULT_BASE_FEE));
    mc.set_circulating_supply(atto(pre.circ_supply.as_ref(), 0));
    let (chain, beacon) = vector.randomness_maps();
    let externs =
        crate::ref_vm::ScenarioExterns::new(crate::scenario::Randomness { chain, beacon });
    let machine = DefaultMachine::new(&engine, &mc, store, externs)?;
    let mut exec: DefaultExecutor<
        DefaultKernel<DefaultCallManager<DefaultMachine<MemoryBlockstore, _>>>,
    > = DefaultExecutor::new(machine);
    let mut diffs = Vec::new();
    for (i, (am, want)) in vector
        .apply_messages
        .iter()
        .zip(&vector.postconditions.receipts)
        .enumerate()
    {
        let msg: fvm2_shared::message::Message = fvm_ipld_encoding::from_slice(&am.bytes.0)
            .with_context(|| format!("message {i} does not decode"))?;
        let len = am.bytes.0.len()
            + if msg.from.protocol() == fvm2_shared::address::Protocol::Secp256k1 {
                SECP_SIGNATURE_OVERHEAD
            } else {
                0
            };
        let ret = exec
            .execute_message(msg, fvm2::executor::ApplyKind::Explicit, len)
            .with_context(|| format!("message {i}: fatal error"))?;
        let got = &ret.msg_receipt;
        diffs.extend(crate::ref_replay::receipt_differences(
            i,
            want,
            got.exit_code.value(),
            got.return_data.bytes(),
            u64::try_from(got.gas_used).unwrap_or(u64::MAX),
            None,
        ));
    }
    let got = exec.flush()?;
    let want = vector.postconditions.state_tree.root_cid.0;
    if got != want {
        diffs.push(format!("state root {want} vs {got}"));
    }
    Ok(diffs)
}
