//! Writes the fixture the C and Go tests of the FFI run: a few corpus vectors turned into flat
//! files a small C or Go program can read, with what Fern's Rust API produces for them (the
//! expected results).
//!
//! ```sh
//! cargo run --release -p fern_ffi --example fixture -- OUT_DIR
//! ```
//!
//! For each case, `OUT_DIR/<case>/` holds
//!
//! - `blocks.bin`: every block of the pre-state, as records `[u32 LE cid length][cid][u32 LE
//!   data length][data]`;
//! - `case.txt`: one item per line, fields separated by single spaces, byte strings in lowercase
//!   hex, `-` for an empty byte string:
//!   - `nv N`, `epoch N`, `timestamp N`, `base_fee HEX`, `circ_supply HEX` (big-integer
//!     bytes), `state_root HEX`, `manifest HEX` (override, `-` for none), `flags N`;
//!   - `rand chain|beacon EPOCH HEX` and `tipset EPOCH HEX`: the answers the host must give
//!     (every query the Rust run made; other epochs are never asked);
//!   - `msg HEX CHAIN_LEN`: a message (unsigned CBOR) and its on-chain length, in order;
//!   - `expect` lines, one per message in order, as `key=value` fields: `exit`, `gas_used`,
//!     `return`, `codec`, `events_root`, `events`, `penalty`, `miner_tip`, `base_fee_burn`,
//!     `over_estimation_burn`, `refund`, `gas_refund`, `gas_burned`, `trace`;
//!   - `root HEX`: the state root after flushing.
//!
//! The messages are applied as explicit messages with tracing on (`flags 1`); proofs are
//! reported valid and no consensus fault is found, as in the conformance runner.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cid::Cid;
use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor};
use fern::machine::{
    AcceptAllProofs, ConsensusFaultCheck, Externs, Machine, MachineContext, NetworkConfig,
};
use fern_conformance::runner::{on_chain_length, variant_settings, VectorExterns, EPOCH_SECONDS};
use fern_conformance::TestVector;
use fern_shared::bigint::bigint_ser;
use fern_shared::econ::TokenAmount;
use fern_shared::message::Message;
use fern_shared::version::NetworkVersion;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};

/// The cases: account creation by transfer, an actor call with events, out-of-gas messages,
/// pre-validation failures, randomness queries, proof verification.
const CASES: &[&str] = &[
    "transfers/create_accounts--nv28.json",
    "examples/token--nv26.json",
    "executor/gas_limits--nv23.json",
    "executor/nonces--nv27.json",
    "syscalls/randomness--nv25.json",
    "syscalls/proofs--nv21.json",
];

/// Externs that remember every answer given.
struct Recording {
    inner: VectorExterns,
    answers: RefCell<BTreeMap<(String, i64), Vec<u8>>>,
}

impl Externs for Recording {
    fn chain_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        let d = self.inner.chain_randomness(epoch)?;
        self.answers
            .borrow_mut()
            .insert(("rand chain".into(), epoch), d.to_vec());
        Ok(d)
    }
    fn beacon_randomness(&self, epoch: i64) -> anyhow::Result<[u8; 32]> {
        let d = self.inner.beacon_randomness(epoch)?;
        self.answers
            .borrow_mut()
            .insert(("rand beacon".into(), epoch), d.to_vec());
        Ok(d)
    }
    fn tipset_cid(&self, epoch: i64) -> anyhow::Result<Cid> {
        let c = self.inner.tipset_cid(epoch)?;
        self.answers
            .borrow_mut()
            .insert(("tipset".into(), epoch), c.to_bytes());
        Ok(c)
    }
    fn verify_consensus_fault(
        &self,
        a: &[u8],
        b: &[u8],
        c: &[u8],
    ) -> anyhow::Result<ConsensusFaultCheck> {
        self.inner.verify_consensus_fault(a, b, c)
    }
}

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".into();
    }
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

fn amount(a: &TokenAmount) -> String {
    hex(&bigint_ser::to_bytes(a.atto()))
}

