//! ABI probe built against `fvm_sdk` (see `../probe.rs`).

#[cfg(target_arch = "wasm32")]
use fvm_sdk as sdk;

#[cfg(target_arch = "wasm32")]
#[path = "../probe.rs"]
mod probe;
