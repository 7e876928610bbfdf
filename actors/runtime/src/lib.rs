//! Helpers shared by Fern's Wasm actors, on top of [`fern_sdk`].
//!
//! The SDK gives an actor safe access to every syscall; this crate adds the handful of patterns
//! that almost every actor repeats:
//!
//! | module | what it gives |
//! |---|---|
//! | [`frc42`] | FRC-0042 method numbers as `const fn` (`method_number("Transfer")`) |
//! | [`params`] | decoding method parameters and encoding return values (CBOR) |
//! | [`state`] | loading and saving the actor's state object through its state root |
//! | [`caller`] | checking who is calling (by actor ID or by built-in actor type) |
//! | [`blockstore`] | an [`fvm_ipld_blockstore::Blockstore`] over the IPLD syscalls (for HAMTs) |
//! | [`send`] | calling another actor and turning its failure into an [`ActorError`] |
//! | [`error`] | mapping syscall error numbers to exit codes |
//! | [`event`] | building and emitting events (`$type` plus fields, CBOR values) |
//! | [`fmt`] | cheap text forms of addresses and CIDs for messages |
//! | [`builtin`] | the bundle's actor type numbers, well-known method numbers and wire types |
//!
//! An actor crate exports its entry point with [`export_actor!`]:
//!
//! ```ignore
//! use fern_actor_runtime::{export_actor, params, ActorError, IpldBlock, MethodNum};
//!
//! export_actor!(dispatch);
//!
//! fn dispatch(method: MethodNum, p: Option<IpldBlock>) -> Result<Option<IpldBlock>, ActorError> {
//!     match method {
//!         1 => { params::none(p)?; Ok(None) }
//!         m => Err(params::unhandled(m)),
//!     }
//! }
//! ```
//!
//! Everything except the syscalls themselves is plain Rust, so the pure parts are unit-tested on
//! the host.

pub mod blockstore;
pub mod builtin;
pub mod caller;
pub mod error;
pub mod event;
pub mod fmt;
pub mod frc42;
pub mod params;
pub mod send;
pub mod state;

pub use fern_sdk;
pub use fern_sdk::{ActorError, ExitCode, IpldBlock};
pub use fern_shared;
pub use fern_shared::{ActorID, MethodNum, METHOD_CONSTRUCTOR, METHOD_SEND};

pub use blockstore::ActorBlockstore;
pub use event::EventBuilder;
pub use frc42::method_number;

/// The result type of actor methods.
pub type ActorResult<T> = Result<T, ActorError>;

/// What a method handler returns: an optional return block, or the error to exit with.
pub type MethodResult = Result<Option<IpldBlock>, ActorError>;

/// Exports the Wasm entry point `invoke` of an actor.
///
/// `$handler` is a function `fn(MethodNum, Option<IpldBlock>) -> MethodResult`: it receives the
/// method number and the parameters block and returns the return block (or `None`) or an
/// [`ActorError`], which becomes the exit code and message. Panics abort with
/// `USR_ASSERTION_FAILED`.
///
/// The export only exists when compiling for Wasm, so several actor crates can be linked into
/// one host test binary (to share their types) without clashing symbols.
#[macro_export]
macro_rules! export_actor {
    ($handler:path) => {
        /// The Wasm entry point the VM calls for every message to this actor.
        #[cfg(target_arch = "wasm32")]
        #[no_mangle]
        pub extern "C" fn invoke(params: u32) -> u32 {
            $crate::fern_sdk::invoke::entry(params, |p| {
                $handler($crate::fern_sdk::message::method_number(), p)
            })
        }
    };
}
