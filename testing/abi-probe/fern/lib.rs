//! ABI probe built against `fern_sdk` (see `../probe.rs`).

#[cfg(target_arch = "wasm32")]
use fern_sdk as sdk;

#[cfg(target_arch = "wasm32")]
#[path = "../probe.rs"]
mod probe;
