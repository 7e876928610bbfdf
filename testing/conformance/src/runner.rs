//! Replaying a vector's variants on Fern with the settings of `VECTORS.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use cid::Cid;
use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor};
use fern::machine::{
    AcceptAllProofs, ConsensusFaultCheck, Externs, Machine, MachineContext, NetworkConfig,
    StateTree, SystemState,
};
use fern_shared::address::Protocol;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_shared::version::NetworkVersion;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use multihash_codetable::{Code, MultihashDigest};

use crate::vector::{TestVector, Variant};
use crate::VectorError;

/// The digest served for a randomness draw that no rule of the vector covers.
pub const FALLBACK_RANDOMNESS: [u8; 32] = *b"i_am_random_____i_am_random_____";

/// Base fee when the vector gives none (attoFIL).
pub const DEFAULT_BASE_FEE: u64 = 100;

/// Seconds per epoch used to derive the machine's timestamp.
pub const EPOCH_SECONDS: u64 = 30;

/// Bytes a secp256k1 signature adds to a message's on-chain length (65 signature bytes and 4 of
/// framing).
pub const SECP_SIGNATURE_OVERHEAD: usize = 65 + 4;

/// The tipset CID served for `epoch`: a DAG-CBOR CID of the blake2b-256 hash of the epoch's
/// big-endian bytes (the test vectors carry no chain, so this is the runner's convention; the
/// generator's externs serve the same).
pub fn tipset_cid(epoch: i64) -> Cid {
    Cid::new_v1(0x71, Code::Blake2b256.digest(&epoch.to_be_bytes()))
}

/// The chain a vector describes: its randomness rules and the conventional tipset CIDs.
#[derive(Debug, Clone, Default)]
pub struct VectorExterns {
    chain: BTreeMap<i64, [u8; 32]>,
    beacon: BTreeMap<i64, [u8; 32]>,
}

impl VectorExterns {
    /// Externs answering randomness from `vector`'s rules.
    pub fn new(vector: &TestVector) -> Self {
        let (chain, beacon) = vector.randomness_maps();
        Self::from_maps(chain, beacon)
    }

    /// Externs answering chain and beacon randomness digests by epoch from these maps (the
    /// fallback digest for any other epoch).
    pub fn from_maps(chain: BTreeMap<i64, [u8; 32]>, beacon: BTreeMap<i64, [u8; 32]>) -> Self {
        VectorExterns { chain, beacon }
    }
}

impl Externs for VectorExterns {
    fn chain_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(self
            .chain
            .get(&epoch)
            .copied()
            .unwrap_or(FALLBACK_RANDOMNESS))
    }

    fn beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        Ok(self
            .beacon
            .get(&epoch)
            .copied()
            .unwrap_or(FALLBACK_RANDOMNESS))
    }

    fn tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        Ok(tipset_cid(epoch))
    }

    fn verify_consensus_fault(
        &self,
        _: &[u8],
        _: &[u8],
        _: &[u8],
    ) -> anyhow::Result<ConsensusFaultCheck> {
        Ok(ConsensusFaultCheck {
            fault: None,
            gas_used: 0,
        })
    }
}

/// Options shared by every vector of a run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Blocks of actor bundles (`--bundle`) to add to every vector's store.
    pub bundle_blocks: Arc<Vec<(Cid, Vec<u8>)>>,
}

impl RunOptions {
    /// Loads the bundle CARs at `paths` (plain or gzip-compressed CAR files).
    pub fn with_bundles(paths: &[std::path::PathBuf]) -> Result<Self, VectorError> {
        let store = MemoryBlockstore::new();
        let mut blocks = Vec::new();
        for path in paths {
            let data = std::fs::read(path)
                .map_err(|e| VectorError::Io(format!("{}: {e}", path.display())))?;
            let car = crate::bundle::maybe_gunzip(data)?;
            let (_roots, list) = crate::bundle::read_car_blocks(&car)
                .map_err(|e| VectorError::Car(format!("{}: {e}", path.display())))?;
            for (cid, bytes) in list {
                store
                    .put_keyed(&cid, &bytes)
                    .map_err(|e| VectorError::Car(e.to_string()))?;
                blocks.push((cid, bytes));
            }
        }
        Ok(RunOptions {
            bundle_blocks: Arc::new(blocks),
        })
    }
}

/// One field that differs from the vector's expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The message index (`None` for the final state root or a whole-vector problem).
    pub message: Option<usize>,
    /// The field: `exit_code`, `return`, `gas_used`, `events_root`, `state_root` or `apply`.
    pub field: &'static str,
    /// What the vector expects.
    pub expected: String,
    /// What Fern produced.
    pub actual: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(i) = self.message {
            write!(f, "message {i}: ")?;
        }
        write!(
            f,
            "{}: expected {}, got {}",
            self.field, self.expected, self.actual
        )
    }
}

