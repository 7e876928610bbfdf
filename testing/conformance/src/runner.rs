//! Replaying a vector's variants on Fern with the settings of `VECTORS.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use cid::Cid;
use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor, Fvm2Executor, VersionedExecutor};
use fern::machine::{
    AcceptAllProofs, ConsensusFaultCheck, Externs, Fvm2Machine, Machine, MachineContext,
    NetworkConfig, StateTree, SystemState,
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

/// The newest network version Fern runs (the default of `fern exec --nv`).
pub const NEWEST_NETWORK_VERSION: u32 = fern::gas::MAX_NETWORK_VERSION.value();

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
    /// Loads the bundles at `paths`: CAR files (plain or gzip-compressed) or lotus-style tar
    /// archives of CARs (`.tar.zst`; see [`crate::bundle::bundle_cars`]). Every block of every
    /// CAR is added, hash-checked.
    pub fn with_bundles(paths: &[std::path::PathBuf]) -> Result<Self, VectorError> {
        let mut blocks = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for path in paths {
            let data = std::fs::read(path)
                .map_err(|e| VectorError::Io(format!("{}: {e}", path.display())))?;
            let in_file = |e: VectorError| match e {
                VectorError::Archive(m) => VectorError::Archive(format!("{}: {m}", path.display())),
                VectorError::Gzip(m) => VectorError::Gzip(format!("{}: {m}", path.display())),
                e => e,
            };
            for car in crate::bundle::bundle_cars(data).map_err(in_file)? {
                let name = match &car.entry {
                    Some(entry) => format!("{} ({entry})", path.display()),
                    None => path.display().to_string(),
                };
                let (_roots, list) = crate::bundle::read_car_blocks(&car.car)
                    .map_err(|e| VectorError::Car(format!("{name}: {e}")))?;
                // The CARs of one archive share most code blocks: keep each block once.
                blocks.extend(list.into_iter().filter(|(cid, _)| seen.insert(*cid)));
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
    /// The field: `exit_code`, `return`, `gas_used`, `events_root`, `state_root`, `apply`, or
    /// `panic` (Fern panicked: a bug, reported as a failure).
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
    /// What Fern produced (empty when the variant was skipped or could not be set up).
    pub actual: Actuals,
}

/// What Fern produced for one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageActual {
    /// The receipt's exit code.
    pub exit_code: u32,
    /// The receipt's return bytes.
    pub return_data: Vec<u8>,
    /// The receipt's gas used.
    pub gas_used: u64,
    /// The root of the message's events (`None` when it emitted none).
    pub events_root: Option<Cid>,
    /// The message's execution trace when [`MachineSettings::trace`] asked for it (empty
    /// otherwise): sends, returns, errors, invoked actors, blocks, logs and gas charges.
    pub trace: Vec<fern::call_manager::ExecEvent>,
    /// The events the message emitted (empty when none).
    pub events: Vec<fern_shared::event::StampedEvent>,
    /// Why the message failed, for people (the pre-validation reason, or the backtrace of the
    /// failed calls with the actors' error messages); `None` when it succeeded.
    pub failure_info: Option<String>,
    /// The actors' `debug::log` lines, when [`MachineSettings::debug`] is on.
    pub logs: Vec<String>,
}

/// What Fern produced for a run of messages: one receipt per applied message and, when the run
/// reached the end, the flushed state root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actuals {
    /// The receipts, in message order (fewer than the messages when a run stopped early).
    pub receipts: Vec<MessageActual>,
    /// The state root after the last message (`None` when the run stopped before the flush).
    pub state_root: Option<Cid>,
}

/// The machine settings of a run that do not come from the state: network version, epoch, base
/// fee and circulating supply. The rest is fixed (see the crate docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineSettings {
    /// Network version.
    pub nv: u32,
    /// The epoch every message runs at; the timestamp is `epoch × 30`.
    pub epoch: i64,
    /// Base fee in attoFIL.
    pub base_fee: TokenAmount,
    /// Circulating supply in attoFIL.
    pub circ_supply: TokenAmount,
    /// Whether to record each message's execution trace ([`MessageActual::trace`]).
    pub trace: bool,
    /// Whether actor debugging is on (`debug::log` lines and artifacts; consensus-relevant, for
    /// local runs only), with the logs collected in [`MessageActual::logs`].
    pub debug: bool,
}

impl MachineSettings {
    /// Settings for `nv` at `epoch` with the default base fee (100 attoFIL) and a circulating
    /// supply of zero.
    pub fn new(nv: u32, epoch: i64) -> Self {
        MachineSettings {
            nv,
            epoch,
            base_fee: TokenAmount::from_atto(DEFAULT_BASE_FEE),
            circ_supply: TokenAmount::from_atto(0u64),
            trace: false,
            debug: false,
        }
    }
}

