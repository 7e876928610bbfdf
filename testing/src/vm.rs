//! The interface a VM under test implements, and what one message produced.

use cid::Cid;
use fvm_shared::message::Message;

/// One event as emitted: the emitter's actor id and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// Actor id of the emitter.
    pub emitter: u64,
    /// Entries: (flags, key, codec, value).
    pub entries: Vec<(u64, String, u64, Vec<u8>)>,
}

/// One event of an execution trace, in plain types so both VMs' traces compare with `==`
/// (ref-fvm's `ExecutionEvent`, Fern's `ExecEvent`). Blocks are `(codec, bytes)`, addresses
/// their byte form, token amounts attoFIL in decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceEvent {
    /// A gas charge: name, compute milligas, other milligas.
    GasCharge {
        /// The charge's name.
        name: String,
        /// Compute part, milligas.
        compute: u64,
        /// Other part, milligas.
        other: u64,
    },
    /// A send about to run.
    Call {
        /// Caller id.
        from: u64,
        /// Recipient address bytes (as given, unresolved).
        to: Vec<u8>,
        /// Method number.
        method: u64,
        /// Parameters block.
        params: Option<(u64, Vec<u8>)>,
        /// Value, attoFIL.
        value: String,
        /// Gas limit, whole gas.
        gas_limit: u64,
        /// Read-only flag.
        read_only: bool,
    },
    /// A send returned an exit code (and maybe a block).
    CallReturn {
        /// Exit code.
        exit_code: u32,
        /// Returned block.
        value: Option<(u64, Vec<u8>)>,
    },
    /// A send failed with a syscall error.
    CallError {
        /// The error number.
        number: u32,
        /// The message (diagnostic text; not compared by the trace tests).
        message: String,
    },
    /// An actor about to be entered, with its state as read.
    InvokeActor {
        /// Actor id.
        id: u64,
        /// Code CID.
        code: Cid,
        /// State root.
        state: Cid,
        /// Nonce.
        sequence: u64,
        /// Balance, attoFIL.
        balance: String,
        /// Delegated address bytes.
        delegated_address: Option<Vec<u8>>,
    },
    /// A debug log message.
    Log(String),
    /// A block read (`put == false`) or written.
    Ipld {
        /// Whether this is a write (`block_link`).
        put: bool,
        /// The block's CID.
        cid: Cid,
        /// Its size.
        size: usize,
    },
}

/// What applying one message produced, in plain types so any VM can fill it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The receipt's exit code.
    pub exit_code: u32,
    /// The receipt's return bytes.
    pub return_data: Vec<u8>,
    /// The receipt's gas used.
    pub gas_used: u64,
    /// The receipt's events root (the AMT of stamped events), if any events were kept.
    pub events_root: Option<Cid>,
    /// The events, in emission order.
    pub events: Vec<EventRecord>,
    /// The execution trace, when the VM was built to trace (`RefVm::recorded`,
    /// `FernVm::traced`). Otherwise empty on Fern, while ref-fvm 4.8.4 still reports its `Ipld`
    /// and `Log` events.
    pub trace: Vec<TraceEvent>,
}

impl Outcome {
    /// The outcome recorded when the VM refuses a message with a fatal error instead of a
    /// receipt (exit code [`crate::scenario::FATAL`], nothing else).
    pub fn fatal() -> Self {
        Outcome {
            exit_code: crate::scenario::FATAL,
            return_data: Vec::new(),
            gas_used: 0,
            events_root: None,
            events: Vec::new(),
            trace: Vec::new(),
        }
    }
}

/// A VM that applies explicit messages to a state and reports the state root.
pub trait Vm {
    /// Applies `msg` as an explicit (on-chain) message whose signed encoding is `raw_len`
    /// bytes long. Fatal errors (which a scenario never intends) panic.
    fn apply(&mut self, msg: &Message, raw_len: usize) -> Outcome;

    /// Flushes pending changes and returns the current state root.
    fn state_root(&mut self) -> Cid;
}
