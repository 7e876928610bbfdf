//! Types shared by the Fern kernel, the Fern SDK and Wasm actors.
//!
//! Every type here is byte-compatible with Filecoin's on-chain encoding: an address, token amount,
//! message, receipt or actor state encodes to the same CBOR bytes that any other Filecoin
//! implementation produces, and the `#[repr(C)]` structs in [`sys`] have the syscall ABI's layout.
//! The crate compiles for the host and for `wasm32-unknown-unknown`.

pub mod address;
pub mod bigint;
pub mod consensus;
pub mod consts;
pub mod crypto;
pub mod econ;
pub mod error;
pub mod event;
pub mod message;
pub mod piece;
pub mod randomness;
pub mod receipt;
pub mod sector;
pub mod state;
pub mod sys;
pub mod upgrade;
pub mod version;

/// An actor's permanent numeric identifier (the payload of an `f0` address).
pub type ActorID = u64;
/// The number of a method on an actor.
pub type MethodNum = u64;
/// A chain epoch (block height).
pub type ChainEpoch = i64;
/// The method number of a plain value transfer.
pub const METHOD_SEND: MethodNum = 0;
/// The method number of an actor's constructor.
pub const METHOD_CONSTRUCTOR: MethodNum = 1;
