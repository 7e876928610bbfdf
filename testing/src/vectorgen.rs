//! The vector generator: scenarios of the library, run on ref-fvm 4.8, written as
//! self-contained message-class test vectors (the corpus in `test-vectors/`).
//!
//! For each scenario the generator
//!
//! 1. keeps the steps a vector can express: a vector has no way to say "the VM refuses this
//!    message with a fatal error" ([`FATAL`] steps) or "this message is N bytes on chain" other
//!    than through its own bytes (steps whose length was set by hand), and vectors run without
//!    actor debugging;
//! 2. picks four network versions for it ([`network_versions_for`]) so that the corpus covers
//!    every version from 21 to 29, each price list, and each scenario more than once, plus one
//!    of nv18 to nv20 ([`fvm3_version_for`]), kept when the scenario means the same there;
//! 3. runs it on its oracle (ref-fvm 4.8, or 3.14 at nv18 to nv20) with recording on ([`RefVm::recorded`]) and writes a vector whose
//!    CAR holds exactly the pre-state blocks the run read, the code of every actor it invoked,
//!    and the blocks Fern's machine reads to start (the system actor and the manifest), and
//!    whose randomness rules are the draws the run made.
//!
//! The CAR does not hold the code of bundle actors the messages never invoke. A runner that
//! compiles every built-in actor up front (as ref-fvm's production executor does) can add the
//! bundle with `--bundle`.
//!
//! Everything is deterministic: blocks are sorted by CID, JSON fields come in a fixed order,
//! gzip headers carry no time, so regenerating gives byte-identical files.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fern::machine::{Machine, MachineContext, NetworkConfig, StateTree, SystemState};
use fern_conformance::runner::VectorExterns;
use fern_conformance::vector::{
    gzip, write_car, ApplyMessage, Base64, BigNum, CidJson, GenData, Meta, Postconditions,
    Preconditions, RandomnessKind, RandomnessOn, RandomnessRule, Receipt, StateTree as TreeJson,
    Variant,
};
use fern_conformance::TestVector;
use fern_shared::version::NetworkVersion as FernNv;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::version::NetworkVersion;

use crate::genesis::Genesis;
use crate::ref_vm::{ObservedStore, RandomnessSource, RefVm};
use crate::scenario::{raw_length, run, Scenario, FATAL};
use crate::scenarios::{all, standard_genesis};

/// The network versions the corpus covers.
pub const CORPUS_NETWORK_VERSIONS: std::ops::RangeInclusive<u32> = 18..=29;

/// Name of the generator in the vectors' `_meta.gen`.
pub const GENERATOR: &str = "fern_testing::vectorgen";

/// What produced the expected results, in the vectors' `_meta.gen`.
pub const ORACLE: &str = "ref-fvm 4.8 (fvm_integration_tests)";

/// What produced the expected results of the vectors at network versions 18 to 20.
pub const ORACLE_FVM3: &str = "ref-fvm 3.14";

/// The ref-fvm 3.x version (18, 19 or 20) scenario number `index` is also written for, rotating.
/// Only scenarios whose every step ends as the scenario expects on ref-fvm 3.14 are kept at
/// it: the library is written for the 4.x syscalls, and a test actor importing one that 3.x
/// does not have fails to link there.
pub fn fvm3_version_for(index: usize) -> u32 {
    18 + (index % 3) as u32
}

/// One file of the corpus.
#[derive(Debug, Clone)]
pub struct VectorFile {
    /// Path relative to the corpus directory, `/`-separated (`group/what--nvNN.json`).
    pub path: String,
    /// The file's bytes (pretty JSON, ending in a newline).
    pub json: String,
    /// The vector.
    pub vector: TestVector,
}

/// The network versions scenario number `index` of the library is written for: one of the
/// Watermelon price list (nv21–24), one of the Teep list (nv25–28), one more spread over those
/// eight, so consecutive scenarios rotate through every version, and nv29 (the newest, which
/// ref-fvm 4.8.4 runs by default) for every scenario.
pub fn network_versions_for(index: usize) -> Vec<u32> {
    let first = 21 + (index % 4) as u32;
    let second = 25 + ((index + 1) % 4) as u32;
    let mut third = 21 + ((index + 2) % 8) as u32;
    while third == first || third == second {
        third = 21 + ((third - 21 + 1) % 8);
    }
    let mut out = vec![first, second, third];
    out.sort_unstable();
    out.push(29);
    out
}

/// The steps of `scenario` that a vector can express (see the module docs), with actor
/// debugging off; `None` when nothing is left.
pub fn vector_ready(scenario: &Scenario) -> Option<Scenario> {
    let mut s = scenario.clone();
    s.actor_debugging = false;
    s.steps
        .retain(|step| step.expect != FATAL && step.raw_len == raw_length(&step.msg));
    (!s.steps.is_empty()).then_some(s)
}

