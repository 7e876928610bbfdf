//! Plain-data types exchanged with the kernel through the syscall ABI.
//!
//! Every struct here is `#[repr(C, packed)]`: fields sit in declaration order with no padding, so
//! the kernel can copy the bytes straight into (or out of) the actor's linear memory. Multi-byte
//! fields are little-endian, as Wasm memory is. The `out` structs are what syscalls write through
//! their hidden return pointer.

use std::fmt;

use bitflags::bitflags;
use num_bigint::BigInt;

/// Handle of an IPLD block held by the kernel for the current invocation (0 means "no block").
pub type BlockId = u32;
/// An IPLD codec number (multicodec).
pub type Codec = u64;

/// A token amount as passed through syscalls: an unsigned 128-bit attoFIL count split into its
/// low and high 64-bit halves (`lo` first in memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(C, packed)]
pub struct TokenAmount {
    /// The low 64 bits.
    pub lo: u64,
    /// The high 64 bits.
    pub hi: u64,
}

impl TokenAmount {
    /// Splits a 128-bit attoFIL amount.
    pub const fn from_u128(v: u128) -> Self {
        TokenAmount {
            lo: v as u64,
            hi: (v >> 64) as u64,
        }
    }

    /// Joins the two halves into a 128-bit attoFIL amount.
    pub const fn to_u128(self) -> u128 {
        ((self.hi as u128) << 64) | (self.lo as u128)
    }
}

impl From<u128> for TokenAmount {
    fn from(v: u128) -> Self {
        Self::from_u128(v)
    }
}

impl From<TokenAmount> for u128 {
    fn from(v: TokenAmount) -> u128 {
        v.to_u128()
    }
}

impl From<TokenAmount> for crate::econ::TokenAmount {
    fn from(v: TokenAmount) -> Self {
        crate::econ::TokenAmount::from_atto(BigInt::from(v.to_u128()))
    }
}

/// Returned when a token amount is negative or needs more than 128 bits, and so cannot cross the
/// syscall boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenAmountOutOfRange;

impl fmt::Display for TokenAmountOutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("token amount is negative or does not fit in 128 bits")
    }
}

impl std::error::Error for TokenAmountOutOfRange {}

impl TryFrom<&crate::econ::TokenAmount> for TokenAmount {
    type Error = TokenAmountOutOfRange;
    fn try_from(v: &crate::econ::TokenAmount) -> Result<Self, Self::Error> {
        u128::try_from(v.atto())
            .map(Self::from_u128)
            .map_err(|_| TokenAmountOutOfRange)
    }
}

impl TryFrom<crate::econ::TokenAmount> for TokenAmount {
    type Error = TokenAmountOutOfRange;
    fn try_from(v: crate::econ::TokenAmount) -> Result<Self, Self::Error> {
        TokenAmount::try_from(&v)
    }
}

bitflags! {
    /// Flags for the `send::send` syscall (a 64-bit word on the wire).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    #[repr(transparent)]
    pub struct SendFlags: u64 {
        /// Run the callee read-only: no state changes, value transfers or actor creation.
        const READ_ONLY = 1;
    }
}

impl SendFlags {
    /// Whether [`SendFlags::READ_ONLY`] is set.
    pub fn read_only(self) -> bool {
        self.contains(Self::READ_ONLY)
    }
}

/// The fixed-size header of one event entry as passed to `event::emit_event`. The entry's key and
/// value bytes travel separately, concatenated in two buffers, in the same order as the headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, packed)]
pub struct EventEntry {
    /// Indexing flags.
    pub flags: crate::event::Flags,
    /// The value's IPLD codec.
    pub codec: u64,
    /// Length of the key in the keys buffer.
    pub key_len: u32,
    /// Length of the value in the values buffer.
    pub val_len: u32,
}

/// Marks types that may be copied byte-for-byte between the kernel and actor memory.
///
/// # Safety
///
/// Implementors must be `repr(C, packed)` (or a primitive integer, or an array of such), contain
/// no pointers, references or floats, and accept every bit pattern the kernel or actor may write.
pub unsafe trait SyscallSafe: Copy + Sized + 'static {}

macro_rules! syscall_safe {
    ($($t:ty),* $(,)?) => { $( unsafe impl SyscallSafe for $t {} )* };
}

syscall_safe!(
    (),
    u8,
    u16,
    u32,
    u64,
    i8,
    i16,
    i32,
    i64,
    TokenAmount,
    EventEntry,
    out::ipld::IpldOpen,
    out::ipld::IpldStat,
    out::send::Send,
    out::crypto::VerifyConsensusFault,
    out::network::NetworkContext,
    out::vm::MessageContext,
    out::vm_v2::InvocationContext,
);

