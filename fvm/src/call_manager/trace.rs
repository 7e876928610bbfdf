//! The execution trace: what happened while a message ran, in order, for node clients
//! (state replay, block explorers) and for differential testing.
//!
//! A trace is recorded only when the machine context enables tracing
//! ([`MachineContext::with_tracing`](crate::machine::MachineContext::with_tracing)); otherwise
//! nothing is allocated and [`ApplyRet`'s trace] stays empty. The trace is informational: it is
//! not part of consensus, but Fern produces the same events, in the same order and with the same
//! contents, as ref-fvm 4.8's `ExecutionEvent`s (FIPS/execution.md, "Execution trace").
//!
//! Every event other than a gas charge is preceded by the gas charges taken since the previous
//! event, so charges and calls interleave exactly as they happened.
//!
//! [`ApplyRet`'s trace]: crate::executor::ApplyRet::exec_trace

use cid::Cid;
use fern_shared::address::Address;
use fern_shared::econ::TokenAmount;
use fern_shared::error::ExitCode;
use fern_shared::state::ActorState;
use fern_shared::{ActorID, MethodNum};

use super::{Block, SyscallError};
use crate::gas::GasCharge;

/// The execution trace of one message: its events in order.
pub type ExecTrace = Vec<ExecEvent>;

/// An IPLD block as it appears in a trace (parameters, return values): its codec and bytes.
/// Plain, owned data (unlike [`Block`], which is shared within a call stack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceBlock {
    /// The IPLD codec.
    pub codec: u64,
    /// The bytes.
    pub data: Vec<u8>,
}

impl From<&Block> for TraceBlock {
    fn from(b: &Block) -> Self {
        TraceBlock {
            codec: b.codec(),
            data: b.data().to_vec(),
        }
    }
}

/// What an [`ExecEvent::Ipld`] event did to the blockstore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpldOp {
    /// A block was read (`ipld::block_open`).
    Get,
    /// A block was written (`ipld::block_link`).
    Put,
}

/// One event of an execution trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExecEvent {
    /// A gas charge, recorded whether or not it succeeded (the one that runs out of gas is the
    /// last charge of the trace, or of its call).
    GasCharge(GasCharge),
    /// A send (the message's own call or an actor's `send::send`) is about to run: recorded
    /// before its gas limit is applied, before the call-depth check and before the recipient is
    /// resolved, so every send that reaches the call manager has one, even when it then fails.
    /// Not recorded for the constructor the VM runs when a send creates an account, nor for
    /// upgrades.
    Call {
        /// The caller.
        from: ActorID,
        /// The recipient, as given by the caller (not resolved).
        to: Address,
        /// The method number.
        method: MethodNum,
        /// The parameters block, if any.
        params: Option<TraceBlock>,
        /// The value to transfer.
        value: TokenAmount,
        /// The gas limit the callee will run under, in whole gas: the smaller of the requested
        /// limit (none = `u64::MAX` milligas, rounded up) and the gas still available to the
        /// caller (rounded up).
        gas_limit: u64,
        /// Whether the call is read-only.
        read_only: bool,
    },
    /// The send ended with an exit code (successful or not). A send that ran out of gas is
    /// reported as `SYS_OUT_OF_GAS` with no value, whether the message goes on or not.
    CallReturn {
        /// The callee's exit code.
        exit_code: ExitCode,
        /// The returned block, if any.
        value: Option<TraceBlock>,
    },
    /// The send failed with a syscall error before or instead of running the callee (unknown
    /// recipient, insufficient funds, call depth, read-only auto-creation...). A fatal error is
    /// reported as `Forbidden` with the message `"fatal"`, as ref-fvm does. The message text is
    /// diagnostic only and differs from ref-fvm's in places.
    CallError(SyscallError),
    /// The recipient of a send was found and is about to be entered (recorded before the value
    /// transfer, also for bare value transfers, method 0, which run no code). `state` is the
    /// actor as it was read, before the transfer.
    InvokeActor {
        /// The actor's id.
        id: ActorID,
        /// The actor's state: code, state root, nonce, balance, delegated address.
        state: ActorState,
    },
    /// A `debug::log` message (only with actor debugging on).
    Log(String),
    /// A block read or written by an actor.
    Ipld {
        /// Read or write.
        op: IpldOp,
        /// The block's CID.
        cid: Cid,
        /// The block's size in bytes.
        size: usize,
    },
}

impl ExecEvent {
    /// The gas charge, if this is one.
    pub fn as_gas_charge(&self) -> Option<&GasCharge> {
        match self {
            ExecEvent::GasCharge(c) => Some(c),
            _ => None,
        }
    }
}
