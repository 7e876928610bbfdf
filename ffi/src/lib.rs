//! Fern's C interface: the executor a Filecoin node links instead of ref-fvm.
//!
//! A node (Lotus through cgo, or any C host) creates an executor per tipset from the network
//! and epoch settings, a state root and one table of host callbacks (blockstore, chain externs,
//! proof verification); applies messages and reads receipts, gas outputs, events and traces;
//! flushes to get the new state root; and frees the executor. The header `ffi/include/fern.h`
//! is generated from this crate by cbindgen (`tests/header.rs` checks it is current), and
//! FIPS/ffi.md specifies the interface in prose.
//!
//! Rules every function follows:
//!
//! - it returns a [`FernStatus`]; on failure `*error` (when the caller passes a non-NULL
//!   pointer) gets a message to free with [`fern_string_free`];
//! - no panic crosses the boundary: a panic inside Fern becomes [`FernStatus::Panic`];
//! - every buffer Fern returns has a free function: [`fern_buffer_free`],
//!   [`fern_apply_result_free`], [`fern_string_free`]; buffers the caller passes in are only
//!   borrowed for the call;
//! - executors are independent and may be used from different threads in parallel; one
//!   executor runs one call at a time ([`FernStatus::Busy`] otherwise).
//!
//! Modules: [`status`] (codes and errors), [`buffer`] (bytes across the boundary), [`host`]
//! (callbacks and their adapters), [`config`] (executor settings), [`engines`] (engines shared
//! by executors), [`threads`] (large-stack threads kept for reuse), [`trace`] (the Lotus-shaped
//! execution trace), [`result`] (a message's outcome), [`executor`] (the executor on its
//! thread).

#![warn(missing_docs)]

pub mod buffer;
pub mod config;
pub mod engines;
pub mod executor;
pub mod host;
pub mod result;
pub mod status;
pub mod threads;
pub mod trace;

use std::ffi::c_char;

pub use buffer::{fern_buffer_free, FernBuffer, FernSlice};
pub use config::{
    FernCodeRedirect, FernExecutorConfig, FERN_FLAG_ACTOR_DEBUGGING,
    FERN_FLAG_DEVELOPMENT_VERSIONS, FERN_FLAG_FLUSH_ALL_BLOCKS, FERN_FLAG_TRACING,
    FERN_MAX_TOKEN_AMOUNT_BYTES,
};
pub use executor::{
    fern_executor_apply, fern_executor_compilations, fern_executor_flush, fern_executor_free,
    fern_executor_new, FernExecutor, FERN_APPLY_EXPLICIT, FERN_APPLY_IMPLICIT,
};
pub use host::{
    FernBlock, FernConsensusFault, FernHostCallbacks, FernHostStatus, FERN_MAX_CID_LEN,
};
pub use result::{fern_apply_result_free, FernApplyResult};
pub use status::{fern_string_free, FernStatus};

/// What this library is and runs.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct FernLibraryInfo {
    /// Fern's version, a static NUL-terminated string (never freed).
    pub version: *const c_char,
    /// Oldest network version executors accept.
    pub min_network_version: u32,
    /// Newest network version executors accept.
    pub max_network_version: u32,
    /// Messages that may execute at once on one shared engine (the `FERN_CONCURRENCY`
    /// environment variable, 1 to 256, else the number of cores); read once per process.
    pub concurrency: u32,
}

/// Fern's version, NUL-terminated.
static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

/// Describes the library: its version, the network versions it runs, its concurrency.
/// Safe to call from any thread at any time.
#[no_mangle]
pub extern "C" fn fern_library_info() -> FernLibraryInfo {
    FernLibraryInfo {
        version: VERSION.as_ptr().cast(),
        min_network_version: fern::machine::FVM2_NETWORK_VERSION.value(),
        max_network_version: fern::gas::MAX_NETWORK_VERSION.value(),
        concurrency: engines::concurrency(),
    }
}