unsafe impl<T: SyscallSafe, const N: usize> SyscallSafe for [T; N] {}

/// Structs that syscalls write through their return pointer.
pub mod out {
    /// Results of the `ipld` syscalls.
    pub mod ipld {
        /// Written by `ipld::block_open`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(C, packed)]
        pub struct IpldOpen {
            /// The block's codec.
            pub codec: u64,
            /// The handle of the opened block.
            pub id: u32,
            /// The block's size in bytes.
            pub size: u32,
        }

        /// Written by `ipld::block_stat`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(C, packed)]
        pub struct IpldStat {
            /// The block's codec.
            pub codec: u64,
            /// The block's size in bytes.
            pub size: u32,
        }
    }

    /// Results of the `send` syscall (and `actor::upgrade_actor`).
    pub mod send {
        use crate::sys::BlockId;

        /// Written by `send::send`: the callee's exit code and return block.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(C, packed)]
        pub struct Send {
            /// The callee's exit code.
            pub exit_code: u32,
            /// Handle of the return block, or 0 if the callee returned nothing.
            pub return_id: BlockId,
            /// Codec of the return block.
            pub return_codec: u64,
            /// Size of the return block in bytes.
            pub return_size: u32,
        }
    }

    /// Results of the `crypto` syscalls.
    pub mod crypto {
        use crate::{ActorID, ChainEpoch};

        /// Written by `crypto::verify_consensus_fault`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(C, packed)]
        pub struct VerifyConsensusFault {
            /// The fault's epoch.
            pub epoch: ChainEpoch,
            /// The faulty miner's actor ID.
            pub target: ActorID,
            /// The fault type (see `consensus::ConsensusFaultType`), or 0 for no fault.
            pub fault: u32,
        }
    }

    /// Results of the `vm` syscalls.
    pub mod vm {
        use bitflags::bitflags;

        use crate::sys::TokenAmount;
        use crate::{ActorID, MethodNum};

        bitflags! {
            /// Flags describing the current invocation.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
            #[repr(transparent)]
            pub struct ContextFlags: u64 {
                /// The invocation is read-only.
                const READ_ONLY = 1;
            }
        }

        impl ContextFlags {
            /// Whether [`ContextFlags::READ_ONLY`] is set.
            pub fn read_only(self) -> bool {
                self.contains(Self::READ_ONLY)
            }
        }

        /// Written by `vm::message_context`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(C, packed)]
        pub struct MessageContext {
            /// The actor that signed the top-level message.
            pub origin: ActorID,
            /// The top-level message's nonce.
            pub nonce: u64,
            /// The immediate caller.
            pub caller: ActorID,
            /// The running actor.
            pub receiver: ActorID,
            /// The method being invoked.
            pub method_number: MethodNum,
            /// The value transferred with this call.
            pub value_received: TokenAmount,
            /// The effective gas premium of the top-level message.
            pub gas_premium: TokenAmount,
            /// Invocation flags.
            pub flags: ContextFlags,
        }
    }

    /// Results of the `vm` syscalls of network version 17 (ref-fvm 2.x ABI).
    pub mod vm_v2 {
        use crate::sys::TokenAmount;
        use crate::{ActorID, ChainEpoch, MethodNum};

        /// Written by `vm::context` under network version 17 (`fvm_shared` 2.12
        /// `sys::out::vm::InvocationContext`): 52 bytes, fields in this order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(C, packed)]
        pub struct InvocationContext {
            /// The value transferred with this call.
            pub value_received: TokenAmount,
            /// The immediate caller.
            pub caller: ActorID,
            /// The running actor.
            pub receiver: ActorID,
            /// The method being invoked.
            pub method_number: MethodNum,
            /// The current epoch.
            pub network_curr_epoch: ChainEpoch,
            /// The network version.
            pub network_version: u32,
        }
    }

    /// Results of the `network` syscalls.
    pub mod network {
        use crate::sys::TokenAmount;
        use crate::version::NetworkVersion;
        use crate::ChainEpoch;

        /// Written by `network::context`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(C, packed)]
        pub struct NetworkContext {
            /// The current epoch.
            pub epoch: ChainEpoch,
            /// The current tipset's timestamp, in seconds since the Unix epoch.
            pub timestamp: u64,
            /// The current base fee.
            pub base_fee: TokenAmount,
            /// The chain ID.
            pub chain_id: u64,
            /// The network version (a 32-bit number).
            pub network_version: NetworkVersion,
        }
    }
}

pub use out::crypto::VerifyConsensusFault;
pub use out::ipld::{IpldOpen, IpldStat};
pub use out::network::NetworkContext;
pub use out::send::Send;
pub use out::vm::{ContextFlags, MessageContext};
