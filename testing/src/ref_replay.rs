//! Replaying a test vector on ref-fvm 4.8 (3.14 at network versions 18 to 20) from the file alone: its CAR, randomness rules and
//! messages, with the machine settings of `FIPS/conformance.md`. This checks that the corpus is
//! self-contained and means to ref-fvm what it means to Fern, independently of the scenario it
//! was generated from.

use anyhow::{anyhow, Context, Result};
use cid::Cid;
use fvm::executor::{ApplyKind, DefaultExecutor, Executor};
use fvm::machine::{DefaultMachine, NetworkConfig};
use fvm::state_tree::StateTree;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::CborStore;
use fvm_shared::address::Protocol;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::version::NetworkVersion;

use fern_conformance::runner::{DEFAULT_BASE_FEE, EPOCH_SECONDS, SECP_SIGNATURE_OVERHEAD};
use fern_conformance::vector::Variant;
use fern_conformance::TestVector;

use crate::genesis::RecordingStore;
use crate::ref_vm::{engine_for, ObservedStore, RefExecutor, ScenarioExterns};
use crate::scenario::Randomness;

/// Every way ref-fvm's run of `variant` differs from the vector's postconditions, one line
/// each (empty when it matches). `Err` when no machine can be built over the vector's state.
pub fn replay_variant(vector: &TestVector, variant: &Variant) -> Result<Vec<String>> {
    if crate::ref_vm3::VERSIONS.contains(&variant.nv) {
        return crate::ref_vm3::replay_variant(vector, variant, &[]);
    }
    let store = RecordingStore::default();
    vector.load_car(&store).context("loading the CAR")?;
    let pre = &vector.preconditions;
    let root = pre.state_tree.root_cid.0;

    let mut nc = NetworkConfig::new(NetworkVersion::new(variant.nv));
    if let Some(manifest) = versioned_manifest(&store, &root)? {
        nc.override_actors(manifest);
    }
    let mut mc = nc.for_epoch(
        variant.epoch,
        (variant.epoch as u64).wrapping_mul(EPOCH_SECONDS),
        root,
    );
    mc.set_base_fee(TokenAmount::from_atto(
        pre.basefee
            .as_ref()
            .map(|b| b.0.clone())
            .unwrap_or_else(|| DEFAULT_BASE_FEE.into()),
    ));
    mc.set_circulating_supply(TokenAmount::from_atto(
        pre.circ_supply
            .as_ref()
            .map(|b| b.0.clone())
            .unwrap_or_default(),
    ));
    let (chain, beacon) = vector.randomness_maps();
    let externs = ScenarioExterns::new(Randomness { chain, beacon });
    let engine = engine_for(&mc.network)?;
    let machine = DefaultMachine::new(&mc, ObservedStore::new(store), externs)?;
    let mut exec: RefExecutor = DefaultExecutor::new(engine, machine)?;

    let mut diffs = Vec::new();
    for (i, (am, want)) in vector
        .apply_messages
        .iter()
        .zip(&vector.postconditions.receipts)
        .enumerate()
    {
        let msg: Message = fvm_ipld_encoding::from_slice(&am.bytes.0)
            .with_context(|| format!("message {i} does not decode"))?;
        let len = am.bytes.0.len()
            + if msg.from.protocol() == Protocol::Secp256k1 {
                SECP_SIGNATURE_OVERHEAD
            } else {
                0
            };
        let ret = exec
            .execute_message(msg, ApplyKind::Explicit, len)
            .with_context(|| format!("message {i}: fatal error"))?;
        let got = &ret.msg_receipt;
        diffs.extend(receipt_differences(
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

/// How message `i`'s receipt (exit code, return bytes, gas used, events root) differs from the
/// vector's `want`, one line per field (the events root only when the vector states one).
pub fn receipt_differences(
    i: usize,
    want: &fern_conformance::vector::Receipt,
    exit_code: u32,
    return_data: &[u8],
    gas_used: u64,
    events_root: Option<Cid>,
) -> Vec<String> {
    let mut diffs = Vec::new();
    if exit_code != want.exit_code {
        diffs.push(format!(
            "message {i}: exit code {} vs {exit_code}",
            want.exit_code
        ));
    }
    if return_data != want.return_data.0.as_slice() {
        diffs.push(format!("message {i}: return data differs"));
    }
    if gas_used != want.gas_used {
        diffs.push(format!(
            "message {i}: gas used {} vs {gas_used}",
            want.gas_used
        ));
    }
    if let Some(events) = &want.events_root {
        if events.map(|c| c.0) != events_root {
            diffs.push(format!("message {i}: events root differs"));
        }
    }
    diffs
}

/// States built by ref-fvm's integration `Tester` keep the versioned manifest root
/// `(version, actors)` in the system actor; ref-fvm runs them with that root as its override
/// (as Fern's runner does). `None` for on-chain style states.
pub fn versioned_manifest(store: &impl Blockstore, root: &Cid) -> Result<Option<Cid>> {
    let tree = StateTree::new_from_root(store, root)?;
    let system = tree
        .get_actor(0)?
        .ok_or_else(|| anyhow!("no system actor"))?;
    let (builtin_actors,): (Cid,) = store
        .get_cbor(&system.state)?
        .ok_or_else(|| anyhow!("system actor state missing"))?;
    let versioned: Option<(u32, Cid)> = store
        .get(&builtin_actors)?
        .and_then(|b| fvm_ipld_encoding::from_slice(&b).ok());
    Ok(versioned.map(|_| builtin_actors))
}
