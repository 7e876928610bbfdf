//! Fern: an independent Filecoin Virtual Machine kernel.
//!
//! Fern executes Filecoin messages against the state tree exactly as the reference FVM does for
//! network versions 21 to 29: same results, same receipts, same gas used to the milligas.
//!
//! Modules, bottom-up (a module only uses the ones listed before it):
//! - [`gas`]: units, charges, price tables per network version, Wasm instruction pricing,
//!   consensus limits and fee computation.
//! - [`engine`]: Wasm validation, stack and gas instrumentation, compilation, the module cache
//!   keyed by code CID, and the per-message memory limiter.
//! - [`machine`]: network and epoch settings, the buffered blockstore, the state tree (actors by
//!   id, address resolution, transactions), the built-in actors manifest and the host's externs.
//! - [`call_manager`]: one message's call stack: sends, actor auto-creation, transactions,
//!   first-access gas, events.
//! - [`kernel`]: the meaning and gas charges of each syscall for one invocation.
//! - [`syscalls`]: the Wasm imports, bounds checks, execution-gas settlement, running an actor.
//! - [`executor`]: message validation, gas payment, receipts.

pub mod call_manager;
pub mod engine;
pub mod executor;
pub mod gas;
pub mod kernel;
pub mod machine;
pub mod syscalls;