/// Parses a non-negative decimal attoFIL amount (for command-line options).
pub fn parse_atto(text: &str) -> Result<TokenAmount, String> {
    let n: num_bigint::BigUint = text
        .parse()
        .map_err(|e| format!("{text:?} is not a non-negative decimal integer: {e}"))?;
    Ok(TokenAmount::from_atto(num_bigint::BigInt::from(n)))
}

/// Why a run of messages stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// Fern does not run this network version.
    #[error("network version {nv}: {reason}")]
    UnsupportedVersion {
        /// The version asked for.
        nv: u32,
        /// Why it is refused.
        reason: String,
    },
    /// The machine or the engine could not be built.
    #[error("cannot build {what}: {error}")]
    Setup {
        /// What could not be built (`a machine over the pre-state`, `an engine`).
        what: &'static str,
        /// The error.
        error: String,
    },
    /// A message's bytes are not a CBOR message.
    #[error("message {index}: undecodable bytes: {error}")]
    Undecodable {
        /// The message's index.
        index: usize,
        /// The decoding error.
        error: String,
    },
    /// The executor failed fatally on a message (no receipt exists).
    #[error("message {index}: fatal error: {error}")]
    Fatal {
        /// The message's index.
        index: usize,
        /// The error.
        error: String,
    },
    /// The final flush of the state tree failed.
    #[error("flush failed: {0}")]
    Flush(String),
}

/// The result of [`apply_messages`].
#[derive(Debug)]
pub struct Applied {
    /// What Fern produced; `actual.state_root` is set exactly when `error` is `None`.
    pub actual: Actuals,
    /// Why the run stopped early, if it did.
    pub error: Option<ApplyError>,
    /// The blockstore after the run: the starting blocks plus the blocks reachable from the new
    /// root. `None` when the machine could not be built or a fatal error consumed it.
    pub store: Option<MemoryBlockstore>,
}

/// Builds a machine over `state_root` in `store` with `settings` and the fixed settings of the
/// crate docs (chain id 0, the accept-all proof verifier, the manifest override of a
/// `Tester`-built state), applies each message (CBOR bytes of an unsigned message) as an
/// explicit message, and flushes. Stops at the first message that cannot be decoded or applied.
/// This is the one code path of both the vector runner and `fern exec`.
pub fn apply_messages<E: Externs + 'static>(
    store: MemoryBlockstore,
    state_root: Cid,
    settings: &MachineSettings,
    externs: E,
    messages: &[Vec<u8>],
) -> Applied {
    apply_messages_as(
        store,
        state_root,
        settings,
        externs,
        messages,
        ApplyKind::Explicit,
    )
}