fn write_case(vector_path: &Path, out: &Path) -> anyhow::Result<()> {
    let vector: TestVector = serde_json::from_slice(&std::fs::read(vector_path)?)?;
    let variant = vector.preconditions.variants[0].clone();
    let settings = variant_settings(&vector, &variant);
    let blocks = vector.car_blocks()?;
    let store = MemoryBlockstore::new();
    let mut bin = Vec::new();
    for (cid, data) in &blocks {
        store.put_keyed(cid, data)?;
        let key = cid.to_bytes();
        bin.extend_from_slice(&(key.len() as u32).to_le_bytes());
        bin.extend_from_slice(&key);
        bin.extend_from_slice(&(data.len() as u32).to_le_bytes());
        bin.extend_from_slice(data);
    }
    let root = vector.preconditions.state_tree.root_cid.0;
    let manifest = fern_conformance::runner::manifest_root_override(&store, &root);
    let nv = NetworkVersion::new(variant.nv);
    let mut config = NetworkConfig::new(nv)?;
    if let Some(m) = manifest {
        config = config.with_builtin_actors(m);
    }
    let timestamp = (variant.epoch as u64).wrapping_mul(EPOCH_SECONDS);
    let context = MachineContext::new(variant.epoch, timestamp, root)
        .with_base_fee(settings.base_fee.clone())
        .with_circulating_supply(settings.circ_supply.clone())
        .with_tracing();
    let externs = Recording {
        inner: VectorExterns::new(&vector),
        answers: RefCell::default(),
    };
    let machine = Machine::new(config, context, store, externs)?;
    let mut exec =
        Executor::with_proof_verifier(Engine::shared(nv)?, machine, Arc::new(AcceptAllProofs));

    let mut text = String::new();
    let _ = writeln!(text, "nv {}", variant.nv);
    let _ = writeln!(text, "epoch {}", variant.epoch);
    let _ = writeln!(text, "timestamp {timestamp}");
    let _ = writeln!(text, "base_fee {}", amount(&settings.base_fee));
    let _ = writeln!(text, "circ_supply {}", amount(&settings.circ_supply));
    let _ = writeln!(text, "state_root {}", hex(&root.to_bytes()));
    let _ = writeln!(
        text,
        "manifest {}",
        hex(&manifest.map(|c| c.to_bytes()).unwrap_or_default())
    );
    let _ = writeln!(text, "flags 1");
    let mut messages = String::new();
    let mut expects = String::new();
    for m in &vector.apply_messages {
        let bytes = &m.bytes.0;
        let msg: Message = fvm_ipld_encoding::from_slice(bytes)?;
        let len = on_chain_length(&msg, bytes.len());
        let _ = writeln!(messages, "msg {} {len}", hex(bytes));
        let ret = exec.apply_message(&msg, ApplyKind::Explicit, len)?;
        let r = &ret.receipt;
        let events = if ret.events.is_empty() {
            Vec::new()
        } else {
            fvm_ipld_encoding::to_vec(&ret.events)?
        };
        let _ = writeln!(
            expects,
            "expect exit={} gas_used={} return={} codec={} events_root={} events={} penalty={} miner_tip={} base_fee_burn={} over_estimation_burn={} refund={} gas_refund={} gas_burned={} trace={}",
            r.exit_code.value(),
            r.gas_used,
            hex(&r.return_data),
            ret.return_codec.unwrap_or(0),
            hex(&r.events_root.map(|c| c.to_bytes()).unwrap_or_default()),
            hex(&events),
            amount(&ret.penalty),
            amount(&ret.miner_tip),
            amount(&ret.base_fee_burn),
            amount(&ret.over_estimation_burn),
            amount(&ret.refund),
            ret.gas_refund,
            ret.gas_burned,
            hex(&fern_ffi::trace::encode_lotus_trace(&ret.exec_trace)),
        );
    }
    let new_root = exec.flush()?;
    let machine = exec.into_machine().expect("machine");
    for ((kind, epoch), answer) in machine.externs.answers.borrow().iter() {
        let _ = writeln!(text, "{kind} {epoch} {}", hex(answer));
    }
    text.push_str(&messages);
    text.push_str(&expects);
    let _ = writeln!(text, "root {}", hex(&new_root.to_bytes()));
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("blocks.bin"), bin)?;
    std::fs::write(out.join("case.txt"), text)?;
    Ok(())
}

fn main() {
    let Some(out) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: fixture OUT_DIR");
        std::process::exit(2);
    };
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../test-vectors");
    // Actors recurse on the native stack: run on a large one.
    let result = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || -> anyhow::Result<Vec<String>> {
            let mut names = Vec::new();
            for case in CASES {
                let name = case.trim_end_matches(".json").replace('/', "_");
                write_case(&corpus.join(case), &out.join(&name))
                    .map_err(|e| anyhow::anyhow!("{case}: {e:#}"))?;
                names.push(name);
            }
            std::fs::write(out.join("cases.txt"), names.join("\n") + "\n")?;
            Ok(names)
        })
        .expect("thread")
        .join()
        .expect("no panic");
    match result {
        Ok(names) => println!("wrote {} cases: {}", names.len(), names.join(", ")),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}