/// The result of one variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariantResult {
    /// Every receipt and the final root match.
    Passed,
    /// At least one mismatch (in order of discovery).
    Failed(Vec<Mismatch>),
    /// Not run, with the reason.
    Skipped(String),
}

/// The outcome of one variant of a vector.
#[derive(Debug, Clone)]
pub struct VariantOutcome {
    /// The variant's id.
    pub variant: String,
    /// What happened.
    pub result: VariantResult,
}

/// The on-chain length of a message given its CBOR bytes.
pub fn on_chain_length(msg: &Message, cbor_len: usize) -> usize {
    if msg.from.protocol() == Protocol::Secp256k1 {
        cbor_len + SECP_SIGNATURE_OVERHEAD
    } else {
        cbor_len
    }
}

/// Runs every variant of `vector`.
pub fn run_vector(vector: &TestVector, options: &RunOptions) -> Vec<VariantOutcome> {
    vector
        .preconditions
        .variants
        .iter()
        .map(|v| VariantOutcome {
            variant: v.id.clone(),
            result: run_variant(vector, v, options),
        })
        .collect()
}

fn whole(
    field: &'static str,
    expected: impl Into<String>,
    actual: impl fmt::Display,
) -> VariantResult {
    VariantResult::Failed(vec![Mismatch {
        message: None,
        field,
        expected: expected.into(),
        actual: actual.to_string(),
    }])
}

/// Runs one variant of `vector`.
pub fn run_variant(vector: &TestVector, variant: &Variant, options: &RunOptions) -> VariantResult {
    let nv = NetworkVersion::new(variant.nv);
    let config = match NetworkConfig::new(nv) {
        Ok(c) => c,
        Err(e) => return VariantResult::Skipped(format!("network version {}: {e}", variant.nv)),
    };
    let store = MemoryBlockstore::new();
    for (cid, data) in options.bundle_blocks.iter() {
        if let Err(e) = store.put_keyed(cid, data) {
            return whole("setup", "bundle blocks load", e);
        }
    }
    if let Err(e) = vector.load_car(&store) {
        return whole("setup", "a readable CAR", e);
    }
    let pre = &vector.preconditions;
    let base_fee = pre
        .basefee
        .as_ref()
        .map(|b| b.0.clone())
        .unwrap_or_else(|| DEFAULT_BASE_FEE.into());
    let circ = pre
        .circ_supply
        .as_ref()
        .map(|b| b.0.clone())
        .unwrap_or_default();
    let context = MachineContext::new(
        variant.epoch,
        (variant.epoch as u64).wrapping_mul(EPOCH_SECONDS),
        pre.state_tree.root_cid.0,
    )
    .with_base_fee(TokenAmount::from_atto(base_fee))
    .with_circulating_supply(TokenAmount::from_atto(circ));
    let config = match manifest_root_override(&store, &pre.state_tree.root_cid.0) {
        Some(root) => config.with_builtin_actors(root),
        None => config,
    };
    let machine = match Machine::new(config, context, store, VectorExterns::new(vector)) {
        Ok(m) => m,
        Err(e) => return whole("setup", "a machine over the pre-state", format!("{e:#}")),
    };
    let engine = match Engine::shared(nv) {
        Ok(e) => e,
        Err(e) => return whole("setup", "an engine", format!("{e:#}")),
    };
    let mut exec = Executor::with_proof_verifier(engine, machine, Arc::new(AcceptAllProofs));

    let mut mismatches = Vec::new();
    for (i, (am, expected)) in vector
        .apply_messages
        .iter()
        .zip(&vector.postconditions.receipts)
        .enumerate()
    {
        let msg: Message = match fvm_ipld_encoding::from_slice(&am.bytes.0) {
            Ok(m) => m,
            Err(e) => {
                mismatches.push(Mismatch {
                    message: Some(i),
                    field: "apply",
                    expected: "a decodable message".into(),
                    actual: format!("undecodable bytes: {e}"),
                });
                return VariantResult::Failed(mismatches);
            }
        };
        let len = on_chain_length(&msg, am.bytes.0.len());
        let ret = match exec.apply_message(&msg, ApplyKind::Explicit, len) {
            Ok(r) => r,
            Err(e) => {
                mismatches.push(Mismatch {
                    message: Some(i),
                    field: "apply",
                    expected: "a receipt".into(),
                    actual: format!("fatal error: {:#}", e.0),
                });
                return VariantResult::Failed(mismatches);
            }
        };
        let r = &ret.receipt;
        let mut check = |field, e: String, a: String| {
            if e != a {
                mismatches.push(Mismatch {
                    message: Some(i),
                    field,
                    expected: e,
                    actual: a,
                });
            }
        };
        check(
            "exit_code",
            expected.exit_code.to_string(),
            r.exit_code.value().to_string(),
        );
        check(
            "return",
            hex(&expected.return_data.0),
            hex(r.return_data.bytes()),
        );
        check(
            "gas_used",
            expected.gas_used.to_string(),
            r.gas_used.to_string(),
        );
        if let Some(events) = &expected.events_root {
            check(
                "events_root",
                fmt_opt(events.map(|c| c.0)),
                fmt_opt(r.events_root),
            );
        }
    }
    match exec.flush() {
        Ok(root) => {
            let want = vector.postconditions.state_tree.root_cid.0;
            if root != want {
                let actual = match exec.machine() {
                    Some(m) => format!("{root} ({})", actor_diff(m.blockstore(), &want, &root)),
                    None => root.to_string(),
                };
                mismatches.push(Mismatch {
                    message: None,
                    field: "state_root",
                    expected: want.to_string(),
                    actual,
                });
            }
        }
        Err(e) => mismatches.push(Mismatch {
            message: None,
            field: "state_root",
            expected: "a flushed state".into(),
            actual: format!("flush failed: {:#}", e.0),
        }),
    }
    if mismatches.is_empty() {
        VariantResult::Passed
    } else {
        VariantResult::Failed(mismatches)
    }
}

