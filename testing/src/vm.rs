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
