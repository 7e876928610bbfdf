//! The actor-side library of Fern.
//!
//! A Wasm actor talks to the Fern kernel only through imported functions (syscalls). [`sys`]
//! declares every import with the exact Wasm signature the Filecoin VM ABI prescribes; the other
//! modules wrap them in safe, typed functions:
//!
//! | module | what it covers |
//! |---|---|
//! | [`ipld`] | reading and writing IPLD blocks |
//! | [`sself`] | the actor's own state root and balance |
//! | [`message`] | the current call: caller, method, value, parameters |
//! | [`network`] | epoch, timestamp, base fee, chain ID, network version |
//! | [`actor`] | resolving addresses, code CIDs, creating actors, balances |
//! | [`send`] | calling other actors |
//! | [`crypto`] | signatures, hashing, proof verification |
//! | [`event`] | emitting events |
//! | [`rand`] | chain and beacon randomness |
//! | [`gas`] | gas charging and the remaining budget |
//! | [`debug`] | debug logging |
//! | [`vm`] | exiting, aborting, the panic hook |
//! | [`invoke`] | the `invoke` entry point glue |
//!
//! The crate builds on the host too, where every syscall panics; that lets actor crates run unit
//! tests of their pure logic without a VM.

#![warn(missing_docs)]

pub mod actor;
pub mod crypto;
pub mod debug;
pub mod error;
pub mod event;
pub mod gas;
pub mod invoke;
pub mod ipld;
pub mod message;
pub mod network;
pub mod rand;
pub mod send;
pub mod sself;
pub mod sys;
pub mod vm;

pub use error::{ActorError, SyscallResult};
pub use fern_shared::error::{ErrorNumber, ExitCode};
pub use fvm_ipld_encoding::ipld_block::IpldBlock;
pub use send::Response;

/// The block handle meaning "no data": used for absent parameters and absent return values.
pub const NO_DATA_BLOCK_ID: u32 = 0;

/// Prepares the SDK for use at the start of an invocation: installs the panic hook of
/// [`vm::set_panic_handler`]. Calling it is optional.
pub fn initialize() {
    vm::set_panic_handler();
}

/// The status word 0 means success for the verification syscalls (`-1` means "invalid").
#[inline]
pub(crate) fn is_ok_status(status: i32) -> bool {
    status == 0
}