/// The file name of a vector for `scenario` (at its network version).
pub fn vector_path(scenario: &Scenario) -> String {
    format!(
        "{}--nv{}.json",
        scenario.name,
        u32::from(scenario.network_version)
    )
}

/// Every scenario of the library as the corpus runs it: vector-ready, at each of its network
/// versions (its ref-fvm 3.x version first), in library order.
pub fn corpus_scenarios(genesis: &std::sync::Arc<Genesis>) -> Vec<Scenario> {
    let mut out = Vec::new();
    for (i, s) in all(genesis).iter().enumerate() {
        let Some(ready) = vector_ready(s) else {
            continue;
        };
        out.push(ready.at(NetworkVersion::new(fvm3_version_for(i))));
        for nv in network_versions_for(i) {
            out.push(ready.at(NetworkVersion::new(nv)));
        }
    }
    out
}

/// Whether every step of a run ended with the exit code its scenario expects.
fn as_expected(scenario: &Scenario, outcomes: &[crate::vm::Outcome]) -> bool {
    scenario
        .steps
        .iter()
        .zip(outcomes)
        .all(|(step, out)| out.exit_code == step.expect)
}

/// Generates the whole corpus, sorted by path: the scenarios of the library on the standard
/// genesis (nv18 to nv29), and the nv17 vectors of [`crate::vectorgen_fvm2`].
pub fn corpus() -> Result<Vec<VectorFile>> {
    let genesis = standard_genesis();
    let mut files = Vec::new();
    for s in corpus_scenarios(&genesis) {
        let Some(vector) = generate(&s).with_context(|| format!("generating {}", s.name))? else {
            continue;
        };
        let mut json = vector.to_json();
        json.push('\n');
        files.push(VectorFile {
            path: vector_path(&s),
            json,
            vector,
        });
    }
    files.extend(crate::vectorgen_fvm2::nv17_corpus().context("generating the nv17 vectors")?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// Runs `scenario` on its oracle (ref-fvm 4.8, or 3.14 at network versions 18 to 20) with
/// recording on and writes its vector. `None` at a ref-fvm 3.x version when a step does not end
/// as the scenario expects there (see [`fvm3_version_for`]).
pub fn generate(scenario: &Scenario) -> Result<Option<TestVector>> {
    let genesis = &scenario.genesis;
    let nv = u32::from(scenario.network_version);
    let fvm3 = crate::ref_vm3::VERSIONS.contains(&nv);
    let (result, recording) = if fvm3 {
        let mut vm = crate::ref_vm3::RefVm3::recorded(scenario)?;
        let result = run(&mut vm, scenario);
        if !as_expected(scenario, &result.outcomes) {
            return Ok(None);
        }
        (result, vm.recording())
    } else {
        let mut vm = RefVm::recorded(scenario)?;
        let result = run(&mut vm, scenario);
        (result, vm.recording())
    };

    let mut apply_messages = Vec::new();
    let mut receipts = Vec::new();
    for (step, out) in scenario.steps.iter().zip(&result.outcomes) {
        if out.exit_code == FATAL {
            bail!(
                "{}: ref-fvm refused the message with a fatal error",
                step.label
            );
        }
        apply_messages.push(ApplyMessage {
            bytes: Base64(fvm_ipld_encoding::to_vec(&step.msg)?),
            epoch_offset: Some(0),
        });
        receipts.push(Receipt {
            exit_code: out.exit_code,
            return_data: Base64(out.return_data.clone()),
            gas_used: out.gas_used,
            events_root: Some(out.events_root.map(CidJson)),
        });
    }

    // Blocks: what the run read, minus code (whether ref-fvm read a code block depends on what
    // this process compiled before), plus the code it invoked, plus Fern's start-up reads.
    let code: BTreeSet<Cid> = genesis
        .builtin
        .iter()
        .map(|(_, c)| *c)
        .chain(genesis.test_codes())
        .collect();
    let mut needed: BTreeSet<Cid> = recording
        .reads
        .iter()
        .filter(|c| !code.contains(c))
        .copied()
        .collect();
    needed.extend(&recording.invoked_code);
    needed.extend(machine_start_reads(scenario)?);
    needed.extend(actor_lists(
        genesis,
        &recording.written,
        &result.state_root,
    )?);
    let blocks: Vec<(&Cid, &[u8])> = needed
        .iter()
        .filter_map(|c| {
            genesis
                .blocks
                .get(c)
                .or_else(|| recording.written.get(c))
                .map(|d| (c, d.as_slice()))
        })
        .collect();
    let car = write_car(vec![genesis.state_root], blocks)?;

    let mut randomness = Vec::new();
    for (source, epoch) in &recording.draws {
        let (kind, map) = match source {
            RandomnessSource::Chain => (RandomnessKind::Chain, &scenario.randomness.chain),
            RandomnessSource::Beacon => (RandomnessKind::Beacon, &scenario.randomness.beacon),
        };
        // Draws the chain answers with the fallback digest need no rule.
        if let Some(digest) = map.get(epoch) {
            randomness.push(RandomnessRule {
                on: RandomnessOn {
                    kind,
                    epoch: *epoch,
                },
                ret: Base64(digest.to_vec()),
            });
        }
    }

    let labels: Vec<&str> = scenario.steps.iter().map(|s| s.label.as_str()).collect();
    Ok(Some(TestVector {
        class: "message".into(),
        selector: Default::default(),
        meta: Some(Meta {
            id: Some(format!("{}--nv{nv}", scenario.name)),
            description: Some(format!(
                "{} message(s) at nv{nv}: {}",
                labels.len(),
                labels.join("; ")
            )),
            gen: vec![
                GenData {
                    source: GENERATOR.into(),
                    version: env!("CARGO_PKG_VERSION").into(),
                },
                if fvm3 {
                    GenData {
                        source: ORACLE_FVM3.into(),
                        version: "3.14".into(),
                    }
                } else {
                    GenData {
                        source: ORACLE.into(),
                        version: "4.8".into(),
                    }
                },
            ],
        }),
        car: Base64(gzip(&car)),
        preconditions: Preconditions {
            variants: vec![Variant {
                id: format!("nv{nv}"),
                epoch: scenario.epoch,
                nv,
            }],
            state_tree: TreeJson {
                root_cid: CidJson(genesis.state_root),
            },
            basefee: Some(BigNum(scenario.base_fee.atto().clone())),
            circ_supply: Some(BigNum(scenario.circ_supply.atto().clone())),
        },
        apply_messages,
        postconditions: Postconditions {
            state_tree: TreeJson {
                root_cid: CidJson(result.state_root),
            },
            receipts,
        },
        randomness,
    }))
}

/// The pre-state blocks a runner reads before the first message: the state tree's path to the
/// system actor, its state, the manifest it names, and whatever Fern's machine reads to start.
fn machine_start_reads(scenario: &Scenario) -> Result<BTreeSet<Cid>> {
    let genesis = &scenario.genesis;
    let store = ObservedStore::new(genesis.store());
    let tree = StateTree::new_from_root(&store, &genesis.state_root)?;
    let system = tree
        .get_actor(0)?
        .ok_or_else(|| anyhow!("the genesis has no system actor"))?;
    let state: SystemState = load(&store, &system.state)?;
    store.get(&state.builtin_actors)?;
    let nv = FernNv::new(u32::from(scenario.network_version));
    let config = NetworkConfig::new(nv)?.with_builtin_actors(genesis.builtin_actors);
    let context = MachineContext::new(
        scenario.epoch,
        scenario.epoch as u64 * 30,
        genesis.state_root,
    );
    Machine::new(config, context, store.clone(), VectorExterns::default())?;
    Ok(store.reads())
}

/// The blocks that list the actors of the pre-state and of the post-state (state root objects
/// and every HAMT node of both trees, not the actors' own states), so that a runner can say
/// which actors differ and how when its final root is not the expected one.
fn actor_lists(
    genesis: &Genesis,
    written: &BTreeMap<Cid, Vec<u8>>,
    post_root: &Cid,
) -> Result<BTreeSet<Cid>> {
    let mut blocks = genesis.blocks.clone();
    blocks.extend(written.iter().map(|(c, d)| (*c, d.clone())));
    let store = ObservedStore::new(crate::genesis::RecordingStore::from_blocks(&blocks));
    for root in [&genesis.state_root, post_root] {
        StateTree::new_from_root(&store, root)?.for_each(|_, _| Ok(()))?;
    }
    Ok(store.reads())
}

fn load<T: serde::de::DeserializeOwned>(store: &impl Blockstore, cid: &Cid) -> Result<T> {
    let block = store
        .get(cid)?
        .ok_or_else(|| anyhow!("block {cid} is missing"))?;
    Ok(fvm_ipld_encoding::from_slice(&block)?)
}

/// Counts of the corpus by network version, for reports.
pub fn count_by_version(files: &[VectorFile]) -> BTreeMap<u32, usize> {
    let mut out = BTreeMap::new();
    for f in files {
        for v in &f.vector.preconditions.variants {
            *out.entry(v.nv).or_insert(0) += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_gets_four_versions_and_the_corpus_covers_all_nine() {
        let mut seen = BTreeSet::new();
        for i in 0..64 {
            let nvs = network_versions_for(i);
            assert_eq!(nvs.len(), 4);
            assert_eq!(nvs[3], 29, "every scenario at the newest version");
            assert!(nvs.windows(2).all(|w| w[0] < w[1]), "{nvs:?}");
            assert!(nvs.iter().any(|v| (21..=24).contains(v)));
            assert!(nvs.iter().any(|v| (25..=28).contains(v)));
            assert!(nvs.iter().all(|v| CORPUS_NETWORK_VERSIONS.contains(v)));
            seen.extend(nvs);
            seen.insert(fvm3_version_for(i));
        }
        assert_eq!(seen.len(), 12);
    }
}