/// [`apply_messages`] with every message applied as `kind`: [`ApplyKind::Implicit`] runs them
/// as system messages (no validation, no inclusion charge, no payment; what a dev chain uses to
/// run constructors), [`ApplyKind::Explicit`] as messages from a block.
pub fn apply_messages_as<E: Externs + 'static>(
    store: MemoryBlockstore,
    state_root: Cid,
    settings: &MachineSettings,
    externs: E,
    messages: &[Vec<u8>],
    kind: ApplyKind,
) -> Applied {
    let stop = |actual: Actuals, error: ApplyError, store: Option<MemoryBlockstore>| Applied {
        actual,
        error: Some(error),
        store,
    };
    let nv = NetworkVersion::new(settings.nv);
    if let Err(reason) = supported_version(settings.nv) {
        let error = ApplyError::UnsupportedVersion {
            nv: settings.nv,
            reason,
        };
        return stop(Actuals::default(), error, Some(store));
    }
    let context = MachineContext::new(
        settings.epoch,
        (settings.epoch as u64).wrapping_mul(EPOCH_SECONDS),
        state_root,
    )
    .with_base_fee(settings.base_fee.clone())
    .with_circulating_supply(settings.circ_supply.clone());
    // Debug logs arrive as trace events: debugging records the trace too.
    let context = if settings.trace || settings.debug {
        context.with_tracing()
    } else {
        context
    };
    let manifest_override = manifest_root_override(&store, &state_root);
    let engine = match Engine::shared(nv) {
        Ok(e) => e,
        Err(e) => {
            let error = ApplyError::Setup {
                what: "an engine",
                error: format!("{e:#}"),
            };
            return stop(Actuals::default(), error, Some(store));
        }
    };
    let machine_error = |e: anyhow::Error| ApplyError::Setup {
        what: "a machine over the pre-state",
        error: format!("{e:#}"),
    };
    let mut exec = if nv == NetworkVersion::V17 {
        match Fvm2Machine::new(nv, context, store, externs, manifest_override) {
            Ok(mut machine) => {
                machine.actor_debugging = settings.debug;
                VersionedExecutor::Fvm2(Fvm2Executor::with_proof_verifier(
                    engine,
                    machine,
                    Arc::new(AcceptAllProofs),
                ))
            }
            Err(e) => return stop(Actuals::default(), machine_error(e), None),
        }
    } else {
        let config = match NetworkConfig::new(nv) {
            Ok(c) => c,
            Err(e) => {
                let error = ApplyError::UnsupportedVersion {
                    nv: settings.nv,
                    reason: e.to_string(),
                };
                return stop(Actuals::default(), error, Some(store));
            }
        };
        let config = if settings.debug {
            config.with_actor_debugging()
        } else {
            config
        };
        let config = match manifest_override {
            Some(root) => config.with_builtin_actors(root),
            None => config,
        };
        match Machine::new(config, context, store, externs) {
            Ok(machine) => VersionedExecutor::Current(Executor::with_proof_verifier(
                engine,
                machine,
                Arc::new(AcceptAllProofs),
            )),
            Err(e) => return stop(Actuals::default(), machine_error(e), None),
        }
    };
    let mut actual = Actuals::default();
    for (index, bytes) in messages.iter().enumerate() {
        let msg: Message = match fvm_ipld_encoding::from_slice(bytes) {
            Ok(m) => m,
            Err(e) => {
                let error = ApplyError::Undecodable {
                    index,
                    error: e.to_string(),
                };
                let store = exec.into_store();
                return stop(actual, error, store);
            }
        };
        let len = on_chain_length(&msg, bytes.len());
        match exec.apply_message(&msg, kind, len) {
            Ok(ret) => {
                let r = ret.receipt;
                let logs = ret
                    .exec_trace
                    .iter()
                    .filter_map(|e| match e {
                        fern::call_manager::ExecEvent::Log(line) => Some(line.clone()),
                        _ => None,
                    })
                    .collect();
                actual.receipts.push(MessageActual {
                    exit_code: r.exit_code.value(),
                    return_data: r.return_data.bytes().to_vec(),
                    gas_used: r.gas_used,
                    events_root: r.events_root,
                    trace: if settings.trace {
                        ret.exec_trace
                    } else {
                        Vec::new()
                    },
                    events: ret.events,
                    failure_info: ret.failure_info.map(|f| f.to_string()),
                    logs,
                });
            }
            Err(e) => {
                let error = ApplyError::Fatal {
                    index,
                    error: format!("{:#}", e.0),
                };
                let store = exec.into_store();
                return stop(actual, error, store);
            }
        }
    }
    match exec.flush() {
        Ok(root) => {
            actual.state_root = Some(root);
            Applied {
                actual,
                error: None,
                store: exec.into_store(),
            }
        }
        Err(e) => {
            let store = exec.into_store();
            stop(actual, ApplyError::Flush(format!("{:#}", e.0)), store)
        }
    }
}

