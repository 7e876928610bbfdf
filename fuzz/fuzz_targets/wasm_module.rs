//! Wasm module loading: validation, instrumentation (gas metering, stack limiter) and
//! compilation of arbitrary bytes, and of Fern's real actors with fuzzer-chosen byte edits.
//! Every input must end in a module or an error: never a panic, a hang or unbounded memory.
//! Inputs whose first byte has its top bit set go to the nv17 engine, whose pipeline also parses
//! the module with parity-wasm and instruments it with `fvm-wasm-instrument` 0.2.
//!
//! `Engine::compile` runs all three stages (it validates, instruments, then compiles), so it is
//! the one call made. Module bytes already compiled in this process are not compiled again: the
//! pipeline is deterministic, so a repeat tests nothing new, and repeats are common (every input
//! shorter than one edit yields the unedited actor, and a 60 KB compile takes about 0.1 s).

#![no_main]

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Mutex, OnceLock};

use fern::engine::Engine;
use fern_shared::version::NetworkVersion;
use libfuzzer_sys::fuzz_target;

fn engine(nv17: bool) -> &'static Engine {
    static CURRENT: OnceLock<Engine> = OnceLock::new();
    static NV17: OnceLock<Engine> = OnceLock::new();
    let (cell, nv) = if nv17 {
        (&NV17, NetworkVersion::V17)
    } else {
        (&CURRENT, NetworkVersion::V29)
    };
    cell.get_or_init(|| Engine::for_network(nv).expect("an engine builds"))
}

/// Whether these module bytes are seen for the first time in this process (by a 64-bit hash;
/// the set is emptied at a million entries to bound memory).
fn first_time(nv17: bool, module: &[u8]) -> bool {
    static SEEN: Mutex<Option<HashSet<u64>>> = Mutex::new(None);
    let mut h = DefaultHasher::new();
    nv17.hash(&mut h);
    module.hash(&mut h);
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(HashSet::new);
    if seen.len() >= 1_000_000 {
        seen.clear();
    }
    seen.insert(h.finish())
}

/// The actors whose code is edited: the placeholder (115 bytes, compiles in microseconds) most of
/// the time, a real actor with a body (about 60 KB, a compile takes a good fraction of a second
/// under the sanitizers) one time in eight.
const ACTORS: [&str; 8] = [
    "placeholder",
    "placeholder",
    "placeholder",
    "placeholder",
    "placeholder",
    "placeholder",
    "placeholder",
    "reward",
];

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let module: Vec<u8> = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let name = ACTORS[usize::from(mode >> 1) % ACTORS.len()];
        let mut wasm = fern_bundle::actor_wasm(name).expect("bundle actor").to_vec();
        // Edits: (4-byte position, new byte) pairs.
        for edit in rest.chunks_exact(5) {
            let pos = u32::from_le_bytes([edit[0], edit[1], edit[2], edit[3]]) as usize;
            let len = wasm.len();
            wasm[pos % len] = edit[4];
        }
        wasm
    };
    let nv17 = mode & 0x80 != 0;
    if !first_time(nv17, &module) {
        return;
    }
    let _ = engine(nv17).compile(&module);
});