/// On chain the system actor's state names the manifest's actor list. States built by ref-fvm's
/// integration-test `Tester` store the versioned manifest root `(version, list)` there instead
/// (ref-fvm then runs them with that root as an explicit override). When the field points at
/// such a pair, return it so the machine uses it as its override, as the generating run did.
fn manifest_root_override(store: &MemoryBlockstore, root: &Cid) -> Option<Cid> {
    let tree = StateTree::new_from_root(store, root).ok()?;
    let system = tree.get_actor(0).ok()??;
    let state: SystemState = load_cbor(store, &system.state)?;
    let (_version, _list): (u32, Cid) = load_cbor(store, &state.builtin_actors)?;
    Some(state.builtin_actors)
}

fn load_cbor<T: serde::de::DeserializeOwned>(store: &MemoryBlockstore, cid: &Cid) -> Option<T> {
    let block = store.get(cid).ok()??;
    fvm_ipld_encoding::from_slice(&block).ok()
}

/// Which actors differ between the expected and the actual post-state, and in which fields, in
/// a short human-readable form. The expected post-state is only known when the vector's CAR
/// carries its blocks.
pub fn actor_diff(store: &impl Blockstore, expected: &Cid, actual: &Cid) -> String {
    fn actors(
        store: &impl Blockstore,
        root: &Cid,
    ) -> anyhow::Result<BTreeMap<u64, fern_shared::state::ActorState>> {
        let tree = StateTree::new_from_root(store, root)?;
        let mut out = BTreeMap::new();
        tree.for_each(|id, a| {
            out.insert(id, a.clone());
            Ok(())
        })?;
        Ok(out)
    }
    let want = match actors(store, expected) {
        Ok(a) => a,
        Err(_) => return "the expected post-state is not in the vector's CAR".into(),
    };
    let got = match actors(store, actual) {
        Ok(a) => a,
        Err(e) => return format!("cannot read the actual post-state: {e}"),
    };
    let mut diffs = Vec::new();
    for id in want
        .keys()
        .chain(got.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (want.get(id), got.get(id)) {
            (Some(_), None) => diffs.push(format!("actor {id} missing")),
            (None, Some(_)) => diffs.push(format!("actor {id} unexpected")),
            (Some(w), Some(g)) => {
                let mut fields = Vec::new();
                if w.code != g.code {
                    fields.push("code".to_string());
                }
                if w.state != g.state {
                    fields.push("state".to_string());
                }
                if w.sequence != g.sequence {
                    fields.push(format!("nonce {} vs {}", w.sequence, g.sequence));
                }
                if w.balance != g.balance {
                    fields.push(format!(
                        "balance {} vs {}",
                        w.balance.atto(),
                        g.balance.atto()
                    ));
                }
                if w.delegated_address != g.delegated_address {
                    fields.push("delegated address".to_string());
                }
                if !fields.is_empty() {
                    diffs.push(format!("actor {id}: {}", fields.join(", ")));
                }
            }
            (None, None) => {}
        }
    }
    if diffs.is_empty() {
        "same actors; the tree encoding differs".into()
    } else {
        diffs.join("; ")
    }
}

fn fmt_opt(c: Option<Cid>) -> String {
    c.map(|c| c.to_string()).unwrap_or_else(|| "none".into())
}

fn hex(b: &[u8]) -> String {
    if b.is_empty() {
        return "(empty)".into();
    }
    let mut s = String::from("0x");
    for x in b {
        s.push_str(&format!("{x:02x}"));
    }
    s
}