/// Whether Fern runs network version `nv` (17, and what [`NetworkConfig::new`] accepts); the
/// reason if not.
pub fn supported_version(nv: u32) -> Result<(), String> {
    if nv == 17 {
        return Ok(());
    }
    NetworkConfig::new(NetworkVersion::new(nv))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The on-chain length of a message given its CBOR bytes.
pub fn on_chain_length(msg: &Message, cbor_len: usize) -> usize {
    if msg.from.protocol() == Protocol::Secp256k1 {
        cbor_len + SECP_SIGNATURE_OVERHEAD
    } else {
        cbor_len
    }
}

/// Why the vector's selector asks for something this runner does not have, if it does: the
/// chaos actor (a test actor of Lotus's and ref-fvm's corpora, not in Fern's bundle) or an
/// externs that reports consensus faults (the runner's reports none).
pub fn unsupported_selector(vector: &TestVector) -> Option<String> {
    let on = |key: &str| vector.selector.get(key).is_some_and(|v| v == "true");
    if on("chaos_actor") {
        Some("needs the chaos actor (selector chaos_actor), which Fern does not ship".into())
    } else if on("requires:consensus_fault_extern") {
        Some("needs consensus-fault externs (selector requires:consensus_fault_extern)".into())
    } else {
        None
    }
}

/// Runs `f`, turning a panic into its message: a bug in Fern fails one vector instead of
/// aborting the whole run (or crossing into a host that links the runner).
pub fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

/// Runs every variant of `vector` (a panic fails the variant, with field `panic`).
pub fn run_vector(vector: &TestVector, options: &RunOptions) -> Vec<VariantOutcome> {
    if let Some(reason) = unsupported_selector(vector) {
        return vec![VariantOutcome {
            variant: "(all)".into(),
            result: VariantResult::Skipped(reason),
            actual: Actuals::default(),
        }];
    }
    if vector.preconditions.variants.is_empty() {
        return vec![VariantOutcome {
            variant: "(none)".into(),
            result: VariantResult::Skipped(
                "no variants: a vector from before network versions were recorded \
                 (Fern runs network version 21 and later)"
                    .into(),
            ),
            actual: Actuals::default(),
        }];
    }
    vector
        .preconditions
        .variants
        .iter()
        .map(|v| {
            let (result, actual) = match guard(|| run_variant_with_actuals(vector, v, options)) {
                Ok(done) => done,
                Err(panic) => {
                    let failed = VariantResult::Failed(vec![Mismatch {
                        message: None,
                        field: "panic",
                        expected: "no panic".into(),
                        actual: panic,
                    }]);
                    (failed, Actuals::default())
                }
            };
            VariantOutcome {
                variant: v.id.clone(),
                result,
                actual,
            }
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
    run_variant_with_actuals(vector, variant, options).0
}

/// The machine settings the vector fixes for `variant`.
pub fn variant_settings(vector: &TestVector, variant: &Variant) -> MachineSettings {
    let pre = &vector.preconditions;
    let mut settings = MachineSettings::new(variant.nv, variant.epoch);
    if let Some(b) = &pre.basefee {
        settings.base_fee = TokenAmount::from_atto(b.0.clone());
    }
    if let Some(c) = &pre.circ_supply {
        settings.circ_supply = TokenAmount::from_atto(c.0.clone());
    }
    settings
}

/// Runs one variant of `vector` and returns, besides the verdict, what Fern produced.
pub fn run_variant_with_actuals(
    vector: &TestVector,
    variant: &Variant,
    options: &RunOptions,
) -> (VariantResult, Actuals) {
    let none = Actuals::default;
    if let Err(e) = supported_version(variant.nv) {
        let reason = format!("network version {}: {e}", variant.nv);
        return (VariantResult::Skipped(reason), none());
    }
    let store = MemoryBlockstore::new();
    for (cid, data) in options.bundle_blocks.iter() {
        if let Err(e) = store.put_keyed(cid, data) {
            return (whole("setup", "bundle blocks load", e), none());
        }
    }
    if let Err(e) = vector.load_car(&store) {
        return (whole("setup", "a readable CAR", e), none());
    }
    let messages: Vec<Vec<u8>> = vector
        .apply_messages
        .iter()
        .map(|m| m.bytes.0.clone())
        .collect();
    let applied = apply_messages(
        store,
        vector.preconditions.state_tree.root_cid.0,
        &variant_settings(vector, variant),
        VectorExterns::new(vector),
        &messages,
    );
    let actual = applied.actual;
    let mut mismatches = Vec::new();
    for (i, (r, expected)) in actual
        .receipts
        .iter()
        .zip(&vector.postconditions.receipts)
        .enumerate()
    {
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
            r.exit_code.to_string(),
        );
        check("return", hex(&expected.return_data.0), hex(&r.return_data));
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
    match applied.error {
        None => {}
        Some(ApplyError::UnsupportedVersion { reason, .. }) => {
            let reason = format!("network version {}: {reason}", variant.nv);
            return (VariantResult::Skipped(reason), actual);
        }
        Some(ApplyError::Setup { what, error }) => return (whole("setup", what, error), actual),
        Some(ApplyError::Undecodable { index, error }) => {
            mismatches.push(Mismatch {
                message: Some(index),
                field: "apply",
                expected: "a decodable message".into(),
                actual: format!("undecodable bytes: {error}"),
            });
            return (VariantResult::Failed(mismatches), actual);
        }
        Some(ApplyError::Fatal { index, error }) => {
            mismatches.push(Mismatch {
                message: Some(index),
                field: "apply",
                expected: "a receipt".into(),
                actual: format!("fatal error: {error}"),
            });
            return (VariantResult::Failed(mismatches), actual);
        }
        Some(ApplyError::Flush(error)) => mismatches.push(Mismatch {
            message: None,
            field: "state_root",
            expected: "a flushed state".into(),
            actual: format!("flush failed: {error}"),
        }),
    }
    if let Some(root) = actual.state_root {
        let want = vector.postconditions.state_tree.root_cid.0;
        if root != want {
            let actual = match &applied.store {
                Some(store) => format!("{root} ({})", actor_diff(store, &want, &root)),
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
    if mismatches.is_empty() {
        (VariantResult::Passed, actual)
    } else {
        (VariantResult::Failed(mismatches), actual)
    }
}

/// On chain the system actor's state names the manifest's actor list. States built by ref-fvm's
/// integration-test `Tester` store the versioned manifest root `(version, list)` there instead
/// (ref-fvm then runs them with that root as an explicit override). When the field points at
/// such a pair, return it so the machine uses it as its override, as the generating run did.
pub fn manifest_root_override(store: &MemoryBlockstore, root: &Cid) -> Option<Cid> {
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
