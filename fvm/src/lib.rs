//! Fern: an independent Filecoin Virtual Machine kernel.
//!
//! Fern executes Filecoin messages against the state tree exactly as the reference FVM does for
//! network versions 21 to 28: same results, same receipts, same gas used to the milligas.
//!
//! Modules:
//! - [`gas`]: units, charges, price tables per network version, Wasm instruction pricing,
//!   consensus limits and fee computation. A leaf module every other part of the kernel uses.
//! - [`engine`]: Wasm validation, stack and gas instrumentation, compilation, the module cache
//!   keyed by code CID, and the per-message memory limiter.
//! - [`machine`]: network and epoch settings, the buffered blockstore, the state tree (actors by
//!   id, address resolution, transactions), the built-in actors manifest and the host's externs.

pub mod engine;
pub mod gas;
pub mod machine;
