//! Wasm module loading: validation, instrumentation (gas metering, stack limiter) and
//! compilation of arbitrary bytes, and of Fern's real actors with fuzzer-chosen byte edits.
//! Every input must end in a module or an error: never a panic, a hang or unbounded memory.

#![no_main]

use std::sync::OnceLock;

use fern::engine::Engine;
use fern_shared::version::NetworkVersion;
use libfuzzer_sys::fuzz_target;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::for_network(NetworkVersion::V29).expect("an engine builds"))
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
    let engine = engine();
    if engine.validate(&module).is_ok() {
        let _ = engine.instrument(&module);
    }
    let _ = engine.compile(&module);
});
