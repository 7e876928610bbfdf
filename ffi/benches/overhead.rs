//! The cost of the C interface per message: the same corpus messages applied through the Rust
//! API (`fern::executor::Executor` over an in-memory store) and through `fern_executor_apply`
//! (callbacks into an in-memory host, the execution thread hand-off, the result conversion),
//! in alternating rounds, best round of each.
//!
//! ```sh
//! cargo bench -p fern_ffi --bench overhead            # FERN_BENCH_ROUNDS=N to change rounds
//! ```
//!
//! Prints one line per workload: `WORKLOAD rust=<µs/msg> ffi=<µs/msg> overhead=<µs/msg>
//! ratio=<rust/ffi>` (ratio < 1 means the FFI path is slower).

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use fern::engine::Engine;
use fern::executor::{ApplyKind, Executor};
use fern::machine::{AcceptAllProofs, Machine, MachineContext, NetworkConfig};
use fern_conformance::runner::{variant_settings, VectorExterns, EPOCH_SECONDS};
use fern_ffi::FERN_APPLY_EXPLICIT;
use fern_shared::message::Message;
use fern_shared::version::NetworkVersion;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use support::*;

/// Time to apply every message of `vector` through the Rust API (creation and flush excluded).
fn rust_round(vector: &fern_conformance::TestVector) -> Duration {
    let variant = &vector.preconditions.variants[0];
    let settings = variant_settings(vector, variant);
    let blocks = vector.car_blocks().unwrap();
    let store = MemoryBlockstore::new();
    for (c, d) in &blocks {
        store.put_keyed(c, d).unwrap();
    }
    let root = vector.preconditions.state_tree.root_cid.0;
    let nv = NetworkVersion::new(variant.nv);
    let mut config = NetworkConfig::new(nv).unwrap();
    if let Some(m) = manifest_override(&store, &root) {
        config = config.with_builtin_actors(m);
    }
    let context = MachineContext::new(variant.epoch, variant.epoch as u64 * EPOCH_SECONDS, root)
        .with_base_fee(settings.base_fee.clone())
        .with_circulating_supply(settings.circ_supply.clone());
    let machine = Machine::new(config, context, store, VectorExterns::new(vector)).unwrap();
    let mut exec = Executor::with_proof_verifier(
        Engine::shared(nv).unwrap(),
        machine,
        Arc::new(AcceptAllProofs),
    );
    let messages: Vec<(Message, usize)> = vector
        .apply_messages
        .iter()
        .map(|m| {
            (
                fvm_ipld_encoding::from_slice(&m.bytes.0).unwrap(),
                chain_len(&m.bytes.0),
            )
        })
        .collect();
    let start = Instant::now();
    for (msg, len) in &messages {
        exec.apply_message(msg, ApplyKind::Explicit, *len).unwrap();
    }
    start.elapsed()
}

/// Time to apply every message of `vector` through the C interface, and the number of blocks
/// the host served.
fn ffi_round(vector: &fern_conformance::TestVector) -> (Duration, u64) {
    let (host, settings) = vector_setup(vector, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    let messages: Vec<(&[u8], usize)> = vector
        .apply_messages
        .iter()
        .map(|m| (m.bytes.0.as_slice(), chain_len(&m.bytes.0)))
        .collect();
    let gets = host.gets.load(std::sync::atomic::Ordering::Relaxed);
    let start = Instant::now();
    for (bytes, len) in &messages {
        exec.apply(bytes, FERN_APPLY_EXPLICIT, *len).unwrap();
    }
    let elapsed = start.elapsed();
    (
        elapsed,
        host.gets.load(std::sync::atomic::Ordering::Relaxed) - gets,
    )
}

/// Mean time of a call that reaches the execution thread and returns at once (undecodable
/// message bytes): the cost of the thread hand-off alone.
fn round_trip(vector: &fern_conformance::TestVector, calls: u32) -> Duration {
    let (host, settings) = vector_setup(vector, 0);
    let exec = Exec::new(&settings, &host).unwrap();
    let start = Instant::now();
    for _ in 0..calls {
        assert!(exec.apply(&[0xff], FERN_APPLY_EXPLICIT, 1).is_err());
    }
    start.elapsed() / calls
}

fn main() {
    let rounds: usize = std::env::var("FERN_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    let workloads = [
        ("transfers", "transfers/create_accounts--nv28.json"),
        ("token_calls", "examples/token--nv26.json"),
        ("syscalls_send", "syscalls/send--nv27.json"),
    ];
    std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(move || {
            let first = load_vector(&corpus_dir().join(workloads[0].1));
            let trip = (0..5).map(|_| round_trip(&first, 2000)).min().unwrap();
            println!("round_trip ffi={:.1}us/call (a call refused on the execution thread)", trip.as_secs_f64() * 1e6);
            for (name, path) in workloads {
                let vector = load_vector(&corpus_dir().join(path));
                let n = vector.apply_messages.len() as f64;
                // Warm-up: compile every actor once in both engines.
                rust_round(&vector);
                let _ = ffi_round(&vector);
                let (mut rust, mut ffi, mut gets) = (Duration::MAX, Duration::MAX, 0);
                for _ in 0..rounds {
                    rust = rust.min(rust_round(&vector));
                    let (t, g) = ffi_round(&vector);
                    ffi = ffi.min(t);
                    gets = g;
                }
                let (r, f) = (rust.as_secs_f64() * 1e6 / n, ffi.as_secs_f64() * 1e6 / n);
                println!(
                    "{name} rust={r:.1}us/msg ffi={f:.1}us/msg overhead={:.1}us/msg ratio={:.2} ({n} messages, {:.1} blockstore reads/msg, best of {rounds})",
                    f - r,
                    r / f,
                    gets as f64 / n
                );
            }
        })
        .unwrap()
        .join()
        .unwrap();
}
